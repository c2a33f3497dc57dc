package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"onboard/policy"
	"onboard/tencent"
)

func auditRequest() Request {
	return Request{Mode: ModeManual, Features: []string{"host", "audit"}, SubUser: "sas-reader", Site: "outside",
		Regions: []string{"ap-guangzhou"}, AuditRegion: "ap-guangzhou", SkipSync: true}
}

func TestAuditLogsAreDeliveredGrantedAndSubmittedThenARerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, auditRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := res.AuditLogs
	if a == nil || a.LogsetID == "" || a.TopicID == "" || a.TrackID == 0 || a.KafkaTopic == "" || a.SecurityCenterStatus != "enable" ||
		a.BootstrapServers != "kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096" {
		t.Fatalf("audit logs: %+v", a)
	}
	if scope, ok := f.emu.KafkaConsumerScope("ap-guangzhou", a.TopicID); !ok || scope != 1 {
		t.Errorf("Kafka consumption scope %d (open %v), want 1: history and latest, as Security Center asks", scope, ok)
	}
	// CloudAudit delivers every event of every resource type to the topic.
	tracks, _ := f.admin.ListAuditTracks(ctx)
	if len(tracks) != 1 || tracks[0].Storage.Name != a.TopicID || tracks[0].ResourceType != "*" || tracks[0].EventNames[0] != "*" || !tracks[0].Enabled {
		t.Fatalf("tracks: %+v", tracks)
	}
	// ciemPolicy names the real logset and topic, and is attached to the sub-user.
	p, err := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.CIEMPolicy)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := f.admin.GetPolicy(ctx, p.ID)
	for _, id := range []string{a.LogsetID, a.TopicID, "ap-guangzhou", res.OwnerUIN} {
		if !strings.Contains(doc.Document, id) {
			t.Errorf("ciemPolicy does not name %s: %s", id, doc.Document)
		}
	}
	attached, _ := f.admin.ListAttachedUserPolicies(ctx, res.SubUserUIN)
	if !strings.Contains(mustJSON(attached), policy.CIEMPolicy) {
		t.Errorf("ciemPolicy not attached: %+v", attached)
	}
	// Security Center holds the Kafka settings: the logset ID as user, the bootstrap servers, the Kafka topic.
	ss := f.siteState(t)
	if len(ss.TrialConfigs) != 1 || ss.TrialConfigs[0].Status != "enable" || !strings.Contains(ss.TrialConfigs[0].AuthInfo, a.LogsetID) ||
		!strings.Contains(ss.TrialConfigs[0].AuthInfo, a.KafkaTopic) {
		t.Fatalf("trial configs: %+v", ss.TrialConfigs)
	}
	acct, _ := f.engine.DB.Account(ctx, res.Account)
	if acct.Audit.TopicID != a.TopicID || acct.Audit.LogsetID != a.LogsetID {
		t.Errorf("account record audit: %+v", acct.Audit)
	}
	f.emu.ResetCalls()
	n := len(f.env.SecurityCenter.Calls())
	again, err := f.engine.Apply(ctx, auditRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Errorf("the re-run made mutating Tencent Cloud calls: %v", m)
	}
	if m := f.sasMutatingSince(n); len(m) != 0 {
		t.Errorf("the re-run made mutating Security Center calls: %v", m)
	}
	if again.AuditLogs.TopicID != a.TopicID || len(again.Created) != 0 {
		t.Errorf("re-run: %+v, created %v", again.AuditLogs, again.Created)
	}
}

func TestAuditLogsUseAGivenLogsetAndTopic(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ls := f.emu.SeedLogset("ap-guangzhou", "company-audit")
	topic := f.emu.SeedTopic("ap-guangzhou", ls, "all-events")
	req := auditRequest()
	req.AuditLogset, req.AuditTopic, req.KafkaNetwork = ls, topic, "private"
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.AuditLogs.LogsetID != ls || res.AuditLogs.TopicID != topic || res.AuditLogs.BootstrapServers != "kafkaconsumer-ap-guangzhou.cls.tencentyun.com:9095" {
		t.Errorf("audit logs: %+v", res.AuditLogs)
	}
	sets, _ := f.admin.ListLogsets(ctx, "ap-guangzhou", "")
	if len(sets) != 1 {
		t.Errorf("a logset was created besides the given one: %+v", sets)
	}
	req.AuditTopic = "0f8e3c1a-0000-4c8e-9a77-5b2f1c3d4e5f"
	_, err = f.engine.Apply(ctx, req, nil)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "audit-topic" {
		t.Errorf("an unknown topic: %v, want an error naming --audit-topic", err)
	}
}

func TestAuditRollbackRemovesTheDeliveryItCreated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, auditRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := f.engine.Rollback(ctx, res.Account, f.admin)
	removed := rb.Removed
	if err != nil {
		t.Fatalf("rollback: %v (removed %v)", err, removed)
	}
	if tracks, _ := f.admin.ListAuditTracks(ctx); len(tracks) != 0 {
		t.Errorf("tracks left: %+v", tracks)
	}
	if sets, _ := f.admin.ListLogsets(ctx, "ap-guangzhou", ""); len(sets) != 0 {
		t.Errorf("logsets left: %+v", sets)
	}
	if _, err := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.CIEMPolicy); !errors.Is(err, tencent.ErrNotFound) {
		t.Errorf("ciemPolicy left: %v", err)
	}
	for _, want := range []string{"CloudAudit tracking set", "CLS topic", "CLS logset", "policy ciemPolicy"} {
		if !strings.Contains(strings.Join(removed, "\n"), want) {
			t.Errorf("rollback did not report %q: %v", want, removed)
		}
	}
}

func TestVerifyKafkaLogsInWithTheNewKey(t *testing.T) {
	ctx := context.Background()
	// The broker knows only the new key (read back from the secret store) with the audit logset as user:
	// the login works only if the engine sends exactly those. It stands in for CLS's Kafka address.
	broker := func(f *fixture, pass func(secretID, secretKey string) string) func(context.Context, tencent.KafkaCheck) error {
		return func(ctx context.Context, k tencent.KafkaCheck) error {
			stored, err := f.secrets.Get(ctx, "tencent/"+f.env.OwnerUIN+"/sas-reader")
			if err != nil {
				return err
			}
			sets, err := f.admin.ListLogsets(ctx, "ap-guangzhou", AuditLogsetName)
			if err != nil || len(sets) != 1 {
				return fmt.Errorf("audit logset: %v %v", sets, err)
			}
			cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(),
				kfake.Superuser("PLAIN", sets[0].ID, pass(stored.SecretID, stored.SecretKey.Reveal())), kfake.SeedTopics(1, k.Topic))
			if err != nil {
				return err
			}
			defer cluster.Close()
			k.Bootstrap, k.Timeout = cluster.ListenAddrs()[0], 5*time.Second
			return tencent.VerifyKafka(ctx, k)
		}
	}
	req := auditRequest()
	req.VerifyKafka = true

	f := newFixture(t)
	f.engine.VerifyKafka = broker(f, func(id, key string) string { return id + "#" + key })
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Verified, "\n"), "Kafka login to "+res.AuditLogs.BootstrapServers) {
		t.Errorf("verified: %v", res.Verified)
	}

	// A broker that expects another password refuses the login, and the run fails naming the address.
	g := newFixture(t)
	g.engine.PropagationWait = 0
	g.engine.VerifyKafka = broker(g, func(id, key string) string { return id + "#not-" + key })
	_, err = g.engine.Apply(ctx, req, nil)
	if !errors.Is(err, tencent.ErrKafkaLogin) || !strings.Contains(err.Error(), "kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096") {
		t.Errorf("a refused login: %v", err)
	}
}

func TestPolicyFileReplacesTheEmbeddedTemplate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "ciem.json")
	doc := `{"version":"2.0","statement":[{"effect":"allow","action":["cls:DescribeLogsets","cls:DescribeTopics","cls:DescribeKafkaConsumer"],"resource":["qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}","*"]}]}`
	os.WriteFile(file, []byte(doc), 0o600)
	req := auditRequest()
	req.PolicyFiles = map[string]string{policy.CIEMPolicy: file}
	res, err := f.engine.Apply(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.admin.FindPolicy(ctx, tencent.ScopeCustom, policy.CIEMPolicy)
	live, _ := f.admin.GetPolicy(ctx, p.ID)
	if strings.Contains(live.Document, "SearchLog") || !strings.Contains(live.Document, res.AuditLogs.TopicID) {
		t.Errorf("ciemPolicy is not the supplied document filled in: %s", live.Document)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":["cls:Describe*"],"resource":["${Evil}"]}]}`), 0o600)
	req.PolicyFiles = map[string]string{policy.CIEMPolicy: bad}
	var fe *FieldError
	if err := req.Validate(); !errors.As(err, &fe) || fe.Field != "policy-file" {
		t.Errorf("a template with an unknown placeholder: %v", err)
	}
}

func TestAuditFieldsAreCheckedBeforeAnyCall(t *testing.T) {
	for _, tt := range []struct {
		change func(*Request)
		field  string
	}{
		{func(r *Request) { r.AuditRegion = "" }, "audit-region"},
		{func(r *Request) { r.AuditRegion = "Guangzhou" }, "audit-region"},
		{func(r *Request) { r.AuditTopic = "0f8e3c1a-0000-4c8e-9a77-5b2f1c3d4e5f" }, "audit-topic"},
		{func(r *Request) { r.AuditLogset = "not an id!" }, "audit-logset"},
		{func(r *Request) { r.KafkaNetwork = "vpn" }, "kafka-network"},
		{func(r *Request) { r.Features = []string{"host"} }, "audit-region"},
		{func(r *Request) { r.RootKey = "burn" }, "root-key"},
	} {
		req := auditRequest()
		tt.change(&req)
		var fe *FieldError
		if err := req.Validate(); !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: %v", tt.field, err)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEachFeatureAloneAndAllTogether(t *testing.T) {
	for _, features := range [][]string{{"host"}, {"cspm"}, {"soc"}, {"audit"}, {"host", "cspm", "soc", "audit"}} {
		t.Run(strings.Join(features, "+"), func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			req := auditRequest()
			req.Features = features
			if !slices.Contains(features, "audit") {
				req.AuditRegion = ""
			}
			res, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.SecurityCenter == nil || res.SecurityCenter.Status != "normal" || len(res.SecurityCenter.Modules) != len(features) {
				t.Errorf("security center: %+v", res.SecurityCenter)
			}
			if (res.AuditLogs != nil) != slices.Contains(features, "audit") {
				t.Errorf("audit logs: %+v", res.AuditLogs)
			}
			f.emu.ResetCalls()
			if _, err := f.engine.Apply(ctx, req, nil); err != nil {
				t.Fatal(err)
			}
			if m := f.mutatingCalls(); len(m) != 0 {
				t.Errorf("the re-run made mutating calls: %v", m)
			}
		})
	}
}

func TestAuditPlanSaysCreateThenReuse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before, err := f.engine.Plan(ctx, auditRequest())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(flatten(before), "\n"); !strings.Contains(got, "create logset "+AuditLogsetName) || !strings.Contains(got, "attach attachment ciemPolicy") {
		t.Errorf("plan before apply:\n%s", got)
	}
	if _, err := f.engine.Apply(ctx, auditRequest(), nil); err != nil {
		t.Fatal(err)
	}
	f.planChangesNothing(t, auditRequest())
}
