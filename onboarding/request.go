// Package onboarding is the engine of `onboard tencent`: it validates a Request, runs the onboarding
// steps in order with a journal (so a failed or killed run resumes, and a re-run changes nothing), and
// reports events and a Result. It must not import bubbletea or cobra; the wizard and the flags are two
// faces on it.
package onboarding

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"onboard/policy"
	"onboard/securitycenter"
)

// Modes of Security Center's procedure.
const (
	ModeManual = "manual"
	ModeQuick  = "quick"
)

// Request is everything one onboarding needs, validated once by Validate before any call.
type Request struct {
	Mode       string   // manual or quick
	Features   []string // host, cspm, soc, audit
	CSPMPolicy policy.CSPMMode
	SubUser    string // the CAM sub-user to create or reuse
	Account    string // the local name of the account record; default: the owner UIN
	AdoptUser  bool   // take over a same-named user this tool did not create

	// Site is the Security Center site the account is connected to: mainland (default) or outside.
	Site string
	// AccountName is the account's display name in Security Center; default: the sub-user's name.
	AccountName string
	// SecurityCenter is submit (default: the engine connects the account) or skip (the Result says what
	// to enter in the console).
	SecurityCenter string
	// Regions are the Tencent Cloud regions Security Center and the first sync cover; empty or "all"
	// (the default) means every region the other site does not already sync.
	Regions []string
	// RegionManagement lets new regions join the sync automatically (Security Center's default site).
	RegionManagement bool
	// HostSync, CloudSync and AKCheck are how often Security Center syncs hosts, syncs cloud services and
	// checks the key: 1h, 3h, 6h, 12h, 24h, 7d or off. Defaults: 24h, 24h and 24h (once a day each).
	HostSync, CloudSync, AKCheck string
	// SkipSync leaves out the first asset sync.
	SkipSync bool
}

// Values of Request.SecurityCenter.
const (
	SecurityCenterSubmit = "submit"
	SecurityCenterSkip   = "skip"
)

// RegionsAll is the Regions value that chooses every region.
const RegionsAll = "all"

// DefaultFrequency is the default of HostSync, CloudSync and AKCheck.
const DefaultFrequency = "24h"

// QuickUserPrefix starts the sub-user name in quick mode, as Security Center's quick configuration does.
const QuickUserPrefix = "AlibabaSasSubAccount_"

// built lists the features the engine can onboard today; audit needs CLS and CloudAudit, not built yet.
var built = []string{policy.FeatureHost, policy.FeatureCSPM, policy.FeatureSOC}

var subUserName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)

// regionID is the shape of a Tencent Cloud region ID, e.g. ap-guangzhou or na-siliconvalley.
var regionID = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+(-[0-9]+)?$`)

// FieldError is invalid input, naming the flag (or wizard field) and what would be valid.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("invalid --%s: %s", e.Field, e.Message) }

// Validate checks the request and fills defaults; it makes no call.
func (r *Request) Validate() error {
	switch r.Mode {
	case "":
		return &FieldError{"mode", "missing; valid values are manual, quick"}
	case ModeManual, ModeQuick:
	default:
		return &FieldError{"mode", fmt.Sprintf("%q is not valid; valid values are manual, quick", r.Mode)}
	}
	if r.Mode == ModeQuick {
		if len(r.Features) == 0 {
			r.Features = []string{policy.FeatureHost}
		}
		if len(r.Features) != 1 || r.Features[0] != policy.FeatureHost {
			return &FieldError{"features", "quick mode supports host only, as in Security Center; use --mode manual for cspm, soc or audit"}
		}
	}
	if len(r.Features) == 0 {
		return &FieldError{"features", "missing; choose one or more of host, cspm, soc, audit"}
	}
	seen := map[string]bool{}
	for _, f := range r.Features {
		if !slices.Contains(policy.Features(), f) {
			return &FieldError{"features", fmt.Sprintf("%q is not a feature; valid features are %s", f, strings.Join(policy.Features(), ", "))}
		}
		if !slices.Contains(built, f) {
			return &FieldError{"features", fmt.Sprintf("%q is not supported by this version yet (it needs CLS and CloudAudit delivery); supported: %s", f, strings.Join(built, ", "))}
		}
		if seen[f] {
			return &FieldError{"features", fmt.Sprintf("%q is listed twice", f)}
		}
		seen[f] = true
	}
	switch r.CSPMPolicy {
	case "":
		r.CSPMPolicy = policy.CSPMPreset
	case policy.CSPMPreset, policy.CSPMCustom:
	default:
		return &FieldError{"cspm-policy", fmt.Sprintf("%q is not valid; valid values are preset, custom", r.CSPMPolicy)}
	}
	if err := r.validateSecurityCenter(); err != nil {
		return err
	}
	if r.SubUser == "" {
		if r.Mode != ModeQuick {
			return &FieldError{"sub-user", "missing; name the CAM sub-user to create (letters, digits and +=,.@_-, at most 64)"}
		}
		return nil // quick mode names it after the account once the caller is known
	}
	if !subUserName.MatchString(r.SubUser) {
		return &FieldError{"sub-user", fmt.Sprintf("%q is not a valid CAM user name: use 1-64 letters, digits and +=,.@_-", r.SubUser)}
	}
	return nil
}

// validateSecurityCenter checks and defaults the Security Center and first-sync fields.
func (r *Request) validateSecurityCenter() error {
	switch r.Site {
	case "":
		r.Site = string(securitycenter.SiteMainland)
	case string(securitycenter.SiteMainland), string(securitycenter.SiteOutside):
	default:
		return &FieldError{"site", fmt.Sprintf("%q is not valid; valid values are mainland, outside", r.Site)}
	}
	switch r.SecurityCenter {
	case "":
		r.SecurityCenter = SecurityCenterSubmit
	case SecurityCenterSubmit, SecurityCenterSkip:
	default:
		return &FieldError{"security-center", fmt.Sprintf("%q is not valid; valid values are submit, skip", r.SecurityCenter)}
	}
	if len(r.AccountName) > 64 || strings.ContainsFunc(r.AccountName, func(c rune) bool { return c < ' ' || c == 0x7f }) {
		return &FieldError{"account-name", "use at most 64 printable characters"}
	}
	if len(r.Regions) == 0 {
		r.Regions = []string{RegionsAll}
	}
	seen := map[string]bool{}
	for _, reg := range r.Regions {
		switch {
		case reg == RegionsAll && len(r.Regions) != 1:
			return &FieldError{"regions", "all cannot be combined with a list of regions; give either all or region IDs such as ap-guangzhou,ap-shanghai"}
		case reg == RegionsAll:
		case !regionID.MatchString(reg):
			return &FieldError{"regions", fmt.Sprintf("%q is not a Tencent Cloud region ID; valid values are all or a list such as ap-guangzhou,ap-shanghai", reg)}
		case seen[reg]:
			return &FieldError{"regions", fmt.Sprintf("%q is listed twice", reg)}
		}
		seen[reg] = true
	}
	for _, f := range []struct {
		flag string
		v    *string
	}{{"host-sync", &r.HostSync}, {"cloud-sync", &r.CloudSync}, {"ak-check", &r.AKCheck}} {
		if *f.v == "" {
			*f.v = DefaultFrequency
		}
		if _, err := securitycenter.ParseFrequency(*f.v); err != nil {
			return &FieldError{f.flag, fmt.Sprintf("%q is not valid; valid values are 1h, 3h, 6h, 12h, 24h, 7d, off", *f.v)}
		}
	}
	return nil
}

// allRegions reports whether the request chooses every region.
func (r *Request) allRegions() bool {
	return len(r.Regions) == 0 || (len(r.Regions) == 1 && r.Regions[0] == RegionsAll)
}
