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
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// assertNothingChanged fails unless neither emulator saw a mutating call (answered or refused), the
// database holds no run of the account, and the secret store holds nothing.
func (f *fixture) assertNothingChanged(t *testing.T) {
	t.Helper()
	for _, c := range f.emu.Calls() {
		if c.Mutating {
			t.Errorf("Tencent Cloud saw a mutating call before the pre-flight failed: %s (code %q)", c.Action, c.Code)
		}
	}
	for _, c := range f.env.SecurityCenter.Calls() {
		if slices.Contains(sasMutating, c.Action) {
			t.Errorf("Security Center saw a mutating call before the pre-flight failed: %s (code %q)", c.Action, c.Code)
		}
	}
	if run, err := f.engine.DB.LatestRun(context.Background(), f.env.OwnerUIN, "onboard"); err == nil {
		t.Errorf("the journal holds run %+v", run)
	}
	if accounts, _ := f.engine.DB.Accounts(context.Background()); len(accounts) != 0 {
		t.Errorf("account records: %+v", accounts)
	}
}

// preflightProblems returns the problems of a *PreflightError, failing the test for any other error.
func preflightProblems(t *testing.T, err error) []Problem {
	t.Helper()
	var pe *PreflightError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *PreflightError", err)
	}
	return pe.Problems
}

func problemAbout(ps []Problem, input string) (Problem, bool) {
	i := slices.IndexFunc(ps, func(p Problem) bool { return p.Input == input })
	if i < 0 {
		return Problem{}, false
	}
	return ps[i], true
}

// wrongAlibabaKey is a Security Center client whose AccessKey secret is not the emulator's.
func (f *fixture) wrongAlibabaKey(t *testing.T) *securitycenter.Client {
	t.Helper()
	cred, err := securitycenter.StaticCredentials(f.env.AlibabaAccessKeyID, "not-the-secret", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: f.env.SecurityCenterEndpoint,
		Retry: securitycenter.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// missingKeyring is the OS keyring backend on a machine without a session bus.
func missingKeyring() store.SecretStore {
	return store.NewKeyring(time.Second, func(string) string { return "" })
}

// Each problem that the steps found only after the sub-user, grants, audit delivery or key existed is
// now found by the pre-flight, with no mutating call in either cloud, no journal, and named with its fix.
func TestEachLateProblemIsFoundBeforeAnyChange(t *testing.T) {
	unknownLogset := "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f"
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture, req *Request)
		input string
		class ProblemClass
		is    error    // the cause errors.Is finds, if any
		says  []string // what the problem's text names
	}{
		{
			name:  "a wrong Alibaba Cloud key (step 6 before)",
			setup: func(t *testing.T, f *fixture, _ *Request) { f.engine.SecurityCenter = f.wrongAlibabaKey(t) },
			input: "Alibaba Cloud key", class: ProblemCredentials, is: securitycenter.ErrAuth,
			says: []string{"rejected", "ALIBABA_CLOUD_ACCESS_KEY_ID"},
		},
		{
			name:  "a missing keyring (step 4 before)",
			setup: func(_ *testing.T, f *fixture, _ *Request) { f.engine.Secrets = missingKeyring() },
			input: "secret store", class: ProblemPrecondition, is: store.ErrKeyringUnavailable,
			says: []string{"keyring", "--insecure-storage"},
		},
		{
			name:  "a well-formed region Security Center does not know (step 6 before)",
			setup: func(_ *testing.T, _ *fixture, req *Request) { req.Regions = []string{"ap-guangzhou", "xx-nowhere-1"} },
			input: "regions", class: ProblemUsage,
			says: []string{"xx-nowhere-1", "valid regions are all or", "ap-shanghai"},
		},
		{
			name:  "a logset ID that does not exist (step 3 before)",
			setup: func(_ *testing.T, _ *fixture, req *Request) { req.AuditLogset = unknownLogset },
			input: "audit-logset", class: ProblemUsage,
			says: []string{unknownLogset, "ap-guangzhou", "new"},
		},
		{
			name: "a topic ID that does not exist in an existing logset (step 3 before)",
			setup: func(_ *testing.T, f *fixture, req *Request) {
				req.AuditLogset, req.AuditTopic = f.emu.SeedLogset("ap-guangzhou", "theirs"), unknownLogset
			},
			input: "audit-topic", class: ProblemUsage,
			says: []string{unknownLogset, "new"},
		},
		{
			name:  "an audit region CLS does not serve (step 3 before)",
			setup: func(_ *testing.T, _ *fixture, req *Request) { req.AuditRegion = "xx-nowhere-1" },
			input: "audit-region", class: ProblemUsage,
			says: []string{"xx-nowhere-1"},
		},
		{
			name: "a --policy-file placeholder the policy's values cannot fill (step 2 before)",
			setup: func(t *testing.T, _ *fixture, req *Request) {
				file := filepath.Join(t.TempDir(), "cspm.json")
				doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cls:DescribeTopics"],"resource":["qcs::cls:ap-guangzhou:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"]}]}`
				if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
					t.Fatal(err)
				}
				req.CSPMPolicy, req.PolicyFiles = policy.CSPMCustom, map[string]string{policy.CSPMPolicy: file}
			},
			input: "policy-file", class: ProblemUsage,
			says: []string{"${CLS_Topic_ID}", "cspm.json", "fills only ${Root_Account_ID} in cspmPolicy"},
		},
		{
			name: "a stranger's sub-user of the same name (step 1 before)",
			setup: func(t *testing.T, f *fixture, _ *Request) {
				if _, err := f.admin.CreateUser(context.Background(), tencent.UserSpec{Name: "sas-reader", Remark: "someone else's"}); err != nil {
					t.Fatal(err)
				}
				f.emu.ResetCalls()
			},
			input: "sub-user", class: ProblemPrecondition,
			says: []string{"sas-reader", "take over the existing user by name"},
		},
		{
			name:  "a root key to retire that the engine does not know (last step before)",
			setup: func(_ *testing.T, _ *fixture, req *Request) { req.RootKey = RootKeyDisable },
			input: "root-key", class: ProblemPrecondition, is: errNoOperatorKey,
			says: []string{"OperatorKeyID"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			req := Request{Mode: ModeManual, Features: []string{"host", "cspm", "audit"}, SubUser: "sas-reader", Site: "outside",
				Regions: []string{"ap-guangzhou"}, AuditRegion: "ap-guangzhou", SkipSync: true}
			tt.setup(t, f, &req)
			for _, dryRun := range []bool{true, false} {
				var err error
				if dryRun {
					_, err = f.engine.Plan(context.Background(), req)
				} else {
					_, err = f.engine.Apply(context.Background(), req, nil)
				}
				ps := preflightProblems(t, err)
				p, ok := problemAbout(ps, tt.input)
				if !ok || len(ps) != 1 {
					t.Fatalf("dry run %v: problems %+v, want exactly one about %s", dryRun, ps, tt.input)
				}
				if p.Class != tt.class || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Errorf("dry run %v: problem %+v (class %s, cause %v), want class %s and a cause that is %v", dryRun, p, p.Class, p.Err, tt.class, tt.is)
				}
				for _, s := range tt.says {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("dry run %v: %q does not say %q", dryRun, err, s)
					}
				}
				f.assertNothingChanged(t)
			}
		})
	}
}

// Every problem is reported at once, each naming its input: the request's own and the clouds'.
func TestThePreflightReportsEveryProblemAtOnce(t *testing.T) {
	f := newFixture(t)
	f.engine.SecurityCenter = f.wrongAlibabaKey(t)
	f.engine.Secrets = missingKeyring()
	req := Request{Mode: ModeManual, Features: []string{"host", "audit"}, SubUser: "sas-reader", Site: "outside", Regions: []string{"ap-guangzhou"},
		AuditRegion: "ap-guangzhou", AuditLogset: "0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f", KafkaNetwork: "vpn", HostSync: "2h"}
	_, err := f.engine.Apply(context.Background(), req, nil)
	ps := preflightProblems(t, err)
	want := map[string]ProblemClass{"kafka-network": ProblemUsage, "host-sync": ProblemUsage, "audit-logset": ProblemUsage,
		"secret store": ProblemPrecondition, "Alibaba Cloud key": ProblemCredentials}
	for input, class := range want {
		if p, ok := problemAbout(ps, input); !ok || p.Class != class {
			t.Errorf("no %s problem about %s in %+v", class, input, ps)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d: %+v", len(ps), len(want), ps)
	}
	if !strings.Contains(err.Error(), "5 problems; nothing was changed") {
		t.Errorf("message %q", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || !errors.Is(err, securitycenter.ErrAuth) || !errors.Is(err, store.ErrKeyringUnavailable) {
		t.Errorf("the causes do not unwrap: %v", err)
	}
	f.assertNothingChanged(t)
}

// A rejected Tencent Cloud key is a credentials problem; the checks that need the caller are left out,
// and the others still run.
func TestARejectedTencentKeyIsReportedWithTheRest(t *testing.T) {
	f := newFixture(t)
	wrong, err := tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: f.env.TencentSecretID, SecretKey: "wrong"},
		Endpoint: f.env.TencentEndpoint, Retry: tencent.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	f.engine.Cloud = wrong
	req := submitRequest()
	req.Regions = []string{"xx-nowhere-1"}
	_, err = f.engine.Apply(context.Background(), req, nil)
	ps := preflightProblems(t, err)
	if p, ok := problemAbout(ps, "Tencent Cloud key"); !ok || p.Class != ProblemCredentials || !errors.Is(err, tencent.ErrAuth) {
		t.Errorf("problems %+v, want the Tencent Cloud key rejected", ps)
	}
	if _, ok := problemAbout(ps, "regions"); !ok || len(ps) != 2 {
		t.Errorf("problems %+v, want the key and --regions", ps)
	}
	f.assertNothingChanged(t)
}

// Security Center connecting the account with another key type is found before anything is created.
func TestAnAccountOfAnotherKeyTypeIsFoundBeforeAnyChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.sc.AddAccount(ctx, securitycenter.AccountSpec{Vendor: securitycenter.VendorTencent, KeyType: securitycenter.KeyPrimary,
		SecretID: f.env.TencentSecretID, SecretKey: securitycenter.Secret(f.env.TencentSecretKey), Modules: []securitycenter.Module{securitycenter.ModuleHost},
		DisplayName: "by hand"}); err != nil {
		t.Fatal(err)
	}
	n := len(f.env.SecurityCenter.Calls())
	f.emu.ResetCalls()
	_, err := f.engine.Apply(ctx, submitRequest(), nil)
	ps := preflightProblems(t, err)
	if p, ok := problemAbout(ps, "Security Center"); !ok || !strings.Contains(p.Problem, "key type") {
		t.Fatalf("problems %+v, want the other key type named", ps)
	}
	if m := f.sasMutatingSince(n); len(m) != 0 {
		t.Errorf("Security Center calls: %v", m)
	}
	for _, c := range f.emu.Calls() {
		if c.Mutating {
			t.Errorf("mutating call %s", c.Action)
		}
	}
}

// The probe leaves the secret store as it was, and a dry run's probe writes nothing.
func TestTheSecretStoreProbeLeavesNothing(t *testing.T) {
	f := newFixture(t)
	home := t.TempDir()
	files, err := store.NewFileStore(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.Secrets = files
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip, SkipSync: true}
	if _, err := f.engine.Plan(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(files.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a dry run wrote the secret store (%v)", err)
	}
	res, err := f.engine.Apply(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(files.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "preflight") || !strings.Contains(string(data), "tencent/"+res.OwnerUIN+"/sas-reader") {
		t.Errorf("secret file after the run: %s", data)
	}
}

// Every policy's own embedded template renders with the values the pre-flight assumes the engine fills:
// the list of placeholders per policy is the engine's.
func TestStandInValuesFillEveryEmbeddedTemplate(t *testing.T) {
	for _, name := range policy.Names() {
		if _, err := policy.Render(name, standInValues(name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if len(policyPlaceholders[name]) == 0 {
			t.Errorf("%s: no placeholders listed", name)
		}
	}
}

// Validate reports every invalid field at once.
func TestValidateReportsEveryInvalidField(t *testing.T) {
	req := Request{Mode: ModeManual, Features: []string{"host", "dns"}, SubUser: "bad name!", Site: "europe", HostSync: "2h", RootKey: "burn"}
	err := req.Validate()
	for _, flag := range []string{"features", "sub-user", "site", "host-sync", "root-key"} {
		if !strings.Contains(err.Error(), "invalid "+flag+":") {
			t.Errorf("%q does not name %s", err, flag)
		}
	}
	// A missing mode does not also claim a missing sub-user or features: which are needed depends on it.
	err = (&Request{}).Validate()
	if err == nil || strings.Contains(err.Error(), "invalid sub-user") || strings.Contains(err.Error(), "invalid features") {
		t.Errorf("empty request: %v", err)
	}
}

// A preset policy the account lacks (step 2 before) is found before the sub-user is created, with the
// preset to grant instead.
func TestAMissingPresetPolicyIsFoundBeforeAnyChange(t *testing.T) {
	f := newFixture(t)
	env, err := emulator.Start(context.Background(), emulator.Options{WithoutPresets: []string{policy.PresetCloudResourceReadOnly}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	f.engine.Cloud, err = tencent.New(tencent.Options{Credential: tencent.Credential{SecretID: env.TencentSecretID, SecretKey: tencent.SecretKey(env.TencentSecretKey)},
		Endpoint: env.TencentEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Mode: ModeManual, Features: []string{"host", "cspm"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip}
	_, err = f.engine.Apply(context.Background(), req, nil)
	ps := preflightProblems(t, err)
	p, ok := problemAbout(ps, "features")
	if !ok || len(ps) != 1 || !strings.Contains(p.String(), policy.PresetCloudResourceReadOnly) || !strings.Contains(p.String(), "choose the custom cspmPolicy") ||
		!errors.Is(err, tencent.ErrNotFound) {
		t.Fatalf("problems %+v, want the missing preset named with its alternatives", ps)
	}
	for _, c := range env.Tencent.Calls() {
		if c.Mutating {
			t.Errorf("mutating call %s", c.Action)
		}
	}
}
