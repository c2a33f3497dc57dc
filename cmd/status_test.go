package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"onboard/onboarding"
	"onboard/tencent"
)

func TestStatusExitCodesAndRepairThroughTheCommands(t *testing.T) {
	env, vars := onboardedProd(t, "--features", "host,cspm,soc,audit", "--cspm-policy", "custom", "--audit-region", "ap-guangzhou")
	ctx := context.Background()
	status := func() (int, []onboarding.AccountStatus, string) {
		f, out, errOut := tencentTestFactory(vars)
		code := run(ctx, f, []string{"status", "--account", "prod", "--output", "json"})
		var st []onboarding.AccountStatus
		if err := json.Unmarshal([]byte(out.String()), &st); err != nil || len(st) != 1 {
			t.Fatalf("status output %q: %v (stderr %s)", out.String(), err, errOut.String())
		}
		return code, st, out.String() + errOut.String()
	}
	if code, st, text := status(); code != ExitOK || st[0].Verdict != onboarding.VerdictOK {
		t.Fatalf("status after onboarding: exit %d %s", code, text)
	}

	admin, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)},
		Endpoint: env.TencentEndpoint, Retry: tencent.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := admin.GetUser(ctx, "sas-reader")
	if err != nil {
		t.Fatal(err)
	}
	// A drifted policy only warns: exit 3.
	siem, err := admin.FindPolicy(ctx, tencent.ScopeCustom, "siemPolicy")
	if err != nil {
		t.Fatal(err)
	}
	live, err := admin.GetPolicy(ctx, siem.ID)
	if err != nil {
		t.Fatal(err)
	}
	edited := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
	if err := admin.UpdatePolicy(ctx, siem.ID, tencent.PolicySpec{Name: "siemPolicy", Description: live.Description, Document: edited}); err != nil {
		t.Fatal(err)
	}
	if code, _, text := status(); code != ExitPartial || !strings.Contains(text, "siemPolicy differs from its template") {
		t.Fatalf("status with a drifted policy: exit %d %s", code, text)
	}
	// A detached grant is broken: exit 1, and the fix is a command of this tool.
	cspm, err := admin.FindPolicy(ctx, tencent.ScopeCustom, "cspmPolicy")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.DetachUserPolicy(ctx, cspm.ID, user.UIN); err != nil {
		t.Fatal(err)
	}
	code, st, text := status()
	if code != ExitFailed || st[0].Verdict != onboarding.VerdictBroken || !strings.Contains(text, "onboard repair --account prod") {
		t.Fatalf("status with a detached grant: exit %d %s", code, text)
	}

	// --dry-run changes nothing; repair converges both.
	f, out, errOut := tencentTestFactory(vars)
	if code := run(ctx, f, []string{"repair", "--account", "prod", "--dry-run"}); code != ExitOK || !strings.Contains(out.String(), "attach cspmPolicy") {
		t.Fatalf("repair --dry-run: exit %d %s %s", code, out.String(), errOut.String())
	}
	if code, _, _ := status(); code != ExitFailed {
		t.Fatalf("repair --dry-run changed something: status exit %d", code)
	}
	f, out, errOut = tencentTestFactory(vars)
	if code := run(ctx, f, []string{"repair", "--account", "prod"}); code != ExitOK {
		t.Fatalf("repair: exit %d %s %s", code, out.String(), errOut.String())
	}
	if code, _, text := status(); code != ExitOK {
		t.Fatalf("status after repair: exit %d %s", code, text)
	}
	if back, _ := admin.GetPolicy(ctx, siem.ID); back.Document == edited || back.Document != live.Document {
		t.Errorf("repair did not restore siemPolicy: %s", back.Document)
	}
}
