package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"onboard/policy"
	"onboard/tencent"
)

// neededActions are the calls an onboarding makes with the operator's key, by what needs them. The
// resource is what CAM checks ("*" for CAM, the logset or topic for CLS).
func (r *run) neededActions() []policy.Request {
	star := func(actions ...string) []policy.Request {
		out := make([]policy.Request, len(actions))
		for i, a := range actions {
			out[i] = policy.Request{Action: a, Resource: "*"}
		}
		return out
	}
	need := star("cam:GetUser", "cam:AddUser", "cam:ListPolicies", "cam:GetPolicy", "cam:CreatePolicy", "cam:UpdatePolicy",
		"cam:AttachUserPolicy", "cam:ListAttachedUserPolicies", "cam:ListAccessKeys", "cam:CreateAccessKey", "cam:DeleteAccessKey")
	if slices.Contains(r.req.Features, policy.FeatureAudit) {
		cls := func(kind, action string) policy.Request {
			return policy.Request{Action: action, Resource: fmt.Sprintf("qcs::cls:%s:uin/%s:%s/*", r.req.AuditRegion, r.id.OwnerUIN, kind)}
		}
		need = append(need, star("cls:DescribeLogsets", "cls:DescribeTopics", "cloudaudit:DescribeAuditTracks", "cloudaudit:CreateAuditTrack")...)
		need = append(need, cls("logset", "cls:CreateLogset"), cls("logset", "cls:CreateTopic"),
			cls("topic", "cls:DescribeKafkaConsumer"), cls("topic", "cls:OpenKafkaConsumer"))
	}
	return need
}

// checkPermissions runs before any change: a sub-user operator's attached policies must allow every call
// the request needs, or the run stops at once naming what is missing. A root key may do everything.
// Policies reaching the operator through a CAM group are not read; SkipPermissionCheck is for that case.
// Temporary credentials are not checked up front either: their permissions are the intersection of a
// session policy, which CAM does not show, and their principal's; a missing one fails its call by name.
func (r *run) checkPermissions(ctx context.Context) error {
	if r.id.IsRoot() || r.id.IsTemporary() || r.req.SkipPermissionCheck {
		return nil
	}
	var uin uint64
	if _, err := fmt.Sscan(r.id.UserUIN, &uin); err != nil {
		return fmt.Errorf("the operator's UIN %q is not a number", r.id.UserUIN)
	}
	attached, err := r.e.Cloud.ListAttachedUserPolicies(ctx, uin)
	if err != nil {
		return fmt.Errorf("read the operator's own policies to check its permissions (or pass --skip-permission-check): %w", err)
	}
	var docs []*policy.Document
	for _, a := range attached {
		p, err := r.e.Cloud.GetPolicy(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("read policy %s to check the operator's permissions (or pass --skip-permission-check): %w", a.Name, err)
		}
		doc, err := policy.Parse([]byte(p.Document))
		if err != nil {
			continue // a document this tool cannot read grants nothing it can rely on
		}
		docs = append(docs, doc)
	}
	var missing []string
	for _, need := range r.neededActions() {
		if !policy.Evaluate(docs, need).Allowed {
			missing = append(missing, need.Action)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &PermissionError{Operator: r.id.UserUIN, Missing: missing}
}

// PermissionError names the permissions the operator's key lacks for the request. It is a
// tencent.ErrDenied.
type PermissionError struct {
	Operator string
	Missing  []string
}

func (e *PermissionError) Unwrap() error { return tencent.ErrDenied }

func (e *PermissionError) Error() string {
	return fmt.Sprintf("the operator (sub-user %s) may not do everything this onboarding needs; its policies do not allow: %s. "+
		"Grant them (for example QcloudCamFullAccess for cam, QcloudCLSFullAccess and QcloudAuditFullAccess for audit logs), "+
		"or pass --skip-permission-check if a CAM group grants them", e.Operator, strings.Join(e.Missing, ", "))
}
