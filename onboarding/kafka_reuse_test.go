package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"onboard/tencent"
)

// kafkaDrifts are consumptions that differ from Security Center's in one way each, and how the
// difference is named.
var kafkaDrifts = []struct {
	name string
	spec tencent.KafkaConsumerSpec
	says string
}{
	{"scope", tencent.KafkaConsumerSpec{JSON: true}, "scope latest only, Security Center needs history and latest"},
	{"format", tencent.KafkaConsumerSpec{History: true}, "format raw, Security Center needs JSON"},
	{"compression", tencent.KafkaConsumerSpec{JSON: true, History: true, Compression: tencent.KafkaLZ4}, "compression lz4, Security Center needs none"},
}

// Kafka consumption of our own topic found open with another scope, format or compression is updated to
// what Security Center reads, and the plan says so first; it is never reused as it is.
func TestOurKafkaConsumptionThatDiffersIsUpdated(t *testing.T) {
	for _, d := range kafkaDrifts {
		t.Run(d.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			req := auditRequest()
			req.SecurityCenter = SecurityCenterSkip
			res, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			topic := res.AuditLogs.TopicID
			if err := f.admin.ModifyKafkaConsumer(ctx, "ap-guangzhou", topic, d.spec); err != nil {
				t.Fatal(err)
			}
			plan, err := f.engine.Plan(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if actions := flatten(plan); !slices.ContainsFunc(actions, func(a string) bool {
				return strings.HasPrefix(a, "update kafka") && strings.Contains(a, d.says)
			}) {
				t.Errorf("the plan does not say it updates the consumption (%s): %v", d.says, actions)
			}
			f.emu.ResetCalls()
			again, err := f.engine.Apply(ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m := f.mutatingCalls(); !slices.Equal(m, []string{"ModifyKafkaConsumer"}) {
				t.Errorf("mutating calls %v, want ModifyKafkaConsumer only", m)
			}
			if !slices.ContainsFunc(again.Created, func(c string) bool { return strings.Contains(c, "updated") && strings.Contains(c, d.says) }) {
				t.Errorf("the result does not say what was updated (%s): %v", d.says, again.Created)
			}
			k, err := f.admin.GetKafkaConsumer(ctx, "ap-guangzhou", topic)
			if err != nil || !k.Enabled || !k.JSON || !k.History || k.Compression != tencent.KafkaNoCompression {
				t.Errorf("consumption after the re-run: %+v %v", k, err)
			}
		})
	}
}

// Kafka consumption that someone opened differently on a topic the request names is theirs: the plan and
// the pre-flight stop naming --audit-topic and the difference, before any change.
func TestAGivenTopicsKafkaConsumptionThatDiffersIsReported(t *testing.T) {
	for _, d := range kafkaDrifts {
		t.Run(d.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			ls := f.emu.SeedLogset("ap-guangzhou", "company-audit")
			topic := f.emu.SeedTopic("ap-guangzhou", ls, "all-events")
			if _, err := f.admin.OpenKafkaConsumer(ctx, "ap-guangzhou", topic, d.spec); err != nil {
				t.Fatal(err)
			}
			req := auditRequest()
			req.AuditLogset, req.AuditTopic, req.SecurityCenter = ls, topic, SecurityCenterSkip
			for what, run := range map[string]func() error{
				"plan":  func() error { _, err := f.engine.Plan(ctx, req); return err },
				"apply": func() error { _, err := f.engine.Apply(ctx, req, nil); return err },
			} {
				err := run()
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != "audit-topic" || !strings.Contains(err.Error(), d.says) {
					t.Errorf("%s: %v, want an error naming --audit-topic and %q", what, err, d.says)
				}
			}
			// The pre-flight finds it: nothing at all is changed.
			if m := f.mutatingCalls(); len(m) != 1 || m[0] != "OpenKafkaConsumer" {
				t.Errorf("mutating calls %v, want only the test's own OpenKafkaConsumer", m)
			}
			k, _ := f.admin.GetKafkaConsumer(ctx, "ap-guangzhou", topic)
			if k.JSON != d.spec.JSON || k.History != d.spec.History || k.Compression != d.spec.Compression {
				t.Errorf("consumption of the given topic changed: %+v", k)
			}
		})
	}
}
