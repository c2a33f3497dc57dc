package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
)

// TestTheSecretStoreIsChosenOnce onboards with --insecure-storage and then syncs and reveals the key
// without repeating it: the account records which store holds its key.
func TestTheSecretStoreIsChosenOnce(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	delete(vars, "ONBOARD_SECRET_STORE")
	// A keyring that cannot be reached, so that a command opening it instead of the file store fails.
	vars["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--account", "prod", "--skip-sync", "--insecure-storage"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "vpc.vpc"}); code != ExitOK {
		t.Fatalf("sync without --insecure-storage: exit %d %s %s", code, out.String(), errOut.String())
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	f, _, errOut = tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "prod", "--to", path}); code != ExitOK {
		t.Fatalf("reveal-key without --insecure-storage: exit %d %s", code, errOut.String())
	}
	if !strings.Contains(readFileT(t, path), "SecretKey: ") {
		t.Fatal("no key revealed")
	}
}

// TestTheSandboxSpeaksOfItsDemoKeyAndFileStore: no environment variable the user did not set, and no
// warning about a flag the user did not give.
func TestTheSandboxSpeaksOfItsDemoKeyAndFileStore(t *testing.T) {
	home := t.TempDir()
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox", "--account", "demo", "--skip-sync"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	all := out.String() + errOut.String()
	for _, bad := range []string{"TENCENTCLOUD_SECRET_ID", "ALIBABA_CLOUD_ACCESS_KEY_ID", "--insecure-storage", "unencrypted"} {
		if strings.Contains(all, bad) {
			t.Errorf("the sandbox run mentions %q:\n%s", bad, all)
		}
	}
	for _, want := range []string{"Tencent Cloud credentials from the sandbox demo key", "Alibaba Cloud credentials from the sandbox demo key", "sandbox file store"} {
		if !strings.Contains(all, want) {
			t.Errorf("the sandbox run does not say %q:\n%s", want, all)
		}
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	f, _, errOut = tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
	if code := run(context.Background(), f, []string{"accounts", "reveal-key", "demo", "--sandbox", "--to", path}); code != ExitOK {
		t.Fatalf("reveal-key --sandbox: exit %d %s", code, errOut.String())
	}
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "SecretKey: ") {
		t.Fatalf("key file %q: %v", data, err)
	}
	f, _, errOut = tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox", "--profile", "prod"}); code != ExitUsage || !strings.Contains(errOut.String(), "--profile cannot be used with --sandbox") {
		t.Fatalf("--profile in the sandbox: exit %d %s", code, errOut.String())
	}
}
