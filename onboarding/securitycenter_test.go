package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"onboard/emulator/sas"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/tencent"
)

// sasMutating are the Security Center actions that change something.
var sasMutating = []string{"AddCloudVendorAccountAK", "ModifyCloudVendorAccountAK", "DeleteCloudVendorAccountAK",
	"SetSyncRefreshRegion", "ChangeAssetRefreshTaskConfig", "RefreshAssets", "AddCloudVendorTrialConfig", "ModifyCloudVendorTrialConfig"}

// sasMutatingSince lists the successful mutating Security Center calls after the first n of the log.
func (f *fixture) sasMutatingSince(n int) []string {
	var out []string
	for _, c := range f.env.SecurityCenter.Calls()[n:] {
		if slices.Contains(sasMutating, c.Action) && c.Code == "" {
			out = append(out, c.Action)
		}
	}
	return out
}

// siteState is the emulated Security Center site the fixture's client talks to (a loopback address is
// served as the site outside the Chinese mainland).
func (f *fixture) siteState(t *testing.T) sas.SiteState {
	t.Helper()
	st := f.env.SecurityCenter.State()
	if len(st.Accounts) != 1 {
		t.Fatalf("emulated Alibaba Cloud accounts: %+v", st.Accounts)
	}
	return st.Accounts[0].Sites[sas.SiteOutside]
}

func refreshConfig(ss sas.SiteState, typ int64) (sas.RefreshConfigState, bool) {
	for _, c := range ss.RefreshConfigs {
		if c.Vendor == 3 && c.Type == typ {
			return c, true
		}
	}
	return sas.RefreshConfigState{}, false
}

func submitRequest() Request {
	return Request{Mode: ModeManual, Features: []string{"host", "cspm", "soc"}, CSPMPolicy: policy.CSPMCustom, SubUser: "sas-reader",
		Site: "outside", AccountName: "prod", Regions: []string{"ap-guangzhou", "ap-shanghai"}, RegionManagement: true,
		HostSync: "6h", CloudSync: "12h", AKCheck: "7d"}
}

func TestSecurityCenterSubmitEndToEndThenRerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.emu.SeedVPC("ap-guangzhou", 2)
	ctx := context.Background()
	req := submitRequest()
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := res.SecurityCenter
	if sc == nil || !sc.Submitted || sc.AuthID == 0 || sc.Status != "normal" || sc.DisplayName != "prod" {
		t.Fatalf("security center result: %+v", sc)
	}
	ss := f.siteState(t)
	if len(ss.CloudAccounts) != 1 {
		t.Fatalf("connected accounts: %+v", ss.CloudAccounts)
	}
	a := ss.CloudAccounts[0]
	if a.AuthID != sc.AuthID || a.AkType != "sub" || a.VendorUID != res.OwnerUIN || a.Alias != "prod" || a.ServiceStatus != 0 || a.CtdrCloudUserID != res.OwnerUIN {
		t.Fatalf("connected account: %+v", a)
	}
	var mods []string
	for _, m := range a.Modules {
		if m.Status != 0 {
			t.Errorf("module %s status %d: %s", m.Module, m.Status, m.Message)
		}
		mods = append(mods, m.Module)
	}
	if !sameSet(mods, []string{"HOST", "CSPM", "SIEM"}) {
		t.Errorf("modules %v", mods)
	}
	if got := ss.SyncRegions["Tencent"]; !sameSet(got, req.Regions) {
		t.Errorf("sync regions %v, want %v", got, req.Regions)
	}
	for typ, minutes := range map[int64]int64{0: 360, 1: 720, 2: 10080} {
		c, ok := refreshConfig(ss, typ)
		if !ok || c.SchedulePeriod != minutes || c.Status != 1 || (typ == 2 && c.TargetID != sc.AuthID) {
			t.Errorf("refresh config type %d: %+v (found %v), want every %d minutes", typ, c, ok, minutes)
		}
	}
	// The first sync: Security Center asked for both asset types, and our inventory holds each kind.
	fs := res.FirstSync
	if fs == nil || fs.Partial || !sameSet(fs.SecurityCenter, []string{"ecs", "cloud_product"}) {
		t.Fatalf("first sync: %+v", fs)
	}
	for _, kind := range []string{"cvm.instance", "vpc.vpc", "vpc.subnet", "vpc.security_group", "cam.user"} {
		if fs.Counts[kind] <= 0 {
			t.Errorf("first sync found no %s: %v", kind, fs.Counts)
		}
	}
	if len(ss.Syncs) == 0 {
		t.Error("Security Center ran no asset sync")
	}
	rec, err := f.engine.DB.Account(ctx, res.Account)
	if err != nil || rec.AuthID != strconv.FormatInt(sc.AuthID, 10) || rec.Site != "outside" || rec.HostSync != "6h" || rec.AKCheck != "7d" ||
		!rec.RegionManagement || !sameSet(rec.Regions, req.Regions) || rec.DisplayName != "prod" {
		t.Fatalf("account record %+v: %v", rec, err)
	}

	// The same request again: no mutating call on either emulator, nothing created.
	f.emu.ResetCalls()
	n := len(f.env.SecurityCenter.Calls())
	again, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("the re-run made mutating Tencent Cloud calls: %v", m)
	}
	if m := f.sasMutatingSince(n); len(m) != 0 {
		t.Errorf("the re-run made mutating Security Center calls: %v", m)
	}
	if len(again.Created) != 0 || again.SecurityCenter.AuthID != sc.AuthID || again.FirstSync.Earlier == nil || again.FirstSync.Counts["cvm.instance"] != fs.Counts["cvm.instance"] {
		t.Errorf("re-run: created %v, security center %+v, first sync %+v", again.Created, again.SecurityCenter, again.FirstSync)
	}
	// And the plan says so, reading only.
	n = len(f.env.SecurityCenter.Calls())
	f.planChangesNothing(t, req)
	if m := f.sasMutatingSince(n); len(m) != 0 {
		t.Errorf("Plan made mutating Security Center calls: %v", m)
	}
}

func TestPlanBeforeSubmitSaysCreate(t *testing.T) {
	f := newFixture(t)
	plan, err := f.engine.Plan(context.Background(), submitRequest())
	if err != nil {
		t.Fatal(err)
	}
	actions := flatten(plan)
	for _, want := range []string{"create security-center-account prod", "update regions ap-guangzhou,ap-shanghai",
		"update frequencies host sync 6h", "sync first-sync Security Center ecs", "sync first-sync cvm.instance"} {
		if !containsPrefix(actions, want) {
			t.Errorf("plan lacks %q: %v", want, actions)
		}
	}
	if m := f.sasMutatingSince(0); len(m) != 0 {
		t.Errorf("Plan made mutating Security Center calls: %v", m)
	}
}

func TestAChangedFrequencyChangesOnlyThat(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := submitRequest()
	first, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := f.siteState(t)
	f.emu.ResetCalls()
	n := len(f.env.SecurityCenter.Calls())
	req.HostSync = "1h"
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.sasMutatingSince(n); !slices.Equal(m, []string{"ChangeAssetRefreshTaskConfig"}) {
		t.Fatalf("changing the host sync made %v, want exactly one ChangeAssetRefreshTaskConfig", m)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("mutating Tencent Cloud calls: %v", m)
	}
	after := f.siteState(t)
	for typ := int64(0); typ <= 2; typ++ {
		b, _ := refreshConfig(before, typ)
		a, _ := refreshConfig(after, typ)
		switch {
		case typ == 0 && (a.SchedulePeriod != 60 || a.Status != 1):
			t.Errorf("host sync after the change: %+v", a)
		case typ != 0 && a != b:
			t.Errorf("refresh config type %d changed from %+v to %+v", typ, b, a)
		}
	}
	if !slices.Equal(res.Created, []string{"Security Center host sync 1h"}) || res.SecurityCenter.AuthID != first.SecurityCenter.AuthID {
		t.Errorf("created %v; security center %+v", res.Created, res.SecurityCenter)
	}
}

func TestSkipPrintsTheConsoleValuesAndNoSecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := submitRequest()
	req.SecurityCenter = SecurityCenterSkip
	req.Account = "prod-account"
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.env.SecurityCenter.Calls(); len(calls) != 0 {
		t.Fatalf("skip made Security Center calls: %+v", calls)
	}
	sc := res.SecurityCenter
	if sc == nil || sc.Submitted || sc.AuthID != 0 {
		t.Fatalf("security center result: %+v", sc)
	}
	console := strings.Join(sc.Console, "\n")
	for _, want := range []string{"SecretId: " + res.AccessKeyID, "outside the Chinese mainland", "Manual configuration",
		"onboard accounts reveal-key prod-account", "Modules: Host, CSPM, AgenticSOC", "Account name: prod",
		"ap-guangzhou, ap-shanghai", "automatically: yes", "Host asset sync: every 6h", "Cloud service sync: every 12h",
		"AK service status check: every 7d", "(Agentic SOC): " + res.OwnerUIN} {
		if !strings.Contains(console, want) {
			t.Errorf("console values lack %q:\n%s", want, console)
		}
	}
	stored, err := f.secrets.Get(ctx, "tencent/"+res.OwnerUIN+"/sas-reader")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(res)
	if secret := stored.SecretKey.Reveal(); secret == "" || strings.Contains(string(data), secret) {
		t.Fatalf("the result holds the secret (or there is none): %s", data)
	}
	// The first sync still runs with the new key, without Security Center.
	if res.FirstSync == nil || len(res.FirstSync.SecurityCenter) != 0 || res.FirstSync.Counts["cvm.instance"] != 3 {
		t.Errorf("first sync: %+v", res.FirstSync)
	}
}

func TestARegionHeldByTheOtherSiteIsRefusedNamingIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The mainland site already syncs ap-singapore.
	mainland := httptest.NewServer(f.env.SecurityCenter.Site(sas.SiteMainland))
	t.Cleanup(mainland.Close)
	if err := newSecurityCenterClient(t, mainland.URL, f.env).SetSyncRegions(ctx, securitycenter.VendorTencent, []string{"ap-singapore"}, false); err != nil {
		t.Fatal(err)
	}
	n := len(f.env.SecurityCenter.Calls())
	req := submitRequest()
	req.Regions = []string{"ap-guangzhou", "ap-singapore"}
	_, err := f.engine.Apply(ctx, req, nil)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "regions" || !strings.Contains(err.Error(), "ap-singapore") || strings.Contains(fe.Message, "ap-guangzhou") ||
		!strings.Contains(err.Error(), "mainland") {
		t.Fatalf("error %v, want --regions refused naming ap-singapore and the mainland site", err)
	}
	if m := f.sasMutatingSince(n); len(m) != 0 {
		t.Errorf("a refused region still made %v", m)
	}
	// With all, the region the other site holds is left out.
	req.Regions = nil
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	got := f.siteState(t).SyncRegions["Tencent"]
	if slices.Contains(got, "ap-singapore") || !slices.Contains(got, "ap-guangzhou") {
		t.Errorf("all regions gave %v", got)
	}
}

func TestRollbackDeletesTheSecurityCenterAccountItAdded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := submitRequest()
	req.Account = "acct"
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	removed := rb.Removed
	if err != nil {
		t.Fatal(err)
	}
	want := "Security Center account " + strconv.FormatInt(res.SecurityCenter.AuthID, 10)
	if !slices.Contains(removed, want) || !containsPrefix(removed, "sub-user sas-reader") {
		t.Fatalf("removed %v, want %q among them", removed, want)
	}
	if left := f.siteState(t).CloudAccounts; len(left) != 0 {
		t.Fatalf("Security Center accounts left: %+v", left)
	}
}

// Whichever run created the Security Center account, it is the tool's: a re-run reuses it, and the
// rollback after that re-run still removes it. One connected outside the tool is left alone.
func TestRollbackAfterARerunRemovesWhatTheFirstRunCreated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := submitRequest()
	req.Account = "acct"
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	again, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(again.Reused, "Security Center account") {
		t.Fatalf("the re-run did not reuse the account: %+v", again.Reused)
	}
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	if err != nil || !containsPrefix(rb.Removed, "Security Center account") || !containsPrefix(rb.Removed, "sub-user sas-reader") {
		t.Fatalf("rollback of the re-run removed %v (%v)", rb.Removed, err)
	}
	if left := f.siteState(t).CloudAccounts; len(left) != 0 {
		t.Fatalf("Security Center accounts: %+v", left)
	}
}

func TestRollbackLeavesASecurityCenterAccountConnectedOutsideTheTool(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Someone connected the Tencent account in the console, with a key of their own sub-user.
	u, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "console-user"})
	ro, _ := f.admin.FindPolicy(ctx, tencent.ScopePreset, policy.PresetCVMReadOnly)
	f.admin.AttachUserPolicy(ctx, ro.ID, u.UIN)
	k, _ := f.admin.CreateAccessKey(ctx, u.UIN, "")
	theirs, err := f.sc.AddAccount(ctx, securitycenter.AccountSpec{Vendor: securitycenter.VendorTencent, KeyType: securitycenter.KeySub,
		SecretID: k.ID, SecretKey: securitycenter.Secret(k.Secret.Reveal()), Modules: []securitycenter.Module{securitycenter.ModuleHost}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.WaitForValidation(ctx, theirs.AuthID); err != nil {
		t.Fatal(err)
	}
	req := submitRequest()
	req.Account = "acct"
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	if err != nil || containsPrefix(rb.Removed, "Security Center account") {
		t.Fatalf("rollback removed %v (%v)", rb.Removed, err)
	}
	if !containsPrefix(rb.Kept, "Security Center account") {
		t.Errorf("the rollback does not say the account it reused still holds the deleted key: %v", rb.Kept)
	}
	if left := f.siteState(t).CloudAccounts; len(left) != 1 || left[0].AuthID != theirs.AuthID {
		t.Fatalf("Security Center accounts: %+v", left)
	}
}

func TestAPartialFirstSyncIsReportedNotFailed(t *testing.T) {
	f := newFixture(t)
	f.emu.FailNext("DescribeSubnets", "InternalError", 1000)
	res, err := f.engine.Apply(context.Background(), submitRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fs := res.FirstSync
	if fs == nil || !fs.Partial || !containsPrefix(fs.Failed, "vpc.subnet") || fs.Counts["cvm.instance"] != 3 {
		t.Fatalf("first sync: %+v", fs)
	}
	// A re-run leaves the retry to `onboard sync`: no second first sync, no mutating call.
	f.emu.ResetCalls()
	n := len(f.env.SecurityCenter.Calls())
	if _, err := f.engine.Apply(context.Background(), submitRequest(), nil); err != nil {
		t.Fatal(err)
	}
	if m := append(f.mutatingCalls(), f.sasMutatingSince(n)...); len(m) != 0 {
		t.Errorf("the re-run after a partial first sync made %v", m)
	}
}

func TestSkipSyncLeavesTheFirstSyncOut(t *testing.T) {
	f := newFixture(t)
	req := submitRequest()
	req.SkipSync = true
	res, err := f.engine.Apply(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstSync != nil || len(f.siteState(t).Syncs) != 0 {
		t.Fatalf("first sync ran: %+v", res.FirstSync)
	}
}

func TestInvalidSecurityCenterFieldsNameTheFlag(t *testing.T) {
	base := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "x"}
	tests := []struct {
		edit func(*Request)
		flag string
	}{
		{func(r *Request) { r.Site = "europe" }, "invalid site: \"europe\" is not valid; valid values are mainland, outside"},
		{func(r *Request) { r.SecurityCenter = "later" }, "invalid security-center: \"later\" is not valid; valid values are submit, skip"},
		{func(r *Request) { r.Regions = []string{"all", "ap-guangzhou"} }, "invalid regions"},
		{func(r *Request) { r.Regions = []string{"Guangzhou"} }, "invalid regions"},
		{func(r *Request) { r.Regions = []string{"ap-guangzhou", "ap-guangzhou"} }, "invalid regions"},
		{func(r *Request) { r.HostSync = "2h" }, "invalid host-sync: \"2h\" is not valid; valid values are 1h, 3h, 6h, 12h, 24h, 7d, off"},
		{func(r *Request) { r.CloudSync = "daily" }, "invalid cloud-sync"},
		{func(r *Request) { r.AKCheck = "1d" }, "invalid ak-check"},
		{func(r *Request) { r.AccountName = "bad\nname" }, "invalid account-name"},
	}
	for _, tt := range tests {
		req := base
		tt.edit(&req)
		err := req.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%+v: %v, want an error containing %s", req, err, tt.flag)
		}
	}
	req := base
	if err := req.Validate(); err != nil {
		t.Fatal(err)
	}
	if req.Site != "mainland" || req.SecurityCenter != "submit" || req.HostSync != "24h" || req.CloudSync != "" || req.AKCheck != "24h" || !req.allRegions() {
		t.Errorf("defaults: %+v", req)
	}
}

// FuzzValidateSecurityCenterFields: any input is either refused with a FieldError or leaves values the
// engine can use.
func FuzzValidateSecurityCenterFields(f *testing.F) {
	f.Add("mainland", "submit", "ap-guangzhou,ap-shanghai", "24h", "prod")
	f.Add("", "", "all", "", "")
	f.Add("outside", "skip", "all,ap-guangzhou", "7d", "a\x00b")
	f.Fuzz(func(t *testing.T, site, sc, regions, freq, name string) {
		r := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "x", Site: site, SecurityCenter: sc,
			Regions: strings.Split(regions, ","), HostSync: freq, AccountName: name}
		err := r.Validate()
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%v is not a FieldError", err)
			}
			return
		}
		if _, err := securitycenter.ParseSite(r.Site); err != nil {
			t.Errorf("site %q accepted", r.Site)
		}
		if r.SecurityCenter != SecurityCenterSubmit && r.SecurityCenter != SecurityCenterSkip {
			t.Errorf("security center %q accepted", r.SecurityCenter)
		}
		if _, err := securitycenter.ParseFrequency(r.HostSync); err != nil {
			t.Errorf("host sync %q accepted", r.HostSync)
		}
		for _, reg := range r.Regions {
			if reg != RegionsAll && !regionID.MatchString(reg) {
				t.Errorf("region %q accepted", reg)
			}
		}
	})
}

// An account Security Center refuses to validate fails the step, yet is journaled the moment it was
// added: the rollback still deletes it.
func TestAnAccountThatFailsValidationIsStillRolledBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.FailNext("DescribeVpcs", "AuthFailure.UnauthorizedOperation", 1000)
	req := submitRequest()
	req.Account = "acct"
	_, err := f.engine.Apply(ctx, req, nil)
	if err == nil || !strings.Contains(err.Error(), "module CSPM") {
		t.Fatalf("error %v, want Security Center's refusal of the CSPM module", err)
	}
	if left := f.siteState(t).CloudAccounts; len(left) != 1 {
		t.Fatalf("Security Center accounts: %+v", left)
	}
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	removed := rb.Removed
	if err != nil || !containsPrefix(removed, "Security Center account") {
		t.Fatalf("rollback removed %v (%v)", removed, err)
	}
	if left := f.siteState(t).CloudAccounts; len(left) != 0 {
		t.Fatalf("Security Center accounts left: %+v", left)
	}
}

// After a refused validation, the next run finds the account by the owner UIN and repairs it in place.
func TestARerunAfterAFailedValidationConverges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.FailNext("DescribeVpcs", "AuthFailure.UnauthorizedOperation", 1000)
	if _, err := f.engine.Apply(ctx, submitRequest(), nil); err == nil {
		t.Fatal("the run succeeded despite the refused module")
	}
	f.emu.ClearFaults()
	n := len(f.env.SecurityCenter.Calls())
	res, err := f.engine.Apply(ctx, submitRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.sasMutatingSince(n); containsPrefix(m, "AddCloudVendorAccountAK") || !containsPrefix(m, "ModifyCloudVendorAccountAK") {
		t.Errorf("the re-run made %v, want a modify and no add", m)
	}
	left := f.siteState(t).CloudAccounts
	if len(left) != 1 || left[0].AuthID != res.SecurityCenter.AuthID || left[0].ServiceStatus != 0 {
		t.Fatalf("Security Center accounts: %+v", left)
	}
}
