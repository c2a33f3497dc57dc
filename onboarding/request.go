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
}

// QuickUserPrefix starts the sub-user name in quick mode, as Security Center's quick configuration does.
const QuickUserPrefix = "AlibabaSasSubAccount_"

// built lists the features the engine can onboard today; audit needs CLS and CloudAudit, not built yet.
var built = []string{policy.FeatureHost, policy.FeatureCSPM, policy.FeatureSOC}

var subUserName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)

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
