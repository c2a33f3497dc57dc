package cmd

import (
	"context"
	"strings"
	"testing"
)

func TestOffboardAsksForTheNameThenRemovesAndASecondDoesNothing(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host,cspm", "--skip-sync")
	ctx := context.Background()
	users := func() int { return len(env.Tencent.State().Users) }
	onboarded := users()
	for _, args := range [][]string{{"offboard", "--account", "prod"}, {"offboard", "--account", "prod", "--yes"}} {
		f, _, errOut := tencentTestFactory(vars)
		if code := run(ctx, f, args); code != ExitUsage || !strings.Contains(errOut.String(), "--no-input") {
			t.Fatalf("%v: exit %d %s", args, code, errOut.String())
		}
	}
	// A typed name that does not match changes nothing.
	f, _, errOut := tencentTestFactory(vars)
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
	// Without --account, once no account is left, there is nothing to choose from and nothing to do.
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"offboard", "--yes", "--no-input"}); code != ExitOK || !strings.Contains(out.String(), "Nothing to offboard") {
		t.Fatalf("offboard with no account left: exit %d %s %s", code, out.String(), errOut.String())
	}
	if users() != onboarded-1 {
		t.Fatalf("an offboard with nothing to do changed the users: %d", users())
	}
}
