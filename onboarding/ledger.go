package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Kinds of resource in the ledger. A create of one of these makes something this tool owns until a
// rollback removes it.
const (
	kindUser       = "user"
	kindPolicy     = "policy"
	kindAttachment = "attachment"
	kindKey        = "key"
	kindLogset     = "logset"
	kindTopic      = "topic"
	kindTrack      = "track"
	kindKafka      = "kafka-consumer"
	kindSCAccount  = "sc-account"
	kindSCAuditLog = "sc-audit-log"
)

// Kinds of what a change alters, which a rollback does not own.
const (
	kindSCRegions     = "sc-sync-regions"
	kindSCFrequencies = "sc-frequencies"
	kindSCRefresh     = "sc-asset-refresh"
	kindRootKey       = "root-key"
)

// Attribute keys of ledger entries.
const (
	attrPolicyID   = "policy_id"   // an attachment's policy
	attrUserName   = "user_name"   // an attachment's or a key's user
	attrSecretItem = "secret_item" // where a key's secret is stored
	attrSecretID   = "secret_id"   // the SecretId submitted to a Security Center account (not secret)
	attrOwnerUIN   = "owner_uin"
	attrBefore     = "before"   // what a change replaced
	attrRestores   = "restores" // a rollback's change that puts back what was before
)

// removalOrder is the order a rollback removes what the tool created: dependents before what they
// depend on (Security Center's account uses the key; a topic lives in a logset; a policy is detached
// before it is deleted; a user goes last).
var removalOrder = []string{kindSCAuditLog, kindSCAccount, kindTrack, kindKafka, kindWAFAccessLog, kindWAFDomainDelivery, kindWAFAttackLog, kindWAFFlow, kindTopic, kindLogset, kindAttachment, kindPolicy, kindKey, kindUser}

// ledger writes one run's entries into the account's ledger.
type ledger struct {
	db      *store.DB
	account string
	runID   int64
	// writes counts the intents recorded, so a step knows whether it changed anything; nil: not counted.
	writes *int
}

// object names the object of a mutating call: its kind, name, what it belongs to, its region and further
// facts for finding it again (never a secret).
type object struct {
	Kind, Name, Parent, Region string
	ID                         string // known before the call (a change, a delete)
	Attrs                      map[string]string
}

func (l ledger) intend(ctx context.Context, action string, w object) (store.LedgerEntry, error) {
	if l.writes != nil {
		*l.writes++
	}
	return l.db.Intend(ctx, store.LedgerEntry{Account: l.account, RunID: l.runID, Action: action, Kind: w.Kind, Name: w.Name,
		Parent: w.Parent, Region: w.Region, ResourceID: w.ID, Attrs: w.Attrs})
}

// settle records a call's outcome as soon as it returns. A refusal the service answered made nothing;
// any other failure (a dropped connection, a cancel, a server error) leaves the outcome unknown, and the
// entry stays intended for the next run to resolve. The record is written even while ctx is cancelled:
// an answer that arrived must not be lost.
func (l ledger) settle(ctx context.Context, e store.LedgerEntry, id string, err error) error {
	ctx = context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return l.db.Settle(ctx, e.Seq, store.LedgerMade, id, nil, "")
	case refused(err):
		return l.db.Settle(ctx, e.Seq, store.LedgerFailed, "", nil, ledgerError(err))
	default:
		return l.db.Settle(ctx, e.Seq, store.LedgerIntended, "", nil, ledgerError(err))
	}
}

// ledgerError is what the ledger keeps of a call's error: the service's code and RequestId, or why no
// answer came. Never the message: a transport error's text can hold the request's URL, and with it
// whatever the request carried.
func ledgerError(err error) string {
	var tc *tencent.APIError
	var sc *securitycenter.APIError
	switch {
	case errors.As(err, &tc):
		return fmt.Sprintf("%s %s: %s (RequestId %s)", tc.Service, tc.Action, tc.Code, orNone(tc.RequestID))
	case errors.As(err, &sc):
		return fmt.Sprintf("sas %s: %s (RequestId %s)", sc.Action, sc.Code, orNone(sc.RequestID))
	case errors.Is(err, context.Canceled):
		return "no answer: cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer: timed out"
	}
	return "no answer from the service"
}

// creating makes one create through the ledger: the intent is on disk before the call, and the ID of
// what it made as soon as it returns.
func creating[T any](ctx context.Context, l ledger, w object, call func() (T, error), idOf func(T) string) (T, error) {
	e, err := l.intend(ctx, store.LedgerCreate, w)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := call()
	id := ""
	if err == nil {
		id = idOf(v)
	}
	if serr := l.settle(ctx, e, id, err); serr != nil && err == nil {
		return v, serr
	}
	return v, err
}

// creatingNoValue is creating for a call that returns only an error; id is what it makes.
func creatingNoValue(ctx context.Context, l ledger, w object, id string, call func() error) error {
	_, err := creating(ctx, l, w, func() (struct{}, error) { return struct{}{}, call() }, func(struct{}) string { return id })
	return err
}

// changing makes a change or a delete through the ledger.
func changing(ctx context.Context, l ledger, action string, w object, call func() error) error {
	e, err := l.intend(ctx, action, w)
	if err != nil {
		return err
	}
	err = call()
	if serr := l.settle(ctx, e, w.ID, err); serr != nil && err == nil {
		return serr
	}
	return err
}

// refused reports whether err is the service's own answer that the call did nothing: an API error with
// a RequestId that is not a server-side failure.
func refused(err error) bool {
	var tc *tencent.APIError
	if errors.As(err, &tc) {
		return tc.RequestID != "" && !errors.Is(err, tencent.ErrUnavailable)
	}
	var sc *securitycenter.APIError
	if errors.As(err, &sc) {
		return sc.RequestID != "" && !errors.Is(err, securitycenter.ErrUnavailable)
	}
	return false
}

// forgetDeleted marks every create of kind that made id as deleted, e.g. a key that was useless and
// removed at once.
func (l ledger) forgetDeleted(ctx context.Context, kind, id string) error {
	entries, err := l.db.Ledger(ctx, l.account)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Action == store.LedgerCreate && e.Kind == kind && e.ResourceID == id && e.State == store.LedgerMade {
			if err := l.db.Settle(context.WithoutCancel(ctx), e.Seq, store.LedgerDeleted, "", nil, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// owned is what the ledger says this tool created and has not removed, across every run.
func owned(entries []store.LedgerEntry) []store.LedgerEntry {
	var out []store.LedgerEntry
	for _, e := range entries {
		if e.Action == store.LedgerCreate && e.State == store.LedgerMade {
			out = append(out, e)
		}
	}
	return out
}

// ownedIDs is the set of kind/ID of what the tool created and still owns.
func ownedIDs(entries []store.LedgerEntry) map[string]bool {
	out := map[string]bool{}
	for _, e := range owned(entries) {
		out[e.Kind+"/"+e.ResourceID] = true
	}
	return out
}

// resolveLost settles every create of an earlier run whose answer never came, by finding the resource
// by its name or marker: found, it is this tool's (made); not found, the call made nothing (absent). A
// change or delete whose answer was lost becomes unknown. It returns what it could not resolve, and why;
// without a Security Center client, what only Security Center can tell stays intended for a run that
// has one, and counts as unresolved only when all must be resolved (a rollback).
func (e *Engine) resolveLost(ctx context.Context, l ledger, all bool) ([]string, error) {
	entries, err := e.DB.Ledger(ctx, l.account)
	if err != nil {
		return nil, err
	}
	known := ownedIDs(entries)
	var unresolved []string
	for _, en := range entries {
		if en.State != store.LedgerIntended || en.RunID == l.runID {
			continue
		}
		if en.Action != store.LedgerCreate {
			if err := e.DB.Settle(ctx, en.Seq, store.LedgerUnknown, "", nil, en.Error); err != nil {
				return unresolved, err
			}
			continue
		}
		id, found, err := e.findLost(ctx, en, known)
		if errors.Is(err, errNoSecurityCenterToRemove) && !all {
			continue
		}
		if err != nil {
			unresolved = append(unresolved, fmt.Sprintf("%s: cannot tell whether it was made: %v", describe(en), err))
			continue
		}
		state := store.LedgerAbsent
		if found {
			state = store.LedgerMade
			known[en.Kind+"/"+id] = true
		}
		if err := e.DB.Settle(ctx, en.Seq, state, id, nil, en.Error); err != nil {
			return unresolved, err
		}
	}
	return unresolved, nil
}

// findLost looks for what an unanswered create would have made. Each create is made only after the run
// found no such resource, under the account's run lock, so what now bears its name (and marker) is
// what the call made. known holds what the ledger already owns, which another entry cannot claim.
func (e *Engine) findLost(ctx context.Context, en store.LedgerEntry, known map[string]bool) (string, bool, error) {
	notFound := func(err error) bool {
		return errors.Is(err, tencent.ErrNotFound) || errors.Is(err, securitycenter.ErrNotFound)
	}
	parentUIN, _ := strconv.ParseUint(en.Parent, 10, 64)
	switch en.Kind {
	case kindUser:
		u, err := e.Cloud.GetUser(ctx, en.Name)
		if notFound(err) {
			return "", false, nil
		}
		return fmt.Sprint(u.UIN), err == nil && u.Remark == userRemark, err
	case kindPolicy:
		p, err := e.Cloud.FindPolicy(ctx, tencent.ScopeCustom, en.Name)
		if notFound(err) {
			return "", false, nil
		}
		id := fmt.Sprint(p.ID)
		return id, err == nil && !known[kindPolicy+"/"+id], err
	case kindAttachment:
		attached, err := e.Cloud.ListAttachedUserPolicies(ctx, parentUIN)
		if notFound(err) {
			return "", false, nil
		}
		id := en.Attrs[attrPolicyID]
		return id, err == nil && slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return fmt.Sprint(a.ID) == id }), err
	case kindKey:
		keys, err := e.Cloud.ListAccessKeys(ctx, parentUIN)
		if notFound(err) {
			return "", false, nil
		}
		for _, k := range keys {
			if k.Description == keyDescription(e.Installation) && !known[kindKey+"/"+k.ID] {
				return k.ID, err == nil, err
			}
		}
		return "", false, err
	case kindLogset:
		list, err := e.Cloud.ListLogsets(ctx, en.Region, en.Name)
		if len(list) == 0 || notFound(err) {
			return "", false, nil
		}
		return list[0].ID, err == nil && !known[kindLogset+"/"+list[0].ID], err
	case kindTopic:
		list, err := e.Cloud.ListTopics(ctx, en.Region, en.Parent, en.Name)
		if len(list) == 0 || notFound(err) {
			return "", false, nil
		}
		return list[0].ID, err == nil && !known[kindTopic+"/"+list[0].ID], err
	case kindTrack:
		tracks, err := e.Cloud.ListAuditTracks(ctx)
		if err != nil {
			return "", false, err
		}
		for _, t := range tracks {
			if t.Name == en.Name {
				id := strconv.FormatUint(t.ID, 10)
				return id, !known[kindTrack+"/"+id], nil
			}
		}
		return "", false, nil
	case kindKafka:
		c, err := e.Cloud.GetKafkaConsumer(ctx, en.Region, en.Name)
		if notFound(err) {
			return "", false, nil
		}
		return en.Name, err == nil && c.Enabled, err
	case kindSCAccount:
		if e.SecurityCenter == nil {
			return "", false, errNoSecurityCenterToRemove
		}
		list, err := e.SecurityCenter.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
		if err != nil {
			return "", false, err
		}
		for _, a := range list {
			id := strconv.FormatInt(a.AuthID, 10)
			if maskFits(a.MaskedSecretID, en.Attrs[attrSecretID]) && !known[kindSCAccount+"/"+id] {
				return id, true, nil
			}
		}
		return "", false, nil
	case kindSCAuditLog:
		if e.SecurityCenter == nil {
			return "", false, errNoSecurityCenterToRemove
		}
		authID, _ := strconv.ParseInt(en.Parent, 10, 64)
		st, err := e.SecurityCenter.AuditLog(ctx, authID)
		if notFound(err) {
			return "", false, nil
		}
		return en.Parent, err == nil && st.Status != "", err
	}
	if id, found, ok, err := e.findLostSOC(ctx, en, known); ok {
		return id, found, err
	}
	return "", false, fmt.Errorf("unknown kind %q", en.Kind)
}

// describe names a ledger entry's resource for people.
func describe(en store.LedgerEntry) string {
	id := en.ResourceID
	switch en.Kind {
	case kindUser:
		return "sub-user " + en.Name
	case kindPolicy:
		return "policy " + en.Name
	case kindAttachment:
		if en.Attrs[attrUserName] == "" {
			return "grant " + en.Name
		}
		return fmt.Sprintf("grant %s to %s", en.Name, en.Attrs[attrUserName])
	case kindKey:
		if id == "" {
			return "an API key of " + en.Attrs[attrUserName]
		}
		return "API key " + tencent.MaskID(id)
	case kindLogset:
		return fmt.Sprintf("CLS logset %s in %s", named(en.Name, id), en.Region)
	case kindTopic:
		return fmt.Sprintf("CLS topic %s in logset %s", named(en.Name, id), en.Parent)
	case kindTrack:
		return "CloudAudit tracking set " + named(en.Name, id)
	case kindKafka:
		return "Kafka consumption of topic " + en.Name
	case kindSCAccount:
		if id == "" {
			return "Security Center account " + en.Name
		}
		return "Security Center account " + id
	case kindSCAuditLog:
		return "Security Center audit-log settings of account " + en.Parent
	case kindSCRegions:
		return "Security Center's Tencent Cloud sync regions"
	case kindSCFrequencies:
		return "Security Center's Tencent Cloud sync frequencies"
	case kindSCRefresh:
		return "a Security Center asset refresh"
	case kindRootKey:
		return "root key " + tencent.MaskID(id)
	}
	if s, ok := describeSOC(en); ok {
		return s
	}
	return en.Kind + " " + en.Name
}

// importJournal gives an account onboarded before the ledger existed its ledger: what the journal of
// its onboarding runs says they created and no rollback undid. It does nothing once the account has a
// ledger.
func (e *Engine) importJournal(ctx context.Context, account string) error {
	entries, err := e.DB.Ledger(ctx, account)
	if err != nil || len(entries) > 0 {
		return err
	}
	runs, err := e.DB.Runs(ctx, account, "onboard")
	if err != nil {
		return err
	}
	for _, run := range runs {
		journal, err := e.DB.Journal(ctx, run.ID)
		if err != nil {
			return err
		}
		undone := map[string]bool{}
		for _, en := range journal {
			if en.State == store.StepUndone {
				undone[en.Step] = true
			}
		}
		for _, en := range journal {
			if en.State != store.StepDone || undone[en.Step] {
				continue
			}
			for _, made := range legacyObjects(en.IDs) {
				rec, err := e.DB.Intend(ctx, store.LedgerEntry{Account: account, RunID: run.ID, Action: store.LedgerCreate, Kind: made.Kind,
					Name: made.Name, Parent: made.Parent, Region: made.Region, ResourceID: made.ID, Attrs: made.Attrs})
				if err != nil {
					return err
				}
				if err := e.DB.Settle(ctx, rec.Seq, store.LedgerMade, made.ID, nil, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// legacyObjects reads what one journal entry of an earlier version says its step created.
func legacyObjects(ids map[string]string) []object {
	var out []object
	uin, region := ids[idUserUIN], ids[idAuditRegion]
	if v := ids[idCreatedSCAccount]; v != "" {
		out = append(out, object{Kind: kindSCAccount, ID: v})
	}
	if v := ids[idCreatedSCAudit]; v != "" {
		out = append(out, object{Kind: kindSCAuditLog, Parent: v, ID: v})
	}
	if v := ids[idCreatedLogset]; v != "" {
		out = append(out, object{Kind: kindLogset, Name: AuditLogsetName, Region: region, ID: v})
	}
	if v := ids[idCreatedTopic]; v != "" {
		out = append(out, object{Kind: kindTopic, Name: AuditTopicName, Region: region, Parent: ids[idCreatedLogset], ID: v})
	}
	if v := ids[idCreatedTrack]; v != "" {
		out = append(out, object{Kind: kindTrack, Region: region, ID: v})
	}
	if v := ids[idOpenedKafka]; v != "" {
		out = append(out, object{Kind: kindKafka, Name: v, Region: region, ID: v})
	}
	for key, val := range ids {
		if name, ok := strings.CutPrefix(key, idCreatedPolicy); ok {
			out = append(out, object{Kind: kindPolicy, Name: name, ID: val})
		}
		if name, ok := strings.CutPrefix(key, idAttached); ok {
			out = append(out, object{Kind: kindAttachment, Name: name, Parent: uin, ID: val, Attrs: map[string]string{attrPolicyID: val}})
		}
	}
	if v := ids[idCreatedKey]; v != "" {
		out = append(out, object{Kind: kindKey, Parent: uin, ID: v, Attrs: map[string]string{attrSecretItem: ids[idSecretItem]}})
	}
	if v := ids[idCreatedUser]; v != "" {
		out = append(out, object{Kind: kindUser, Name: v, ID: uin})
	}
	return out
}

// named is a name with its ID, when known.
func named(name, id string) string {
	switch {
	case id == "":
		return name
	case name == "":
		return id
	}
	return name + " (" + id + ")"
}
