package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"onboard/emulator"
	"onboard/securitycenter"
	"onboard/tencent"
)

func TestSandboxPointsTheFactoryAtTheEmulators(t *testing.T) {
	var got sandboxOptions
	stopped := false
	old := startEmulators
	t.Cleanup(func() { startEmulators = old })
	startEmulators = func(_ context.Context, o sandboxOptions) (sandboxEndpoints, error) {
		got = o
		return sandboxEndpoints{Tencent: "http://127.0.0.1:1", SecurityCenter: "http://127.0.0.1:2",
			TencentID: "AKIDdemo", TencentKey: "demo-secret", AlibabaID: "LTAIdemo", AlibabaKey: "ali-secret",
			Stop: func() { stopped = true }}, nil
	}
	for _, home := range []string{"", t.TempDir()} {
		ios, _, _, errOut := TestIOStreams()
		real := map[string]string{"TENCENTCLOUD_SECRET_ID": "AKIDreal", "TENCENTCLOUD_PROFILE": "prod", "PATH": "/bin", envHome: home}
		f := &Factory{IO: ios, Getenv: func(k string) string { return real[k] }}
		var seen map[string]string
		var sandbox *Sandbox
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error {
			seen = map[string]string{}
			for _, k := range []string{envHome, envSecretStore, envTencentEndpoint, envSecurityCenterEndpoint, envTencentSecretID, envTencentSecretKey, envAlibabaKeyID, "TENCENTCLOUD_PROFILE", "PATH"} {
				seen[k] = f.Getenv(k)
			}
			sandbox = f.Sandbox
			return nil
		}}
		addSandboxFlag(cmd, f)
		cmd.SetArgs([]string{"--sandbox", "--sandbox-latency", "50ms"})
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got.Seed != "demo" || got.Latency != 50*time.Millisecond || got.Propagation != sandboxPropagation || sandboxPropagation < time.Second {
			t.Errorf("emulator options %+v", got)
		}
		if seen[envTencentEndpoint] != "http://127.0.0.1:1" || seen[envSecurityCenterEndpoint] != "http://127.0.0.1:2" ||
			seen[envTencentSecretID] != "AKIDdemo" || seen[envTencentSecretKey] != "demo-secret" || seen[envAlibabaKeyID] != "LTAIdemo" ||
			seen[envSecretStore] != "file" || seen["TENCENTCLOUD_PROFILE"] != "" || seen["PATH"] != "/bin" {
			t.Errorf("environment in the sandbox: %v", seen)
		}
		if sandbox == nil || sandbox.TencentEndpoint != "http://127.0.0.1:1" || sandbox.TencentSecretID != "AKIDdemo" || sandbox.Home != seen[envHome] {
			t.Errorf("the factory's sandbox during the run: %+v", sandbox)
		}
		if printed := fmt.Sprintf("%+v %v", sandbox, sandbox); strings.Contains(printed, "demo-secret") || strings.Contains(printed, "ali-secret") {
			t.Errorf("a printed sandbox shows its secrets: %s", printed)
		}
		if home != "" && seen[envHome] != home {
			t.Errorf("home %q, want ONBOARD_HOME %q", seen[envHome], home)
		}
		if home == "" {
			if _, err := os.Stat(seen[envHome]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary sandbox home %s left behind (%v)", seen[envHome], err)
			}
		}
		if !stopped || f.Getenv(envTencentSecretID) != "AKIDreal" || f.Sandbox != nil {
			t.Error("sandbox not stopped or environment not restored")
		}
		if !strings.Contains(errOut.String(), "SANDBOX") || strings.Contains(errOut.String(), "demo-secret") {
			t.Errorf("banner %q", errOut.String())
		}
	}
}

func TestSandboxWithoutEmulatorFails(t *testing.T) {
	old := startEmulators
	t.Cleanup(func() { startEmulators = old })
	startEmulators = nil
	ios, _, _, _ := TestIOStreams()
	f := &Factory{IO: ios, Getenv: func(string) string { return "" }}
	ran := false
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
	addSandboxFlag(cmd, f)
	cmd.SetArgs([]string{"--sandbox"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); !errors.Is(err, errNoEmulator) || ran {
		t.Errorf("err %v, ran %v", err, ran)
	}
	cmd = &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
	addSandboxFlag(cmd, f)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || !ran {
		t.Errorf("without --sandbox: err %v, ran %v", err, ran)
	}
}

// sandboxOf is the Sandbox that a --sandbox run over env would put on the factory.
func sandboxOf(env *emulator.Env, home string) *Sandbox {
	return &Sandbox{TencentEndpoint: env.TencentEndpoint, SecurityCenterEndpoint: env.SecurityCenterEndpoint,
		TencentSecretID: env.TencentSecretID, TencentSecretKey: tencent.SecretKey(env.TencentSecretKey),
		AlibabaKeyID: env.AlibabaAccessKeyID, AlibabaKeySecret: securitycenter.Secret(env.AlibabaAccessKeySecret), Home: home}
}

// An ONBOARD_SANDBOX left in a person's shell must not turn a real run into a sandbox one: the sync still
// signs with the account's stored least-privilege key, not the operator's key from the environment, and
// the engine keeps its client-side rate limits.
func TestSandboxVariableInTheShellChangesNothing(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host", "--skip-sync")
	var subKey string
	for _, u := range env.Tencent.State().Users {
		if u.Name == "sas-reader" && len(u.Keys) == 1 {
			subKey = u.Keys[0].ID
		}
	}
	if subKey == "" || subKey == env.TencentSecretID {
		t.Fatalf("sub-user key %q: want the one key of sas-reader", subKey)
	}
	vars["ONBOARD_SANDBOX"] = "1"
	env.Tencent.ResetCalls()
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"sync", "--account", "prod", "--kinds", "cvm.instance"}); code != ExitOK {
		t.Fatalf("sync: exit %d %s", code, errOut.String())
	}
	listed := 0
	for _, c := range env.Tencent.Calls() {
		if c.Action != "DescribeInstances" {
			continue
		}
		listed++
		if c.SecretID != subKey {
			t.Errorf("%s:%s in %s signed by %s, want the account's stored key %s", c.Service, c.Action, c.Region, c.SecretID, subKey)
		}
	}
	if listed == 0 {
		t.Fatal("the sync listed no instance")
	}

	f, _, _ = tencentTestFactory(vars)
	d, closeDayTwo, err := newDayTwo(context.Background(), &DayTwoOptions{f: f})
	if err != nil {
		t.Fatal(err)
	}
	defer closeDayTwo()
	if d.engine.InventoryUnlimited {
		t.Error("ONBOARD_SANDBOX in the environment lifted the engine's rate limits")
	}
	f.Sandbox = sandboxOf(env, vars[envHome])
	d, closeSandbox, err := newDayTwo(context.Background(), &DayTwoOptions{f: f})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSandbox()
	if !d.engine.InventoryUnlimited {
		t.Error("a sandbox run keeps client-side rate limits against its own emulator")
	}
}
