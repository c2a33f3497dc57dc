package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onboard/inventory"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Cloud is what the engine asks of Tencent Cloud with the operator's key.
type Cloud interface {
	Identify(ctx context.Context) (tencent.Identity, error)
	GetUser(ctx context.Context, name string) (tencent.User, error)
	CreateUser(ctx context.Context, spec tencent.UserSpec) (tencent.User, error)
	FindPolicy(ctx context.Context, scope tencent.PolicyScope, name string) (tencent.PolicySummary, error)
	GetPolicy(ctx context.Context, id uint64) (tencent.Policy, error)
	CreatePolicy(ctx context.Context, spec tencent.PolicySpec) (uint64, error)
	UpdatePolicy(ctx context.Context, id uint64, spec tencent.PolicySpec) error
	AttachUserPolicy(ctx context.Context, policyID, userUIN uint64) error
	ListAttachedUserPolicies(ctx context.Context, userUIN uint64) ([]tencent.AttachedPolicy, error)
	ListEntitiesForPolicy(ctx context.Context, policyID uint64) ([]tencent.PolicyEntity, error)
	CreateAccessKey(ctx context.Context, userUIN uint64, description string) (tencent.AccessKey, error)
	ListAccessKeys(ctx context.Context, userUIN uint64) ([]tencent.AccessKey, error)
	DeleteAccessKey(ctx context.Context, userUIN uint64, keyID string) error
	UpdateAccessKey(ctx context.Context, userUIN uint64, keyID, status string) error
	Regions(ctx context.Context, product string) ([]tencent.Region, error)
	AuditLogs
}

// Verifier is what the engine asks of Tencent Cloud with the new sub-user's key.
type Verifier interface {
	CallerIdentity(ctx context.Context) (tencent.Identity, error)
	ListCVMInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.CVMInstance], error)
	GetKafkaConsumer(ctx context.Context, region, topicID string) (tencent.KafkaConsumer, error)
}

// SecurityCenter is what the engine asks of Alibaba Cloud Security Center.
type SecurityCenter interface {
	AddAccount(ctx context.Context, spec securitycenter.AccountSpec) (securitycenter.Account, error)
	ModifyAccount(ctx context.Context, authID int64, change securitycenter.AccountChange) (securitycenter.Account, error)
	DeleteAccount(ctx context.Context, authID int64, modules ...securitycenter.Module) error
	ListAccounts(ctx context.Context, filter securitycenter.AccountFilter) ([]securitycenter.Account, error)
	WaitForValidation(ctx context.Context, authID int64) (securitycenter.Account, error)
	Regions(ctx context.Context, vendor securitycenter.Vendor) ([]securitycenter.RegionChoice, error)
	SetSyncRegions(ctx context.Context, vendor securitycenter.Vendor, regions []string, defaultSite bool) error
	SetRefreshSettings(ctx context.Context, vendor securitycenter.Vendor, authID int64, s securitycenter.RefreshSettings) error
	RefreshSettings(ctx context.Context, vendor securitycenter.Vendor, authID int64) (securitycenter.RefreshSettings, error)
	RefreshAssets(ctx context.Context, vendor securitycenter.Vendor, kind securitycenter.AssetKind) error
	AuditLog(ctx context.Context, authID int64) (securitycenter.AuditLogStatus, error)
	AddAuditLog(ctx context.Context, authID int64, s securitycenter.AuditLogSettings) error
	ModifyAuditLog(ctx context.Context, authID int64, s securitycenter.AuditLogSettings) error
	DeleteAuditLog(ctx context.Context, authID int64) error
}

// Engine runs onboardings. Cloud uses the operator's key; NewVerifier and NewInventory build clients for
// the new key.
type Engine struct {
	Cloud       Cloud
	NewVerifier func(tencent.Credential) (Verifier, error)
	// NewInventory builds the client the first asset sync lists with; nil leaves our own sync out.
	NewInventory func(tencent.Credential) (inventory.Cloud, error)
	// SecurityCenter is the client of the request's site; nil when the request skips Security Center.
	SecurityCenter SecurityCenter
	DB             *store.DB
	Secrets        store.SecretStore
	// PropagationWait bounds how long verification and Security Center's validation wait for CAM to apply
	// a new key or grant (propagation.go); 0 does not wait.
	PropagationWait time.Duration
	// InventoryUnlimited turns the first sync's client-side rate limits off (for an emulator).
	InventoryUnlimited bool
	// SyncProgress receives the progress of the first asset sync, Apply's first-sync step, per (kind,
	// region), for a face that draws it; nil for none. It is called from the sync's goroutines.
	SyncProgress func(inventory.Progress)
	// OperatorKeyID is the SecretId of the operator's key (Cloud's), which --root-key retires.
	OperatorKeyID string
	// MemberRole is the access role Cloud's credentials were assumed through, when the engine acts in an
	// organization's member from its management account; the account's record keeps it.
	MemberRole string
	// VerifyKafka replaces tencent.VerifyKafka (tests point it at a local broker); nil uses that.
	VerifyKafka func(ctx context.Context, k tencent.KafkaCheck) error
	// Installation is the installation ID of this ONBOARD_HOME (store.InstallationID): the keys and
	// policies the engine creates name it, and it deletes only keys that name it.
	Installation string
}

// Result is what an onboarding made and checked. It never holds a secret.
type Result struct {
	Account      string   `json:"account"`
	OwnerUIN     string   `json:"owner_uin"`
	CallerIsRoot bool     `json:"caller_is_root"`
	SubUser      string   `json:"sub_user"`
	SubUserUIN   uint64   `json:"sub_user_uin"`
	Created      []string `json:"created"`
	Reused       []string `json:"reused"`
	// Removed is what this run removed of what an earlier one created and that serves nothing any more
	// (a tracking set whose topic was deleted).
	Removed     []string `json:"removed,omitempty"`
	AccessKeyID string   `json:"access_key_id"`
	KeyStoredIn string   `json:"key_stored_in"`
	Verified    []string `json:"verified"`
	// Owned is everything onboard created in the account and still owns, over all its runs, whichever
	// run reused it since: what --rollback removes.
	Owned []string `json:"owned"`
	// SecurityCenter is the Security Center account, or with skip what to enter in the console.
	SecurityCenter *SecurityCenterResult `json:"security_center,omitempty"`
	// AuditLogs is the audit-log delivery (feature audit).
	AuditLogs *AuditLogsResult `json:"audit_logs,omitempty"`
	// SOCLogs is what the SOC-logs step did (Request.SOCLogs).
	SOCLogs *SOCLogsResult `json:"soc_logs,omitempty"`
	// FirstSync is the first asset sync; nil when it was skipped.
	FirstSync *SyncResult `json:"first_sync,omitempty"`
	// RootKey is what became of the root key this run used: not used, kept, disabled or deleted.
	RootKey   string   `json:"root_key"`
	NextSteps []string `json:"next_steps"`
	// BroadPolicies are the statements of --policy-file documents that grant more than read access,
	// accepted with --allow-broad-policy.
	BroadPolicies []string `json:"broad_policies_accepted,omitempty"`
	// Reminders are what the procedure says must be kept in mind from now on: never delete or disable the
	// sub-user or its key; keep a custom cspmPolicy up to date.
	Reminders []string `json:"reminders"`
	// Warnings are the request's choices the procedure advises against (Request.Warnings).
	Warnings []string `json:"warnings,omitempty"`
	// Connection is the procedure's "Verify the connection" and "What to do next", per chosen feature.
	Connection []ConnectionCheck `json:"connection"`
	// PartlyDone names what failed in a run that otherwise finished: a first sync or a check of the
	// connection that was partly done. Empty when everything was done.
	PartlyDone []string `json:"partly_done,omitempty"`
}

// NotePartlyDone adds what failed in a first sync run on its own (FirstSync) to the result.
func (res *Result) NotePartlyDone(s SyncResult) {
	res.FirstSync = &s
	res.PartlyDone = slices.DeleteFunc(res.PartlyDone, func(l string) bool { return strings.HasPrefix(l, firstSyncFailed) })
	for _, f := range s.Failed {
		res.PartlyDone = append(res.PartlyDone, firstSyncFailed+f)
	}
}

// firstSyncFailed starts each PartlyDone line of the first sync.
const firstSyncFailed = "first sync: "

// userRemark marks the sub-users this tool created, so a re-run reuses them and a stranger's is refused.
const userRemark = "managed-by: onboard"

// Markers of what this tool created. A key's description names the installation (the ONBOARD_HOME) that
// holds its secret, and fits CAM's CreateAccessKey Description pattern [\w+=,.@:/-]*. A marked key whose
// secret the store does not hold can only come from a create whose answer was lost (a dropped
// connection, a kill): when it names this installation its secret is gone for good, so it is deleted
// instead of left as an orphan; a key naming another installation is that installation's to manage.
const (
	markerManaged = "managed-by=onboard"
	// legacyKeyDescription marked keys before installations were named; such a key is this tool's, but
	// from an unknown installation.
	legacyKeyDescription = "managed-by: onboard"
	// legacyPolicyDescription marked policies before the marker named the installation.
	legacyPolicyDescription = "Security Center access, managed by onboard"
)

// keyDescription is the marker of the keys this installation creates.
func keyDescription(installation string) string {
	return markerManaged + ",installation=" + installation
}

// policyDescription is the description of the custom policies this installation creates.
func policyDescription(installation string) string {
	return "Security Center access " + markerManaged + ",installation=" + installation
}

// keyOwner reads a key's description: managed says this tool created it, installation which
// installation ("" for the legacy marker).
func keyOwner(description string) (managed bool, installation string) {
	if description == legacyKeyDescription {
		return true, ""
	}
	fields := strings.Split(description, ",")
	if fields[0] != markerManaged {
		return false, ""
	}
	for _, f := range fields[1:] {
		if v, ok := strings.CutPrefix(f, "installation="); ok {
			return true, v
		}
	}
	return true, ""
}

// policyManaged reports whether a custom policy's description says this tool created it (or adopted it).
func policyManaged(description string) bool {
	return description == legacyPolicyDescription || strings.Contains(description, markerManaged)
}

// run is the state of one Apply, shared by the steps.
type run struct {
	e       *Engine
	req     Request
	journal store.Run
	ledger  ledger // every mutating call: intent before, outcome after
	emit    func(Event)
	res     Result
	id      tencent.Identity
	user    tencent.User
	key     tencent.AccessKey
	secret  string // the secret store item
	sc      scState
	audit   *AuditLogsResult // nil without feature audit
	grants  []string         // the grants an account record keeps (FirstSync); nil: the request's
	// progress receives the first sync's progress (FirstSync's caller); nil for none.
	progress func(inventory.Progress)
	// superseded are this installation's keys (secrets lost) that key replaces; retire-keys deletes them.
	superseded []tencent.AccessKey
	// current is the step being applied, for the events a step emits while it runs.
	current step
	// did says the current step changed something the ledger does not record (the local record, our
	// own inventory).
	did bool
	// applying: the run changes the account (ApplyPlan), so the root key's confirmation is required.
	applying bool
}

// Apply plans the request and applies that plan at once (Plan, then ApplyPlan), for faces with no
// review step. The pre-flight comes first: every problem it finds is returned at once, as a
// *PreflightError, before the lock, the journal or any change.
func (e *Engine) Apply(ctx context.Context, req Request, emit func(Event)) (Result, error) {
	p, err := e.Plan(ctx, req)
	if err != nil {
		if emit != nil {
			emit(Event{Step: stepPreflight.ID, Title: stepPreflight.Title, Status: StatusRunning})
			emit(Event{Step: stepPreflight.ID, Title: stepPreflight.Title, Status: StatusFailed, Detail: "nothing was changed", Err: err})
		}
		return Result{}, err
	}
	return e.ApplyPlan(ctx, p, emit)
}

// ApplyPlan executes a reviewed plan: the steps in order, journaling each, and returns the result. It
// runs the pre-flight again (now with the secret store's write probe, and the root key's confirmation),
// then, under the per-account run lock, reads again what the plan observed and refuses a plan gone stale
// with a *StalePlanError, before the journal or any change.
func (e *Engine) ApplyPlan(ctx context.Context, p Plan, emit func(Event)) (Result, error) {
	if e.Installation == "" {
		return Result{}, errors.New("apply: the engine has no installation ID, so the keys it creates could not name it")
	}
	if !p.made {
		return Result{}, errNotAPlan
	}
	if emit == nil {
		emit = func(Event) {}
	}
	r := &run{e: e, req: p.Request, emit: emit, applying: true, progress: e.SyncProgress}
	r.res.Warnings = r.req.Warnings()
	emit(Event{Step: stepPreflight.ID, Title: stepPreflight.Title, Status: StatusRunning})
	failed := func(err error) (Result, error) {
		emit(Event{Step: stepPreflight.ID, Title: stepPreflight.Title, Status: StatusFailed, Detail: "nothing was changed", Err: err})
		return Result{}, err
	}
	if p.requestChanged() {
		return failed(&StalePlanError{What: []string{"the request was changed after the plan was made"}})
	}
	// The pre-flight also identifies the caller: the account's name (and lock) follow from the owner UIN.
	if err := r.preflight(ctx, true); err != nil {
		return failed(err)
	}
	r.res.BroadPolicies = r.req.broad
	release, err := e.DB.AcquireRunLock(ctx, store.RunLock{OwnerUIN: r.id.OwnerUIN, Account: r.res.Account, SubUser: r.req.SubUser, Purpose: "onboard", Mode: store.LockExclusive})
	if err != nil {
		return failed(err)
	}
	defer release()
	now, err := r.observe(ctx)
	if err != nil {
		return failed(err)
	}
	if what := p.observed.changes(now); len(what) > 0 {
		return failed(&StalePlanError{What: what})
	}
	emit(Event{Step: stepPreflight.ID, Title: stepPreflight.Title, Status: StatusDone, Detail: callerKind(r.id)})
	if err := e.importJournal(ctx, r.res.Account); err != nil {
		return Result{}, err
	}
	if r.journal, err = e.DB.StartRun(ctx, r.res.Account, "onboard"); err != nil {
		return Result{}, err
	}
	r.ledger = ledger{db: e.DB, account: r.res.Account, runID: r.journal.ID, writes: new(int)}
	// What an interrupted run made is found first, so that it stays this tool's when this run reuses it.
	if unresolved, err := e.resolveLost(ctx, r.ledger, false); err != nil || len(unresolved) > 0 {
		e.DB.FinishRun(context.WithoutCancel(ctx), r.journal.ID, store.RunFailed)
		if err == nil {
			err = fmt.Errorf("an earlier run was interrupted and what it made cannot be found: %s", strings.Join(unresolved, "; "))
		}
		return r.res, err
	}
	for _, s := range steps {
		if err := r.step(ctx, s); err != nil {
			e.DB.FinishRun(context.WithoutCancel(ctx), r.journal.ID, store.RunFailed)
			return r.res, err
		}
	}
	r.verifyConnection(ctx)
	var next []string
	for _, c := range r.res.Connection {
		next = append(next, c.NextSteps...)
	}
	r.res.NextSteps = append(next, r.res.NextSteps...)
	r.res.Reminders = []string{KeepReminder(r.res.SubUser, r.res.AccessKeyID)}
	if r.req.CSPMPolicy == policy.CSPMCustom && slices.Contains(r.req.Features, policy.FeatureCSPM) {
		r.res.Reminders = append(r.res.Reminders, "Keep cspmPolicy up to date: "+CSPMPolicyReminder)
	}
	if s := r.res.FirstSync; s != nil && s.Partial {
		r.res.NotePartlyDone(*s)
	}
	entries, err := e.DB.Ledger(ctx, r.res.Account)
	if err != nil {
		return r.res, err
	}
	for _, en := range owned(entries) {
		r.res.Owned = append(r.res.Owned, describe(en))
	}
	return r.res, e.DB.FinishRun(ctx, r.journal.ID, store.RunDone)
}

// step is one onboarding step: a value, so the journal, the plan and the faces' lists read one list.
type step struct {
	ID    string
	Title string
	// Skipped says why the step is not part of the request, or "" when it is. A skipped step still
	// runs Apply, which then changes nothing (it may fill the result: the console's values of a skipped
	// Security Center).
	Skipped func(r *run) string
	Apply   func(r *run, ctx context.Context) (ids map[string]string, err error)
	// Plan says what Apply would do, reading only.
	Plan func(r *run, ctx context.Context) ([]Change, error)
	// Checks marks a step whose work is checking (it changes nothing): it ends done, not reused.
	Checks bool
}

// neverSkipped is the Skipped of a step every request needs.
func neverSkipped(*run) string { return "" }

var steps = []step{
	{ID: "user", Title: "CAM sub-user with programmatic access only", Skipped: neverSkipped, Apply: (*run).ensureUser, Plan: (*run).planUser},
	{ID: "grants", Title: "grants per feature", Skipped: func(r *run) string {
		if slices.ContainsFunc(r.req.Features, func(f string) bool { return f != policy.FeatureAudit }) {
			return ""
		}
		return "no feature but audit, whose ciemPolicy the audit-logs step grants"
	}, Apply: (*run).ensureGrants, Plan: (*run).planGrants},
	{ID: "audit-logs", Title: "audit logs: CLS logset and topic, CloudAudit tracking set, Kafka consumption, ciemPolicy", Skipped: func(r *run) string {
		if slices.Contains(r.req.Features, policy.FeatureAudit) {
			return ""
		}
		return "no feature audit"
	}, Apply: (*run).ensureAudit, Plan: (*run).planAudit},
	{ID: "key", Title: "the sub-user's API key, straight into the secret store", Skipped: neverSkipped, Apply: (*run).ensureKey, Plan: (*run).planKey},
	{ID: "verify", Title: "verify the key", Skipped: neverSkipped, Apply: (*run).verify, Plan: (*run).planVerify, Checks: true},
	{ID: "security-center", Title: "connect the account to Security Center", Skipped: func(r *run) string {
		if r.req.SecurityCenter == SecurityCenterSkip {
			return "Security Center is skipped: the result says what to enter in its console"
		}
		return ""
	}, Apply: (*run).ensureSecurityCenter, Plan: (*run).planSecurityCenter},
	{ID: "retire-keys", Title: "delete the keys whose secrets were lost, now that their replacement works", Skipped: neverSkipped, Apply: (*run).retireKeys, Plan: (*run).planRetireKeys},
	{ID: "first-sync", Title: "first asset sync", Skipped: func(r *run) string {
		switch {
		case r.req.SkipSync:
			return "the first asset sync is left out"
		case len(r.syncKinds(r.req.Features)) == 0:
			return "the features have no assets to sync"
		}
		return ""
	}, Apply: (*run).firstSync, Plan: (*run).planFirstSync},
	{ID: "record", Title: "record the account", Skipped: neverSkipped, Apply: (*run).record, Plan: (*run).planRecord},
	{ID: "soc-logs", Title: "SOC logs: WAF and Cloud Firewall logs into CLS for Agentic SOC", Skipped: func(r *run) string {
		if r.req.SOCLogs {
			return ""
		}
		return "no --soc-logs"
	}, Apply: (*run).socLogs, Plan: (*run).planSOCLogs},
	{ID: "root-key", Title: "the root key: keep, disable or delete it", Skipped: func(r *run) string {
		switch {
		case !r.id.IsRoot():
			return "the caller is not a root key"
		case r.req.RootKey == RootKeyKeep:
			return "the root key is kept"
		}
		return ""
	}, Apply: (*run).retireRootKey, Plan: (*run).planRootKey},
}

// step applies one step, journaling it, and emits its events: running, then done when it changed
// something (or ran its checks), reused when everything it makes was there, skipped when it is not part
// of the request, failed with the error.
func (r *run) step(ctx context.Context, s step) error {
	r.current, r.did = s, false
	r.emit(Event{Step: s.ID, Title: s.Title, Status: StatusRunning})
	if err := r.e.DB.JournalBegin(ctx, r.journal.ID, s.ID); err != nil {
		r.emit(Event{Step: s.ID, Title: s.Title, Status: StatusFailed, Detail: err.Error(), Err: err})
		return err
	}
	writes := *r.ledger.writes
	ids, err := s.Apply(r, ctx)
	if err != nil {
		r.e.DB.JournalFailed(context.WithoutCancel(ctx), r.journal.ID, s.ID, err.Error())
		r.emit(Event{Step: s.ID, Title: s.Title, Status: StatusFailed, Detail: err.Error(), Err: err})
		return fmt.Errorf("%s: %w", s.Title, err)
	}
	if err := r.e.DB.JournalDone(ctx, r.journal.ID, s.ID, ids); err != nil {
		r.emit(Event{Step: s.ID, Title: s.Title, Status: StatusFailed, Detail: err.Error(), Err: err})
		return err
	}
	status, detail := StatusReused, ""
	switch why := s.Skipped(r); {
	case *r.ledger.writes > writes || r.did || (s.Checks && why == ""):
		status = StatusDone
	case why != "":
		status, detail = StatusSkipped, why
	}
	r.emit(Event{Step: s.ID, Title: s.Title, Status: status, Detail: detail})
	return nil
}

func (r *run) identify(ctx context.Context) error {
	id, err := r.e.Cloud.Identify(ctx)
	if err != nil {
		return err // the client's error names the operation (identify caller)
	}
	r.id = id
	r.res.OwnerUIN, r.res.CallerIsRoot = id.OwnerUIN, id.IsRoot()
	r.res.Account = r.req.Account
	if r.res.Account == "" {
		r.res.Account = id.OwnerUIN
	}
	if r.req.SubUser == "" {
		r.req.SubUser = DefaultSubUser(ModeQuick, id.OwnerUIN) // Validate requires a name in manual mode
	}
	r.res.SubUser = r.req.SubUser
	r.secret = "tencent/" + id.OwnerUIN + "/" + r.req.SubUser
	return nil
}

func callerKind(id tencent.Identity) string {
	if id.IsRoot() {
		return fmt.Sprintf("root account %s (root key: consider retiring it once onboarding is done)", id.OwnerUIN)
	}
	if id.IsTemporary() {
		return fmt.Sprintf("temporary credentials of %s in account %s", id.UserUIN, id.OwnerUIN)
	}
	return fmt.Sprintf("sub-user %s of account %s", id.UserUIN, id.OwnerUIN)
}

// Journal ID keys: what a step created in this run, which is exactly what a rollback removes.
const (
	idCreatedUser    = "created_user"
	idUserUIN        = "user_uin"
	idCreatedPolicy  = "created_policy:"
	idAttached       = "attached:"
	idCreatedKey     = "created_key"
	idSecretItem     = "secret_item"
	idCreatedAccount = "created_account"
	// idCreatedSCAccount is the AuthId of a Security Center account the run added.
	idCreatedSCAccount = "created_security_center_account"
)

func (r *run) ensureUser(ctx context.Context) (map[string]string, error) {
	u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser)
	created := false
	switch {
	case err == nil:
		if u.Remark != userRemark && !r.req.AdoptUser {
			return nil, &UserOwnershipError{User: r.req.SubUser}
		}
		r.user = u
		r.res.Reused = append(r.res.Reused, "sub-user "+u.Name)
	case errors.Is(err, tencent.ErrNotFound):
		u, err = creating(ctx, r.ledger, object{Kind: kindUser, Name: r.req.SubUser},
			func() (tencent.User, error) {
				return r.e.Cloud.CreateUser(ctx, tencent.UserSpec{Name: r.req.SubUser, Remark: userRemark})
			},
			func(u tencent.User) string { return fmt.Sprint(u.UIN) })
		if err != nil {
			return nil, err
		}
		r.user, created = u, true
		r.res.Created = append(r.res.Created, "sub-user "+u.Name)
	default:
		return nil, err
	}
	r.res.SubUserUIN = r.user.UIN
	ids := map[string]string{idUserUIN: fmt.Sprint(r.user.UIN)}
	if created {
		ids[idCreatedUser] = r.user.Name
	}
	return ids, nil
}
