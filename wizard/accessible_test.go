package wizard

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"onboard/onboarding"
)

// TestAccessibleMode: plain prompts only (no key hints of the full-screen interface), each check's result
// logged after its question, the same request planned and applied.
func TestAccessibleMode(t *testing.T) {
	e := &fakeEngine{result: onboarding.Result{Account: "100012345678", OwnerUIN: "100012345678"}}
	answers := []string{
		"", "", // site, mode: the defaults
		"1", "0", // features: tick host, confirm
		"",     // Lighthouse: no
		"",     // the Tencent key found
		"",     // sub-user: the default
		"",     // the Alibaba key found
		"",     // account name: the default
		"0",    // regions: the ticked ones
		"",     // default site: no
		"", "", // host sync, AccessKey check: the defaults
		"y", // apply
	}
	var out bytes.Buffer
	res, err := runAccessible(context.Background(), testDeps(false, e), Options{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	if res.Engine == nil || len(e.planned) != 1 {
		t.Fatalf("not applied (%d plans):\n%s", len(e.planned), text)
	}
	if r := e.planned[0]; r.SubUser != onboarding.DefaultManualSubUser || strings.Join(r.Features, ",") != "host" || r.HostSync != onboarding.Defaults().HostSync {
		t.Errorf("planned %+v", r)
	}
	for _, hint := range []string{"space", "/ filter", "shift+tab", "ctrl+c", "enter submit", "↑", "toggle"} {
		if strings.Contains(text, hint) {
			t.Errorf("accessible mode prints the hint %q:\n%s", hint, text)
		}
	}
	for _, order := range [][2]string{
		{"Which Tencent Cloud key", "ok: Tencent Cloud key AKID****AB12"},
		{"Name of the CAM sub-user", "ok: sub-user sas-reader does not exist yet"},
		{"Display name of the account", "ok: Alibaba Cloud key"},
	} {
		q, log := strings.Index(text, order[0]), strings.Index(text, order[1])
		if q < 0 || log < 0 || log < q {
			t.Errorf("%q is not logged after its question %q:\n%s", order[1], order[0], text)
		}
	}
	if !strings.Contains(text, "step 1 of ") || !strings.Contains(text, "The same, for scripts: onboard tencent --no-input") {
		t.Errorf("no numbered steps or command for scripts:\n%s", text)
	}
	if strings.Contains(text, "s3cr3t") {
		t.Errorf("a secret was printed:\n%s", text)
	}
}

// TestAccessibleEndOfInputCancels: input that ends before the questions do is a cancellation.
func TestAccessibleEndOfInputCancels(t *testing.T) {
	var out bytes.Buffer
	_, err := runAccessible(context.Background(), testDeps(false, &fakeEngine{}), Options{In: strings.NewReader("\n"), Out: &out})
	if err != ErrCancelled {
		t.Errorf("got %v:\n%s", err, out.String())
	}
}

// TestAccessibleEmptyLinesEnd: Enter on every prompt (no feature ticked) is refused, and the wizard stops
// when the input ends instead of prompting forever.
func TestAccessibleEmptyLinesEnd(t *testing.T) {
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := runAccessible(context.Background(), testDeps(false, &fakeEngine{}), Options{In: strings.NewReader(strings.Repeat("\n", 60)), Out: &out})
		done <- err
	}()
	select {
	case err := <-done:
		if err != ErrCancelled {
			t.Errorf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("accessible mode did not stop at the end of its input")
	}
}

// TestAccessibleInstallsTheAgent: after the apply, a plain prompt offers the agent on the synced hosts;
// yes installs it and prints each host once it settles.
func TestAccessibleInstallsTheAgent(t *testing.T) {
	e := &fakeEngine{result: onboarding.Result{Account: "prod", OwnerUIN: "100012345678",
		FirstSync: &onboarding.SyncResult{Counts: map[string]int{"cvm.instance": 2, "lighthouse.instance": 1}}}}
	agents := &fakeAgents{release: make(chan struct{})}
	res, text, err := acceptAgentsInPlainPrompts(e, agents)
	if err != nil || res.Agent == nil || len(agents.req) != 1 || agents.req[0].Account != "prod" {
		t.Fatalf("%v, %+v, %+v:\n%s", err, res.Agent, agents.req, text)
	}
	for _, want := range []string{"Install the Security Center agent on 3 hosts now?", "ins-tatoff: skipped TAT agent offline", "ins-good: installed",
		"lhins-bad: failed the install command ended FAILED"} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ins-good: running") {
		t.Errorf("a host is printed before it settled:\n%s", text)
	}
}

// In plain prompts as on the screen, an agent put on every host is no longer a next step of the result.
func TestAccessibleAgentOnEveryHostIsNoLongerANextStep(t *testing.T) {
	e := &fakeEngine{result: onboarding.Result{Account: "prod", OwnerUIN: "100012345678",
		FirstSync: &onboarding.SyncResult{Counts: map[string]int{"cvm.instance": 2, "lighthouse.instance": 1}},
		NextSteps: []string{onboarding.NextStepInstallAgent}}}
	res, text, err := acceptAgentsInPlainPrompts(e, &fakeAgents{release: make(chan struct{}), everyHost: true})
	if err != nil || res.Agent == nil || res.Engine == nil {
		t.Fatalf("%v, %+v:\n%s", err, res, text)
	}
	if slices.Contains(res.Engine.NextSteps, onboarding.NextStepInstallAgent) {
		t.Errorf("installing the agent is still a next step: %v", res.Engine.NextSteps)
	}
}

// acceptAgentsInPlainPrompts onboards with e in plain prompts, answering yes to the apply and to the
// agent offer, and installs with agents; it returns the result and what was printed.
func acceptAgentsInPlainPrompts(e *fakeEngine, agents *fakeAgents) (Result, string, error) {
	close(agents.release)
	deps := testDeps(false, e)
	deps.Agents = func(Answers) (Agents, error) { return agents, nil }
	answers := []string{"", "", "1", "0", "", "", "", "", "", "0", "", "", "", "y", "y"}
	var out bytes.Buffer
	res, err := runAccessible(context.Background(), deps, Options{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
	return res, out.String(), err
}
