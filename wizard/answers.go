package wizard

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"onboard/policy"
)

// Sites of Security Center, as the console names them.
const (
	SiteMainland = "cn"   // Chinese mainland: tds.cn-shanghai
	SiteOutside  = "intl" // outside the Chinese mainland: tds.ap-southeast-1
)

// Configuration modes of the console procedure.
const (
	ModeManual = "manual" // a sub-user created here; hosts, CSPM, Agentic SOC and audit logs
	ModeQuick  = "quick"  // the root key is submitted; Security Center creates the sub-account; hosts only
)

// Kafka networks for audit-log consumption.
const (
	KafkaInternet = "internet"
	KafkaInternal = "internal"
)

// What to do with a root key once the sub-user's key works.
const (
	RootKeyKeep    = "keep"
	RootKeyDisable = "disable"
	RootKeyDelete  = "delete"
)

// Credential sources.
const (
	SourceTyped = "typed"
	SourceSkip  = "skip"
)

// The names of the CLS logset and topic the engine creates for audit logs (or reuses, when an earlier
// run made them).
const (
	NewLogsetName = "onboard-cloudaudit"
	NewTopicName  = "cloudaudit-events"
)

// SchedulePeriods are the sync periods, in minutes, that Security Center accepts.
var SchedulePeriods = []int{60, 180, 360, 720, 1440, 10080}

// Secret is a value that must never be printed: String and MarshalJSON give "****".
type Secret string

// String hides the secret.
func (Secret) String() string { return "****" }

// GoString hides the secret from %#v too.
func (Secret) GoString() string { return "****" }

// MarshalJSON hides the secret.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"****"`), nil }

// Reveal returns the secret itself, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Credential is a cloud API key and where it came from.
type Credential struct {
	// Source says where the key was found: "environment", "profile default", or SourceTyped.
	Source string
	ID     string
	Secret Secret
}

// Masked returns the key ID with all but its first four and last four characters hidden.
func (c Credential) Masked() string { return MaskID(c.ID) }

// MaskID hides the middle of an access key ID behind a fixed "****", so that the mask does not tell
// the ID's length either.
func MaskID(id string) string {
	if len(id) <= 8 {
		return "****"
	}
	return id[:4] + "****" + id[len(id)-4:]
}

// Answers are everything the wizard asks. The command layer turns them into an onboarding request.
type Answers struct {
	Site     string
	Mode     string
	Features []string // policy.FeatureHost, ...
	CSPMMode policy.CSPMMode
	// Lighthouse adds QcloudLighthouseReadOnlyAccess to feature host, for Lighthouse servers.
	Lighthouse bool

	Tencent  Credential
	Identity Identity // what the Tencent key turned out to be

	UserName string // the CAM sub-user (manual mode)

	AuditRegion  string
	LogsetID     string // empty: a new logset named NewLogsetName
	TopicID      string // empty: a new topic named NewTopicName
	KafkaNetwork string

	SkipSecurityCenter bool
	DisplayName        string
	Alibaba            Credential

	Regions       []string
	DefaultRegion bool // this site is the default site: new regions are included

	HostSyncMinutes  int
	CloudSyncMinutes int
	AKCheckMinutes   int // 0: no scheduled AccessKey status check

	RootKey string // RootKeyKeep, RootKeyDisable or RootKeyDelete
}

// Has reports whether feature was chosen.
func (a Answers) Has(feature string) bool {
	for _, f := range a.Features {
		if f == feature {
			return true
		}
	}
	return false
}

// Grants returns the policies the chosen features attach, each once, in feature order.
func (a Answers) Grants() []policy.Grant {
	var out []policy.Grant
	seen := map[string]bool{}
	for _, f := range a.Features {
		gs, err := policy.Grants(f, a.CSPMMode, a.Lighthouse)
		if err != nil {
			continue
		}
		for _, g := range gs {
			if !seen[g.Name] {
				seen[g.Name] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// CommandLine returns the equivalent non-interactive command for scripts, in the flags of `onboard
// tencent`. Secrets are left out: the keys are named by where they come from (environment or profile),
// never by value.
func (a Answers) CommandLine() string {
	args := []string{"onboard", "tencent", "--no-input"}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, shellQuote(v))
		}
	}
	add("--site", map[string]string{SiteMainland: "mainland", SiteOutside: "outside"}[a.Site])
	add("--mode", a.Mode)
	feats := append([]string(nil), a.Features...)
	add("--features", strings.Join(feats, ","))
	if a.Lighthouse && a.Has(policy.FeatureHost) {
		args = append(args, "--lighthouse")
	}
	if a.Has(policy.FeatureCSPM) && a.CSPMMode != "" {
		add("--cspm-policy", string(a.CSPMMode))
	}
	if p, ok := profileName(a.Tencent.Source); ok {
		add("--profile", p)
	} else if a.Tencent.Source == SourceTyped {
		add("--secret-id", a.Tencent.ID)
		args = append(args, "--secret-key-stdin")
	}
	if a.Mode == ModeManual {
		add("--sub-user", a.UserName)
	}
	if a.Has(policy.FeatureAudit) {
		add("--audit-region", a.AuditRegion)
		add("--audit-logset", a.LogsetID)
		add("--audit-topic", a.TopicID)
		add("--kafka-network", map[string]string{KafkaInternet: "public", KafkaInternal: "private"}[a.KafkaNetwork])
	}
	if a.SkipSecurityCenter {
		add("--security-center", "skip")
	} else {
		add("--account-name", a.DisplayName)
		if p, ok := profileName(a.Alibaba.Source); ok {
			add("--alibaba-profile", p)
		}
		regions := append([]string(nil), a.Regions...)
		sort.Strings(regions)
		add("--regions", strings.Join(regions, ","))
		if a.DefaultRegion {
			args = append(args, "--region-management")
		}
		add("--host-sync", Frequency(a.HostSyncMinutes))
		if a.Has(policy.FeatureCSPM) {
			add("--cloud-sync", Frequency(a.CloudSyncMinutes))
		}
		add("--ak-check", Frequency(a.AKCheckMinutes))
	}
	if a.Identity.Root && a.RootKey != "" {
		add("--root-key", a.RootKey)
	}
	return strings.Join(args, " ")
}

// profileName reads the profile's name from a credential source such as "tccli profile prod",
// "profile prod in ~/.tencentcloud/credentials" or "aliyun CLI profile prod in ~/.aliyun/config.json".
func profileName(source string) (string, bool) {
	i := strings.Index(source, "profile ")
	if i < 0 || strings.Contains(source, "(") {
		return "", false
	}
	name, _, _ := strings.Cut(source[i+len("profile "):], " in ")
	return name, name != ""
}

// Frequency words a sync period in minutes as the command line's flags take it: 1h, 3h, 6h, 12h,
// 24h, 7d, or off for 0. Other periods are given in minutes, which the flags refuse.
func Frequency(m int) string {
	switch m {
	case 0:
		return "off"
	case 60, 180, 360, 720, 1440:
		return strconv.Itoa(m/60) + "h"
	case 10080:
		return "7d"
	}
	return strconv.Itoa(m) + "m"
}

// shellQuote quotes v for a POSIX shell when it holds anything but safe characters.
func shellQuote(v string) string {
	safe := true
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,/:@=+", r)) {
			safe = false
			break
		}
	}
	if safe && v != "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// PeriodLabel names a schedule period in words.
func PeriodLabel(m int) string {
	switch {
	case m == 0:
		return "off"
	case m%1440 == 0 && m >= 1440:
		if m == 1440 {
			return "every day"
		}
		if m == 10080 {
			return "every week"
		}
		return fmt.Sprintf("every %d days", m/1440)
	case m%60 == 0:
		if m == 60 {
			return "every hour"
		}
		return fmt.Sprintf("every %d hours", m/60)
	}
	return fmt.Sprintf("every %d minutes", m)
}
