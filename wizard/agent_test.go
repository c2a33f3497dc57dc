package wizard

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"onboard/onboarding"
)

// accept presses y on the summary and feeds Update the installation's messages until none comes for a
// moment. The messages are read from the channel directly: a wait command that settle gave up on would
// keep reading it and swallow the next message.
func accept(t *testing.T, m Model) Model {
	t.Helper()
	next, cmd := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	m = next.(Model)
	if cmd == nil {
		t.Fatalf("y started nothing:\n%s", screen(m))
	}
	batch, _ := cmd().(tea.BatchMsg)
	got := make(chan tea.Msg, len(batch))
	for _, c := range batch {
		go func() { got <- c() }()
	}
	for range batch {
		if msg := <-got; msg != nil {
			if _, tick := msg.(spinner.TickMsg); !tick {
				next, _ = m.Update(msg)
				m = next.(Model)
				break
			}
		}
	}
	return pump(m)
}

// pump feeds Update the running installation's messages until none comes for a moment.
func pump(m Model) Model {
	for {
		select {
		case msg := <-m.events:
			next, _ := m.Update(msg)
			m = next.(Model)
		case <-time.After(300 * time.Millisecond):
			return m
		}
	}
}

// fakeAgents reports hosts as AgentInstaller.Run does: the hosts it will not try first, then each tried
// host queued, running and finished. It holds before the hosts finish until release is closed, so that a
// test sees the progress mid-run, and stops when its context is cancelled.
type fakeAgents struct {
	mu      sync.Mutex
	req     []onboarding.AgentRequest
	release chan struct{}
	// everyHost: the install ends with the agent on every host, none skipped or failed.
	everyHost bool
}

func (f *fakeAgents) Run(ctx context.Context, req onboarding.AgentRequest, progress func(onboarding.AgentEvent)) (onboarding.AgentResult, error) {
	f.mu.Lock()
	f.req = append(f.req, req)
	f.mu.Unlock()
	res := onboarding.AgentResult{Account: req.Account, Counts: map[string]int{}}
	off := onboarding.HostOutcome{InstanceID: "ins-tatoff", Region: "ap-guangzhou", Kind: "cvm", Outcome: onboarding.HostSkipped, Reason: "TAT agent offline"}
	ok := onboarding.HostOutcome{InstanceID: "ins-good", Region: "ap-guangzhou", Kind: "cvm", OS: "linux", Outcome: "queued"}
	bad := onboarding.HostOutcome{InstanceID: "lhins-bad", Region: "ap-beijing", Kind: "lighthouse", OS: "linux", Outcome: "queued"}
	progress(onboarding.AgentEvent{Host: off})
	for _, h := range []*onboarding.HostOutcome{&ok, &bad} {
		progress(onboarding.AgentEvent{Host: *h})
		h.Outcome = "running"
		progress(onboarding.AgentEvent{Host: *h})
	}
	select {
	case <-f.release:
	case <-ctx.Done():
		ok.Outcome, bad.Outcome = onboarding.HostFailed, onboarding.HostFailed
		ok.Reason, bad.Reason = "stopped", "stopped"
		res.Hosts = []onboarding.HostOutcome{off, ok, bad}
		return res, ctx.Err()
	}
	ok.Outcome = onboarding.HostInstalled
	bad.Outcome, bad.Reason, bad.Output = onboarding.HostFailed, "the install command ended FAILED (exit code 1)", "curl: (7) Failed to connect"
	if f.everyHost {
		bad.Outcome, bad.Reason, bad.Output = onboarding.HostInstalled, "", ""
	}
	for _, h := range []onboarding.HostOutcome{ok, bad} {
		progress(onboarding.AgentEvent{Host: h})
	}
	res.Hosts = []onboarding.HostOutcome{off, ok, bad}
	if f.everyHost {
		res.Hosts = []onboarding.HostOutcome{ok, bad}
	}
	for _, h := range res.Hosts {
		res.Counts[h.Outcome]++
	}
	return res, nil
}

// toSummary answers the questions, applies, and returns the summary of an onboarding whose first sync
// found three CVM and two Lighthouse hosts.
func toSummary(t *testing.T, agents Agents, securityCenter string) Model {
	t.Helper()
	e := &fakeEngine{result: onboarding.Result{Account: "prod", OwnerUIN: "100012345678",
		FirstSync:  &onboarding.SyncResult{Counts: map[string]int{"cvm.instance": 3, "lighthouse.instance": 2, "cos.bucket": 4}},
		NextSteps:  []string{onboarding.NextStepInstallAgent, "bind a paid Security Center edition to the hosts you want protected"},
		Connection: []onboarding.ConnectionCheck{{Feature: "host", NextSteps: []string{onboarding.NextStepInstallAgent}}}}}
	deps := testDeps(false, e)
	deps.Start.SecurityCenter = securityCenter
	if agents != nil {
		deps.Agents = func(Answers) (Agents, error) { return agents, nil }
	}
	m := start(t, deps)
	m = press(t, m, "enter", "enter", "x", "enter")
	m = toPage(t, m, "review")
	m = press(t, m, "enter")
	if m.Page() != "summary" {
		t.Fatalf("not at the summary:\n%s", screen(m))
	}
	return m
}

// TestSummaryInstallsTheAgent: the summary offers the agent on the synced hosts; y runs the installer
// on the onboarded account with every host, shows each host as it moves, and ends with the outcome per
// host in the wizard's result.
func TestSummaryInstallsTheAgent(t *testing.T) {
	agents := &fakeAgents{release: make(chan struct{})}
	m := toSummary(t, agents, "")
	if s := screen(m); !strings.Contains(s, "Install the Security Center agent on 5 hosts now?") || !strings.Contains(s, "y install the agent") {
		t.Fatalf("no offer on the summary:\n%s", s)
	}
	m = accept(t, m) // the installer now holds with both hosts running
	s := screen(m)
	for _, want := range []string{"ins-tatoff", "skipped", "TAT agent offline", "ins-good", "lhins-bad", "2 running", "installing…", "stop"} {
		if !strings.Contains(s, want) {
			t.Errorf("the live progress lacks %q:\n%s", want, s)
		}
	}
	m = press(t, m, "enter") // not an exit while it runs
	if m.done {
		t.Fatalf("enter left the wizard while the agent was being installed")
	}
	close(agents.release)
	m = pump(m)
	if len(agents.req) != 1 || agents.req[0].Account != "prod" || !agents.req[0].All || agents.req[0].DryRun {
		t.Errorf("the installer was asked %+v, want every host of prod", agents.req)
	}
	s = screen(m)
	for _, want := range []string{"installed", "the install command ended FAILED", "Account prod: 1 installed, 1 skipped, 1 failed."} {
		if !strings.Contains(s, want) {
			t.Errorf("the summary lacks %q:\n%s", want, s)
		}
	}
	res, err := m.Result()
	if err != nil || res.Agent == nil || res.Agent.Done() || res.Agent.Counts[onboarding.HostInstalled] != 1 {
		t.Fatalf("result %+v, %v: want the agent's outcome, not done", res.Agent, err)
	}
	m = press(t, m, "y") // asked once only
	if len(agents.req) != 1 {
		t.Errorf("y ran the installer again")
	}
	if m = press(t, m, "enter"); !m.done {
		t.Errorf("enter did not leave the summary")
	}
}

// TestAgentOfferOnlyWithHostsAndKey: no offer without synced hosts, without a Security Center key, or
// once declined (leaving).
func TestAgentOfferOnlyWithHostsAndKey(t *testing.T) {
	agents := &fakeAgents{release: make(chan struct{})}
	if s := screen(toSummary(t, agents, onboarding.SecurityCenterSkip)); strings.Contains(s, "Install the Security Center agent") {
		t.Errorf("offered with Security Center left to the console:\n%s", s)
	}
	if s := screen(toSummary(t, nil, "")); strings.Contains(s, "Install the Security Center agent") {
		t.Errorf("offered without an installer:\n%s", s)
	}
	res := onboarding.Result{FirstSync: &onboarding.SyncResult{Counts: map[string]int{"cos.bucket": 4}}}
	if g := newAgentRun(res, Answers{}, Deps{Agents: func(Answers) (Agents, error) { return agents, nil }}); g.offered() {
		t.Errorf("offered without synced hosts")
	}
	m := press(t, toSummary(t, agents, ""), "enter")
	if r, err := m.Result(); !m.done || err != nil || r.Agent != nil || len(agents.req) != 0 {
		t.Errorf("declining: done %v, %+v, %v, %d runs", m.done, r.Agent, err, len(agents.req))
	}
}

// TestCtrlCStopsTheAgent: Ctrl+C while the agent is being installed cancels the installer's context,
// waits for it, and ends the wizard cancelled with what it did.
func TestCtrlCStopsTheAgent(t *testing.T) {
	agents := &fakeAgents{release: make(chan struct{})}
	m := press(t, accept(t, toSummary(t, agents, "")), "ctrl+c")
	if !m.ag.cancelling || !strings.Contains(screen(m), "stopping") {
		t.Fatalf("ctrl+c did not stop the installer:\n%s", screen(m))
	}
	m = pump(m)
	res, err := m.Result()
	if !errors.Is(err, ErrCancelled) || res.Agent == nil || len(res.Agent.Hosts) != 3 || res.Engine == nil {
		t.Errorf("after ctrl+c: %+v, %v", res.Agent, err)
	}
}

// Once the summary's installation has put the agent on every host, installing it is no longer a next
// step, on the screen as in the result; while a host is left without it, the step stays.
func TestAnAgentOnEveryHostIsNoLongerANextStep(t *testing.T) {
	for _, tt := range []struct {
		name      string
		everyHost bool
	}{{"every host", true}, {"a host failed", false}} {
		t.Run(tt.name, func(t *testing.T) {
			agents := &fakeAgents{release: make(chan struct{}), everyHost: tt.everyHost}
			close(agents.release)
			m := pump(accept(t, toSummary(t, agents, "")))
			res, err := m.Result()
			if err != nil || res.Engine == nil || res.Agent == nil {
				t.Fatalf("result %+v, %v", res, err)
			}
			onScreen := strings.Contains(strings.Join(strings.Fields(screen(m)), " "), "install the Security Center agent on the Tencent Cloud hosts")
			inResult := slices.Contains(res.Engine.NextSteps, onboarding.NextStepInstallAgent) ||
				slices.Contains(res.Engine.Connection[0].NextSteps, onboarding.NextStepInstallAgent)
			if onScreen == tt.everyHost || inResult == tt.everyHost {
				t.Errorf("the next step of installing the agent: on the screen %v, in the result %v; want %v", onScreen, inResult, !tt.everyHost)
			}
			if !slices.Contains(res.Engine.NextSteps, "bind a paid Security Center edition to the hosts you want protected") {
				t.Errorf("another next step went too: %v", res.Engine.NextSteps)
			}
		})
	}
}
