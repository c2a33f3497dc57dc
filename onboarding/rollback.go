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

// Remover is what a rollback asks of Tencent Cloud besides Cloud.
type Remover interface {
	DetachUserPolicy(ctx context.Context, policyID, userUIN uint64) error
	DeletePolicy(ctx context.Context, ids ...uint64) error
	DeleteUser(ctx context.Context, name string, force bool) error
	DeleteAuditTrack(ctx context.Context, id uint64) error
	CloseKafkaConsumer(ctx context.Context, region, topicID string) error
	DeleteTopic(ctx context.Context, region, topicID string) error
	DeleteLogset(ctx context.Context, region, logsetID string) error
}

// RollbackResult says what a rollback removed, what it could not remove and why, and what it does not
// undo. It never holds a secret.
type RollbackResult struct {
	Account string   `json:"account"`
	Removed []string `json:"removed"`
	// Left is what this tool created and the rollback could not remove, each with the reason; a
	// rollback run again tries them again.
	Left []string `json:"left"`
	// Kept is what onboarding changed and a rollback does not undo (settings, a retired root key).
	Kept []string `json:"kept"`
}

// Rollback removes everything the account's ledger says this tool created, across every run (whichever
// run later reused it), in reverse dependency order: the Security Center account, the audit-log
// delivery, attachments, custom policies, the key (and its secret store item), the sub-user. What an
// interrupted run may have made is first found by its name or marker. What the tool reused or adopted
// is left alone. Each removal is recorded in the ledger, and the account's local record is forgotten
// only once nothing of it is left, so a rollback interrupted halfway can be run again.
func (e *Engine) Rollback(ctx context.Context, account string, cloud Remover) (RollbackResult, error) {
	res := RollbackResult{Account: account}
	release, err := e.lockRecorded(ctx, account, "rollback", store.LockExclusive)
	if err != nil {
		return res, err
	}
	defer release()
	if err := e.importJournal(ctx, account); err != nil {
		return res, err
	}
	entries, err := e.DB.Ledger(ctx, account)
	if err != nil {
		return res, err
	}
	_, recErr := e.DB.Account(ctx, account)
	if len(entries) == 0 && recErr != nil {
		return res, fmt.Errorf("nothing to roll back for %q: no onboarding of it is recorded: %w", account, store.ErrNotFound)
	}
	run, err := e.DB.StartRun(ctx, account, "rollback")
	if err != nil {
		return res, err
	}
	l := ledger{db: e.DB, account: account, runID: run.ID}
	finish := func(err error) (RollbackResult, error) {
		status := store.RunDone
		if err != nil {
			status = store.RunFailed
		}
		e.DB.FinishRun(context.WithoutCancel(ctx), run.ID, status)
		return res, err
	}
	unresolved, err := e.resolveLost(ctx, l, true)
	if err != nil {
		return finish(err)
	}
	if entries, err = e.DB.Ledger(ctx, account); err != nil {
		return finish(err)
	}
	res.Kept = append(kept(entries), socKept(entries)...)
	todo := removalPlan(entries)
	if len(unresolved) > 0 {
		// What may exist could depend on what the ledger owns (a Security Center account on the key):
		// nothing is removed before it is known.
		res.Left = append(res.Left, unresolved...)
		for _, g := range todo {
			res.Left = append(res.Left, describe(g[0])+": not tried until the above is known")
		}
		return finish(fmt.Errorf("roll back %q: %d resource(s) may exist and could not be looked up; run the rollback again", account, len(unresolved)))
	}
	for i, group := range todo {
		en := group[0]
		if err := e.remove(ctx, l, cloud, en); err != nil {
			res.Left = append(res.Left, describe(en)+": "+err.Error())
			for _, rest := range todo[i+1:] {
				res.Left = append(res.Left, describe(rest[0])+": not tried, it must wait for the removal above")
			}
			if before, ok := regionsToRestore(entries); ok {
				res.Left = append(res.Left, "Security Center's Tencent Cloud sync regions: not yet set back to "+orNone(before))
			}
			return finish(fmt.Errorf("remove %s: %w", describe(en), err))
		}
		for _, g := range group {
			if err := e.DB.Settle(context.WithoutCancel(ctx), g.Seq, store.LedgerDeleted, "", nil, ""); err != nil {
				return finish(err)
			}
		}
		res.Removed = append(res.Removed, describe(en))
	}
	if did, kept, err := e.restoreSyncRegions(ctx, l, entries); err != nil {
		res.Left = append(res.Left, "Security Center's Tencent Cloud sync regions, as they were before onboard: "+err.Error())
		return finish(fmt.Errorf("restore Security Center's sync regions: %w", err))
	} else if did != "" {
		res.Removed = append(res.Removed, did)
	} else if kept != "" {
		res.Kept = append(res.Kept, kept)
	}
	if recErr == nil {
		if err := e.DB.DeleteAccount(ctx, account); err != nil && !errors.Is(err, store.ErrNotFound) {
			return finish(err)
		}
		res.Removed = append(res.Removed, "account record "+account)
	}
	if latest, err := e.DB.LatestRun(ctx, account, "onboard"); err == nil {
		e.DB.FinishRun(ctx, latest.ID, store.RunRolledBack)
	}
	return finish(nil)
}

// removalPlan is what to remove, in order: the entries the tool owns, grouped by resource (one
// resource may have been made, lost and made again), dependents first, the newest first within a kind.
func removalPlan(entries []store.LedgerEntry) [][]store.LedgerEntry {
	groups := map[string][]store.LedgerEntry{}
	var keys []string
	for _, en := range owned(entries) {
		k := en.Kind + "/" + en.Region + "/" + en.Parent + "/" + en.ResourceID
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], en)
	}
	var out [][]store.LedgerEntry
	for _, kind := range removalOrder {
		for _, k := range slices.Backward(keys) {
			if g := groups[k]; g[0].Kind == kind {
				out = append(out, g)
			}
		}
	}
	return out
}

// errNoSecurityCenterToRemove is a rollback without a Security Center client that has something there
// to remove or set back.
var errNoSecurityCenterToRemove = errors.New("no Security Center client: give Alibaba Cloud credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or --alibaba-profile) so that the rollback can remove it")

// regionsToRestore says whether onboard changed Security Center's sync regions and a rollback has not
// set them back yet, and what they were before.
func regionsToRestore(entries []store.LedgerEntry) (before string, ok bool) {
	changes := regionChanges(entries)
	if len(changes) == 0 {
		return "", false
	}
	return changes[0].Attrs[attrBefore], true
}

// regionChanges are onboard's changes of Security Center's sync regions not yet undone, oldest first.
func regionChanges(entries []store.LedgerEntry) []store.LedgerEntry {
	var changes []store.LedgerEntry
	for _, en := range entries {
		if en.Kind == kindSCRegions && en.Action == store.LedgerChange && en.Attrs[attrRestores] == "" &&
			(en.State == store.LedgerMade || en.State == store.LedgerUnknown) {
			changes = append(changes, en)
		}
	}
	return changes
}

// restoreSyncRegions sets Security Center's Tencent Cloud sync regions back to what they were before
// onboard first changed them, and marks those changes undone. It says what it did, or, when it leaves
// them, what it kept and why ("" and "" for nothing to do).
//
// The regions are one setting of the Security Center site, shared by every Tencent Cloud account
// connected there: other accounts this installation onboarded (an organization's members), another
// installation's, or the user's. So they are set back only when no other Tencent Cloud account is
// connected any more and they are still what onboard last set; otherwise they serve someone else and stay.
func (e *Engine) restoreSyncRegions(ctx context.Context, l ledger, entries []store.LedgerEntry) (did, kept string, err error) {
	changes := regionChanges(entries)
	if len(changes) == 0 {
		return "", "", nil
	}
	if e.SecurityCenter == nil {
		return "", "", errNoSecurityCenterToRemove
	}
	before, set := changes[0].Attrs[attrBefore], changes[len(changes)-1].Name
	keep, err := e.regionsServeOthers(ctx, set)
	if err != nil {
		return "", "", err
	}
	if keep == "" {
		var regions []string
		if before != "" {
			regions = strings.Split(before, ",")
		}
		w := object{Kind: kindSCRegions, Name: before, Attrs: map[string]string{attrRestores: "yes"}}
		restore := func() error {
			return e.SecurityCenter.SetSyncRegions(ctx, securitycenter.VendorTencent, regions, false)
		}
		if err := changing(ctx, l, store.LedgerChange, w, restore); err != nil {
			return "", "", err
		}
	}
	// Either way the changes are no longer this account's to undo.
	for _, en := range changes {
		if err := e.DB.Settle(context.WithoutCancel(ctx), en.Seq, store.LedgerDeleted, "", nil, ""); err != nil {
			return "", "", err
		}
	}
	if keep != "" {
		return "", "Security Center's Tencent Cloud sync regions, left as they are (not set back to " + orNone(before) + "): " + keep, nil
	}
	return "the Tencent Cloud sync regions onboard set in Security Center (back to " + orNone(before) + ")", "", nil
}

// regionsServeOthers says why Security Center's Tencent Cloud sync regions must stay ("" when they may be
// set back): another Tencent Cloud account is still connected, or they are no longer what onboard set.
func (e *Engine) regionsServeOthers(ctx context.Context, set string) (string, error) {
	others, err := e.SecurityCenter.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent})
	if err != nil {
		return "", fmt.Errorf("list the Tencent Cloud accounts still connected: %w", err)
	}
	if n := len(others); n > 0 {
		return fmt.Sprintf("%d other Tencent Cloud account(s) connected in Security Center use them", n), nil
	}
	choices, err := e.SecurityCenter.Regions(ctx, securitycenter.VendorTencent)
	if err != nil {
		return "", fmt.Errorf("read the sync regions: %w", err)
	}
	var now []string
	for _, c := range choices {
		if c.Selected {
			now = append(now, c.RegionID)
		}
	}
	var want []string
	if set != "" {
		want = strings.Split(set, ",")
	}
	if !sameSet(now, want) {
		return "changed since onboard set them (now " + orNone(strings.Join(now, ",")) + ")", nil
	}
	return "", nil
}

// kept describes what onboarding changed and a rollback leaves as it is.
func kept(entries []store.LedgerEntry) []string {
	var out []string
	seen, ours := map[string]bool{}, ownedIDs(entries)
	for _, en := range entries {
		if en.Action == store.LedgerCreate || en.State != store.LedgerMade || en.Attrs[attrRestores] != "" {
			continue
		}
		var s string
		switch {
		case en.Kind == kindRootKey && en.Action == store.LedgerDelete:
			s = "root key " + tencent.MaskID(en.ResourceID) + " stays deleted"
		case en.Kind == kindRootKey:
			s = "root key " + tencent.MaskID(en.ResourceID) + " stays disabled (enable it in the CAM console if you need it)"
		case en.Kind == kindPolicy && !ours[kindPolicy+"/"+en.ResourceID]:
			s = "policy " + en.Name + " keeps the document onboard wrote into it (it existed before)"
		case en.Kind == kindSCAuditLog && !ours[kindSCAuditLog+"/"+en.ResourceID] && !ours[kindSCAccount+"/"+en.ResourceID]:
			s = "the audit-log settings of Security Center account " + en.ResourceID + " keep the Kafka settings onboard wrote into them (they existed before)"
		case en.Kind == kindSCAccount && !ours[kindSCAccount+"/"+en.ResourceID]:
			s = fmt.Sprintf("Security Center account %s was connected before onboard and keeps what onboard changed in it (its key, which the rollback deleted, modules, name): give it a working key in Security Center's console, or delete it there", en.ResourceID)
		case en.Kind == kindAgentRun:
			s = "Security Center's agent stays installed on the hosts onboard agent install ran on (uninstall it from Security Center's console)"
		case en.Kind == kindSCFrequencies:
			s = "Security Center's Tencent Cloud sync settings stay changed (" + en.Name + "; before: " + en.Attrs[attrBefore] + ")"
		default:
			continue
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// remove removes one resource the tool created, through the ledger; one already gone counts as removed.
func (e *Engine) remove(ctx context.Context, l ledger, cloud Remover, en store.LedgerEntry) error {
	gone := func(err error) error {
		if errors.Is(err, tencent.ErrNotFound) || errors.Is(err, securitycenter.ErrNotFound) {
			return nil
		}
		return err
	}
	id := en.ResourceID
	num, _ := strconv.ParseUint(id, 10, 64)
	parentUIN, _ := strconv.ParseUint(en.Parent, 10, 64)
	var call func() error
	switch en.Kind {
	case kindSCAuditLog, kindSCAccount:
		if e.SecurityCenter == nil {
			return errNoSecurityCenterToRemove
		}
		authID, _ := strconv.ParseInt(id, 10, 64)
		call = func() error { return e.SecurityCenter.DeleteAccount(ctx, authID) }
		if en.Kind == kindSCAuditLog {
			call = func() error { return e.SecurityCenter.DeleteAuditLog(ctx, authID) }
		}
	case kindTrack:
		call = func() error { return cloud.DeleteAuditTrack(ctx, num) }
	case kindKafka:
		call = func() error { return cloud.CloseKafkaConsumer(ctx, en.Region, id) }
	case kindTopic:
		call = func() error { return cloud.DeleteTopic(ctx, en.Region, id) }
	case kindLogset:
		call = func() error { return cloud.DeleteLogset(ctx, en.Region, id) }
	case kindAttachment:
		call = func() error { return cloud.DetachUserPolicy(ctx, num, parentUIN) }
	case kindPolicy:
		call = func() error { return cloud.DeletePolicy(ctx, num) }
	case kindKey:
		call = func() error { return deleteKey(ctx, e.Cloud, parentUIN, id) }
	case kindUser:
		call = func() error { return cloud.DeleteUser(ctx, en.Name, true) }
	default:
		var ok bool
		if call, ok = e.socRemoval(ctx, cloud, en); !ok {
			return fmt.Errorf("unknown kind %q", en.Kind)
		}
	}
	w := object{Kind: en.Kind, Name: en.Name, Parent: en.Parent, Region: en.Region, ID: id, Attrs: en.Attrs}
	if err := changing(ctx, l, store.LedgerDelete, w, func() error { return gone(call()) }); err != nil {
		return err
	}
	if en.Kind == kindKey {
		// The secret goes with its key, unless the item now holds another key's.
		item := en.Attrs[attrSecretItem]
		if c, err := e.Secrets.Get(ctx, item); err == nil && c.SecretID == id {
			if err := e.Secrets.Delete(ctx, item); err != nil && !errors.Is(err, store.ErrSecretNotFound) {
				return fmt.Errorf("delete the secret of key %s from the %s secret store: %w", tencent.MaskID(id), e.Secrets.Kind(), err)
			}
		} else if err != nil && !errors.Is(err, store.ErrSecretNotFound) {
			return err
		}
	}
	return nil
}
