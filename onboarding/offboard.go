package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// OffboardResult is what an offboarding removed, what it left in place because this tool reused but did
// not create it, and what it could not remove.
type OffboardResult struct {
	RollbackResult
	// Reused is what the account used that this tool did not create: left in place.
	Reused []string `json:"reused"`
	// Planned is what a dry run would remove, in order.
	Planned []string `json:"planned,omitempty"`
}

// Offboard takes an account down: everything the ledger says this tool created for it, across all its
// runs, is removed in reverse order by Rollback (the Security Center account and its audit-log settings,
// the Kafka consumption, the tracking set, the topic and logset, the grants and custom policies, the key,
// the sub-user), then the local record, the secret store item and, unless keepInventory, the inventory.
// What the account used but this tool did not create is left and listed. It is idempotent: an account
// already offboarded gives an empty result.
func (e *Engine) Offboard(ctx context.Context, account string, cloud Remover, keepInventory bool) (OffboardResult, error) {
	res := OffboardResult{RollbackResult: RollbackResult{Account: account}}
	rec, recErr := e.DB.Account(ctx, account)
	if recErr != nil && !errors.Is(recErr, store.ErrNotFound) {
		return res, recErr
	}
	entries, err := e.DB.Ledger(ctx, account)
	if err != nil {
		return res, err
	}
	if recErr != nil && len(owned(entries)) == 0 && !hasIntended(entries) {
		return res, e.forgetLocal(ctx, account, "", keepInventory, &res) // nothing in the clouds; local leftovers only
	}
	if recErr == nil {
		if res.Reused, err = e.reusedBy(ctx, rec, entries); err != nil {
			return res, err
		}
	}
	rb, err := e.Rollback(ctx, account, cloud)
	res.RollbackResult = rb
	if err != nil {
		return res, err
	}
	return res, e.forgetLocal(ctx, account, rec.SecretItem, keepInventory, &res)
}

func hasIntended(entries []store.LedgerEntry) bool {
	return slices.ContainsFunc(entries, func(e store.LedgerEntry) bool {
		return e.Action == store.LedgerCreate && e.State == store.LedgerIntended
	})
}

// forgetLocal removes what this machine keeps of the account besides the record (which Rollback
// removes): the secret store item and the inventory.
func (e *Engine) forgetLocal(ctx context.Context, account, item string, keepInventory bool, res *OffboardResult) error {
	for _, it := range []string{item, nextItem(item)} {
		if item == "" {
			break
		}
		err := e.Secrets.Delete(ctx, it)
		switch {
		case err == nil:
			res.Removed = append(res.Removed, "secret store item "+it)
		case !errors.Is(err, store.ErrSecretNotFound):
			return fmt.Errorf("delete secret store item %s: %w", it, err)
		}
	}
	if keepInventory {
		return nil
	}
	n, err := e.DB.DeleteInventory(ctx, account)
	if err != nil {
		return err
	}
	if n > 0 {
		res.Removed = append(res.Removed, fmt.Sprintf("local inventory (%d assets)", n))
	}
	return nil
}

// reusedBy lists what the account record names that the ledger does not own: a sub-user adopted or made
// before, preset policies, a given logset or topic, a Security Center account connected before.
func (e *Engine) reusedBy(ctx context.Context, a store.Account, entries []store.LedgerEntry) ([]string, error) {
	ours := ownedIDs(entries)
	ownedNames := map[string]bool{}
	for _, en := range owned(entries) {
		ownedNames[en.Kind+"/"+en.Name] = true
	}
	var out []string
	if !ownedNames[kindUser+"/"+a.SubUserName] {
		out = append(out, "sub-user "+a.SubUserName)
	}
	if a.AccessKeyID != "" && !ours[kindKey+"/"+a.AccessKeyID] {
		out = append(out, "API key "+tencent.MaskID(a.AccessKeyID))
	}
	for _, f := range a.Features {
		if f == policy.FeatureAudit {
			continue
		}
		grants, err := policy.Grants(f, policy.CSPMPreset, false)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			if g.Preset {
				out = append(out, "preset policy "+g.Name+" (CAM's own)")
			}
		}
	}
	if a.Audit.LogsetID != "" && !ours[kindLogset+"/"+a.Audit.LogsetID] {
		out = append(out, "CLS logset "+a.Audit.LogsetID)
	}
	if a.Audit.TopicID != "" && !ours[kindTopic+"/"+a.Audit.TopicID] {
		out = append(out, "CLS topic "+a.Audit.TopicID)
	}
	if a.AuthID != "" && !ours[kindSCAccount+"/"+a.AuthID] {
		out = append(out, "Security Center account "+a.AuthID)
	}
	return out, nil
}

// PlanOffboard says what Offboard would remove, in order, and what it would leave; it changes nothing.
// A create whose answer was lost is listed as what may exist: Offboard looks it up first.
func (e *Engine) PlanOffboard(ctx context.Context, account string) (OffboardResult, error) {
	res := OffboardResult{RollbackResult: RollbackResult{Account: account}}
	entries, err := e.DB.Ledger(ctx, account)
	if err != nil {
		return res, err
	}
	for _, en := range entries {
		if en.Action == store.LedgerCreate && en.State == store.LedgerIntended {
			res.Planned = append(res.Planned, "look up, and remove if it exists: "+describe(en))
		}
	}
	for _, g := range removalPlan(entries) {
		res.Planned = append(res.Planned, "remove "+describe(g[0]))
	}
	rec, err := e.DB.Account(ctx, account)
	switch {
	case err == nil:
		if res.Reused, err = e.reusedBy(ctx, rec, entries); err != nil {
			return res, err
		}
		res.Planned = append(res.Planned, "remove the account record "+account, "remove secret store item "+rec.SecretItem)
	case !errors.Is(err, store.ErrNotFound):
		return res, err
	}
	res.Kept = kept(entries)
	return res, nil
}
