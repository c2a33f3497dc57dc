package onboarding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// neededActions are the calls an onboarding makes with the operator's key, by what needs them. The
// resource is what CAM checks ("*" for CAM, the logset or topic for CLS).
func (r *run) neededActions() []policy.Request {
	star := func(actions ...string) []policy.Request {
		out := make([]policy.Request, len(actions))
		for i, a := range actions {
			out[i] = policy.Request{Action: a, Resource: "*"}
		}
		return out
	}
	need := star("cam:GetUser", "cam:AddUser", "cam:ListPolicies", "cam:GetPolicy", "cam:CreatePolicy", "cam:UpdatePolicy",
		"cam:AttachUserPolicy", "cam:ListAttachedUserPolicies", "cam:ListEntitiesForPolicy", "cam:ListAccessKeys", "cam:CreateAccessKey", "cam:UpdateAccessKey", "cam:DeleteAccessKey")
	if slices.Contains(r.req.Features, policy.FeatureAudit) {
		cls := func(kind, action string) policy.Request {
			return policy.Request{Action: action, Resource: fmt.Sprintf("qcs::cls:%s:uin/%s:%s/*", r.req.AuditRegion, r.id.OwnerUIN, kind)}
		}
		need = append(need, star("cls:DescribeLogsets", "cls:DescribeTopics", "cloudaudit:DescribeAuditTracks", "cloudaudit:CreateAuditTrack")...)
		need = append(need, cls("logset", "cls:CreateLogset"), cls("logset", "cls:CreateTopic"),
			cls("topic", "cls:DescribeKafkaConsumer"), cls("topic", "cls:OpenKafkaConsumer"))
	}
	if r.req.SOCLogs {
		need = append(need, r.socPart(store.Account{}, false).neededActions(r.id.OwnerUIN)...)
	}
	return need
}

// checkPermissions runs before any change: a sub-user operator's attached policies must allow every call
// the request needs, or the run stops at once naming what is missing. A root key may do everything.
// Policies reaching the operator through a CAM group are not read; SkipPermissionCheck is for that case.
// Temporary credentials are not checked up front either: their permissions are the intersection of a
// session policy, which CAM does not show, and their principal's; a missing one fails its call by name.
func (r *run) checkPermissions(ctx context.Context) error {
	if r.id.IsRoot() || r.id.IsTemporary() || r.req.SkipPermissionCheck {
		return nil
	}
	missing, err := r.e.missingActions(ctx, r.id, r.neededActions())
	if err != nil {
		return fmt.Errorf("read the operator's own policies to check its permissions (or skip the permission check): %w", err)
	}
	if len(missing) == 0 {
		return nil
	}
	return &PermissionError{Operator: r.id.UserUIN, Missing: missing}
}

// PermissionError names the permissions the operator's key lacks for the request. It is a
// tencent.ErrDenied.
type PermissionError struct {
	Operator string
	Missing  []string
}

func (e *PermissionError) Unwrap() error { return tencent.ErrDenied }

func (e *PermissionError) Error() string {
	return fmt.Sprintf("the operator (sub-user %s) may not do everything this onboarding needs; its policies do not allow: %s. "+
		"Grant them (for example QcloudCamFullAccess for cam, QcloudCLSFullAccess and QcloudAuditFullAccess for audit logs), "+
		"or skip the permission check if a CAM group grants them", e.Operator, strings.Join(e.Missing, ", "))
}

// ProblemClass is the kind of fix a pre-flight problem needs. It decides the exit code of a run that
// stops on it.
type ProblemClass string

const (
	// ProblemUsage is an input that is invalid, or names what does not exist: fix the command line (or
	// the wizard's answer).
	ProblemUsage ProblemClass = "usage"
	// ProblemCredentials is a key that Tencent Cloud or Alibaba Cloud rejected.
	ProblemCredentials ProblemClass = "credentials"
	// ProblemPrecondition is the account or this machine not being ready: a permission, a stranger's
	// resource, a locked keyring, or a check that could not run.
	ProblemPrecondition ProblemClass = "precondition"
)

// Problem is one thing the pre-flight found wrong.
type Problem struct {
	Input string `json:"input"` // what is at fault: the Request field (as Field), or "Alibaba Cloud key", "secret store"
	// Field is the Request field at fault, in flag spelling ("regions", "sub-user"); "" when the fault is
	// no field of the request (a key, the secret store). Each face words it: a flag, a screen.
	Field   string       `json:"field,omitempty"`
	Problem string       `json:"problem"`       // what is wrong, with the valid values where they are known
	Fix     string       `json:"fix,omitempty"` // what to do; empty when Problem already says it
	Class   ProblemClass `json:"class"`
	Err     error        `json:"-"` // the cause, for errors.Is and errors.As; nil for a problem found by reading
}

func (p Problem) String() string {
	s := p.Input + ": " + p.Problem
	if p.Fix != "" {
		s += "; " + p.Fix
	}
	return s
}

// PreflightError is every problem the pre-flight found. It is returned before anything was changed,
// and unwraps to each problem's cause.
type PreflightError struct {
	Problems []Problem
}

func (e *PreflightError) Error() string { return e.Format(Problem.String) }

// Format writes the problems with line, which a face may replace to word each problem its own way (a
// field as a flag, say).
func (e *PreflightError) Format(line func(Problem) string) string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("the pre-flight check found a problem; nothing was changed:")
	} else {
		fmt.Fprintf(&b, "the pre-flight check found %d problems; nothing was changed:", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n  - " + line(p))
	}
	return b.String()
}

// Unwrap returns the problems' causes, so that errors.Is(err, tencent.ErrAuth) and errors.As(err,
// **FieldError) see them.
func (e *PreflightError) Unwrap() []error {
	var out []error
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}

// Has reports whether any problem is of the class.
func (e *PreflightError) Has(c ProblemClass) bool {
	return slices.ContainsFunc(e.Problems, func(p Problem) bool { return p.Class == c })
}

// problems gathers what the pre-flight finds.
type problems []Problem

func (ps *problems) add(p Problem) {
	if p.Field != "" && p.Input == "" {
		p.Input = p.Field
	}
	*ps = append(*ps, p)
}

// field adds an invalid input.
func (ps *problems) field(fe *FieldError) {
	ps.add(Problem{Field: fe.Field, Problem: fe.Message, Class: ProblemUsage, Err: fe})
}

// failed adds a check that failed with err: a FieldError is the input's problem, a rejected key is a
// credentials problem, anything else a precondition (a check that could not run says so). fix is what
// to do in the last case.
func (ps *problems) failed(input, what string, err error, fix string) {
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		ps.field(fe)
	case errors.Is(err, tencent.ErrAuth):
		ps.add(Problem{Input: "Tencent Cloud key", Problem: "rejected (" + err.Error() + ")", Class: ProblemCredentials, Err: err,
			Fix: "check the key (TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, with TENCENTCLOUD_SESSION_TOKEN for temporary credentials, or the profile it came from), and that it is active and unexpired"})
	case errors.Is(err, securitycenter.ErrAuth):
		ps.add(Problem{Input: "Alibaba Cloud key", Problem: "rejected (" + err.Error() + ")", Class: ProblemCredentials, Err: err,
			Fix: "check the key (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, with ALIBABA_CLOUD_SECURITY_TOKEN for an STS key, or the aliyun CLI profile it came from), and that it is active"})
	default:
		ps.add(Problem{Input: input, Problem: what + ": " + err.Error(), Fix: fix, Class: ProblemPrecondition, Err: err})
	}
}

// failedField is failed for a check of a Request field.
func (ps *problems) failedField(field, what string, err error, fix string) {
	n := len(*ps)
	ps.failed(field, what, err, fix)
	for i := n; i < len(*ps); i++ {
		if (*ps)[i].Input == field {
			(*ps)[i].Field = field
		}
	}
}

// about reports whether a problem concerns any of the inputs (flags without "--").
func (ps problems) about(fields ...string) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool {
		return slices.ContainsFunc(fields, func(f string) bool { return p.Field == f })
	})
}

// preflight checks every input and every precondition before the first change, and returns every problem
// it finds at once as a *PreflightError. It only reads, in the clouds and locally, but for the secret
// store's probe item (write, read, delete) when probeWrite is set. Checks that need what an earlier check
// could not establish (the caller's identity, a valid region) are left out rather than reported twice.
//
// A new check joins here: it reads only, and adds to ps instead of returning.
func (r *run) preflight(ctx context.Context, probeWrite bool) error {
	var ps problems
	for _, fe := range r.req.fieldErrors() {
		ps.field(fe)
	}
	var identified bool
	ps = concurrently(ps,
		func(ps *problems) { r.checkSecretStore(ctx, ps, probeWrite) },
		func(ps *problems) { identified = r.checkIdentity(ctx, ps) })
	if identified {
		ps = concurrently(ps,
			func(ps *problems) { r.checkOperator(ctx, ps) },
			func(ps *problems) { r.checkSubUser(ctx, ps) },
			func(ps *problems) { r.checkPresets(ctx, ps) },
			func(ps *problems) { r.checkCustomPolicies(ctx, ps) },
			func(ps *problems) { r.checkAuditDelivery(ctx, ps) },
			func(ps *problems) { r.checkRootKey(ps) },
			func(ps *problems) { r.checkSecurityCenter(ctx, ps, true) })
	} else {
		r.checkSecurityCenter(ctx, &ps, false)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	return &PreflightError{Problems: ps}
}

// concurrently runs checks that only read and need nothing of each other at once: each waits on its own
// calls only, so the pre-flight takes as long as its longest check rather than their sum. Each check
// adds to its own copy of ps, so it sees the problems found before (as it would run in order, a check
// skips inputs already found invalid); the problems it finds join ps in the checks' order, whichever
// finishes first.
func concurrently(ps problems, checks ...func(*problems)) problems {
	found := make([]problems, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		found[i] = slices.Clone(ps)
		wg.Go(func() { check(&found[i]) })
	}
	wg.Wait()
	before := len(ps)
	for _, f := range found {
		ps = append(ps, f[before:]...)
	}
	return ps
}

// checkSecretStore proves the secret store can hold the key before the key exists: a locked or missing
// keyring is found now, not after the sub-user and its grants. With probeWrite it writes, reads back
// and deletes a probe item; otherwise (a dry run, which writes nothing) it reads one, which is enough to
// find a keyring that is missing or locked.
func (r *run) checkSecretStore(ctx context.Context, ps *problems, probeWrite bool) {
	kind := r.e.Secrets.Kind()
	fix := "start or unlock the OS keyring, or keep the secret in a file (" + store.SecretStoreEnv + "=file)"
	if kind == "file" {
		fix = "make ONBOARD_HOME and its secrets.json writable by you"
	}
	failed := func(what string, err error) {
		if errors.Is(err, store.ErrKeyringUnavailable) {
			ps.failed("secret store", what, err, "") // the keyring's error says how to fix it
			return
		}
		ps.failed("secret store", what, err, fix)
	}
	name := "onboard-preflight/" + randomHex(8)
	if !probeWrite {
		if _, err := r.e.Secrets.Get(ctx, name); err != nil && !errors.Is(err, store.ErrSecretNotFound) {
			failed("the "+kind+" secret store cannot be read", err)
		}
		return
	}
	probe := store.Credential{SecretID: "probe", SecretKey: store.Secret("probe-" + randomHex(8))}
	if err := r.e.Secrets.Put(ctx, name, probe); err != nil {
		failed("the "+kind+" secret store cannot store the new key", err)
		return
	}
	got, err := r.e.Secrets.Get(ctx, name)
	switch {
	case err != nil:
		failed("the "+kind+" secret store cannot read back what it stored", err)
	case got.SecretKey.Reveal() != probe.SecretKey.Reveal():
		ps.add(Problem{Input: "secret store", Problem: "the " + kind + " secret store gave back another value than it stored", Fix: fix, Class: ProblemPrecondition})
	}
	if err := r.e.Secrets.Delete(context.WithoutCancel(ctx), name); err != nil {
		failed("the "+kind+" secret store cannot delete an item (a rollback needs it)", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// checkIdentity identifies the caller; the Tencent Cloud checks need its account.
func (r *run) checkIdentity(ctx context.Context, ps *problems) bool {
	if err := r.identify(ctx); err != nil {
		ps.failed("Tencent Cloud", "the first call failed", err, "check that Tencent Cloud is reachable (or the endpoint given), then run again")
		return false
	}
	return true
}

// checkOperator checks that the operator's policies allow every call the request needs.
func (r *run) checkOperator(ctx context.Context, ps *problems) {
	if ps.about("features", "audit-region") {
		return
	}
	err := r.checkPermissions(ctx)
	var pe *PermissionError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		ps.add(Problem{Input: "Tencent Cloud key", Problem: pe.Error(), Class: ProblemPrecondition, Err: err})
	default:
		ps.failed("Tencent Cloud key", "cannot check the operator's permissions", err, "skip the permission check if a CAM group grants them")
	}
}

// checkSubUser refuses a same-named sub-user that this tool did not create, unless it is adopted.
func (r *run) checkSubUser(ctx context.Context, ps *problems) {
	if r.req.SubUser == "" || ps.about("sub-user") {
		return
	}
	u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
	case err != nil:
		ps.failedField("sub-user", "cannot look up sub-user "+r.req.SubUser, err, "")
	case u.Remark != userRemark && !r.req.AdoptUser:
		ps.add(Problem{Field: "sub-user", Problem: fmt.Sprintf("a sub-user named %q exists and was not created by onboard", r.req.SubUser),
			Fix: "choose another sub-user name, or take over the existing user by name", Class: ProblemPrecondition, Err: &UserOwnershipError{User: r.req.SubUser}})
	}
}

// checkPresets checks that the preset policies the features grant exist in the account.
func (r *run) checkPresets(ctx context.Context, ps *problems) {
	if ps.about("features", "cspm-policy") {
		return
	}
	for _, feature := range r.req.Features {
		grants, err := policy.Grants(feature, r.req.CSPMPolicy, r.req.Lighthouse)
		if err != nil {
			continue // Validate has named it
		}
		for _, g := range grants {
			if !g.Preset {
				continue
			}
			_, err := r.e.Cloud.FindPolicy(ctx, tencent.ScopePreset, g.Name)
			switch {
			case err == nil:
			case errors.Is(err, tencent.ErrNotFound):
				fix := "grant it by hand, or choose features that do not need it"
				if alt, ok := policy.PresetFallback(g.Name); ok {
					fix = "choose the custom cspmPolicy, or grant " + alt + " instead"
				}
				ps.add(Problem{Field: "features", Problem: "preset policy " + g.Name + " (feature " + feature + ") does not exist in this account",
					Fix: fix, Class: ProblemPrecondition, Err: err})
			default:
				ps.failedField("features", "cannot look up preset policy "+g.Name, err, "")
			}
		}
	}
}

// checkAuditDelivery checks that the audit region is one CLS serves this account in, that a logset and
// topic given by ID exist there, and that Kafka consumption of a given topic, if open, is what Security
// Center reads.
func (r *run) checkAuditDelivery(ctx context.Context, ps *problems) {
	if !slices.Contains(r.req.Features, policy.FeatureAudit) || ps.about("audit-region", "audit-logset", "audit-topic") {
		return
	}
	ls, found, err := r.findAuditLogset(ctx)
	if err != nil {
		r.auditLookupFailed(ps, "audit-logset", "cannot list the CLS logsets of "+r.req.AuditRegion, err)
		return
	}
	if !found || r.req.AuditTopic == AuditNew {
		return
	}
	topic, _, err := r.findAuditTopic(ctx, ls)
	if err != nil {
		r.auditLookupFailed(ps, "audit-topic", "cannot list the CLS topics of logset "+ls.ID, err)
		return
	}
	consumer, err := r.e.Cloud.GetKafkaConsumer(ctx, r.req.AuditRegion, topic.ID)
	if err == nil {
		_, err = r.kafkaDifferences(consumer, topic)
	}
	if err != nil {
		ps.failedField("audit-topic", "cannot read the Kafka consumption of topic "+topic.ID, err, "")
	}
}

// auditLookupFailed names --audit-region when CLS does not serve the region for this account.
func (r *run) auditLookupFailed(ps *problems, field, what string, err error) {
	var api *tencent.APIError
	if errors.As(err, &api) && api.Code == "UnsupportedRegion" {
		ps.add(Problem{Field: "audit-region", Problem: fmt.Sprintf("CLS does not serve %s for this account (%s)", r.req.AuditRegion, api.Message),
			Fix: "choose a region where CLS is offered, e.g. ap-guangzhou", Class: ProblemUsage,
			Err: &FieldError{Field: "audit-region", Message: fmt.Sprintf("CLS does not serve %s for this account", r.req.AuditRegion)}})
		return
	}
	ps.failedField(field, what, err, "")
}

// checkRootKey checks that a root key asked to be retired is known and, for a run that applies, that the
// person confirmed it with the last four characters of its SecretId.
func (r *run) checkRootKey(ps *problems) {
	if !r.id.IsRoot() || r.req.RootKey == RootKeyKeep || ps.about("root-key") {
		return
	}
	if r.e.OperatorKeyID == "" {
		ps.add(Problem{Field: "root-key", Problem: errNoOperatorKey.Error(), Fix: "keep the root key, and retire it in the CAM console",
			Class: ProblemPrecondition, Err: errNoOperatorKey})
		return
	}
	if !r.applying || r.req.RootKeyConfirm == RootKeyLast4(r.e.OperatorKeyID) {
		return
	}
	problem := "missing"
	if r.req.RootKeyConfirm != "" {
		problem = "does not match"
	}
	ps.field(&FieldError{Field: "confirm-root-key", Message: fmt.Sprintf("%s: to %s the root key %s, type the last four characters of its SecretId",
		problem, r.req.RootKey, tencent.MaskID(r.e.OperatorKeyID)), Err: ErrRootKeyNotConfirmed})
}

// RootKeyLast4 is the confirmation RootKey disable or delete needs: the last four characters of the
// root key's SecretId.
func RootKeyLast4(secretID string) string {
	if len(secretID) < 4 {
		return secretID
	}
	return secretID[len(secretID)-4:]
}

// checkSecurityCenter checks, for a submit, the Alibaba Cloud key (with a read), that Security Center
// knows the chosen regions and does not hold them for the other site, and that an account it already
// connects for this Tencent Cloud account can be updated in place.
func (r *run) checkSecurityCenter(ctx context.Context, ps *problems, identified bool) {
	if r.req.SecurityCenter != SecurityCenterSubmit || ps.about("security-center", "site") {
		return
	}
	sc := r.e.SecurityCenter
	if sc == nil {
		ps.add(Problem{Field: "security-center", Problem: "submit needs a Security Center client, and there is none",
			Fix:   "give Alibaba Cloud credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or an aliyun CLI profile), or skip Security Center",
			Class: ProblemPrecondition, Err: errNoSecurityCenter})
		return
	}
	choices, err := sc.Regions(ctx, securitycenter.VendorTencent)
	if err != nil {
		ps.failed("Security Center", "cannot read its Tencent Cloud regions", err, "")
		return
	}
	if !ps.about("regions") {
		if _, err := r.chooseRegions(choices); err != nil {
			ps.failedField("regions", "cannot choose the regions", err, "")
		}
	}
	if !identified {
		return
	}
	old, err := r.e.DB.Account(ctx, r.res.Account)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		ps.failed("account record", "cannot read the account record "+r.res.Account, err, "")
		return
	}
	acct, found, err := r.findSCAccount(ctx, old)
	switch {
	case err != nil:
		ps.failed("Security Center", "cannot list its Tencent Cloud accounts", err, "")
	case found && acct.KeyType != securitycenter.KeySub:
		ps.add(Problem{Input: "Security Center", Problem: fmt.Sprintf("it already connects Tencent Cloud account %s with a %s key (AuthId %d), and a key type cannot be changed in place",
			r.id.OwnerUIN, acct.KeyType, acct.AuthID), Fix: "delete that account in Security Center's console (Multi-cloud assets), then run again", Class: ProblemPrecondition,
			Err: &KeyTypeError{OwnerUIN: r.id.OwnerUIN, KeyType: string(acct.KeyType), AuthID: acct.AuthID}})
	}
}
