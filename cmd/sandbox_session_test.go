package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"onboard/emulator"
	"onboard/onboarding"
)

// A sandbox session is several processes: each starts its own emulators, which load what the earlier
// ones changed from the sandbox's home and save it back. onboard → status → rotate-key → status →
// offboard then behaves as it does against a real account, and leaves the emulated account as it found
// it. In between, sync lists with the account's stored key and installed agents stay installed.
func TestSandboxSessionOfSeveralCommandsKeepsTheEmulatedAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildOnboard(t)
	home := t.TempDir()
	environ := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), envHome + "=" + home}
	var stderr strings.Builder // every command's
	onboard := func(args ...string) (string, int) {
		t.Helper()
		out, errOut, code := runBuilt(t, bin, environ, args...)
		stderr.WriteString(errOut)
		return out, code
	}

	if out, code := onboard("tencent", "--sandbox", "--no-input", "--mode", "manual", "--features", "host,cspm,audit", "--audit-region", "ap-guangzhou",
		"--sub-user", "sas-reader", "--account", "demo", "--site", "outside", "--regions", "ap-guangzhou"); code != ExitOK {
		t.Fatalf("onboard tencent --sandbox: exit %d\n%s", code, out)
	}
	if out, code := onboard("status", "--sandbox", "--account", "demo"); code != ExitOK || !strings.Contains(out, "Account demo: ok") {
		t.Fatalf("status --sandbox after onboarding: exit %d, want 0 (all ok)\n%s", code, out)
	}
	// The agents installed by one command are online in the next one's Security Center. The demo fleet has
	// hosts that cannot get the agent (stopped, TAT offline, an installer that fails), so both runs are
	// partly done (exit 3), and the second installs nothing new.
	if out, code := onboard("agent", "install", "--sandbox", "--account", "demo", "--all"); code != ExitPartial ||
		!strings.Contains(out, " installed, ") || !strings.Contains(out, " skipped") || !strings.Contains(out, " failed") {
		t.Fatalf("agent install --sandbox: exit %d\n%s", code, out)
	}
	if out, code := onboard("agent", "install", "--sandbox", "--account", "demo", "--all"); code != ExitPartial ||
		!strings.Contains(out, " already-installed, ") || strings.Contains(out, " installed, ") {
		t.Fatalf("agent install --sandbox again: exit %d, want every installable host already installed\n%s", code, out)
	}
	// The sync lists with the account's stored key, which the emulated CAM of this process knows.
	if out, code := onboard("sync", "--sandbox", "--account", "demo", "--kinds", "cvm.instance", "--output", "json"); code != ExitOK ||
		!strings.Contains(out, `"cvm.instance":`) {
		t.Fatalf("sync --sandbox with the stored key: exit %d\n%s", code, out)
	}
	out, code := onboard("rotate-key", "--sandbox", "--account", "demo", "--output", "json")
	var rotated onboarding.RotateResult
	if err := json.Unmarshal([]byte(out), &rotated); code != ExitOK || err != nil || rotated.InUse != rotated.NewKeyID ||
		rotated.NewKeyID == rotated.OldKeyID || rotated.OldKey != "deleted" {
		t.Fatalf("rotate-key --sandbox: exit %d %q: %v", code, out, err)
	}
	if out, code := onboard("status", "--sandbox", "--account", "demo", "--output", "json"); code != ExitOK {
		t.Fatalf("status --sandbox after rotate-key: exit %d, want 0 (all ok)\n%s", code, out)
	}
	if out, code := onboard("offboard", "--sandbox", "--account", "demo", "--yes", "--no-input"); code != ExitOK {
		t.Fatalf("offboard --sandbox: exit %d\n%s", code, out)
	}

	if strings.Contains(stderr.String(), "from environment") || !strings.Contains(stderr.String(), "the sandbox demo key") {
		t.Errorf("the sandbox's operator key is named as the environment's:\n%s", stderr.String())
	}

	// The saved emulated account holds what a fresh demo account holds: everything onboard created is gone.
	fresh, saved := freshAndSavedSandbox(t, home)
	want, _ := json.Marshal(fresh.Tencent.State())
	got, _ := json.Marshal(saved.Tencent.State())
	if string(got) != string(want) {
		t.Errorf("emulated Tencent Cloud account after offboard:\n%s\nwant as new:\n%s", got, want)
	}
	for _, a := range saved.SecurityCenter.State().Accounts {
		for site, ss := range a.Sites {
			if len(ss.CloudAccounts) != 0 || len(ss.TrialConfigs) != 0 {
				t.Errorf("emulated Security Center (%s) after offboard: %+v", site, ss)
			}
		}
	}
}

// freshAndSavedSandbox starts the sandbox's emulators twice: as a new demo account, and from the state the
// sandbox session under home saved, to compare what the session left with what it started from.
func freshAndSavedSandbox(t *testing.T, home string) (fresh, saved *emulator.Env) {
	t.Helper()
	fresh, err := emulator.Start(context.Background(), emulator.Options{Seed: sandboxSeed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	saved, err = emulator.Start(context.Background(), emulator.Options{Seed: sandboxSeed, StateFile: filepath.Join(home, sandboxStateFile)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { saved.Close() })
	return fresh, saved
}

// runBuilt runs the built command bin with args in the environment env, and returns what it printed on
// stdout and stderr and its exit code. Stderr is logged when the exit code is not 0.
func runBuilt(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("onboard %v: %v", args, err)
	}
	if exit != nil {
		t.Logf("onboard %v: exit %d\n%s", args, exit.ExitCode(), errOut.String())
		return out.String(), errOut.String(), exit.ExitCode()
	}
	return out.String(), errOut.String(), 0
}
