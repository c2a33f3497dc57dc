package wizard

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"onboard/policy"
)

// screenID names a screen; tests and the accessible prompts refer to screens by it.
type screenID string

// The screens, in the order of Security Center's console procedure.
const (
	scrSite      screenID = "site"
	scrMode      screenID = "mode"
	scrFeatures  screenID = "features"
	scrTencent   screenID = "credentials"
	scrUser      screenID = "user"
	scrGrants    screenID = "grants"
	scrAudit     screenID = "audit"
	scrSecCenter screenID = "security-center"
	scrRegions   screenID = "regions"
	scrFreq      screenID = "frequencies"
	scrReview    screenID = "review"
	scrApply     screenID = "apply"
	scrRootKey   screenID = "root-key"
	scrSync      screenID = "sync"
	scrSummary   screenID = "summary"
)

// values are a screen's field values by field ID; a multi-select's values are comma-joined.
type values map[string]string

func (v values) list(id string) []string {
	if v[id] == "" {
		return nil
	}
	return strings.Split(v[id], ",")
}

// screen is one step of the wizard, as data. A question screen builds its fields from the answers so
// far (so that going back shows what was chosen), commits them back, and may validate and check them
// live. Screens without fields (grants, review, apply, ...) render a body and handle keys themselves.
type screen struct {
	ID    screenID
	Title string
	// Skip leaves the screen out for these answers.
	Skip func(a Answers) bool
	// Fields builds the questions from the model (answers and live lists).
	Fields func(m Model) []field
	// When decides, per field ID, whether a field is shown for the current values.
	When map[string]func(v values) bool
	// Commit writes the values into the answers; it must accept half-filled values.
	Commit func(m *Model, v values)
	// Validate checks the committed answers before leaving the screen.
	Validate func(m Model) error
	// Load starts the IO the screen needs on entry (live lists); nil for none.
	Load func(m *Model) tea.Cmd
	// Check starts a live check of the committed answers; its message decides whether to go on.
	Check func(m *Model) tea.Cmd
	// Changed runs IO after the field with this ID was left with a new value (dependent lists).
	Changed map[string]func(m *Model) tea.Cmd
	// Body renders a screen without fields.
	Body func(m Model) string
	// Keys handles keys on a screen without fields; ok false falls back to the defaults.
	Keys func(m Model, msg tea.KeyPressMsg) (Model, tea.Cmd, bool)
	// NoBack marks screens that cannot be left backwards (once the engine ran).
	NoBack bool
}

// userNamePattern is CAM's rule for user names: 1 to 64 of letters, digits and +=,.@_-.
var userNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// ValidateUserName checks a CAM sub-user name.
func ValidateUserName(s string) error {
	if !userNamePattern.MatchString(s) {
		return fmt.Errorf("user name %q: use 1 to 64 letters, digits or + = , . @ _ -", s)
	}
	return nil
}

// ValidateDisplayName checks Security Center's display name of the account.
func ValidateDisplayName(s string) error {
	if s == "" || len([]rune(s)) > 64 || strings.ContainsAny(s, "\n\r\t") {
		return errors.New("display name: 1 to 64 characters on one line")
	}
	return nil
}

// ValidateSecretID checks the shape of a typed Tencent SecretId.
func ValidateSecretID(s string) error {
	if len(s) < 16 || len(s) > 128 || strings.ContainsAny(s, " \t") {
		return errors.New("SecretId: 16 to 128 characters, no spaces (it starts with AKID)")
	}
	return nil
}

func siteName(site string) string {
	if site == SiteMainland {
		return "Chinese mainland"
	}
	return "outside the Chinese mainland"
}

func otherSite(site string) string {
	if site == SiteMainland {
		return SiteOutside
	}
	return SiteMainland
}

func credentialOptions(found []Credential, typedLabel string, skip bool) []option {
	var opts []option
	for _, c := range found {
		opts = append(opts, option{Value: c.Source, Label: c.Masked(), Help: "from " + c.Source})
	}
	opts = append(opts, option{Value: SourceTyped, Label: typedLabel})
	if skip {
		opts = append(opts, option{Value: SourceSkip, Label: "Skip Security Center for now", Help: "create the Tencent side only"})
	}
	return opts
}

func findCredential(found []Credential, source string) (Credential, bool) {
	for _, c := range found {
		if c.Source == source {
			return c, true
		}
	}
	return Credential{}, false
}

func periodOptions(off bool) []option {
	var opts []option
	if off {
		opts = append(opts, option{Value: "0", Label: "off"})
	}
	for _, p := range SchedulePeriods {
		opts = append(opts, option{Value: strconv.Itoa(p), Label: PeriodLabel(p)})
	}
	return opts
}

func isTyped(id string) func(v values) bool {
	return func(v values) bool { return v[id] == SourceTyped }
}

// screens returns the wizard's steps, in the console procedure's order.
func screens() []screen {
	return []screen{
		{
			ID: scrSite, Title: "Security Center site",
			Fields: func(m Model) []field {
				return []field{choiceField("site", "Which Security Center site holds your Alibaba Cloud account?", []option{
					{Value: SiteMainland, Label: "Chinese mainland", Help: "tds.cn-shanghai"},
					{Value: SiteOutside, Label: "Outside the Chinese mainland", Help: "tds.ap-southeast-1"},
				}, m.ans.Site)}
			},
			Commit: func(m *Model, v values) { m.ans.Site = v["site"] },
		},
		{
			ID: scrMode, Title: "Configuration mode",
			Fields: func(m Model) []field {
				return []field{choiceField("mode", "How should the account be connected?", []option{
					{Value: ModeManual, Label: "Manual", Help: "a sub-user made here; hosts, CSPM, Agentic SOC, audit logs"},
					{Value: ModeQuick, Label: "Quick", Help: "submit the root key; Security Center makes the sub-user; hosts only"},
				}, m.ans.Mode)}
			},
			Commit: func(m *Model, v values) {
				a := &m.ans
				a.Mode = v["mode"]
				if a.Mode == ModeQuick {
					a.Features = []string{policy.FeatureHost}
				}
			},
		},
		{
			ID: scrFeatures, Title: "Features",
			Fields: func(m Model) []field {
				quick := m.ans.Mode == ModeQuick
				why := "quick configuration supports host assets only"
				opts := []option{
					{Value: policy.FeatureHost, Label: "Host assets", Help: "CVM servers (QcloudCVMReadOnlyAccess)"},
					{Value: policy.FeatureCSPM, Label: "CSPM", Help: "cloud product configuration checks", Disabled: quick, Reason: why},
					{Value: policy.FeatureSOC, Label: "Agentic SOC", Help: "block or allow IPs in Cloud Firewall and WAF", Disabled: quick, Reason: why},
					{Value: policy.FeatureAudit, Label: "Audit logs (CIEM)", Help: "CloudAudit to CLS, read over Kafka", Disabled: quick, Reason: why},
				}
				cspm := string(m.ans.CSPMMode)
				return []field{
					multiField("features", "Which features? (space toggles)", opts, m.ans.Features),
					choiceField("cspm", "CSPM grants", []option{
						{Value: string(policy.CSPMPreset), Label: "Preset policies", Help: "CloudResourceReadOnlyAccess + QcloudCamReadOnlyAccess"},
						{Value: string(policy.CSPMCustom), Label: "Custom policy", Help: "cspmPolicy: least privilege"},
					}, cspm),
				}
			},
			When: map[string]func(values) bool{
				"cspm": func(v values) bool { return strings.Contains(","+v["features"]+",", ","+policy.FeatureCSPM+",") },
			},
			Commit: func(m *Model, v values) {
				a := &m.ans
				a.Features = v.list("features")
				if a.Has(policy.FeatureCSPM) {
					a.CSPMMode = policy.CSPMMode(v["cspm"])
				}
			},
			Validate: func(m Model) error {
				if len(m.ans.Features) == 0 {
					return errors.New("choose at least one feature (space toggles)")
				}
				return nil
			},
		},
		{
			ID: scrTencent, Title: "Tencent Cloud credentials",
			Fields: func(m Model) []field {
				prompt := "Which Tencent Cloud key should onboard use?"
				if m.ans.Mode == ModeQuick {
					prompt = "Which Tencent Cloud root key should Security Center receive?"
				}
				src := m.ans.Tencent.Source
				if src == "" && len(m.deps.FoundTencent) > 0 {
					src = m.deps.FoundTencent[0].Source
				}
				id, secret := "", ""
				if m.ans.Tencent.Source == SourceTyped {
					id, secret = m.ans.Tencent.ID, m.ans.Tencent.Secret.Reveal()
				}
				return []field{
					choiceField("source", prompt, credentialOptions(m.deps.FoundTencent, "Type a key", false), src),
					textField("secret-id", "SecretId", id, "AKID…", false, ValidateSecretID),
					textField("secret-key", "SecretKey (hidden)", secret, "", true, nil),
				}
			},
			When:   map[string]func(values) bool{"secret-id": isTyped("source"), "secret-key": isTyped("source")},
			Commit: commitTencent,
			Validate: func(m Model) error {
				c := m.ans.Tencent
				if c.Source == SourceTyped {
					if err := ValidateSecretID(c.ID); err != nil {
						return err
					}
					if c.Secret == "" {
						return errors.New("SecretKey: type the key (it stays hidden)")
					}
				}
				if c.ID == "" {
					return errors.New("choose a key")
				}
				return nil
			},
			Check: checkTencent,
		},
		{
			ID: scrUser, Title: "Sub-user",
			Skip: func(a Answers) bool { return a.Mode == ModeQuick },
			Fields: func(m Model) []field {
				name := m.ans.UserName
				if name == "" {
					name = "onboard-security-center"
				}
				return []field{textField("user", "Name of the CAM sub-user (programmatic access only)", name, "", false, ValidateUserName)}
			},
			Commit:   func(m *Model, v values) { m.ans.UserName = v["user"] },
			Validate: func(m Model) error { return ValidateUserName(m.ans.UserName) },
			Check:    checkUser,
		},
		{
			ID: scrGrants, Title: "Grants",
			Skip: func(a Answers) bool { return a.Mode == ModeQuick },
			Body: grantsBody,
		},
		{
			ID: scrAudit, Title: "Audit logs",
			Skip: func(a Answers) bool { return !a.Has(policy.FeatureAudit) },
			Load: loadTencentRegions,
			Fields: func(m Model) []field {
				var regions []option
				for _, r := range m.tencentRegions {
					regions = append(regions, option{Value: r.ID, Label: r.ID, Help: r.Name})
				}
				if len(regions) == 0 {
					regions = []option{{Value: "", Label: "(loading regions…)", Disabled: true, Reason: "waiting"}}
				}
				region := m.ans.AuditRegion
				if region == "" {
					region = "ap-guangzhou"
				}
				logsets := []option{{Value: "", Label: "New logset " + NewLogsetName, Help: "created by onboard (reused if it exists)"}}
				for _, l := range m.logsets {
					logsets = append(logsets, option{Value: l.ID, Label: l.Name, Help: l.ID})
				}
				topics := []option{{Value: "", Label: "New topic " + NewTopicName, Help: "created by onboard (reused if it exists)"}}
				for _, t := range m.topics {
					topics = append(topics, option{Value: t.ID, Label: t.Name, Help: t.ID})
				}
				net := m.ans.KafkaNetwork
				return []field{
					choiceField("region", "CLS region for the audit logs", regions, region),
					choiceField("logset", "Logset", logsets, m.ans.LogsetID),
					choiceField("topic", "Topic", topics, m.ans.TopicID),
					choiceField("kafka", "Kafka network Security Center consumes over", []option{
						{Value: KafkaInternet, Label: "Internet", Help: "kafkaconsumer-<region>.cls.tencentcs.com:9096"},
						{Value: KafkaInternal, Label: "Private network", Help: "within Tencent Cloud only"},
					}, net),
				}
			},
			When: map[string]func(values) bool{
				// An existing topic lives in an existing logset: a new logset gets a new topic.
				"topic": func(v values) bool { return v["logset"] != "" },
			},
			Commit: func(m *Model, v values) {
				a := &m.ans
				a.AuditRegion = v["region"]
				a.LogsetID, a.TopicID = v["logset"], v["topic"]
				if a.LogsetID == "" {
					a.TopicID = ""
				}
				a.KafkaNetwork = v["kafka"]
			},
			Validate: func(m Model) error {
				if m.ans.AuditRegion == "" {
					return errors.New("choose a region (the list is still loading)")
				}
				return nil
			},
			Changed: map[string]func(*Model) tea.Cmd{"region": loadLogsets, "logset": loadTopics},
		},
		{
			ID: scrSecCenter, Title: "Security Center",
			Fields: func(m Model) []field {
				src := m.ans.Alibaba.Source
				if m.ans.SkipSecurityCenter {
					src = SourceSkip
				}
				if src == "" && len(m.deps.FoundAlibaba) > 0 {
					src = m.deps.FoundAlibaba[0].Source
				}
				name := m.ans.DisplayName
				if name == "" {
					name = "tencent"
					if m.ans.Identity.AccountID != "" {
						name += "-" + m.ans.Identity.AccountID
					}
				}
				id, secret := "", ""
				if m.ans.Alibaba.Source == SourceTyped {
					id, secret = m.ans.Alibaba.ID, m.ans.Alibaba.Secret.Reveal()
				}
				return []field{
					choiceField("source", "Which Alibaba Cloud key may add the account to Security Center ("+siteName(m.ans.Site)+")?",
						credentialOptions(m.deps.FoundAlibaba, "Type a key", true), src),
					textField("name", "Display name of the account in Security Center", name, "", false, ValidateDisplayName),
					textField("key-id", "AccessKey ID", id, "LTAI…", false, nil),
					textField("key-secret", "AccessKey secret (hidden)", secret, "", true, nil),
				}
			},
			When: map[string]func(values) bool{
				"name":       func(v values) bool { return v["source"] != SourceSkip },
				"key-id":     isTyped("source"),
				"key-secret": isTyped("source"),
			},
			Commit: commitSecurityCenter,
			Validate: func(m Model) error {
				a := m.ans
				if a.SkipSecurityCenter {
					return nil
				}
				if err := ValidateDisplayName(a.DisplayName); err != nil {
					return err
				}
				if a.Alibaba.ID == "" || a.Alibaba.Secret == "" {
					return errors.New("AccessKey ID and secret: type both, or choose a key found on this machine")
				}
				return nil
			},
			Check: checkAlibaba,
		},
		{
			ID: scrRegions, Title: "Regions",
			Skip: func(a Answers) bool { return a.SkipSecurityCenter },
			Load: loadSyncRegions,
			Fields: func(m Model) []field {
				var opts []option
				var def []string
				for _, r := range m.syncRegions {
					o := option{Value: r.ID, Label: r.ID, Help: r.Name}
					if r.Disabled {
						o.Disabled, o.Reason = true, "synced by the "+siteName(otherSite(m.ans.Site))+" site"
					}
					opts = append(opts, o)
					if r.Selected && !r.Disabled {
						def = append(def, r.ID)
					}
				}
				if len(def) == 0 {
					for _, r := range m.syncRegions {
						if !r.Disabled {
							def = append(def, r.ID)
						}
					}
				}
				if m.visited[scrRegions] {
					def = m.ans.Regions
				}
				if len(opts) == 0 {
					opts = []option{{Value: "", Label: "(loading regions…)", Disabled: true, Reason: "waiting"}}
				}
				dflt := "no"
				if m.ans.DefaultRegion {
					dflt = "yes"
				}
				return []field{
					multiField("regions", "Regions to sync (space toggles, a all, / filter)", opts, def),
					choiceField("default", "Make this site the default site (new regions join it)?", []option{
						{Value: "no", Label: "No", Help: "sync only the regions ticked above"},
						{Value: "yes", Label: "Yes"},
					}, dflt),
				}
			},
			Commit: commitRegions,
			Validate: func(m Model) error {
				if len(m.ans.Regions) == 0 {
					return errors.New("choose at least one region (space toggles)")
				}
				return nil
			},
		},
		{
			ID: scrFreq, Title: "Sync frequencies",
			Skip: func(a Answers) bool { return a.SkipSecurityCenter },
			Fields: func(m Model) []field {
				fields := []field{choiceField("host", "Host asset sync", periodOptions(false), strconv.Itoa(orDefault(m.ans.HostSyncMinutes, 360)))}
				if m.ans.Has(policy.FeatureCSPM) { // the procedure sets the cloud-service sync with CSPM only
					fields = append(fields, choiceField("cloud", "Cloud-service asset sync", periodOptions(false), strconv.Itoa(orDefault(m.ans.CloudSyncMinutes, 1440))))
				}
				return append(fields, choiceField("ak", "AccessKey status check", periodOptions(true), strconv.Itoa(m.akDefault())))
			},
			Commit: func(m *Model, v values) {
				a := &m.ans
				a.HostSyncMinutes, _ = strconv.Atoi(v["host"])
				a.CloudSyncMinutes = 0
				if c, ok := v["cloud"]; ok {
					a.CloudSyncMinutes, _ = strconv.Atoi(c)
				}
				a.AKCheckMinutes, _ = strconv.Atoi(v["ak"])
			},
		},
		{ID: scrReview, Title: "Review", Load: loadPlan, Body: reviewBody, Keys: reviewKeys},
		{ID: scrApply, Title: "Apply", NoBack: true, Load: startApply, Body: applyBody, Keys: applyKeys},
		{ID: scrRootKey, Title: "Root key", NoBack: true, Skip: func(a Answers) bool { return !a.Identity.Root },
			Fields: func(m Model) []field {
				return []field{choiceField("root", "The root key was used. What now?", []option{
					{Value: RootKeyKeep, Label: "Keep it", Help: "change nothing"},
					{Value: RootKeyDisable, Label: "Disable it", Help: "can be re-enabled in the CAM console"},
					{Value: RootKeyDelete, Label: "Delete it", Help: "cannot be undone"},
				}, m.ans.RootKey)}
			},
			Commit: func(m *Model, v values) { m.ans.RootKey = v["root"] },
			Check:  retireRootKey,
		},
		{ID: scrSync, Title: "First sync", NoBack: true, Skip: func(a Answers) bool { return a.SkipSecurityCenter },
			Load: startSync, Body: syncBody, Keys: syncKeys},
		{ID: scrSummary, Title: "Summary", NoBack: true, Body: summaryBody, Keys: summaryKeys},
	}
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}
