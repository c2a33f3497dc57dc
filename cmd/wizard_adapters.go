package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
	"onboard/wizard"
)

// wizardBackend implements every interface of wizard.Deps over the real clients and the onboarding
// engine. The wizard only gathers answers and renders events: each change to an account is made by
// onboarding.Engine, exactly as on the flags path.
type wizardBackend struct {
	f               *Factory
	tencentEndpoint string
	scEndpoint      string
	db              *store.DB
	secrets         store.SecretStore
	// alibaba are the resolved Alibaba Cloud credentials found on this machine, by wizard source: a
	// profile keeps its own provider (which may refresh), rather than a copy of its key.
	alibaba map[string]securitycenter.Credentials
	// tencentFound are the Tencent Cloud keys found on this machine, by wizard source, with the session
	// token a temporary key needs (the wizard's Credential has no place for it).
	tencentFound map[string]tencent.Credential
	// unlimited turns the first sync's client-side rate limits off (the sandbox's emulators).
	unlimited bool
	// propagationWait bounds how long the engine waits for CAM to accept a new key or grant.
	propagationWait time.Duration
	// flags holds what only flags say (the wizard does not ask): --account, --adopt-user,
	// --adopt-policy, --policy-file, --allow-broad-policy, --verify-kafka, --skip-permission-check.
	flags onboarding.Request

	mu sync.Mutex
	// applied is the engine's result of the latest completed apply, printed once the wizard ends.
	applied *onboarding.Result
}

// lastResult returns the engine's result of the latest completed apply, if any.
func (b *wizardBackend) lastResult() (onboarding.Result, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.applied == nil {
		return onboarding.Result{}, false
	}
	return *b.applied, true
}

var (
	_ wizard.CredentialChecker = (*wizardBackend)(nil)
	_ wizard.AlibabaChecker    = (*wizardBackend)(nil)
	_ wizard.UserChecker       = (*wizardBackend)(nil)
	_ wizard.RegionLister      = (*wizardBackend)(nil)
	_ wizard.LogsetLister      = (*wizardBackend)(nil)
	_ wizard.Engine            = (*wizardBackend)(nil)
	_ wizard.RootKeyRetirer    = (*wizardBackend)(nil)
	_ wizard.Syncer            = (*wizardBackend)(nil)
)

// newWizardDeps resolves the keys found on this machine the way the flags path does and returns the
// wizard's dependencies. The database and secret store stay open for the wizard's lifetime.
func newWizardDeps(f *Factory, opts *TencentOptions, db *store.DB, secrets store.SecretStore) (wizard.Deps, *wizardBackend) {
	b := &wizardBackend{
		f:               f,
		tencentEndpoint: firstNonEmpty(opts.Endpoint, f.Getenv(envTencentEndpoint)),
		scEndpoint:      firstNonEmpty(opts.SecurityCenterEndpoint, f.Getenv(envSecurityCenterEndpoint)),
		db:              db,
		secrets:         secrets,
		alibaba:         map[string]securitycenter.Credentials{},
		tencentFound:    map[string]tencent.Credential{},
		unlimited:       inSandbox(f),
		propagationWait: f.propagationWait(),
		flags:           opts.Request,
	}
	deps := wizard.Deps{Credentials: b, Alibaba: b, Users: b, Regions: b, Logs: b, Engine: b, RootKey: b, Syncer: b,
		Sandbox: inSandbox(f), Defaults: answersFromRequest(opts.Request)}
	userHome, _ := os.UserHomeDir()
	if cred, source, err := tencent.ResolveCredentials(tencent.CredentialSources{Profile: opts.Profile, Getenv: f.Getenv, Home: userHome}); err == nil {
		if inSandbox(f) {
			source.Description = "the sandbox demo key"
		}
		b.tencentFound[source.Description] = cred
		deps.FoundTencent = append(deps.FoundTencent, wizard.Credential{Source: source.Description, ID: cred.SecretID, Secret: wizard.Secret(cred.SecretKey.Reveal())})
	}
	if cred, err := securitycenter.ResolveCredentials(securitycenter.CredentialSources{Profile: opts.AlibabaProfile, Getenv: f.Getenv, Home: userHome}); err == nil {
		id, secret := alibabaKeyOf(f, opts, cred)
		if inSandbox(f) {
			cred.Source.Description = "the sandbox demo key"
		}
		c := wizard.Credential{Source: cred.Source.Description, ID: id, Secret: wizard.Secret(secret)}
		b.alibaba[c.Source] = cred
		deps.FoundAlibaba = append(deps.FoundAlibaba, c)
	}
	return deps, b
}

// alibabaKeyOf returns the AccessKey ID to show for resolved credentials. A profile's provider keeps its
// secret to itself; the wizard then holds a placeholder secret and the client signs with the provider.
func alibabaKeyOf(f *Factory, opts *TencentOptions, cred securitycenter.Credentials) (id, secret string) {
	if opts.AlibabaProfile == "" {
		if id, secret := f.Getenv(envAlibabaKeyID), f.Getenv(envAlibabaKeySecret); id != "" && secret != "" {
			return id, secret
		}
	}
	// Only the masked ID is known here; it is shown masked anyway.
	return cred.Source.MaskedID, "(kept by the profile)"
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// tencentClient is a client signing with the key the person chose.
func (b *wizardBackend) tencentClient(c wizard.Credential) (*tencent.Client, error) {
	if c.ID == "" || c.Secret.Reveal() == "" {
		return nil, fmt.Errorf("no Tencent Cloud key chosen: %w", tencent.ErrNoCredentials)
	}
	cred := tencent.Credential{SecretID: c.ID, SecretKey: tencent.SecretKey(c.Secret.Reveal())}
	if found, ok := b.tencentFound[c.Source]; ok && found.SecretID == c.ID && found.SecretKey.Reveal() == c.Secret.Reveal() {
		cred = found
	}
	return b.newTencent(cred)
}

func (b *wizardBackend) newTencent(c tencent.Credential) (*tencent.Client, error) {
	rememberTencent(c)
	cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: b.tencentEndpoint, Logger: b.f.Logger})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return cl, nil
}

// securityCenter is the Security Center client of the wizard's site (cn or intl), signing with the
// Alibaba Cloud key the person chose.
func (b *wizardBackend) securityCenter(site string, c wizard.Credential) (*securitycenter.Client, error) {
	cred, ok := b.alibaba[c.Source]
	if !ok || c.Source == wizard.SourceTyped {
		var err error
		if cred, err = securitycenter.StaticCredentials(c.ID, securitycenter.Secret(c.Secret.Reveal()), "", "typed in the wizard"); err != nil {
			return nil, err
		}
	}
	o := securitycenter.Options{Credentials: cred, Site: securitycenter.Site(requestSite(site)), Endpoint: b.scEndpoint, Logger: b.f.Logger}
	if strings.HasPrefix(b.scEndpoint, "http://") {
		o.PollInterval = 100 * time.Millisecond // a loopback emulator validates at once
	}
	rememberAlibaba(cred)
	sc, err := securitycenter.New(o)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return sc, nil
}

// CheckTencent identifies the key's owner live and says plainly whether it is the root account's key.
func (b *wizardBackend) CheckTencent(ctx context.Context, c wizard.Credential) (wizard.Identity, error) {
	cl, err := b.tencentClient(c)
	if err != nil {
		return wizard.Identity{}, err
	}
	id, err := cl.Identify(ctx)
	if err != nil {
		return wizard.Identity{}, err
	}
	return wizard.Identity{AccountID: id.OwnerUIN, UIN: id.UserUIN, Root: id.IsRoot()}, nil
}

// CheckAlibaba makes a cheap read on the site's Security Center (its list of Tencent Cloud accounts):
// a rejected key fails here rather than halfway through the apply.
func (b *wizardBackend) CheckAlibaba(ctx context.Context, site string, c wizard.Credential) error {
	sc, err := b.securityCenter(site, c)
	if err != nil {
		return err
	}
	if _, err := sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent}); err != nil {
		return fmt.Errorf("list the Tencent Cloud accounts of Security Center: %w", err)
	}
	return nil
}

// CheckUser looks the sub-user up and counts its API keys (CAM allows two).
func (b *wizardBackend) CheckUser(ctx context.Context, c wizard.Credential, name string) (wizard.UserStatus, error) {
	cl, err := b.tencentClient(c)
	if err != nil {
		return wizard.UserStatus{}, err
	}
	u, err := cl.GetUser(ctx, name)
	if errors.Is(err, tencent.ErrNotFound) {
		return wizard.UserStatus{}, nil
	}
	if err != nil {
		return wizard.UserStatus{}, err
	}
	keys, err := cl.ListAccessKeys(ctx, u.UIN)
	if err != nil {
		return wizard.UserStatus{}, fmt.Errorf("list the API keys of %s: %w", name, err)
	}
	return wizard.UserStatus{Exists: true, UIN: fmt.Sprint(u.UIN), Keys: len(keys)}, nil
}

// SyncRegions lists the regions Security Center's region management offers on the site: those this
// site syncs are selected, those the other site syncs cannot be chosen.
func (b *wizardBackend) SyncRegions(ctx context.Context, site string, alibaba wizard.Credential) ([]wizard.Region, error) {
	sc, err := b.securityCenter(site, alibaba)
	if err != nil {
		return nil, err
	}
	choices, err := sc.Regions(ctx, securitycenter.VendorTencent)
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Region, 0, len(choices))
	for _, r := range choices {
		out = append(out, wizard.Region{ID: r.RegionID, Area: r.Area, Selected: r.Selected && !r.TakenByOtherSite, Disabled: r.TakenByOtherSite})
	}
	return out, nil
}

// TencentRegions lists the regions where CLS is offered, for audit-log delivery.
func (b *wizardBackend) TencentRegions(ctx context.Context, c wizard.Credential) ([]wizard.Region, error) {
	cl, err := b.tencentClient(c)
	if err != nil {
		return nil, err
	}
	regions, err := cl.Regions(ctx, "cls")
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Region, 0, len(regions))
	for _, r := range regions {
		out = append(out, wizard.Region{ID: r.ID, Name: r.Name})
	}
	return out, nil
}

// Logsets lists the CLS logsets of a region.
func (b *wizardBackend) Logsets(ctx context.Context, c wizard.Credential, region string) ([]wizard.Logset, error) {
	cl, err := b.tencentClient(c)
	if err != nil {
		return nil, err
	}
	ls, err := cl.ListLogsets(ctx, region, "")
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Logset, 0, len(ls))
	for _, l := range ls {
		out = append(out, wizard.Logset{ID: l.ID, Name: l.Name})
	}
	return out, nil
}

// Topics lists the CLS topics of a logset.
func (b *wizardBackend) Topics(ctx context.Context, c wizard.Credential, region, logsetID string) ([]wizard.Topic, error) {
	cl, err := b.tencentClient(c)
	if err != nil {
		return nil, err
	}
	ts, err := cl.ListTopics(ctx, region, logsetID, "")
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Topic, 0, len(ts))
	for _, t := range ts {
		out = append(out, wizard.Topic{ID: t.ID, Name: t.Name})
	}
	return out, nil
}

// requestSite maps the wizard's site (cn, intl) to the request's (mainland, outside).
func requestSite(site string) string {
	switch site {
	case wizard.SiteMainland:
		return string(securitycenter.SiteMainland)
	case wizard.SiteOutside:
		return string(securitycenter.SiteOutside)
	}
	return site
}

// frequency maps a wizard period in minutes to the request's frequency (1h … 7d, or off for 0). Any
// other number is passed through as minutes, for Validate to refuse naming the field.
func frequency(minutes int) string {
	switch minutes {
	case 0:
		return "off"
	case 60, 180, 360, 720, 1440:
		return fmt.Sprintf("%dh", minutes/60)
	case 10080:
		return "7d"
	}
	return fmt.Sprintf("%dm", minutes)
}

// kafkaNetwork maps the wizard's Kafka network (internet, internal) to the request's (public, private).
func kafkaNetwork(n string) string {
	switch n {
	case wizard.KafkaInternet:
		return "public"
	case wizard.KafkaInternal:
		return "private"
	}
	return n
}

// requestFromAnswers turns the wizard's answers into the engine's request: the one place where the
// wizard's words become the request's. The first sync is left to the wizard's own screen (the Syncer)
// whenever that screen runs, so that its progress shows per kind and nothing is listed twice.
func requestFromAnswers(a wizard.Answers) onboarding.Request {
	req := onboarding.Request{
		Mode:     a.Mode,
		Features: slices.Clone(a.Features),
		Site:     requestSite(a.Site),
		RootKey:  a.RootKey,
	}
	if a.Has(policy.FeatureCSPM) {
		req.CSPMPolicy = a.CSPMMode
	}
	req.Lighthouse = a.Lighthouse && a.Has(policy.FeatureHost)
	if a.Mode != wizard.ModeQuick {
		req.SubUser = a.UserName
	}
	if a.SkipSecurityCenter {
		// The wizard asked neither regions nor frequencies: the request's defaults stand, and the result
		// says what to enter in the console. The engine runs the first sync itself.
		req.SecurityCenter = onboarding.SecurityCenterSkip
	} else {
		req.SecurityCenter = onboarding.SecurityCenterSubmit
		req.SkipSync = true
		req.AccountName = a.DisplayName
		req.Regions = slices.Clone(a.Regions)
		sort.Strings(req.Regions)
		req.RegionManagement = a.DefaultRegion
		req.HostSync, req.AKCheck = frequency(a.HostSyncMinutes), frequency(a.AKCheckMinutes)
		if a.Has(policy.FeatureCSPM) {
			req.CloudSync = frequency(a.CloudSyncMinutes) // Security Center's procedure sets it with CSPM only
		}
	}
	if a.Has(policy.FeatureAudit) {
		req.AuditRegion = a.AuditRegion
		req.AuditLogset, req.AuditTopic = onboarding.AuditNew, onboarding.AuditNew
		if a.LogsetID != "" {
			req.AuditLogset = a.LogsetID
		}
		if a.TopicID != "" {
			req.AuditTopic = a.TopicID
		}
		req.KafkaNetwork = kafkaNetwork(a.KafkaNetwork)
	}
	return req
}

// request is the engine's request for the answers, with what only flags say.
func (b *wizardBackend) request(a wizard.Answers) onboarding.Request {
	req := requestFromAnswers(a)
	req.Account, req.AdoptUser, req.PolicyFiles = b.flags.Account, b.flags.AdoptUser, b.flags.PolicyFiles
	req.SkipPermissionCheck = b.flags.SkipPermissionCheck
	req.AdoptPolicies, req.AllowBroadPolicy = b.flags.AdoptPolicies, b.flags.AllowBroadPolicy
	req.VerifyKafka = b.flags.VerifyKafka && a.Has(policy.FeatureAudit)
	return req
}

// engine builds the onboarding engine for the answers: the operator's client from the chosen Tencent
// key, and the site's Security Center client unless Security Center is skipped.
func (b *wizardBackend) engine(a wizard.Answers) (*onboarding.Engine, *tencent.Client, error) {
	admin, err := b.tencentClient(a.Tencent)
	if err != nil {
		return nil, nil, err
	}
	installation, err := installationID(b.f)
	if err != nil {
		return nil, nil, err
	}
	e := &onboarding.Engine{Cloud: admin, DB: b.db, Secrets: b.secrets, PropagationWait: b.propagationWait, OperatorKeyID: a.Tencent.ID, Installation: installation,
		NewVerifier:        func(c tencent.Credential) (onboarding.Verifier, error) { return b.newTencent(c) },
		NewInventory:       func(c tencent.Credential) (inventory.Cloud, error) { return b.newTencent(c) },
		InventoryUnlimited: b.unlimited}
	if !a.SkipSecurityCenter {
		sc, err := b.securityCenter(a.Site, a.Alibaba)
		if err != nil {
			return nil, nil, err
		}
		e.SecurityCenter = sc
	}
	return e, admin, nil
}

// Plan is the engine's plan, one line per action.
func (b *wizardBackend) Plan(ctx context.Context, a wizard.Answers) (wizard.Plan, error) {
	e, _, err := b.engine(a)
	if err != nil {
		return wizard.Plan{}, err
	}
	planned, err := e.Plan(ctx, b.request(a))
	if err != nil {
		return wizard.Plan{}, err
	}
	var out wizard.Plan
	for _, p := range planned.Steps {
		for _, c := range p.Changes {
			_, rest, _ := strings.Cut(changeLine(c), " ")
			out.Steps = append(out.Steps, wizard.PlanStep{ID: p.Step, Title: rest, Action: planVerb(c.Op)})
		}
	}
	return out, nil
}

// planVerb words an action's first word for the review screen's column.
func planVerb(verb string) string {
	switch verb {
	case "reuse":
		return "exists"
	case "create":
		return "will create"
	case "update":
		return "will update"
	case "attach":
		return "will attach"
	case "delete":
		return "will delete"
	case "check":
		return "will check"
	}
	return verb
}

// Apply runs the engine and reports its events as the wizard's step events.
func (b *wizardBackend) Apply(ctx context.Context, a wizard.Answers, emit func(wizard.StepEvent)) (wizard.Outcome, error) {
	e, _, err := b.engine(a)
	if err != nil {
		return wizard.Outcome{}, err
	}
	res, err := e.Apply(ctx, b.request(a), func(ev onboarding.Event) { emit(stepEvent(ev)) })
	if err != nil {
		return wizard.Outcome{}, store.ScrubError(err)
	}
	b.mu.Lock()
	b.applied = &res
	b.mu.Unlock()
	return outcome(res), nil
}

// stepEvent turns an engine event into the wizard's; a failure carries the fix the command line would
// print under the same error.
func stepEvent(ev onboarding.Event) wizard.StepEvent {
	detail := store.Scrub(ev.Detail) // the wizard shows it on the terminal
	out := wizard.StepEvent{ID: ev.Step, Title: ev.Title, Detail: detail}
	switch ev.Status {
	case onboarding.StatusDone:
		out.Status = wizard.StepDone
	case onboarding.StatusReused, onboarding.StatusSkipped:
		out.Status = wizard.StepSkipped
	case onboarding.StatusFailed:
		out.Status, out.Detail = wizard.StepFailed, ""
		out.Err = store.ScrubError(ev.Err)
		out.Fix = hintFor(ev.Err)
	default:
		out.Status = wizard.StepRunning
	}
	return out
}

// outcome is the summary screen's view of an engine result.
func outcome(r onboarding.Result) wizard.Outcome {
	o := wizard.Outcome{Created: r.Created, Verified: r.Verified, Next: r.NextSteps, Reminders: r.Reminders}
	if r.AccessKeyID != "" {
		o.KeyPlace = fmt.Sprintf("API key %s of sub-user %s, its secret in the %s secret store", tencent.MaskID(r.AccessKeyID), r.SubUser, r.KeyStoredIn)
	}
	if sc := r.SecurityCenter; sc != nil {
		if sc.Submitted {
			o.AuthID = sc.AuthID
			o.Verified = append(slices.Clone(o.Verified), fmt.Sprintf("Security Center (%s site): account %q, AuthId %d, status %s", sc.Site, sc.DisplayName, sc.AuthID, sc.Status))
		} else {
			o.Next = append([]string{"enter these values in Security Center's console: " + strings.Join(sc.Console, "; ")}, o.Next...)
		}
	}
	for _, reused := range r.Reused {
		o.Verified = append(o.Verified, "reused "+reused)
	}
	o.Next = append(slices.Clone(o.Next), "onboard sync --account "+r.Account+" (later syncs)", "onboard assets list")
	return o
}

// Rollback removes everything onboard created in the account, reporting each removal (and what it could not remove) as a step event.
func (b *wizardBackend) Rollback(ctx context.Context, a wizard.Answers, emit func(wizard.StepEvent)) error {
	e, admin, err := b.engine(a)
	if err != nil {
		return err
	}
	account := a.Identity.AccountID
	if account == "" {
		id, err := admin.CallerIdentity(ctx)
		if err != nil {
			return err
		}
		account = id.OwnerUIN
	}
	res, err := e.Rollback(ctx, account, admin)
	for i, what := range res.Removed {
		emit(wizard.StepEvent{ID: fmt.Sprintf("rollback-%d", i), Title: "removed " + what, Status: wizard.StepDone})
	}
	for i, what := range res.Left {
		emit(wizard.StepEvent{ID: fmt.Sprintf("rollback-left-%d", i), Title: "not removed: " + what, Status: wizard.StepFailed})
	}
	return err
}

// RetireRootKey hands the root key's fate to the engine, whose last step disables or deletes it: the
// same request is applied again with RootKey set (everything before it already exists, so nothing else
// changes). The key's rejection is then checked, so that the wizard never reports a retirement that
// did not happen.
func (b *wizardBackend) RetireRootKey(ctx context.Context, a wizard.Answers, action string) error {
	if action == wizard.RootKeyKeep || action == "" {
		return nil
	}
	a.RootKey = action
	e, admin, err := b.engine(a)
	if err != nil {
		return err
	}
	if _, err := e.Apply(ctx, b.request(a), nil); err != nil {
		return err
	}
	if _, err := admin.CallerIdentity(ctx); err == nil {
		return fmt.Errorf("the root key %s still works after the engine was asked to %s it; do it in the CAM console", a.Tencent.Masked(), action)
	} else if !errors.Is(err, tencent.ErrAuth) {
		return fmt.Errorf("check that the root key no longer works: %w", err)
	}
	return nil
}

// Sync runs the engine's first asset sync (Security Center's refresh when the account was submitted,
// then our inventory with the stored key), reporting progress per kind.
func (b *wizardBackend) Sync(ctx context.Context, a wizard.Answers, emit func(wizard.SyncProgress)) error {
	e, _, err := b.engine(a)
	if err != nil {
		return err
	}
	req := b.request(a)
	account := req.Account
	if account == "" {
		account = a.Identity.AccountID // the engine's default name: the owner UIN
	}
	agg := newPerKindProgress(emit)
	res, err := e.FirstSync(ctx, account, req, agg.update)
	if err != nil {
		return err
	}
	agg.finish(inventory.KindsForGrants(req.Features, grantNames(a.Grants())), res)
	b.mu.Lock()
	if b.applied != nil {
		b.applied.NotePartlyDone(res)
	}
	b.mu.Unlock()
	if res.Partial {
		return fmt.Errorf("the first sync was partly done: %s", strings.Join(res.Failed, "; "))
	}
	return nil
}

func grantNames(grants []policy.Grant) []string {
	names := make([]string, len(grants))
	for i, g := range grants {
		names[i] = g.Name
	}
	return names
}

// perKindProgress folds the sync's per-(kind, region) progress into one line per kind, with the tally
// `onboard sync` shows its kinds with.
type perKindProgress struct {
	mu    sync.Mutex
	emit  func(wizard.SyncProgress)
	tally *wizard.SyncTally
}

func newPerKindProgress(emit func(wizard.SyncProgress)) *perKindProgress {
	return &perKindProgress{emit: emit, tally: wizard.NewSyncTally(inventory.KindNames())}
}

func (k *perKindProgress) update(p inventory.Progress) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.tally.Add(regionProgress("", p))
	for _, kind := range k.tally.Kinds() {
		if kind.Kind != p.Kind {
			continue
		}
		out := wizard.SyncProgress{Kind: kind.Kind, Done: kind.Seen}
		if kind.TotalKnown {
			out.Total = kind.Total
		}
		k.emit(out)
	}
}

// finish reports every kind complete, with its count and the first failure that names it.
func (k *perKindProgress) finish(kinds []string, res onboarding.SyncResult) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, kind := range kinds {
		n := res.Counts[kind]
		p := wizard.SyncProgress{Kind: kind, Finished: true, Done: n, Total: n}
		for _, f := range res.Failed {
			if strings.HasPrefix(f, kind+" ") || strings.HasPrefix(f, kind+":") {
				p.Err = errors.New(f)
				break
			}
		}
		k.emit(p)
	}
}

// answersFromRequest starts the wizard from what the flags already said: the reverse of
// requestFromAnswers for every field the person set (zero values leave the wizard's defaults).
func answersFromRequest(req onboarding.Request) func(*wizard.Answers) {
	return func(a *wizard.Answers) {
		switch req.Site {
		case string(securitycenter.SiteMainland):
			a.Site = wizard.SiteMainland
		case string(securitycenter.SiteOutside):
			a.Site = wizard.SiteOutside
		}
		if len(req.Features) > 0 {
			a.Features = slices.Clone(req.Features)
		}
		if req.CSPMPolicy != "" {
			a.CSPMMode = req.CSPMPolicy
		}
		if req.SubUser != "" {
			a.UserName = req.SubUser
		}
		if req.AccountName != "" {
			a.DisplayName = req.AccountName
		}
		if len(req.Regions) > 0 && !slices.Contains(req.Regions, onboarding.RegionsAll) {
			a.Regions = slices.Clone(req.Regions)
		}
		if req.RegionManagement {
			a.DefaultRegion = true
		}
		for _, f := range []struct {
			v   string
			out *int
		}{{req.HostSync, &a.HostSyncMinutes}, {req.CloudSync, &a.CloudSyncMinutes}, {req.AKCheck, &a.AKCheckMinutes}} {
			if f.v == "" {
				continue
			}
			if freq, err := securitycenter.ParseFrequency(f.v); err == nil {
				*f.out = freq.Minutes()
			}
		}
		if req.AuditRegion != "" {
			a.AuditRegion = req.AuditRegion
		}
		if req.AuditLogset != "" && req.AuditLogset != onboarding.AuditNew {
			a.LogsetID = req.AuditLogset
		}
		if req.AuditTopic != "" && req.AuditTopic != onboarding.AuditNew {
			a.TopicID = req.AuditTopic
		}
		switch req.KafkaNetwork {
		case "public":
			a.KafkaNetwork = wizard.KafkaInternet
		case "private":
			a.KafkaNetwork = wizard.KafkaInternal
		}
		if req.RootKey != "" {
			a.RootKey = req.RootKey
		}
		if req.SecurityCenter == onboarding.SecurityCenterSkip {
			a.SkipSecurityCenter = true
		}
	}
}
