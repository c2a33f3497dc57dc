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

// Rollback undoes, in reverse order, exactly what the journal of the account's latest onboarding run says
// that run created: the Security Center account, attachments, custom policies, the key (and its secret
// store item), the sub-user. What the run reused is left alone, and so are settings it changed (sync
// regions, frequencies). Each undone step is journaled, so a rollback interrupted halfway can be run
// again. It returns what it removed.
func (e *Engine) Rollback(ctx context.Context, account string, cloud Remover) ([]string, error) {
	latest, err := e.DB.LatestRun(ctx, account, "onboard")
	if err != nil {
		return nil, fmt.Errorf("nothing to roll back for %q: %w", account, err)
	}
	release, err := e.lockRecorded(ctx, account, "rollback", store.LockExclusive)
	if err != nil {
		return nil, err
	}
	defer release()
	entries, err := e.DB.Journal(ctx, latest.ID)
	if err != nil {
		return nil, err
	}
	undone := map[string]bool{}
	for _, en := range entries {
		if en.State == store.StepUndone {
			undone[en.Step] = true
		}
	}
	var removed []string
	for _, en := range slices.Backward(entries) {
		if en.State != store.StepDone || undone[en.Step] || len(en.IDs) == 0 {
			continue
		}
		did, err := e.undo(ctx, cloud, en.IDs)
		removed = append(removed, did...)
		if err != nil {
			return removed, fmt.Errorf("roll back %s: %w", en.Step, err)
		}
		if err := e.DB.JournalUndone(ctx, latest.ID, en.Step); err != nil {
			return removed, err
		}
		undone[en.Step] = true
	}
	return removed, e.DB.FinishRun(ctx, latest.ID, store.RunRolledBack)
}

// undo removes what one journal entry created; something already gone counts as removed.
func (e *Engine) undo(ctx context.Context, cloud Remover, ids map[string]string) ([]string, error) {
	var removed []string
	userUIN, _ := strconv.ParseUint(ids[idUserUIN], 10, 64)
	gone := func(err error) bool { return err == nil || errors.Is(err, tencent.ErrNotFound) }
	if v := ids[idCreatedSCAccount]; v != "" {
		authID, _ := strconv.ParseInt(v, 10, 64)
		if e.SecurityCenter == nil {
			return removed, fmt.Errorf("delete Security Center account %d: %w", authID, errNoSecurityCenter)
		}
		if err := e.SecurityCenter.DeleteAccount(ctx, authID); err != nil && !errors.Is(err, securitycenter.ErrNotFound) {
			return removed, err
		}
		removed = append(removed, fmt.Sprintf("Security Center account %d", authID))
	}
	if v := ids[idCreatedSCAudit]; v != "" {
		authID, _ := strconv.ParseInt(v, 10, 64)
		if e.SecurityCenter == nil {
			return removed, fmt.Errorf("delete the audit-log settings of Security Center account %d: %w", authID, errNoSecurityCenter)
		}
		if err := e.SecurityCenter.DeleteAuditLog(ctx, authID); err != nil && !errors.Is(err, securitycenter.ErrNotFound) {
			return removed, err
		}
		removed = append(removed, fmt.Sprintf("Security Center audit-log settings of account %d", authID))
	}
	auditRemoved, err := undoAudit(ctx, cloud, ids, gone)
	removed = append(removed, auditRemoved...)
	if err != nil {
		return removed, err
	}
	for key, val := range ids {
		if name, ok := strings.CutPrefix(key, idAttached); ok {
			id, _ := strconv.ParseUint(val, 10, 64)
			if err := cloud.DetachUserPolicy(ctx, id, userUIN); !gone(err) {
				return removed, err
			}
			removed = append(removed, "grant "+name)
		}
	}
	for key, val := range ids {
		if name, ok := strings.CutPrefix(key, idCreatedPolicy); ok {
			id, _ := strconv.ParseUint(val, 10, 64)
			if err := cloud.DeletePolicy(ctx, id); !gone(err) {
				return removed, err
			}
			removed = append(removed, "policy "+name)
		}
	}
	if keyID := ids[idCreatedKey]; keyID != "" {
		if err := e.Cloud.DeleteAccessKey(ctx, userUIN, keyID); !gone(err) {
			return removed, err
		}
		if err := e.Secrets.Delete(ctx, ids[idSecretItem]); err != nil && !errors.Is(err, store.ErrSecretNotFound) {
			return removed, err
		}
		removed = append(removed, "API key "+tencent.MaskID(keyID))
	}
	if name := ids[idCreatedAccount]; name != "" {
		if err := e.DB.DeleteAccount(ctx, name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return removed, err
		}
		removed = append(removed, "account record "+name)
	}
	if name := ids[idCreatedUser]; name != "" {
		if err := cloud.DeleteUser(ctx, name, true); !gone(err) {
			return removed, err
		}
		removed = append(removed, "sub-user "+name)
	}
	return removed, nil
}

// undoAudit removes the audit-log delivery a run created: the tracking set, then Kafka consumption, the
// topic and the logset (which CLS deletes only once empty).
func undoAudit(ctx context.Context, cloud Remover, ids map[string]string, gone func(error) bool) ([]string, error) {
	var removed []string
	region := ids[idAuditRegion]
	if v := ids[idCreatedTrack]; v != "" {
		id, _ := strconv.ParseUint(v, 10, 64)
		if err := cloud.DeleteAuditTrack(ctx, id); !gone(err) {
			return removed, err
		}
		removed = append(removed, "CloudAudit tracking set "+v)
	}
	if topic := ids[idOpenedKafka]; topic != "" && ids[idCreatedTopic] == "" {
		// A topic this run created goes whole below; one it reused only has consumption closed.
		if err := cloud.CloseKafkaConsumer(ctx, region, topic); !gone(err) {
			return removed, err
		}
		removed = append(removed, "Kafka consumption of topic "+topic)
	}
	if topic := ids[idCreatedTopic]; topic != "" {
		if err := cloud.DeleteTopic(ctx, region, topic); !gone(err) {
			return removed, err
		}
		removed = append(removed, "CLS topic "+topic)
	}
	if ls := ids[idCreatedLogset]; ls != "" {
		if err := cloud.DeleteLogset(ctx, region, ls); !gone(err) {
			return removed, err
		}
		removed = append(removed, "CLS logset "+ls)
	}
	return removed, nil
}
