package cmd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onboard/emulator"
)

// noChange fails if either emulator saw a call that changes something.
func noChange(t *testing.T, env *emulator.Env) {
	t.Helper()
	for _, c := range env.Tencent.Calls() {
		if c.Mutating {
			t.Errorf("Tencent Cloud saw a mutating call: %s (code %q)", c.Action, c.Code)
		}
	}
	for _, c := range env.SecurityCenter.Calls() {
		if !strings.HasPrefix(c.Action, "Describe") && !strings.HasPrefix(c.Action, "List") {
			t.Errorf("Security Center saw a call that is not a read: %s", c.Action)
		}
	}
}

// The pre-flight's problems exit 2 (usage), 4 (a rejected key) or 1 (a precondition), with or without
// --dry-run, before anything is created; a usage problem beside a rejected key exits 2.
func TestTencentPreflightExitCodes(t *testing.T) {
	audit := []string{"--features", "host,audit", "--audit-region", "ap-guangzhou"}
	unknownLogset := []string{"--audit-logset", "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f"}
	tests := []struct {
		name string
		vars map[string]string // changes to the emulator's variables
		args []string
		code int
		says []string
	}{
		{"a wrong Alibaba Cloud key", map[string]string{envAlibabaKeySecret: "wrong"}, nil, ExitCredentials,
			[]string{"Alibaba Cloud key", "rejected", "ALIBABA_CLOUD_ACCESS_KEY_ID"}},
		{"a region Security Center does not know", nil, []string{"--regions", "ap-guangzhou,xx-nowhere-1"}, ExitUsage,
			[]string{"--regions", "xx-nowhere-1", "valid regions are all or", "ap-guangzhou"}},
		{"a logset that does not exist", nil, append(audit, unknownLogset...), ExitUsage,
			[]string{"--audit-logset", "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f", "new"}},
		{"a keyring without a session bus", map[string]string{envSecretStore: "keyring"}, nil, ExitFailed,
			[]string{"secret store", "keyring", "--insecure-storage"}},
		{"a wrong Alibaba Cloud key beside a logset that does not exist", map[string]string{envAlibabaKeySecret: "wrong"},
			append(audit, unknownLogset...), ExitUsage,
			[]string{"2 problems", "Alibaba Cloud key", "--audit-logset"}},
		{"a wrong Alibaba Cloud key beside a keyring without a session bus", map[string]string{envAlibabaKeySecret: "wrong", envSecretStore: "keyring"},
			nil, ExitCredentials, []string{"2 problems", "Alibaba Cloud key", "secret store"}},
	}
	for _, tt := range tests {
		for _, dryRun := range []bool{false, true} {
			name := tt.name
			if dryRun {
				name += ", dry run"
			}
			t.Run(name, func(t *testing.T) {
				env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
				if err != nil {
					t.Fatal(err)
				}
				defer env.Close()
				vars := emulatorVars(env, t.TempDir())
				for k, v := range tt.vars {
					vars[k] = v
				}
				f, out, errOut := tencentTestFactory(vars)
				args := append([]string{"tencent", "--no-input", "--mode", "manual", "--sub-user", "sas-reader", "--security-center", "submit"}, tt.args...)
				if !slices.Contains(args, "--features") {
					args = append(args, "--features", "host")
				}
				if dryRun {
					args = append(args, "--dry-run")
				}
				if code := run(context.Background(), f, args); code != tt.code {
					t.Errorf("exit %d, want %d\n%s", code, tt.code, errOut.String())
				}
				for _, s := range append([]string{"nothing was changed"}, tt.says...) {
					if !strings.Contains(errOut.String(), s) {
						t.Errorf("stderr does not say %q:\n%s", s, errOut.String())
					}
				}
				if out.String() != "" {
					t.Errorf("stdout %q", out.String())
				}
				noChange(t, env)
			})
		}
	}
}

// A --policy-file placeholder that the policy's values cannot fill is refused with the other invalid
// flags, before any call.
func TestTencentPolicyFilePlaceholdersAreCheckedBeforeAnyCall(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	file := filepath.Join(t.TempDir(), "cspm.json")
	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cls:DescribeTopics"],"resource":["qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/*"]}]}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "cspm", "--cspm-policy", "custom", "--sub-user", "sas-reader",
		"--policy-file", "cspmPolicy=" + file, "--kafka-network", "vpn"}
	if code := run(context.Background(), f, args); code != ExitUsage {
		t.Errorf("exit %d, want %d\n%s", code, ExitUsage, errOut.String())
	}
	for _, s := range []string{"--policy-file", "${CLS_Region_ID}", "fills only ${Root_Account_ID} in cspmPolicy", "--kafka-network"} {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr does not say %q:\n%s", s, errOut.String())
		}
	}
	if n := len(env.Tencent.Calls()) + len(env.SecurityCenter.Calls()); n != 0 {
		t.Errorf("%d calls before the usage error", n)
	}
}

// The wizard runs the same engine: its review shows the pre-flight's problems with their fix in the
// wizard's words, and nothing is created.
func TestTheWizardShowsThePreflightsProblems(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := emulatorVars(env, t.TempDir())
	vars[envSecretStore] = "keyring" // and no session bus: the keyring is missing
	f, out, errOut := tencentTestFactory(vars)
	// Site and mode as they are; tick host and confirm; the Tencent key, this account (the demo account
	// manages an organization), Lighthouse, the Alibaba key, the sub-user and the account name as they are;
	// confirm the regions ticked; the default site and the frequencies as they are.
	f.IO.In = strings.NewReader("\n\n" + "1\n0\n" + "\n\n\n\n\n\n" + "0\n" + strings.Repeat("\n", 20))
	f.IO.SetTTY(true, true, true)
	code := run(context.Background(), f, []string{"tencent", "--accessible"})
	if code == ExitOK {
		t.Errorf("exit %d", code)
	}
	for _, s := range []string{"the pre-flight check found a problem; nothing was changed", "secret store", "Fix: start or unlock the OS keyring"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the wizard does not show %q:\nstdout:\n%s\nstderr:\n%s", s, out.String(), errOut.String())
		}
	}
	noChange(t, env)
}

// Every invalid flag is named in one run, before any call.
func TestTencentNamesEveryInvalidFlagAtOnce(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir(), "ONBOARD_TENCENT_ENDPOINT": "http://127.0.0.1:1",
		"TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "y"})
	args := []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,dns", "--kafka-network", "vpn", "--root-key", "burn",
		"--regions", "Guangzhou", "--secret-id", "AKIDx"}
	if code := run(context.Background(), f, args); code != ExitUsage || out.String() != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out.String())
	}
	for _, flag := range []string{"--features", "--sub-user", "--kafka-network", "--root-key", "--regions", "--secret-key-stdin"} {
		if !strings.Contains(errOut.String(), flag) {
			t.Errorf("stderr does not name %s:\n%s", flag, errOut.String())
		}
	}
}
