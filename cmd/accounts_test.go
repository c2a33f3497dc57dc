package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
)

func TestAccountsListAndShowReadWhatTencentRecorded(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint, "ONBOARD_SECRET_STORE": "file",
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": env.TencentSecretKey}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "list"}); code != ExitOK {
		t.Fatalf("empty list: exit %d %s", code, errOut.String())
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--account", "prod"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, _ := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "list", "--output", "json"}); code != ExitOK {
		t.Fatalf("list: exit %d", code)
	}
	var list []accountView
	if err := json.Unmarshal([]byte(out.String()), &list); err != nil || len(list) != 1 || list[0].Name != "prod" || list[0].OwnerUIN != env.OwnerUIN {
		t.Fatalf("list: %q %v", out.String(), err)
	}
	f, out, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "show", "prod"}); code != ExitOK || !strings.Contains(out.String(), "AlibabaSasSubAccount_") {
		t.Fatalf("show: exit %d %q", code, out.String())
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "show", "nope"}); code != ExitUsage || !strings.Contains(errOut.String(), "accounts list") {
		t.Fatalf("unknown account: exit %d %q", code, errOut.String())
	}
}

func TestRevealKeyOnlyToATerminalOrANewPrivateFile(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": env.TencentEndpoint, "ONBOARD_SECRET_STORE": "file",
		"TENCENTCLOUD_SECRET_ID": env.TencentSecretID, "TENCENTCLOUD_SECRET_KEY": env.TencentSecretKey}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--account", "prod"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, _ := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "prod"}); code != ExitUsage || out.String() != "" {
		t.Fatalf("to a pipe: exit %d, stdout %q; want a refusal and nothing printed", code, out.String())
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "prod", "--to", path}); code != ExitOK {
		t.Fatalf("to a file: exit %d %s", code, errOut.String())
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 || !strings.Contains(readFileT(t, path), "SecretKey: ") {
		t.Fatalf("key file: %v %v", info, err)
	}
	f, _, _ = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "prod", "--to", path}); code != ExitUsage {
		t.Fatalf("an existing file was overwritten: exit %d", code)
	}
	f, out, _ = tencentTestFactory(vars)
	f.IO.SetTTY(false, true, true)
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "prod"}); code != ExitOK || !strings.Contains(out.String(), "SecretKey: ") {
		t.Fatalf("to a terminal: exit %d %q", code, out.String())
	}
}

// accounts list fits the terminal like the other tables: long cells are cut with "…" on a terminal,
// never when piped, and --columns chooses what is shown.
func TestAccountsListFitsTheTerminalAndTakesColumns(t *testing.T) {
	_, vars := onboardedProd(t, "--features", "host,cspm,soc,audit", "--cspm-policy", "custom", "--audit-region", "ap-guangzhou", "--skip-sync")
	ctx := context.Background()
	f, piped, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"accounts", "list", "--columns", "name,owner_uin,sub_user,features,regions,security_center,updated"}); code != ExitOK {
		t.Fatalf("accounts list: exit %d %s", code, errOut.String())
	}
	widest := 0
	for _, line := range strings.Split(strings.TrimSpace(piped.String()), "\n") {
		widest = max(widest, len([]rune(line)))
	}
	if strings.Contains(piped.String(), "…") || !strings.Contains(piped.String(), "host,cspm,soc,audit") || widest <= 80 {
		t.Fatalf("piped output cut, or too narrow to test (%d columns):\n%s", widest, piped.String())
	}

	f, onTerminal, _ := tencentTestFactory(vars)
	f.IO.SetTTY(false, true, true)
	f.IO.SetTerminalWidth(80)
	if code := run(ctx, f, []string{"accounts", "list", "--columns", "name,owner_uin,sub_user,features,regions,security_center,updated"}); code != ExitOK {
		t.Fatalf("accounts list on a terminal: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(onTerminal.String()), "\n")
	for _, line := range lines {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("a line of %d columns on an 80-column terminal: %q", n, line)
		}
	}
	if len(lines) != 2 || !strings.Contains(onTerminal.String(), "…") || !strings.HasPrefix(lines[1], "prod ") {
		t.Errorf("want the header and prod, with long cells cut by …:\n%s", onTerminal.String())
	}

	f, chosen, _ := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"accounts", "list", "--columns", "access_key_id,name"}); code != ExitOK ||
		!strings.HasPrefix(chosen.String(), "KEY") || strings.Contains(chosen.String(), "OWNER UIN") || !strings.Contains(chosen.String(), "AKID") {
		t.Errorf("--columns access_key_id,name: exit %d\n%s", code, chosen.String())
	}
	f, _, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"accounts", "list", "--columns", "name,secret"}); code != ExitUsage || !strings.Contains(errOut.String(), "access_key_id") {
		t.Errorf("--columns with an unknown column: exit %d %q", code, errOut.String())
	}
}
