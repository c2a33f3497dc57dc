package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/emulator/sas"
	"onboard/onboarding"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
	"onboard/wizard"
)

func TestRequestFromAnswersMapsEveryField(t *testing.T) {
	tests := []struct {
		name string
		a    wizard.Answers
		want onboarding.Request
	}{
		{
			name: "manual, every feature, existing logset and topic",
			a: wizard.Answers{Site: wizard.SiteOutside, Mode: wizard.ModeManual,
				Features: []string{policy.FeatureHost, policy.FeatureCSPM, policy.FeatureSOC, policy.FeatureAudit}, CSPMMode: policy.CSPMCustom,
				UserName: "sas-reader", AuditRegion: "ap-shanghai", LogsetID: "ls-1", TopicID: "tp-1", KafkaNetwork: wizard.KafkaInternal,
				DisplayName: "prod", Regions: []string{"ap-shanghai", "ap-guangzhou"}, DefaultRegion: true,
				HostSyncMinutes: 60, CloudSyncMinutes: 10080, AKCheckMinutes: 0, RootKey: wizard.RootKeyDelete},
			want: onboarding.Request{Mode: "manual", Features: []string{"host", "cspm", "soc", "audit"}, CSPMPolicy: policy.CSPMCustom,
				SubUser: "sas-reader", Site: "outside", AccountName: "prod", SecurityCenter: "submit",
				Regions: []string{"ap-guangzhou", "ap-shanghai"}, RegionManagement: true, HostSync: "1h", CloudSync: "7d", AKCheck: "off",
				SkipSync: true, AuditRegion: "ap-shanghai", AuditLogset: "ls-1", AuditTopic: "tp-1", KafkaNetwork: "private", RootKey: "delete"},
		},
		{
			name: "new logset and topic over the internet",
			a: wizard.Answers{Site: wizard.SiteMainland, Mode: wizard.ModeManual, Features: []string{policy.FeatureAudit},
				UserName: "u", AuditRegion: "ap-guangzhou", KafkaNetwork: wizard.KafkaInternet, DisplayName: "d",
				Regions: []string{"ap-guangzhou"}, HostSyncMinutes: 180, CloudSyncMinutes: 360, AKCheckMinutes: 720, RootKey: wizard.RootKeyKeep},
			want: onboarding.Request{Mode: "manual", Features: []string{"audit"}, SubUser: "u", Site: "mainland", AccountName: "d",
				SecurityCenter: "submit", Regions: []string{"ap-guangzhou"}, HostSync: "3h", AKCheck: "12h", SkipSync: true,
				AuditRegion: "ap-guangzhou", AuditLogset: "new", AuditTopic: "new", KafkaNetwork: "public", RootKey: "keep"},
		},
		{
			name: "quick, Security Center skipped: the engine names the user and runs the first sync",
			a: wizard.Answers{Site: wizard.SiteMainland, Mode: wizard.ModeQuick, Features: []string{policy.FeatureHost}, CSPMMode: policy.CSPMPreset,
				UserName: "ignored", SkipSecurityCenter: true, DisplayName: "ignored", Regions: []string{"ap-guangzhou"},
				HostSyncMinutes: 1440, RootKey: wizard.RootKeyDisable},
			want: onboarding.Request{Mode: "quick", Features: []string{"host"}, Site: "mainland", SecurityCenter: "skip", RootKey: "disable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := requestFromAnswers(tt.a)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("request\n got %+v\nwant %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("the mapped request does not validate: %v", err)
			}
		})
	}
}

func TestFrequencyCoversEveryWizardPeriod(t *testing.T) {
	for _, m := range append([]int{0}, wizard.SchedulePeriods...) {
		f := frequency(m)
		parsed, err := securitycenter.ParseFrequency(f)
		if err != nil {
			t.Errorf("%d minutes → %q: %v", m, f, err)
			continue
		}
		if parsed.Minutes() != m {
			t.Errorf("%d minutes → %q, which is %d minutes", m, f, parsed.Minutes())
		}
	}
	if f := frequency(7); f == "off" || f == "" {
		t.Errorf("an unknown period became %q; it must stay visible for Validate to refuse", f)
	}
}

// wizardFixture is a backend over both emulators with a file secret store in a temporary home.
type wizardFixture struct {
	env     *emulator.Env
	b       *wizardBackend
	deps    wizard.Deps
	tencent wizard.Credential
	alibaba wizard.Credential
}

func newWizardFixture(t *testing.T) wizardFixture {
	t.Helper()
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	home := t.TempDir()
	vars := emulatorVars(env, home)
	f, _, _ := tencentTestFactory(vars)
	f.Sandbox = sandboxOf(env, home) // no client-side rate limits against the emulator
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	secrets, err := store.SecretStoreFromEnv(home, false, f.Getenv, f.IO.ErrOut)
	if err != nil {
		t.Fatal(err)
	}
	deps, b := newWizardDeps(f, &TencentOptions{f: f}, db, secrets)
	b.propagationWait = 2 * time.Second
	if len(deps.FoundTencent) != 1 || len(deps.FoundAlibaba) != 1 {
		t.Fatalf("found keys: %d Tencent, %d Alibaba; want the environment's one each", len(deps.FoundTencent), len(deps.FoundAlibaba))
	}
	return wizardFixture{env: env, b: b, deps: deps, tencent: deps.FoundTencent[0], alibaba: deps.FoundAlibaba[0]}
}

func TestWizardDepsFindTheKeysTheFlagsPathUses(t *testing.T) {
	fx := newWizardFixture(t)
	if fx.tencent.ID != fx.env.TencentSecretID || fx.tencent.Secret.Reveal() != fx.env.TencentSecretKey ||
		fx.tencent.Source != "the sandbox demo key" { // the fixture is marked a sandbox run
		t.Errorf("Tencent key found: %+v", fx.tencent)
	}
	if fx.alibaba.ID != fx.env.AlibabaAccessKeyID || fx.alibaba.Source != "the sandbox demo key" {
		t.Errorf("Alibaba key found: %+v", fx.alibaba)
	}
	for _, c := range []wizard.Credential{fx.tencent, fx.alibaba} {
		if m := c.Masked(); strings.Contains(m, c.ID[4:len(c.ID)-4]) || m == c.ID {
			t.Errorf("masked %q shows the middle of the key", m)
		}
	}
	if !fx.deps.Sandbox {
		t.Error("a sandbox run is not marked")
	}
}

func TestWizardChecksAgainstTheEmulators(t *testing.T) {
	fx := newWizardFixture(t)
	ctx := context.Background()

	id, err := fx.b.CheckTencent(ctx, fx.tencent)
	if err != nil || !id.Root || id.AccountID != fx.env.OwnerUIN || id.UIN != fx.env.OwnerUIN {
		t.Fatalf("CheckTencent = %+v, %v; want the root key of %s", id, err, fx.env.OwnerUIN)
	}
	if !strings.Contains(id.Describe(), "root account key") {
		t.Errorf("not said plainly: %q", id.Describe())
	}
	wrong := fx.tencent
	wrong.Secret = "not-the-secret"
	if _, err := fx.b.CheckTencent(ctx, wrong); !errors.Is(err, tencent.ErrAuth) {
		t.Errorf("a wrong Tencent secret: %v, want ErrAuth", err)
	}

	if err := fx.b.CheckAlibaba(ctx, wizard.SiteMainland, fx.alibaba); err != nil {
		t.Errorf("CheckAlibaba: %v", err)
	}
	typed := wizard.Credential{Source: wizard.SourceTyped, ID: fx.env.AlibabaAccessKeyID, Secret: "wrong"}
	if err := fx.b.CheckAlibaba(ctx, wizard.SiteMainland, typed); !errors.Is(err, securitycenter.ErrAuth) {
		t.Errorf("a wrong Alibaba secret: %v, want ErrAuth", err)
	}

	if st, err := fx.b.CheckUser(ctx, fx.tencent, "nobody-here"); err != nil || st.Exists {
		t.Errorf("CheckUser of a missing user = %+v, %v", st, err)
	}

	regions, err := fx.b.TencentRegions(ctx, fx.tencent)
	if err != nil || !slices.ContainsFunc(regions, func(r wizard.Region) bool { return r.ID == "ap-guangzhou" }) {
		t.Errorf("TencentRegions = %v, %v", regions, err)
	}

	lsID := fx.env.Tencent.SeedLogset("ap-guangzhou", "existing-logs")
	tpID := fx.env.Tencent.SeedTopic("ap-guangzhou", lsID, "existing-topic")
	logsets, err := fx.b.Logsets(ctx, fx.tencent, "ap-guangzhou")
	if err != nil || !slices.Contains(logsets, wizard.Logset{ID: lsID, Name: "existing-logs"}) {
		t.Errorf("Logsets = %v, %v", logsets, err)
	}
	topics, err := fx.b.Topics(ctx, fx.tencent, "ap-guangzhou", lsID)
	if err != nil || !slices.Contains(topics, wizard.Topic{ID: tpID, Name: "existing-topic"}) {
		t.Errorf("Topics = %v, %v", topics, err)
	}
}

func TestSyncRegionsDisablesTheOtherSitesRegions(t *testing.T) {
	fx := newWizardFixture(t)
	ctx := context.Background()
	// The loopback endpoint serves the site outside the Chinese mainland; a second listener serves the
	// mainland site of the same emulated service.
	mainland := httptest.NewServer(fx.env.SecurityCenter.Site(sas.SiteMainland))
	t.Cleanup(mainland.Close)
	outside, err := fx.b.securityCenter(wizard.SiteOutside, fx.alibaba)
	if err != nil {
		t.Fatal(err)
	}
	if err := outside.SetSyncRegions(ctx, securitycenter.VendorTencent, []string{"ap-singapore"}, false); err != nil {
		t.Fatal(err)
	}
	got, err := fx.b.SyncRegions(ctx, wizard.SiteOutside, fx.alibaba)
	if err != nil {
		t.Fatal(err)
	}
	if r := regionByID(got, "ap-singapore"); !r.Selected || r.Disabled {
		t.Errorf("on its own site ap-singapore = %+v, want selected", r)
	}
	fx.b.scEndpoint = mainland.URL
	got, err = fx.b.SyncRegions(ctx, wizard.SiteMainland, fx.alibaba)
	if err != nil {
		t.Fatal(err)
	}
	if r := regionByID(got, "ap-singapore"); !r.Disabled || r.Selected {
		t.Errorf("on the other site ap-singapore = %+v, want disabled", r)
	}
	if r := regionByID(got, "ap-guangzhou"); r.ID == "" || r.Disabled {
		t.Errorf("ap-guangzhou = %+v, want offered", r)
	}
}

func regionByID(rs []wizard.Region, id string) wizard.Region {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return wizard.Region{}
}

// eventLog collects what the adapters emit, from any goroutine.
type eventLog struct {
	mu    sync.Mutex
	steps []wizard.StepEvent
	syncs []wizard.SyncProgress
}

func (l *eventLog) step(e wizard.StepEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, e)
}

func (l *eventLog) sync(p wizard.SyncProgress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncs = append(l.syncs, p)
}

func TestWizardEnginePlanApplySyncRollback(t *testing.T) {
	fx := newWizardFixture(t)
	ctx := context.Background()
	id, err := fx.b.CheckTencent(ctx, fx.tencent)
	if err != nil {
		t.Fatal(err)
	}
	a := wizard.Answers{Site: wizard.SiteMainland, Mode: wizard.ModeManual, Features: []string{policy.FeatureHost, policy.FeatureCSPM},
		CSPMMode: policy.CSPMPreset, Tencent: fx.tencent, Identity: id, UserName: "sas-wizard", DisplayName: "wizard-test",
		Alibaba: fx.alibaba, Regions: []string{"ap-guangzhou"}, HostSyncMinutes: 360, CloudSyncMinutes: 1440, AKCheckMinutes: 1440,
		RootKey: wizard.RootKeyKeep}

	plan, err := fx.b.Plan(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(plan.Steps, func(s wizard.PlanStep) bool {
		return s.ID == "user" && s.Action == "will create" && strings.Contains(s.Title, "sas-wizard")
	}) {
		t.Errorf("plan lacks the sub-user's creation: %+v", plan.Steps)
	}
	if _, err := fx.b.db.Account(ctx, id.AccountID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the plan wrote an account record (%v)", err)
	}

	var log eventLog
	out, err := fx.b.Apply(ctx, a, log.step)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"user", "grants", "key", "verify", "security-center", "record"} {
		if !slices.ContainsFunc(log.steps, func(e wizard.StepEvent) bool { return e.ID == step && e.Status == wizard.StepDone }) {
			t.Errorf("no done event of step %s: %+v", step, log.steps)
		}
	}
	if !slices.Contains(out.Created, "sub-user sas-wizard") || out.AuthID == 0 || !strings.Contains(out.KeyPlace, "file secret store") {
		t.Errorf("outcome %+v", out)
	}
	if res, ok := fx.b.lastResult(); !ok || res.SubUser != "sas-wizard" || res.FirstSync != nil {
		t.Errorf("last result %+v (%v); the first sync belongs to the wizard's own screen", res, ok)
	}
	acct, err := fx.b.db.Account(ctx, id.AccountID)
	if err != nil || acct.Site != "mainland" || acct.HostSync != "6h" || acct.DisplayName != "wizard-test" {
		t.Errorf("account record %+v, %v", acct, err)
	}
	if st, err := fx.b.CheckUser(ctx, fx.tencent, "sas-wizard"); err != nil || !st.Exists || st.Keys != 1 || st.UIN == "" {
		t.Errorf("CheckUser of the new user = %+v, %v", st, err)
	}

	if err := fx.b.Sync(ctx, a, log.sync); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	finished := map[string]wizard.SyncProgress{}
	for _, p := range log.syncs {
		if p.Finished {
			finished[p.Kind] = p
		}
	}
	cvm, ok := finished["cvm.instance"]
	if !ok || cvm.Err != nil || cvm.Done == 0 {
		t.Errorf("cvm.instance progress %+v (all: %+v)", cvm, log.syncs)
	}
	if _, ok := finished["vpc.vpc"]; !ok {
		t.Errorf("no CSPM kind finished: %+v", finished)
	}
	assets, err := fx.b.db.Assets(ctx, store.AssetFilter{Account: id.AccountID})
	if err != nil || len(assets) != sumDone(finished) {
		t.Errorf("%d assets stored (%v), progress says %d", len(assets), err, sumDone(finished))
	}
	refreshed := 0
	for _, c := range fx.env.SecurityCenter.Calls() {
		if strings.Contains(c.Action, "Refresh") || strings.Contains(c.Action, "Sync") && !strings.Contains(c.Action, "Region") {
			refreshed++
		}
	}
	if refreshed == 0 {
		t.Errorf("Security Center was never asked to synchronise: %+v", fx.env.SecurityCenter.Calls())
	}

	log = eventLog{}
	if err := fx.b.Rollback(ctx, a, log.step); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(log.steps, func(e wizard.StepEvent) bool { return e.Title == "removed sub-user sas-wizard" }) {
		t.Errorf("rollback events %+v", log.steps)
	}
	if st, err := fx.b.CheckUser(ctx, fx.tencent, "sas-wizard"); err != nil || st.Exists {
		t.Errorf("after the rollback the user %+v, %v", st, err)
	}
}

func sumDone(ps map[string]wizard.SyncProgress) int {
	n := 0
	for _, p := range ps {
		n += p.Done
	}
	return n
}

func TestRetireRootKeyNeverClaimsWhatDidNotHappen(t *testing.T) {
	fx := newWizardFixture(t)
	ctx := context.Background()
	id, err := fx.b.CheckTencent(ctx, fx.tencent)
	if err != nil {
		t.Fatal(err)
	}
	a := wizard.Answers{Site: wizard.SiteMainland, Mode: wizard.ModeManual, Features: []string{policy.FeatureHost},
		Tencent: fx.tencent, Identity: id, UserName: "sas-root", SkipSecurityCenter: true, RootKey: wizard.RootKeyKeep}
	if _, err := fx.b.Apply(ctx, a, func(wizard.StepEvent) {}); err != nil {
		t.Fatal(err)
	}
	// A re-run with the same answers creates nothing: retiring the root key relies on it.
	if again, err := fx.b.Apply(ctx, a, func(wizard.StepEvent) {}); err != nil || len(again.Created) != 0 {
		t.Fatalf("a re-run created %v (%v)", again.Created, err)
	}
	if err := fx.b.RetireRootKey(ctx, a, wizard.RootKeyKeep); err != nil {
		t.Fatalf("keep: %v", err)
	}
	if _, err := fx.b.CheckTencent(ctx, fx.tencent); err != nil {
		t.Fatalf("keep changed the root key: %v", err)
	}
	err = fx.b.RetireRootKey(ctx, a, wizard.RootKeyDisable)
	_, checkErr := fx.b.CheckTencent(ctx, fx.tencent)
	switch {
	case err == nil && checkErr == nil:
		t.Fatal("RetireRootKey reported the root key disabled, yet it still works")
	case err == nil && !errors.Is(checkErr, tencent.ErrAuth):
		t.Fatalf("after disabling, the root key fails with %v, want ErrAuth", checkErr)
	case err != nil && checkErr != nil:
		t.Fatalf("RetireRootKey failed (%v) yet the root key no longer works (%v)", err, checkErr)
	}
}

func TestWantsWizardOnlyForAPersonWithoutAMode(t *testing.T) {
	tests := []struct {
		name          string
		stdin, stdout bool
		noInput       bool
		opts          TencentOptions
		want          bool
	}{
		{"terminal, no mode", true, true, false, TencentOptions{}, true},
		{"stdin piped", false, true, false, TencentOptions{}, false},
		{"stdout piped", true, false, false, TencentOptions{}, false},
		{"--no-input", true, true, true, TencentOptions{}, false},
		{"--mode given", true, true, false, TencentOptions{Request: onboarding.Request{Mode: "manual"}}, false},
		{"--rollback", true, true, false, TencentOptions{Rollback: true}, false},
		{"--dry-run", true, true, false, TencentOptions{DryRun: true}, false},
	}
	for _, tt := range tests {
		ios, _, _, _ := TestIOStreams()
		ios.SetTTY(tt.stdin, tt.stdout, true)
		f := &Factory{IO: ios, NoInput: tt.noInput, Getenv: func(string) string { return "" }}
		if got := wantsWizard(f, &tt.opts); got != tt.want {
			t.Errorf("%s: wantsWizard = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Streams that are not terminals never start the wizard: a missing --mode fails at once, naming it.
func TestTencentWithoutTerminalNeverStartsTheWizard(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	f, out, errOut := tencentTestFactory(emulatorVars(env, t.TempDir()))
	f.IO.In = strings.NewReader(strings.Repeat("\n", 100))
	code := run(context.Background(), f, []string{"tencent"})
	if code != ExitUsage || !strings.Contains(errOut.String(), "--mode") {
		t.Errorf("exit %d, stderr %q; want 2 naming --mode", code, errOut.String())
	}
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, "Security Center site") || strings.Contains(s, "Step 1") {
			t.Errorf("the wizard started on streams that are not terminals:\n%s", s)
		}
	}
	if n := len(env.Tencent.Calls()); n != 0 {
		t.Errorf("%d Tencent Cloud calls before the usage error", n)
	}
}

// A person at a terminal who asked for plain prompts goes through `onboard tencent` pressing Enter at
// every question: the defaults onboard the account, and the result is printed as the flags path does.
func TestTencentAtATerminalRunsTheWizardOnTheEngine(t *testing.T) {
	env, err := emulator.Start(context.Background(), emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	home := t.TempDir()
	f, out, errOut := tencentTestFactory(emulatorVars(env, home))
	f.IO.In = strings.NewReader(strings.Repeat("\n", 200))
	f.IO.SetTTY(true, true, true)
	code := run(context.Background(), f, []string{"tencent", "--accessible"})
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"Step 1 of", "Security Center site", "Onboarding complete", "Onboarded Tencent Cloud account " + env.OwnerUIN} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acct, err := db.Account(context.Background(), env.OwnerUIN)
	if err != nil || acct.SubUserName != "onboard-security-center" || acct.AuthID == "" {
		t.Errorf("account %+v, %v", acct, err)
	}
	assets, err := db.Assets(context.Background(), store.AssetFilter{Account: env.OwnerUIN})
	if err != nil || len(assets) == 0 {
		t.Errorf("no assets after the first sync (%v)\n%s", err, out.String())
	}
	if strings.Contains(out.String(), env.TencentSecretKey) || strings.Contains(errOut.String(), env.TencentSecretKey) {
		t.Error("the Tencent secret was printed")
	}
}

// The review screen's command line, parsed by the real flags, asks the engine for what the wizard does.
func TestWizardCommandLineParsesToTheSameRequest(t *testing.T) {
	answers := []wizard.Answers{
		{Site: wizard.SiteOutside, Mode: wizard.ModeManual, Features: []string{"host", "cspm", "soc", "audit"}, CSPMMode: policy.CSPMCustom,
			Tencent:  wizard.Credential{Source: "tccli profile prod", ID: "AKIDxxxxxxxxxxxxxxxx", Secret: "s"},
			Identity: wizard.Identity{AccountID: "100", UIN: "100", Root: true}, UserName: "sas-reader",
			AuditRegion: "ap-shanghai", LogsetID: "ls-1", TopicID: "tp-1", KafkaNetwork: wizard.KafkaInternal,
			DisplayName: "prod", Alibaba: wizard.Credential{Source: "aliyun CLI profile ali in /home/u/.aliyun/config.json", ID: "LTAIxxxxxxxx", Secret: "x"},
			Regions: []string{"ap-shanghai", "ap-guangzhou"}, DefaultRegion: true, HostSyncMinutes: 60, CloudSyncMinutes: 10080, AKCheckMinutes: 0,
			RootKey: wizard.RootKeyDisable},
		{Site: wizard.SiteMainland, Mode: wizard.ModeManual, Features: []string{"audit"}, CSPMMode: policy.CSPMPreset,
			Tencent:  wizard.Credential{Source: "environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY)", ID: "AKIDxxxxxxxxxxxxxxxx", Secret: "s"},
			UserName: "u", AuditRegion: "ap-guangzhou", KafkaNetwork: wizard.KafkaInternet, DisplayName: "d",
			Alibaba: wizard.Credential{Source: "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)", ID: "LTAIxxxxxxxx", Secret: "x"},
			Regions: []string{"ap-guangzhou"}, HostSyncMinutes: 180, CloudSyncMinutes: 360, AKCheckMinutes: 720, RootKey: wizard.RootKeyKeep},
		{Site: wizard.SiteMainland, Mode: wizard.ModeQuick, Features: []string{"host"},
			Tencent:  wizard.Credential{Source: wizard.SourceTyped, ID: "AKIDxxxxxxxxxxxxxxxx", Secret: "s"},
			Identity: wizard.Identity{AccountID: "100", UIN: "100", Root: true}, SkipSecurityCenter: true, RootKey: wizard.RootKeyKeep},
	}
	for _, a := range answers {
		line := a.CommandLine()
		if strings.ContainsAny(line, `'"`) {
			t.Fatalf("test values need quoting: %s", line)
		}
		args := strings.Fields(line)
		if args[0] != "onboard" || args[1] != "tencent" || args[2] != "--no-input" {
			t.Fatalf("command line %s", line)
		}
		var got *TencentOptions
		cmd := NewCmdTencent(NewFactory(), func(_ context.Context, o *TencentOptions) error { got = o; return nil })
		cmd.SetArgs(args[3:])
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		want := requestFromAnswers(a)
		want.SkipSync = false // the wizard runs the first sync on its own screen; the flags path in the engine
		// Both are compared as the engine sees them: validated, with defaults filled in.
		if err := want.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := got.Request.Validate(); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if !reflect.DeepEqual(got.Request, want) {
			t.Errorf("%s\n got %+v\nwant %+v", line, got.Request, want)
		}
		if p, ok := strings.CutPrefix(a.Tencent.Source, "tccli profile "); ok && got.Profile != p {
			t.Errorf("%s: --profile %q, want %q", line, got.Profile, p)
		}
		if a.Tencent.Source == wizard.SourceTyped && (got.SecretID != a.Tencent.ID || !got.SecretKeyStdin) {
			t.Errorf("%s: a typed key must come back as --secret-id with --secret-key-stdin", line)
		}
		if strings.HasPrefix(a.Alibaba.Source, "aliyun CLI profile ") && got.AlibabaProfile != "ali" {
			t.Errorf("%s: --alibaba-profile %q", line, got.AlibabaProfile)
		}
	}
}

// The wizard names the logset and topic a "new" choice makes: the names the engine gives them.
func TestWizardNamesTheEnginesAuditLogsetAndTopic(t *testing.T) {
	if wizard.NewLogsetName != onboarding.AuditLogsetName || wizard.NewTopicName != onboarding.AuditTopicName {
		t.Errorf("wizard says %s/%s, the engine makes %s/%s", wizard.NewLogsetName, wizard.NewTopicName, onboarding.AuditLogsetName, onboarding.AuditTopicName)
	}
}

func TestStepEventsCarryStatusAndFix(t *testing.T) {
	tests := []struct {
		ev      onboarding.Event
		status  wizard.StepStatus
		fixHas  string
		wantErr bool
	}{
		{onboarding.Event{Step: "user", Title: "CAM sub-user", Status: "running"}, wizard.StepRunning, "", false},
		{onboarding.Event{Step: "identify", Title: "identify the caller", Status: "done", Detail: "root account 1"}, wizard.StepDone, "", false},
		{onboarding.Event{Step: "key", Title: "API key", Status: "failed", Detail: "create key: quota", Err: fmt.Errorf("create key: %w", &tencent.APIError{Code: "LimitExceeded", Err: tencent.ErrKeyLimit})}, wizard.StepFailed, "Free a key slot", true},
		{onboarding.Event{Step: "verify", Title: "verify", Status: "failed", Detail: "something else", Err: errors.New("something else")}, wizard.StepFailed, "", true},
	}
	for _, tt := range tests {
		got := stepEvent(tt.ev)
		if got.ID != tt.ev.Step || got.Title != tt.ev.Title || got.Status != tt.status || (got.Err != nil) != tt.wantErr {
			t.Errorf("%+v → %+v", tt.ev, got)
		}
		if tt.wantErr && got.Err.Error() != tt.ev.Err.Error() {
			t.Errorf("error %q, want the engine's %q", got.Err, tt.ev.Err)
		}
		if !strings.Contains(got.Fix, tt.fixHas) || (tt.fixHas == "" && got.Fix != "") {
			t.Errorf("%s: fix %q, want one containing %q", tt.ev.Detail, got.Fix, tt.fixHas)
		}
	}
}

// The flags a person gives with an interactive run start the wizard from their values: through the
// answers and back, the request is the flags' own.
func TestFlagsStartTheWizardFromTheirValues(t *testing.T) {
	for _, want := range []onboarding.Request{
		{Mode: "manual", Features: []string{"host", "cspm", "soc", "audit"}, CSPMPolicy: policy.CSPMCustom, SubUser: "sas-reader", Site: "outside",
			AccountName: "prod", SecurityCenter: "submit", Regions: []string{"ap-guangzhou", "ap-shanghai"}, RegionManagement: true,
			HostSync: "1h", CloudSync: "7d", AKCheck: "off", SkipSync: true, AuditRegion: "ap-shanghai", AuditLogset: "ls-1", AuditTopic: "tp-1",
			KafkaNetwork: "private", RootKey: "delete"},
		{Mode: "quick", Features: []string{"host"}, Site: "mainland", SecurityCenter: "skip", RootKey: "disable"},
	} {
		a := wizard.Answers{Mode: want.Mode}
		answersFromRequest(want)(&a)
		if got := requestFromAnswers(a); !reflect.DeepEqual(got, want) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, want)
		}
	}
	// And the wizard's first screens show them.
	deps := wizard.Deps{Defaults: answersFromRequest(onboarding.Request{Features: []string{"soc"}, SubUser: "from-flags", Site: "outside"})}
	m := wizard.New(context.Background(), deps)
	if a := m.Answers(); a.Site != wizard.SiteOutside || a.UserName != "from-flags" || len(a.Features) != 1 || a.Features[0] != "soc" {
		t.Errorf("starting answers %+v", a)
	}
}

func TestWhatOnlyFlagsSayReachesTheWizardsRequest(t *testing.T) {
	b := &wizardBackend{flags: onboarding.Request{Account: "prod", AdoptUser: true, VerifyKafka: true, SkipPermissionCheck: true,
		PolicyFiles: map[string]string{policy.CIEMPolicy: "ciem.json"}, AdoptPolicies: []string{policy.CSPMPolicy}, AllowBroadPolicy: true}}
	a := wizard.Answers{Mode: wizard.ModeManual, Features: []string{policy.FeatureAudit}, UserName: "u", AuditRegion: "ap-guangzhou"}
	req := b.request(a)
	if req.Account != "prod" || !req.AdoptUser || !req.VerifyKafka || !req.SkipPermissionCheck || req.PolicyFiles[policy.CIEMPolicy] != "ciem.json" ||
		!slices.Equal(req.AdoptPolicies, []string{policy.CSPMPolicy}) || !req.AllowBroadPolicy {
		t.Errorf("request %+v", req)
	}
	a.Features = []string{policy.FeatureHost}
	if b.request(a).VerifyKafka {
		t.Error("--verify-kafka kept without feature audit, which the request refuses")
	}
}
