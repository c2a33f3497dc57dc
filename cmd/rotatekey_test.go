package cmd

import (
	"context"
	"encoding/json"
	"testing"

	"onboard/onboarding"
)

func TestRotateKeyThroughTheCommandThenStatusIsOK(t *testing.T) {
	_, vars := onboardedProd(t, "--features", "host", "--skip-sync")
	ctx := context.Background()
	f, _, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"rotate-key", "--grace", "-1s"}); code != ExitUsage {
		t.Fatalf("rotate-key --grace -1s: exit %d %s", code, errOut.String())
	}
	f, out, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"rotate-key", "--account", "prod", "--output", "json"}); code != ExitOK {
		t.Fatalf("rotate-key: exit %d %s", code, errOut.String())
	}
	var res onboarding.RotateResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.InUse != res.NewKeyID || res.OldKey != "deleted" {
		t.Fatalf("rotate-key output %q: %v", out.String(), err)
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"status", "--account", "prod"}); code == ExitFailed {
		t.Fatalf("status after rotate-key: exit %d %s %s", code, out.String(), errOut.String())
	}
}
