// Package onboarding is the engine of `onboard tencent`: it validates a Request, runs the onboarding
// steps in order with a journal (so a failed or killed run resumes, and a re-run changes nothing), and
// reports events and a Result. It must not import bubbletea or cobra; the wizard and the flags are two
// faces on it.
package onboarding

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"onboard/policy"
	"onboard/securitycenter"
	"onboard/tencent"
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
	// Lighthouse adds QcloudLighthouseReadOnlyAccess to feature host, so Lighthouse servers are synced
	// too; Security Center's procedure grants hosts QcloudCVMReadOnlyAccess alone.
	Lighthouse bool
	SubUser    string // the CAM sub-user to create or reuse
	Account    string // the local name of the account record; default: the owner UIN
	AdoptUser  bool   // take over a same-named user this tool did not create
	// AdoptPolicies names custom policies (cspmPolicy, siemPolicy, ciemPolicy) that exist but were not
	// created by this tool, and that it may take over: update to its document and mark as its own.
	AdoptPolicies []string

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
	// CloudSync belongs to feature cspm: without it, it stays empty and Security Center's is left alone.
	HostSync, CloudSync, AKCheck string
	// SkipSync leaves out the first asset sync.
	SkipSync bool

	// AuditRegion is the region of the CLS logset and topic that CloudAudit delivers to (feature audit;
	// required with it).
	AuditRegion string
	// AuditLogset is a CLS logset ID, or "new" (the default): a logset named AuditLogsetName is created,
	// or reused when an earlier run made it.
	AuditLogset string
	// AuditTopic is a CLS topic ID in that logset, or "new" (the default): a topic named AuditTopicName.
	AuditTopic string
	// KafkaNetwork is the CLS Kafka address Security Center consumes from: public (the default, as
	// Security Center's procedure asks) or private.
	KafkaNetwork string
	// VerifyKafka also logs in to that Kafka address with the new key, as Security Center will.
	VerifyKafka bool
	// SOCLogs ships the account's WAF and Cloud Firewall logs for Agentic SOC as its own step once the
	// account is recorded (soclogs.go); feature soc only. A face offers it when Engine.SOCSources finds
	// WAF domains or CFW instances.
	SOCLogs bool
	// PolicyFiles replace the embedded templates of custom policies: policy name → file. The files are
	// read and checked by Validate.
	PolicyFiles map[string]string
	// AllowBroadPolicy accepts a --policy-file document that allows every action, or write actions (CAM's
	// included) beyond the template's; the Result records it.
	AllowBroadPolicy bool
	// RootKey is what happens to the root key this run used, as its very last step once everything else
	// succeeded: keep (the default; the result reminds), disable, or delete.
	RootKey string
	// RootKeyConfirm confirms RootKey disable or delete: the last four characters of the root key's
	// SecretId (RootKeyLast4), typed by the person, as destructive commands ask for a typed answer.
	RootKeyConfirm string
	// SkipPermissionCheck trusts the operator's key without reading its policies first (for permissions
	// granted through CAM groups, which the check does not read).
	SkipPermissionCheck bool

	overrides map[string][]byte // the PolicyFiles' documents, read by Validate
	broad     []string          // the broad statements AllowBroadPolicy accepted, found by Validate
}

// Values of Request.AuditLogset and Request.AuditTopic that create (or reuse) our own.
const (
	AuditNew        = "new"
	AuditLogsetName = "onboard-cloudaudit"
	AuditTopicName  = "cloudaudit-events"
)

// Values of Request.RootKey.
const (
	RootKeyKeep    = "keep"
	RootKeyDisable = "disable"
	RootKeyDelete  = "delete"
)

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

// built lists the features the engine can onboard.
var built = []string{policy.FeatureHost, policy.FeatureCSPM, policy.FeatureSOC, policy.FeatureAudit}

// clsID is the shape of a CLS logset or topic ID (a UUID, or a custom ID ending in the AppId).
var clsID = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{1,62}[0-9A-Za-z]$`)

var subUserName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)

// localName is the rule of the local --account name: it is printed in tables and messages and typed on
// command lines, so it holds letters and digits (of any script) and . _ - @, starts with a letter or
// digit (never a '-' that reads as a flag), and has at most 64 characters.
var localName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$`)

// regionID is the shape of a Tencent Cloud region ID, e.g. ap-guangzhou or na-siliconvalley.
var regionID = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+(-[0-9]+)?$`)

// FieldError is invalid input, naming the flag (or wizard field) and what would be valid.
type FieldError struct {
	Field, Message string
	// Err is what the problem is, where a fix needs more than the field (ErrBroadPolicy); nil for most.
	Err error
}

func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Message) }

func (e *FieldError) Unwrap() error { return e.Err }

// ErrBroadPolicy is a policy file that grants more than Security Center's read access, not accepted.
var ErrBroadPolicy = errors.New("the policy file grants more than read access")

// ErrRootKeyNotConfirmed is a root key to disable or delete without its typed confirmation.
var ErrRootKeyNotConfirmed = errors.New("the root key's retirement is not confirmed")

// Validate checks the request and fills defaults; it makes no call. It reports every invalid field at
// once: the error joins one *FieldError per problem (errors.As finds the first).
func (r *Request) Validate() error {
	var errs []error
	for _, fe := range r.fieldErrors() {
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}

// CheckField validates a copy of the request as Validate does and returns the problem of one field (in
// flag spelling, as FieldError.Field), or nil: for a face that asks field by field, as the wizard's
// screens do, with the validators the flags use.
func (r Request) CheckField(field string) error {
	for _, fe := range r.fieldErrors() {
		if fe.Field == field {
			return fe
		}
	}
	return nil
}

// fieldErrors checks every field, filling defaults, and returns one error per invalid field. A check
// that depends on another field (the sub-user on the mode, say) is left out while that field is invalid.
func (r *Request) fieldErrors() []*FieldError {
	var out []*FieldError
	add := func(fe *FieldError) {
		if fe != nil {
			out = append(out, fe)
		}
	}
	if r.Account != "" && !localName.MatchString(r.Account) {
		add(&FieldError{Field: "account", Message: fmt.Sprintf("%q is not valid: use 1-64 letters, digits and . _ - @, starting with a letter or digit", r.Account)})
	}
	add(r.validateMode())
	for _, f := range r.validateFeatures() {
		add(f)
	}
	if r.SOCLogs && !slices.Contains(r.Features, policy.FeatureSOC) {
		add(&FieldError{Field: "soc-logs", Message: "needs feature soc (the logs are Agentic SOC's); add soc to the features or leave it out"})
	}
	if r.Lighthouse && !slices.Contains(r.Features, policy.FeatureHost) {
		add(&FieldError{Field: "lighthouse", Message: "applies to feature host only; add host to the features or leave it out"})
	}
	switch r.CSPMPolicy {
	case "":
		r.CSPMPolicy = policy.CSPMPreset
	case policy.CSPMPreset, policy.CSPMCustom:
	default:
		add(&FieldError{Field: "cspm-policy", Message: fmt.Sprintf("%q is not valid; valid values are preset, custom", r.CSPMPolicy)})
	}
	out = append(out, r.validateSecurityCenter()...)
	out = append(out, r.validateAudit()...)
	out = append(out, r.validatePolicyFiles()...)
	out = append(out, r.validateAdoptPolicies()...)
	switch r.RootKey {
	case "":
		r.RootKey = RootKeyKeep
	case RootKeyKeep, RootKeyDisable, RootKeyDelete:
	default:
		add(&FieldError{Field: "root-key", Message: fmt.Sprintf("%q is not valid; valid values are keep, disable, delete", r.RootKey)})
	}
	switch {
	case r.SubUser == "" && r.Mode == ModeManual:
		add(&FieldError{Field: "sub-user", Message: "missing; name the CAM sub-user to create (letters, digits and +=,.@_-, at most 64)"})
	case r.SubUser == "":
		// quick mode names it after the account once the caller is known
	case !subUserName.MatchString(r.SubUser):
		add(&FieldError{Field: "sub-user", Message: fmt.Sprintf("%q is not a valid CAM user name: use 1-64 letters, digits and +=,.@_-", r.SubUser)})
	}
	return out
}

func (r *Request) validateMode() *FieldError {
	switch r.Mode {
	case "":
		return &FieldError{Field: "mode", Message: "missing; valid values are manual, quick"}
	case ModeManual, ModeQuick:
		return nil
	}
	return &FieldError{Field: "mode", Message: fmt.Sprintf("%q is not valid; valid values are manual, quick", r.Mode)}
}

// validateFeatures checks the features; quick mode defaults them to host.
func (r *Request) validateFeatures() []*FieldError {
	if r.Mode == ModeQuick {
		if len(r.Features) == 0 {
			r.Features = []string{policy.FeatureHost}
		}
		if len(r.Features) != 1 || r.Features[0] != policy.FeatureHost {
			return []*FieldError{{Field: "features", Message: "quick mode supports host only, as in Security Center; choose manual mode for cspm, soc or audit"}}
		}
	}
	if len(r.Features) == 0 {
		if r.Mode != ModeManual {
			return nil // which features are needed depends on the mode, which is invalid
		}
		return []*FieldError{{Field: "features", Message: "missing; choose one or more of host, cspm, soc, audit"}}
	}
	var out []*FieldError
	seen := map[string]bool{}
	for _, f := range r.Features {
		switch {
		case !slices.Contains(policy.Features(), f):
			out = append(out, &FieldError{Field: "features", Message: fmt.Sprintf("%q is not a feature; valid features are %s", f, strings.Join(policy.Features(), ", "))})
		case !slices.Contains(built, f):
			out = append(out, &FieldError{Field: "features", Message: fmt.Sprintf("%q is not supported by this version yet (it needs CLS and CloudAudit delivery); supported: %s", f, strings.Join(built, ", "))})
		case seen[f]:
			out = append(out, &FieldError{Field: "features", Message: fmt.Sprintf("%q is listed twice", f)})
		}
		seen[f] = true
	}
	return out
}

// validateSecurityCenter checks and defaults the Security Center and first-sync fields.
func (r *Request) validateSecurityCenter() []*FieldError {
	var out []*FieldError
	switch r.Site {
	case "":
		r.Site = string(securitycenter.SiteMainland)
	case string(securitycenter.SiteMainland), string(securitycenter.SiteOutside):
	default:
		out = append(out, &FieldError{Field: "site", Message: fmt.Sprintf("%q is not valid; valid values are mainland, outside", r.Site)})
	}
	switch r.SecurityCenter {
	case "":
		r.SecurityCenter = SecurityCenterSubmit
	case SecurityCenterSubmit, SecurityCenterSkip:
	default:
		out = append(out, &FieldError{Field: "security-center", Message: fmt.Sprintf("%q is not valid; valid values are submit, skip", r.SecurityCenter)})
	}
	// The limit counts characters, not bytes: a name of 30 Chinese characters is 90 bytes of UTF-8.
	if utf8.RuneCountInString(r.AccountName) > 64 || !utf8.ValidString(r.AccountName) || strings.ContainsFunc(r.AccountName, func(c rune) bool { return !unicode.IsPrint(c) }) {
		out = append(out, &FieldError{Field: "account-name", Message: fmt.Sprintf("%q is not valid: use at most 64 printable characters", r.AccountName)})
	}
	if len(r.Regions) == 0 {
		r.Regions = []string{RegionsAll}
	}
	seen := map[string]bool{}
	for _, reg := range r.Regions {
		switch {
		case reg == RegionsAll && len(r.Regions) != 1:
			out = append(out, &FieldError{Field: "regions", Message: "all cannot be combined with a list of regions; give either all or region IDs such as ap-guangzhou,ap-shanghai"})
		case reg == RegionsAll:
		case !regionID.MatchString(reg):
			out = append(out, &FieldError{Field: "regions", Message: fmt.Sprintf("%q is not a Tencent Cloud region ID; valid values are all or a list such as ap-guangzhou,ap-shanghai", reg)})
		case seen[reg]:
			out = append(out, &FieldError{Field: "regions", Message: fmt.Sprintf("%q is listed twice", reg)})
		}
		seen[reg] = true
	}
	// Security Center's procedure sets the cloud-service sync with CSPM only (quick mode syncs hosts). The
	// default (which a face fills in whatever the features) is dropped without cspm; another value is refused.
	if r.CloudSync == Defaults().CloudSync && !slices.Contains(r.Features, policy.FeatureCSPM) {
		r.CloudSync = ""
	}
	if r.CloudSync != "" && !slices.Contains(r.Features, policy.FeatureCSPM) {
		out = append(out, &FieldError{Field: "cloud-sync", Message: "applies to feature cspm only (Security Center syncs cloud services for CSPM); add cspm to the features or leave it out"})
	}
	frequencies := []struct {
		flag string
		v    *string
	}{{"host-sync", &r.HostSync}, {"ak-check", &r.AKCheck}}
	if slices.Contains(r.Features, policy.FeatureCSPM) {
		frequencies = append(frequencies, struct {
			flag string
			v    *string
		}{"cloud-sync", &r.CloudSync})
	}
	for _, f := range frequencies {
		if *f.v == "" {
			*f.v = DefaultFrequency
		}
		if _, err := securitycenter.ParseFrequency(*f.v); err != nil {
			out = append(out, &FieldError{Field: f.flag, Message: fmt.Sprintf("%q is not valid; valid values are 1h, 3h, 6h, 12h, 24h, 7d, off", *f.v)})
		}
	}
	return out
}

// validateAudit checks and defaults the audit-log fields; they are refused without feature audit, so a
// script that forgot the feature hears about it.
func (r *Request) validateAudit() []*FieldError {
	var out []*FieldError
	if !slices.Contains(r.Features, policy.FeatureAudit) {
		// The defaults (which a face fills in whatever the features) are dropped; other values are refused.
		d := Defaults()
		for _, f := range []struct {
			flag     string
			v        *string
			fallback string
		}{{"audit-region", &r.AuditRegion, ""}, {"audit-logset", &r.AuditLogset, d.AuditLogset},
			{"audit-topic", &r.AuditTopic, d.AuditTopic}, {"kafka-network", &r.KafkaNetwork, d.KafkaNetwork}} {
			switch *f.v {
			case "":
			case f.fallback:
				*f.v = ""
			default:
				out = append(out, &FieldError{Field: f.flag, Message: "applies to feature audit only; add audit to the features or leave it out"})
			}
		}
		if r.VerifyKafka {
			out = append(out, &FieldError{Field: "verify-kafka", Message: "applies to feature audit only; add audit to the features or leave it out"})
		}
		return out
	}
	switch {
	case r.AuditRegion == "":
		out = append(out, &FieldError{Field: "audit-region", Message: "missing; name the region of the audit-log logset and topic, e.g. ap-guangzhou"})
	case !regionID.MatchString(r.AuditRegion):
		out = append(out, &FieldError{Field: "audit-region", Message: fmt.Sprintf("%q is not a Tencent Cloud region ID, e.g. ap-guangzhou", r.AuditRegion)})
	}
	for _, f := range []struct {
		flag string
		v    *string
	}{{"audit-logset", &r.AuditLogset}, {"audit-topic", &r.AuditTopic}} {
		if *f.v == "" {
			*f.v = AuditNew
		}
		if *f.v != AuditNew && !clsID.MatchString(*f.v) {
			out = append(out, &FieldError{Field: f.flag, Message: fmt.Sprintf("%q is neither new nor a CLS ID (such as 0f8e3c1a-1d4b-4c8e-9a77-5b2f1c3d4e5f)", *f.v)})
		}
	}
	if r.AuditLogset == AuditNew && r.AuditTopic != AuditNew {
		out = append(out, &FieldError{Field: "audit-topic", Message: "an existing topic needs its logset: give the logset's ID too, or choose a new topic"})
	}
	switch r.KafkaNetwork {
	case "":
		r.KafkaNetwork = "public"
	case "public", "private":
	default:
		out = append(out, &FieldError{Field: "kafka-network", Message: fmt.Sprintf("%q is not valid; valid values are public, private", r.KafkaNetwork)})
	}
	return out
}

// validatePolicyFiles reads each --policy-file and checks it is a valid template for that policy, whose
// placeholders are all ones the engine fills for that policy (see policyPlaceholders), and that it grants
// no more than a read-only key for Security Center should hold unless AllowBroadPolicy says the user
// takes that on.
func (r *Request) validatePolicyFiles() []*FieldError {
	var out []*FieldError
	var refused []string
	r.overrides, r.broad = map[string][]byte{}, nil
	for _, name := range slices.Sorted(maps.Keys(r.PolicyFiles)) {
		path := r.PolicyFiles[name]
		doc, err := policy.LoadOverride(name, path)
		if err != nil {
			out = append(out, &FieldError{Field: "policy-file", Message: err.Error()})
			continue
		}
		if _, err := policy.RenderDocument(doc, standInValues(name)); err != nil {
			out = append(out, &FieldError{Field: "policy-file", Message: fmt.Sprintf("policy file %s for %s: %s; onboard fills only %s in %s",
				path, name, strings.ReplaceAll(err.Error(), "\n", "; "), placeholderList(policyPlaceholders[name]), name)})
			continue
		}
		r.overrides[name] = doc
		broad, err := policy.Broad(name, doc)
		if err != nil {
			out = append(out, &FieldError{Field: "policy-file", Message: fmt.Sprintf("evaluate %s for %s: %v", path, name, err)})
			continue
		}
		for _, b := range broad {
			line := fmt.Sprintf("%s (%s): %s", name, path, b)
			if r.AllowBroadPolicy {
				r.broad = append(r.broad, line)
			} else {
				refused = append(refused, line)
			}
		}
	}
	if len(refused) > 0 {
		out = append(out, &FieldError{Field: "policy-file", Message: "the document grants more than Security Center's read access, and the key goes to a third party:\n  - " +
			strings.Join(refused, "\n  - ") + "\nnarrow it, or allow broad policies to accept that", Err: ErrBroadPolicy})
	}
	return out
}

// validateAdoptPolicies checks that each --adopt-policy names a custom policy, once.
func (r *Request) validateAdoptPolicies() []*FieldError {
	var out []*FieldError
	seen := map[string]bool{}
	for _, name := range r.AdoptPolicies {
		switch {
		case !slices.Contains(policy.Names(), name):
			out = append(out, &FieldError{Field: "adopt-policy", Message: fmt.Sprintf("%q is not a custom policy onboard manages; valid names are %s", name, strings.Join(policy.Names(), ", "))})
		case seen[name]:
			out = append(out, &FieldError{Field: "adopt-policy", Message: fmt.Sprintf("%q is listed twice", name)})
		}
		seen[name] = true
	}
	return out
}

// policyPlaceholders are the placeholders the engine fills in each custom policy: the account's UIN in
// every one (ensureGrants), and the audit logset, topic and region in ciemPolicy (grantCIEM), whose
// resources they are.
var policyPlaceholders = map[string][]string{
	policy.CSPMPolicy: {policy.PlaceholderAccount},
	policy.SIEMPolicy: {policy.PlaceholderAccount},
	policy.CIEMPolicy: {policy.PlaceholderAccount, policy.PlaceholderRegion, policy.PlaceholderLogset, policy.PlaceholderTopic},
}

// standInValues fill the placeholders the engine fills in the named policy (policyPlaceholders) with
// valid values, and no other: rendering a template with them fails exactly when it uses a placeholder
// the run cannot fill.
func standInValues(name string) policy.Values {
	v := policy.Values{RootAccountID: "100000000000"}
	if name == policy.CIEMPolicy {
		v.Region, v.LogsetID, v.TopicID = "ap-guangzhou", "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"
	}
	return v
}

func placeholderList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "${" + n + "}"
	}
	return strings.Join(out, ", ")
}

// Warnings are choices the procedure advises against but allows; the faces print them before the run
// and the result keeps them.
func (r *Request) Warnings() []string {
	var out []string
	if slices.Contains(r.Features, policy.FeatureAudit) && !slices.Contains(r.Features, policy.FeatureCSPM) {
		out = append(out, "audit logs are chosen without cspm: Security Center's procedure ties the audit logs (CIEM) to CSPM, "+
			"whose checks read the cloud configuration the events refer to; add cspm to the features unless CSPM is connected otherwise")
	}
	if slices.Contains(r.Features, policy.FeatureCSPM) && r.CSPMPolicy == policy.CSPMCustom {
		out = append(out, CSPMPolicyReminder)
	}
	return out
}

// CSPMPolicyReminder is said whenever the custom cspmPolicy is chosen, as Security Center's procedure does.
const CSPMPolicyReminder = "the custom cspmPolicy grants only the reads this version knows CSPM's checks need: when Security Center adds " +
	"check items, they fail until the policy is updated; compare it with `onboard policy diff cspmPolicy`, and run onboard tencent " +
	"with a newer onboard (or your own cspmPolicy document) to update it, or choose the preset CSPM policies"

// KeepReminder is Security Center's warning about the sub-user and its key, said in the summary and by
// `onboard accounts show`.
func KeepReminder(subUser, keyID string) string {
	return fmt.Sprintf("Never delete or disable sub-user %s or its API key %s: Security Center reads your assets with them, "+
		"and the connection stops the moment either goes. To replace the key, run onboard tencent again.", subUser, tencent.MaskID(keyID))
}

// grantNames are the policies this request attaches, ciemPolicy included with feature audit.
func (r *Request) grantNames() []string {
	names, _ := policy.GrantNames(r.Features, r.CSPMPolicy, r.Lighthouse) // Validate checked every feature
	return names
}

// allRegions reports whether the request chooses every region.
func (r *Request) allRegions() bool {
	return len(r.Regions) == 0 || (len(r.Regions) == 1 && r.Regions[0] == RegionsAll)
}
