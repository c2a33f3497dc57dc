package wizard

import (
	"slices"
	"strings"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/tencent"
)

// Answers are what the wizard asked: the engine's request, in its own vocabulary, and the keys the person
// chose (which the request does not carry).
type Answers struct {
	Request onboarding.Request
	Tencent Credential
	Alibaba Credential
	// Identity is whose the Tencent Cloud key is, once checked.
	Identity tencent.Identity
	// Organization is the organization the key's account manages, as the key check found it; nil when it
	// manages none (or may not read it).
	Organization *onboarding.OrganizationInfo
	// Members are the member UINs chosen to onboard, each through its access role, instead of the key's
	// own account (tencent --org --members); none: the key's own account.
	Members []string
}

// Org reports whether the answers onboard the organization's members rather than the key's account.
func (a Answers) Org() bool { return a.Organization != nil && len(a.Members) > 0 }

// allMembers reports whether every member of the organization is chosen.
func (a Answers) allMembers() bool {
	if !a.Org() {
		return false
	}
	for _, m := range a.Organization.Members {
		if !slices.Contains(a.Members, m.UIN) {
			return false
		}
	}
	return true
}

// OrganizationRequest is the organization onboarding of these answers: the request run in each chosen
// member, as tencent --org --members runs it.
func (a Answers) OrganizationRequest() onboarding.OrganizationRequest {
	return onboarding.OrganizationRequest{Request: a.Resolved(), Members: slices.Clone(a.Members)}
}

// has reports whether feature was chosen.
func (a Answers) has(feature string) bool { return slices.Contains(a.Request.Features, feature) }

// startAnswers are the wizard's first answers: onboarding's defaults, overlaid with what the flags said.
func startAnswers(flags onboarding.Request) Answers {
	req := onboarding.Defaults()
	if req.Mode == "" {
		req.Mode = onboarding.ModeManual
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&req.Mode, flags.Mode)
	set(&req.Site, flags.Site)
	set(&req.SubUser, flags.SubUser)
	set(&req.AccountName, flags.AccountName)
	set(&req.SecurityCenter, flags.SecurityCenter)
	set(&req.HostSync, flags.HostSync)
	set(&req.CloudSync, flags.CloudSync)
	set(&req.AKCheck, flags.AKCheck)
	set(&req.AuditRegion, flags.AuditRegion)
	set(&req.AuditLogset, flags.AuditLogset)
	set(&req.AuditTopic, flags.AuditTopic)
	set(&req.KafkaNetwork, flags.KafkaNetwork)
	set(&req.RootKey, flags.RootKey)
	if flags.CSPMPolicy != "" {
		req.CSPMPolicy = flags.CSPMPolicy
	}
	if len(flags.Features) > 0 {
		req.Features = slices.Clone(flags.Features)
	}
	if len(flags.Regions) > 0 {
		req.Regions = slices.Clone(flags.Regions)
	}
	req.Lighthouse = req.Lighthouse || flags.Lighthouse
	req.SOCLogs = req.SOCLogs || flags.SOCLogs
	req.RegionManagement = req.RegionManagement || flags.RegionManagement
	req.SkipSync = flags.SkipSync
	// What only flags say rides along unchanged.
	req.Account, req.AdoptUser, req.AdoptPolicies = flags.Account, flags.AdoptUser, slices.Clone(flags.AdoptPolicies)
	req.PolicyFiles, req.AllowBroadPolicy = flags.PolicyFiles, flags.AllowBroadPolicy
	req.VerifyKafka, req.SkipPermissionCheck = flags.VerifyKafka, flags.SkipPermissionCheck
	return Answers{Request: req}
}

// Resolved is the engine's request for these answers, as the flags face would give it for the same
// command: a field that does not apply to the chosen features or mode (an audit field without feature
// audit, the sync frequencies with Security Center skipped) is back at its default, which the engine's
// Validate leaves out.
func (a Answers) Resolved() onboarding.Request {
	d := onboarding.Defaults()
	r := a.Request
	r.Features = slices.Clone(r.Features)
	r.Regions = slices.Clone(r.Regions)
	if r.Mode == onboarding.ModeQuick {
		r.Features = []string{policy.FeatureHost}
		r.SubUser = d.SubUser // the engine names it after the account, as Security Center's quick configuration does
	}
	if !a.has(policy.FeatureCSPM) {
		r.CSPMPolicy, r.CloudSync = d.CSPMPolicy, d.CloudSync
	}
	if !slices.Contains(r.Features, policy.FeatureHost) { // quick mode's features are host
		r.Lighthouse = d.Lighthouse
	}
	if !a.has(policy.FeatureSOC) {
		r.SOCLogs = d.SOCLogs
	}
	if !a.has(policy.FeatureAudit) {
		r.AuditRegion, r.AuditLogset, r.AuditTopic, r.KafkaNetwork, r.VerifyKafka = d.AuditRegion, d.AuditLogset, d.AuditTopic, d.KafkaNetwork, d.VerifyKafka
	} else if r.AuditLogset == onboarding.AuditNew {
		r.AuditTopic = onboarding.AuditNew // a new logset holds a new topic
	}
	if r.SecurityCenter == onboarding.SecurityCenterSkip {
		r.AccountName, r.Regions, r.RegionManagement = d.AccountName, slices.Clone(d.Regions), d.RegionManagement
		r.HostSync, r.CloudSync, r.AKCheck = d.HostSync, d.CloudSync, d.AKCheck
	}
	if !a.Identity.IsRoot() || r.RootKey == onboarding.RootKeyKeep || a.Org() {
		r.RootKey, r.RootKeyConfirm = d.RootKey, d.RootKeyConfirm
	}
	if a.Org() {
		// Each member's record is named by its UIN, and a logset or topic ID of this account is none of
		// a member's: each member gets its own.
		r.Account, r.AuditLogset, r.AuditTopic = d.Account, onboarding.AuditNew, onboarding.AuditNew
	}
	return r
}

// CommandArgs is the same onboarding as a command for scripts, one token per element, quoted for a
// POSIX shell: the mode and features, every field of the request that is not at its default, the
// members chosen (--org, and --members unless all are), and the flags that choose the same keys. No
// secret is in it: a typed SecretKey is read from standard input (--secret-key-stdin), and environment
// keys are named by nothing at all.
func (a Answers) CommandArgs(sandbox bool) []string {
	args := a.Args(sandbox)
	for i, arg := range args {
		args[i] = shellQuote(arg)
	}
	return args
}

// Args is CommandArgs unquoted: the command's arguments as a program receives them.
func (a Answers) Args(sandbox bool) []string {
	r, d := a.Resolved(), onboarding.Defaults()
	args := []string{"onboard", "tencent", "--no-input"}
	if sandbox {
		args = append(args, "--sandbox")
	}
	str := func(flag, v, def string) {
		if v != "" && v != def {
			args = append(args, "--"+flag, v)
		}
	}
	boolean := func(flag string, v bool) {
		if v {
			args = append(args, "--"+flag)
		}
	}
	str("mode", r.Mode, "")
	str("features", strings.Join(r.Features, ","), "")
	boolean("lighthouse", r.Lighthouse)
	boolean("soc-logs", r.SOCLogs)
	str("cspm-policy", string(r.CSPMPolicy), string(d.CSPMPolicy))
	args = append(args, a.Tencent.Flags...)
	if a.Org() {
		args = append(args, "--org")
		if !a.allMembers() {
			args = append(args, "--members", strings.Join(a.Members, ","))
		}
	}
	str("sub-user", r.SubUser, d.SubUser)
	str("account", r.Account, d.Account)
	boolean("adopt-user", r.AdoptUser)
	str("adopt-policy", strings.Join(r.AdoptPolicies, ","), "")
	names := make([]string, 0, len(r.PolicyFiles))
	for name := range r.PolicyFiles {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		str("policy-file", name+"="+r.PolicyFiles[name], "")
	}
	boolean("allow-broad-policy", r.AllowBroadPolicy)
	boolean("skip-permission-check", r.SkipPermissionCheck)
	str("audit-region", r.AuditRegion, d.AuditRegion)
	str("audit-logset", r.AuditLogset, d.AuditLogset)
	str("audit-topic", r.AuditTopic, d.AuditTopic)
	str("kafka-network", r.KafkaNetwork, d.KafkaNetwork)
	boolean("verify-kafka", r.VerifyKafka)
	str("site", r.Site, d.Site)
	str("security-center", r.SecurityCenter, d.SecurityCenter)
	if r.SecurityCenter != onboarding.SecurityCenterSkip {
		args = append(args, a.Alibaba.Flags...)
	}
	str("account-name", r.AccountName, d.AccountName)
	str("regions", strings.Join(r.Regions, ","), strings.Join(d.Regions, ","))
	boolean("region-management", r.RegionManagement)
	str("host-sync", r.HostSync, d.HostSync)
	str("cloud-sync", r.CloudSync, d.CloudSync)
	str("ak-check", r.AKCheck, d.AKCheck)
	boolean("skip-sync", r.SkipSync)
	str("root-key", r.RootKey, d.RootKey)
	str("confirm-root-key", r.RootKeyConfirm, d.RootKeyConfirm)
	return args
}

// CommandLine is CommandArgs as one line.
func (a Answers) CommandLine(sandbox bool) string { return strings.Join(a.CommandArgs(sandbox), " ") }

// wrapCommand lays a command out in lines of at most width columns, breaking only between tokens and
// ending each broken line with a shell continuation, so that it pastes as one command. A single token
// wider than width keeps its line (it is never cut).
func wrapCommand(args []string, width int) []string {
	var lines []string
	line := ""
	for _, tok := range args {
		switch {
		case line == "":
			line = tok
		case len(line)+1+len(tok)+2 <= width: // room for the token and a trailing " \"
			line += " " + tok
		default:
			lines = append(lines, line+" \\")
			line = "  " + tok
		}
	}
	return append(lines, line)
}

// shellQuote quotes v for a POSIX shell when it holds anything but safe characters.
func shellQuote(v string) string {
	safe := v != ""
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,/:@=+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
