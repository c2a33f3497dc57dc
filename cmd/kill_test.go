package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"onboard/emulator"
	"onboard/emulator/sas"
	"onboard/emulator/tcloud"
)

// buildOnboard builds the command into a temporary folder once per test.
func buildOnboard(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the command with")
	}
	bin := filepath.Join(t.TempDir(), "onboard")
	out, err := exec.Command(gobin, "build", "-o", bin, "onboard/cmd/onboard").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// emulatorState is what both emulators hold, without Security Center's history of asset refreshes and
// its vendor-wide sync frequencies (which its API cannot unset).
func emulatorState(env *emulator.Env) string {
	sc := env.SecurityCenter.State()
	for i := range sc.Accounts {
		for site, ss := range sc.Accounts[i].Sites {
			ss.Syncs = nil
			for vendor, regions := range ss.SyncRegions {
				if len(regions) == 0 {
					delete(ss.SyncRegions, vendor)
				}
			}
			sc.Accounts[i].Sites[site] = ss
		}
	}
	data, _ := json.Marshal(map[string]any{"tencent": env.Tencent.State(), "security_center": sc})
	return string(data)
}

// The built command is killed with SIGKILL while a call is on its way, the call having been made; a
// rollback by a new process then leaves both clouds as they were before.
func TestSIGKILLDuringAnOnboardingThenRollbackLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildOnboard(t)
	for _, tc := range []struct {
		name   string
		inject func(env *emulator.Env, kill func())
		// wantRemoved are what the rollback must say it removed
		wantRemoved []string
	}{
		{"AttachUserPolicy", func(env *emulator.Env, kill func()) {
			env.Tencent.AddFaults([]tcloud.FaultRule{{Action: "AttachUserPolicy", Fault: tcloud.FaultLost, Nth: 2, Then: kill}})
		}, []string{"removed grant cspmPolicy", "removed policy cspmPolicy", "removed sub-user killed"}},
		{"AddCloudVendorAccountAK", func(env *emulator.Env, kill func()) {
			env.SecurityCenter.AddFaults([]sas.FaultRule{{Action: "AddCloudVendorAccountAK", Fault: sas.FaultLost, Nth: 1, Then: kill}})
		}, []string{"removed Security Center account", "removed API key", "removed sub-user killed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := emulator.Start(context.Background(), emulator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			home := t.TempDir()
			vars := emulatorVars(env, home)
			environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
			for k, v := range vars {
				environ = append(environ, k+"="+v)
			}
			before := emulatorState(env)
			onboard := exec.Command(bin, "tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--cspm-policy", "custom",
				"--sub-user", "killed", "--site", "outside", "--regions", "ap-guangzhou", "--skip-sync")
			onboard.Env = environ
			var stderr bytes.Buffer
			onboard.Stderr = &stderr
			// The process is handed to the emulator's goroutine that kills it once it has started.
			started := make(chan *os.Process, 1)
			tc.inject(env, func() {
				p := <-started
				p.Kill()
				started <- p
			})
			if err := onboard.Start(); err != nil {
				t.Fatal(err)
			}
			started <- onboard.Process
			err = onboard.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the onboarding was not killed: %v\n%s", err, stderr.String())
			}
			if emulatorState(env) == before {
				t.Fatal("the killed run left nothing: the test proves nothing")
			}
			rollback := exec.Command(bin, "tencent", "--no-input", "--rollback")
			rollback.Env = environ
			out, err := rollback.CombinedOutput()
			if err != nil {
				t.Fatalf("rollback: %v\n%s", err, out)
			}
			t.Logf("rollback output:\n%s", out)
			for _, w := range tc.wantRemoved {
				if !strings.Contains(string(out), w) {
					t.Errorf("the rollback does not say %q:\n%s", w, out)
				}
			}
			if after := emulatorState(env); after != before {
				t.Fatalf("after the rollback:\n%s\nbefore the first run:\n%s", after, before)
			}
		})
	}
}

// A rollback that cannot delete the Security Center account (no Alibaba Cloud credentials) says what it
// removed, what it could not remove and why, and fails; run again with the credentials, it finishes.
func TestTencentRollbackSaysWhatItCouldNotRemove(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas",
		"--site", "outside", "--regions", "ap-guangzhou", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	without := map[string]string{}
	for k, v := range vars {
		if !strings.HasPrefix(k, "ALIBABA_") {
			without[k] = v
		}
	}
	f, out, _ := tencentTestFactory(without)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--rollback"}); code == ExitOK {
		t.Fatalf("the rollback without Alibaba Cloud credentials succeeded:\n%s", out.String())
	}
	for _, want := range []string{"Not removed", "Security Center account", "Alibaba Cloud credentials", "API key", "Not undone by a rollback"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rollback output does not say %q:\n%s", want, out.String())
		}
	}
	f, out, errOut = tencentTestFactory(vars)
	f.Output = "json"
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--rollback"}); code != ExitOK {
		t.Fatalf("second rollback: exit %d %s", code, errOut.String())
	}
	var res struct{ Removed, Left, Kept []string }
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.Left) != 0 || len(res.Removed) == 0 {
		t.Fatalf("second rollback output %q: %v", out.String(), err)
	}
}
