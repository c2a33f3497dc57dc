package cmd

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
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
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error {
			seen = map[string]string{}
			for _, k := range []string{envHome, envSecretStore, envTencentEndpoint, envSecurityCenterEndpoint, envTencentSecretID, envTencentSecretKey, envAlibabaKeyID, "TENCENTCLOUD_PROFILE", "PATH", envSandbox} {
				seen[k] = f.Getenv(k)
			}
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
			seen[envSecretStore] != "file" || seen["TENCENTCLOUD_PROFILE"] != "" || seen["PATH"] != "/bin" || seen[envSandbox] != "1" {
			t.Errorf("environment in the sandbox: %v", seen)
		}
		if home != "" && seen[envHome] != home {
			t.Errorf("home %q, want ONBOARD_HOME %q", seen[envHome], home)
		}
		if home == "" {
			if _, err := os.Stat(seen[envHome]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary sandbox home %s left behind (%v)", seen[envHome], err)
			}
		}
		if !stopped || f.Getenv(envTencentSecretID) != "AKIDreal" {
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
