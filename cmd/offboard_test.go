package cmd

import (
	"context"
	"strings"
	"testing"

	"onboard/emulator"
)

func TestOffboardAsksForTheNameThenRemovesAndASecondDoesNothing(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	ctx := context.Background()
	vars := emulatorVars(env, t.TempDir())
	f, _, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"tencent", "--no-input", "--mode", "manual", "--features", "host,cspm", "--sub-user", "sas-reader",
		"--account", "prod", "--site", "outside", "--regions", "ap-guangzhou", "--skip-sync"}); code != ExitOK {
		t.Fatalf("onboard: exit %d %s", code, errOut.String())
	}
	users := func() int { return len(env.Tencent.State().Users) }
	onboarded := users()
	for _, args := range [][]string{{"offboard", "--account", "prod"}, {"offboard", "--account", "prod", "--yes"}} {
		f, _, errOut := tencentTestFactory(vars)
		if code := run(ctx, f, args); code != ExitUsage || !strings.Contains(errOut.String(), "--no-input") {
			t.Fatalf("%v: exit %d %s", args, code, errOut.String())
		}
	}
	// A typed name that does not match changes nothing.
	f, _, errOut = tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader("prdo\n")
	if code := run(ctx, f, []string{"offboard", "--account", "prod"}); code != ExitFailed || !strings.Contains(errOut.String(), "does not match") {
		t.Fatalf("wrong name: exit %d %s", code, errOut.String())
	}
	f, out, _ := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"offboard", "--account", "prod", "--dry-run"}); code != ExitOK || !strings.Contains(out.String(), "remove sub-user sas-reader") {
		t.Fatalf("dry run: exit %d %s", code, out.String())
	}
	if users() != onboarded {
		t.Fatal("a refused offboard or a dry run removed something")
	}
	f, out, errOut = tencentTestFactory(vars)
	f.IO.SetTTY(true, true, true)
	f.IO.In = strings.NewReader("prod\n")
	if code := run(ctx, f, []string{"offboard", "--account", "prod"}); code != ExitOK || !strings.Contains(out.String(), "sub-user sas-reader") {
		t.Fatalf("offboard: exit %d %s %s", code, out.String(), errOut.String())
	}
	if users() != onboarded-1 {
		t.Fatalf("the sub-user is left: %d users", users())
	}
	f, out, _ = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"accounts", "list"}); code != ExitOK || strings.Contains(out.String(), "prod") {
		t.Fatalf("accounts list after offboard: exit %d %s", code, out.String())
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"offboard", "--account", "prod", "--yes", "--no-input"}); code != ExitOK || !strings.Contains(out.String(), "nothing to remove") {
		t.Fatalf("second offboard: exit %d %s %s", code, out.String(), errOut.String())
	}
}
