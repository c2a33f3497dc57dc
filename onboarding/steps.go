package onboarding

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"onboard/policy"
	"onboard/retry"
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
	poll := retry.NewPoller(retry.Backoff{First: camFirstPoll, Max: camPollInterval}, time.Now().Add(r.e.PropagationWait))
	for {
		err := r.e.Cloud.AttachUserPolicy(ctx, policyID, r.user.UIN)
		if err == nil || !errors.Is(err, tencent.ErrNotFound) {
			return err
		}
		if perr := poll.Wait(ctx); errors.Is(perr, retry.ErrDeadline) {
			return err
		} else if perr != nil {
			return perr
		}
	}
}

// render fills a custom policy's document with values: the --policy-file document when one was given,
// the embedded template otherwise.
func (r *run) render(name string, values policy.Values) ([]byte, error) {
	if doc, ok := r.req.overrides[name]; ok {
		out, err := policy.RenderDocument(doc, values)
		if err != nil {
			return nil, fmt.Errorf("render %s from policy file %s: %w", name, r.req.PolicyFiles[name], err)
		}
		return out, nil
	}
	return policy.Render(name, values)
}

// ensurePolicy returns the ID of the grant's policy, creating or repairing a custom one (rendered with
// values); created says whether this run made it. A custom policy this tool did not create is never
// changed unless the user adopted it by name (--adopt-policy); one that already grants exactly the
// template is used as it is.
func (r *run) ensurePolicy(ctx context.Context, g policy.Grant, values policy.Values) (id uint64, created bool, err error) {
	if g.Preset {
		p, err := r.e.Cloud.FindPolicy(ctx, tencent.ScopePreset, g.Name)
		if errors.Is(err, tencent.ErrNotFound) {
			if alt, ok := policy.PresetFallback(g.Name); ok {
				return 0, false, fmt.Errorf("preset policy %s does not exist in this account; choose the custom cspmPolicy, or grant %s instead: %w", g.Name, alt, err)
			}
		}
		return p.ID, false, err
	}
	want, err := r.render(g.Name, values)
	if err != nil {
		return 0, false, err
	}
	spec := tencent.PolicySpec{Name: g.Name, Description: policyDescription(r.e.Installation), Document: string(want)}
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
	c, err := r.checkPolicy(ctx, p, want)
	if c.strangers {
		r.res.Reused = append(r.res.Reused, "policy "+g.Name+" (not created by onboard; it grants exactly the template, so it is used unchanged)")
	}
	if err != nil || !c.update {
		return p.ID, false, err
	}
	update := func() error { return r.e.Cloud.UpdatePolicy(ctx, p.ID, spec) }
	if err := changing(ctx, r.ledger, store.LedgerChange, object{Kind: kindPolicy, Name: g.Name, ID: fmt.Sprint(p.ID)}, update); err != nil {
		return 0, false, err
	}
	r.res.Created = append(r.res.Created, "policy "+g.Name+" "+c.summary())
	return p.ID, false, nil
}

// checkCustomPolicies is the pre-flight's check of the custom policies: one of a grant's name that this
// tool did not create and would have to change stops the run here, not after the sub-user exists.
// (ciemPolicy is checked by the audit-logs step, once the logset and topic IDs it names are known.)
// Other failures of this read are left to the checks and steps that own them.
func (r *run) checkCustomPolicies(ctx context.Context, ps *problems) {
	if ps.about("features", "cspm-policy", "policy-file", "adopt-policy") {
		return
	}
	// Knowing the sub-user (when it exists) keeps it out of the principals a refusal names.
	if u, err := r.e.Cloud.GetUser(ctx, r.req.SubUser); err == nil {
		r.user = u
		defer func() { r.user = tencent.User{} }()
	}
	_, err := r.planGrants(ctx)
	var oe *PolicyOwnershipError
	if errors.As(err, &oe) {
		ps.add(Problem{Field: "adopt-policy", Problem: oe.Error(), Class: ProblemPrecondition, Err: err})
	}
}

// policyCheck is what to do with an existing custom policy of a grant's name.
type policyCheck struct {
	update    bool
	strangers bool     // not created by onboard, matching, so used unchanged
	adopted   bool     // not created by onboard, taken over with --adopt-policy
	drift     []string // how the live document differs from the wanted one
	others    []string // the principals besides our sub-user that the policy is attached to
}

func (c policyCheck) summary() string {
	var s string
	switch {
	case c.adopted && len(c.drift) == 0:
		s = "adopted (taken over by name): marked as onboard's; its document already matched"
	case c.adopted:
		s = "adopted (taken over by name) and updated: " + strings.Join(c.drift, "; ")
	default:
		s = "updated (it had drifted: " + strings.Join(c.drift, "; ") + ")"
	}
	if len(c.others) > 0 {
		s += "; the change also applies to " + strings.Join(c.others, ", ")
	}
	return s
}

// checkPolicy compares an existing custom policy with the wanted document and decides, by its marker and
// --adopt-policy, whether it may be updated; a stranger's policy that differs is refused with who else
// holds it and the difference.
func (r *run) checkPolicy(ctx context.Context, p tencent.PolicySummary, want []byte) (policyCheck, error) {
	live, err := r.e.Cloud.GetPolicy(ctx, p.ID)
	if err != nil {
		return policyCheck{}, err
	}
	var c policyCheck
	drift, derr := policy.Diff([]byte(live.Document), want)
	changed := derr != nil || drift.Changed
	if derr != nil {
		c.drift = []string{"the live document cannot be read (" + derr.Error() + "); it is replaced whole"}
	} else {
		c.drift = drift.Lines
	}
	managed := policyManaged(live.Description)
	c.adopted = !managed && slices.Contains(r.req.AdoptPolicies, p.Name)
	if managed && !changed || !managed && !changed && !c.adopted {
		c.strangers = !managed
		return c, nil
	}
	if c.others, err = r.otherPrincipals(ctx, p.ID); err != nil {
		return policyCheck{}, err
	}
	if !managed && !c.adopted {
		return policyCheck{}, &PolicyOwnershipError{Policy: p.Name, Description: live.Description, Drift: c.drift, AttachedTo: c.others}
	}
	c.update = true
	return c, nil
}

// otherPrincipals names the principals a policy is attached to, other than our sub-user.
func (r *run) otherPrincipals(ctx context.Context, policyID uint64) ([]string, error) {
	entities, err := r.e.Cloud.ListEntitiesForPolicy(ctx, policyID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entities {
		switch {
		case e.Kind == "user" && r.user.UIN != 0 && e.UIN == r.user.UIN:
		case e.Kind == "user":
			out = append(out, fmt.Sprintf("sub-user %s (UIN %d)", e.Name, e.UIN))
		default:
			out = append(out, fmt.Sprintf("%s %s (ID %s)", e.Kind, e.Name, e.ID))
		}
	}
	return out, nil
}

// PolicyOwnershipError refuses to change a custom policy this tool did not create.
type PolicyOwnershipError struct {
	Policy, Description string
	Drift               []string // - granted now, + granted after the change
	AttachedTo          []string // the other principals the change would affect
}

func (e *PolicyOwnershipError) Error() string {
	holders := "no other principal"
	if len(e.AttachedTo) > 0 {
		holders = strings.Join(e.AttachedTo, ", ")
	}
	return fmt.Sprintf("policy %s exists and was not created by onboard (description %q), and onboard would change it:\n  %s\n"+
		"it is attached to %s. Take %s over by name (the change then applies to each of them), "+
		"or give its current document as its policy file to keep it as it is",
		e.Policy, e.Description, strings.Join(e.Drift, "\n  "), holders, e.Policy)
}

// ensureKey reuses our key if it is still active and its secret is in the store; otherwise it creates
// one and stores the secret at once, deleting the new key again if the store refuses it. Keys of this
// installation that the kept key supersedes (their secret was lost) are deleted only by the retire-keys
// step, once the new key is stored, verified and submitted: until then Security Center may still use one.
func (r *run) ensureKey(ctx context.Context) (map[string]string, error) {
	keys, err := r.e.Cloud.ListAccessKeys(ctx, r.user.UIN)
	if err != nil {
		return nil, err
	}
	stored, err := r.e.Secrets.Get(ctx, r.secret)
	if err != nil && !errors.Is(err, store.ErrSecretNotFound) {
		return nil, err
	}
	haveSecret := err == nil
	recorded := r.recordedKeyID(ctx)
	var others []keyOwnership
	for _, k := range keys {
		if haveSecret && k.ID == stored.SecretID && k.Status == "Active" {
			r.key = tencent.AccessKey{ID: k.ID, Secret: tencent.SecretKey(stored.SecretKey.Reveal()), Status: k.Status}
			continue
		}
		others = append(others, r.ownership(k, recorded))
	}
	r.superseded = nil
	for _, o := range others {
		if managed, _ := keyOwner(o.key.Description); o.ours {
			r.superseded = append(r.superseded, o.key)
		} else if managed {
			r.res.NextSteps = append(r.res.NextSteps, "API key "+tencent.MaskID(o.key.ID)+" of sub-user "+r.user.Name+" was "+o.why+
				"; onboard leaves it alone: if nothing uses it any more, delete it in the CAM console (Users > "+r.user.Name+" > API keys)")
		}
	}
	if r.key.ID != "" {
		r.res.Reused = append(r.res.Reused, "API key "+tencent.MaskID(r.key.ID))
		r.res.AccessKeyID, r.res.KeyStoredIn = r.key.ID, r.e.Secrets.Kind()
		return nil, nil
	}
	if len(keys) >= 2 {
		if err := r.freeKeySlot(ctx, others, recorded); err != nil {
			return nil, err
		}
	}
	k, err := creating(ctx, r.ledger, r.keyObject(""),
		func() (tencent.AccessKey, error) {
			return r.e.Cloud.CreateAccessKey(ctx, r.user.UIN, keyDescription(r.e.Installation))
		},
		func(k tencent.AccessKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	if err := r.e.Secrets.Put(ctx, r.secret, store.Credential{SecretID: k.ID, SecretKey: store.Secret(k.Secret.Reveal())}); err != nil {
		// Tencent shows a secret once: a key whose secret we could not keep is useless, so remove it. The
		// keys it was to replace are untouched.
		if derr := r.deleteKey(context.WithoutCancel(ctx), k.ID); derr != nil {
			return nil, fmt.Errorf("store the new key: %w; deleting the key %s again also failed: %v (delete it in the CAM console)", err, tencent.MaskID(k.ID), derr)
		}
		return nil, fmt.Errorf("store the new key (the key was deleted again; the sub-user's other keys are untouched): %w", err)
	}
	r.key = k
	r.res.Created = append(r.res.Created, "API key "+tencent.MaskID(k.ID))
	r.res.AccessKeyID, r.res.KeyStoredIn = k.ID, r.e.Secrets.Kind()
	return map[string]string{idCreatedKey: k.ID, idSecretItem: r.secret, idUserUIN: fmt.Sprint(r.user.UIN)}, nil
}

// keyOwnership is what this installation may do with a key of the sub-user whose secret it does not hold.
type keyOwnership struct {
	key tencent.AccessKey
	// ours: this installation created it and lost its secret, so it may delete it.
	ours bool
	// why explains a key this installation must leave alone.
	why string
}

// ownership classifies a key: this installation's (its marker names it, or a legacy-marked key that
// this installation's account record names), another installation's, or not onboard's at all.
func (r *run) ownership(k tencent.AccessKey, recorded string) keyOwnership {
	managed, installation := keyOwner(k.Description)
	switch {
	case !managed:
		return keyOwnership{key: k, why: "not created by onboard"}
	case installation == r.e.Installation, installation == "" && k.ID == recorded:
		return keyOwnership{key: k, ours: true}
	case installation == "":
		return keyOwnership{key: k, why: "created by an earlier onboard that did not name its installation; another machine or ONBOARD_HOME may hold its secret"}
	}
	return keyOwnership{key: k, why: "created by onboard installation " + installation + ", another machine or ONBOARD_HOME, which holds its secret"}
}

// recordedKeyID is the key this installation's account record names ("" without a record).
func (r *run) recordedKeyID(ctx context.Context) string {
	a, err := r.e.DB.Account(ctx, r.res.Account)
	if err != nil || a.SubUserName != r.user.Name {
		return ""
	}
	return a.AccessKeyID
}

// freeKeySlot makes room for a new key when the sub-user has CAM's two: it deletes one of this
// installation's keys whose secret is lost, but never the one Security Center was given (the account
// record's), which goes only once its replacement is in place. Anything else is explained.
func (r *run) freeKeySlot(ctx context.Context, others []keyOwnership, recorded string) error {
	for _, inactiveFirst := range []bool{true, false} {
		for _, o := range others {
			if !o.ours || o.key.ID == recorded || (inactiveFirst && o.key.Status == "Active") {
				continue
			}
			if err := r.deleteKey(ctx, o.key.ID); err != nil && !errors.Is(err, tencent.ErrNotFound) {
				return fmt.Errorf("delete key %s, which an interrupted run created but whose secret was lost: %w", tencent.MaskID(o.key.ID), err)
			}
			r.res.Created = append(r.res.Created, "deleted orphaned API key "+tencent.MaskID(o.key.ID)+" (an earlier run of this installation lost its secret)")
			r.superseded = slices.DeleteFunc(r.superseded, func(k tencent.AccessKey) bool { return k.ID == o.key.ID })
			return nil
		}
	}
	var lines []string
	for _, o := range others {
		if o.ours {
			lines = append(lines, tencent.MaskID(o.key.ID)+": this installation's, the key Security Center was given; its secret is lost here, so it is replaced once a new key works")
		} else {
			lines = append(lines, tencent.MaskID(o.key.ID)+": "+o.why)
		}
	}
	return fmt.Errorf("sub-user %s already has two API keys, Tencent Cloud's limit, and this installation holds the secret of neither:\n  - %s\n"+
		"onboard never deletes a key another installation or person may use. Run onboard where that key's secret is kept, or, if it is no longer used, "+
		"delete it in the CAM console (Users > %s > API keys), then run again: %w", r.user.Name, strings.Join(lines, "\n  - "), r.user.Name, tencent.ErrKeyLimit)
}

// retireKeys deletes this installation's keys that the run's key replaced (their secrets were lost), now
// that the new key is stored, verified and, unless skipped, submitted to Security Center.
func (r *run) retireKeys(ctx context.Context) (map[string]string, error) {
	for _, k := range r.superseded {
		if err := r.deleteKey(ctx, k.ID); err != nil && !errors.Is(err, tencent.ErrNotFound) {
			return nil, fmt.Errorf("delete key %s, which %s replaced: %w", tencent.MaskID(k.ID), tencent.MaskID(r.key.ID), err)
		}
		r.res.Created = append(r.res.Created, "deleted API key "+tencent.MaskID(k.ID)+" (this installation had lost its secret; replaced by "+tencent.MaskID(r.key.ID)+")")
	}
	return nil, nil
}

// keyDeleter is what deleting a sub-user's key needs.
type keyDeleter interface {
	DeleteAccessKey(ctx context.Context, userUIN uint64, keyID string) error
	UpdateAccessKey(ctx context.Context, userUIN uint64, keyID, status string) error
}

// deleteKey deletes a sub-user's key. CAM's documentation does not say whether an active key can be
// deleted; when CAM refuses, the key is disabled, then deleted.
func deleteKey(ctx context.Context, cloud keyDeleter, userUIN uint64, keyID string) error {
	err := cloud.DeleteAccessKey(ctx, userUIN, keyID)
	if !refusal(err) {
		return err
	}
	if derr := cloud.UpdateAccessKey(ctx, userUIN, keyID, "Inactive"); derr != nil {
		return fmt.Errorf("%w; disabling the key first failed too: %v", err, derr)
	}
	if err := cloud.DeleteAccessKey(ctx, userUIN, keyID); err != nil {
		return fmt.Errorf("delete key %s once disabled: %w", tencent.MaskID(keyID), err)
	}
	return nil
}

// refusal reports whether err is CAM's answer refusing the call (not a missing key, a rejected
// credential or a transport failure).
func refusal(err error) bool {
	var api *tencent.APIError
	return errors.As(err, &api) && !errors.Is(err, tencent.ErrNotFound) && !errors.Is(err, tencent.ErrAuth) &&
		!errors.Is(err, tencent.ErrUnavailable) && !errors.Is(err, tencent.ErrThrottled)
}

// keyObject names a key of the sub-user for the ledger.
func (r *run) keyObject(id string) object {
	return object{Kind: kindKey, Parent: fmt.Sprint(r.user.UIN), ID: id,
		Attrs: map[string]string{attrUserName: r.user.Name, attrSecretItem: r.secret}}
}

// deleteKey deletes a key of the sub-user that is of no use (its secret is lost), through the ledger,
// and marks it deleted there.
func (r *run) deleteKey(ctx context.Context, id string) error {
	del := func() error { return deleteKey(ctx, r.e.Cloud, r.user.UIN, id) }
	if err := changing(ctx, r.ledger, store.LedgerDelete, r.keyObject(id), del); err != nil {
		return err
	}
	return r.ledger.forgetDeleted(ctx, kindKey, id)
}

// verify checks the new key: its identity, then one read per feature that this version can probe. CAM
// applies a new key or grant only after a while (its cache), so every probe that CAM refuses is tried
// again until Engine.PropagationWait has passed since the first. The probes read different services
// and wait on nothing of each other, so they run at once, as does the operator's region lookup that the
// host probe needs.
func (r *run) verify(ctx context.Context) (map[string]string, error) {
	v, err := r.e.NewVerifier(tencent.Credential{SecretID: r.key.ID, SecretKey: r.key.Secret})
	if err != nil {
		return nil, err
	}
	wait := r.newCAMWait()
	host := slices.Contains(r.req.Features, policy.FeatureHost)
	var regions []tencent.Region
	var regionsErr error
	var lookup sync.WaitGroup
	if host {
		// The operator's key finds a region; the new key must then be able to list its hosts.
		lookup.Go(func() { regions, regionsErr = r.e.Cloud.Regions(ctx, "cvm") })
	}
	var id tencent.Identity
	err = wait.until(ctx, refusedByCAM, func() (err error) { id, err = v.CallerIdentity(ctx); return err })
	lookup.Wait()
	if err != nil {
		return nil, fmt.Errorf("the new key does not work: %w", err)
	}
	if id.UserUIN != fmt.Sprint(r.user.UIN) {
		return nil, fmt.Errorf("the new key identifies as %s, not sub-user %d", id.UserUIN, r.user.UIN)
	}
	r.res.Verified = append(r.res.Verified, "identity of the new key")
	var hostErr, consumerErr, kafkaErr error
	var probes sync.WaitGroup
	if host {
		probes.Go(func() {
			hostErr = regionsErr
			if hostErr == nil && len(regions) > 0 {
				hostErr = wait.until(ctx, refusedByCAM, func() error { _, err := v.ListCVMInstances(ctx, regions[0].ID, 0, 1); return err })
			}
		})
	}
	if r.audit != nil {
		probes.Go(func() {
			consumerErr = wait.until(ctx, refusedByCAM, func() error { _, err := v.GetKafkaConsumer(ctx, r.audit.Region, r.audit.TopicID); return err })
			if consumerErr == nil && r.req.VerifyKafka {
				kafkaErr = r.verifyKafka(ctx, wait)
			}
		})
	}
	probes.Wait()
	if host {
		if hostErr != nil {
			return nil, fmt.Errorf("the new key cannot read hosts: %w", hostErr)
		}
		r.res.Verified = append(r.res.Verified, "host: cvm:DescribeInstances")
	}
	if r.audit != nil {
		if consumerErr != nil {
			return nil, fmt.Errorf("the new key cannot read the audit topic's Kafka consumption: %w", consumerErr)
		}
		r.res.Verified = append(r.res.Verified, "audit: cls:DescribeKafkaConsumer on topic "+r.audit.TopicID)
		if r.req.VerifyKafka {
			if kafkaErr != nil {
				return nil, fmt.Errorf("the new key cannot log in to the audit logs' Kafka address %s: %w", r.audit.BootstrapServers, kafkaErr)
			}
			r.res.Verified = append(r.res.Verified, "audit: Kafka login to "+r.audit.BootstrapServers+" as logset "+r.audit.LogsetID)
		}
	}
	return nil, nil
}

// record saves the account; it holds no secret, only the name of its secret store item.
func (r *run) record(ctx context.Context) (map[string]string, error) {
	a := store.Account{Name: r.res.Account, OwnerUIN: r.id.OwnerUIN, SubUserName: r.user.Name, SubUserUIN: fmt.Sprint(r.user.UIN),
		AccessKeyID: r.key.ID, SecretItem: r.secret, SecretStore: r.e.Secrets.Kind(), Features: r.req.Features, Grants: r.req.grantNames()}
	var ids map[string]string
	old, err := r.e.DB.Account(ctx, a.Name)
	switch {
	case err == nil:
		a.DisplayName, a.Site, a.Regions, a.AuthID = old.DisplayName, old.Site, old.Regions, old.AuthID
		a.MemberRole = old.MemberRole // a run in the member with its own key still reaches it so from here
	case errors.Is(err, store.ErrNotFound):
		ids = map[string]string{idCreatedAccount: a.Name}
	default:
		return nil, err
	}
	if r.e.MemberRole != "" {
		a.MemberRole = r.e.MemberRole
	}
	r.recordSecurityCenter(&a)
	r.recordAudit(&a)
	a.CreatedAt, a.UpdatedAt = old.CreatedAt, old.UpdatedAt
	r.did = !reflect.DeepEqual(a, old)
	return ids, r.e.DB.SaveAccount(ctx, a)
}
