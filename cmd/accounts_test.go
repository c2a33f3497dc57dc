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
