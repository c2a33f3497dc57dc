package onboarding

import (
	"context"
	"fmt"

	"onboard/store"
)

// lockRecorded takes the run lock of an account known locally as name. The lock is on the Tencent
// Cloud account itself (the record's owner UIN, or without a record the operator key's), so a run
// under another local name for the same account waits its turn.
func (e *Engine) lockRecorded(ctx context.Context, name, purpose string, mode store.LockMode) (release func() error, err error) {
	l := store.RunLock{Account: name, Purpose: purpose, Mode: mode}
	if a, err := e.DB.Account(ctx, name); err == nil {
		l.OwnerUIN, l.SubUser = a.OwnerUIN, a.SubUserName
	} else if e.Cloud != nil {
		id, err := e.Cloud.Identify(ctx)
		if err != nil {
			return nil, fmt.Errorf("identify the caller: %w", err)
		}
		l.OwnerUIN = id.OwnerUIN
	}
	return e.DB.AcquireRunLock(ctx, l)
}
