package onboarding

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/emulator/tcloud"
	"onboard/inventory"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

type fixture struct {
	env     *emulator.Env
	emu     *tcloud.Server
	engine  *Engine
	home    string
	secrets *store.MemoryStore
	admin   *tencent.Client
	sc      *securitycenter.Client
}

// newFixture wires the engine to the real SDK clients, both emulators (with opts, if given), a real
// SQLite file and a memory secret store.
func newFixture(t *testing.T, opts ...emulator.Options) *fixture {
	t.Helper()
	var o emulator.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	env, err := emulator.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	emu := env.Tencent
	emu.SeedCVM("ap-guangzhou", 3)
	newClient := func(c tencent.Credential) (*tencent.Client, error) {
		return tencent.New(tencent.Options{Credential: c, Endpoint: env.TencentEndpoint, Retry: tencent.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
	}
	admin, err := newClient(tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	sc := newSecurityCenterClient(t, env.SecurityCenterEndpoint, env)
	home := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	secrets := store.NewMemoryStore()
	installation, err := store.InstallationID(home)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: time.Second, SecurityCenter: sc, InventoryUnlimited: true, Installation: installation,
		NewVerifier:  func(c tencent.Credential) (Verifier, error) { return newClient(c) },
		NewInventory: func(c tencent.Credential) (inventory.Cloud, error) { return newClient(c) }}
	return &fixture{env: env, emu: emu, engine: e, home: home, secrets: secrets, admin: admin, sc: sc}
}

// newSecurityCenterClient is a real Security Center client for the emulator at endpoint.
func newSecurityCenterClient(t *testing.T, endpoint string, env *emulator.Env) *securitycenter.Client {
	t.Helper()
	cred, err := securitycenter.StaticCredentials(env.AlibabaAccessKeyID, securitycenter.Secret(env.AlibabaAccessKeySecret), "", "test")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: endpoint, PollInterval: 10 * time.Millisecond,
		Retry: securitycenter.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func (f *fixture) mutatingCalls() []string {
	var out []string
	for _, c := range f.emu.Calls() {
		if c.Mutating && c.Code == "" {
			out = append(out, c.Action)
		}
	}
	return out
}

func TestManualOnboardingThenRerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host", "cspm", "soc"}, CSPMPolicy: policy.CSPMCustom, SubUser: "sas-reader"}
	var events []Event
	res, err := f.engine.Apply(ctx, req, func(e Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if !res.CallerIsRoot || res.SubUser != "sas-reader" || res.AccessKeyID == "" || res.KeyStoredIn != "memory" {
		t.Fatalf("result: %+v", res)
	}
	want := []string{"sub-user sas-reader", "policy cspmPolicy", "policy siemPolicy", "grant QcloudCVMReadOnlyAccess", "grant cspmPolicy", "grant siemPolicy"}
	for _, w := range want {
		if !containsPrefix(res.Created, w) {
			t.Errorf("result does not say it created %q: %v", w, res.Created)
		}
	}
	if len(res.Verified) < 2 {
		t.Errorf("verified: %v", res.Verified)
	}
	// The sub-user has exactly the grants of its features, and its key is in the secret store.
	attached, _ := f.admin.ListAttachedUserPolicies(ctx, res.SubUserUIN)
	if len(attached) != 3 {
		t.Errorf("attached policies: %+v", attached)
	}
	if c, err := f.secrets.Get(ctx, "tencent/"+res.OwnerUIN+"/sas-reader"); err != nil || c.SecretID != res.AccessKeyID {
		t.Fatalf("stored key: %v %v", c.SecretID, err)
	}
	if len(events) == 0 {
		t.Error("no events")
	}

	f.emu.ResetCalls()
	again, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("a re-run of the same request made mutating calls: %v", m)
	}
	if len(again.Created) != 0 || again.AccessKeyID != res.AccessKeyID {
		t.Fatalf("re-run: %+v", again)
	}
	accounts, _ := f.engine.DB.Accounts(ctx)
	if len(accounts) != 1 || accounts[0].SubUserName != "sas-reader" || accounts[0].AccessKeyID != res.AccessKeyID {
		t.Fatalf("account record: %+v", accounts)
	}
	// No file under the home holds the secret.
	stored, _ := f.secrets.Get(ctx, accounts[0].SecretItem)
	assertNoSecret(t, f.home, stored.SecretKey.Reveal())
}

func TestQuickModeNamesTheUserAndGrantsHostsOnly(t *testing.T) {
	f := newFixture(t)
	res, err := f.engine.Apply(context.Background(), Request{Mode: ModeQuick}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.SubUser, QuickUserPrefix) {
		t.Fatalf("quick-mode user %q", res.SubUser)
	}
	attached, _ := f.admin.ListAttachedUserPolicies(context.Background(), res.SubUserUIN)
	if len(attached) != 1 || attached[0].Name != policy.PresetCVMReadOnly {
		t.Fatalf("quick mode grants: %+v", attached)
	}
}

func TestAStrangersUserIsRefusedUnlessAdopted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "taken", Remark: "someone else's"}); err != nil {
		t.Fatal(err)
	}
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "taken"}
	_, err := f.engine.Apply(ctx, req, nil)
	if fix, _ := FixFor(err); fix.Field != "adopt-user" {
		t.Fatalf("error %v, fix %+v; want one offering to take the user over", err, fix)
	}
	req.AdoptUser = true
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAUserHoldingTwoKeysIsExplained(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, _ := f.admin.CreateUser(ctx, tencent.UserSpec{Name: "full", Remark: userRemark})
	f.admin.CreateAccessKey(ctx, u.UIN, "")
	f.admin.CreateAccessKey(ctx, u.UIN, "")
	_, err := f.engine.Apply(ctx, Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "full"}, nil)
	if !errors.Is(err, tencent.ErrKeyLimit) || !strings.Contains(err.Error(), "two API keys") {
		t.Fatalf("error %v, want the key limit explained", err)
	}
}

func TestADriftedPolicyIsRepaired(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "drift"}
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	p, _ := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.CSPMPolicy)
	ours, _ := f.admin.GetPolicy(ctx, p.ID)
	narrowed := `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`
	// Someone narrows the document (in the console, say); the description with onboard's marker stays.
	if err := f.admin.UpdatePolicy(ctx, p.ID, tencent.PolicySpec{Name: policy.CSPMPolicy, Description: ours.Description, Document: narrowed}); err != nil {
		t.Fatal(err)
	}
	f.emu.ResetCalls()
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 1 || m[0] != "UpdatePolicy" {
		t.Fatalf("repair made %v, want exactly one UpdatePolicy", m)
	}
	live, _ := f.admin.GetPolicy(ctx, p.ID)
	want, _ := policy.Render(policy.CSPMPolicy, policy.Values{RootAccountID: res.OwnerUIN})
	if d, _ := policy.Diff([]byte(live.Document), want); d.Changed {
		t.Fatalf("policy still drifted: %v", d.Lines)
	}
}

func TestAnAdminKeyLackingAPermissionNamesIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// An operator sub-user that may read CAM but not create users.
	f.engine.Cloud = f.readOnlyOperator(t)
	f.emu.ResetCalls()
	req := Request{Mode: ModeManual, Features: []string{"host", "audit"}, SubUser: "newone", AuditRegion: "ap-guangzhou", SecurityCenter: SecurityCenterSkip}
	_, err := f.engine.Apply(ctx, req, nil)
	var pe *PermissionError
	if !errors.As(err, &pe) || !errors.Is(err, tencent.ErrDenied) {
		t.Fatalf("error %v, want a PermissionError", err)
	}
	// Checked up front: everything missing is named, and nothing was changed.
	for _, want := range []string{"cam:AddUser", "cam:CreatePolicy", "cam:CreateAccessKey", "cls:CreateLogset", "cloudaudit:CreateAuditTrack"} {
		if !slices.Contains(pe.Missing, want) {
			t.Errorf("missing %v does not name %s", pe.Missing, want)
		}
	}
	for _, granted := range []string{"cam:GetUser", "cam:ListPolicies"} {
		if slices.Contains(pe.Missing, granted) {
			t.Errorf("%s is granted by %s but named missing", granted, policy.PresetCamReadOnly)
		}
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("calls before the check failed: %v", m)
	}
	// Without the check, the first refused call names its action: a read of the pre-flight, before any
	// change.
	req.SkipPermissionCheck = true
	_, err = f.engine.Apply(ctx, req, nil)
	if !errors.Is(err, tencent.ErrDenied) || !strings.Contains(err.Error(), "cls:DescribeLogsets") || errors.As(err, &pe) {
		t.Fatalf("error %v, want ErrDenied naming cls:DescribeLogsets", err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("calls before the pre-flight failed: %v", m)
	}
	// Without feature audit, the pre-flight reads nothing the operator may not, and the first refused
	// call is the first change.
	req = Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "newone", SecurityCenter: SecurityCenterSkip, SkipPermissionCheck: true}
	_, err = f.engine.Apply(ctx, req, nil)
	if !errors.Is(err, tencent.ErrDenied) || !strings.Contains(err.Error(), "cam:AddUser") || errors.As(err, &pe) {
		t.Fatalf("error %v, want ErrDenied naming cam:AddUser", err)
	}
}

func TestInvalidRequestsNameTheFlag(t *testing.T) {
	tests := []struct {
		req  Request
		flag string
	}{
		{Request{}, "invalid mode:"},
		{Request{Mode: "auto"}, "invalid mode:"},
		{Request{Mode: ModeQuick, Features: []string{"cspm"}}, "invalid features:"},
		{Request{Mode: ModeManual}, "invalid features:"},
		{Request{Mode: ModeManual, Features: []string{"dns"}}, "invalid features:"},
		{Request{Mode: ModeManual, Features: []string{"host"}}, "invalid sub-user:"},
		{Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "bad name!"}, "invalid sub-user:"},
		{Request{Mode: ModeManual, Features: []string{"cspm"}, CSPMPolicy: "both", SubUser: "x"}, "invalid cspm-policy:"},
	}
	for _, tt := range tests {
		err := tt.req.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%+v: %v, want an error naming %s", tt.req, err, tt.flag)
		}
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func assertNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	if secret == "" {
		t.Fatal("no secret to look for")
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), secret) {
				t.Errorf("%s contains the secret", p)
			}
		}
		return nil
	})
}

// A fault at each mutating step, beyond what the client retries, fails the run; the next run ends in the
// same state as a clean one: one user, one key whose secret is stored, each policy once, no orphan.
func TestFaultAtEachMutatingStepThenRerunConverges(t *testing.T) {
	for _, tc := range []struct{ action, fault string }{
		{"AddUser", "InternalError"}, {"AddUser", tcloud.FaultDrop},
		{"CreatePolicy", "InternalError"}, {"CreatePolicy", tcloud.FaultDrop},
		{"AttachUserPolicy", "InternalError"},
		{"CreateAccessKey", "InternalError"}, {"CreateAccessKey", tcloud.FaultDrop},
	} {
		t.Run(tc.action+"/"+tc.fault, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			req := Request{Mode: ModeManual, Features: []string{"host", "cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "faulty"}
			f.emu.FailNext(tc.action, tc.fault, 5)
			if _, err := f.engine.Apply(ctx, req, nil); err == nil {
				t.Fatal("the run succeeded despite the fault")
			}
			f.emu.ClearFaults()
			res, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				// A create whose answer was dropped may have happened; the next run must see it.
				t.Fatalf("re-run after the fault: %v", err)
			}
			users, _ := f.admin.ListUsers(ctx)
			if len(users) != 1 {
				t.Errorf("users: %+v", users)
			}
			keys, _ := f.admin.ListAccessKeys(ctx, res.SubUserUIN)
			stored, err := f.secrets.Get(ctx, "tencent/"+res.OwnerUIN+"/faulty")
			if len(keys) != 1 || err != nil || keys[0].ID != stored.SecretID {
				t.Errorf("keys %+v, stored %v %v: want exactly the one whose secret is stored", keys, stored.SecretID, err)
			}
			custom, _ := f.admin.ListPolicies(ctx, tencent.ScopeCustom, "")
			if len(custom) != 1 {
				t.Errorf("custom policies: %+v", custom)
			}
			attached, _ := f.admin.ListAttachedUserPolicies(ctx, res.SubUserUIN)
			if len(attached) != 2 { // QcloudCVMReadOnlyAccess and cspmPolicy
				t.Errorf("attached: %+v", attached)
			}
		})
	}
}

func TestPlanReadsOnlyAndMatchesWhatApplyDoes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host", "cspm"}, CSPMPolicy: policy.CSPMCustom, SubUser: "planned"}
	plan, err := f.engine.Plan(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("Plan made mutating calls: %v", m)
	}
	if runs, _ := f.engine.DB.LatestRun(ctx, "100000000001", "onboard"); runs.ID != 0 {
		t.Fatalf("Plan wrote a journal run: %+v", runs)
	}
	first := flatten(plan)
	for _, want := range []string{"create user planned", "create policy cspmPolicy", "attach attachment QcloudCVMReadOnlyAccess", "attach attachment cspmPolicy", "create key"} {
		if !containsPrefix(first, want) {
			t.Errorf("plan before apply lacks %q: %v", want, first)
		}
	}
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	f.planChangesNothing(t, req)
}

// planChangesNothing fails the test unless a plan of req, made after it was applied, changes nothing in
// the account.
func (f *fixture) planChangesNothing(t *testing.T, req Request) {
	t.Helper()
	plan, err := f.engine.Plan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range flatten(plan) {
		if !unchanged(a) {
			t.Errorf("after apply the plan still says %q", a)
		}
	}
}

// flatten writes each change of the plan as "op object name: detail".
func flatten(plan Plan) []string {
	var out []string
	for _, c := range plan.Changes() {
		s := c.Op + " " + c.Object + " " + c.Name
		if c.Detail != "" {
			s += ": " + c.Detail
		}
		out = append(out, s)
	}
	return out
}

// unchanged reports whether a change of a plan made after an apply changes nothing in the account.
func unchanged(a string) bool {
	return strings.HasPrefix(a, "reuse") || strings.HasPrefix(a, "check") || strings.HasPrefix(a, "update record") || strings.HasPrefix(a, "keep")
}

func TestRollbackRemovesExactlyWhatTheRunCreated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Something that exists before the run and must survive the rollback: a custom policy the run reuses.
	want, _ := policy.Render(policy.SIEMPolicy, policy.Values{})
	pre, err := f.admin.CreatePolicy(ctx, tencent.PolicySpec{Name: policy.SIEMPolicy, Document: string(want)})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Mode: ModeManual, Features: []string{"host", "cspm", "soc"}, CSPMPolicy: policy.CSPMCustom, SubUser: "temp", Account: "acct"}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := f.engine.Rollback(ctx, "acct", f.admin)
	removed := rb.Removed
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(removed, "sub-user temp") || !containsPrefix(removed, "policy cspmPolicy") || containsPrefix(removed, "policy siemPolicy") {
		t.Fatalf("removed %v", removed)
	}
	if users, _ := f.admin.ListUsers(ctx); len(users) != 0 {
		t.Errorf("users left: %+v", users)
	}
	custom, _ := f.admin.ListPolicies(ctx, tencent.ScopeCustom, "")
	if len(custom) != 1 || custom[0].ID != pre {
		t.Errorf("custom policies after rollback: %+v; want only the pre-existing siemPolicy", custom)
	}
	if _, err := f.secrets.Get(ctx, "tencent/"+res.OwnerUIN+"/temp"); !errors.Is(err, store.ErrSecretNotFound) {
		t.Errorf("the key's secret is still stored: %v", err)
	}
	if _, err := f.engine.DB.Account(ctx, "acct"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the account record created by the run survived: %v", err)
	}
	// A second rollback finds nothing more to do.
	if again, err := f.engine.Rollback(ctx, "acct", f.admin); err != nil || len(again.Removed) != 0 || len(again.Left) != 0 {
		t.Errorf("second rollback: %v %v", again, err)
	}
}

// newFixtureWith is newFixture with emulators started with opts.
func newFixtureWith(t *testing.T, opts emulator.Options) *fixture {
	t.Helper()
	return newFixture(t, opts)
}

// A change reads the same on every face (the dry run, the wizard's review, the organization's plan): the
// object in words, an attachment by its verb alone, an unknown object as itself.
func TestChangeWordsItselfForPeople(t *testing.T) {
	for _, tt := range []struct {
		c    Change
		want string
	}{
		{Change{Op: "create", Object: ObjectUser, Name: "sas-reader"}, "create sub-user sas-reader"},
		{Change{Op: "attach", Object: ObjectAttachment, Name: "cspmPolicy", ID: "42"}, "attach cspmPolicy (42)"},
		{Change{Op: "update", Object: ObjectPolicy, Name: "cspmPolicy", ID: "cspmPolicy", Detail: "2 actions added"}, "update policy cspmPolicy: 2 actions added"},
		{Change{Op: "check", Object: "something-new", Name: "x"}, "check something-new x"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}
