package wizard

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/tencent"
)

// job is IO a model asks for. It runs inside a tea.Cmd under the program's context, which Run owns: no
// model holds a context.
type job func(ctx context.Context) tea.Msg

// spawn turns a job into the command that runs it.
type spawn func(job) tea.Cmd

// replyMsg carries the result of a questions page's IO: set applies what was read (pure), err refuses the
// page's answers, note is shown (and logged in accessible mode) once the page is left.
type replyMsg struct {
	gen  int
	then replyThen
	note string
	err  error
	set  func(q *questions)
}

type replyThen int

const (
	thenShow replyThen = iota // a list the page shows has arrived: show its form
	thenNext                  // a live check of the answers passed: go to the next page
)

// pageID names a questions page; tests and fixes refer to pages by it.
type pageID string

// The questions pages, in the order of Security Center's console procedure.
const (
	pgSetup          pageID = "setup"
	pgFeatures       pageID = "features"
	pgGrants         pageID = "grants"
	pgTencent        pageID = "tencent-key"
	pgTencentTyped   pageID = "tencent-typed"
	pgUser           pageID = "sub-user"
	pgAuditRegion    pageID = "audit-region"
	pgAuditLogset    pageID = "audit-logset"
	pgAuditTopic     pageID = "audit-topic"
	pgSecurityCenter pageID = "security-center"
	pgAlibabaTyped   pageID = "alibaba-typed"
	pgAccountName    pageID = "account-name"
	pgRegions        pageID = "regions"
	pgFrequencies    pageID = "frequencies"
)

// page is one form of questions, as data: its fields are built from the answers so far (so that going
// back shows what was chosen) and committed back once answered.
type page struct {
	id    pageID
	title string
	skip  func(q *questions) bool
	// load reads what the fields list (regions, logsets), on entry; nil for nothing.
	load func(q *questions) (busy string, j job)
	// fields builds the form's fields, bound to q.v.
	fields func(q *questions) []huh.Field
	// commit writes q.v into the answers.
	commit func(q *questions)
	// check verifies the committed answers live; its reply decides whether to go on. nil for none.
	check func(q *questions) (busy string, j job)
}

// formValues are what the huh fields of the current page write to; one value for the wizard's life.
type formValues struct {
	site, mode                         string
	features                           []string
	cspm, lighthouse                   string
	tencentSource, secretID, secretKey string
	subUser                            string
	auditRegion, kafka, logset, topic  string
	alibabaSource, keyID, keySecret    string
	accountName                        string
	regions                            []string
	regionManagement                   string
	hostSync, cloudSync, akCheck       string
}

// questions is the first phase: one huh form per page, live checks between pages.
type questions struct {
	deps  Deps
	ans   Answers
	v     *formValues
	pages []page
	cur   int
	form  *huh.Form
	first huh.Field // the page's first field: shift+tab there goes back a page
	gen   int       // bumped on every page change, so that a late reply to a left page is dropped

	busy   string
	errMsg string
	notes  []string // what the last check found, shown on the next page
	// log is every note in order, for accessible mode, which prints a note after its question.
	log []string

	tencentRegions []tencent.Region
	logsets        []tencent.Logset
	topics         []tencent.Topic
	scRegions      []securitycenter.RegionChoice

	width, height int
	done          bool
	// plain marks accessible mode: a prompt says its default, and an empty answer keeps it.
	plain bool
}

func newQuestions(deps Deps, width, height int) questions {
	return questions{deps: deps, ans: startAnswers(deps.Start), v: &formValues{}, pages: pages(), width: width, height: height, cur: -1}
}

func (q *questions) page() page {
	if q.cur < 0 || q.cur >= len(q.pages) {
		return page{}
	}
	return q.pages[q.cur]
}

// position is the current page's number among the pages these answers use, and their count.
func (q *questions) position() (int, int) {
	pos, total := 0, 0
	for i, p := range q.pages {
		if p.skip != nil && p.skip(q) {
			continue
		}
		total++
		if i <= q.cur {
			pos++
		}
	}
	return pos, total
}

// enter moves to page i, or the nearest one in direction dir that these answers use; past the last page
// the questions are done.
func (q questions) enter(i, dir int, do spawn) (questions, tea.Cmd) {
	for i >= 0 && i < len(q.pages) && q.pages[i].skip != nil && q.pages[i].skip(&q) {
		i += dir
	}
	if i < 0 {
		return q, nil
	}
	if i >= len(q.pages) {
		q.done = true
		return q, nil
	}
	q.cur, q.gen, q.errMsg, q.form = i, q.gen+1, "", nil
	if p := q.page(); p.load != nil {
		busy, j := p.load(&q)
		if j != nil {
			q.busy = busy
			return q, do(q.reply(j, thenShow))
		}
	}
	return q.show()
}

// show builds the current page's form from the answers so far.
func (q questions) show() (questions, tea.Cmd) {
	q.busy = ""
	fields := q.page().fields(&q)
	q.first = fields[0]
	q.form = huh.NewForm(huh.NewGroup(fields...)).
		WithShowHelp(false).
		WithShowErrors(false). // the frame's status line shows them: the form keeps its height
		WithTheme(huh.ThemeFunc(huh.ThemeCharm)).
		WithWidth(q.width).
		WithHeight(q.formHeight())
	return q, q.form.Init()
}

// formHeight is what the frame leaves to the form: the header, the notes, a status line and the key hints.
func (q *questions) formHeight() int {
	notes := 0
	for _, n := range q.notes {
		notes += strings.Count(wrapWords("✓ "+n, q.width-1, "  "), "\n") + 1
	}
	return max(q.height-5-notes, 4)
}

// reply wraps a page's job so that its message names the page visit that asked.
func (q *questions) reply(j job, then replyThen) job {
	gen := q.gen
	return func(ctx context.Context) tea.Msg {
		msg := j(ctx)
		if r, ok := msg.(replyMsg); ok {
			r.gen, r.then = gen, then
			return r
		}
		return msg
	}
}

func (q questions) next(do spawn) (questions, tea.Cmd) { return q.enter(q.cur+1, +1, do) }

func (q questions) back(do spawn) (questions, tea.Cmd) {
	q.notes = nil
	prev := q.cur - 1
	for prev >= 0 && q.pages[prev].skip != nil && q.pages[prev].skip(&q) {
		prev--
	}
	if prev < 0 {
		return q, nil
	}
	return q.enter(prev, -1, do)
}

// answered commits the completed form and checks it live, or moves on.
func (q questions) answered(do spawn) (questions, tea.Cmd) {
	p := q.page()
	if q.plain {
		// huh's plain multi-select prompts again and again on a refused answer, past the end of the
		// input: the answer is checked here instead, and the page asked again.
		for _, f := range []struct {
			what string
			got  []string
			on   pageID
		}{{"feature", q.v.features, pgFeatures}, {"region", q.v.regions, pgRegions}} {
			if p.id == f.on && len(f.got) == 0 {
				q.errMsg = "choose at least one " + f.what
				return q.show()
			}
		}
	}
	p.commit(&q)
	q.notes = nil
	if p.check != nil {
		if busy, j := p.check(&q); j != nil {
			q.busy = busy
			return q, do(q.reply(j, thenNext))
		}
	}
	return q.next(do)
}

// update handles one message of the questions phase.
func (q questions) update(msg tea.Msg, do spawn) (questions, tea.Cmd) {
	switch msg := msg.(type) {
	case replyMsg:
		if msg.gen != q.gen {
			return q, nil
		}
		q.busy = ""
		if msg.err != nil {
			q.errMsg = msg.err.Error()
			return q.show() // the answers stay; the person changes them
		}
		if msg.set != nil {
			msg.set(&q)
		}
		if msg.note != "" {
			q.log = append(q.log, msg.note)
		}
		if msg.then == thenShow {
			return q.show()
		}
		q, cmd := q.next(do)
		if msg.note != "" {
			q.notes = []string{msg.note}
			if q.form != nil {
				q.form = q.form.WithHeight(q.formHeight())
			}
		}
		return q, cmd
	case tea.WindowSizeMsg:
		q.width, q.height = msg.Width, msg.Height
		if q.form != nil {
			q.form = q.form.WithWidth(q.width).WithHeight(q.formHeight())
		}
	case tea.KeyPressMsg:
		if q.busy != "" || q.form == nil {
			return q, nil
		}
		q.errMsg = ""
		if msg.String() == "shift+tab" && q.form.GetFocusedField() == q.first {
			return q.back(do)
		}
	}
	if q.form == nil {
		return q, nil
	}
	m, cmd := q.form.Update(msg)
	q.form = m.(*huh.Form)
	if q.form.State == huh.StateCompleted {
		return q.answered(do)
	}
	return q, tea.Batch(cmd, refocus(q.form))
}

// Labels of the request's choices; a value without one is shown as itself.
var (
	siteLabels = map[string]string{
		"mainland": "Chinese mainland (tds.cn-shanghai)",
		"outside":  "Outside the Chinese mainland (tds.ap-southeast-1)",
	}
	modeLabels = map[string]string{
		onboarding.ModeManual: "Manual: choose the features",
		onboarding.ModeQuick:  "Quick: host assets only",
	}
	featureLabels = map[string]string{
		policy.FeatureHost:  "Host assets (CVM servers)",
		policy.FeatureCSPM:  "CSPM: cloud product configuration checks",
		policy.FeatureSOC:   "Agentic SOC: block or allow IPs in Cloud Firewall and WAF",
		policy.FeatureAudit: "Audit logs (CIEM): CloudAudit to CLS, read over Kafka",
	}
	cspmLabels = map[string]string{
		string(policy.CSPMPreset): "Preset policies: CloudResourceReadOnlyAccess + QcloudCamReadOnlyAccess",
		string(policy.CSPMCustom): "Custom policy cspmPolicy: least privilege, kept up to date by you",
	}
	kafkaLabels = map[string]string{
		"public":  "Public: kafkaconsumer-<region>.cls.tencentcs.com:9096",
		"private": "Private network: within Tencent Cloud only",
	}
	frequencyLabels = map[string]string{
		"1h": "every hour", "3h": "every 3 hours", "6h": "every 6 hours", "12h": "every 12 hours",
		"24h": "every day", "7d": "every week", "off": "off",
	}
	rootKeyLabels = map[string]string{
		onboarding.RootKeyKeep:    "Keep it: change nothing (you are reminded)",
		onboarding.RootKeyDisable: "Disable it: it can be re-enabled in the CAM console",
		onboarding.RootKeyDelete:  "Delete it: cannot be undone",
	}
)

// choices makes huh options of the request's values, labelled for people.
func choices[T ~string](values []T, labels map[string]string) []huh.Option[string] {
	out := make([]huh.Option[string], 0, len(values))
	for _, v := range values {
		label, ok := labels[string(v)]
		if !ok {
			label = string(v)
		}
		out = append(out, huh.NewOption(label, string(v)))
	}
	return out
}

// modeText says what each mode does, in the words of what happens.
func modeText(mode, owner string) string {
	if mode == onboarding.ModeQuick {
		name := onboarding.DefaultSubUser(onboarding.ModeQuick, owner)
		if owner == "" {
			name += "<the account's last six digits>"
		}
		return "onboard creates the sub-user " + name +
			" here, with the host grants. Only the sub-user's key goes to Security Center; the root key never leaves this machine."
	}
	return "onboard creates (or reuses) a sub-user with the grants of the features you choose: hosts, CSPM, Agentic SOC, audit logs."
}

var subUserName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)

func validateSubUser(s string) error {
	if !subUserName.MatchString(strings.TrimSpace(s)) {
		return errors.New("use 1 to 64 letters, digits or + = , . @ _ -")
	}
	return nil
}

func validateSecretID(s string) error {
	if len(s) < 16 || len(s) > 128 || strings.ContainsAny(s, " \t") {
		return errors.New("16 to 128 characters, no spaces (it starts with AKID)")
	}
	return nil
}

func notEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(what + ": type it (it stays hidden)")
		}
		return nil
	}
}

func validateAccountName(s string) error {
	if s == "" || len([]rune(s)) > 64 || strings.ContainsAny(s, "\n\r\t") {
		return errors.New("1 to 64 characters on one line")
	}
	return nil
}

func credentialOptions(found []Credential, skip bool) []huh.Option[string] {
	var out []huh.Option[string]
	for _, c := range found {
		out = append(out, huh.NewOption(c.Masked()+" from "+c.Source, c.Source))
	}
	out = append(out, huh.NewOption("Type a key", SourceTyped))
	if skip {
		out = append(out, huh.NewOption("Skip Security Center for now: print what to enter in its console", SourceSkip))
	}
	return out
}

func findCredential(found []Credential, source string) (Credential, bool) {
	for _, c := range found {
		if c.Source == source {
			return c, true
		}
	}
	return Credential{}, false
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var yesNoOptions = []huh.Option[string]{huh.NewOption("No", "no"), huh.NewOption("Yes", "yes")}

func isQuick(q *questions) bool { return q.ans.Request.Mode == onboarding.ModeQuick }
func skipsSC(q *questions) bool {
	return q.ans.Request.SecurityCenter == onboarding.SecurityCenterSkip
}

// pages returns the questions, in the console procedure's order.
func pages() []page {
	return []page{
		{
			id: pgSetup, title: "Site and mode",
			fields: func(q *questions) []huh.Field {
				q.v.site, q.v.mode = q.ans.Request.Site, q.ans.Request.Mode
				owner := q.ans.Identity.OwnerUIN
				return []huh.Field{
					huh.NewSelect[string]().Title("Which Security Center site holds your Alibaba Cloud account?").
						Options(choices(onboarding.Sites, siteLabels)...).Value(&q.v.site),
					huh.NewSelect[string]().Title("How should the account be connected?").
						Options(choices([]string{onboarding.ModeManual, onboarding.ModeQuick}, modeLabels)...).Value(&q.v.mode).
						DescriptionFunc(func() string { return modeText(q.v.mode, owner) }, &q.v.mode),
				}
			},
			commit: func(q *questions) {
				q.ans.Request.Site, q.ans.Request.Mode = q.v.site, q.v.mode
				if q.v.mode == onboarding.ModeQuick {
					q.ans.Request.Features = []string{policy.FeatureHost}
				}
			},
		},
		{
			id: pgFeatures, title: "Features", skip: isQuick,
			fields: func(q *questions) []huh.Field {
				q.v.features = slices.Clone(q.ans.Request.Features)
				return []huh.Field{
					huh.NewMultiSelect[string]().Title("Which features?").Options(choices(onboarding.Features, featureLabels)...).
						Value(&q.v.features).Height(len(onboarding.Features) + 1).Validate(q.atLeastOne("feature")),
				}
			},
			commit: func(q *questions) { q.ans.Request.Features = slices.Clone(q.v.features) },
		},
		{
			id: pgGrants, title: "Grants",
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureCSPM) && !q.ans.has(policy.FeatureHost) },
			fields: func(q *questions) []huh.Field {
				q.v.cspm, q.v.lighthouse = string(q.ans.Request.CSPMPolicy), yesNo(q.ans.Request.Lighthouse)
				if q.v.cspm == "" {
					q.v.cspm = string(policy.CSPMPreset)
				}
				var fs []huh.Field
				if q.ans.has(policy.FeatureCSPM) {
					fs = append(fs, huh.NewSelect[string]().Title("How is CSPM granted?").
						Options(choices(onboarding.CSPMPolicies, cspmLabels)...).Value(&q.v.cspm))
				}
				if q.ans.has(policy.FeatureHost) {
					fs = append(fs, huh.NewSelect[string]().Title("Also sync Lighthouse servers?").
						Description("adds QcloudLighthouseReadOnlyAccess to the host grants (the procedure grants QcloudCVMReadOnlyAccess only)").
						Options(yesNoOptions...).Value(&q.v.lighthouse))
				}
				return fs
			},
			commit: func(q *questions) {
				if q.ans.has(policy.FeatureCSPM) {
					q.ans.Request.CSPMPolicy = policy.CSPMMode(q.v.cspm)
				}
				q.ans.Request.Lighthouse = q.v.lighthouse == "yes" && q.ans.has(policy.FeatureHost)
			},
		},
		{
			id: pgTencent, title: "Tencent Cloud key",
			fields: func(q *questions) []huh.Field {
				q.v.tencentSource = q.ans.Tencent.Source
				if q.v.tencentSource == "" && len(q.deps.FoundTencent) > 0 {
					q.v.tencentSource = q.deps.FoundTencent[0].Source
				}
				title := "Which Tencent Cloud key should onboard use to create the sub-user and its grants?"
				if isQuick(q) {
					title = "Which Tencent Cloud key should onboard use to create the sub-user? It stays on this machine."
				}
				return []huh.Field{huh.NewSelect[string]().Title(title).Options(credentialOptions(q.deps.FoundTencent, false)...).Value(&q.v.tencentSource)}
			},
			commit: func(q *questions) {
				if q.v.tencentSource == SourceTyped {
					if q.ans.Tencent.Source != SourceTyped {
						q.ans.Tencent = Credential{Source: SourceTyped}
					}
					return
				}
				q.ans.Tencent, _ = findCredential(q.deps.FoundTencent, q.v.tencentSource)
			},
			check: func(q *questions) (string, job) {
				if q.ans.Tencent.Source == SourceTyped {
					return "", nil // the next page asks for it, then checks
				}
				return identify(q)
			},
		},
		{
			id: pgTencentTyped, title: "Tencent Cloud key",
			skip: func(q *questions) bool { return q.ans.Tencent.Source != SourceTyped },
			fields: func(q *questions) []huh.Field {
				q.v.secretID, q.v.secretKey = q.ans.Tencent.ID, q.ans.Tencent.Secret.Reveal()
				return []huh.Field{
					q.input("SecretId", &q.v.secretID, validateSecretID, false).Placeholder("AKID…"),
					q.input("SecretKey (hidden)", &q.v.secretKey, notEmpty("SecretKey"), true),
				}
			},
			commit: func(q *questions) {
				id := strings.TrimSpace(q.v.secretID)
				q.ans.Tencent = Credential{Source: SourceTyped, ID: id, Secret: Secret(strings.TrimSpace(q.v.secretKey)),
					Flags: []string{"--secret-id", id, "--secret-key-stdin"}}
			},
			check: identify,
		},
		{
			id: pgUser, title: "Sub-user", skip: isQuick,
			fields: func(q *questions) []huh.Field {
				q.v.subUser = q.ans.Request.SubUser
				if q.v.subUser == "" {
					q.v.subUser = onboarding.DefaultSubUser(q.ans.Request.Mode, q.ans.Identity.OwnerUIN)
				}
				return []huh.Field{q.input("Name of the CAM sub-user (programmatic access only)", &q.v.subUser, validateSubUser, false)}
			},
			commit: func(q *questions) { q.ans.Request.SubUser = strings.TrimSpace(q.v.subUser) },
			check:  lookUpUser,
		},
		{
			id: pgAuditRegion, title: "Audit logs",
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureAudit) },
			load: loadAuditRegions,
			fields: func(q *questions) []huh.Field {
				q.v.auditRegion, q.v.kafka = q.ans.Request.AuditRegion, q.ans.Request.KafkaNetwork
				var regions []huh.Option[string]
				for _, r := range q.tencentRegions {
					label := r.ID
					if r.Name != "" {
						label += "  " + r.Name
					}
					regions = append(regions, huh.NewOption(label, r.ID))
				}
				if len(regions) == 0 && q.v.auditRegion != "" {
					regions = append(regions, huh.NewOption(q.v.auditRegion, q.v.auditRegion))
				}
				return []huh.Field{
					huh.NewSelect[string]().Title("CLS region for the audit logs").Options(regions...).Value(&q.v.auditRegion).Height(6),
					huh.NewSelect[string]().Title("Kafka network Security Center consumes over").
						Options(choices(onboarding.KafkaNetworks, kafkaLabels)...).Value(&q.v.kafka),
				}
			},
			commit: func(q *questions) {
				if q.ans.Request.AuditRegion != q.v.auditRegion {
					q.ans.Request.AuditLogset, q.ans.Request.AuditTopic = onboarding.AuditNew, onboarding.AuditNew
				}
				q.ans.Request.AuditRegion, q.ans.Request.KafkaNetwork = q.v.auditRegion, q.v.kafka
			},
			check: loadLogsets,
		},
		{
			id: pgAuditLogset, title: "Audit logs",
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureAudit) },
			fields: func(q *questions) []huh.Field {
				q.v.logset = q.ans.Request.AuditLogset
				opts := []huh.Option[string]{huh.NewOption("New logset "+onboarding.AuditLogsetName+" (created, or reused if it exists)", onboarding.AuditNew)}
				for _, l := range q.logsets {
					opts = append(opts, huh.NewOption(l.Name+"  "+l.ID, l.ID))
				}
				return []huh.Field{huh.NewSelect[string]().Title("CLS logset in " + q.ans.Request.AuditRegion).Options(opts...).Value(&q.v.logset).Height(8)}
			},
			commit: func(q *questions) {
				if q.ans.Request.AuditLogset != q.v.logset {
					q.ans.Request.AuditTopic = onboarding.AuditNew
				}
				q.ans.Request.AuditLogset = q.v.logset
			},
			check: loadTopics,
		},
		{
			id: pgAuditTopic, title: "Audit logs",
			skip: func(q *questions) bool {
				return !q.ans.has(policy.FeatureAudit) || q.ans.Request.AuditLogset == onboarding.AuditNew
			},
			fields: func(q *questions) []huh.Field {
				q.v.topic = q.ans.Request.AuditTopic
				opts := []huh.Option[string]{huh.NewOption("New topic "+onboarding.AuditTopicName+" (created, or reused if it exists)", onboarding.AuditNew)}
				for _, t := range q.topics {
					opts = append(opts, huh.NewOption(t.Name+"  "+t.ID, t.ID))
				}
				return []huh.Field{huh.NewSelect[string]().Title("CLS topic").Options(opts...).Value(&q.v.topic).Height(8)}
			},
			commit: func(q *questions) { q.ans.Request.AuditTopic = q.v.topic },
		},
		{
			id: pgSecurityCenter, title: "Security Center",
			fields: func(q *questions) []huh.Field {
				q.v.alibabaSource = q.ans.Alibaba.Source
				if skipsSC(q) {
					q.v.alibabaSource = SourceSkip
				}
				if q.v.alibabaSource == "" && len(q.deps.FoundAlibaba) > 0 {
					q.v.alibabaSource = q.deps.FoundAlibaba[0].Source
				}
				site := siteLabels[q.ans.Request.Site]
				return []huh.Field{huh.NewSelect[string]().Title("Which Alibaba Cloud key may add the account to Security Center, " + site + "?").
					Options(credentialOptions(q.deps.FoundAlibaba, true)...).Value(&q.v.alibabaSource)}
			},
			commit: func(q *questions) {
				q.ans.Request.SecurityCenter = onboarding.SecurityCenterSubmit
				switch q.v.alibabaSource {
				case SourceSkip:
					q.ans.Request.SecurityCenter = onboarding.SecurityCenterSkip
					q.ans.Alibaba = Credential{}
				case SourceTyped:
					if q.ans.Alibaba.Source != SourceTyped {
						q.ans.Alibaba = Credential{Source: SourceTyped}
					}
				default:
					q.ans.Alibaba, _ = findCredential(q.deps.FoundAlibaba, q.v.alibabaSource)
				}
			},
		},
		{
			id: pgAlibabaTyped, title: "Security Center",
			skip: func(q *questions) bool { return skipsSC(q) || q.ans.Alibaba.Source != SourceTyped },
			fields: func(q *questions) []huh.Field {
				q.v.keyID, q.v.keySecret = q.ans.Alibaba.ID, q.ans.Alibaba.Secret.Reveal()
				return []huh.Field{
					q.input("AccessKey ID", &q.v.keyID, notEmpty("AccessKey ID"), false).Placeholder("LTAI…"),
					q.input("AccessKey secret (hidden)", &q.v.keySecret, notEmpty("AccessKey secret"), true),
				}
			},
			commit: func(q *questions) {
				q.ans.Alibaba = Credential{Source: SourceTyped, ID: strings.TrimSpace(q.v.keyID), Secret: Secret(strings.TrimSpace(q.v.keySecret))}
			},
		},
		{
			id: pgAccountName, title: "Security Center", skip: skipsSC,
			fields: func(q *questions) []huh.Field {
				q.v.accountName = q.ans.Request.AccountName
				if q.v.accountName == "" {
					r := q.ans.Resolved()
					if r.Mode == onboarding.ModeQuick { // the engine names the sub-user once the account is known; so does this
						r.SubUser = onboarding.DefaultSubUser(r.Mode, q.ans.Identity.OwnerUIN)
					}
					q.v.accountName = onboarding.DefaultAccountName(r)
				}
				return []huh.Field{q.input("Display name of the account in Security Center", &q.v.accountName, validateAccountName, false)}
			},
			commit: func(q *questions) { q.ans.Request.AccountName = strings.TrimSpace(q.v.accountName) },
			check:  checkSecurityCenter,
		},
		{
			id: pgRegions, title: "Regions", skip: skipsSC,
			fields: func(q *questions) []huh.Field {
				var opts []huh.Option[string]
				var taken []string
				all := len(q.ans.Request.Regions) == 0 || slices.Contains(q.ans.Request.Regions, onboarding.RegionsAll)
				q.v.regions = nil
				for _, r := range q.scRegions {
					if r.TakenByOtherSite {
						taken = append(taken, r.RegionID)
						continue
					}
					opts = append(opts, huh.NewOption(r.RegionID, r.RegionID))
					if all || slices.Contains(q.ans.Request.Regions, r.RegionID) {
						q.v.regions = append(q.v.regions, r.RegionID)
					}
				}
				q.v.regionManagement = yesNo(q.ans.Request.RegionManagement)
				desc := "all are ticked: every region the other site does not sync"
				if len(taken) > 0 {
					desc = "the other site syncs " + strings.Join(taken, ", ")
				}
				return []huh.Field{
					huh.NewMultiSelect[string]().Title("Regions Security Center syncs").Description(desc).Options(opts...).
						Value(&q.v.regions).Height(8).Filterable(true).Validate(q.atLeastOne("region")),
					huh.NewSelect[string]().Title("Make this the default site (new regions join its sync)?").Options(yesNoOptions...).Value(&q.v.regionManagement),
				}
			},
			commit: func(q *questions) {
				available := 0
				for _, r := range q.scRegions {
					if !r.TakenByOtherSite {
						available++
					}
				}
				q.ans.Request.Regions = slices.Clone(q.v.regions)
				if len(q.v.regions) == available {
					q.ans.Request.Regions = []string{onboarding.RegionsAll}
				}
				slices.Sort(q.ans.Request.Regions)
				q.ans.Request.RegionManagement = q.v.regionManagement == "yes"
			},
		},
		{
			id: pgFrequencies, title: "Sync frequencies", skip: skipsSC,
			fields: func(q *questions) []huh.Field {
				r := q.ans.Request
				q.v.hostSync, q.v.cloudSync, q.v.akCheck = r.HostSync, r.CloudSync, r.AKCheck
				if q.v.cloudSync == "" {
					q.v.cloudSync = onboarding.Defaults().CloudSync
				}
				freq := func(title string, v *string) huh.Field {
					return huh.NewSelect[string]().Title(title).Options(choices(onboarding.Frequencies, frequencyLabels)...).Value(v).Inline(true)
				}
				fs := []huh.Field{freq("Host asset sync", &q.v.hostSync)}
				if q.ans.has(policy.FeatureCSPM) { // Security Center's procedure sets it with CSPM only
					fs = append(fs, freq("Cloud-service asset sync", &q.v.cloudSync))
				}
				return append(fs, freq("AccessKey status check", &q.v.akCheck))
			},
			commit: func(q *questions) {
				q.ans.Request.HostSync, q.ans.Request.AKCheck = q.v.hostSync, q.v.akCheck
				if q.ans.has(policy.FeatureCSPM) {
					q.ans.Request.CloudSync = q.v.cloudSync
				}
			},
		},
	}
}

// identify checks the chosen Tencent Cloud key live and says whose it is.
func identify(q *questions) (string, job) {
	c, newClient := q.ans.Tencent, q.deps.Tencent
	if newClient == nil {
		return "", nil
	}
	return "checking the Tencent Cloud key " + c.Masked() + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		id, err := cl.Identify(ctx)
		if err != nil {
			return replyMsg{err: fmt.Errorf("the Tencent Cloud key %s was refused: %w", c.Masked(), err)}
		}
		kind := "a sub-user's key (UIN " + id.UserUIN + ")"
		if id.IsRoot() {
			kind = "the root key"
		}
		return replyMsg{
			note: "Tencent Cloud key " + c.Masked() + " is " + kind + " of account " + id.OwnerUIN,
			set: func(q *questions) {
				if q.ans.Identity.OwnerUIN != id.OwnerUIN {
					q.tencentRegions, q.logsets, q.topics = nil, nil, nil // lists of another account
				}
				q.ans.Identity = id
			},
		}
	}
}

// lookUpUser says whether the sub-user exists and how many keys it has (CAM allows two).
func lookUpUser(q *questions) (string, job) {
	c, name, newClient := q.ans.Tencent, q.ans.Request.SubUser, q.deps.Tencent
	if newClient == nil {
		return "", nil
	}
	return "looking up sub-user " + name + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		u, err := cl.GetUser(ctx, name)
		if errors.Is(err, tencent.ErrNotFound) {
			return replyMsg{note: "sub-user " + name + " does not exist yet: onboard will create it"}
		}
		if err != nil {
			return replyMsg{err: fmt.Errorf("look up sub-user %s: %w", name, err)}
		}
		keys, err := cl.ListAccessKeys(ctx, u.UIN)
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the API keys of %s: %w", name, err)}
		}
		return replyMsg{note: fmt.Sprintf("sub-user %s exists (UIN %d, %d of 2 API keys): the plan says whether onboard reuses it", name, u.UIN, len(keys))}
	}
}

func loadAuditRegions(q *questions) (string, job) {
	if len(q.tencentRegions) > 0 || q.deps.Tencent == nil {
		return "", nil
	}
	c, newClient := q.ans.Tencent, q.deps.Tencent
	return "listing the regions of CLS…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		regions, err := cl.Regions(ctx, "cls")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the regions of CLS: %w", err)}
		}
		return replyMsg{set: func(q *questions) { q.tencentRegions = regions }}
	}
}

func loadLogsets(q *questions) (string, job) {
	if q.deps.Tencent == nil {
		return "", nil
	}
	c, region, newClient := q.ans.Tencent, q.ans.Request.AuditRegion, q.deps.Tencent
	return "listing the CLS logsets of " + region + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		ls, err := cl.ListLogsets(ctx, region, "")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the CLS logsets of %s: %w", region, err)}
		}
		return replyMsg{set: func(q *questions) { q.logsets = ls }}
	}
}

func loadTopics(q *questions) (string, job) {
	if q.deps.Tencent == nil || q.ans.Request.AuditLogset == onboarding.AuditNew {
		return "", nil
	}
	c, region, logset, newClient := q.ans.Tencent, q.ans.Request.AuditRegion, q.ans.Request.AuditLogset, q.deps.Tencent
	return "listing the topics of logset " + logset + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		ts, err := cl.ListTopics(ctx, region, logset, "")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the topics of logset %s: %w", logset, err)}
		}
		return replyMsg{set: func(q *questions) { q.topics = ts }}
	}
}

// checkSecurityCenter proves the Alibaba Cloud key on the chosen site with a cheap read, and lists the
// region choices in the same go, so that the regions page opens ready.
func checkSecurityCenter(q *questions) (string, job) {
	if q.deps.SecurityCenter == nil {
		return "", nil
	}
	c, site, newClient := q.ans.Alibaba, q.ans.Request.Site, q.deps.SecurityCenter
	return "checking the Alibaba Cloud key " + c.Masked() + " on Security Center…", func(ctx context.Context) tea.Msg {
		sc, err := newClient(site, c)
		if err != nil {
			return replyMsg{err: err}
		}
		if _, err := sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent}); err != nil {
			return replyMsg{err: fmt.Errorf("the Alibaba Cloud key %s was refused by Security Center: %w", c.Masked(), err)}
		}
		regions, err := sc.Regions(ctx, securitycenter.VendorTencent)
		if err != nil {
			return replyMsg{err: fmt.Errorf("list Security Center's regions: %w", err)}
		}
		return replyMsg{
			note: "Alibaba Cloud key " + c.Masked() + " accepted by Security Center (" + siteLabels[site] + ")",
			set:  func(q *questions) { q.scRegions = regions },
		}
	}
}

// refocus focuses the form's field again when it refused its answer: huh leaves the field it could not
// leave blurred, and the focus marker would vanish from the screen.
func refocus(f *huh.Form) tea.Cmd {
	if len(f.Errors()) == 0 {
		return nil
	}
	if field := f.GetFocusedField(); field != nil {
		return field.Focus()
	}
	return nil
}

// input is a text question. In accessible mode the prompt says what Enter keeps, and an empty answer
// keeps it (huh's plain prompt validates the empty line before taking the default).
func (q *questions) input(title string, value *string, validate func(string) error, hidden bool) *huh.Input {
	in := huh.NewInput().Value(value)
	if hidden {
		in = in.EchoMode(huh.EchoModePassword)
	}
	if !q.plain || *value == "" {
		return in.Title(title).Validate(validate)
	}
	keep := *value
	if hidden {
		keep = "the one given"
	}
	return in.Title(title + " (Enter keeps " + keep + ")").Validate(func(s string) error {
		if s == "" {
			return nil
		}
		return validate(s)
	})
}

// atLeastOne refuses an empty multi-select in the full-screen form (see answered for the plain prompts).
func (q *questions) atLeastOne(what string) func([]string) error {
	return func(xs []string) error {
		if q.plain {
			return nil
		}
		if len(xs) == 0 {
			return errors.New("choose at least one " + what)
		}
		return nil
	}
}
