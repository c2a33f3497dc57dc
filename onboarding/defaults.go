package onboarding

import (
	"onboard/policy"
	"onboard/securitycenter"
)

// Defaults is the one place the defaults of a Request live: the flags and the wizard both read it. Mode
// and Features have none: they are the person's first choice (quick mode then means host).
func Defaults() Request {
	return Request{
		CSPMPolicy:     policy.CSPMPreset,
		Site:           string(securitycenter.SiteMainland),
		SecurityCenter: SecurityCenterSubmit,
		Regions:        []string{RegionsAll},
		HostSync:       DefaultFrequency,
		CloudSync:      DefaultFrequency,
		AKCheck:        DefaultFrequency,
		AuditLogset:    AuditNew,
		AuditTopic:     AuditNew,
		KafkaNetwork:   KafkaPublic,
		RootKey:        RootKeyKeep,
	}
}

// Values of Request.KafkaNetwork.
const (
	KafkaPublic  = "public"
	KafkaPrivate = "private"
)

// The choices both faces offer, in the order they offer them.
var (
	Modes                 = []string{ModeManual, ModeQuick}
	Features              = policy.Features()
	CSPMPolicies          = []string{string(policy.CSPMPreset), string(policy.CSPMCustom)}
	Sites                 = []string{string(securitycenter.SiteMainland), string(securitycenter.SiteOutside)}
	SecurityCenterChoices = []string{SecurityCenterSubmit, SecurityCenterSkip}
	Frequencies           = []string{"1h", "3h", "6h", "12h", "24h", "7d", "off"}
	KafkaNetworks         = []string{KafkaPublic, KafkaPrivate}
	RootKeyActions        = []string{RootKeyKeep, RootKeyDisable, RootKeyDelete}
)

// DefaultSubUser is the sub-user name both faces propose: in quick mode Security Center's own
// (QuickUserPrefix and the account's last six digits), in manual mode a name that says what it is for.
func DefaultSubUser(mode, ownerUIN string) string {
	if mode == ModeQuick {
		suffix := ownerUIN
		if len(suffix) > 6 {
			suffix = suffix[len(suffix)-6:]
		}
		return QuickUserPrefix + suffix
	}
	return DefaultManualSubUser
}

// DefaultManualSubUser is the sub-user name proposed in manual mode.
const DefaultManualSubUser = "sas-reader"

// DefaultAccountName is the account's display name in Security Center when the request gives none: the
// sub-user's name.
func DefaultAccountName(req Request) string {
	if req.AccountName != "" {
		return req.AccountName
	}
	return req.SubUser
}
