package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"onboard/emulator/sas"
	"onboard/emulator/tcloud"
	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// cloudState is what both emulators hold, for comparing before and after. Security Center's asset
// refreshes are history, not state, and are left out; so are its vendor-wide sync frequencies, which
// Security Center's API can set but never unset (a rollback reports them as kept).
type cloudState struct {
	Tencent        tcloud.State
	SecurityCenter sas.State
}

func (f *fixture) cloudState() cloudState {
	sc := f.env.SecurityCenter.State()
	for i := range sc.Accounts {
		for site, ss := range sc.Accounts[i].Sites {
			ss.Syncs = nil
			for vendor, regions := range ss.SyncRegions {
				if len(regions) == 0 {
					delete(ss.SyncRegions, vendor)
				}
			}
			ss.RefreshConfigs = slices.DeleteFunc(ss.RefreshConfigs, func(c sas.RefreshConfigState) bool { return c.TargetID == 0 })
			sc.Accounts[i].Sites[site] = ss
		}
	}
	return cloudState{f.emu.State(), sc}
}

// assertSameState fails when both emulators do not hold what they held before.
func assertSameState(t *testing.T, before, after cloudState) {
	t.Helper()
	b, _ := json.MarshalIndent(before, "", " ")
	a, _ := json.MarshalIndent(after, "", " ")
	if string(a) != string(b) {
		t.Fatalf("the emulators do not hold what they held before the first run:\nbefore %s\nafter  %s", b, a)
	}
}

// killAt makes the nth call of a Tencent Cloud action be made and its answer lost, and cancels the
// returned context at that moment, as a kill of the process during that call would.
func (f *fixture) killAt(t *testing.T, action string, nth int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.emu.AddFaults([]tcloud.FaultRule{{Action: action, Fault: tcloud.FaultLost, Nth: nth, Then: cancel}})
	return ctx
}

// killAtSecurityCenter is killAt for a Security Center action.
func (f *fixture) killAtSecurityCenter(t *testing.T, action string, nth int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.env.SecurityCenter.AddFaults([]sas.FaultRule{{Action: action, Fault: sas.FaultLost, Nth: nth, Then: cancel}})
	return ctx
}

func fullRequest() Request {
	return Request{Mode: ModeManual, Features: []string{"host", "cspm", "soc", "audit"}, CSPMPolicy: policy.CSPMCustom, SubUser: "sas-reader",
		Site: "outside", AccountName: "prod", Regions: []string{"ap-guangzhou", "ap-shanghai"}, RegionManagement: true,
		HostSync: "6h", CloudSync: "12h", AKCheck: "7d", AuditRegion: "ap-guangzhou", Account: "acct"}
}

// Each run is killed (or fails) at one call; the rollback that follows leaves both clouds as they were.
func TestAKillOrFailureThenRollbackLeavesNothing(t *testing.T) {
	hostCSPM := Request{Mode: ModeManual, Features: []string{"host", "cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "killed",
		SecurityCenter: SecurityCenterSkip, SkipSync: true, Account: "acct"}
	audit := auditRequest()
	audit.Account = "acct"
	submit := submitRequest()
	submit.Account, submit.SkipSync = "acct", true
	for _, tc := range []struct {
		name string
		req  Request
		// fault injects the kill or failure and returns the context of the run
		fault func(*fixture, *testing.T) context.Context
		// wantRemoved are what the rollback must say it removed
		wantRemoved []string
	}{
		{"kill during AttachUserPolicy", hostCSPM, func(f *fixture, t *testing.T) context.Context { return f.killAt(t, "AttachUserPolicy", 2) },
			[]string{"grant cspmPolicy", "policy cspmPolicy", "sub-user killed"}},
		{"kill during OpenKafkaConsumer", audit, func(f *fixture, t *testing.T) context.Context { return f.killAt(t, "OpenKafkaConsumer", 1) },
			[]string{"CloudAudit tracking set", "Kafka consumption of topic", "CLS topic", "CLS logset", "sub-user sas-reader"}},
		{"failure at CreateAuditTrack", audit, func(f *fixture, t *testing.T) context.Context {
			f.emu.FailNext("CreateAuditTrack", "InternalError", 5)
			return context.Background()
		}, []string{"CLS topic", "CLS logset", "sub-user sas-reader"}},
		{"kill during AddCloudVendorAccountAK", submit, func(f *fixture, t *testing.T) context.Context {
			return f.killAtSecurityCenter(t, "AddCloudVendorAccountAK", 1)
		}, []string{"Security Center account", "API key", "sub-user sas-reader"}},
		{"kill during AddUser", hostCSPM, func(f *fixture, t *testing.T) context.Context { return f.killAt(t, "AddUser", 1) },
			[]string{"sub-user killed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.cloudState()
			ctx := tc.fault(f, t)
			if _, err := f.engine.Apply(ctx, tc.req, nil); err == nil {
				t.Fatal("the run succeeded despite the fault")
			}
			f.emu.ClearFaults()
			f.env.SecurityCenter.ClearFaults()
			if strings.HasPrefix(tc.name, "kill") && ctx.Err() == nil {
				t.Fatal("the kill did not happen")
			}
			if after := f.cloudState(); mustJSON(after) == mustJSON(before) {
				t.Fatal("the fault left nothing to roll back: the test proves nothing")
			}
			rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
			if err != nil {
				t.Fatalf("rollback: %v (removed %v, left %v)", err, rb.Removed, rb.Left)
			}
			for _, w := range tc.wantRemoved {
				if !containsPrefix(rb.Removed, w) {
					t.Errorf("the rollback does not say it removed %q: %v", w, rb.Removed)
				}
			}
			assertSameState(t, before, f.cloudState())
			if _, err := f.secrets.Get(context.Background(), "tencent/"+f.env.OwnerUIN+"/"+tc.req.SubUser); !errors.Is(err, store.ErrSecretNotFound) {
				t.Errorf("a secret is still stored: %v", err)
			}
		})
	}
}

// A failed step's IDs are in the ledger as soon as each call returned, not only when the step succeeds.
func TestTheLedgerKeepsTheIDsOfAFailedStep(t *testing.T) {
	f := newFixture(t)
	f.emu.FailNext("CreateAuditTrack", "LimitExceeded.OverAmount", 1)
	req := auditRequest()
	if _, err := f.engine.Apply(context.Background(), req, nil); err == nil {
		t.Fatal("the run succeeded despite the fault")
	}
	entries, err := f.engine.DB.Ledger(context.Background(), f.env.OwnerUIN)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]store.LedgerEntry{}
	for _, e := range entries {
		state[e.Kind] = e
	}
	ls, topic, track := state[kindLogset], state[kindTopic], state[kindTrack]
	if ls.State != store.LedgerMade || ls.ResourceID == "" || topic.State != store.LedgerMade || topic.ResourceID == "" || topic.Parent != ls.ResourceID {
		t.Errorf("logset %+v, topic %+v: want both made with their IDs, the topic in the logset", ls, topic)
	}
	// The service refused the track: nothing was made, and it says so.
	if track.State != store.LedgerFailed || !strings.Contains(track.Error, "LimitExceeded") || track.Name == "" {
		t.Errorf("track %+v: want failed with the refusal", track)
	}
}

// A create whose answer was lost is found on the next run by its name and marker and stays the tool's.
func TestALostAnswerIsResolvedOnTheNextRun(t *testing.T) {
	f := newFixture(t)
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "lost", SecurityCenter: SecurityCenterSkip, SkipSync: true, Account: "acct"}
	f.emu.AddFaults([]tcloud.FaultRule{{Action: "AddUser", Fault: tcloud.FaultLost, Nth: 1}})
	if _, err := f.engine.Apply(context.Background(), req, nil); err == nil {
		t.Fatal("the run succeeded despite the lost answer")
	}
	entries, _ := f.engine.DB.Ledger(context.Background(), "acct")
	if len(entries) != 1 || entries[0].State != store.LedgerIntended || entries[0].Name != "lost" {
		t.Fatalf("ledger after the lost answer: %+v", entries)
	}
	res, err := f.engine.Apply(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ = f.engine.DB.Ledger(context.Background(), "acct")
	if entries[0].State != store.LedgerMade || entries[0].ResourceID != strconv.FormatUint(res.SubUserUIN, 10) {
		t.Fatalf("the lost create was not resolved to the user: %+v", entries[0])
	}
}

// What the killed run created counts as reused by the resumed run, yet stays the tool's: the rollback
// after the resume removes everything both runs created.
func TestKillResumeThenRollbackLeavesNothing(t *testing.T) {
	for _, kill := range []string{"CreateAccessKey", "CreateAuditTrack"} {
		t.Run(kill, func(t *testing.T) {
			f := newFixture(t)
			before := f.cloudState()
			req := fullRequest()
			if _, err := f.engine.Apply(f.killAt(t, kill, 1), req, nil); err == nil {
				t.Fatal("the run succeeded despite the kill")
			}
			f.emu.ClearFaults()
			res, err := f.engine.Apply(context.Background(), req, nil)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if !containsPrefix(res.Reused, "sub-user sas-reader") {
				t.Fatalf("the resumed run did not reuse what the killed run made: %v", res.Reused)
			}
			if !containsPrefix(res.Owned, "sub-user sas-reader") || !containsPrefix(res.Owned, "CLS logset") {
				t.Fatalf("the resumed run does not say onboard owns what the killed run made: %v", res.Owned)
			}
			rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
			if err != nil {
				t.Fatalf("rollback: %v (removed %v, left %v)", err, rb.Removed, rb.Left)
			}
			for _, w := range []string{"sub-user sas-reader", "policy cspmPolicy", "CLS logset", "Security Center account", "API key"} {
				if !containsPrefix(rb.Removed, w) {
					t.Errorf("the rollback does not say it removed %q: %v", w, rb.Removed)
				}
			}
			assertSameState(t, before, f.cloudState())
		})
	}
}

// With a fifth of every call of both clouds losing its answer (the call made or not), runs repeated
// until one succeeds leave exactly one Security Center account, one sub-user and one key. The faults
// fall at random, so the scenario is played several times.
func TestFaultsOnEveryCallNeverDuplicateTheSecurityCenterAccount(t *testing.T) {
	for i := range 6 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			f := newFixture(t)
			f.emu.AddFaults([]tcloud.FaultRule{{Fault: tcloud.FaultLost, Probability: 0.2}})
			f.env.SecurityCenter.AddFaults([]sas.FaultRule{{Fault: sas.FaultLost, Probability: 0.2}})
			req := submitRequest()
			req.SkipSync = true
			var runs int
			var err error
			for runs = 1; runs <= 100; runs++ {
				if _, err = f.engine.Apply(context.Background(), req, nil); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("no run succeeded in 100: %v", err)
			}
			f.emu.ClearFaults()
			f.env.SecurityCenter.ClearFaults()
			if accounts := f.siteState(t).CloudAccounts; len(accounts) != 1 || accounts[0].ServiceStatus != 0 {
				t.Fatalf("Security Center accounts after %d runs: %+v", runs, accounts)
			}
			st := f.emu.State()
			if len(st.Users) != 1 || len(st.Users[0].Keys) != 1 {
				t.Fatalf("users after %d runs: %+v", runs, st.Users)
			}
		})
	}
}

// Without Alibaba Cloud credentials, the rollback cannot delete the Security Center account: it says so,
// removes nothing that account still uses (its key), and a rollback run again with them finishes.
func TestARollbackThatCannotFinishSaysWhatIsLeftAndWhy(t *testing.T) {
	f := newFixture(t)
	before := f.cloudState()
	req := submitRequest()
	req.Account, req.SkipSync = "acct", true
	if _, err := f.engine.Apply(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	sc := f.engine.SecurityCenter
	f.engine.SecurityCenter = nil
	rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
	if err == nil {
		t.Fatalf("the rollback succeeded without a Security Center client: %+v", rb)
	}
	if len(rb.Removed) != 0 || len(rb.Left) == 0 || !strings.HasPrefix(rb.Left[0], "Security Center account") ||
		!strings.Contains(rb.Left[0], "Alibaba Cloud credentials") || !containsPrefix(rb.Left, "API key") {
		t.Fatalf("rollback result %+v: want the Security Center account left with the reason, and the key kept for it", rb)
	}
	if st := f.emu.State(); len(st.Users) != 1 || len(st.Users[0].Keys) != 1 {
		t.Fatalf("the rollback removed what the Security Center account still uses: %+v", st.Users)
	}
	if _, err := f.engine.DB.Account(context.Background(), "acct"); err != nil {
		t.Fatalf("the account record was forgotten while resources are left: %v", err)
	}
	f.engine.SecurityCenter = sc
	if rb, err = f.engine.Rollback(context.Background(), "acct", f.admin); err != nil || len(rb.Left) != 0 {
		t.Fatalf("second rollback: %v %+v", err, rb)
	}
	if !containsPrefix(rb.Kept, "Security Center's Tencent Cloud sync settings") {
		t.Errorf("the rollback does not say it keeps the sync frequencies: %v", rb.Kept)
	}
	assertSameState(t, before, f.cloudState())
}

// An account onboarded by a version before the ledger is known by its journal: the rollback removes
// what that journal says was created.
func TestAnAccountOnboardedBeforeTheLedgerIsRolledBackFromItsJournal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := f.cloudState()
	// What an earlier version made and journaled.
	u, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "legacy", Remark: userRemark})
	doc, _ := policy.Render(policy.CSPMPolicy, policy.Values{RootAccountID: f.env.OwnerUIN})
	pid, _ := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: policy.CSPMPolicy, Document: string(doc)})
	f.admin.AttachUserPolicy(ctx, pid, u.UIN)
	k, _ := f.admin.CreateAccessKey(ctx, u.UIN, keyDescription)
	run, _ := f.engine.DB.StartRun(ctx, "acct", "onboard")
	uin := strconv.FormatUint(u.UIN, 10)
	f.engine.DB.JournalDone(ctx, run.ID, "user", map[string]string{idCreatedUser: "legacy", idUserUIN: uin})
	f.engine.DB.JournalDone(ctx, run.ID, "grants", map[string]string{idCreatedPolicy + policy.CSPMPolicy: strconv.FormatUint(pid, 10),
		idAttached + policy.CSPMPolicy: strconv.FormatUint(pid, 10)})
	f.engine.DB.JournalDone(ctx, run.ID, "key", map[string]string{idCreatedKey: k.ID, idSecretItem: "tencent/x/legacy", idUserUIN: uin})
	f.engine.DB.FinishRun(ctx, run.ID, store.RunDone)
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	if err != nil {
		t.Fatalf("rollback: %v %+v", err, rb)
	}
	for _, w := range []string{"grant cspmPolicy", "policy cspmPolicy", "API key", "sub-user legacy"} {
		if !containsPrefix(rb.Removed, w) {
			t.Errorf("the rollback does not say it removed %q: %v", w, rb.Removed)
		}
	}
	assertSameState(t, before, f.cloudState())
}

// A dropped connection at the call that carries the sub-user's SecretKey leaves the ledger holding the
// error's code, never its text (which may hold the request's URL).
func TestTheLedgerNeverHoldsASecretFromAnError(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.env.SecurityCenter.FailNext("AddCloudVendorAccountAK", sas.FaultLost, 1)
	req := submitRequest()
	req.Account, req.SkipSync = "acct", true
	if _, err := f.engine.Apply(ctx, req, nil); err == nil {
		t.Fatal("the run succeeded despite the dropped connection")
	}
	entries, _ := f.engine.DB.Ledger(ctx, "acct")
	stored, err := f.secrets.Get(ctx, "tencent/"+f.env.OwnerUIN+"/sas-reader")
	if err != nil {
		t.Fatal(err)
	}
	var sc store.LedgerEntry
	for _, e := range entries {
		if strings.Contains(e.Error, stored.SecretKey.Reveal()) || strings.Contains(strings.Join(slices.Collect(maps.Values(e.Attrs)), " "), stored.SecretKey.Reveal()) {
			t.Errorf("ledger entry %d holds the SecretKey", e.Seq)
		}
		if e.Kind == kindSCAccount {
			sc = e
		}
	}
	if sc.State != store.LedgerIntended || !strings.Contains(sc.Error, "AddCloudVendorAccountAK") || sc.Attrs[attrSecretID] != stored.SecretID {
		t.Errorf("Security Center account entry %+v: want it intended, naming the call, with the SecretId submitted", sc)
	}
}

// What only Security Center can tell waits for a run that has a Security Center client: a resume with
// --security-center skip is not blocked by it, and the rollback after it still finds and removes it.
func TestALostSecurityCenterAccountWaitsForARunThatCanLookItUp(t *testing.T) {
	f := newFixture(t)
	before := f.cloudState()
	req := submitRequest()
	req.Account, req.SkipSync = "acct", true
	if _, err := f.engine.Apply(f.killAtSecurityCenter(t, "AddCloudVendorAccountAK", 1), req, nil); err == nil {
		t.Fatal("the run succeeded despite the kill")
	}
	f.env.SecurityCenter.ClearFaults()
	sc := f.engine.SecurityCenter
	f.engine.SecurityCenter = nil
	req.SecurityCenter = SecurityCenterSkip
	if _, err := f.engine.Apply(context.Background(), req, nil); err != nil {
		t.Fatalf("resume without Security Center: %v", err)
	}
	rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
	if err == nil || !containsPrefix(rb.Left, "Security Center account") || len(rb.Removed) != 0 {
		t.Fatalf("a rollback without Security Center: %v %+v; want the account named as left, and nothing removed before it is known", err, rb)
	}
	f.engine.SecurityCenter = sc
	if rb, err = f.engine.Rollback(context.Background(), "acct", f.admin); err != nil || !containsPrefix(rb.Removed, "Security Center account") {
		t.Fatalf("rollback: %v %+v", err, rb)
	}
	assertSameState(t, before, f.cloudState())
}

// Security Center could not tell whose key it was given (its identity check failed), so the account it
// added has no vendor UID; the next run finds it through the ledger and repairs it rather than adding a
// second one.
func TestAnAccountSecurityCenterCouldNotIdentifyIsRepairedNotDuplicated(t *testing.T) {
	req := submitRequest()
	req.SkipSync = true
	// Security Center's identity check is the first GetCallerIdentity once it was given the key: a clean
	// run tells which one that is.
	clean := newFixture(t)
	if _, err := clean.engine.Apply(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	var added time.Time
	for _, c := range clean.env.SecurityCenter.Calls() {
		if c.Action == "AddCloudVendorAccountAK" {
			added = c.Time
		}
	}
	nth := 1
	for _, c := range clean.emu.Calls() {
		if c.Action == "GetCallerIdentity" && c.Time.Before(added) {
			nth++
		}
	}
	f := newFixture(t)
	f.emu.AddFaults([]tcloud.FaultRule{{Action: "GetCallerIdentity", Fault: "AuthFailure.SecretIdNotFound", Nth: nth}})
	if _, err := f.engine.Apply(context.Background(), req, nil); err == nil {
		t.Fatal("the run succeeded although Security Center could not identify the key")
	}
	if accounts := f.siteState(t).CloudAccounts; len(accounts) != 1 || accounts[0].VendorUID != "" {
		t.Fatalf("Security Center accounts: %+v; want one it could not identify", accounts)
	}
	f.emu.ClearFaults()
	n := len(f.env.SecurityCenter.Calls())
	if _, err := f.engine.Apply(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if m := f.sasMutatingSince(n); slices.Contains(m, "AddCloudVendorAccountAK") || !slices.Contains(m, "ModifyCloudVendorAccountAK") {
		t.Errorf("the re-run made %v, want a modify and no add", m)
	}
	if accounts := f.siteState(t).CloudAccounts; len(accounts) != 1 || accounts[0].VendorUID != f.env.OwnerUIN || accounts[0].ServiceStatus != 0 {
		t.Fatalf("Security Center accounts: %+v", accounts)
	}
}

// Killed while a create was on its way but before the service acted: the intent is resolved as absent
// (nothing was made), and the rollback leaves both clouds as they were.
func TestAKillBeforeTheServiceActedIsResolvedAsAbsent(t *testing.T) {
	for _, action := range []string{"AddUser", "CreatePolicy", "CreateTopic", "CreateAccessKey"} {
		t.Run(action, func(t *testing.T) {
			f := newFixture(t)
			before := f.cloudState()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f.emu.AddFaults([]tcloud.FaultRule{{Action: action, Fault: tcloud.FaultDrop, Nth: 1, Then: cancel}})
			req := fullRequest()
			req.SecurityCenter, req.SkipSync = SecurityCenterSkip, true
			if _, err := f.engine.Apply(ctx, req, nil); err == nil {
				t.Fatal("the run succeeded despite the kill")
			}
			f.emu.ClearFaults()
			rb, err := f.engine.Rollback(context.Background(), "acct", f.admin)
			if err != nil {
				t.Fatalf("rollback: %v %+v", err, rb)
			}
			entries, _ := f.engine.DB.Ledger(context.Background(), "acct")
			absent := slices.ContainsFunc(entries, func(e store.LedgerEntry) bool { return e.State == store.LedgerAbsent })
			if !absent {
				t.Errorf("no intent was resolved as absent: %+v", entries)
			}
			assertSameState(t, before, f.cloudState())
		})
	}
}
