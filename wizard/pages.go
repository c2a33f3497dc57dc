package wizard

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"charm.land/huh/v2"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/tencent"
)

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

// validateOrgAccountName: a member's display name is this followed by " (UIN)"; empty is the member's name.
func validateOrgAccountName(s string) error {
	if s == "" {
		return nil
	}
	return validateAccountName(s)
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

// hostsChosen: feature host, which quick mode always is.
func hostsChosen(q *questions) bool { return isQuick(q) || q.ans.has(policy.FeatureHost) }

// isOrg: the members of the organization are onboarded, not the key's own account.
func isOrg(q *questions) bool { return q.ans.Org() }

// Values of the organization question.
const (
	scopeAccount = "account"
	scopeMembers = "members"
)

// unusedWithMembers says which of the flags given name one account's objects and are left out when the
// members are onboarded ("" when none was given), so that choosing them drops nothing unsaid.
func unusedWithMembers(req onboarding.Request) string {
	var unused []string
	if req.Account != "" {
		unused = append(unused, "--account "+req.Account+" (each member's record is named by its UIN)")
	}
	for _, f := range []struct{ flag, v string }{{"--audit-logset", req.AuditLogset}, {"--audit-topic", req.AuditTopic}} {
		if f.v != "" && f.v != onboarding.AuditNew {
			unused = append(unused, f.flag+" "+f.v+" (each member gets a logset and topic of its own)")
		}
	}
	if len(unused) == 0 {
		return ""
	}
	return " With all members, these flags are not used: " + strings.Join(unused, "; ") + "."
}

// errNoMember refuses a member picker with nothing ticked.
var errNoMember = errors.New("choose at least one member; to onboard only this account, go back (shift+tab) and choose this account")

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
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureCSPM) },
			fields: func(q *questions) []huh.Field {
				q.v.cspm = string(q.ans.Request.CSPMPolicy)
				if q.v.cspm == "" {
					q.v.cspm = string(policy.CSPMPreset)
				}
				var fs []huh.Field
				if q.ans.has(policy.FeatureCSPM) {
					fs = append(fs, huh.NewSelect[string]().Title("How is CSPM granted?").
						Options(choices(onboarding.CSPMPolicies, cspmLabels)...).Value(&q.v.cspm))
				}
				return fs
			},
			commit: func(q *questions) {
				if q.ans.has(policy.FeatureCSPM) {
					q.ans.Request.CSPMPolicy = policy.CSPMMode(q.v.cspm)
				}
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
			// Asked only of the management account of an organization with members: its key reads the
			// organization (tencent --org reads it the same way).
			id: pgOrg, title: "Accounts",
			skip: func(q *questions) bool { return q.ans.Organization == nil },
			fields: func(q *questions) []huh.Field {
				q.v.scope = scopeAccount
				if q.ans.Org() {
					q.v.scope = scopeMembers
				}
				org := q.ans.Organization
				return []huh.Field{huh.NewSelect[string]().Title("Which accounts should onboard connect?").
					Description("Account "+org.ManagementUIN+" manages an organization. Each member is onboarded through its member access role ("+
						tencent.MemberAccessRole+"), as its own account: its own sub-user, key and Security Center account, with the answers that follow."+
						unusedWithMembers(q.ans.Request)).
					Options(huh.NewOption("This account ("+org.ManagementUIN+")", scopeAccount),
						huh.NewOption(fmt.Sprintf("All members of this organization (%d member accounts)", len(org.Members)), scopeMembers)).
					Value(&q.v.scope)}
			},
			commit: func(q *questions) {
				switch {
				case q.v.scope == scopeAccount:
					q.ans.Members = nil
				case !q.ans.Org():
					for _, m := range q.ans.Organization.Members {
						q.ans.Members = append(q.ans.Members, m.UIN)
					}
				}
			},
		},
		{
			id: pgMembers, title: "Members", skip: func(q *questions) bool { return !isOrg(q) },
			fields: func(q *questions) []huh.Field {
				q.v.members = slices.Clone(q.ans.Members)
				var opts []huh.Option[string]
				for _, m := range q.ans.Organization.Members {
					opts = append(opts, huh.NewOption(m.Name+"  "+m.UIN, m.UIN))
				}
				return []huh.Field{huh.NewMultiSelect[string]().Title("Which members?").
					Description(fmt.Sprintf("%d members, all ticked at first: each one ticked is onboarded.", len(opts))).
					Options(opts...).Value(&q.v.members).Height(min(len(opts)+4, 14)).Filterable(true).
					Validate(func(xs []string) error {
						if len(xs) == 0 && !q.plain {
							return errNoMember
						}
						return nil
					})}
			},
			commit: func(q *questions) {
				q.ans.Members = slices.Clone(q.v.members)
				slices.Sort(q.ans.Members)
			},
		},
		{
			// Asked only of an account whose key finds Lighthouse servers (or could not tell), or when the
			// flags already chose Lighthouse: the procedure grants hosts QcloudCVMReadOnlyAccess alone.
			id: pgLighthouse, title: "Lighthouse servers",
			skip: func(q *questions) bool {
				return !hostsChosen(q) || (q.lighthouse == 0 && !q.ans.Request.Lighthouse && !isOrg(q))
			},
			fields: func(q *questions) []huh.Field {
				q.v.lighthouse = yesNo(q.ans.Request.Lighthouse)
				found := "The key could not tell whether the account has Lighthouse servers."
				switch {
				case isOrg(q):
					found = "The members' Lighthouse servers are read only once onboard acts in each member."
				case q.lighthouse > 0:
					found = fmt.Sprintf("The key found %d Lighthouse server(s).", q.lighthouse)
				}
				return []huh.Field{huh.NewSelect[string]().Title("Also sync Lighthouse servers?").
					Description(found + " Syncing them adds QcloudLighthouseReadOnlyAccess to the host grants; " +
						"Security Center's procedure grants QcloudCVMReadOnlyAccess only, which does not cover them.").
					Options(yesNoOptions...).Value(&q.v.lighthouse)}
			},
			commit: func(q *questions) { q.ans.Request.Lighthouse = q.v.lighthouse == "yes" && hostsChosen(q) },
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
			check: func(q *questions) (string, job) {
				if isOrg(q) {
					return "", nil // each member's plan says whether it reuses its sub-user
				}
				return lookUpUser(q)
			},
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
			check: func(q *questions) (string, job) {
				if isOrg(q) {
					return "", nil
				}
				return loadLogsets(q)
			},
		},
		{
			id: pgAuditLogset, title: "Audit logs",
			// A member's logsets are its own: each member gets onboard's logset and topic.
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureAudit) || isOrg(q) },
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
				return !q.ans.has(policy.FeatureAudit) || q.ans.Request.AuditLogset == onboarding.AuditNew || isOrg(q)
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
			id: pgSOCLogs, title: "Agentic SOC logs",
			skip: func(q *questions) bool { return !q.ans.has(policy.FeatureSOC) },
			load: func(q *questions) (string, job) {
				if isOrg(q) {
					return "", nil
				}
				return loadSOCSources(q)
			},
			fields: func(q *questions) []huh.Field {
				// On by default when the account has something to ship; the flags' --soc-logs turns it on too.
				q.v.socLogs = yesNo(q.ans.Request.SOCLogs || (q.socSources != nil && q.socSources.Any() && !isOrg(q)))
				found := "The key found no WAF domain and no Cloud Firewall instance."
				if isOrg(q) {
					found = "Each member's WAF domains and Cloud Firewall instances are read once onboard acts in it; a member with none ships nothing."
				} else if q.socSourcesErr != "" {
					found = "WAF and Cloud Firewall could not be read (" + q.socSourcesErr + ")."
				} else if s := q.socSources; s != nil && s.Any() {
					found = fmt.Sprintf("The key found %d WAF domain(s) and %d Cloud Firewall instance(s).", s.WAFDomains, s.CFWInstances)
				}
				return []huh.Field{huh.NewSelect[string]().Title("Ship WAF and Cloud Firewall logs to CLS for Agentic SOC?").
					Description(found + " Without them Agentic SOC has nothing to detect on.").
					Options(yesNoOptions...).Value(&q.v.socLogs)}
			},
			commit: func(q *questions) { q.ans.Request.SOCLogs = q.v.socLogs == "yes" && q.ans.has(policy.FeatureSOC) },
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
				if isOrg(q) {
					return []huh.Field{q.input("Display name in Security Center, before each member's UIN (empty: the member's name)", &q.v.accountName, validateOrgAccountName, false)}
				}
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
