package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"onboard/emulator"
	"onboard/policy"
	"onboard/tencent"
)

// testPropagation is the emulated CAM's delay: longer than one verification round trip, so that a run
// that did not wait would fail.
const testPropagation = time.Second

// waited reports whether the events announce a wait for CAM in the step.
func waited(events []Event, step string) bool {
	return slices.ContainsFunc(events, func(e Event) bool {
		return e.Step == step && e.Status == "running" && strings.HasPrefix(e.Detail, "waiting for CAM to apply the grants (up to ")
	})
}

// A new key and its grants that CAM applies only after a while: the run waits, says so, and succeeds,
// Security Center included.
func TestOnboardingWaitsForCAMToApplyTheNewKeyAndGrants(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{Propagation: testPropagation})
	f.engine.PropagationWait = 20 * time.Second
	var events []Event
	start := time.Now()
	res, err := f.engine.Apply(context.Background(), submitRequest(), func(e Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if !waited(events, "verify") {
		t.Errorf("no event announced the wait: %+v", events)
	}
	if !slices.Contains(events, Event{Step: "verify", Title: stepTitleForTest("verify"), Status: "running", Detail: "waiting for CAM to apply the grants (up to 20 s)"}) {
		t.Errorf("the wait's event does not name its bound: %+v", events)
	}
	if time.Since(start) < testPropagation {
		t.Errorf("the run took %s, less than CAM's delay: it cannot have used the new key", time.Since(start))
	}
	if res.SecurityCenter == nil || res.SecurityCenter.Status != "normal" || !slices.Contains(res.Verified, "host: cvm:DescribeInstances") {
		t.Errorf("result: %+v %+v", res.SecurityCenter, res.Verified)
	}
}

func stepTitleForTest(id string) string {
	for _, s := range steps {
		if s.ID == id {
			return s.Title
		}
	}
	return ""
}

// A key that works already does not prove a grant added later: each probe waits for its own grant. The
// re-run adds audit logs to a working key, so only the audit probe meets CAM's delay.
func TestEveryProbeWaitsNotOnlyTheIdentity(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{Propagation: testPropagation})
	f.engine.PropagationWait = 20 * time.Second
	ctx := context.Background()
	req := auditRequest()
	req.Features, req.AuditRegion, req.SecurityCenter = []string{"host"}, "", SecurityCenterSkip
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	req = auditRequest()
	req.SecurityCenter = SecurityCenterSkip
	var events []Event
	res, err := f.engine.Apply(ctx, req, func(e Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(res.Reused, "API key") || !containsPrefix(res.Created, "grant "+policy.CIEMPolicy) {
		t.Fatalf("the re-run should reuse the key and add the audit grant: created %v, reused %v", res.Created, res.Reused)
	}
	if !waited(events, "verify") || !containsPrefix(res.Verified, "audit: cls:DescribeKafkaConsumer") {
		t.Errorf("the audit probe did not wait for its grant: events %+v, verified %v", events, res.Verified)
	}
}

// Security Center checks the key against Tencent Cloud itself: a verdict that fails only because CAM has
// not applied a new grant yet is checked again, not reported. The re-run adds Agentic SOC, whose grant no
// probe of the engine's own needs, so only Security Center's check meets CAM's delay.
func TestASecurityCenterRefusalCAMExplainsIsCheckedAgain(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{Propagation: testPropagation})
	f.engine.PropagationWait = 20 * time.Second
	ctx := context.Background()
	req := submitRequest()
	req.Features, req.CloudSync = []string{"host"}, "" // a cloud-service frequency belongs to CSPM
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	n := len(f.env.SecurityCenter.Calls())
	req.Features = []string{"host", "soc"}
	var events []Event
	res, err := f.engine.Apply(ctx, req, func(e Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("the refusal CAM's delay explains was reported: %v", err)
	}
	if res.SecurityCenter == nil || res.SecurityCenter.Status != "normal" {
		t.Errorf("Security Center: %+v", res.SecurityCenter)
	}
	modifies := 0
	for _, m := range f.sasMutatingSince(n) {
		if m == "ModifyCloudVendorAccountAK" {
			modifies++
		}
	}
	if modifies < 2 {
		t.Errorf("%d ModifyCloudVendorAccountAK calls; want the module change and at least one new validation", modifies)
	}
	if !waited(events, "security-center") {
		t.Errorf("no event announced the wait: %+v", events)
	}
}

// A delay longer than the engine's bound fails the run, naming the wait, and not as rejected credentials
// (the operator's key is fine; the new one is only not applied yet).
func TestADelayLongerThanTheBoundFailsNamingTheWait(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{Propagation: time.Minute})
	f.engine.PropagationWait = 700 * time.Millisecond
	req := submitRequest()
	_, err := f.engine.Apply(context.Background(), req, nil)
	if err == nil || !errors.Is(err, ErrPropagation) || !strings.Contains(err.Error(), "after waiting 0.7 s for CAM") {
		t.Fatalf("error %v, want one naming the 0.7 s wait for CAM", err)
	}
	if errors.Is(err, tencent.ErrAuth) {
		t.Errorf("the error reads as rejected credentials: %v", err)
	}
}

// Security Center's check too gives up at the bound and says so.
func TestASecurityCenterRefusalPastTheBoundFailsNamingTheWait(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{Propagation: 2 * time.Second})
	f.engine.PropagationWait = 20 * time.Second
	ctx := context.Background()
	req := submitRequest()
	req.Features, req.CloudSync = []string{"host"}, "" // a cloud-service frequency belongs to CSPM
	if _, err := f.engine.Apply(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	f.engine.PropagationWait = 300 * time.Millisecond
	req.Features = []string{"host", "soc"}
	_, err := f.engine.Apply(ctx, req, nil)
	if err == nil || !errors.Is(err, ErrPropagation) || !strings.Contains(err.Error(), "after waiting 0.3 s for CAM") || !strings.Contains(err.Error(), "module AgenticSOC") {
		t.Fatalf("error %v, want Security Center's Agentic SOC refusal after the 0.3 s wait for CAM", err)
	}
}

// Security Center is asked to validate again at a pace that suits the wait, never faster than the probes
// and never slower than every 5 s.
func TestRevalidateIntervalIsBounded(t *testing.T) {
	for _, tt := range []struct{ wait, want time.Duration }{
		{0, camPollInterval}, {time.Second, camPollInterval}, {20 * time.Second, time.Second},
		{90 * time.Second, 4500 * time.Millisecond}, {10 * time.Minute, 5 * time.Second},
	} {
		if got := revalidateInterval(tt.wait); got != tt.want {
			t.Errorf("revalidateInterval(%s) = %s, want %s", tt.wait, got, tt.want)
		}
	}
}
