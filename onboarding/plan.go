package onboarding

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// Operations of a Change.
const (
	OpCreate  = "create"
	OpReuse   = "reuse"
	OpUpdate  = "update"
	OpAttach  = "attach"
	OpDelete  = "delete"
	OpDisable = "disable"
	OpKeep    = "keep"
	OpCheck   = "check"
	OpSubmit  = "submit"
	OpSync    = "sync"
)

// Objects of a Change.
const (
	ObjectUser                   = "user"
	ObjectPolicy                 = "policy"
	ObjectAttachment             = "attachment"
	ObjectKey                    = "key"
	ObjectLogset                 = "logset"
	ObjectTopic                  = "topic"
	ObjectTrackingSet            = "tracking-set"
	ObjectKafka                  = "kafka"
	ObjectSecurityCenterAccount  = "security-center-account"
	ObjectSecurityCenterAuditLog = "security-center-audit-log"
	ObjectRegions                = "regions"
	ObjectFrequencies            = "frequencies"
	ObjectFirstSync              = "first-sync"
	ObjectRootKey                = "root-key"
	ObjectRecord                 = "record"
)

// Change is one typed change of a plan: an operation on a named object.
type Change struct {
	Op     string `json:"op"`
	Object string `json:"object"`
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"` // the known ID; empty for what is still to be made
	// Detail says more for people: how a policy drifted, why a key is left alone.
	Detail string `json:"detail,omitempty"`
}

// PlannedStep is what one step would do.
type PlannedStep struct {
	Step    string   `json:"step"`
	Title   string   `json:"title"`
	Changes []Change `json:"changes"`
}

// Lines words the step's changes, one a line, or says there is nothing to do: as every face lists a plan.
func (s PlannedStep) Lines() []string {
	if len(s.Changes) == 0 {
		return []string{"nothing to do"}
	}
	lines := make([]string, 0, len(s.Changes))
	for _, c := range s.Changes {
		lines = append(lines, c.String())
	}
	return lines
}

// Plan is what Apply will do, found by reading only. It carries the request it was made for and what it
// observed of the state that decides it (the sub-user, its grants and keys, the Security Center account),
// so that ApplyPlan can tell a plan gone stale.
type Plan struct {
	Request Request       `json:"-"`
	Steps   []PlannedStep `json:"steps"`

	observed observed
	planned  Request // the request as planned, to tell a changed Request
	made     bool    // made by Engine.Plan
}

// Changes lists every change of the plan, in order.
func (p Plan) Changes() []Change {
	var out []Change
	for _, s := range p.Steps {
		out = append(out, s.Changes...)
	}
	return out
}

// Plan reports, step by step, what Apply would create, reuse or update. It makes no mutating call and
// writes nothing (no journal, no lock): --dry-run and the wizard's review show it. It runs Apply's
// pre-flight first, with the secret store's probe reading only, and returns its *PreflightError.
func (e *Engine) Plan(ctx context.Context, req Request) (Plan, error) {
	r := &run{e: e, req: req, emit: func(Event) {}}
	if err := r.preflight(ctx, false); err != nil {
		return Plan{}, err
	}
	p := Plan{Request: r.req, planned: r.req, made: true}
	for _, s := range steps {
		changes, err := s.Plan(r, ctx)
		if err != nil {
			return Plan{}, fmt.Errorf("plan %s: %w", s.Title, err)
		}
		p.Steps = append(p.Steps, PlannedStep{Step: s.ID, Title: s.Title, Changes: nonNil(changes)})
	}
	obs, err := r.observe(ctx)
	if err != nil {
		return Plan{}, fmt.Errorf("plan: %w", err)
	}
	p.observed = obs
	return p, nil
}

func nonNil(c []Change) []Change {
	if c == nil {
		return []Change{}
	}
	return c
}

// errNotAPlan refuses a Plan that Engine.Plan did not make: it observed nothing to compare.
var errNotAPlan = errors.New("apply a plan: the plan was not made by Engine.Plan")

// requestChanged reports whether the plan's request was changed after planning, other than by the root
// key's confirmation, which a face asks for once the plan has been reviewed.
func (p Plan) requestChanged() bool {
	a, b := p.Request, p.planned
	a.RootKeyConfirm, b.RootKeyConfirm = "", ""
	return !reflect.DeepEqual(a, b)
}

func (r *run) planUser(ctx context.Context) ([]Change, error) {
	u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
		return []Change{{Op: OpCreate, Object: ObjectUser, Name: r.req.SubUser, Detail: "programmatic access only"}}, nil
	case err != nil:
		return nil, err
	case u.Remark != userRemark && !r.req.AdoptUser:
		return nil, &UserOwnershipError{User: r.req.SubUser}
	}
	r.user = u
	c := Change{Op: OpReuse, Object: ObjectUser, Name: u.Name, ID: fmt.Sprint(u.UIN)}
	if u.Remark != userRemark {
		c.Detail = "adopted: not created by onboard"
	}
	return []Change{c}, nil
}

// UserOwnershipError refuses a same-named sub-user that onboard did not create and that was not adopted.
type UserOwnershipError struct{ User string }

func (e *UserOwnershipError) Error() string {
	return fmt.Sprintf("a sub-user named %q exists and was not created by onboard", e.User)
}

// attachedPolicies are the sub-user's attached policies; none when it does not exist yet.
func (r *run) attachedPolicies(ctx context.Context) ([]tencent.AttachedPolicy, error) {
	if r.user.UIN == 0 {
		return nil, nil
	}
	return r.e.Cloud.ListAttachedUserPolicies(ctx, r.user.UIN)
}

func (r *run) planGrants(ctx context.Context) ([]Change, error) {
	attached, err := r.attachedPolicies(ctx)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, feature := range r.req.Features {
		if feature == policy.FeatureAudit {
			continue // planned by the audit-logs step
		}
		grants, err := policy.Grants(feature, r.req.CSPMPolicy, r.req.Lighthouse)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			c, err := r.planGrant(ctx, g, policy.Values{RootAccountID: r.id.OwnerUIN}, attached, true)
			if err != nil {
				return nil, err
			}
			out = append(out, c...)
		}
	}
	return out, nil
}

// planGrant plans one grant: its policy (created, updated or used as it is) and its attachment. With
// known false the values are not final yet (a logset still to be created): an existing custom policy is
// then planned as updated.
func (r *run) planGrant(ctx context.Context, g policy.Grant, values policy.Values, attached []tencent.AttachedPolicy, known bool) ([]Change, error) {
	scope := tencent.ScopeCustom
	if g.Preset {
		scope = tencent.ScopePreset
	}
	p, err := r.e.Cloud.FindPolicy(ctx, scope, g.Name)
	switch {
	case errors.Is(err, tencent.ErrNotFound) && g.Preset:
		return nil, fmt.Errorf("preset policy %s does not exist in this account: %w", g.Name, err)
	case errors.Is(err, tencent.ErrNotFound):
		return []Change{{Op: OpCreate, Object: ObjectPolicy, Name: g.Name}, {Op: OpAttach, Object: ObjectAttachment, Name: g.Name}}, nil
	case err != nil:
		return nil, err
	}
	id := fmt.Sprint(p.ID)
	var out []Change
	if !g.Preset {
		switch {
		case !known:
			out = append(out, Change{Op: OpUpdate, Object: ObjectPolicy, Name: g.Name, ID: id, Detail: "with the IDs of the logset and topic to be created"})
		default:
			want, err := r.render(g.Name, values)
			if err != nil {
				return nil, err
			}
			c, err := r.checkPolicy(ctx, p, want)
			if err != nil {
				return nil, err
			}
			if c.update {
				out = append(out, Change{Op: OpUpdate, Object: ObjectPolicy, Name: g.Name, ID: id, Detail: c.summary()})
			} else {
				out = append(out, Change{Op: OpReuse, Object: ObjectPolicy, Name: g.Name, ID: id})
			}
		}
	}
	if slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return a.ID == p.ID }) {
		out = append(out, Change{Op: OpReuse, Object: ObjectAttachment, Name: g.Name, ID: id})
	} else {
		out = append(out, Change{Op: OpAttach, Object: ObjectAttachment, Name: g.Name, ID: id})
	}
	return out, nil
}

func (r *run) planKey(ctx context.Context) ([]Change, error) {
	create := Change{Op: OpCreate, Object: ObjectKey, Name: r.req.SubUser, Detail: "its secret straight into the " + r.e.Secrets.Kind() + " secret store"}
	if r.user.UIN == 0 {
		return []Change{create}, nil
	}
	keys, err := r.e.Cloud.ListAccessKeys(ctx, r.user.UIN)
	if err != nil {
		return nil, err
	}
	stored, serr := r.e.Secrets.Get(ctx, r.secret)
	if serr != nil && !errors.Is(serr, store.ErrSecretNotFound) {
		return nil, serr
	}
	recorded := r.recordedKeyID(ctx)
	var out []Change
	var reuse *Change
	for _, k := range keys {
		if serr == nil && k.ID == stored.SecretID && k.Status == "Active" {
			reuse = &Change{Op: OpReuse, Object: ObjectKey, Name: r.req.SubUser, ID: tencent.MaskID(k.ID)}
			continue
		}
		if o := r.ownership(k, recorded); o.ours {
			r.superseded = append(r.superseded, k)
		} else if managed, _ := keyOwner(k.Description); managed {
			out = append(out, Change{Op: OpKeep, Object: ObjectKey, Name: r.req.SubUser, ID: tencent.MaskID(k.ID), Detail: o.why})
		}
	}
	if reuse != nil {
		return append([]Change{*reuse}, out...), nil
	}
	return append(out, create), nil
}

func (r *run) planRetireKeys(context.Context) ([]Change, error) {
	var out []Change
	for _, k := range r.superseded {
		out = append(out, Change{Op: OpDelete, Object: ObjectKey, Name: r.req.SubUser, ID: tencent.MaskID(k.ID),
			Detail: "this installation lost its secret; deleted once the new key works"})
	}
	return out, nil
}

func (r *run) planVerify(context.Context) ([]Change, error) {
	out := []Change{{Op: OpCheck, Object: ObjectKey, Name: "identity"}}
	if slices.Contains(r.req.Features, policy.FeatureHost) {
		out = append(out, Change{Op: OpCheck, Object: ObjectKey, Name: "cvm:DescribeInstances", Detail: "the key can read hosts"})
	}
	if slices.Contains(r.req.Features, policy.FeatureAudit) {
		out = append(out, Change{Op: OpCheck, Object: ObjectKey, Name: "cls:DescribeKafkaConsumer", Detail: "the key can read the audit topic's Kafka consumption"})
	}
	return out, nil
}

func (r *run) planRecord(ctx context.Context) ([]Change, error) {
	op := OpCreate
	if _, err := r.e.DB.Account(ctx, r.res.Account); err == nil {
		op = OpUpdate
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return []Change{{Op: op, Object: ObjectRecord, Name: r.res.Account, Detail: "in the local database"}}, nil
}

// String words the change for people, the same on every face: "create sub-user sas-reader",
// "attach cspmPolicy", "reuse CLS topic cloudaudit-events (ID)".
func (c Change) String() string {
	s := c.Op
	if o := objectWords[c.Object]; o != "" {
		s += " " + o
	} else if _, known := objectWords[c.Object]; !known {
		s += " " + c.Object
	}
	if c.Name != "" {
		s += " " + c.Name
	}
	if c.ID != "" && c.ID != c.Name {
		s += " (" + c.ID + ")"
	}
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// objectWords name a change's object for people; an attachment is said by its verb alone ("attach
// cspmPolicy").
var objectWords = map[string]string{
	ObjectUser: "sub-user", ObjectPolicy: "policy", ObjectAttachment: "",
	ObjectKey: "API key of", ObjectLogset: "CLS logset", ObjectTopic: "CLS topic",
	ObjectTrackingSet: "CloudAudit tracking set", ObjectKafka: "Kafka consumption of topic",
	ObjectSecurityCenterAccount: "Security Center account", ObjectSecurityCenterAuditLog: "Security Center",
	ObjectRegions: "Security Center sync regions", ObjectFrequencies: "Security Center", ObjectFirstSync: "first sync of",
	ObjectRootKey: "root key", ObjectRecord: "account record",
	ObjectWAFFlow: "WAF delivery flow to CLS topic", ObjectWAFAttackLog: "WAF instance",
	ObjectWAFAccessLog: "WAF domain", ObjectWAFDomainDelivery: "WAF domain", ObjectWAF: "WAF",
	ObjectCFW: "Cloud Firewall",
}
