package wizard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"onboard/policy"
)

var featureNames = map[string]string{
	policy.FeatureHost:  "Host assets",
	policy.FeatureCSPM:  "CSPM",
	policy.FeatureSOC:   "Agentic SOC",
	policy.FeatureAudit: "Audit logs",
}

func grantsBody(m Model) string {
	var b strings.Builder
	b.WriteString("The sub-user " + m.st.Code.Render(m.ans.UserName) + " gets these policies, nothing more:\n\n")
	var custom []string
	for _, f := range m.ans.Features {
		gs, err := policy.Grants(f, m.ans.CSPMMode, m.ans.Lighthouse)
		if err != nil {
			continue
		}
		var names []string
		for _, g := range gs {
			kind := "preset"
			if !g.Preset {
				kind = "custom"
				custom = append(custom, g.Name)
			}
			names = append(names, g.Name+" ("+kind+")")
		}
		b.WriteString(fmt.Sprintf("  %-12s %s\n", featureNames[f], strings.Join(names, ", ")))
	}
	if slices.Contains(custom, policy.CSPMPolicy) {
		b.WriteString("\n" + m.st.Warn.Render(wrap("! Keep cspmPolicy up to date: it grants only the reads this version knows CSPM's checks need. "+
			"When Security Center adds check items they fail until the policy is updated (onboard policy diff cspmPolicy; run onboard tencent "+
			"again with a newer onboard). The preset grants need no upkeep.", m.width-2)) + "\n")
	}
	for _, name := range custom {
		doc, err := policy.Template(name)
		if err != nil {
			continue
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, doc, "  ", "  ") != nil {
			pretty.Reset()
			pretty.Write(doc)
		}
		b.WriteString("\n" + m.st.Question.Render(name) + m.st.Muted.Render(" (placeholders are filled in when applied)") + "\n  ")
		b.WriteString(m.st.Code.Render(pretty.String()) + "\n")
	}
	b.WriteString("\nEnter to continue.\n")
	return b.String()
}

func (m Model) summaryLines() []string {
	a := m.ans
	var l []string
	add := func(k, v string) { l = append(l, fmt.Sprintf("  %-18s %s", k, v)) }
	add("Site", siteName(a.Site))
	add("Mode", a.Mode)
	var feats []string
	for _, f := range a.Features {
		feats = append(feats, featureNames[f])
	}
	add("Features", strings.Join(feats, ", "))
	add("Tencent key", a.Tencent.Masked()+" ("+a.Tencent.Source+")")
	if a.Identity.AccountID != "" {
		add("Key is", a.Identity.Describe())
	}
	if a.Mode == ModeManual {
		add("Sub-user", a.UserName)
	}
	if a.Has(policy.FeatureAudit) {
		ls := a.LogsetID
		if ls == "" {
			ls = "new: " + NewLogsetName
		}
		tp := a.TopicID
		if tp == "" {
			tp = "new: " + NewTopicName
		}
		add("Audit logs", a.AuditRegion+", logset "+ls+", topic "+tp+", Kafka over "+a.KafkaNetwork)
	}
	if a.SkipSecurityCenter {
		add("Security Center", "skipped")
	} else {
		add("Security Center", a.DisplayName+" with Alibaba key "+a.Alibaba.Masked())
		add("Regions", strings.Join(a.Regions, ", "))
		add("Host sync", PeriodLabel(a.HostSyncMinutes))
		if a.Has(policy.FeatureCSPM) {
			add("Cloud-service sync", PeriodLabel(a.CloudSyncMinutes))
		}
		add("AK status check", PeriodLabel(a.AKCheckMinutes))
	}
	return l
}

func reviewBody(m Model) string {
	var b strings.Builder
	b.WriteString(strings.Join(m.summaryLines(), "\n") + "\n\n")
	b.WriteString(m.st.Question.Render("Plan") + "\n")
	switch {
	case m.deps.Engine == nil:
		b.WriteString("  (no engine)\n")
	case m.planErr != nil:
		b.WriteString(m.st.Bad.Render("  ✗ "+m.planErr.Error()) + "\n")
	case m.plan == nil:
		b.WriteString("  " + m.st.Muted.Render("working out what exists…") + "\n")
	default:
		for _, s := range m.plan.Steps {
			b.WriteString(fmt.Sprintf("  %-12s %s\n", s.Action, s.Title))
		}
	}
	b.WriteString("\n" + m.st.Question.Render("The same, for scripts") + m.st.Muted.Render(" (secrets stay out of it)") + "\n")
	b.WriteString(m.st.Code.Render(wrap(m.ans.CommandLine(), m.width-2)) + "\n")
	b.WriteString("\nEnter applies the plan; shift+tab goes back to change it.\n")
	return b.String()
}

func reviewKeys(m Model, msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	if key.Matches(msg, m.keys.Next) && m.deps.Engine != nil && m.plan == nil && m.planErr == nil {
		return m, nil, true // wait for the plan
	}
	return m, nil, false
}

func (m Model) stepMark(s StepEvent) string {
	switch s.Status {
	case StepRunning:
		return m.spin.View()
	case StepDone:
		return m.st.Good.Render("✓")
	case StepSkipped:
		return m.st.Muted.Render("=")
	case StepFailed:
		return m.st.Bad.Render("✗")
	}
	return m.st.Muted.Render("·")
}

func applyBody(m Model) string {
	var b strings.Builder
	for _, s := range m.steps {
		line := m.stepMark(s) + " " + s.Title
		if s.Detail != "" {
			line += m.st.Muted.Render("  " + s.Detail)
		}
		b.WriteString(line + "\n")
	}
	if len(m.steps) == 0 && m.applying {
		b.WriteString(m.spin.View() + " starting…\n")
	}
	if m.rollingBack {
		b.WriteString("\n" + m.spin.View() + " rolling back…\n")
	}
	if m.applyErr != nil && !m.applying && !m.rollingBack {
		b.WriteString("\n" + m.st.Bad.Render(wrap("✗ "+m.applyErr.Error(), m.width-2)) + "\n")
		for _, s := range m.steps {
			if s.Status == StepFailed && s.Fix != "" {
				b.WriteString(wrap("Fix: "+s.Fix, m.width-2) + "\n")
			}
		}
		b.WriteString("\nr retry (resumes where it stopped) · u roll back what was created · esc quit (kept, resumable)\n")
	}
	return b.String()
}

func applyKeys(m Model, msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	if m.applying || m.rollingBack {
		return m, nil, key.Matches(msg, m.keys.Next, m.keys.Back)
	}
	if m.applyErr != nil {
		switch {
		case key.Matches(msg, m.keys.Retry):
			m.steps = nil
			cmd := startApply(&m)
			return m, cmd, true
		case key.Matches(msg, m.keys.Undo):
			m.steps = nil
			cmd := startRollback(&m)
			return m, cmd, true
		}
		return m, nil, !key.Matches(msg, m.keys.Quit)
	}
	return m, nil, false
}

func syncBody(m Model) string {
	var b strings.Builder
	if m.deps.Syncer == nil {
		return "The first sync is left to Security Center's schedule.\n\nEnter to continue.\n"
	}
	b.WriteString("Synchronising the assets of the chosen regions…\n\n")
	width := m.width - 40
	if width < 10 {
		width = 10
	}
	for _, p := range m.syncs {
		frac := 0.0
		if p.Total > 0 {
			frac = float64(p.Done) / float64(p.Total)
		}
		if p.Finished && p.Err == nil {
			frac = 1
		}
		mark := m.spin.View()
		switch {
		case p.Err != nil:
			mark = m.st.Bad.Render("✗")
		case p.Finished:
			mark = m.st.Good.Render("✓")
		}
		count := fmt.Sprintf("%d", p.Done)
		if p.Total > 0 {
			count = fmt.Sprintf("%d/%d", p.Done, p.Total)
		}
		b.WriteString(fmt.Sprintf("%s %-16s %s %s\n", mark, p.Kind, m.bar(frac, width), count))
		if p.Err != nil {
			b.WriteString("  " + m.st.Bad.Render(wrap(p.Err.Error(), m.width-4)) + "\n")
		}
	}
	if m.syncDone {
		if m.syncErr != nil {
			b.WriteString("\n" + m.st.Warn.Render(wrap("! the sync was partly done: "+m.syncErr.Error(), m.width-2)) + "\n")
		}
		b.WriteString("\nEnter to see the summary.\n")
	}
	return b.String()
}

func syncKeys(m Model, msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	return m, nil, false
}

func summaryBody(m Model) string {
	var b strings.Builder
	o := m.outcome
	if m.syncErr != nil {
		b.WriteString(m.st.Warn.Render(wrap("Onboarding partly done: "+m.syncErr.Error(), m.width-2)) + "\n\n")
	} else {
		b.WriteString(m.st.Good.Render("Onboarding complete.") + "\n\n")
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		b.WriteString(m.st.Question.Render(title) + "\n")
		for _, l := range lines {
			b.WriteString("  " + wrap(l, m.width-4) + "\n")
		}
	}
	section("Created", o.Created)
	if o.KeyPlace != "" {
		section("The sub-user's key", []string{o.KeyPlace})
	}
	section("Verified", o.Verified)
	var syncs []string
	for _, p := range m.syncs {
		s := fmt.Sprintf("%s: %d", p.Kind, p.Done)
		if p.Err != nil {
			s += " (failed: " + p.Err.Error() + ")"
		}
		syncs = append(syncs, s)
	}
	section("First sync", syncs)
	next := o.Next
	if len(next) == 0 {
		next = []string{"onboard assets list", "onboard sync --account " + m.ans.DisplayName}
	}
	section("Next", next)
	section("Keep in mind", o.Reminders)
	b.WriteString("\nEnter to exit.\n")
	return b.String()
}

func summaryKeys(m Model, msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	if key.Matches(msg, m.keys.Next) {
		m.done = true
		return m, tea.Quit, true
	}
	return m, nil, false
}

// bar draws a progress bar of width cells filled to frac.
func (m Model) bar(frac float64, width int) string {
	if frac < 0 {
		frac = 0
	}
	if frac > 1 {
		frac = 1
	}
	full := int(frac*float64(width) + 0.5)
	return m.st.Selected.Render(strings.Repeat("█", full)) + m.st.Muted.Render(strings.Repeat("░", width-full))
}
