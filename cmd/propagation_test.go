package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"onboard/emulator"
)

// propagationArgs onboard every feature and submit to Security Center.
var propagationArgs = []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm,soc,audit", "--cspm-policy", "custom",
	"--audit-region", "ap-guangzhou", "--sub-user", "sas-reader", "--security-center", "submit", "--skip-sync"}

// The command onboards an account whose CAM applies new keys and grants only after longer than one
// verification round trip, and says that it waits.
func TestTencentOnboardsWhileCAMTakesItsTimeToApplyTheGrants(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo", Propagation: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	f.PropagationWait = 30 * time.Second
	if code := run(context.Background(), f, append(propagationArgs, "--output", "json")); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var res struct {
		Verified       []string
		SecurityCenter struct{ Status string } `json:"security_center"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.SecurityCenter.Status != "normal" || len(res.Verified) < 3 {
		t.Fatalf("result %q (%v)", out.String(), err)
	}
	f2, _, errOut2 := tencentTestFactory(emulatorVars(env, t.TempDir()))
	f2.PropagationWait = 30 * time.Second
	args := append(append([]string{}, propagationArgs...), "--sub-user", "sas-reader-2", "--account", "second")
	if code := run(context.Background(), f2, args); code != ExitOK {
		t.Fatalf("text run: exit %d\n%s", code, errOut2.String())
	}
	if !strings.Contains(errOut2.String(), "waiting for CAM to apply the grants (up to 30 s)") {
		t.Errorf("the progress does not show the wait:\n%s", errOut2.String())
	}
}

// When CAM takes longer than the bound, the command fails (exit 1, not "credentials rejected"), naming
// the wait and what to do.
func TestTencentNamesTheWaitWhenCAMTakesLongerThanItsBound(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo", Propagation: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, _, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	f.PropagationWait = time.Second
	code := run(context.Background(), f, propagationArgs)
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFailed, errOut.String())
	}
	for _, want := range []string{"after waiting 1 s for CAM to apply the grants", "run the same command again"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut.String())
		}
	}
}
