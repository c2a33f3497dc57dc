package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"onboard/policy"
	"onboard/retry"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// SecurityCenterResult is the account as Security Center holds it after the run or, when the request
// skipped Security Center, what to enter in its console. It never holds the SecretKey.
type SecurityCenterResult struct {
	Submitted        bool     `json:"submitted"`
	Site             string   `json:"site"`
	AuthID           int64    `json:"auth_id,omitempty"`
	Status           string   `json:"status,omitempty"`
	DisplayName      string   `json:"display_name"`
	KeyType          string   `json:"key_type"`
	AccessKeyID      string   `json:"access_key_id"`
	Modules          []string `json:"modules"`
	Regions          []string `json:"regions"`
	RegionManagement bool     `json:"region_management"`
	HostSync         string   `json:"host_sync"`
	CloudSync        string   `json:"cloud_sync"`
	AKCheck          string   `json:"ak_check"`
	// Console says, line by line, what to enter in Security Center's console; set with skip only.
	Console []string `json:"console,omitempty"`
}

// scState is what the security-center step settled, for the first sync and the record.
type scState struct {
	submitted bool
	authID    int64
	regions   []string // as Security Center syncs them; nil when every region was chosen and nothing submitted
}

// featureModules maps the features to Security Center's modules.
var featureModules = map[string]securitycenter.Module{
	policy.FeatureHost:  securitycenter.ModuleHost,
	policy.FeatureCSPM:  securitycenter.ModuleCSPM,
	policy.FeatureSOC:   securitycenter.ModuleAgenticSOC,
	policy.FeatureAudit: securitycenter.ModuleAuditLogs,
}

func (r *run) scModules() []securitycenter.Module { return SecurityCenterModules(r.req.Features) }

// SecurityCenterModules are the Security Center modules that connect these features.
func SecurityCenterModules(features []string) []securitycenter.Module {
	var out []securitycenter.Module
	for _, f := range features {
		if m, ok := featureModules[f]; ok {
			out = append(out, m)
		}
	}
	return out
}

// scVendorAccountID is the CtdrCloudUserId Security Center requires with Agentic SOC: the owner UIN.
func (r *run) scVendorAccountID() string {
	if slices.Contains(r.req.Features, policy.FeatureSOC) {
		return r.id.OwnerUIN
	}
	return ""
}

func (r *run) scDisplayName() string { return DefaultAccountName(r.req) }

func (r *run) scFrequencies() securitycenter.RefreshSettings {
	return securitycenter.RefreshSettings{HostSync: securitycenter.Frequency(r.req.HostSync),
		CloudServiceSync: securitycenter.Frequency(r.req.CloudSync), KeyCheck: securitycenter.Frequency(r.req.AKCheck)}
}

// SecurityCenterModuleNames names Security Center's modules of the features, as the console shows them.
func SecurityCenterModuleNames(features []string) []string {
	return moduleNames(SecurityCenterModules(features))
}

func moduleNames(mods []securitycenter.Module) []string {
	out := make([]string, len(mods))
	for i, m := range mods {
		out[i] = string(m)
	}
	return out
}

// validationWait bounds how long the step waits for Security Center to validate a submitted key.
const validationWait = 5 * time.Minute

// errNoSecurityCenter is a submit without a Security Center client.
var errNoSecurityCenter = errors.New("no Security Center client: give Alibaba Cloud credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or an aliyun CLI profile), or skip Security Center")

// ensureSecurityCenter connects the account to Security Center with the sub-user's key: added, or
// modified when its key, modules or name differ; then, once Security Center has validated the key, the
// sync regions, the sync frequencies and the key status check. Each setting is read first and written
// only when it differs, so a re-run makes no mutating call.
func (r *run) ensureSecurityCenter(ctx context.Context) (map[string]string, error) {
	if r.req.SecurityCenter == SecurityCenterSkip {
		r.res.SecurityCenter = r.consoleValues()
		if !r.req.allRegions() {
			r.sc.regions = r.req.Regions
		}
		return nil, nil
	}
	sc := r.e.SecurityCenter
	// The regions are checked before anything is submitted: a refused region changes nothing.
	st, err := r.scSituation(ctx)
	if err != nil {
		return nil, err
	}
	choices, regions, old, acct, found := st.choices, st.regions, st.old, st.acct, st.found
	mods := r.scModules()
	var ids map[string]string
	if !found {
		spec := securitycenter.AccountSpec{Vendor: securitycenter.VendorTencent, KeyType: securitycenter.KeySub,
			SecretID: r.key.ID, SecretKey: securitycenter.Secret(r.key.Secret.Reveal()), Modules: mods,
			DisplayName: r.scDisplayName(), VendorAccountID: r.scVendorAccountID()}
		w := object{Kind: kindSCAccount, Name: spec.DisplayName, Parent: r.id.OwnerUIN,
			Attrs: map[string]string{attrSecretID: r.key.ID, attrOwnerUIN: r.id.OwnerUIN}}
		a, err := creating(ctx, r.ledger, w, func() (securitycenter.Account, error) { return sc.AddAccount(ctx, spec) },
			func(a securitycenter.Account) string { return strconv.FormatInt(a.AuthID, 10) })
		if err != nil {
			return nil, err
		}
		// Journaled at once, apart from the step: if validation fails below, a rollback still finds it.
		ids = map[string]string{idCreatedSCAccount: strconv.FormatInt(a.AuthID, 10)}
		if err := r.e.DB.JournalDone(ctx, r.journal.ID, "security-center-account", ids); err != nil {
			return nil, err
		}
		acct = a
		r.res.Created = append(r.res.Created, fmt.Sprintf("Security Center account %d (%s)", a.AuthID, strings.Join(moduleNames(mods), ", ")))
	} else {
		if acct.KeyType != securitycenter.KeySub {
			return nil, fmt.Errorf("account %s is already connected to Security Center with a %s key (AuthId %d); a key type cannot be changed in place: delete that account in Security Center's console (Multi-cloud assets), then run again", r.id.OwnerUIN, acct.KeyType, acct.AuthID)
		}
		change, what := r.scChange(acct, old)
		if len(what) > 0 {
			w := object{Kind: kindSCAccount, Name: r.scDisplayName(), Parent: r.id.OwnerUIN, ID: strconv.FormatInt(acct.AuthID, 10),
				Attrs: map[string]string{attrSecretID: r.key.ID}}
			modify := func() error { _, err := sc.ModifyAccount(ctx, acct.AuthID, change); return err }
			if err := changing(ctx, r.ledger, store.LedgerChange, w, modify); err != nil {
				return nil, err
			}
			r.res.Created = append(r.res.Created, fmt.Sprintf("Security Center account %d updated (%s)", acct.AuthID, strings.Join(what, ", ")))
		} else {
			r.res.Reused = append(r.res.Reused, fmt.Sprintf("Security Center account %d", acct.AuthID))
		}
	}
	r.sc.submitted, r.sc.authID = true, acct.AuthID
	if acct, err = r.scValidate(ctx, acct.AuthID); err != nil {
		return nil, err
	}
	if err := r.ensureRegions(ctx, choices, regions, old, st.recorded); err != nil {
		return nil, err
	}
	if err := r.ensureFrequencies(ctx, acct.AuthID); err != nil {
		return nil, err
	}
	if err := r.ensureAuditSettings(ctx, acct.AuthID); err != nil {
		return nil, err
	}
	r.sc.regions = regions
	res := r.scResult(regions)
	res.Submitted, res.AuthID, res.Status = true, acct.AuthID, acct.Status.String()
	r.res.SecurityCenter = res
	return nil, nil
}

// scValidate waits for Security Center's verdict on the run's key (scValidate of the engine).
func (r *run) scValidate(ctx context.Context, authID int64) (securitycenter.Account, error) {
	return r.e.scValidate(ctx, r.newCAMWait(), keySubmission{
		ledger: r.ledger,
		account: object{Kind: kindSCAccount, Name: r.scDisplayName(), Parent: r.id.OwnerUIN, ID: strconv.FormatInt(authID, 10),
			Attrs: map[string]string{attrSecretID: r.key.ID}},
		authID: authID, change: securitycenter.AccountChange{SecretID: r.key.ID,
			SecretKey: securitycenter.Secret(r.key.Secret.Reveal()), Modules: r.scModules()},
	})
}

// keySubmission is a key given to a Security Center account: what scValidate submits again while CAM
// applies the key, and the ledger object that records it.
type keySubmission struct {
	ledger  ledger
	account object // the Security Center account, with the SecretId submitted
	authID  int64
	change  securitycenter.AccountChange
}

// scValidate waits for Security Center's verdict on a submitted key: onboarding and key rotation share it.
// Security Center checks the key against Tencent Cloud, where CAM applies a new key or grant only after a
// while (its cache): a verdict whose every failure is such a refusal is checked again - the key submitted
// anew through the ledger, which makes Security Center validate it again - until wait's deadline.
func (e *Engine) scValidate(ctx context.Context, wait *camWait, k keySubmission) (securitycenter.Account, error) {
	sc := e.SecurityCenter
	again := wait.poller(revalidateInterval(wait.limit))
	for {
		wctx, cancel := context.WithTimeout(ctx, validationWait)
		acct, err := sc.WaitForValidation(wctx, k.authID)
		cancel()
		if err != nil {
			return acct, err
		}
		problem := validationProblem(acct)
		switch {
		case problem == "":
			return acct, nil
		case !refusedUntilCAMApplies(acct):
			return acct, fmt.Errorf("key %s of account %d not accepted by Security Center: %s", tencent.MaskID(k.change.SecretID), k.authID, problem)
		}
		if err := wait.pause(ctx, again); errors.Is(err, retry.ErrDeadline) {
			return acct, fmt.Errorf("key %s of account %d not accepted by Security Center: %w", tencent.MaskID(k.change.SecretID), k.authID, wait.expired(errors.New(problem)))
		} else if err != nil {
			return acct, err
		}
		resubmit := func() error { _, err := sc.ModifyAccount(ctx, k.authID, k.change); return err }
		if err := changing(ctx, k.ledger, store.LedgerChange, k.account, resubmit); err != nil {
			return acct, fmt.Errorf("submit key %s of account %d again for validation: %w", tencent.MaskID(k.change.SecretID), k.authID, err)
		}
	}
}

// refusedUntilCAMApplies reports whether every failure in Security Center's verdict is Tencent Cloud
// refusing the key or one of its calls, which a key or grant CAM has not applied yet explains.
func refusedUntilCAMApplies(a securitycenter.Account) bool {
	failed := false
	for _, m := range a.Modules {
		if m.Status == securitycenter.StatusNormal {
			continue
		}
		if !m.AccessRefused() {
			return false
		}
		failed = true
	}
	return failed
}

// scSituation is what Security Center and the account record hold before the step acts.
type scSituation struct {
	choices  []securitycenter.RegionChoice
	regions  []string // the regions the request chooses, checked against the other site
	old      store.Account
	recorded bool // old is a record of this account
	acct     securitycenter.Account
	found    bool // acct is this Tencent account in Security Center
}

// scSituation reads it, for Apply and Plan alike.
func (r *run) scSituation(ctx context.Context) (scSituation, error) {
	var st scSituation
	sc := r.e.SecurityCenter
	if sc == nil {
		return st, errNoSecurityCenter
	}
	var err error
	if st.choices, err = sc.Regions(ctx, securitycenter.VendorTencent); err != nil {
		return st, err
	}
	if st.regions, err = r.chooseRegions(st.choices); err != nil {
		return st, err
	}
	st.old, err = r.e.DB.Account(ctx, r.res.Account)
	switch {
	case err == nil:
		st.recorded = true
	case !errors.Is(err, store.ErrNotFound):
		return st, err
	}
	st.acct, st.found, err = r.findSCAccount(ctx, st.old)
	return st, err
}

// validationProblem says why Security Center does not use the key, or "" when the account and every
// module are normal.
func validationProblem(a securitycenter.Account) string {
	var out []string
	if a.Status != securitycenter.StatusNormal {
		msg := "status " + a.Status.String()
		if a.Message != "" {
			msg += ": " + a.Message
		}
		out = append(out, msg)
	}
	for _, m := range a.Modules {
		if m.Status != securitycenter.StatusNormal {
			out = append(out, fmt.Sprintf("module %s %s: %s", m.Module, m.Status, m.Message))
		}
	}
	return strings.Join(out, "; ")
}

// findSCAccount finds the Tencent Cloud account in Security Center, so that it is never added twice:
// an account the ledger says this tool added (its AuthId), then one whose vendor UID is the owner UIN,
// then one holding a SecretId this tool submitted for the account, then the AuthId of the account
// record, then one of this name that Security Center could not identify (no vendor UID: its key did
// not validate). An account that belongs to another Tencent Cloud account is never taken.
func (r *run) findSCAccount(ctx context.Context, old store.Account) (securitycenter.Account, bool, error) {
	list, err := r.e.SecurityCenter.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
	if err != nil {
		return securitycenter.Account{}, false, err
	}
	entries, err := r.e.DB.Ledger(ctx, r.res.Account)
	if err != nil {
		return securitycenter.Account{}, false, err
	}
	ours := ownedIDs(entries)
	submitted := map[string]bool{}
	for _, en := range entries {
		if en.Kind == kindSCAccount && en.Attrs[attrSecretID] != "" && en.State != store.LedgerFailed {
			submitted[en.Attrs[attrSecretID]] = true
		}
	}
	if old.AccessKeyID != "" {
		submitted[old.AccessKeyID] = true
	}
	mine := func(a securitycenter.Account) bool { return a.VendorUID == "" || a.VendorUID == r.id.OwnerUIN }
	holdsOurKey := func(a securitycenter.Account) bool {
		for id := range submitted {
			if maskFits(a.MaskedSecretID, id) {
				return true
			}
		}
		return false
	}
	for _, match := range []func(securitycenter.Account) bool{
		func(a securitycenter.Account) bool { return ours[kindSCAccount+"/"+strconv.FormatInt(a.AuthID, 10)] },
		func(a securitycenter.Account) bool { return a.VendorUID == r.id.OwnerUIN },
		holdsOurKey,
		func(a securitycenter.Account) bool {
			return old.AuthID != "" && old.Site == r.req.Site && strconv.FormatInt(a.AuthID, 10) == old.AuthID
		},
		func(a securitycenter.Account) bool { return a.VendorUID == "" && a.DisplayName == r.scDisplayName() },
	} {
		for _, a := range list {
			if mine(a) && match(a) {
				return a, true, nil
			}
		}
	}
	return securitycenter.Account{}, false, nil
}

// scChange is what must change in a connected account, and the names of those changes.
func (r *run) scChange(a securitycenter.Account, old store.Account) (securitycenter.AccountChange, []string) {
	var ch securitycenter.AccountChange
	var what []string
	// Security Center shows the SecretId masked: the key counts as the same only if the mask fits and the
	// account record says this key was submitted to this account.
	sameKey := maskFits(a.MaskedSecretID, r.key.ID) && old.AccessKeyID == r.key.ID && old.AuthID == strconv.FormatInt(a.AuthID, 10)
	// An account whose key Security Center did not accept is repaired in place: the key is submitted
	// again, which validates it anew.
	if !sameKey || a.Status == securitycenter.StatusError || a.Status == securitycenter.StatusTimedOut {
		ch.SecretID, ch.SecretKey = r.key.ID, securitycenter.Secret(r.key.Secret.Reveal())
		what = append(what, "key")
	}
	want := r.scModules()
	var have []securitycenter.Module
	for _, m := range a.Modules {
		have = append(have, m.Module)
	}
	if !sameSet(moduleNames(have), moduleNames(want)) {
		ch.Modules = want
		what = append(what, "modules "+strings.Join(moduleNames(want), ", "))
	}
	if name := r.scDisplayName(); a.DisplayName != name {
		ch.DisplayName = &name
		what = append(what, "name "+name)
	}
	if id := r.scVendorAccountID(); id != "" && a.VendorAccountID != id {
		ch.VendorAccountID = &id
		what = append(what, "account ID for Agentic SOC")
	}
	return ch, what
}

// maskFits reports whether a masked SecretId (e.g. AKIDz8kr***) can be the given one.
func maskFits(masked, id string) bool {
	i, j := strings.IndexByte(masked, '*'), strings.LastIndexByte(masked, '*')
	if i < 0 {
		return masked == id
	}
	prefix, suffix := masked[:i], masked[j+1:]
	return len(id) >= len(prefix)+len(suffix) && strings.HasPrefix(id, prefix) && strings.HasSuffix(id, suffix)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// chooseRegions resolves the requested regions against the site's region list: all means every region
// the other site does not sync; a named region the other site syncs is refused.
func (r *run) chooseRegions(choices []securitycenter.RegionChoice) ([]string, error) {
	var out []string
	if r.req.allRegions() {
		for _, c := range choices {
			if !c.TakenByOtherSite {
				out = append(out, c.RegionID)
			}
		}
		return out, nil
	}
	var known, taken, unknown []string
	for _, c := range choices {
		known = append(known, c.RegionID)
	}
	for _, reg := range r.req.Regions {
		i := slices.IndexFunc(choices, func(c securitycenter.RegionChoice) bool { return c.RegionID == reg })
		switch {
		case i < 0:
			unknown = append(unknown, reg)
		case choices[i].TakenByOtherSite:
			taken = append(taken, reg)
		default:
			out = append(out, reg)
		}
	}
	if len(unknown) > 0 {
		return nil, &FieldError{Field: "regions", Message: fmt.Sprintf("Security Center does not know %s; valid regions are all or %s", strings.Join(unknown, ", "), strings.Join(known, ", "))}
	}
	if len(taken) > 0 {
		return nil, &FieldError{Field: "regions", Message: fmt.Sprintf("%s already synced by Security Center's %s site, and a region is synced by one site only: leave it out, or remove it from that site's region management first",
			strings.Join(taken, ", "), otherSite(r.req.Site))}
	}
	return out, nil
}

func otherSite(site string) string {
	if site == string(securitycenter.SiteOutside) {
		return string(securitycenter.SiteMainland)
	}
	return string(securitycenter.SiteOutside)
}

// ensureRegions sets the site's Tencent Cloud sync regions when they differ. Whether new regions join
// automatically cannot be read back, so the account record's last value stands for it.
func (r *run) ensureRegions(ctx context.Context, choices []securitycenter.RegionChoice, want []string, old store.Account, recorded bool) error {
	var selected []string
	for _, c := range choices {
		if c.Selected {
			selected = append(selected, c.RegionID)
		}
	}
	sameManagement := recorded && old.Site == r.req.Site && old.RegionManagement == r.req.RegionManagement
	if sameSet(selected, want) && sameManagement {
		r.res.Reused = append(r.res.Reused, "Security Center sync regions")
		return nil
	}
	w := object{Kind: kindSCRegions, Name: strings.Join(want, ","), Attrs: map[string]string{attrBefore: strings.Join(selected, ",")}}
	set := func() error {
		return r.e.SecurityCenter.SetSyncRegions(ctx, securitycenter.VendorTencent, want, r.req.RegionManagement)
	}
	if err := changing(ctx, r.ledger, store.LedgerChange, w, set); err != nil {
		return err
	}
	r.res.Created = append(r.res.Created, fmt.Sprintf("Security Center sync regions: %s (new regions join automatically: %s)", strings.Join(want, ", "), yesNo(r.req.RegionManagement)))
	return nil
}

// frequencyDiff is the part of want that differs from have, and its description.
func frequencyDiff(have, want securitycenter.RefreshSettings) (securitycenter.RefreshSettings, []string) {
	var d securitycenter.RefreshSettings
	var what []string
	if have.HostSync != want.HostSync {
		d.HostSync = want.HostSync
		what = append(what, "host sync "+string(want.HostSync))
	}
	if want.CloudServiceSync != "" && have.CloudServiceSync != want.CloudServiceSync {
		d.CloudServiceSync = want.CloudServiceSync
		what = append(what, "cloud service sync "+string(want.CloudServiceSync))
	}
	if have.KeyCheck != want.KeyCheck {
		d.KeyCheck = want.KeyCheck
		what = append(what, "AK status check "+string(want.KeyCheck))
	}
	return d, what
}

// ensureFrequencies sets only the frequencies that differ.
func (r *run) ensureFrequencies(ctx context.Context, authID int64) error {
	have, err := r.e.SecurityCenter.RefreshSettings(ctx, securitycenter.VendorTencent, authID)
	if err != nil {
		return err
	}
	diff, what := frequencyDiff(have, r.scFrequencies())
	if len(what) == 0 {
		r.res.Reused = append(r.res.Reused, "Security Center sync frequencies and AK status check")
		return nil
	}
	w := object{Kind: kindSCFrequencies, Name: strings.Join(what, ", "), Parent: strconv.FormatInt(authID, 10),
		Attrs: map[string]string{attrBefore: describeFrequencies(have)}}
	set := func() error {
		return r.e.SecurityCenter.SetRefreshSettings(ctx, securitycenter.VendorTencent, authID, diff)
	}
	if err := changing(ctx, r.ledger, store.LedgerChange, w, set); err != nil {
		return err
	}
	r.res.Created = append(r.res.Created, "Security Center "+strings.Join(what, ", "))
	return nil
}

// describeFrequencies says what the sync frequencies were, for the ledger.
func describeFrequencies(s securitycenter.RefreshSettings) string {
	_, what := frequencyDiff(securitycenter.RefreshSettings{}, s)
	if len(what) == 0 {
		return "none set"
	}
	return strings.Join(what, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r *run) scResult(regions []string) *SecurityCenterResult {
	return &SecurityCenterResult{Site: r.req.Site, DisplayName: r.scDisplayName(), KeyType: string(securitycenter.KeySub),
		AccessKeyID: r.key.ID, Modules: moduleNames(r.scModules()), Regions: regions, RegionManagement: r.req.RegionManagement,
		HostSync: r.req.HostSync, CloudSync: r.req.CloudSync, AKCheck: r.req.AKCheck}
}

// consoleValues is, for --security-center skip, exactly what to enter in Security Center's console. The
// SecretKey is never part of it: `onboard accounts reveal-key` shows it on request.
func (r *run) consoleValues() *SecurityCenterResult {
	regions := r.req.Regions
	regionText := strings.Join(regions, ", ")
	if r.req.allRegions() {
		regions, regionText = []string{RegionsAll}, "all regions the other site does not already sync"
	}
	res := r.scResult(regions)
	every := func(f string) string {
		if f == string(securitycenter.FrequencyOff) {
			return "off"
		}
		return "every " + f
	}
	site := map[string]string{"mainland": "Chinese mainland", "outside": "outside the Chinese mainland"}[r.req.Site]
	res.Console = []string{
		fmt.Sprintf("Security Center console (site: %s) > Multi-cloud assets > Add > Tencent Cloud > Manual configuration", site),
		"SecretId: " + r.key.ID,
		fmt.Sprintf("SecretKey: not shown here; print it with `onboard accounts reveal-key %s` (to a terminal, or into a 0600 file)", r.res.Account),
		"Modules: " + strings.Join(res.Modules, ", "),
		"Account name: " + res.DisplayName,
	}
	if id := r.scVendorAccountID(); id != "" {
		res.Console = append(res.Console, "Tencent Cloud account ID (Agentic SOC): "+id)
	}
	res.Console = append(res.Console,
		"Region management: "+regionText+"; new regions join automatically: "+yesNo(r.req.RegionManagement),
		"Host asset sync: "+every(r.req.HostSync))
	if r.req.CloudSync != "" {
		res.Console = append(res.Console, "Cloud service sync: "+every(r.req.CloudSync))
	}
	res.Console = append(res.Console, "AK service status check: "+every(r.req.AKCheck))
	if a := r.audit; a != nil {
		// The audit-log step of the console's procedure asks for these; Kafka's login is the logset ID with
		// the sub-user's key (SecretId#SecretKey), which the console already holds.
		res.Console = append(res.Console,
			"Audit logs (CIEM): Kafka topic: "+a.KafkaTopic,
			fmt.Sprintf("Audit logs (CIEM): Kafka bootstrap address (%s network): %s", a.KafkaNetwork, a.BootstrapServers),
			"Audit logs (CIEM): CLS logset ID (the Kafka user name): "+a.LogsetID,
			"Audit logs (CIEM): CLS region: "+a.Region)
	}
	return res
}

// planSecurityCenter says what ensureSecurityCenter would do, reading only.
func (r *run) planSecurityCenter(ctx context.Context) ([]Change, error) {
	if r.req.SecurityCenter == SecurityCenterSkip {
		return nil, nil
	}
	sc := r.e.SecurityCenter
	st, err := r.scSituation(ctx)
	if err != nil {
		return nil, err
	}
	choices, regions, old, acct, found := st.choices, st.regions, st.old, st.acct, st.found
	var out []Change
	mods := strings.Join(moduleNames(r.scModules()), ", ")
	authID := strconv.FormatInt(acct.AuthID, 10)
	switch {
	case !found:
		out = append(out, Change{Op: OpCreate, Object: ObjectSecurityCenterAccount, Name: r.scDisplayName(),
			Detail: "manual configuration, key type sub, modules " + mods})
	case acct.KeyType != securitycenter.KeySub:
		return nil, &KeyTypeError{OwnerUIN: r.id.OwnerUIN, KeyType: string(acct.KeyType), AuthID: acct.AuthID}
	default:
		// The key the run would use: the stored one, if the key step reuses it.
		r.key.ID = ""
		if stored, err := r.e.Secrets.Get(ctx, r.secret); err == nil {
			r.key.ID = stored.SecretID
		}
		if _, what := r.scChange(acct, old); len(what) > 0 {
			out = append(out, Change{Op: OpUpdate, Object: ObjectSecurityCenterAccount, Name: r.scDisplayName(), ID: authID, Detail: strings.Join(what, ", ")})
		} else {
			out = append(out, Change{Op: OpReuse, Object: ObjectSecurityCenterAccount, Name: r.scDisplayName(), ID: authID})
		}
	}
	out = append(out, Change{Op: OpCheck, Object: ObjectSecurityCenterAccount, Name: r.scDisplayName(), Detail: "Security Center validates the key"})
	var selected []string
	for _, c := range choices {
		if c.Selected {
			selected = append(selected, c.RegionID)
		}
	}
	if sameSet(selected, regions) && st.recorded && old.Site == r.req.Site && old.RegionManagement == r.req.RegionManagement {
		out = append(out, Change{Op: OpReuse, Object: ObjectRegions, Name: strings.Join(regions, ",")})
	} else {
		out = append(out, Change{Op: OpUpdate, Object: ObjectRegions, Name: strings.Join(regions, ",")})
	}
	have := securitycenter.RefreshSettings{}
	if found {
		if have, err = sc.RefreshSettings(ctx, securitycenter.VendorTencent, acct.AuthID); err != nil {
			return nil, err
		}
	}
	if _, what := frequencyDiff(have, r.scFrequencies()); len(what) > 0 {
		out = append(out, Change{Op: OpUpdate, Object: ObjectFrequencies, Name: strings.Join(what, ", ")})
	} else {
		out = append(out, Change{Op: OpReuse, Object: ObjectFrequencies, Name: describeFrequencies(have)})
	}
	if !slices.Contains(r.req.Features, policy.FeatureAudit) {
		return out, nil
	}
	auditLog := Change{Op: OpCreate, Object: ObjectSecurityCenterAuditLog, Name: "Kafka settings of the audit logs"}
	if found {
		st, err := sc.AuditLog(ctx, acct.AuthID)
		switch {
		case errors.Is(err, securitycenter.ErrNotFound) || (err == nil && st.Status == ""):
		case err != nil:
			return nil, err
		default:
			auditLog.Op, auditLog.ID, auditLog.Detail = OpCheck, authID, "updated if they differ"
		}
	}
	return append(out, auditLog), nil
}

// KeyTypeError is a Tencent Cloud account that Security Center already connects with another key type
// than the sub-user's: a key type cannot be changed in place.
type KeyTypeError struct {
	OwnerUIN, KeyType string
	AuthID            int64
}

func (e *KeyTypeError) Error() string {
	return fmt.Sprintf("account %s is already connected to Security Center with a %s key (AuthId %d), and a key type cannot be changed in place", e.OwnerUIN, e.KeyType, e.AuthID)
}

// recordSecurityCenter puts what the security-center step settled into the account record.
func (r *run) recordSecurityCenter(a *store.Account) {
	a.Site, a.DisplayName = r.req.Site, r.scDisplayName()
	a.RegionManagement, a.HostSync, a.CloudSync, a.AKCheck = r.req.RegionManagement, r.req.HostSync, r.req.CloudSync, r.req.AKCheck
	a.Regions = r.sc.regions
	if r.sc.submitted {
		a.AuthID = strconv.FormatInt(r.sc.authID, 10)
	}
	if sc := r.res.SecurityCenter; sc != nil {
		a.SecurityCenterStatus = sc.Status
	}
}
