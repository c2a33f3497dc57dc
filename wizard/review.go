package wizard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"onboard/onboarding"
	"onboard/policy"
)

// planMsg carries the engine's plan for the review.
type planMsg struct {
	gen  int
	plan onboarding.Plan
	// org is the organization's plan: each member's, as tencent --org --dry-run makes it.
	org *onboarding.OrganizationResult
	err error
}

// rootValues are what the root-key form writes to.
type rootValues struct{ action, confirm string }

// review is the second phase: the root-key question (with a root key), then the engine's typed plan.
type review struct {
	gen      int
	root     *huh.Form // nil once answered, or without a root key
	rootV    *rootValues
	planning bool
	plan     *onboarding.Plan
	// org is the members' plans, when the answers choose members.
	org *onboarding.OrganizationResult
	err error
	// changed is what made the previous plan stale, shown above the new one.
	changed []string
	scroll  int
}

// last4 is the confirmation the root-key question asks for: the last four characters of the SecretId.
func last4(id string) string {
	if len(id) < 4 {
		return id
	}
	return id[len(id)-4:]
}

// rootKeyForm asks what happens to the root key. Disable and delete need the last four characters of its
// SecretId typed: Enter alone never retires it.
func rootKeyForm(a Answers, width, height int) (*huh.Form, *rootValues) {
	v := &rootValues{action: a.Request.RootKey}
	if v.action == "" {
		v.action = onboarding.RootKeyKeep
	}
	masked, want := a.Tencent.Masked(), last4(a.Tencent.ID)
	form := huh.NewForm(
		huh.NewGroup(huh.NewSelect[string]().
			Title("The key you chose is the root key of account "+a.Identity.OwnerUIN+". Once everything else has succeeded, what happens to it?").
			Options(choices(onboarding.RootKeyActions, rootKeyLabels)...).Value(&v.action)),
		huh.NewGroup(huh.NewInput().
			TitleFunc(func() string {
				return "To " + v.action + " the root key " + masked + ", type the last four characters of its SecretId"
			}, &v.action).
			Value(&v.confirm).Validate(func(s string) error {
			if strings.TrimSpace(s) != want {
				return fmt.Errorf("type the last four characters of %s to %s it (shift+tab: choose again)", masked, v.action)
			}
			return nil
		})).WithHideFunc(func() bool { return v.action == onboarding.RootKeyKeep }),
	).WithShowHelp(false).WithShowErrors(false).WithTheme(huh.ThemeFunc(huh.ThemeCharm)).WithWidth(width).WithHeight(max(height-5, 4))
	return form, v
}

// enterReview starts the review: the root-key question first when the key is the root's, else the plan.
func (m Model) enterReview(changed []string) (Model, tea.Cmd) {
	m.phase = phaseReview
	m.rv = review{gen: m.rv.gen + 1, changed: changed}
	if m.asksRootKey() {
		m.rv.root, m.rv.rootV = rootKeyForm(m.q.ans, m.width, m.height)
		return m, m.rv.root.Init()
	}
	return m.startPlan()
}

// asksRootKey: the key is the root key of the account onboarded. Members are reached through their
// access role, and no root key of theirs is used.
func (m Model) asksRootKey() bool { return m.q.ans.Identity.IsRoot() && !m.q.ans.Org() }

// ready reports whether the review has something to apply: the plan, or at least one member's.
func (rv review) ready() bool {
	if rv.org != nil {
		return plannedMembers(*rv.org) > 0
	}
	return rv.plan != nil
}

// plannedMembers counts the members a dry run planned.
func plannedMembers(res onboarding.OrganizationResult) int {
	n := 0
	for _, m := range res.Members {
		if m.Outcome == onboarding.MemberPlanned {
			n++
		}
	}
	return n
}

func (m Model) startPlan() (Model, tea.Cmd) {
	m.rv.planning, m.rv.plan, m.rv.org, m.rv.err = true, nil, nil, nil
	a, req, build, gen := m.q.ans, m.q.ans.Resolved(), m.deps.Engine, m.rv.gen
	if a.Org() {
		buildOrg := m.deps.Organization
		return m, m.do(func(ctx context.Context) tea.Msg {
			if buildOrg == nil {
				return planMsg{gen: gen, err: errors.New("this build cannot onboard an organization's members")}
			}
			o, err := buildOrg(a)
			if err != nil {
				return planMsg{gen: gen, err: err}
			}
			req := a.OrganizationRequest()
			req.DryRun = true
			res, err := o.Onboard(ctx, req, nil)
			if err != nil {
				return planMsg{gen: gen, err: err}
			}
			return planMsg{gen: gen, org: &res}
		})
	}
	return m, m.do(func(ctx context.Context) tea.Msg {
		e, err := build(a, nil)
		if err != nil {
			return planMsg{gen: gen, err: err}
		}
		p, err := e.Plan(ctx, req)
		return planMsg{gen: gen, plan: p, err: err}
	})
}

func (m Model) updateReview(msg tea.Msg) (Model, tea.Cmd) {
	if p, ok := msg.(planMsg); ok {
		if p.gen != m.rv.gen {
			return m, nil
		}
		m.rv.planning = false
		switch {
		case p.err != nil:
			m.rv.err = p.err
		case p.org != nil:
			m.rv.org = p.org
		default:
			m.rv.plan = &p.plan
		}
		return m, nil
	}
	if m.rv.root != nil {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "shift+tab" && !m.rootConfirmFocused() {
			return m.backToQuestions()
		}
		f, cmd := m.rv.root.Update(msg)
		m.rv.root = f.(*huh.Form)
		cmd = tea.Batch(cmd, refocus(m.rv.root))
		if m.rv.root.State == huh.StateCompleted {
			m.q.ans.Request.RootKey = m.rv.rootV.action
			m.q.ans.Request.RootKeyConfirm = strings.TrimSpace(m.rv.rootV.confirm)
			m.rv.root = nil
			return m.startPlan()
		}
		return m, cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch k.String() {
	case "enter":
		switch {
		case m.rv.org != nil && m.rv.ready():
			return m.startOrgApply()
		case m.rv.plan != nil:
			return m.startApply()
		}
	case "shift+tab":
		if m.asksRootKey() {
			return m.enterReview(nil)
		}
		return m.backToQuestions()
	default:
		m.rv.scroll = scrollBy(m.rv.scroll, k.String(), m.bodyHeight())
	}
	return m, nil
}

// rootConfirmFocused reports whether the root-key form shows its confirmation (shift+tab there goes back
// to the choice, which the form does itself).
func (m Model) rootConfirmFocused() bool {
	_, isInput := m.rv.root.GetFocusedField().(*huh.Input)
	return isInput
}

// backToQuestions shows the last questions page again.
func (m Model) backToQuestions() (Model, tea.Cmd) {
	m.phase = phaseQuestions
	m.q.done = false
	q, cmd := m.q.show()
	m.q = q
	return m, cmd
}

// reviewBody is the answers in short, the engine's plan change by change, and the same run for scripts.
func (m Model) reviewBody() string {
	st, a, w := m.st, m.q.ans, m.width
	if m.rv.root != nil {
		return m.rv.root.View()
	}
	var b strings.Builder
	if len(m.rv.changed) > 0 {
		b.WriteString(st.Warn.Render(wrapWords("The account changed since the last plan, so onboard planned again:", w-1, "  ")) + "\n")
		for _, c := range m.rv.changed {
			b.WriteString(wrapWords("  - "+c, w-1, "    ") + "\n")
		}
		b.WriteString("\n")
	}
	for _, l := range answerLines(a) {
		b.WriteString(wrapWords(l, w-1, strings.Repeat(" ", 21)) + "\n")
	}
	b.WriteString("\n" + st.Question.Render("Plan") + "\n")
	switch {
	case m.rv.planning:
		b.WriteString("  " + m.spin.View() + " working out what exists (reading only)…\n")
	case m.rv.err != nil:
		b.WriteString(st.Bad.Render(wrapWords("✗ "+m.rv.err.Error(), w-1, "  ")) + "\n")
		if fix, ok := m.fixText(m.rv.err); ok {
			b.WriteString(wrapWords(fix, w-1, "  ") + "\n")
		}
	case m.rv.org != nil:
		b.WriteString(orgPlanBody(st, *m.rv.org, w))
	case m.rv.plan != nil:
		for _, s := range m.rv.plan.Steps {
			if len(s.Changes) == 0 {
				continue
			}
			b.WriteString(wrapWords("  "+s.Title, w-1, "    ") + "\n")
			for _, c := range s.Changes {
				b.WriteString(wrapWords("    "+c.String(), w-1, "      ") + "\n")
			}
		}
	}
	b.WriteString("\n" + st.Question.Render("The same, for scripts") + st.Muted.Render(" (no secret in it)") + "\n")
	for _, l := range wrapCommand(a.CommandArgs(m.deps.Sandbox), w-1) {
		b.WriteString(st.Code.Render(l) + "\n")
	}
	return b.String()
}

// orgPlanBody is each member's plan, in the words of tencent --org --dry-run (Change.String), or why it
// could not be made.
func orgPlanBody(st styles, res onboarding.OrganizationResult, w int) string {
	var b strings.Builder
	for _, mem := range res.Members {
		head := "  Member " + mem.UIN
		if mem.Name != "" {
			head += " (" + mem.Name + ")"
		}
		if mem.Error != "" {
			b.WriteString(st.Bad.Render(wrapWords("✗"+head[1:]+": "+mem.Error, w-1, "    ")) + "\n")
			continue
		}
		b.WriteString(wrapWords(head, w-1, "    ") + "\n")
		changes := 0
		for _, s := range mem.Plan {
			if len(s.Changes) == 0 {
				continue
			}
			b.WriteString(wrapWords("    "+s.Title, w-1, "      ") + "\n")
			for _, c := range s.Changes {
				b.WriteString(wrapWords("      "+c.String(), w-1, "        ") + "\n")
				changes++
			}
		}
		if changes == 0 {
			b.WriteString("    nothing to do\n")
		}
	}
	if n := len(res.Members) - plannedMembers(res); n > 0 {
		b.WriteString(st.Warn.Render(wrapWords(fmt.Sprintf("%d member(s) could not be planned: the apply tries them again, and the result names the command that retries them.", n), w-1, "  ")) + "\n")
	}
	return b.String()
}

// answerLines are the answers in short, for the review.
func answerLines(a Answers) []string {
	r := a.Resolved()
	var l []string
	add := func(k, v string) { l = append(l, fmt.Sprintf("  %-18s %s", k, v)) }
	add("Site", siteLabels[r.Site])
	add("Mode", r.Mode)
	feats := slices.Clone(r.Features)
	if r.Lighthouse {
		feats = append(feats, "Lighthouse servers")
	}
	add("Features", strings.Join(feats, ", "))
	if slices.Contains(r.Features, policy.FeatureCSPM) {
		add("CSPM grants", string(r.CSPMPolicy))
	}
	add("Tencent key", a.Tencent.Masked()+" ("+a.Tencent.Source+")")
	if a.Org() {
		add("Accounts", fmt.Sprintf("%d of the %d members of the organization managed by %s, each through its access role: %s",
			len(a.Members), len(a.Organization.Members), a.Organization.ManagementUIN, strings.Join(a.Members, ", ")))
	}
	switch {
	case a.Org() && r.Mode == onboarding.ModeQuick:
		add("Sub-user", onboarding.QuickUserPrefix+"<each member's last six digits>, created in each member")
	case r.Mode == onboarding.ModeQuick:
		add("Sub-user", onboarding.DefaultSubUser(r.Mode, a.Identity.OwnerUIN)+", created here; only its key goes to Security Center")
	default:
		add("Sub-user", r.SubUser)
	}
	if r.AuditRegion != "" {
		add("Audit logs", r.AuditRegion+", logset "+r.AuditLogset+", topic "+r.AuditTopic+", Kafka "+r.KafkaNetwork)
	}
	if r.SecurityCenter == onboarding.SecurityCenterSkip {
		add("Security Center", "skipped: the summary says what to enter in its console")
	} else {
		name := r.AccountName
		if a.Org() {
			name = cmp.Or(name, "each member's name") + " (its UIN)"
		}
		add("Security Center", name+", Alibaba key "+a.Alibaba.Masked())
		add("Regions", strings.Join(r.Regions, ", "))
		freqs := "hosts " + r.HostSync
		if a.has(policy.FeatureCSPM) {
			freqs += ", cloud services " + r.CloudSync
		}
		add("Sync", freqs+", AccessKey check "+r.AKCheck)
	}
	if r.SkipSync {
		add("First sync", "left out")
	}
	if a.Identity.IsRoot() && !a.Org() {
		add("Root key", r.RootKey+" (once everything else succeeded)")
	}
	return l
}

// scrollBy moves a scroll offset by the key pressed.
func scrollBy(scroll int, k string, page int) int {
	switch k {
	case "up", "k":
		scroll--
	case "down", "j":
		scroll++
	case "pgup":
		scroll -= page - 1
	case "pgdown", "space":
		scroll += page - 1
	case "home":
		scroll = 0
	case "end":
		scroll = 1 << 20
	}
	return max(scroll, 0)
}
