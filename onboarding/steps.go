package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// ensureGrants attaches every policy the features need: presets resolved by name, custom policies
// created, or updated when they drifted from the template.
func (r *run) ensureGrants(ctx context.Context) (map[string]string, error) {
	attached, err := r.e.Cloud.ListAttachedUserPolicies(ctx, r.user.UIN)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, feature := range r.req.Features {
		if feature == policy.FeatureAudit {
			continue // ciemPolicy names the audit logset and topic: the audit-logs step grants it
		}
		grants, err := policy.Grants(feature, r.req.CSPMPolicy, r.req.Lighthouse)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			id, created, err := r.ensurePolicy(ctx, g, policy.Values{RootAccountID: r.id.OwnerUIN})
			if err != nil {
				return nil, err
			}
			if created {
				ids[idCreatedPolicy+g.Name] = fmt.Sprint(id)
			}
			if slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return a.ID == id }) {
				r.res.Reused = append(r.res.Reused, "grant "+g.Name)
				continue
			}
			if err := r.attach(ctx, g.Name, id); err != nil {
				return nil, fmt.Errorf("attach %s to %s: %w", g.Name, r.user.Name, err)
			}
			attached = append(attached, tencent.AttachedPolicy{ID: id, Name: g.Name, Preset: g.Preset})
			r.res.Created = append(r.res.Created, "grant "+g.Name)
			ids[idAttached+g.Name] = fmt.Sprint(id)
		}
	}
	return ids, nil
}

// attach attaches a policy to the sub-user through the ledger.
func (r *run) attach(ctx context.Context, name string, policyID uint64) error {
	w := object{Kind: kindAttachment, Name: name, Parent: fmt.Sprint(r.user.UIN),
		Attrs: map[string]string{attrPolicyID: fmt.Sprint(policyID), attrUserName: r.user.Name}}
	return creatingNoValue(ctx, r.ledger, w, fmt.Sprint(policyID), func() error { return r.attachWithPatience(ctx, policyID) })
}

// attachWithPatience retries while CAM has not yet caught up with a just-created user.
func (r *run) attachWithPatience(ctx context.Context, policyID uint64) error {
	deadline := time.Now().Add(r.e.PropagationWait)
	for {
		err := r.e.Cloud.AttachUserPolicy(ctx, policyID, r.user.UIN)
		if err == nil || !errors.Is(err, tencent.ErrNotFound) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// render fills a custom policy's document with values: the --policy-file document when one was given,
// the embedded template otherwise.
func (r *run) render(name string, values policy.Values) ([]byte, error) {
	if doc, ok := r.req.overrides[name]; ok {
		out, err := policy.RenderDocument(doc, values)
		if err != nil {
			return nil, fmt.Errorf("render %s from --policy-file %s: %w", name, r.req.PolicyFiles[name], err)
		}
		return out, nil
	}
	return policy.Render(name, values)
}

// ensurePolicy returns the ID of the grant's policy, creating or repairing a custom one (rendered with
// values); created says whether this run made it.
func (r *run) ensurePolicy(ctx context.Context, g policy.Grant, values policy.Values) (id uint64, created bool, err error) {
	if g.Preset {
		p, err := r.e.Cloud.FindPolicy(ctx, tencent.ScopePreset, g.Name)
		if errors.Is(err, tencent.ErrNotFound) {
			if alt, ok := policy.PresetFallback(g.Name); ok {
				return 0, false, fmt.Errorf("preset policy %s does not exist in this account; use --cspm-policy custom, or grant %s instead: %w", g.Name, alt, err)
			}
		}
		return p.ID, false, err
	}
	want, err := r.render(g.Name, values)
	if err != nil {
		return 0, false, err
	}
	spec := tencent.PolicySpec{Name: g.Name, Description: "Security Center access, managed by onboard", Document: string(want)}
	p, err := r.e.Cloud.FindPolicy(ctx, tencent.ScopeCustom, g.Name)
	if errors.Is(err, tencent.ErrNotFound) {
		id, err := creating(ctx, r.ledger, object{Kind: kindPolicy, Name: g.Name},
			func() (uint64, error) { return r.e.Cloud.CreatePolicy(ctx, spec) },
			func(id uint64) string { return fmt.Sprint(id) })
		if err != nil {
			return 0, false, err
		}
		r.res.Created = append(r.res.Created, "policy "+g.Name)
		return id, true, nil
	}
	if err != nil {
		return 0, false, err
	}
	live, err := r.e.Cloud.GetPolicy(ctx, p.ID)
	if err != nil {
		return 0, false, err
	}
	drift, err := policy.Diff([]byte(live.Document), want)
	if err != nil || drift.Changed {
		update := func() error { return r.e.Cloud.UpdatePolicy(ctx, p.ID, spec) }
		if err := changing(ctx, r.ledger, store.LedgerChange, object{Kind: kindPolicy, Name: g.Name, ID: fmt.Sprint(p.ID)}, update); err != nil {
			return 0, false, err
		}
		r.res.Created = append(r.res.Created, "policy "+g.Name+" updated (it had drifted: "+strings.Join(drift.Lines, "; ")+")")
	}
	return p.ID, false, nil
}

// ensureKey reuses our key if it is still active and its secret is in the store; otherwise it creates
// one and stores the secret at once, deleting the key again if the store refuses it.
func (r *run) ensureKey(ctx context.Context) (map[string]string, error) {
	keys, err := r.e.Cloud.ListAccessKeys(ctx, r.user.UIN)
	if err != nil {
		return nil, err
	}
	if stored, err := r.e.Secrets.Get(ctx, r.secret); err == nil {
		for _, k := range keys {
			if k.ID == stored.SecretID && k.Status == "Active" {
				r.key = tencent.AccessKey{ID: k.ID, Secret: tencent.SecretKey(stored.SecretKey.Reveal()), Status: k.Status}
				r.res.Reused = append(r.res.Reused, "API key "+tencent.MaskID(k.ID))
				r.res.AccessKeyID, r.res.KeyStoredIn = k.ID, r.e.Secrets.Kind()
				return nil, nil
			}
		}
	} else if !errors.Is(err, store.ErrSecretNotFound) {
		return nil, err
	}
	var live []tencent.AccessKey
	for _, k := range keys {
		if k.Description != keyDescription {
			live = append(live, k)
			continue
		}
		if err := r.deleteKey(ctx, k.ID); err != nil {
			return nil, fmt.Errorf("delete key %s, which an interrupted run created but whose secret was lost: %w", tencent.MaskID(k.ID), err)
		}
		r.res.Created = append(r.res.Created, "deleted orphaned API key "+tencent.MaskID(k.ID)+" (an earlier run lost its secret)")
	}
	keys = live
	if len(keys) >= 2 {
		return nil, fmt.Errorf("sub-user %s already has two API keys, Tencent Cloud's limit, and onboard holds the secret of neither; delete or rotate one in the CAM console (Users > %s > API keys), then run again: %w", r.user.Name, r.user.Name, tencent.ErrKeyLimit)
	}
	k, err := creating(ctx, r.ledger, r.keyObject(""),
		func() (tencent.AccessKey, error) { return r.e.Cloud.CreateAccessKey(ctx, r.user.UIN, keyDescription) },
		func(k tencent.AccessKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	if err := r.e.Secrets.Put(ctx, r.secret, store.Credential{SecretID: k.ID, SecretKey: store.Secret(k.Secret.Reveal())}); err != nil {
		// Tencent shows a secret once: a key whose secret we could not keep is useless, so remove it.
		if derr := r.deleteKey(context.WithoutCancel(ctx), k.ID); derr != nil {
			return nil, fmt.Errorf("store the new key: %w; deleting the key %s again also failed: %v (delete it in the CAM console)", err, tencent.MaskID(k.ID), derr)
		}
		return nil, fmt.Errorf("store the new key (the key was deleted again): %w", err)
	}
	r.key = k
	r.res.Created = append(r.res.Created, "API key "+tencent.MaskID(k.ID))
	r.res.AccessKeyID, r.res.KeyStoredIn = k.ID, r.e.Secrets.Kind()
	return map[string]string{idCreatedKey: k.ID, idSecretItem: r.secret, idUserUIN: fmt.Sprint(r.user.UIN)}, nil
}

// keyObject names a key of the sub-user for the ledger.
func (r *run) keyObject(id string) object {
	return object{Kind: kindKey, Parent: fmt.Sprint(r.user.UIN), ID: id,
		Attrs: map[string]string{attrUserName: r.user.Name, attrSecretItem: r.secret}}
}

// deleteKey deletes a key of the sub-user that is of no use (its secret is lost), through the ledger,
// and marks it deleted there.
func (r *run) deleteKey(ctx context.Context, id string) error {
	del := func() error { return r.e.Cloud.DeleteAccessKey(ctx, r.user.UIN, id) }
	if err := changing(ctx, r.ledger, store.LedgerDelete, r.keyObject(id), del); err != nil {
		return err
	}
	return r.ledger.forgetDeleted(ctx, kindKey, id)
}

// verify checks the new key: its identity (waiting a bounded time for CAM to accept it), then one read per
// feature that this version can probe.
func (r *run) verify(ctx context.Context) (map[string]string, error) {
	v, err := r.e.NewVerifier(tencent.Credential{SecretID: r.key.ID, SecretKey: r.key.Secret})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(r.e.PropagationWait)
	for {
		id, err := v.CallerIdentity(ctx)
		if err == nil {
			if id.UserUIN != fmt.Sprint(r.user.UIN) {
				return nil, fmt.Errorf("the new key identifies as %s, not sub-user %d", id.UserUIN, r.user.UIN)
			}
			break
		}
		if !(errors.Is(err, tencent.ErrAuth) || errors.Is(err, tencent.ErrDenied)) || time.Now().After(deadline) {
			return nil, fmt.Errorf("the new key does not work: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	r.res.Verified = append(r.res.Verified, "identity of the new key")
	if slices.Contains(r.req.Features, policy.FeatureHost) {
		// The operator's key finds a region; the new key must then be able to list its hosts.
		regions, err := r.e.Cloud.Regions(ctx, "cvm")
		if err == nil && len(regions) > 0 {
			_, err = v.ListCVMInstances(ctx, regions[0].ID, 0, 1)
		}
		if err != nil {
			return nil, fmt.Errorf("the new key cannot read hosts: %w", err)
		}
		r.res.Verified = append(r.res.Verified, "host: cvm:DescribeInstances")
	}
	if r.audit != nil {
		if _, err := v.GetKafkaConsumer(ctx, r.audit.Region, r.audit.TopicID); err != nil {
			return nil, fmt.Errorf("the new key cannot read the audit topic's Kafka consumption: %w", err)
		}
		r.res.Verified = append(r.res.Verified, "audit: cls:DescribeKafkaConsumer on topic "+r.audit.TopicID)
		if r.req.VerifyKafka {
			if err := r.verifyKafka(ctx); err != nil {
				return nil, fmt.Errorf("the new key cannot log in to the audit logs' Kafka address %s: %w", r.audit.BootstrapServers, err)
			}
			r.res.Verified = append(r.res.Verified, "audit: Kafka login to "+r.audit.BootstrapServers+" as logset "+r.audit.LogsetID)
		}
	}
	return nil, nil
}

// record saves the account; it holds no secret, only the name of its secret store item.
func (r *run) record(ctx context.Context) (map[string]string, error) {
	a := store.Account{Name: r.res.Account, OwnerUIN: r.id.OwnerUIN, SubUserName: r.user.Name, SubUserUIN: fmt.Sprint(r.user.UIN),
		AccessKeyID: r.key.ID, SecretItem: r.secret, Features: r.req.Features, Grants: r.req.grantNames()}
	var ids map[string]string
	old, err := r.e.DB.Account(ctx, a.Name)
	switch {
	case err == nil:
		a.DisplayName, a.Site, a.Regions, a.AuthID = old.DisplayName, old.Site, old.Regions, old.AuthID
	case errors.Is(err, store.ErrNotFound):
		ids = map[string]string{idCreatedAccount: a.Name}
	default:
		return nil, err
	}
	r.recordSecurityCenter(&a)
	r.recordAudit(&a)
	return ids, r.e.DB.SaveAccount(ctx, a)
}
