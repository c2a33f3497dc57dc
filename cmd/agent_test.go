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

// The command against both emulators: hosts whose TAT agent is offline are skipped with the reason and
// make the run partly done (exit 3); the rest are installed and confirmed online; a second run on the
// installed hosts finds them already done (exit 0). The install code appears nowhere the runs wrote:
// stdout, stderr, the debug log, the database and every other file of ONBOARD_HOME.
func TestAgentInstallCommandReportsPerHostAndNeverShowsTheInstallCode(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host")
	offline, _ := env.Tencent.SeedTAT(10, 0)
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
		switch h.Outcome {
		case onboarding.HostInstalled:
			installed = append(installed, h.InstanceID)
		case onboarding.HostSkipped:
			if h.Reason != "TAT agent offline" || !slices.Contains(offline, h.InstanceID) {
				t.Errorf("skipped: %+v", h)
			}
		default:
			t.Errorf("host: %+v", h)
		}
	}
	if res.Counts[onboarding.HostSkipped] == 0 || len(installed) == 0 {
		t.Fatalf("counts %v: the test wants both outcomes", res.Counts)
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
