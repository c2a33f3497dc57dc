package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onboard/onboarding"
)

func TestAgentInstallFlags(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{[]string{"--all"}, true},
		{[]string{"--instances", "ins-1,lhins-2", "--os", "windows", "--timeout", "2m"}, true},
		{[]string{}, false},
		{[]string{"--all", "--instances", "ins-1"}, false},
		{[]string{"--all", "--os", "bsd"}, false},
		{[]string{"--all", "--timeout", "0s"}, false},
	}
	for _, tt := range tests {
		var got *AgentInstallOptions
		cmd := NewCmdAgentInstall(NewFactory(), func(_ context.Context, o *AgentInstallOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		if (err == nil) != tt.ok {
			t.Errorf("%v: error %v", tt.args, err)
		}
		if tt.ok && len(tt.args) > 1 && (strings.Join(got.Instances, ",") != "ins-1,lhins-2" || got.OS != "windows" || got.Timeout != 2*time.Minute) {
			t.Errorf("%v: options %+v", tt.args, got)
		}
	}
}

// The command against both emulators, on the demo account's ap-guangzhou hosts: a stopped host and hosts
// whose TAT agent is offline are skipped with the reason, a host whose installer fails is reported with
// the end of its output, and they make the run partly done (exit 3); the rest are installed and confirmed
// online; a second run on the installed hosts finds them already done (exit 0). The install code appears
// nowhere the runs wrote: stdout, stderr, the debug log, the database and every other file of ONBOARD_HOME.
func TestAgentInstallCommandReportsPerHostAndNeverShowsTheInstallCode(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host")
	env.Tencent.SetTATTaskDelay(20 * time.Millisecond)
	debugLog := filepath.Join(t.TempDir(), "debug.json")
	f, out, errOut := tencentTestFactory(vars)
	code := run(context.Background(), f, []string{"agent", "install", "--account", "prod", "--all", "--output", "json", "--debug-log", debugLog, "--timeout", "30s"})
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d: %s", code, ExitPartial, errOut.String())
	}
	var res onboarding.AgentResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	var installed []string
	for _, h := range res.Hosts {
		switch {
		case slices.Contains(env.Troubles.Stopped, h.InstanceID):
			if h.Outcome != onboarding.HostSkipped || h.Reason != "not running (stopped)" {
				t.Errorf("stopped: %+v", h)
			}
		case slices.Contains(env.Troubles.TATOffline, h.InstanceID):
			if h.Outcome != onboarding.HostSkipped || h.Reason != "TAT agent offline" {
				t.Errorf("TAT offline: %+v", h)
			}
		case slices.Contains(env.Troubles.Failing, h.InstanceID):
			if h.Outcome != onboarding.HostFailed || !strings.Contains(h.Output, "could not reach the download site") {
				t.Errorf("failing: %+v", h)
			}
		case h.Outcome == onboarding.HostInstalled:
			installed = append(installed, h.InstanceID)
		default:
			t.Errorf("host: %+v", h)
		}
	}
	reasons := map[string]bool{}
	for _, h := range res.Hosts {
		reasons[h.Outcome+": "+h.Reason] = true
	}
	if !reasons["skipped: not running (stopped)"] || !reasons["skipped: TAT agent offline"] || res.Counts[onboarding.HostFailed] != 1 ||
		len(installed) == 0 || len(installed)+res.Counts[onboarding.HostSkipped]+res.Counts[onboarding.HostFailed] != len(res.Hosts) {
		t.Fatalf("counts %v: the test wants every outcome of the demo's ap-guangzhou hosts", res.Counts)
	}

	f2, out2, errOut2 := tencentTestFactory(vars)
	if code := run(context.Background(), f2, []string{"agent", "install", "--instances", strings.Join(installed, ","), "--debug-log", debugLog}); code != ExitOK {
		t.Fatalf("second run: exit %d: %s", code, errOut2.String())
	}
	if !strings.Contains(out2.String(), onboarding.HostAlready) {
		t.Errorf("second run: %s", out2.String())
	}

	written := [][]byte{[]byte(out.String()), []byte(errOut.String()), []byte(out2.String()), []byte(errOut2.String())}
	for _, dir := range []string{vars["ONBOARD_HOME"], filepath.Dir(debugLog)} {
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				data, _ := os.ReadFile(path)
				written = append(written, data)
			}
			return nil
		})
	}
	if log, _ := os.ReadFile(debugLog); !bytes.Contains(log, []byte("RunCommand")) {
		t.Fatal("the debug log does not record the RunCommand exchanges: nothing to search")
	}
	installCodes := env.SecurityCenter.InstallCodeValues()
	if len(installCodes) == 0 {
		t.Fatal("Security Center holds no install code")
	}
	for _, c := range installCodes {
		for _, data := range written {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("the install code appears in %q…", data[:min(100, len(data))])
			}
		}
	}
}

// While another process holds the account's run lock (an onboarding, under another local name), agent
// install refuses at once, names that run and says --wait; with --wait it runs once the lock is free.
func TestAgentInstallRefusesOrWaitsWhileTheAccountIsLocked(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host")
	env.Tencent.SetTATTaskDelay(10 * time.Millisecond)
	_, release := startLockHolder(t, vars["ONBOARD_HOME"], "production", env.OwnerUIN)

	f, _, errOut := tencentTestFactory(vars)
	start := time.Now()
	if code := run(context.Background(), f, []string{"agent", "install", "--account", "prod", "--all"}); code != ExitFailed ||
		!strings.Contains(errOut.String(), "is in use by onboard (onboard, PID") || !strings.Contains(errOut.String(), "--wait") {
		t.Fatalf("install during an onboarding: exit %d %s", code, errOut.String())
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the refusal took %s", time.Since(start))
	}
	if n := len(env.Tencent.TATTargets()); n != 0 {
		t.Fatalf("the refused install ran the command on %d hosts", n)
	}
	go func() { time.Sleep(500 * time.Millisecond); release() }()
	f, out, errOut := tencentTestFactory(vars)
	code := run(context.Background(), f, []string{"agent", "install", "--account", "prod", "--all", "--wait", "30s", "--output", "json", "--timeout", "30s"})
	var res onboarding.AgentResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || (code != ExitOK && code != ExitPartial) {
		t.Fatalf("install with --wait: exit %d %v %s", code, err, errOut.String())
	}
	if res.Counts[onboarding.HostInstalled] == 0 || len(env.Tencent.TATTargets()) == 0 {
		t.Errorf("install with --wait installed nothing: %v", res.Counts)
	}
}

// The sandbox's demo account has hosts that cannot all get the agent, so that an install there shows
// every outcome: installed, skipped (stopped, TAT offline) and failed with the installer's output.
func TestAgentInstallInTheSandboxShowsEveryOutcome(t *testing.T) {
	vars := map[string]string{"ONBOARD_HOME": t.TempDir()}
	f, _, errOut := tencentTestFactory(vars)
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--mode", "quick", "--sandbox", "--account", "demo"}); code != ExitOK {
		t.Fatalf("sandbox onboard: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	code := run(context.Background(), f, []string{"agent", "install", "--sandbox", "--account", "demo", "--all", "--timeout", "1m"})
	if code != ExitPartial {
		t.Fatalf("sandbox agent install: exit %d, want %d: %s", code, ExitPartial, errOut.String())
	}
	for _, want := range []string{"installed ", "skipped ", "TAT agent offline", "not running (stopped)", "failed ", "could not reach the download site"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the sandbox's report lacks %q:\n%s", want, out.String())
		}
	}
}

// The wizard's JSON is the onboarding's result, with the agent installation the summary ran beside it.
func TestWizardJSONCarriesTheAgentInstallation(t *testing.T) {
	res := &onboarding.Result{Account: "prod"}
	for _, tt := range []struct {
		agent *onboarding.AgentResult
		want  bool
	}{{nil, false}, {&onboarding.AgentResult{Account: "prod"}, true}} {
		b, err := json.Marshal(wizardJSON{res, tt.agent})
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if _, ok := got["agent"]; ok != tt.want || got["account"] != "prod" {
			t.Errorf("agent %v: %s", tt.agent != nil, b)
		}
	}
}
