package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"onboard/store"
	"onboard/tencent"
)

// observed is what decides a plan and may change under it: the sub-user, its grants and its keys, and
// the Security Center account of the Tencent Cloud account. Plan records it; ApplyPlan reads it again.
type observed struct {
	user   string // "" when absent; else its UIN and whether onboard made it
	grants []string
	keys   []string // ID and status, sorted
	// securityCenter is the Security Center account ("" when none, or Security Center is skipped).
	securityCenter string
}

// observe reads the state a plan depends on.
func (r *run) observe(ctx context.Context) (observed, error) {
	var o observed
	u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
	case err != nil:
		return o, err
	default:
		o.user = fmt.Sprintf("UIN %d, %s", u.UIN, map[bool]string{true: "created by onboard", false: "not created by onboard"}[u.Remark == userRemark])
		attached, err := r.e.Cloud.ListAttachedUserPolicies(ctx, u.UIN)
		if err != nil {
			return o, err
		}
		for _, a := range attached {
			o.grants = append(o.grants, a.Name)
		}
		keys, err := r.e.Cloud.ListAccessKeys(ctx, u.UIN)
		if err != nil {
			return o, err
		}
		for _, k := range keys {
			o.keys = append(o.keys, tencent.MaskID(k.ID)+" "+k.Status)
		}
		slices.Sort(o.grants)
		slices.Sort(o.keys)
	}
	if r.req.SecurityCenter == SecurityCenterSubmit && r.e.SecurityCenter != nil {
		old, err := r.e.DB.Account(ctx, r.res.Account)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return o, err
		}
		acct, found, err := r.findSCAccount(ctx, old)
		if err != nil {
			return o, err
		}
		if found {
			o.securityCenter = fmt.Sprintf("AuthId %s, %s key %s", strconv.FormatInt(acct.AuthID, 10), acct.KeyType, acct.MaskedSecretID)
		}
	}
	return o, nil
}

// changes says, one line each, how now differs from what the plan observed.
func (o observed) changes(now observed) []string {
	var out []string
	switch {
	case o.user == "" && now.user != "":
		out = append(out, "the sub-user was created since the plan ("+now.user+")")
	case o.user != "" && now.user == "":
		out = append(out, "the sub-user was deleted since the plan")
	case o.user != now.user:
		out = append(out, "the sub-user was replaced since the plan ("+o.user+" then, "+now.user+" now)")
	}
	if added, removed := diffSets(o.grants, now.grants); len(added)+len(removed) > 0 {
		out = append(out, "the sub-user's grants changed since the plan"+setChange(added, removed, "attached", "detached"))
	}
	if added, removed := diffSets(o.keys, now.keys); len(added)+len(removed) > 0 {
		out = append(out, fmt.Sprintf("the sub-user's API keys changed since the plan (%d then, %d now)%s", len(o.keys), len(now.keys), setChange(added, removed, "now", "then")))
	}
	switch {
	case o.securityCenter == "" && now.securityCenter != "":
		out = append(out, "a Security Center account for this Tencent Cloud account was added since the plan ("+now.securityCenter+")")
	case o.securityCenter != "" && now.securityCenter == "":
		out = append(out, "the Security Center account of this Tencent Cloud account was deleted since the plan ("+o.securityCenter+")")
	case o.securityCenter != now.securityCenter:
		out = append(out, "the Security Center account of this Tencent Cloud account changed since the plan ("+o.securityCenter+" then, "+now.securityCenter+" now)")
	}
	return out
}

func diffSets(then, now []string) (added, removed []string) {
	for _, s := range now {
		if !slices.Contains(then, s) {
			added = append(added, s)
		}
	}
	for _, s := range then {
		if !slices.Contains(now, s) {
			removed = append(removed, s)
		}
	}
	return added, removed
}

func setChange(added, removed []string, addedWord, removedWord string) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, addedWord+": "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, removedWord+": "+strings.Join(removed, ", "))
	}
	return "; " + strings.Join(parts, "; ")
}

// StalePlanError refuses a plan whose observed state changed before it was applied; nothing was changed.
// What says what changed, one line each.
type StalePlanError struct{ What []string }

func (e *StalePlanError) Error() string {
	return "the plan is stale, so nothing was changed: " + strings.Join(e.What, "; ") + "; make a new plan and review it"
}
