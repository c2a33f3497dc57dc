package onboarding

import (
	"context"
	"errors"
	"fmt"

	"onboard/store"
	"onboard/tencent"
)

// Outcomes of the root-key step, in Result.RootKey.
const (
	RootKeyNotUsed  = "not used" // the caller was a sub-user: there is no root key to retire
	RootKeyKept     = "kept"     // --root-key keep: the result reminds
	RootKeyDisabled = "disabled" // it no longer works
	RootKeyDeleted  = "deleted"  // it is gone
)

// idRootKey is the journal's record of what became of the root key: RootKey* outcome, as in the Result.
const idRootKey = "root_key"

// camKeysPage is the CAM console page that lists the root account's API keys.
const camKeysPage = "https://console.cloud.tencent.com/cam/capi"

// rootKeyReminder names the root key this run used and where to retire it.
func rootKeyReminder(keyID string) string {
	key := "the root account's key"
	if keyID != "" {
		key += " " + tencent.MaskID(keyID)
	}
	return fmt.Sprintf("You used %s: once Security Center works with the sub-user's key, disable and then delete it in the CAM console, "+
		"Access keys (%s), or run again choosing to disable or delete it.", key, camKeysPage)
}

// retireRootKey is the very last step, reached only when everything before succeeded. With delete it
// first tries to delete the key while it still works (the API may allow it); when Tencent insists on
// disabling first, it disables the key, which cannot then sign its own deletion, and says that the
// console must finish the job.
func (r *run) retireRootKey(ctx context.Context) (map[string]string, error) {
	if !r.id.IsRoot() {
		r.res.RootKey = RootKeyNotUsed
		return map[string]string{idRootKey: RootKeyNotUsed}, nil
	}
	keyID := r.e.OperatorKeyID
	switch r.req.RootKey {
	case RootKeyKeep:
		r.res.RootKey = RootKeyKept
		r.res.NextSteps = append(r.res.NextSteps, rootKeyReminder(keyID))
		return map[string]string{idRootKey: RootKeyKept}, nil
	case RootKeyDelete:
		if keyID == "" {
			return nil, errNoOperatorKey
		}
		del := func() error { return r.e.Cloud.DeleteAccessKey(ctx, 0, keyID) }
		err := changing(ctx, r.ledger, store.LedgerDelete, object{Kind: kindRootKey, ID: keyID}, del)
		if err == nil {
			r.res.RootKey = RootKeyDeleted
			r.res.Created = append(r.res.Created, "root key "+tencent.MaskID(keyID)+" deleted")
			return map[string]string{"deleted_root_key": keyID, idRootKey: RootKeyDeleted}, nil
		}
		if !errors.Is(err, tencent.ErrFailed) && !errors.Is(err, tencent.ErrDenied) {
			return nil, err
		}
		// Refused while active: disable it below, and leave the deletion to the console.
		if err := r.disableRootKey(ctx, keyID); err != nil {
			return nil, err
		}
		r.res.NextSteps = append(r.res.NextSteps, fmt.Sprintf("Tencent Cloud deletes a root key only once it is disabled, and a disabled key cannot sign its own deletion: root key %s is now disabled; delete it in the CAM console, Access keys (%s).", tencent.MaskID(keyID), camKeysPage))
		return map[string]string{"disabled_root_key": keyID, idRootKey: RootKeyDisabled}, nil
	case RootKeyDisable:
		if keyID == "" {
			return nil, errNoOperatorKey
		}
		if err := r.disableRootKey(ctx, keyID); err != nil {
			return nil, err
		}
		return map[string]string{"disabled_root_key": keyID, idRootKey: RootKeyDisabled}, nil
	}
	return nil, fmt.Errorf("unknown root-key choice %q", r.req.RootKey)
}

func (r *run) disableRootKey(ctx context.Context, keyID string) error {
	disable := func() error { return r.e.Cloud.UpdateAccessKey(ctx, 0, keyID, "Inactive") }
	if err := changing(ctx, r.ledger, store.LedgerChange, object{Kind: kindRootKey, ID: keyID}, disable); err != nil {
		return fmt.Errorf("disable root key %s: %w", tencent.MaskID(keyID), err)
	}
	r.res.RootKey = RootKeyDisabled
	r.res.Created = append(r.res.Created, "root key "+tencent.MaskID(keyID)+" disabled")
	return nil
}

var errNoOperatorKey = errors.New("the engine was not told which key the operator uses (Engine.OperatorKeyID)")

func (r *run) planRootKey(context.Context) ([]Change, error) {
	masked := tencent.MaskID(r.e.OperatorKeyID)
	switch {
	case !r.id.IsRoot():
		return nil, nil
	case r.req.RootKey == RootKeyKeep:
		return []Change{{Op: OpKeep, Object: ObjectRootKey, Name: masked, Detail: "the result reminds you to retire it"}}, nil
	case r.req.RootKey == RootKeyDisable:
		return []Change{{Op: OpDisable, Object: ObjectRootKey, Name: masked, Detail: "the very last step"}}, nil
	}
	return []Change{{Op: OpDelete, Object: ObjectRootKey, Name: masked, Detail: "the very last step; disabled instead when Tencent Cloud refuses to delete an active key, and the console must then delete it"}}, nil
}
