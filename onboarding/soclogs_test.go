package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"onboard/emulator/tcloud"
	"onboard/store"
	"onboard/tencent"
)

// onboardForSOC onboards an account with feature soc (Security Center skipped: the SOC logs need only
// the record) and returns its name and its key's secret.
func onboardForSOC(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host", "soc"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip, SkipSync: true, Account: "acct"}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.engine.DB.Account(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.secrets.Get(ctx, a.SecretItem)
	if err != nil {
		t.Fatal(err)
	}
	return res.Account, string(c.SecretKey)
}

// seedWAF gives the account an enterprise instance with attack-log delivery off, a small one that cannot
// deliver, a domain with everything off and one with everything on (CKafka delivery too).
func seedWAF(emu *tcloud.Server) {
	emu.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_ent01", Name: "prod", Region: "gz", Level: 3})
	emu.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_small01", Name: "blog", Region: "gz", Level: 101})
	emu.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "shop.example.com", InstanceID: "waf_ent01"})
	emu.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "api.example.com", InstanceID: "waf_ent01", AccessLog: true, PostCLS: true, PostCKafka: true})
}

func socRequest(account string) SOCLogsRequest {
	return SOCLogsRequest{Account: account, WAF: true, CFW: true}
}

// wafTopics are the CLS topics the WAF flows deliver to, with whether Kafka consumption of each is open.
func wafTopics(emu *tcloud.Server) map[string]bool {
	out := map[string]bool{}
	for _, tp := range emu.State().Topics {
		if tp.Name == SOCAttackTopicName || tp.Name == SOCAccessTopicName {
			out[tp.Name] = tp.Kafka
		}
	}
	return out
}

func TestSOCLogsShipWAFLogsThenARerunChangesNothingAndRollbackRemovesOnlyWhatWasMade(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	account, secret := onboardForSOC(t, f)
	seedWAF(f.emu)
	before := f.emu.WAFSwitches()

	res, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
	if err != nil {
		t.Fatalf("soc logs: %v", err)
	}
	if f.emu.WAFFlowCount() != 2 {
		t.Errorf("%d WAF flows, want one per log type", f.emu.WAFFlowCount())
	}
	sw := f.emu.WAFSwitches()
	for name, want := range map[string]bool{"attack-log:waf_ent01": true, "attack-log:waf_small01": false,
		"access-log:shop.example.com": true, "post-cls:shop.example.com": true, "access-log:api.example.com": true} {
		if sw[name] != want {
			t.Errorf("%s is %v, want %v", name, sw[name], want)
		}
	}
	if !containsPrefix(res.WAF.Skipped, "WAF instance waf_small01 (edition level 101)") {
		t.Errorf("the small instance is not reported as skipped: %v", res.WAF.Skipped)
	}
	if got := wafTopics(f.emu); !got[SOCAttackTopicName] || !got[SOCAccessTopicName] {
		t.Errorf("Kafka consumption of the WAF topics: %v", got)
	}
	if len(res.Topics) != 2 || res.Topics[0].KafkaTopic == "" || res.Topics[0].BootstrapServers != "kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096" {
		t.Errorf("topics: %+v", res.Topics)
	}
	if res.CFW == nil || res.CFW.Present || !strings.Contains(res.CFW.Note, "no Cloud Firewall instance") {
		t.Errorf("an account without CFW is not told so: %+v", res.CFW)
	}
	if !containsPrefix(res.Console, "Security Center console (site:") || !slices.ContainsFunc(res.Console, func(l string) bool { return strings.Contains(l, "reveal-key "+account) }) {
		t.Errorf("console values: %v", res.Console)
	}
	out, _ := json.Marshal(res)
	if strings.Contains(string(out), secret) {
		t.Error("the result holds the key's secret")
	}
	assertNoSecret(t, f.home, secret)

	// A re-run finds everything and changes nothing.
	f.emu.ResetCalls()
	again, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 || len(again.Created) != 0 {
		t.Errorf("the re-run changed %v (created %v)", m, again.Created)
	}
	if len(again.Warnings) != 0 {
		t.Errorf("warnings for an account with feature soc: %v", again.Warnings)
	}

	// The rollback turns off what onboard turned on and destroys its flows; the domain that was on stays
	// on. The CLS topics WAF made stay (CLS's), without Kafka consumption.
	rb, err := f.engine.Rollback(ctx, account, f.admin)
	if err != nil {
		t.Fatalf("rollback: %v (%+v)", err, rb)
	}
	if got := f.emu.WAFSwitches(); !mapsEqual(got, before) {
		t.Errorf("WAF switches after the rollback %v, before %v", got, before)
	}
	if f.emu.WAFFlowCount() != 0 {
		t.Errorf("%d WAF flows left", f.emu.WAFFlowCount())
	}
	if got := wafTopics(f.emu); got[SOCAttackTopicName] || got[SOCAccessTopicName] {
		t.Errorf("Kafka consumption left open: %v", got)
	}
	if !containsPrefix(rb.Removed, "WAF attack-log delivery flow") || !containsPrefix(rb.Removed, "access log of WAF domain shop.example.com") {
		t.Errorf("removed: %v", rb.Removed)
	}
	if !containsPrefix(rb.Kept, "CLS topic "+SOCAttackTopicName+" in logset "+SOCLogsetName) {
		t.Errorf("kept does not name the topics WAF made: %v", rb.Kept)
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A flow someone else made is reused, and a rollback leaves it; Kafka consumption onboard opened on its
// topic is closed again.
func TestSOCLogsReuseAStrangersFlowAndRollbackLeavesIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	account, _ := onboardForSOC(t, f)
	seedWAF(f.emu)
	f.emu.SeedWAFFlow(2, "ap-guangzhou", "team_logs", "team_attack")
	res, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(res.Reused, "WAF attack-log delivery flow 1 to CLS topic team_attack") || f.emu.WAFFlowCount() != 2 {
		t.Fatalf("reused %v, %d flows", res.Reused, f.emu.WAFFlowCount())
	}
	if _, err := f.engine.Rollback(ctx, account, f.admin); err != nil {
		t.Fatal(err)
	}
	if f.emu.WAFFlowCount() != 1 {
		t.Errorf("%d flows after the rollback, want the stranger's one", f.emu.WAFFlowCount())
	}
	for _, tp := range f.emu.State().Topics {
		if tp.Name == "team_attack" && tp.Kafka {
			t.Error("the Kafka consumption onboard opened on the reused topic is left open")
		}
	}
}

// An account with Cloud Firewall and no WAF is told what to do in the consoles, not failed, and nothing
// is changed; both readings of "no WAF" (an empty list, or an error code) are played.
func TestSOCLogsWithCFWAndWithoutWAF(t *testing.T) {
	for _, absent := range []string{"", "ResourceNotFound"} {
		t.Run("absent="+absent, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			account, _ := onboardForSOC(t, f)
			f.emu.SetWAFAbsentCode(absent)
			f.emu.SeedCFWInstance("cfwnat-0001", "egress", "nat", "ap-guangzhou")
			f.emu.ResetCalls()
			res, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.WAF == nil || res.WAF.Present || !strings.Contains(res.WAF.Note, "no WAF instance") {
				t.Errorf("WAF: %+v", res.WAF)
			}
			if res.CFW == nil || !res.CFW.Present || len(res.CFW.Instances) != 1 || !containsPrefix(res.CFW.Console, "Cloud Firewall console > Log analysis > Log delivery") {
				t.Errorf("CFW: %+v", res.CFW)
			}
			if m := f.mutatingCalls(); len(m) != 0 {
				t.Errorf("changed %v", m)
			}
			src, err := f.engine.SOCSources(ctx, "")
			if err != nil || src.CFWInstances != 1 || src.WAFDomains != 0 || !src.Any() {
				t.Errorf("sources %+v, %v", src, err)
			}
		})
	}
}

// A dry run reads only and says what a run would do.
func TestSOCLogsDryRunChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	account, _ := onboardForSOC(t, f)
	seedWAF(f.emu)
	f.emu.ResetCalls()
	req := socRequest(account)
	req.DryRun = true
	res, err := f.engine.SOCLogs(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("a dry run changed %v", m)
	}
	planned := flatten(Plan{Steps: []PlannedStep{{Changes: res.Planned}}})
	for _, want := range []string{"create waf-flow onboard_waf_attack: attack logs to CLS topic", "update waf-attack-log waf_ent01: turn on", "update waf-access-log shop.example.com: turn on"} {
		if !containsPrefix(planned, want) {
			t.Errorf("plan %v lacks %q", planned, want)
		}
	}
}

// The answer of CreatePostCLSFlow is lost and the run killed: the next run finds the flow by its topic,
// owns it, and a rollback removes it.
func TestSOCLogsResumeAfterALostFlowCreation(t *testing.T) {
	f := newFixture(t)
	account, _ := onboardForSOC(t, f)
	seedWAF(f.emu)
	ctx := f.killAt(t, "CreatePostCLSFlow", 1)
	if _, err := f.engine.SOCLogs(ctx, socRequest(account), nil); err == nil {
		t.Fatal("the killed run succeeded")
	}
	f.emu.ClearFaults()
	ctx = context.Background()
	res, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.emu.WAFFlowCount() != 2 || len(res.Topics) != 2 {
		t.Fatalf("%d flows, topics %+v", f.emu.WAFFlowCount(), res.Topics)
	}
	entries, _ := f.engine.DB.Ledger(ctx, account)
	flows := 0
	for _, en := range owned(entries) {
		if en.Kind == kindWAFFlow {
			flows++
		}
	}
	if flows != 2 {
		t.Errorf("the ledger owns %d flows, want 2", flows)
	}
	if _, err := f.engine.Rollback(ctx, account, f.admin); err != nil {
		t.Fatal(err)
	}
	if f.emu.WAFFlowCount() != 0 {
		t.Errorf("%d flows left", f.emu.WAFFlowCount())
	}
}

// An operator without the WAF and CLS write actions is stopped by the pre-flight, which names them,
// before any change.
func TestSOCLogsPreflightNamesTheOperatorsMissingActions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	account, _ := onboardForSOC(t, f)
	seedWAF(f.emu)
	f.engine.Cloud = f.readOnlyOperator(t)
	f.emu.ResetCalls()
	_, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
	var pe *PreflightError
	if !errors.As(err, &pe) || !pe.Has(ProblemPrecondition) || !errors.Is(err, tencent.ErrDenied) {
		t.Fatalf("error %v, want a pre-flight permission problem", err)
	}
	for _, want := range []string{"waf:CreatePostCLSFlow", "waf:ModifyInstanceAttackLogPost", "cls:OpenKafkaConsumer", "cfw:DescribeCfwInsStatus"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not name %s", err, want)
		}
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("changed %v", m)
	}
	// A key of another account than the record's is refused before any change.
	a, _ := f.engine.DB.Account(ctx, account)
	a.OwnerUIN = "100099999999"
	if err := f.engine.DB.SaveAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.engine.Cloud = f.admin
	_, err = f.engine.SOCLogs(ctx, socRequest(account), nil)
	if !errors.As(err, &pe) || !pe.Has(ProblemPrecondition) || !strings.Contains(err.Error(), "the key belongs to account 100000000001, not to 100099999999") {
		t.Fatalf("error %v, want the key's account named", err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("changed %v", m)
	}
	// An unknown account and a WAF region the delivery is not served in are usage problems, found together.
	_, err = f.engine.SOCLogs(ctx, SOCLogsRequest{Account: "nope", WAF: true, WAFRegion: "ap-tokyo"}, nil)
	if !errors.As(err, &pe) || len(pe.Problems) != 2 || !pe.Has(ProblemUsage) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("error %v, want two usage problems", err)
	}
}

// With Request.SOCLogs, the onboarding ships the SOC logs as its own step: planned first, done by Apply,
// and planned as reuse and check only once done; a re-run changes nothing. Without feature soc the
// request is refused naming the flag.
func TestOnboardingWithTheSOCLogsStep(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seedWAF(f.emu)
	req := Request{Mode: ModeManual, Features: []string{"host", "soc"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip, SkipSync: true, Account: "acct", SOCLogs: true}
	plan, err := f.engine.Plan(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first := flatten(plan); !containsPrefix(first, "create waf-flow onboard_waf_attack") || !containsPrefix(first, "update waf-attack-log waf_ent01") {
		t.Errorf("plan: %v", first)
	}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.SOCLogs == nil || len(res.SOCLogs.Topics) != 2 || f.emu.WAFFlowCount() != 2 {
		t.Fatalf("soc logs: %+v, %d flows", res.SOCLogs, f.emu.WAFFlowCount())
	}
	if i := slices.IndexFunc(res.Connection, func(c ConnectionCheck) bool { return c.Feature == "soc" }); i < 0 ||
		!containsPrefix(res.Connection[i].NextSteps, "in Agentic SOC's data import, enter the Kafka values listed under SOC logs") {
		t.Errorf("feature soc's next steps: %+v", res.Connection)
	}
	f.planChangesNothing(t, req)
	f.emu.ResetCalls()
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("the re-run changed %v", m)
	}
	req.Features = []string{"host"}
	var fe *FieldError
	if err := req.Validate(); !errors.As(err, &fe) || fe.Field != "soc-logs" {
		t.Errorf("--soc-logs without soc: %v", err)
	}
}

// A fault at each mutating call of the SOC logs, beyond what the client retries, fails the run; the next
// run converges on the state of a clean one (two flows, the switches on, consumption open), and the
// rollback leaves WAF as it was.
func TestSOCLogsFaultAtEachChangeThenRerunConverges(t *testing.T) {
	for _, tc := range []struct{ action, fault string }{
		{"CreatePostCLSFlow", "InternalError"}, {"CreatePostCLSFlow", tcloud.FaultDrop},
		{"ModifyInstanceAttackLogPost", "RequestLimitExceeded"}, {"ModifyInstanceAttackLogPost", tcloud.FaultDrop},
		{"ModifyDomainsCLSStatus", "InternalError"}, {"ModifyDomainPostAction", tcloud.FaultDrop},
		{"OpenKafkaConsumer", tcloud.FaultDrop},
	} {
		t.Run(tc.action+"/"+tc.fault, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			account, _ := onboardForSOC(t, f)
			seedWAF(f.emu)
			before := f.emu.WAFSwitches()
			f.emu.FailNext(tc.action, tc.fault, 5)
			if _, err := f.engine.SOCLogs(ctx, socRequest(account), nil); err == nil {
				t.Fatal("the run with a fault succeeded")
			}
			f.emu.ClearFaults()
			res, err := f.engine.SOCLogs(ctx, socRequest(account), nil)
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			sw := f.emu.WAFSwitches()
			if f.emu.WAFFlowCount() != 2 || len(res.Topics) != 2 || !sw["attack-log:waf_ent01"] || !sw["post-cls:shop.example.com"] || !sw["access-log:shop.example.com"] {
				t.Fatalf("%d flows, topics %+v, switches %v", f.emu.WAFFlowCount(), res.Topics, sw)
			}
			if got := wafTopics(f.emu); !got[SOCAttackTopicName] || !got[SOCAccessTopicName] {
				t.Errorf("Kafka consumption: %v", got)
			}
			if _, err := f.engine.Rollback(ctx, account, f.admin); err != nil {
				t.Fatal(err)
			}
			if got := f.emu.WAFSwitches(); !mapsEqual(got, before) || f.emu.WAFFlowCount() != 0 {
				t.Errorf("after the rollback: switches %v (before %v), %d flows", got, before, f.emu.WAFFlowCount())
			}
		})
	}
}

// Status reports the WAF delivery onboard made: ok while it delivers, broken with the command that fixes it
// once a flow is gone; running that command makes it ok again.
func TestStatusReportsTheSOCLogsDelivery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	account, _ := onboardForSOC(t, f)
	seedWAF(f.emu)
	soc := func() []Check {
		t.Helper()
		st, err := f.engine.Status(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(st.Checks, func(c Check) bool { return c.Area != AreaSOCLogs })
	}
	if c := soc(); len(c) != 0 {
		t.Fatalf("checks before soc logs ran: %+v", c)
	}
	if _, err := f.engine.SOCLogs(ctx, socRequest(account), nil); err != nil {
		t.Fatal(err)
	}
	checks := soc()
	if len(checks) != 2 || checks[0].Verdict != VerdictOK || checks[1].Verdict != VerdictOK {
		t.Fatalf("checks: %+v", checks)
	}
	flows, err := f.admin.ListWAFFlows(ctx, DefaultWAFRegion, tencent.WAFAttackLog)
	if err != nil || len(flows) != 1 {
		t.Fatal(flows, err)
	}
	if err := f.admin.DestroyWAFFlow(ctx, DefaultWAFRegion, tencent.WAFAttackLog, flows[0].ID); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(soc(), func(c Check) bool { return c.Verdict == VerdictBroken })
	if i < 0 || soc()[i].Fix != "onboard soc logs --account "+account {
		t.Fatalf("a destroyed flow is not reported broken: %+v", soc())
	}
	if _, err := f.engine.SOCLogs(ctx, socRequest(account), nil); err != nil {
		t.Fatal(err)
	}
	checks = soc()
	if len(checks) != 2 || checks[0].Verdict != VerdictOK || checks[1].Verdict != VerdictOK || f.emu.WAFFlowCount() != 2 {
		t.Errorf("after soc logs again: %+v, %d flows", checks, f.emu.WAFFlowCount())
	}
	if _, err := f.engine.Rollback(ctx, account, f.admin); err != nil {
		t.Fatalf("rollback with a flow that was destroyed by hand: %v", err)
	}
	if f.emu.WAFFlowCount() != 0 {
		t.Errorf("%d flows left", f.emu.WAFFlowCount())
	}
}

// An account onboarded without feature soc gets its logs shipped, with a warning that Agentic SOC is not
// connected.
func TestSOCLogsWarnWithoutFeatureSOC(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader", SecurityCenter: SecurityCenterSkip, SkipSync: true, Account: "acct"}
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	seedWAF(f.emu)
	res, err := f.engine.SOCLogs(ctx, socRequest("acct"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(res.Warnings, "account acct was onboarded without feature soc") || len(res.Topics) != 2 {
		t.Errorf("warnings %v, topics %+v", res.Warnings, res.Topics)
	}
}
