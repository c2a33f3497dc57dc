package cmd

import (
	"context"
	"encoding/json"
	"testing"

	"onboard/onboarding"
)

// TestTencentDryRunJSONIsTheTypedPlan reads --dry-run --output json back as the engine's typed plan.
func TestTencentDryRunJSONIsTheTypedPlan(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": t.TempDir()})
	f.Output = "json"
	if code := run(context.Background(), f, []string{"tencent", "--no-input", "--sandbox", "--mode", "quick", "--dry-run"}); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	var plan onboarding.Plan
	if err := json.Unmarshal([]byte(out.String()), &plan); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var ids []string
	for _, s := range plan.Steps {
		ids = append(ids, s.Step)
	}
	creates := map[string]bool{}
	for _, c := range plan.Changes() {
		if c.Op == onboarding.OpCreate {
			creates[c.Object] = true
		}
	}
	if len(ids) != len(onboarding.StepsFor(plan.Request))-1 || !creates[onboarding.ObjectUser] || !creates[onboarding.ObjectKey] || !creates[onboarding.ObjectSecurityCenterAccount] {
		t.Errorf("steps %v, creates %v\n%s", ids, creates, out.String())
	}
}
