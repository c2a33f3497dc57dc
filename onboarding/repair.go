package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"onboard/policy"
	"onboard/tencent"
)

// RepairRequest is the request repair applies for an account: its recorded request, except that an audit
// logset or topic that no longer exists is made anew (its ID cannot be given back), so the delivery,
// ciemPolicy and Security Center's settings follow the new one.
func (e *Engine) RepairRequest(ctx context.Context, account string) (Request, error) {
	a, err := e.DB.Account(ctx, account)
	if err != nil {
		return Request{}, err
	}
	req, err := e.RecordedRequest(ctx, a)
	if err != nil {
		return Request{}, err
	}
	if !slices.Contains(a.Features, policy.FeatureAudit) {
		return req, nil
	}
	logsets, err := e.Cloud.ListLogsets(ctx, a.Audit.Region, "")
	if err != nil {
		return Request{}, fmt.Errorf("repair %q: %w", account, err)
	}
	if !slices.ContainsFunc(logsets, func(l tencent.Logset) bool { return l.ID == a.Audit.LogsetID }) {
		req.AuditLogset, req.AuditTopic = AuditNew, AuditNew
		return req, nil
	}
	topics, err := e.Cloud.ListTopics(ctx, a.Audit.Region, a.Audit.LogsetID, "")
	if err != nil && !errors.Is(err, tencent.ErrNotFound) {
		return Request{}, fmt.Errorf("repair %q: %w", account, err)
	}
	if !slices.ContainsFunc(topics, func(t tencent.Topic) bool { return t.ID == a.Audit.TopicID }) {
		req.AuditTopic = AuditNew
	}
	return req, nil
}

// Repair converges an onboarded account back to what was chosen by running the onboarding again with
// its recorded request (RepairRequest): the same steps, journal and pre-flight as `onboard tencent`, so
// a detached grant is attached, a drifted custom policy updated, a disabled or lost key replaced and
// submitted, the audit-log delivery and Security Center's settings restored. What is already right is
// left untouched.
func (e *Engine) Repair(ctx context.Context, account string, emit func(Event)) (Result, error) {
	req, err := e.RepairRequest(ctx, account)
	if err != nil {
		return Result{}, err
	}
	return e.Apply(ctx, req, emit)
}

// PlanRepair says what Repair would do, reading only.
func (e *Engine) PlanRepair(ctx context.Context, account string) (Plan, error) {
	req, err := e.RepairRequest(ctx, account)
	if err != nil {
		return Plan{}, err
	}
	return e.Plan(ctx, req)
}
