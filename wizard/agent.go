package wizard

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"onboard/onboarding"
)

// Agents installs Security Center's agent on an account's hosts: the step "onboard agent install" runs.
// *onboarding.AgentInstaller is one.
type Agents interface {
	Run(ctx context.Context, req onboarding.AgentRequest, progress func(onboarding.AgentEvent)) (onboarding.AgentResult, error)
}

// Messages of a running agent installation.
type (
	agentEventMsg struct{ ev onboarding.AgentEvent }
	agentDoneMsg  struct {
		res onboarding.AgentResult
		err error
	}
)

// agentRun is the summary's offer to install the agent on the hosts the first sync found, and that
// installation's progress per host once accepted.
type agentRun struct {
	hosts      int // the hosts the first sync found; 0: nothing to offer
	started    bool
	running    bool
	cancelling bool
	order      []string
	host       map[string]onboarding.HostOutcome
	res        *onboarding.AgentResult
	err        error
}

// syncedHosts counts the CVM and Lighthouse instances of the first sync: the hosts the agent is for.
func syncedHosts(res onboarding.Result) int {
	if res.FirstSync == nil {
		return 0
	}
	return res.FirstSync.Counts["cvm.instance"] + res.FirstSync.Counts["lighthouse.instance"]
}

// newAgentRun offers the agent when hosts were synced and there is a Security Center key to get the
// install command with (not when Security Center is left to the console).
func newAgentRun(res onboarding.Result, a Answers, d Deps) agentRun {
	if d.Agents == nil || a.Request.SecurityCenter == onboarding.SecurityCenterSkip {
		return agentRun{}
	}
	return agentRun{hosts: syncedHosts(res), host: map[string]onboarding.HostOutcome{}}
}

// offered reports whether the summary still asks whether to install the agent.
func (g agentRun) offered() bool { return g.hosts > 0 && !g.started }

// startAgents runs the same agent installation as "onboard agent install --all" on the onboarded
// account, in the background; each host's progress comes back as a message.
func (m Model) startAgents() (Model, tea.Cmd) {
	a, account, build := m.q.ans, m.res.Account, m.deps.Agents
	m.ag.started, m.ag.running = true, true
	m.summaryScroll = 0 // the progress is at the top
	var cmd tea.Cmd
	m, cmd = m.background(func(ctx context.Context, ch chan<- tea.Msg) {
		agents, err := build(a)
		if err != nil {
			ch <- agentDoneMsg{err: err}
			return
		}
		res, err := agents.Run(ctx, onboarding.AgentRequest{Account: account, All: true},
			func(ev onboarding.AgentEvent) { ch <- agentEventMsg{ev} })
		ch <- agentDoneMsg{res: res, err: err}
	})
	return m, tea.Batch(cmd, m.spin.Tick)
}

func (m Model) updateAgents(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case agentEventMsg:
		h := msg.ev.Host
		if _, ok := m.ag.host[h.InstanceID]; !ok {
			m.ag.order = append(m.ag.order, h.InstanceID)
		}
		m.ag.host[h.InstanceID] = h
		return m, wait(m.events)
	case agentDoneMsg:
		m.ag.running = false
		if len(msg.res.Hosts) > 0 || msg.err == nil {
			m.ag.res = &msg.res
			if msg.err == nil {
				m.res = afterAgentInstall(m.res, msg.res)
			}
		}
		if m.ag.cancelling {
			m.cancelled = true
			return m, tea.Quit
		}
		if msg.err != nil {
			m.ag.err = fmt.Errorf("install the agent: %w", msg.err)
			m.err = m.ag.err
		}
	case tea.KeyPressMsg:
		if m.ag.offered() && msg.String() == "y" {
			return m.startAgents()
		}
	}
	return m, nil
}

// agentBody is the summary's agent part, above the summary so that it shows without scrolling: the
// offer, or the hosts per outcome and each host as it moves.
func (m Model) agentBody() string {
	g, w := m.ag, m.width-1
	if g.hosts == 0 {
		return ""
	}
	var b strings.Builder
	if g.offered() {
		b.WriteString(m.st.Step.Render(wrapWords(fmt.Sprintf("Install the Security Center agent on %d hosts now? (y: install)", g.hosts), w, "  ")) + "\n")
		b.WriteString(wrapWords("Without it a synced host is only listed, not protected. Later: onboard agent install --all", w, "  ") + "\n\n")
		return b.String()
	}
	// While it runs, the hosts in the order they first moved; once done, the result's own order.
	var hosts []onboarding.HostOutcome
	for _, id := range g.order {
		hosts = append(hosts, g.host[id])
	}
	if g.res != nil {
		hosts = g.res.Hosts
	}
	switch {
	case g.running && g.cancelling:
		b.WriteString(m.st.Warn.Render("Security Center agent: stopping; hosts already asked finish on their own, the next run finds them") + "\n")
	case g.running:
		b.WriteString(m.spin.View() + " Security Center agent: installing… " + liveTally(hosts) + "\n")
	case g.err != nil:
		b.WriteString(m.st.Bad.Render(wrapWords("✗ Security Center agent: "+g.err.Error(), w, "  ")) + "\n")
	case g.res != nil:
		b.WriteString(wrapWords("Security Center agent: "+g.res.Tally(), w, "  ") + "\n")
	}
	for _, h := range hosts {
		// One line a host, its reason cut to the width: the printed outcome after the wizard has it whole.
		line := fmt.Sprintf("%s %-14s %-17s %s", m.hostMark(h.Outcome), h.InstanceID, h.Outcome, h.Reason)
		b.WriteString(ansi.Truncate(strings.TrimRight(line, " "), w, "…") + "\n")
	}
	return b.String() + "\n"
}

// liveTally counts the hosts per outcome so far, the outcomes in the order the hosts first reached them.
func liveTally(hosts []onboarding.HostOutcome) string {
	var order []string
	n := map[string]int{}
	for _, h := range hosts {
		if n[h.Outcome] == 0 {
			order = append(order, h.Outcome)
		}
		n[h.Outcome]++
	}
	parts := make([]string, 0, len(order))
	for _, o := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[o], o))
	}
	return strings.Join(parts, ", ")
}

func (m Model) hostMark(outcome string) string {
	switch outcome {
	case onboarding.HostInstalled, onboarding.HostAlready:
		return m.st.Good.Render("✓")
	case onboarding.HostFailed:
		return m.st.Bad.Render("✗")
	case onboarding.HostSkipped, onboarding.HostNotChosen:
		return m.st.Muted.Render("–")
	}
	return m.spin.View()
}

// afterAgentInstall is the onboarding's result once the summary's installation a ran: installing the
// agent is no longer a next step when every host has it, on the screen, in plain prompts and in the JSON.
func afterAgentInstall(res *onboarding.Result, a onboarding.AgentResult) *onboarding.Result {
	if res == nil {
		return nil
	}
	after := res.AfterAgentInstall(a)
	return &after
}
