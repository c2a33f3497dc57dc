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
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Verdicts of a status check, from best to worst.
const (
	VerdictOK      = "ok"
	VerdictWarning = "warning"
	VerdictBroken  = "broken"
)

// Areas of the status checks.
const (
	AreaKey            = "sub-user and key"
	AreaGrants         = "grants"
	AreaSecurityCenter = "security center"
	AreaAuditLogs      = "audit logs"
	AreaInventory      = "inventory"
)

// keyAgeWarning is the age from which a key is reported for rotation (CAM's console also suggests
// rotating keys older than 90 days).
const keyAgeWarning = 90 * 24 * time.Hour

// Check is one status check of an account: a verdict and, when it is not ok, what fixes it.
type Check struct {
	Area    string `json:"area"`
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail,omitempty"`
	Fix     string `json:"fix,omitempty"`
}

// AccountStatus is every check of one account and the worst verdict among them.
type AccountStatus struct {
	Account string  `json:"account"`
	Verdict string  `json:"verdict"`
	Checks  []Check `json:"checks"`
}

// KeyUsage is what status asks of a Cloud that can tell when keys were last used (GetSecurityLastUsed).
type KeyUsage interface {
	KeysLastUsed(ctx context.Context, keyIDs []string) ([]tencent.KeyUse, error)
}

// status collects the checks of one account.
type status struct {
	r      *run
	a      store.Account
	now    time.Time
	checks []Check
}

func (s *status) add(area, name, verdict, detail, fix string) {
	s.checks = append(s.checks, Check{Area: area, Name: name, Verdict: verdict, Detail: detail, Fix: fix})
}

// repairFix is the fix of a check that `onboard repair` converges.
func (s *status) repairFix() string { return "onboard repair --account " + s.a.Name }

// Status checks, reading only, whether the account's connection still is what was chosen: the sub-user
// and its key, the grants and custom policies, Security Center, the audit-log delivery and the last
// inventory sync. A check that cannot be read is a warning that says why; the error is only for an
// account that is not recorded.
func (e *Engine) Status(ctx context.Context, account string) (AccountStatus, error) {
	a, err := e.DB.Account(ctx, account)
	if err != nil {
		return AccountStatus{}, err
	}
	req, err := e.RecordedRequest(ctx, a)
	if err != nil {
		return AccountStatus{}, err
	}
	r := &run{e: e, req: req, emit: func(Event) {}, id: tencent.Identity{OwnerUIN: a.OwnerUIN}, secret: a.SecretItem}
	r.res.Account, r.res.OwnerUIN, r.res.SubUser = a.Name, a.OwnerUIN, a.SubUserName
	s := &status{r: r, a: a, now: time.Now()}
	if s.checkUserAndKey(ctx) {
		s.checkGrants(ctx)
	}
	s.checkSecurityCenter(ctx)
	s.checkAuditLogs(ctx)
	s.checkSOCLogs(ctx)
	s.checkInventory(ctx)
	out := AccountStatus{Account: a.Name, Verdict: VerdictOK, Checks: s.checks}
	for _, c := range s.checks {
		out.Verdict = worse(out.Verdict, c.Verdict)
	}
	return out, nil
}

func worse(a, b string) string {
	rank := map[string]int{VerdictOK: 0, VerdictWarning: 1, VerdictBroken: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// RecordedRequest rebuilds the request an account was onboarded with from its record: what status
// compares with and what repair applies again. Inputs the record does not keep take what the account
// shows (the CSPM policy kind: custom when the sub-user holds cspmPolicy) or their defaults (the Kafka
// network, policy templates rather than --policy-file). The sub-user is the recorded one, so it counts
// as adopted whether or not onboard created it.
func (e *Engine) RecordedRequest(ctx context.Context, a store.Account) (Request, error) {
	uin, _ := strconv.ParseUint(a.SubUserUIN, 10, 64)
	req := Request{Mode: ModeManual, Features: slices.Clone(a.Features), SubUser: a.SubUserName, Account: a.Name, AdoptUser: true,
		Site: a.Site, AccountName: a.DisplayName, SecurityCenter: SecurityCenterSkip, Regions: slices.Clone(a.Regions),
		RegionManagement: a.RegionManagement, HostSync: a.HostSync, CloudSync: a.CloudSync, AKCheck: a.AKCheck, SkipSync: true,
		RootKey: RootKeyKeep, CSPMPolicy: policy.CSPMPreset}
	if a.AuthID != "" {
		req.SecurityCenter = SecurityCenterSubmit
	}
	if slices.Contains(a.Features, policy.FeatureAudit) {
		req.AuditRegion, req.AuditLogset, req.AuditTopic = a.Audit.Region, a.Audit.LogsetID, a.Audit.TopicID
	}
	if slices.Contains(a.Features, policy.FeatureCSPM) && uin != 0 {
		attached, err := e.Cloud.ListAttachedUserPolicies(ctx, uin)
		if err != nil && !errors.Is(err, tencent.ErrNotFound) {
			return Request{}, fmt.Errorf("read the grants of sub-user %s: %w", a.SubUserName, err)
		}
		if slices.ContainsFunc(attached, func(p tencent.AttachedPolicy) bool { return !p.Preset && p.Name == policy.CSPMPolicy }) {
			req.CSPMPolicy = policy.CSPMCustom
		} else if p, err := e.Cloud.FindPolicy(ctx, tencent.ScopeCustom, policy.CSPMPolicy); err == nil && !slices.ContainsFunc(attached,
			func(x tencent.AttachedPolicy) bool { return x.Name == "CloudResourceReadOnlyAccess" }) && p.ID != 0 {
			// Neither is attached: the custom policy exists, so it was the choice.
			req.CSPMPolicy = policy.CSPMCustom
		}
	}
	if err := req.Validate(); err != nil {
		return Request{}, fmt.Errorf("the record of account %q no longer makes a valid request: %w", a.Name, err)
	}
	return req, nil
}

// checkUserAndKey checks the sub-user, its key and the secret store item; it reports whether the
// sub-user exists (the grants are checked only then).
func (s *status) checkUserAndKey(ctx context.Context) bool {
	cloud := s.r.e.Cloud
	u, err := cloud.GetUser(ctx, s.a.SubUserName)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
		s.add(AreaKey, "sub-user", VerdictBroken, "sub-user "+s.a.SubUserName+" does not exist", s.repairFix())
		return false
	case err != nil:
		s.add(AreaKey, "sub-user", VerdictWarning, "cannot read sub-user "+s.a.SubUserName+": "+err.Error(), "")
		return false
	}
	s.r.user = u
	s.add(AreaKey, "sub-user", VerdictOK, fmt.Sprintf("%s (UIN %d)", u.Name, u.UIN), "")
	keys, err := cloud.ListAccessKeys(ctx, u.UIN)
	if err != nil {
		s.add(AreaKey, "key", VerdictWarning, "cannot list the keys of "+u.Name+": "+err.Error(), "")
		return true
	}
	i := slices.IndexFunc(keys, func(k tencent.AccessKey) bool { return k.ID == s.a.AccessKeyID })
	masked := tencent.MaskID(s.a.AccessKeyID)
	switch {
	case i < 0:
		s.add(AreaKey, "key", VerdictBroken, "key "+masked+" no longer exists", s.repairFix())
	case keys[i].Status != "Active":
		s.add(AreaKey, "key", VerdictBroken, "key "+masked+" is "+keys[i].Status+": Security Center cannot use it", s.repairFix())
	default:
		verdict, detail, fix := VerdictOK, "key "+masked+" is active", ""
		if created, err := time.ParseInLocation(time.DateTime, keys[i].Created, time.Local); err == nil {
			age := s.now.Sub(created)
			detail += fmt.Sprintf(", %d days old", int(age.Hours()/24))
			if age > keyAgeWarning {
				verdict, fix = VerdictWarning, "rotate the key: onboard rotate-key --account "+s.a.Name
			}
		}
		detail += s.lastUse(ctx)
		s.add(AreaKey, "key", verdict, detail, fix)
	}
	stored, err := s.r.e.Secrets.Get(ctx, s.a.SecretItem)
	switch {
	case errors.Is(err, store.ErrSecretNotFound):
		s.add(AreaKey, "secret", VerdictBroken, "the "+s.r.e.Secrets.Kind()+" secret store holds no item "+s.a.SecretItem, s.repairFix())
	case err != nil:
		s.add(AreaKey, "secret", VerdictWarning, "cannot read the secret store: "+err.Error(), "")
	case stored.SecretID != s.a.AccessKeyID:
		s.add(AreaKey, "secret", VerdictBroken, "the stored secret is of key "+tencent.MaskID(stored.SecretID)+", not of "+masked, s.repairFix())
	default:
		s.add(AreaKey, "secret", VerdictOK, "in the "+s.r.e.Secrets.Kind()+" secret store", "")
	}
	return true
}

// lastUse says when CAM last saw the key used, where the cloud can tell.
func (s *status) lastUse(ctx context.Context) string {
	ku, ok := s.r.e.Cloud.(KeyUsage)
	if !ok {
		return ""
	}
	uses, err := ku.KeysLastUsed(ctx, []string{s.a.AccessKeyID})
	if err != nil {
		return "; last use unknown (" + err.Error() + ")"
	}
	for _, u := range uses {
		if u.KeyID == s.a.AccessKeyID && !u.At.IsZero() {
			return "; last used " + u.At.UTC().Format(time.DateTime) + " UTC"
		}
	}
	return "; never used, as far as CAM reports"
}

// grantWanted is one policy the features need, with the values its template is rendered with.
type grantWanted struct {
	grant  policy.Grant
	values policy.Values
}

func (s *status) wantedGrants() ([]grantWanted, error) {
	var out []grantWanted
	for _, feature := range s.r.req.Features {
		if feature == policy.FeatureAudit {
			out = append(out, grantWanted{policy.Grant{Name: policy.CIEMPolicy}, policy.Values{TopicID: s.a.Audit.TopicID,
				LogsetID: s.a.Audit.LogsetID, Region: s.a.Audit.Region, RootAccountID: s.a.OwnerUIN}})
			continue
		}
		grants, err := policy.Grants(feature, s.r.req.CSPMPolicy, false)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			out = append(out, grantWanted{g, policy.Values{RootAccountID: s.a.OwnerUIN}})
		}
	}
	return out, nil
}

// checkGrants checks that each grant is attached and each custom policy is still its template.
func (s *status) checkGrants(ctx context.Context) {
	cloud := s.r.e.Cloud
	wanted, err := s.wantedGrants()
	if err != nil {
		s.add(AreaGrants, "grants", VerdictWarning, err.Error(), "")
		return
	}
	attached, err := cloud.ListAttachedUserPolicies(ctx, s.r.user.UIN)
	if err != nil {
		s.add(AreaGrants, "grants", VerdictWarning, "cannot list the grants of "+s.r.user.Name+": "+err.Error(), "")
		return
	}
	for _, w := range wanted {
		name := "grant " + w.grant.Name
		scope := tencent.ScopeCustom
		if w.grant.Preset {
			scope = tencent.ScopePreset
		}
		p, err := cloud.FindPolicy(ctx, scope, w.grant.Name)
		switch {
		case errors.Is(err, tencent.ErrNotFound):
			s.add(AreaGrants, name, VerdictBroken, "policy "+w.grant.Name+" does not exist", s.repairFix())
			continue
		case err != nil:
			s.add(AreaGrants, name, VerdictWarning, "cannot read policy "+w.grant.Name+": "+err.Error(), "")
			continue
		}
		if !slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return a.ID == p.ID }) {
			s.add(AreaGrants, name, VerdictBroken, w.grant.Name+" is not attached to "+s.r.user.Name, s.repairFix())
			continue
		}
		if w.grant.Preset {
			s.add(AreaGrants, name, VerdictOK, "attached", "")
			continue
		}
		want, err := s.r.render(w.grant.Name, w.values)
		if err != nil {
			s.add(AreaGrants, name, VerdictWarning, err.Error(), "")
			continue
		}
		live, err := cloud.GetPolicy(ctx, p.ID)
		if err != nil {
			s.add(AreaGrants, name, VerdictWarning, "cannot read policy "+w.grant.Name+": "+err.Error(), "")
			continue
		}
		drift, err := policy.Diff([]byte(live.Document), want)
		switch {
		case err != nil:
			s.add(AreaGrants, name, VerdictBroken, "policy "+w.grant.Name+" cannot be compared with its template: "+err.Error(), s.repairFix())
		case drift.Changed:
			s.add(AreaGrants, name, VerdictWarning, "attached; policy "+w.grant.Name+" differs from its template (policy diff): "+strings.Join(drift.Lines, "; "), s.repairFix())
		default:
			s.add(AreaGrants, name, VerdictOK, "attached; the policy is its template", "")
		}
	}
}

// checkSecurityCenter compares the Security Center account with what was chosen.
func (s *status) checkSecurityCenter(ctx context.Context) {
	if s.a.AuthID == "" {
		s.add(AreaSecurityCenter, "account", VerdictOK, "not submitted (Security Center was skipped)", "")
		return
	}
	sc := s.r.e.SecurityCenter
	if sc == nil {
		s.add(AreaSecurityCenter, "account", VerdictWarning, "not checked: no Alibaba Cloud credentials", "give ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or --alibaba-profile")
		return
	}
	authID, err := strconv.ParseInt(s.a.AuthID, 10, 64)
	if err != nil {
		s.add(AreaSecurityCenter, "account", VerdictBroken, "the recorded AuthId "+s.a.AuthID+" is not a number", s.repairFix())
		return
	}
	list, err := sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent, AuthIDs: []int64{authID}})
	if err != nil {
		s.add(AreaSecurityCenter, "account", VerdictWarning, "cannot list Security Center's accounts: "+err.Error(), "")
		return
	}
	i := slices.IndexFunc(list, func(a securitycenter.Account) bool { return a.AuthID == authID })
	if i < 0 {
		s.add(AreaSecurityCenter, "account", VerdictBroken, fmt.Sprintf("Security Center has no account %d", authID), s.repairFix())
		return
	}
	acct := list[i]
	if problem := validationProblem(acct); problem != "" {
		s.add(AreaSecurityCenter, "account", VerdictBroken, fmt.Sprintf("account %d: %s", authID, problem), s.repairFix())
	} else {
		s.add(AreaSecurityCenter, "account", VerdictOK, fmt.Sprintf("account %d normal; its key is valid", authID), "")
	}
	if !maskFits(acct.MaskedSecretID, s.a.AccessKeyID) {
		s.add(AreaSecurityCenter, "key", VerdictBroken, "Security Center holds key "+acct.MaskedSecretID+", not "+tencent.MaskID(s.a.AccessKeyID), s.repairFix())
	}
	var have []securitycenter.Module
	for _, m := range acct.Modules {
		have = append(have, m.Module)
	}
	if want := s.r.scModules(); sameSet(moduleNames(have), moduleNames(want)) {
		s.add(AreaSecurityCenter, "modules", VerdictOK, strings.Join(moduleNames(want), ", "), "")
	} else {
		s.add(AreaSecurityCenter, "modules", VerdictBroken, "modules "+strings.Join(moduleNames(have), ", ")+"; chosen: "+strings.Join(moduleNames(want), ", "), s.repairFix())
	}
	if choices, err := sc.Regions(ctx, securitycenter.VendorTencent); err != nil {
		s.add(AreaSecurityCenter, "regions", VerdictWarning, "cannot read the sync regions: "+err.Error(), "")
	} else {
		var selected []string
		for _, c := range choices {
			if c.Selected {
				selected = append(selected, c.RegionID)
			}
		}
		var missing []string
		for _, r := range s.a.Regions {
			if !slices.Contains(selected, r) {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			s.add(AreaSecurityCenter, "regions", VerdictWarning, "not synced any more: "+strings.Join(missing, ", "), s.repairFix())
		} else {
			s.add(AreaSecurityCenter, "regions", VerdictOK, fmt.Sprintf("%d regions synced", len(s.a.Regions)), "")
		}
	}
	if have, err := sc.RefreshSettings(ctx, securitycenter.VendorTencent, authID); err != nil {
		s.add(AreaSecurityCenter, "frequencies", VerdictWarning, "cannot read the sync frequencies: "+err.Error(), "")
	} else if _, what := frequencyDiff(have, s.r.scFrequencies()); len(what) > 0 {
		s.add(AreaSecurityCenter, "frequencies", VerdictWarning, "differ from the choice: "+strings.Join(what, ", "), s.repairFix())
	} else {
		s.add(AreaSecurityCenter, "frequencies", VerdictOK, fmt.Sprintf("host sync %s, cloud service sync %s, AK status check %s", have.HostSync, have.CloudServiceSync, have.KeyCheck), "")
	}
}

// checkAuditLogs checks the delivery of audit logs: the topic, the tracking set, the Kafka consumption
// and Security Center's settings.
func (s *status) checkAuditLogs(ctx context.Context) {
	if !slices.Contains(s.a.Features, policy.FeatureAudit) {
		return
	}
	cloud, au := s.r.e.Cloud, s.a.Audit
	topics, err := cloud.ListTopics(ctx, au.Region, au.LogsetID, "")
	switch {
	case err != nil && !errors.Is(err, tencent.ErrNotFound):
		s.add(AreaAuditLogs, "topic", VerdictWarning, "cannot list the topics of logset "+au.LogsetID+": "+err.Error(), "")
	case !slices.ContainsFunc(topics, func(t tencent.Topic) bool { return t.ID == au.TopicID }):
		s.add(AreaAuditLogs, "topic", VerdictBroken, fmt.Sprintf("CLS topic %s no longer exists in logset %s (%s)", au.TopicID, au.LogsetID, au.Region), s.repairFix())
	default:
		s.add(AreaAuditLogs, "topic", VerdictOK, "CLS topic "+au.TopicID+" in "+au.Region, "")
	}
	tracks, err := cloud.ListAuditTracks(ctx)
	if err != nil {
		s.add(AreaAuditLogs, "tracking set", VerdictWarning, "cannot list CloudAudit's tracking sets: "+err.Error(), "")
	} else {
		i := slices.IndexFunc(tracks, func(t tencent.AuditTrack) bool {
			return t.Storage.Type == "cls" && t.Storage.Region == au.Region && t.Storage.Name == au.TopicID
		})
		switch {
		case i < 0:
			s.add(AreaAuditLogs, "tracking set", VerdictBroken, "no CloudAudit tracking set delivers to topic "+au.TopicID, s.repairFix())
		case !tracks[i].Enabled:
			s.add(AreaAuditLogs, "tracking set", VerdictBroken, "tracking set "+tracks[i].Name+" is off", "turn tracking set "+tracks[i].Name+" on in the CloudAudit console")
		default:
			s.add(AreaAuditLogs, "tracking set", VerdictOK, "tracking set "+tracks[i].Name+" is on and delivers to topic "+au.TopicID, "")
		}
	}
	dead, err := s.r.e.deadTracks(ctx, s.a.Name, au.Region, au.TopicID)
	if err != nil {
		s.add(AreaAuditLogs, "old tracking sets", VerdictWarning, "cannot look for tracking sets of deleted topics: "+err.Error(), "")
	}
	for _, d := range dead {
		s.add(AreaAuditLogs, "old tracking sets", VerdictWarning, d.String()+": it delivers nothing", s.repairFix())
	}
	consumer, err := cloud.GetKafkaConsumer(ctx, au.Region, au.TopicID)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
		s.add(AreaAuditLogs, "kafka consumption", VerdictBroken, "topic "+au.TopicID+" has no Kafka consumption", s.repairFix())
	case err != nil:
		s.add(AreaAuditLogs, "kafka consumption", VerdictWarning, "cannot read the Kafka consumption: "+err.Error(), "")
	case !consumer.Enabled:
		s.add(AreaAuditLogs, "kafka consumption", VerdictBroken, "the Kafka consumption of topic "+au.TopicID+" is closed", s.repairFix())
	case consumer.Compression != auditConsumer.Compression || consumer.JSON != auditConsumer.JSON:
		s.add(AreaAuditLogs, "kafka consumption", VerdictWarning, "the Kafka consumption of topic "+au.TopicID+" is open with other settings than Security Center reads", "")
	default:
		s.add(AreaAuditLogs, "kafka consumption", VerdictOK, "open as Kafka topic "+consumer.TopicID, "")
	}
	if s.a.AuthID == "" || s.r.e.SecurityCenter == nil {
		return
	}
	authID, _ := strconv.ParseInt(s.a.AuthID, 10, 64)
	st, err := s.r.e.SecurityCenter.AuditLog(ctx, authID)
	switch {
	case errors.Is(err, securitycenter.ErrNotFound) || (err == nil && st.Status == ""):
		s.add(AreaAuditLogs, "security center settings", VerdictBroken, "Security Center has no audit-log settings", s.repairFix())
	case err != nil:
		s.add(AreaAuditLogs, "security center settings", VerdictWarning, "cannot read Security Center's audit-log settings: "+err.Error(), "")
	case st.Status != "enable":
		s.add(AreaAuditLogs, "security center settings", VerdictBroken, fmt.Sprintf("Security Center does not consume the audit logs (status %s) %s", st.Status, st.Message), s.repairFix())
	case st.Settings.KafkaUser != au.LogsetID || (consumer.TopicID != "" && st.Settings.Topic != consumer.TopicID):
		s.add(AreaAuditLogs, "security center settings", VerdictBroken, "Security Center consumes Kafka topic "+st.Settings.Topic+" of "+st.Settings.KafkaUser+", not the audit topic", s.repairFix())
	default:
		s.add(AreaAuditLogs, "security center settings", VerdictOK, "enabled, consuming Kafka topic "+st.Settings.Topic, "")
	}
}

// checkInventory reports the last sync: when, and which kinds failed.
func (s *status) checkInventory(ctx context.Context) {
	fix := "onboard sync --account " + s.a.Name
	outcomes, err := s.r.e.DB.SyncOutcomes(ctx, s.a.Name)
	if err != nil {
		s.add(AreaInventory, "last sync", VerdictWarning, err.Error(), "")
		return
	}
	if len(outcomes) == 0 {
		s.add(AreaInventory, "last sync", VerdictWarning, "never synced", fix)
		return
	}
	var last time.Time
	var failed []string
	for _, o := range outcomes {
		if o.At.After(last) {
			last = o.At
		}
		// The inventory records a finished kind as done (store.SyncOK is the older spelling); what failed
		// or was cancelled says so.
		if (o.Status == store.SyncFailed || o.Status == store.SyncCancelled) && !slices.Contains(failed, o.Kind) {
			failed = append(failed, o.Kind)
		}
	}
	detail := "last sync " + last.UTC().Format(time.DateTime) + " UTC"
	if len(failed) > 0 {
		s.add(AreaInventory, "last sync", VerdictWarning, detail+"; failed kinds: "+strings.Join(failed, ", "), fix)
		return
	}
	s.add(AreaInventory, "last sync", VerdictOK, detail+", every kind synced", "")
}
