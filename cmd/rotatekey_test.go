package cmd

import (
	"context"
	"encoding/json"
	"testing"

	"onboard/emulator"
	"onboard/onboarding"
)

func TestRotateKeyThroughTheCommandThenStatusIsOK(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	ctx := context.Background()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host", "--sub-user", "sas-reader",
		"--account", "prod", "--site", "outside", "--regions", "ap-guangzhou", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	f, _, errOut = tencentTestFactory(vars)
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
