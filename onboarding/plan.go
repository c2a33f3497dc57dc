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

// Planned is what one step would do, found by reading only.
type Planned struct {
	Step    string   `json:"step"`
	Title   string   `json:"title"`
	Actions []string `json:"actions"` // each starts with create, reuse, update, attach, delete or check
}

// Plan reports, step by step, what Apply would create, reuse or update. It makes no mutating call and
// writes nothing (no journal, no lock): --dry-run and the wizard's review screen show it. It runs Apply's
// pre-flight first, with the secret store's probe reading only, and returns its *PreflightError.
func (e *Engine) Plan(ctx context.Context, req Request) ([]Planned, error) {
	r := &run{e: e, req: req, emit: func(Event) {}}
	if err := r.preflight(ctx, false); err != nil {
		return nil, err
	}
	var out []Planned
	for _, s := range steps {
		actions, err := s.Plan(r, ctx)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", s.Title, err)
		}
		out = append(out, Planned{Step: s.ID, Title: s.Title, Actions: actions})
	}
	return out, nil
}

func (r *run) planUser(ctx context.Context) ([]string, error) {
	u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser)
	switch {
	case errors.Is(err, tencent.ErrNotFound):
		return []string{"create sub-user " + r.req.SubUser + " (programmatic access only)"}, nil
	case err != nil:
		return nil, err
	case u.Remark != userRemark && !r.req.AdoptUser:
		return nil, fmt.Errorf("a sub-user named %q exists and was not created by onboard; choose another --sub-user, or pass --adopt-user to take it over", r.req.SubUser)
	}
	r.user = u
	return []string{"reuse sub-user " + u.Name}, nil
}

func (r *run) planGrants(ctx context.Context) ([]string, error) {
	var attached []tencent.AttachedPolicy
	if r.user.UIN != 0 {
		var err error
		if attached, err = r.e.Cloud.ListAttachedUserPolicies(ctx, r.user.UIN); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, feature := range r.req.Features {
		if feature == policy.FeatureAudit {
			continue // planned by the audit-logs step
		}
		grants, err := policy.Grants(feature, r.req.CSPMPolicy, r.req.Lighthouse)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			scope := tencent.ScopeCustom
			if g.Preset {
				scope = tencent.ScopePreset
			}
			p, err := r.e.Cloud.FindPolicy(ctx, scope, g.Name)
			switch {
			case errors.Is(err, tencent.ErrNotFound) && g.Preset:
				return nil, fmt.Errorf("preset policy %s does not exist in this account", g.Name)
			case errors.Is(err, tencent.ErrNotFound):
				out = append(out, "create policy "+g.Name, "attach "+g.Name)
				continue
			case err != nil:
				return nil, err
			}
			if !g.Preset {
				want, err := r.render(g.Name, policy.Values{RootAccountID: r.id.OwnerUIN})
				if err != nil {
					return nil, err
				}
				c, err := r.checkPolicy(ctx, p, want)
				if err != nil {
					return nil, err
				}
				if c.update {
					out = append(out, "update policy "+g.Name+": "+c.summary())
				}
			}
			if slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return a.ID == p.ID }) {
				out = append(out, "reuse grant "+g.Name)
			} else {
				out = append(out, "attach "+g.Name)
			}
		}
	}
	return out, nil
}

func (r *run) planKey(ctx context.Context) ([]string, error) {
	create := "create API key (secret straight into the " + r.e.Secrets.Kind() + " secret store)"
	if r.user.UIN == 0 {
		return []string{create}, nil
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
	var out []string
	reuse := ""
	for _, k := range keys {
		if serr == nil && k.ID == stored.SecretID && k.Status == "Active" {
			reuse = "reuse API key " + tencent.MaskID(k.ID)
			continue
		}
		if o := r.ownership(k, recorded); o.ours {
			r.superseded = append(r.superseded, k)
		} else if managed, _ := keyOwner(k.Description); managed {
			out = append(out, "leave API key "+tencent.MaskID(k.ID)+" alone ("+o.why+")")
		}
	}
	if reuse != "" {
		return append([]string{reuse}, out...), nil
	}
	return append(out, create), nil
}

func (r *run) planRetireKeys(context.Context) ([]string, error) {
	var out []string
	for _, k := range r.superseded {
		out = append(out, "delete API key "+tencent.MaskID(k.ID)+" (this installation lost its secret) once the new key works")
	}
	return out, nil
}

func (r *run) planVerify(context.Context) ([]string, error) {
	out := []string{"check the key's identity"}
	if slices.Contains(r.req.Features, policy.FeatureHost) {
		out = append(out, "check the key can read hosts (cvm:DescribeInstances)")
	}
	return out, nil
}

func (r *run) planRecord(context.Context) ([]string, error) {
	return []string{"record account " + r.res.Account + " in the local database"}, nil
}
