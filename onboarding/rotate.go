package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"onboard/retry"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// RotateResult is what a key rotation did, and which key the connection works on.
type RotateResult struct {
	Account  string `json:"account"`
	OldKeyID string `json:"old_key_id"`
	NewKeyID string `json:"new_key_id,omitempty"`
	// InUse is the key the connection (the secret store, the account record and Security Center) uses.
	InUse string `json:"in_use"`
	// OldKey is what became of the old key: active, disabled or deleted.
	OldKey string   `json:"old_key"`
	Done   []string `json:"done"`
}

// RotationError is a rotation that stopped: Err says why, InUse which key the connection still works on.
type RotationError struct {
	Step  string
	InUse string
	Err   error
}

func (e *RotationError) Error() string {
	return fmt.Sprintf("rotate key: %s: %v; the connection works on key %s", e.Step, e.Err, tencent.MaskID(e.InUse))
}

func (e *RotationError) Unwrap() error { return e.Err }

// nextItem is the secret store item that holds a new key until Security Center has accepted it: the
// account's item keeps the key in use, so a rotation stopped at any step leaves a working pair.
func nextItem(item string) string { return item + "#next" }

// ownKey reports whether a key's marker names this installation: only such a key, when this
// installation does not hold its secret, may be removed to make room. A legacy-marked key or another
// installation's key may be in use elsewhere.
func (e *Engine) ownKey(k tencent.AccessKey) bool {
	managed, installation := keyOwner(k.Description)
	return managed && installation == e.Installation
}

// rotation is the state of one RotateKey.
type rotation struct {
	e       *Engine
	a       store.Account
	uin     uint64
	journal store.Run
	ledger  ledger // every mutating Tencent Cloud call: intent before, outcome after
	emit    func(Event)
	res     RotateResult
	oldCred store.Credential
	newKey  tencent.AccessKey
	authID  int64
}

// RotateKey replaces the account's key with no downtime, within CAM's limit of two keys per user: it
// creates a second key and stores it apart, verifies it (waiting for CAM to propagate it), submits it to
// Security Center and waits for its validation, makes it the account's key, disables the old key and,
// after grace, deletes it. Every step is journaled. A failure at any step leaves the connection working
// on one of the two keys, and the RotationError says which; a rotation stopped before the switch is
// resumed by the next RotateKey, which reuses the stored new key.
func (e *Engine) RotateKey(ctx context.Context, account string, grace time.Duration, emit func(Event)) (RotateResult, error) {
	if emit == nil {
		emit = func(Event) {}
	}
	a, err := e.DB.Account(ctx, account)
	if err != nil {
		return RotateResult{}, err
	}
	uin, err := strconv.ParseUint(a.SubUserUIN, 10, 64)
	if err != nil {
		return RotateResult{}, fmt.Errorf("rotate key of %q: the recorded sub-user UIN %q is not a number", account, a.SubUserUIN)
	}
	if a.AuthID != "" && e.SecurityCenter == nil {
		return RotateResult{}, errNoSecurityCenter
	}
	release, err := e.lockRecorded(ctx, account, "rotate-key", store.LockExclusive)
	if err != nil {
		return RotateResult{}, err
	}
	defer release()
	ro := &rotation{e: e, a: a, uin: uin, emit: emit, res: RotateResult{Account: account, OldKeyID: a.AccessKeyID, InUse: a.AccessKeyID, OldKey: "active"}}
	ro.authID, _ = strconv.ParseInt(a.AuthID, 10, 64)
	if ro.journal, err = e.DB.StartRun(ctx, account, "rotate-key"); err != nil {
		return RotateResult{}, err
	}
	ro.ledger = ledger{db: e.DB, account: account, runID: ro.journal.ID}
	steps := []struct {
		id, title string
		do        func(context.Context) (map[string]string, error)
	}{
		{"key", "create the second key and store it", ro.create},
		{"verify", rotateVerifyTitle, ro.verify},
		{"security-center", rotateSubmitTitle, ro.submit},
		{"switch", "make the new key the account's key", ro.switchOver},
		{"disable-old", "disable the old key", ro.disableOld},
		{"delete-old", "delete the old key", func(ctx context.Context) (map[string]string, error) { return ro.deleteOld(ctx, grace) }},
	}
	for _, s := range steps {
		emit(Event{Step: s.id, Title: s.title, Status: "running"})
		if err := e.DB.JournalBegin(ctx, ro.journal.ID, s.id); err != nil {
			return ro.res, err
		}
		ids, err := s.do(ctx)
		if err != nil {
			e.DB.JournalFailed(context.WithoutCancel(ctx), ro.journal.ID, s.id, err.Error())
			e.DB.FinishRun(context.WithoutCancel(ctx), ro.journal.ID, store.RunFailed)
			emit(Event{Step: s.id, Title: s.title, Status: "failed", Detail: err.Error()})
			return ro.res, &RotationError{Step: s.title, InUse: ro.res.InUse, Err: err}
		}
		if err := e.DB.JournalDone(ctx, ro.journal.ID, s.id, ids); err != nil {
			return ro.res, err
		}
		emit(Event{Step: s.id, Title: s.title, Status: "done"})
	}
	return ro.res, e.DB.FinishRun(ctx, ro.journal.ID, store.RunDone)
}

// create makes the second key and stores it in the next item, or resumes with the one an earlier
// rotation stored there. With two keys already, it removes only a key this tool created whose secret it
// does not hold, never the key in use.
func (ro *rotation) create(ctx context.Context) (map[string]string, error) {
	e, a := ro.e, ro.a
	old, err := e.Secrets.Get(ctx, a.SecretItem)
	if err != nil {
		return nil, fmt.Errorf("read the key in use from the %s secret store: %w (run onboard repair --account %s first)", e.Secrets.Kind(), err, a.Name)
	}
	if old.SecretID != a.AccessKeyID {
		return nil, fmt.Errorf("the secret store holds key %s, the record says %s: run onboard repair --account %s first", tencent.MaskID(old.SecretID), tencent.MaskID(a.AccessKeyID), a.Name)
	}
	ro.oldCred = old
	keys, err := e.Cloud.ListAccessKeys(ctx, ro.uin)
	if err != nil {
		return nil, err
	}
	next, nerr := e.Secrets.Get(ctx, nextItem(a.SecretItem))
	if nerr != nil && !errors.Is(nerr, store.ErrSecretNotFound) {
		return nil, nerr
	}
	for _, k := range keys {
		if k.ID == a.AccessKeyID {
			continue
		}
		if nerr == nil && k.ID == next.SecretID && k.Status == "Active" {
			ro.newKey = tencent.AccessKey{ID: k.ID, Secret: tencent.SecretKey(next.SecretKey.Reveal()), Status: k.Status}
			ro.res.NewKeyID = k.ID
			ro.res.Done = append(ro.res.Done, "reused key "+tencent.MaskID(k.ID)+", which an interrupted rotation created and stored")
			return map[string]string{"new_key": k.ID}, nil
		}
		if !e.ownKey(k) {
			return nil, fmt.Errorf("sub-user %s already has two keys and key %s was not created by this onboard installation, so onboard will not remove it; the key in use is %s: delete or disable %s in the CAM console (Users > %s > API keys) if nothing uses it, then run again: %w",
				a.SubUserName, tencent.MaskID(k.ID), tencent.MaskID(a.AccessKeyID), tencent.MaskID(k.ID), a.SubUserName, tencent.ErrKeyLimit)
		}
		// Ours, not in use, and its secret is held nowhere: it can serve nothing.
		if err := ro.deleteKey(ctx, k.ID); err != nil {
			return nil, fmt.Errorf("delete key %s, which onboard created but whose secret it does not hold: %w", tencent.MaskID(k.ID), err)
		}
		ro.res.Done = append(ro.res.Done, "deleted key "+tencent.MaskID(k.ID)+" (created by onboard, its secret lost)")
	}
	k, err := creating(ctx, ro.ledger, ro.keyObject(""),
		func() (tencent.AccessKey, error) {
			return e.Cloud.CreateAccessKey(ctx, ro.uin, keyDescription(e.Installation))
		},
		func(k tencent.AccessKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	if err := e.Secrets.Put(ctx, nextItem(a.SecretItem), store.Credential{SecretID: k.ID, SecretKey: store.Secret(k.Secret.Reveal())}); err != nil {
		if derr := ro.deleteKey(context.WithoutCancel(ctx), k.ID); derr != nil {
			return nil, fmt.Errorf("store the new key: %w; deleting the new key %s again also failed: %v (delete it in the CAM console)", err, tencent.MaskID(k.ID), derr)
		}
		return nil, fmt.Errorf("store the new key (the new key was deleted again): %w", err)
	}
	ro.newKey, ro.res.NewKeyID = k, k.ID
	ro.res.Done = append(ro.res.Done, "created key "+tencent.MaskID(k.ID)+" and stored it")
	return map[string]string{"new_key": k.ID, "secret_item": nextItem(a.SecretItem)}, nil
}

// Titles of the rotation's steps that wait for CAM, and announce the wait on their step.
const (
	rotateVerifyTitle = "verify the new key"
	rotateSubmitTitle = "submit the new key to Security Center and wait for its validation"
)

// verify waits until CAM accepts the new key as the sub-user's, with the engine's wait for CAM.
func (ro *rotation) verify(ctx context.Context) (map[string]string, error) {
	v, err := ro.e.NewVerifier(tencent.Credential{SecretID: ro.newKey.ID, SecretKey: ro.newKey.Secret})
	if err != nil {
		return nil, err
	}
	var id tencent.Identity
	probe := func() (err error) { id, err = v.CallerIdentity(ctx); return err }
	if err := ro.camWait("verify", rotateVerifyTitle).until(ctx, refusedByCAM, probe); err != nil {
		return nil, fmt.Errorf("the new key does not work: %w", err)
	}
	if id.UserUIN != ro.a.SubUserUIN {
		return nil, fmt.Errorf("the new key identifies as %s, not sub-user %s", id.UserUIN, ro.a.SubUserUIN)
	}
	ro.res.Done = append(ro.res.Done, "verified key "+tencent.MaskID(ro.newKey.ID))
	return nil, nil
}

// camWait starts the engine's wait for CAM (Engine.PropagationWait) for a step of the rotation, which
// announces itself on that step.
func (ro *rotation) camWait(step, title string) *camWait {
	return newCAMWait(ro.e.PropagationWait, func(detail string) {
		ro.emit(Event{Step: step, Title: title, Status: "running", Detail: detail})
	})
}

// submit gives Security Center the new key (ModifyCloudVendorAccountAK) and waits for its validation.
// When that fails, Security Center is given the old key back, so the connection keeps working on it.
func (ro *rotation) submit(ctx context.Context) (map[string]string, error) {
	if ro.a.AuthID == "" {
		return nil, nil
	}
	err := ro.submitKey(ctx, ro.newKey.ID, securitycenter.Secret(ro.newKey.Secret.Reveal()))
	if err == nil {
		ro.res.InUse = ro.newKey.ID
		ro.res.Done = append(ro.res.Done, fmt.Sprintf("Security Center account %d validated key %s", ro.authID, tencent.MaskID(ro.newKey.ID)))
		return nil, nil
	}
	if rerr := ro.submitKey(context.WithoutCancel(ctx), ro.oldCred.SecretID, securitycenter.Secret(ro.oldCred.SecretKey.Reveal())); rerr != nil {
		// Which key Security Center holds is unknown; both are active and stored, so either works.
		ro.res.InUse = ro.newKey.ID + " or " + ro.oldCred.SecretID
		return nil, fmt.Errorf("%w; giving Security Center the old key back also failed: %v (both keys are active and stored: run onboard rotate-key again)", err, rerr)
	}
	return nil, fmt.Errorf("%w (Security Center was given the old key back)", err)
}

func (ro *rotation) submitKey(ctx context.Context, id string, secret securitycenter.Secret) error {
	sc := ro.e.SecurityCenter
	// Through the ledger like every change: it records which SecretId Security Center was given, by which
	// a lost answer's account is found again.
	k := keySubmission{ledger: ro.ledger, authID: ro.authID, change: securitycenter.AccountChange{SecretID: id, SecretKey: secret},
		account: object{Kind: kindSCAccount, Name: ro.a.DisplayName, Parent: ro.a.OwnerUIN, ID: strconv.FormatInt(ro.authID, 10),
			Attrs: map[string]string{attrSecretID: id}}}
	submit := func() error { _, err := sc.ModifyAccount(ctx, ro.authID, k.change); return err }
	if err := changing(ctx, ro.ledger, store.LedgerChange, k.account, submit); err != nil {
		return err
	}
	// The engine's own wait: a key CAM has not applied yet everywhere is submitted again until it has.
	_, err := ro.e.scValidate(ctx, ro.camWait("security-center", rotateSubmitTitle), k)
	return err
}

// switchOver makes the new key the account's: its item, then its record; the next item goes last.
func (ro *rotation) switchOver(ctx context.Context) (map[string]string, error) {
	e, a := ro.e, ro.a
	if err := e.Secrets.Put(ctx, a.SecretItem, store.Credential{SecretID: ro.newKey.ID, SecretKey: store.Secret(ro.newKey.Secret.Reveal())}); err != nil {
		if a.AuthID != "" {
			ro.res.InUse = ro.newKey.ID + " (its secret is in item " + nextItem(a.SecretItem) + ")"
		}
		return nil, fmt.Errorf("store the new key as the account's: %w", err)
	}
	a.AccessKeyID = ro.newKey.ID
	if err := e.DB.SaveAccount(ctx, a); err != nil {
		return nil, err
	}
	ro.res.InUse = ro.newKey.ID
	if err := e.Secrets.Delete(ctx, nextItem(a.SecretItem)); err != nil && !errors.Is(err, store.ErrSecretNotFound) {
		return nil, err
	}
	ro.res.Done = append(ro.res.Done, "key "+tencent.MaskID(ro.newKey.ID)+" is the account's key")
	return map[string]string{"in_use": ro.newKey.ID}, nil
}

func (ro *rotation) disableOld(ctx context.Context) (map[string]string, error) {
	disable := func() error { return ro.e.Cloud.UpdateAccessKey(ctx, ro.uin, ro.oldCred.SecretID, "Inactive") }
	w := ro.keyObject(ro.oldCred.SecretID)
	w.Attrs[attrBefore] = "Active"
	if err := changing(ctx, ro.ledger, store.LedgerChange, w, disable); err != nil {
		return nil, err
	}
	ro.res.OldKey = "disabled"
	ro.res.Done = append(ro.res.Done, "disabled key "+tencent.MaskID(ro.oldCred.SecretID))
	return map[string]string{"disabled_key": ro.oldCred.SecretID}, nil
}

// deleteOld deletes the old key once grace has passed; the rotation waits that long.
func (ro *rotation) deleteOld(ctx context.Context, grace time.Duration) (map[string]string, error) {
	if grace > 0 {
		ro.emit(Event{Step: "delete-old", Title: "delete the old key", Status: "running", Detail: "waiting " + grace.String() + " before deleting it"})
		if err := retry.Sleep(ctx, grace); err != nil {
			return nil, err
		}
	}
	keys, err := ro.e.Cloud.ListAccessKeys(ctx, ro.uin)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(keys, func(k tencent.AccessKey) bool { return k.ID == ro.oldCred.SecretID }) {
		ro.res.OldKey = "deleted"
		return nil, nil
	}
	if err := ro.deleteKey(ctx, ro.oldCred.SecretID); err != nil {
		return nil, err
	}
	ro.res.OldKey = "deleted"
	ro.res.Done = append(ro.res.Done, "deleted key "+tencent.MaskID(ro.oldCred.SecretID))
	return map[string]string{"deleted_key": ro.oldCred.SecretID}, nil
}

// keyObject names a key of the sub-user for the ledger; its secret ends in the account's item.
func (ro *rotation) keyObject(id string) object {
	return object{Kind: kindKey, Parent: ro.a.SubUserUIN, ID: id,
		Attrs: map[string]string{attrUserName: ro.a.SubUserName, attrSecretItem: ro.a.SecretItem}}
}

// deleteKey deletes a key of the sub-user through the ledger, and marks it deleted there.
func (ro *rotation) deleteKey(ctx context.Context, id string) error {
	del := func() error { return deleteKey(ctx, ro.e.Cloud, ro.uin, id) }
	if err := changing(ctx, ro.ledger, store.LedgerDelete, ro.keyObject(id), del); err != nil {
		return err
	}
	return ro.ledger.forgetDeleted(ctx, kindKey, id)
}
