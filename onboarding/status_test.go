package onboarding

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"onboard/policy"
	"onboard/tencent"
)

// everyFeature is a full onboarding: every feature, the custom CSPM policy, Security Center, audit logs
// and the first sync.
func everyFeature() Request {
	return Request{Mode: ModeManual, Features: []string{"host", "cspm", "soc", "audit"}, CSPMPolicy: policy.CSPMCustom,
		SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"}, AuditRegion: "ap-guangzhou"}
}

func findCheck(st AccountStatus, area, name string) (Check, bool) {
	for _, c := range st.Checks {
		if c.Area == area && c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func notOK(st AccountStatus) []Check {
	var out []Check
	for _, c := range st.Checks {
		if c.Verdict != VerdictOK {
			out = append(out, c)
		}
	}
	return out
}

func TestStatusAfterAFullOnboardingIsAllOK(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, everyFeature(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.emu.ResetCalls()
	st, err := f.engine.Status(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	if st.Verdict != VerdictOK {
		t.Fatalf("status of a fresh onboarding is %s: %+v", st.Verdict, notOK(st))
	}
	for _, want := range [][2]string{{AreaKey, "key"}, {AreaKey, "secret"}, {AreaGrants, "grant cspmPolicy"}, {AreaGrants, "grant ciemPolicy"},
		{AreaSecurityCenter, "account"}, {AreaSecurityCenter, "modules"}, {AreaSecurityCenter, "frequencies"},
		{AreaAuditLogs, "tracking set"}, {AreaAuditLogs, "kafka consumption"}, {AreaAuditLogs, "security center settings"}, {AreaInventory, "last sync"}} {
		if _, ok := findCheck(st, want[0], want[1]); !ok {
			t.Errorf("status has no check %s / %s: %+v", want[0], want[1], st.Checks)
		}
	}
	key, _ := findCheck(st, AreaKey, "key")
	if !strings.Contains(key.Detail, "days old") || !strings.Contains(key.Detail, "last used") {
		t.Errorf("the key check does not show the key's age and last use: %q", key.Detail)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("status made mutating calls: %v", m)
	}
}

// TestStatusNamesEachBreakageAndRepairFixesIt breaks one thing at a time in the emulators: status names
// it with its verdict and fix, and repair converges it back to all ok.
func TestStatusNamesEachBreakageAndRepairFixesIt(t *testing.T) {
	cases := []struct {
		name          string
		brk           func(t *testing.T, f *fixture, res Result)
		area, check   string
		verdict       string
		detailContain string
	}{
		{"detached grant", func(t *testing.T, f *fixture, res Result) {
			p, err := f.admin.FindPolicy(context.Background(), tencent.ScopeCustom, policy.CSPMPolicy)
			if err == nil {
				err = f.admin.DetachUserPolicy(context.Background(), p.ID, res.SubUserUIN)
			}
			if err != nil {
				t.Fatal(err)
			}
		}, AreaGrants, "grant cspmPolicy", VerdictBroken, "not attached"},
		{"edited policy", func(t *testing.T, f *fixture, res Result) {
			ctx := context.Background()
			p, err := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.SIEMPolicy)
			if err != nil {
				t.Fatal(err)
			}
			doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
			if err := f.admin.UpdatePolicy(ctx, p.ID, tencent.PolicySpec{Name: policy.SIEMPolicy, Document: doc}); err != nil {
				t.Fatal(err)
			}
		}, AreaGrants, "grant siemPolicy", VerdictWarning, "differs from its template"},
		{"disabled key", func(t *testing.T, f *fixture, res Result) {
			if err := f.admin.UpdateAccessKey(context.Background(), res.SubUserUIN, res.AccessKeyID, "Inactive"); err != nil {
				t.Fatal(err)
			}
		}, AreaKey, "key", VerdictBroken, "Inactive"},
		{"deleted topic", func(t *testing.T, f *fixture, res Result) {
			if err := f.admin.DeleteTopic(context.Background(), res.AuditLogs.Region, res.AuditLogs.TopicID); err != nil {
				t.Fatal(err)
			}
		}, AreaAuditLogs, "topic", VerdictBroken, "no longer exists"},
		{"security center account in error", func(t *testing.T, f *fixture, res Result) {
			if !f.env.SecurityCenter.FailKeyCheck(res.SecurityCenter.AuthID, "ak_invalid") {
				t.Fatal("no such Security Center account")
			}
		}, AreaSecurityCenter, "account", VerdictBroken, "ak_invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			res, err := f.engine.Apply(ctx, everyFeature(), nil)
			if err != nil {
				t.Fatal(err)
			}
			c.brk(t, f, res)
			st, err := f.engine.Status(ctx, res.Account)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := findCheck(st, c.area, c.check)
			if !ok || got.Verdict != c.verdict || !strings.Contains(got.Detail, c.detailContain) {
				t.Fatalf("check %s / %s: %+v (found %v); every check not ok: %+v", c.area, c.check, got, ok, notOK(st))
			}
			if st.Verdict != c.verdict {
				t.Errorf("overall verdict %s, want %s: %+v", st.Verdict, c.verdict, notOK(st))
			}
			if got.Fix != "onboard repair --account "+res.Account {
				t.Errorf("the fix of %s is %q", c.check, got.Fix)
			}

			plan, err := f.engine.PlanRepair(ctx, res.Account)
			if err != nil {
				t.Fatalf("repair plan: %v", err)
			}
			if len(plan.Steps) == 0 {
				t.Fatal("empty repair plan")
			}
			if _, err := f.engine.Repair(ctx, res.Account, nil); err != nil {
				t.Fatalf("repair: %v", err)
			}
			after, err := f.engine.Status(ctx, res.Account)
			if err != nil {
				t.Fatal(err)
			}
			if after.Verdict != VerdictOK {
				t.Fatalf("after repair: %s: %+v", after.Verdict, notOK(after))
			}
			if c.name == "security center account in error" {
				if after.Checks[0].Area == "" || res.SecurityCenter.AuthID == 0 {
					t.Fatal("no Security Center account")
				}
				a, _ := f.engine.DB.Account(ctx, res.Account)
				if a.AuthID != strconv.FormatInt(res.SecurityCenter.AuthID, 10) {
					t.Errorf("repair replaced the Security Center account %d by %s instead of repairing it", res.SecurityCenter.AuthID, a.AuthID)
				}
			}
		})
	}
}
