package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"onboard/inventory"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// SyncResult is the first asset sync: what Security Center was asked to sync and what our own inventory
// found, per kind. A partial sync is reported here; it does not fail the onboarding.
type SyncResult struct {
	// SecurityCenter lists the asset types Security Center was asked to synchronise (ecs, cloud_product).
	SecurityCenter []string `json:"security_center_refreshed,omitempty"`
	// Counts are the assets found per kind (e.g. cvm.instance).
	Counts map[string]int `json:"counts"`
	// Regions are the regions synced; empty means every region.
	Regions []string `json:"regions,omitempty"`
	// Partial: some kind or region failed (Failed says which and why), or a request to Security Center did.
	Partial bool     `json:"partial"`
	Failed  []string `json:"failed,omitempty"`
	// Earlier is when an earlier run did the first sync; Counts are then that sync's.
	Earlier *time.Time `json:"earlier,omitempty"`
}

// featureAssets maps a feature to the asset type Security Center synchronises for it.
var featureAssets = map[string]securitycenter.AssetKind{
	policy.FeatureHost: securitycenter.AssetsHosts,
	policy.FeatureCSPM: securitycenter.AssetsCloudServices,
}

// syncPending splits the kinds of the features into those an earlier sync of the account already
// listed (whether or not every region succeeded) and those it did not, and returns the earlier outcomes.
func (r *run) syncPending(ctx context.Context, kinds []string) (pending []string, earlier []store.SyncOutcome, err error) {
	outcomes, err := r.e.DB.SyncOutcomes(ctx, r.res.Account)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range kinds {
		done := false
		for _, o := range outcomes {
			// Any outcome counts: what failed then is for `onboard sync` to retry, not for a re-run.
			if o.Kind == k {
				done = true
				earlier = append(earlier, o)
			}
		}
		if !done {
			pending = append(pending, k)
		}
	}
	return pending, earlier, nil
}

// syncKinds are the kinds of features that the sub-user's grants allow listing: those the account
// record keeps, or else those this request attaches.
func (r *run) syncKinds(features []string) []string {
	grants := r.grants
	if len(grants) == 0 {
		grants = r.req.grantNames()
	}
	return inventory.KindsForGrants(features, grants)
}

// firstSync asks Security Center to synchronise the chosen features' assets and lists them into our own
// inventory with the new key. Kinds an earlier run already synced are not synced again, so a re-run
// makes no call here.
func (r *run) firstSync(ctx context.Context) (map[string]string, error) {
	if r.req.SkipSync {
		return nil, nil
	}
	kinds := r.syncKinds(r.req.Features)
	pending, earlier, err := r.syncPending(ctx, kinds)
	if err != nil {
		return nil, err
	}
	res := &SyncResult{Counts: map[string]int{}}
	if !r.req.allRegions() {
		res.Regions = r.req.Regions
	}
	r.res.FirstSync = res
	if len(pending) == 0 {
		var last time.Time
		for _, o := range earlier {
			res.Counts[o.Kind] += o.Seen
			if o.At.After(last) {
				last = o.At
			}
		}
		if len(earlier) > 0 {
			res.Earlier = &last
			r.res.Reused = append(r.res.Reused, "first asset sync of "+last.Format(time.RFC3339))
		}
		return nil, nil
	}
	// Security Center's refreshes and our own listing read the same assets and wait on nothing of each
	// other's, so they run at once; the refreshes' outcomes are reported first, as they were asked first.
	refreshes := r.startRefreshes(ctx, pending)
	if r.e.NewInventory == nil {
		if err := refreshes.wait(res); err != nil {
			return nil, err
		}
		res.Partial = true
		res.Failed = append(res.Failed, "inventory: no client for the new key")
		return nil, nil
	}
	cloud, err := r.e.NewInventory(tencent.Credential{SecretID: r.key.ID, SecretKey: r.key.Secret})
	if err != nil {
		refreshes.wait(res)
		return nil, err
	}
	cloud = r.withoutRegionService(cloud)
	// Regions chosen for Security Center may include some this account does not use: those are left out.
	out, err := inventory.Sync(ctx, cloud, r.e.DB, inventory.Options{Account: r.res.Account, Kinds: pending,
		Regions: res.Regions, SkipUnofferedRegions: true, Unlimited: r.e.InventoryUnlimited, Progress: r.progress})
	if rerr := refreshes.wait(res); rerr != nil {
		return nil, rerr
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if missing := out.UnofferedRegions; len(missing) > 0 {
		res.Regions = slices.DeleteFunc(slices.Clone(res.Regions), func(reg string) bool { return slices.Contains(missing, reg) })
		r.res.Verified = append(r.res.Verified, "first sync: Tencent Cloud offers this account none of the products synced in "+strings.Join(missing, ", "))
	}
	for k, n := range out.Counts() {
		res.Counts[k] += n
	}
	for _, o := range earlier {
		res.Counts[o.Kind] += o.Seen
	}
	if err != nil {
		res.Partial = true
		failed := out.Failed()
		for _, o := range failed {
			where := o.Kind
			if o.Region != "" {
				where += " in " + o.Region
			}
			res.Failed = append(res.Failed, fmt.Sprintf("%s: %v", where, o.Err))
		}
		if len(failed) == 0 {
			res.Failed = append(res.Failed, err.Error())
		}
	}
	r.res.Verified = append(r.res.Verified, "first sync: "+countsText(res.Counts))
	return nil, nil
}

// refreshes are Security Center's asset syncs of one first sync, running.
type refreshes struct {
	wg    sync.WaitGroup
	ctx   context.Context
	kinds []securitycenter.AssetKind
	errs  []error
}

// startRefreshes asks Security Center, when the account was submitted to it, to synchronise the assets
// of each feature that has pending kinds, through the ledger; the calls run in the background.
func (r *run) startRefreshes(ctx context.Context, pending []string) *refreshes {
	rs := &refreshes{ctx: ctx}
	if !r.sc.submitted {
		return rs
	}
	for _, f := range r.req.Features {
		kind, ok := featureAssets[f]
		if !ok || !slices.ContainsFunc(r.syncKinds([]string{f}), func(k string) bool { return slices.Contains(pending, k) }) {
			continue
		}
		rs.kinds = append(rs.kinds, kind)
	}
	rs.errs = make([]error, len(rs.kinds))
	for i, kind := range rs.kinds {
		// As changing does, with the intents recorded here, in order, before the calls run at once.
		w := object{Kind: kindSCRefresh, Name: string(kind)}
		e, err := r.ledger.intend(ctx, store.LedgerChange, w)
		if err != nil {
			rs.errs[i] = err
			continue
		}
		rs.wg.Go(func() {
			err := r.e.SecurityCenter.RefreshAssets(ctx, securitycenter.VendorTencent, kind)
			if serr := r.ledger.settle(ctx, e, w.ID, err); serr != nil && err == nil {
				err = serr
			}
			rs.errs[i] = err
		})
	}
	return rs
}

// wait waits for the refreshes and reports them in res, in the order they were asked; it returns the
// context's error when the run was cancelled.
func (rs *refreshes) wait(res *SyncResult) error {
	rs.wg.Wait()
	for i, kind := range rs.kinds {
		if err := rs.errs[i]; err != nil {
			if rs.ctx.Err() != nil {
				return err
			}
			res.Partial = true
			res.Failed = append(res.Failed, fmt.Sprintf("Security Center %s sync: %v", kind, err))
			continue
		}
		res.SecurityCenter = append(res.SecurityCenter, string(kind))
	}
	return nil
}

// withoutRegionService makes the first sync ask each product for its regions directly when the
// sub-user's grants leave the region service out, as the host and CSPM grants do: asking it first would
// be a refused call per product before the listing could start.
func (r *run) withoutRegionService(cloud inventory.Cloud) inventory.Cloud {
	grants := r.grants
	if len(grants) == 0 {
		grants = r.req.grantNames()
	}
	direct, ok := cloud.(productRegioner)
	if !ok || policy.GrantsAllow(grants, "region:DescribeRegions") {
		return cloud
	}
	return productRegionsCloud{Cloud: cloud, direct: direct}
}

// productRegioner lists a product's regions with the product's own API.
type productRegioner interface {
	ProductRegions(ctx context.Context, product string) ([]tencent.Region, error)
}

// productRegionsCloud is an inventory client whose Regions skip the region service.
type productRegionsCloud struct {
	inventory.Cloud
	direct productRegioner
}

func (c productRegionsCloud) Regions(ctx context.Context, product string) ([]tencent.Region, error) {
	return c.direct.ProductRegions(ctx, product)
}

func countsText(counts map[string]int) string {
	var parts []string
	for _, k := range inventory.KindNames() {
		if n, ok := counts[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "no assets"
	}
	return strings.Join(parts, ", ")
}

// planFirstSync says what firstSync would do, reading only.
func (r *run) planFirstSync(ctx context.Context) ([]Change, error) {
	if r.req.SkipSync {
		return nil, nil
	}
	kinds := r.syncKinds(r.req.Features)
	pending, _, err := r.syncPending(ctx, kinds)
	if err != nil {
		return nil, err
	}
	if len(pending) == 0 {
		return []Change{{Op: OpReuse, Object: ObjectFirstSync, Name: strings.Join(kinds, ", "), Detail: "an earlier run synced them"}}, nil
	}
	var out []Change
	if r.req.SecurityCenter == SecurityCenterSubmit {
		for _, f := range r.req.Features {
			if kind, ok := featureAssets[f]; ok {
				out = append(out, Change{Op: OpSync, Object: ObjectFirstSync, Name: "Security Center " + string(kind)})
			}
		}
	}
	return append(out, Change{Op: OpSync, Object: ObjectFirstSync, Name: strings.Join(pending, ", "), Detail: "into the local inventory"}), nil
}

// FirstSync runs the first asset sync of an account the engine has onboarded (by its record's name), on
// its own: for a face that shows it on a screen of its own, with progress per (kind, region). It is the
// same step Apply runs unless the request skips it (Security Center's refresh when the account was
// submitted, then our inventory with the stored key), so kinds an earlier sync listed are not listed
// again. It needs no call with the operator's key, which may be retired by then.
func (e *Engine) FirstSync(ctx context.Context, account string, req Request, progress func(inventory.Progress)) (SyncResult, error) {
	req.SkipSync = false
	if err := req.Validate(); err != nil {
		return SyncResult{}, err
	}
	r := &run{e: e, req: req, emit: func(Event) {}, progress: progress}
	r.res.Account = account
	release, err := e.lockRecorded(ctx, account, "first sync", store.LockShared)
	if err != nil {
		return SyncResult{}, err
	}
	defer release()
	acct, err := e.DB.Account(ctx, r.res.Account)
	if err != nil {
		return SyncResult{}, fmt.Errorf("account %q is not onboarded yet: %w", r.res.Account, err)
	}
	cred, err := e.Secrets.Get(ctx, acct.SecretItem)
	if err != nil {
		return SyncResult{}, fmt.Errorf("read the key of %q from the %s secret store: %w", acct.Name, e.Secrets.Kind(), err)
	}
	r.key = tencent.AccessKey{ID: cred.SecretID, Secret: tencent.SecretKey(cred.SecretKey.Reveal())}
	r.grants = acct.Grants
	r.sc.submitted = acct.AuthID != "" && req.SecurityCenter == SecurityCenterSubmit && e.SecurityCenter != nil
	// Security Center's refresh is a mutating call: it goes into the ledger under a run of its own.
	if r.journal, err = e.DB.StartRun(ctx, account, "first-sync"); err != nil {
		return SyncResult{}, err
	}
	r.ledger = ledger{db: e.DB, account: account, runID: r.journal.ID}
	if _, err := r.firstSync(ctx); err != nil {
		e.DB.FinishRun(context.WithoutCancel(ctx), r.journal.ID, store.RunFailed)
		return SyncResult{}, err
	}
	return *r.res.FirstSync, e.DB.FinishRun(ctx, r.journal.ID, store.RunDone)
}

// AssetRefresher is what RefreshSecurityCenter needs of Security Center.
type AssetRefresher interface {
	RefreshAssets(ctx context.Context, vendor securitycenter.Vendor, kind securitycenter.AssetKind) error
}

// SecurityCenterSync is the outcome of asking Security Center to synchronise an account's assets, the
// console's "Synchronize assets".
type SecurityCenterSync struct {
	// Requested are the asset types Security Center accepted to synchronise (ecs, cloud_product).
	Requested []string `json:"requested"`
	// Failed says, per asset type, why a request failed.
	Failed []string `json:"failed,omitempty"`
}

// RefreshSecurityCenter asks Security Center to synchronise the asset types of the features (hosts for
// host, cloud products for cspm), each on its own: one that fails is reported and the other still asked.
func RefreshSecurityCenter(ctx context.Context, sc AssetRefresher, features []string) (SecurityCenterSync, error) {
	out := SecurityCenterSync{Requested: []string{}}
	for _, f := range features {
		kind, ok := featureAssets[f]
		if !ok {
			continue
		}
		if err := sc.RefreshAssets(ctx, securitycenter.VendorTencent, kind); err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			out.Failed = append(out.Failed, fmt.Sprintf("%s: %v", kind, err))
			continue
		}
		out.Requested = append(out.Requested, string(kind))
	}
	return out, nil
}
