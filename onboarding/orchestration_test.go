package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"onboard/inventory"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// featureCombinations are the requests each face can make: every feature alone, all of them, and quick
// mode; each with Security Center submitted and the first sync run.
func featureCombinations() map[string]Request {
	manual := func(features ...string) Request {
		r := Request{Mode: ModeManual, Features: features, SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"}}
		if slices.Contains(features, policy.FeatureAudit) {
			r.AuditRegion = "ap-guangzhou"
		}
		return r
	}
	all := manual("host", "cspm", "soc", "audit")
	all.CSPMPolicy = policy.CSPMCustom
	return map[string]Request{
		"host": manual("host"), "cspm": manual("cspm"), "soc": manual("soc"), "audit": manual("audit"), "all": all,
		"quick": {Mode: ModeQuick, Site: "outside", Regions: []string{"ap-guangzhou"}},
	}
}

// ledgerKinds are the ledger's kinds of what a plan's objects create.
var ledgerKinds = map[string]string{ObjectUser: kindUser, ObjectPolicy: kindPolicy, ObjectAttachment: kindAttachment, ObjectKey: kindKey,
	ObjectLogset: kindLogset, ObjectTopic: kindTopic, ObjectTrackingSet: kindTrack, ObjectKafka: kindKafka,
	ObjectSecurityCenterAccount: kindSCAccount, ObjectSecurityCenterAuditLog: kindSCAuditLog}

// TestEachCombinationEmitsStepsForAndCreatesWhatItPlanned plans and applies every feature combination
// against the emulators: the events follow StepsFor exactly (running, then one final status per step),
// and the plan's creations are exactly the creates the run's ledger records.
func TestEachCombinationEmitsStepsForAndCreatesWhatItPlanned(t *testing.T) {
	for name, req := range featureCombinations() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			plan, err := f.engine.Plan(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			var events []Event
			res, err := f.engine.ApplyPlan(ctx, plan, func(e Event) { events = append(events, e) })
			if err != nil {
				t.Fatal(err)
			}
			final := checkEvents(t, req, events)
			wantFinal := map[string]Status{"preflight": StatusDone, "user": StatusDone, "key": StatusDone, "verify": StatusDone,
				"security-center": StatusDone, "first-sync": StatusDone, "record": StatusDone, "root-key": StatusSkipped, "retire-keys": StatusReused}
			if slices.Contains(plan.Request.Features, policy.FeatureAudit) {
				wantFinal["audit-logs"] = StatusDone
			} else {
				wantFinal["audit-logs"] = StatusSkipped
			}
			if slices.Equal(plan.Request.Features, []string{policy.FeatureAudit}) {
				wantFinal["grants"] = StatusSkipped
			} else {
				wantFinal["grants"] = StatusDone
			}
			noAssets := !slices.ContainsFunc(plan.Request.Features, func(f string) bool { return f == policy.FeatureHost || f == policy.FeatureCSPM })
			if noAssets {
				wantFinal["first-sync"] = StatusSkipped
			}
			for step, want := range wantFinal {
				if final[step] != want {
					t.Errorf("step %s ended %s, want %s", step, final[step], want)
				}
			}

			// The plan's creations are the run's creates in the ledger, object for object.
			run, err := f.engine.DB.LatestRun(ctx, res.Account, "onboard")
			if err != nil {
				t.Fatal(err)
			}
			entries, err := f.engine.DB.Ledger(ctx, res.Account)
			if err != nil {
				t.Fatal(err)
			}
			var made []string
			for _, e := range entries {
				if e.RunID == run.ID && e.Action == store.LedgerCreate && e.State == store.LedgerMade {
					made = append(made, e.Kind+" "+e.Name)
				}
			}
			var planned []string
			for _, c := range plan.Changes() {
				kind, ledgered := ledgerKinds[c.Object]
				if !ledgered || (c.Op != OpCreate && c.Op != OpAttach) {
					continue
				}
				name := c.Name
				switch c.Object {
				case ObjectKey:
					name = "" // a key is named by the ID it gets
				case ObjectTrackingSet, ObjectKafka, ObjectSecurityCenterAuditLog:
					name = "*" // named after the topic, whose ID the plan does not know yet
				}
				planned = append(planned, kind+" "+name)
			}
			slices.Sort(made)
			slices.Sort(planned)
			for i, p := range planned {
				if base, ok := strings.CutSuffix(p, " *"); ok && i < len(made) && strings.HasPrefix(made[i], base+" ") {
					planned[i] = made[i]
				}
			}
			if !slices.Equal(planned, made) {
				t.Errorf("planned creations %q\nledger creates   %q", planned, made)
			}

			// Applied again, nothing is created and the steps that make things end reused.
			events = nil
			if _, err := f.engine.Apply(ctx, req, func(e Event) { events = append(events, e) }); err != nil {
				t.Fatal(err)
			}
			final = checkEvents(t, req, events)
			for _, step := range []string{"user", "key", "security-center", "first-sync"} {
				if final[step] != StatusReused && !(step == "first-sync" && noAssets) {
					t.Errorf("re-run: step %s ended %s, want reused", step, final[step])
				}
			}
		})
	}
}

// checkEvents checks that the events name exactly the steps of StepsFor, in order, each running first
// and ending once, and returns each step's final status.
func checkEvents(t *testing.T, req Request, events []Event) map[string]Status {
	t.Helper()
	var order []string
	final := map[string]Status{}
	for _, e := range events {
		if len(order) == 0 || order[len(order)-1] != e.Step {
			if e.Status != StatusRunning {
				t.Errorf("step %s began with %s, not running", e.Step, e.Status)
			}
			order = append(order, e.Step)
		}
		if _, ended := final[e.Step]; ended {
			t.Errorf("step %s has an event after its end: %+v", e.Step, e)
		}
		if e.Status != StatusRunning {
			final[e.Step] = e.Status
		}
	}
	var want []string
	for _, s := range StepsFor(req) {
		want = append(want, s.ID)
	}
	if !slices.Equal(order, want) {
		t.Errorf("events named steps %v, StepsFor %v", order, want)
	}
	return final
}

// TestAStalePlanIsRefusedNamingWhatChanged plans, changes what the plan observed in the emulators, and
// applies: the plan is refused naming the change, and nothing is changed.
func TestAStalePlanIsRefusedNamingWhatChanged(t *testing.T) {
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"}, SkipSync: true}
	tests := []struct {
		name     string
		onboard  bool // the account is onboarded before the plan
		change   func(t *testing.T, f *fixture, res Result)
		mentions string
	}{
		{"user created", false, func(t *testing.T, f *fixture, _ Result) {
			if _, err := f.admin.CreateUser(context.Background(), tencent.UserSpec{Name: "sas-reader", Remark: userRemark}); err != nil {
				t.Fatal(err)
			}
		}, "the sub-user was created since the plan"},
		{"key added", true, func(t *testing.T, f *fixture, res Result) {
			if _, err := f.admin.CreateAccessKey(context.Background(), res.SubUserUIN, "someone-else"); err != nil {
				t.Fatal(err)
			}
		}, "the sub-user's API keys changed since the plan (1 then, 2 now)"},
		{"policy attached", true, func(t *testing.T, f *fixture, res Result) {
			p, err := f.admin.FindPolicy(context.Background(), tencent.ScopePreset, "QcloudCamReadOnlyAccess")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.admin.AttachUserPolicy(context.Background(), p.ID, res.SubUserUIN); err != nil {
				t.Fatal(err)
			}
		}, "the sub-user's grants changed since the plan; attached: QcloudCamReadOnlyAccess"},
		{"security center account added", false, func(t *testing.T, f *fixture, _ Result) {
			_, err := f.sc.AddAccount(context.Background(), securitycenter.AccountSpec{Vendor: securitycenter.VendorTencent, KeyType: securitycenter.KeySub,
				SecretID: f.env.TencentSecretID, SecretKey: securitycenter.Secret(f.env.TencentSecretKey), DisplayName: "sas-reader",
				Modules: []securitycenter.Module{securitycenter.ModuleHost}})
			if err != nil {
				t.Fatal(err)
			}
		}, "a Security Center account for this Tencent Cloud account was added since the plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			var res Result
			if tt.onboard {
				var err error
				if res, err = f.engine.Apply(ctx, req, nil); err != nil {
					t.Fatal(err)
				}
			}
			plan, err := f.engine.Plan(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, f, res)
			f.emu.ResetCalls()
			scBefore := len(f.env.SecurityCenter.Calls())
			_, err = f.engine.ApplyPlan(ctx, plan, nil)
			var stale *StalePlanError
			if !errors.As(err, &stale) || !strings.Contains(err.Error(), tt.mentions) {
				t.Fatalf("apply of a stale plan: %v; want a StalePlanError saying %q", err, tt.mentions)
			}
			if m := f.mutatingCalls(); len(m) != 0 {
				t.Errorf("a refused plan made mutating calls: %v", m)
			}
			if m := f.sasMutatingSince(scBefore); len(m) != 0 {
				t.Errorf("a refused plan made mutating Security Center calls: %v", m)
			}
			if fix, ok := FixFor(err); !ok || !strings.Contains(fix.Say, "plan again") {
				t.Errorf("fix %+v %v", fix, ok)
			}
		})
	}
}

// TestTheFirstSyncStepReportsItsProgress: a face that draws the first sync gets its progress from Apply.
func TestTheFirstSyncStepReportsItsProgress(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var seen []inventory.Progress
	f.engine.SyncProgress = func(p inventory.Progress) { mu.Lock(); seen = append(seen, p); mu.Unlock() }
	res, err := f.engine.Apply(context.Background(), featureCombinations()["host"], nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || res.FirstSync == nil || res.FirstSync.Counts["cvm.instance"] == 0 {
		t.Errorf("progress %d updates, first sync %+v", len(seen), res.FirstSync)
	}
}

// TestCheckFieldIsValidateForOneField: a face asking field by field gets Validate's verdict on that field.
func TestCheckFieldIsValidateForOneField(t *testing.T) {
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "bad name!", HostSync: "2h"}
	for field, invalid := range map[string]bool{"sub-user": true, "host-sync": true, "features": false, "site": false} {
		err := req.CheckField(field)
		var fe *FieldError
		if invalid != (err != nil) || (invalid && (!errors.As(err, &fe) || fe.Field != field)) {
			t.Errorf("CheckField(%q) = %v, want invalid %v", field, err, invalid)
		}
	}
	if req.SubUser != "bad name!" || req.Site != "" {
		t.Errorf("CheckField changed the request: %+v", req)
	}
}
