package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"onboard/policy"
	"onboard/securitycenter"
	"onboard/tencent"
)

// procedureRequest is a manual onboarding of features over one region, with the first sync run.
func procedureRequest(features ...string) Request {
	req := Request{Mode: ModeManual, Features: features, SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"}}
	if slices.Contains(features, policy.FeatureAudit) {
		req.AuditRegion = "ap-guangzhou"
	}
	return req
}

// TestEachFeatureEveryPairAndQuickModeSyncCompletely runs each feature alone, every pair and quick
// mode with the first sync, over an account that also has Lighthouse servers: the sync lists only what
// the grants allow, so it is complete and the onboarding is not partly done.
func TestEachFeatureEveryPairAndQuickModeSyncCompletely(t *testing.T) {
	features := policy.Features()
	var reqs []Request
	for i, a := range features {
		reqs = append(reqs, procedureRequest(a))
		for _, b := range features[i+1:] {
			reqs = append(reqs, procedureRequest(a, b))
		}
	}
	reqs = append(reqs, Request{Mode: ModeQuick, Site: "outside", Regions: []string{"ap-guangzhou"}})
	for _, req := range reqs {
		name := req.Mode + ":" + strings.Join(req.Features, "+")
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.emu.SeedLighthouse("ap-guangzhou", 2)
			f.emu.SeedVPC("ap-guangzhou", 1)
			res, err := f.engine.Apply(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			fs := res.FirstSync
			if fs == nil || fs.Partial || len(res.PartlyDone) != 0 {
				t.Fatalf("first sync not complete: %+v; partly done: %v", fs, res.PartlyDone)
			}
			host := req.Mode == ModeQuick || slices.Contains(req.Features, policy.FeatureHost)
			if host && fs.Counts["cvm.instance"] != 3 {
				t.Errorf("cvm.instance %d, want 3: %+v", fs.Counts["cvm.instance"], fs.Counts)
			}
			// Lighthouse is listed only when a grant allows it: CSPM's grants do, host's alone do not.
			_, lighthouse := fs.Counts["lighthouse.instance"]
			if want := host && slices.Contains(req.Features, policy.FeatureCSPM); lighthouse != want {
				t.Errorf("lighthouse.instance synced: %v, want %v: %+v", lighthouse, want, fs.Counts)
			}
		})
	}
}

func TestLighthouseIsAnExplicitChoiceRecordedWithTheAccount(t *testing.T) {
	for _, withLighthouse := range []bool{false, true} {
		t.Run(map[bool]string{false: "host", true: "host+lighthouse"}[withLighthouse], func(t *testing.T) {
			f := newFixture(t)
			f.emu.SeedLighthouse("ap-guangzhou", 2)
			ctx := context.Background()
			req := procedureRequest(policy.FeatureHost)
			req.Lighthouse = withLighthouse
			res, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			attached, err := f.admin.ListAttachedUserPolicies(ctx, res.SubUserUIN)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range attached {
				names = append(names, a.Name)
			}
			slices.Sort(names)
			want := []string{policy.PresetCVMReadOnly}
			if withLighthouse {
				want = append(want, policy.PresetLighthouseReadOnly)
			}
			if !slices.Equal(names, want) {
				t.Errorf("attached %v, want %v", names, want)
			}
			acct, err := f.engine.DB.Account(ctx, res.Account)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(acct.Grants, want) {
				t.Errorf("recorded grants %v, want %v", acct.Grants, want)
			}
			n, synced := res.FirstSync.Counts["lighthouse.instance"]
			if synced != withLighthouse || (withLighthouse && n != 2) || res.FirstSync.Partial {
				t.Errorf("first sync: %+v", res.FirstSync)
			}
		})
	}
}

func TestLighthouseWithoutHostIsRefused(t *testing.T) {
	req := procedureRequest(policy.FeatureCSPM)
	req.Lighthouse = true
	var fe *FieldError
	if err := req.Validate(); !errors.As(err, &fe) || fe.Field != "lighthouse" {
		t.Fatalf("got %v", err)
	}
}

func TestAPartialFirstSyncMakesTheOnboardingPartlyDone(t *testing.T) {
	f := newFixture(t)
	f.emu.FailNext("DescribeSubnets", "InternalError", 1000)
	res, err := f.engine.Apply(context.Background(), procedureRequest(policy.FeatureCSPM), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PartlyDone) == 0 || !containsPrefix(res.PartlyDone, "first sync: vpc.subnet") {
		t.Fatalf("partly done: %v", res.PartlyDone)
	}
}

func TestCloudServiceSyncBelongsToCSPM(t *testing.T) {
	withCSPM := procedureRequest(policy.FeatureHost, policy.FeatureCSPM)
	if err := withCSPM.Validate(); err != nil || withCSPM.CloudSync != DefaultFrequency {
		t.Fatalf("cspm: cloud sync %q (%v), want the default %s", withCSPM.CloudSync, err, DefaultFrequency)
	}
	hostOnly := procedureRequest(policy.FeatureHost)
	if err := hostOnly.Validate(); err != nil || hostOnly.CloudSync != "" {
		t.Fatalf("host only: cloud sync %q (%v), want none", hostOnly.CloudSync, err)
	}
	// Validating twice (the face, then the engine) keeps it valid.
	if err := hostOnly.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, req := range []Request{{Mode: ModeQuick, CloudSync: "6h"}, procedureRequest(policy.FeatureSOC)} {
		req.CloudSync = "6h"
		var fe *FieldError
		if err := req.Validate(); !errors.As(err, &fe) || fe.Field != "cloud-sync" {
			t.Errorf("%s %v with --cloud-sync: %v", req.Mode, req.Features, err)
		}
	}
}

func TestAuditWithoutCSPMIsWarnedAbout(t *testing.T) {
	for _, tt := range []struct {
		features []string
		warned   bool
	}{{[]string{"audit"}, true}, {[]string{"host", "audit"}, true}, {[]string{"cspm", "audit"}, false}, {[]string{"host"}, false}} {
		req := procedureRequest(tt.features...)
		if err := req.Validate(); err != nil {
			t.Fatal(err)
		}
		if w := req.Warnings(); (len(w) == 1) != tt.warned {
			t.Errorf("%v: warnings %v", tt.features, w)
		}
	}
}

func TestTheProcedureRemindersAreSaidWhereTheyMatter(t *testing.T) {
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	req := procedureRequest(policy.FeatureHost, policy.FeatureCSPM)
	req.CSPMPolicy = policy.CSPMCustom
	if w := strings.Join(req.Warnings(), "\n"); !strings.Contains(w, "custom cspmPolicy") {
		t.Errorf("choosing the custom cspmPolicy says nothing about keeping it up to date: %q", w)
	}
	res, err := f.engine.Apply(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	reminders := strings.Join(res.Reminders, "\n")
	for _, want := range []string{"Never delete or disable sub-user sas-reader or its API key " + tencent.MaskID(res.AccessKeyID), "Keep cspmPolicy up to date"} {
		if !strings.Contains(reminders, want) {
			t.Errorf("reminders lack %q: %v", want, res.Reminders)
		}
	}
	next := strings.Join(res.NextSteps, "\n")
	for _, want := range []string{"root account's key " + tencent.MaskID(f.env.TencentSecretID), camKeysPage} {
		if !strings.Contains(next, want) {
			t.Errorf("the root key reminder lacks %q: %v", want, res.NextSteps)
		}
	}
	// The preset CSPM grants need no upkeep: no such reminder.
	g := newFixture(t)
	res, err = g.engine.Apply(context.Background(), procedureRequest(policy.FeatureCSPM), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := strings.Join(res.Reminders, "\n"); strings.Contains(r, "cspmPolicy") || !strings.Contains(r, "Never delete or disable") {
		t.Errorf("preset reminders: %v", res.Reminders)
	}
}

// TestTheConnectionIsVerifiedPerChosenFeatureOnly: each feature alone and in pairs gets its own check,
// console path and next steps, and no other feature's; the SOC step appears only with SOC.
func TestTheConnectionIsVerifiedPerChosenFeatureOnly(t *testing.T) {
	for _, features := range [][]string{{"host"}, {"cspm"}, {"soc"}, {"audit"}, {"host", "soc"}, {"cspm", "audit"}} {
		t.Run(strings.Join(features, "+"), func(t *testing.T) {
			f := newFixture(t)
			res, err := f.engine.Apply(context.Background(), procedureRequest(features...), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Connection {
				got = append(got, c.Feature)
				if c.Problem != "" || len(c.Confirmed) == 0 || !strings.HasPrefix(c.Console, "Security Center console > ") {
					t.Errorf("%s: %+v", c.Feature, c)
				}
			}
			if !slices.Equal(got, features) {
				t.Errorf("checked %v, want %v", got, features)
			}
			next := strings.Join(res.NextSteps, "\n")
			if soc := strings.Contains(next, "Agentic SOC"); soc != slices.Contains(features, "soc") {
				t.Errorf("SOC next step shown: %v, with features %v:\n%s", soc, features, next)
			}
			if agent := strings.Contains(next, "agent"); agent != slices.Contains(features, "host") {
				t.Errorf("agent next step shown: %v, with features %v", agent, features)
			}
			if backfill := strings.Contains(next, "90 days"); backfill != slices.Contains(features, "audit") {
				t.Errorf("the 90-day backfill is named: %v, with features %v", backfill, features)
			}
			if len(res.PartlyDone) != 0 {
				t.Errorf("partly done: %v", res.PartlyDone)
			}
		})
	}
}

// moduleInError is Security Center listing every module of the account in error.
type moduleInError struct{ SecurityCenter }

func (m moduleInError) ListAccounts(ctx context.Context, filter securitycenter.AccountFilter) ([]securitycenter.Account, error) {
	accounts, err := m.SecurityCenter.ListAccounts(ctx, filter)
	for i := range accounts {
		for j := range accounts[i].Modules {
			accounts[i].Modules[j].Status, accounts[i].Modules[j].Message = securitycenter.StatusError, "no permission"
		}
	}
	return accounts, err
}

func TestAConnectionSecurityCenterDoesNotConfirmIsPartlyDone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.engine.Apply(ctx, procedureRequest(policy.FeatureHost), nil); err != nil {
		t.Fatal(err)
	}
	f.engine.SecurityCenter = moduleInError{f.engine.SecurityCenter}
	res, err := f.engine.Apply(ctx, procedureRequest(policy.FeatureHost), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(res.PartlyDone, "verify the connection of host: Security Center's Host module is error") {
		t.Fatalf("partly done: %v", res.PartlyDone)
	}
}
