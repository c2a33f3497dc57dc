package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// SyncOptions are the inputs of `onboard sync`.
type SyncOptions struct {
	f           *Factory
	Account     string
	All         bool
	Regions     string
	Kinds       string
	Concurrency int
	// ConcurrencySet says --concurrency was given: with several accounts, it then caps them all together.
	ConcurrencySet bool
	// AccountsConcurrency caps the accounts synced at once; 0 syncs them all at once.
	AccountsConcurrency int
	Endpoint            string
	Insecure            bool
	Rates               string
	// LocalOnly leaves Security Center's sync out; SecurityCenterOnly leaves the local inventory out.
	LocalOnly, SecurityCenterOnly bool
	AlibabaProfile                string
	SecurityCenterEndpoint        string
	// Wait is how long to wait for an onboarding of the account to finish; 0 refuses at once.
	Wait time.Duration
}

func newCmdSync(f *Factory) *cobra.Command {
	opts := &SyncOptions{f: f}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Synchronise an onboarded account's assets into the local inventory",
		Long: `Synchronise an onboarded account's assets (hosts, and the cloud products CSPM reads) into the local
inventory with the account's stored key, as fast as Tencent Cloud's per-action rate limits allow. Assets
no longer listed are marked gone, not deleted. See them with onboard assets list.

For an account onboard submitted to Security Center, it also asks Security Center to synchronise the
account's hosts and cloud products (the console's "Synchronize assets"), reported on its own; this needs
Alibaba Cloud credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or --alibaba-profile).
--local-only and --security-center-only choose one of the two.

Kinds: ` + strings.Join(inventory.KindNames(), ", ") + `.
A region or kind that fails, or a Security Center request, is reported and the rest is kept (exit code 3).
A key Tencent Cloud rejects for every kind exits 4.

With --all, the accounts are synced at once, each within its own rate limits (Tencent Cloud's limits are
per account); --accounts-concurrency caps how many run at once, and --concurrency the requests in flight
over all of them. An account that fails (its key unreadable or rejected, its lock held) is reported and
the others are synced (exit code 3). On a terminal, each account has a line; Enter shows its kinds.

Syncs of one account may run side by side; an onboarding or rollback of it may not. During one, sync
refuses at once, or waits up to --wait for it to finish.`,
		Example: "  onboard sync --account prod\n  onboard sync --all --kinds cvm.instance,lighthouse.instance --regions ap-guangzhou,ap-shanghai",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.ConcurrencySet = c.Flags().Changed("concurrency")
			return syncRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Account, "account", "", "the onboarded account to sync (see onboard accounts list)")
	fl.BoolVar(&opts.All, "all", false, "sync every onboarded account")
	fl.StringVar(&opts.Regions, "regions", "", "comma-separated regions, or all; default: the account's regions")
	fl.StringVar(&opts.Kinds, "kinds", "", "comma-separated kinds; default: those of the account's features")
	fl.IntVar(&opts.Concurrency, "concurrency", inventory.DefaultConcurrency, "most requests in flight, over every account synced; 1 sends one request at a time, pages in order (with several accounts, the default is 32 per account synced at once)")
	fl.IntVar(&opts.AccountsConcurrency, "accounts-concurrency", 0, "most accounts synced at once; 0 syncs every account at once")
	fl.StringVar(&opts.Rates, "rates", "published", "client-side rate limits: published (Tencent's per-action limits), off, or overrides such as cvm:DescribeInstances=20,cbs:DescribeDisks=50")
	fl.StringVar(&opts.Endpoint, "tencent-endpoint", "", "send Tencent Cloud calls to this http(s)://HOST[:PORT] (env ONBOARD_TENCENT_ENDPOINT)")
	fl.BoolVar(&opts.Insecure, "insecure-storage", false, "the keys are in the file store ($ONBOARD_HOME/secrets.json); only for accounts onboarded before onboard recorded the store")
	fl.BoolVar(&opts.LocalOnly, "local-only", false, "sync only the local inventory, not Security Center")
	fl.BoolVar(&opts.SecurityCenterOnly, "security-center-only", false, "only ask Security Center to synchronise the account's assets")
	fl.StringVar(&opts.AlibabaProfile, "alibaba-profile", "", "aliyun CLI profile with the Alibaba Cloud credentials for Security Center")
	fl.StringVar(&opts.SecurityCenterEndpoint, "security-center-endpoint", "", "send Security Center calls to this http(s)://HOST[:PORT] (env ONBOARD_SECURITY_CENTER_ENDPOINT)")
	fl.DurationVar(&opts.Wait, "wait", 0, "wait this long (e.g. 10m) for an onboarding or rollback of the account to finish, instead of refusing at once")
	addSandboxFlag(cmd, f)
	return cmd
}

// syncReport is what `onboard sync` prints for one account.
type syncReport struct {
	Account  string            `json:"account"`
	Assets   int               `json:"assets"`
	Written  int               `json:"rows_written"`
	Counts   map[string]int    `json:"counts"`
	Outcomes []syncOutcomeView `json:"outcomes"`
	Failed   []syncOutcomeView `json:"failed"`
	// Skipped are the account's regions no synced product is offered in.
	Skipped  []string `json:"skipped_regions,omitempty"`
	Duration string   `json:"duration"`
	// SecurityCenter is Security Center's sync of a submitted account; nil when it was not asked.
	SecurityCenter *securityCenterSyncView `json:"security_center,omitempty"`
	// Error is why the account was not synced at all (with --all, the others were).
	Error    string `json:"error,omitempty"`
	outcomes []inventory.Outcome
}

// securityCenterSyncView is the outcome of asking Security Center to synchronise an account's assets.
type securityCenterSyncView struct {
	onboarding.SecurityCenterSync
	// NotAsked says why Security Center was not asked (no Alibaba Cloud credentials).
	NotAsked string `json:"not_asked,omitempty"`
}

// errSecurityCenterPartial marks an account whose Security Center sync request failed.
var errSecurityCenterPartial = errors.New("security center's sync was partly done")

type syncOutcomeView struct {
	Kind     string `json:"kind"`
	Region   string `json:"region"`
	Status   string `json:"status"`
	Seen     int    `json:"seen"`
	Inserted int    `json:"inserted"`
	Updated  int    `json:"updated"`
	Gone     int    `json:"gone"`
	Error    string `json:"error,omitempty"`
}

func syncRun(ctx context.Context, opts *SyncOptions) error {
	f := opts.f
	if opts.Concurrency < 1 {
		return Usagef("invalid --concurrency %d: must be 1 or more", opts.Concurrency)
	}
	if opts.AccountsConcurrency < 0 {
		return Usagef("invalid --accounts-concurrency %d: must be 0 (every account at once) or more", opts.AccountsConcurrency)
	}
	if opts.All && opts.Account != "" {
		return Usagef("--account and --all cannot be used together")
	}
	if opts.LocalOnly && opts.SecurityCenterOnly {
		return Usagef("--local-only and --security-center-only cannot be used together")
	}
	var kinds []string
	if opts.Kinds != "" {
		for _, k := range splitList(opts.Kinds) {
			if !slices.Contains(inventory.KindNames(), k) {
				return Usagef("invalid --kinds: unknown kind %q; valid kinds are %s", k, strings.Join(inventory.KindNames(), ", "))
			}
			kinds = append(kinds, k)
		}
	}
	rates, unlimited, err := parseRates(opts.Rates)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts, err := accountsToSync(ctx, db, opts)
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := int64(inventory.MemoryLimit)
		if len(accounts) > 1 && opts.AccountsConcurrency != 1 {
			limit = inventory.AccountsMemoryLimit
		}
		debug.SetMemoryLimit(limit)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	names := make([]string, len(accounts))
	for i, a := range accounts {
		names[i] = a.Name
	}
	// One account alone, or an explicit --concurrency, is capped as asked; several accounts without it
	// get the default per account synced at once, so that each can use its own rate limits.
	concurrency := opts.Concurrency
	if len(accounts) > 1 && !opts.ConcurrencySet {
		concurrency = 0
	}
	progress := newSyncProgress(f, names, cancel)
	reports := make([]*syncReport, len(accounts))
	limits := inventory.Options{Rates: rates, Unlimited: unlimited}
	errs := inventory.SyncAccounts(ctx, len(accounts), inventory.AccountsOptions{Concurrency: concurrency, Accounts: opts.AccountsConcurrency},
		func(ctx context.Context, i int, gate func(inventory.Cloud) inventory.Cloud, concurrency int) error {
			a := accounts[i]
			limits := limits
			limits.Concurrency, limits.Progress = concurrency, progress.update(a.Name)
			var err error
			reports[i], err = syncOneAccount(ctx, f, db, a, opts, kinds, limits, gate)
			progress.accountEnded(a.Name, err)
			return err
		})
	progress.stop()
	var out []syncReport
	var failures []error
	synced := 0
	for i, a := range accounts {
		err, report := errs[i], reports[i]
		if report != nil {
			out = append(out, *report)
		}
		switch {
		case err == nil:
			synced++
		case errors.Is(err, inventory.ErrPartial) || errors.Is(err, errSecurityCenterPartial):
			synced++
			failures = append(failures, fmt.Errorf("%s: %w", a.Name, err))
		case len(accounts) == 1:
			return err
		default:
			// With several accounts, one that fails (its key unreadable or rejected, its lock held) is
			// reported and the others are synced.
			failures = append(failures, fmt.Errorf("%s: %w", a.Name, err))
			if report == nil {
				out = append(out, syncReport{Account: a.Name, Error: store.Scrub(err.Error()), Counts: map[string]int{}, Outcomes: []syncOutcomeView{}, Failed: []syncOutcomeView{}})
			}
		}
	}
	if f.JSON() {
		if err := writeJSON(f.IO.Out, out); err != nil {
			return err
		}
	} else {
		for _, r := range out {
			printSyncReport(f.IO.Out, r)
		}
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case len(failures) > 0 && synced == 0:
		return errors.Join(failures...) // nothing was synced: not even partly done
	case len(failures) > 0:
		return &PartialError{Err: errors.Join(failures...)}
	}
	return nil
}

// syncOneAccount syncs one account's local inventory, then asks Security Center to sync it. Its
// Tencent Cloud calls go through gate, which caps the requests in flight over every account.
func syncOneAccount(ctx context.Context, f *Factory, db *store.DB, a store.Account, opts *SyncOptions, kinds []string, limits inventory.Options, gate func(inventory.Cloud) inventory.Cloud) (*syncReport, error) {
	report := &syncReport{Account: a.Name, Counts: map[string]int{}, Outcomes: []syncOutcomeView{}, Failed: []syncOutcomeView{}}
	var err error
	if !opts.SecurityCenterOnly {
		report, err = syncAccount(ctx, f, db, a, opts, kinds, limits, gate)
	}
	// Security Center is asked once the local sync finished, even partly: its outcome is its own.
	if !opts.LocalOnly && report != nil && (err == nil || errors.Is(err, inventory.ErrPartial)) {
		if scErr := syncSecurityCenter(ctx, f, opts, a, report); errors.Is(scErr, errSecurityCenterPartial) {
			err = errors.Join(err, scErr)
		} else if scErr != nil {
			err = scErr
		}
	}
	return report, err
}

func accountsToSync(ctx context.Context, db *store.DB, opts *SyncOptions) ([]store.Account, error) {
	if opts.Account != "" {
		a, err := db.Account(ctx, opts.Account)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--account %q: %w; see onboard accounts list", opts.Account, err)}
		}
		return []store.Account{a}, nil
	}
	all, err := db.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case len(all) == 0:
		return nil, Usagef("no onboarded account: run onboard tencent first")
	case opts.All || len(all) == 1:
		return all, nil
	}
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return nil, Usagef("several accounts are onboarded: choose one with --account (%s) or sync them all with --all", strings.Join(names, ", "))
}

func syncAccount(ctx context.Context, f *Factory, db *store.DB, a store.Account, opts *SyncOptions, kinds []string, limits inventory.Options, gate func(inventory.Cloud) inventory.Cloud) (*syncReport, error) {
	release, err := db.AcquireRunLock(ctx, store.RunLock{OwnerUIN: a.OwnerUIN, Account: a.Name, SubUser: a.SubUserName, Purpose: "sync",
		Mode: store.LockShared, Wait: opts.Wait})
	var held *store.LockHeldError
	if errors.As(err, &held) && held.Holder.OnThisHost() {
		return nil, fmt.Errorf("%w (sync --wait 10m waits for it)", err)
	}
	if err != nil {
		return nil, err
	}
	defer release()
	cred, err := syncCredential(ctx, f, a, opts.Insecure)
	if err != nil {
		return nil, err
	}
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint = f.Getenv(envTencentEndpoint)
	}
	rememberTencent(cred)
	cloud, err := tencent.New(tencent.Options{Credential: cred, Endpoint: endpoint, Logger: f.Logger})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if len(kinds) == 0 {
		kinds = inventory.AccountKinds(a)
	}
	if len(kinds) == 0 {
		return nil, Usagef("account %q has no feature with assets (features: %s); choose kinds with --kinds", a.Name, strings.Join(a.Features, ", "))
	}
	regions := a.Regions
	switch {
	case opts.Regions == "all":
		regions = nil
	case opts.Regions != "":
		regions = splitList(opts.Regions)
	}
	start := time.Now()
	// The account's regions were chosen in Security Center, which lists regions this account may not
	// use: those are skipped and named. Regions given with --regions must all exist.
	res, err := inventory.Sync(ctx, gate(cloud), db, inventory.Options{Account: a.Name, Kinds: kinds, Regions: regions,
		SkipUnofferedRegions: opts.Regions == "", Concurrency: limits.Concurrency, Rates: limits.Rates, Unlimited: limits.Unlimited,
		Progress: limits.Progress})
	if err != nil && !errors.Is(err, inventory.ErrPartial) {
		if errors.Is(err, inventory.ErrUnknownRegion) {
			return nil, &UsageError{Err: fmt.Errorf("--regions: %w", err)}
		}
		return nil, err
	}
	if rejected := rejectedKey(res.Outcomes); rejected != nil {
		return nil, fmt.Errorf("sync %q: Tencent Cloud rejected the stored key %s for every kind: %w", a.Name, tencent.MaskID(cred.SecretID), rejected)
	}
	report := &syncReport{Account: a.Name, Assets: 0, Written: res.Written(), Counts: res.Counts(), Duration: time.Since(start).Round(time.Millisecond).String(),
		Outcomes: []syncOutcomeView{}, Failed: []syncOutcomeView{}, Skipped: res.UnofferedRegions, outcomes: res.Outcomes}
	for _, o := range res.Outcomes {
		v := syncOutcomeView{Kind: o.Kind, Region: o.Region, Status: o.Status, Seen: o.Seen, Inserted: o.Stats.Inserted, Updated: o.Stats.Updated, Gone: o.Gone}
		if o.Err != nil {
			v.Error = store.Scrub(o.Err.Error())
			report.Failed = append(report.Failed, v)
		}
		report.Outcomes = append(report.Outcomes, v)
		report.Assets += o.Seen
	}
	return report, err
}

// syncSecurityCenter asks Security Center to synchronise a submitted account's assets and adds the
// outcome to its report. An account onboard did not submit is left out, unless only Security Center was
// asked for; without Alibaba Cloud credentials the report says Security Center was not asked.
func syncSecurityCenter(ctx context.Context, f *Factory, opts *SyncOptions, a store.Account, report *syncReport) error {
	if a.AuthID == "" {
		if opts.SecurityCenterOnly {
			return Usagef("--security-center-only: account %q was not submitted to Security Center by onboard (it was onboarded with --security-center skip); use its console's Synchronize assets", a.Name)
		}
		return nil
	}
	sc, _, err := securityCenterClient(f, opts.AlibabaProfile, opts.SecurityCenterEndpoint, a.Site)
	if err != nil {
		if errors.Is(err, securitycenter.ErrNoCredentials) && !opts.SecurityCenterOnly {
			report.SecurityCenter = &securityCenterSyncView{SecurityCenterSync: onboarding.SecurityCenterSync{Requested: []string{}},
				NotAsked: "no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or --alibaba-profile (or pass --local-only)"}
			return nil
		}
		return err
	}
	res, err := onboarding.RefreshSecurityCenter(ctx, sc, a.Features)
	if err != nil {
		return err
	}
	report.SecurityCenter = &securityCenterSyncView{SecurityCenterSync: res}
	if len(res.Failed) > 0 {
		return fmt.Errorf("%w: %s", errSecurityCenterPartial, strings.Join(res.Failed, "; "))
	}
	return nil
}

// rejectedKey returns the error of a key Tencent Cloud refused outright (not a missing grant) when it
// is why every (kind, region) failed: then nothing was synced, and the key is what to fix.
func rejectedKey(outcomes []inventory.Outcome) error {
	var rejected error
	for _, o := range outcomes {
		if o.Err == nil || !errors.Is(o.Err, tencent.ErrAuth) {
			return nil
		}
		rejected = o.Err
	}
	return rejected
}

// syncCredential reads the account's key from the secret store, in the sandbox too: its emulators keep
// the sub-user key that an earlier command of the session created.
func syncCredential(ctx context.Context, f *Factory, a store.Account, insecure bool) (tencent.Credential, error) {
	secrets, err := openAccountSecrets(f, a, insecure)
	if err != nil {
		return tencent.Credential{}, err
	}
	cred, err := secrets.Get(ctx, a.SecretItem)
	if err != nil {
		return tencent.Credential{}, fmt.Errorf("read the key of %q from the %s: %w", a.Name, storeLabel(f, secrets.Kind()), err)
	}
	return tencent.Credential{SecretID: cred.SecretID, SecretKey: tencent.SecretKey(cred.SecretKey.Reveal())}, nil
}

func printSyncReport(w io.Writer, r syncReport) {
	if r.Error != "" {
		fmt.Fprintf(w, "NOT SYNCED %s: %s\n", terminalSafe(r.Account), terminalSafe(r.Error))
		return
	}
	if sc := r.SecurityCenter; sc != nil {
		switch {
		case sc.NotAsked != "":
			fmt.Fprintf(w, "Security Center sync of %q: not asked: %s\n", r.Account, sc.NotAsked)
		case len(sc.Requested) > 0:
			fmt.Fprintf(w, "Security Center sync of %q: requested for %s; Security Center synchronises in the background\n", r.Account, strings.Join(sc.Requested, ", "))
		}
		for _, failed := range sc.Failed {
			fmt.Fprintf(w, "Security Center sync of %q FAILED: %s\n", r.Account, failed)
		}
	}
	if r.Duration == "" {
		return // only Security Center was asked
	}
	fmt.Fprintf(w, "Synced %q: %d assets in %s, %d rows written.\n", r.Account, r.Assets, r.Duration, r.Written)
	type row struct{ regions, seen, inserted, updated, gone, failed int }
	byKind := map[string]*row{}
	var order []string
	for _, o := range r.outcomes {
		k := byKind[o.Kind]
		if k == nil {
			k = &row{}
			byKind[o.Kind] = k
			order = append(order, o.Kind)
		}
		k.regions++
		k.seen += o.Seen
		k.inserted += o.Stats.Inserted
		k.updated += o.Stats.Updated
		k.gone += o.Gone
		if o.Status != inventory.StatusDone {
			k.failed++
		}
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tREGIONS\tASSETS\tNEW\tCHANGED\tGONE\tFAILED")
	for _, kind := range order {
		k := byKind[kind]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", kind, k.regions, k.seen, k.inserted, k.updated, k.gone, k.failed)
	}
	tw.Flush()
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "Skipped: Tencent Cloud offers this account none of the synced products in %s\n", strings.Join(r.Skipped, ", "))
	}
	for _, o := range r.Failed {
		region := o.Region
		if region == "" {
			region = "all regions"
		}
		fmt.Fprintf(w, "FAILED %s in %s: %s\n", o.Kind, terminalSafe(region), terminalSafeLines(o.Error))
	}
}

// maxRate bounds a --rates override, in requests per second: Tencent Cloud publishes limits of at most a
// few hundred per action; to lift every limit, --rates off says so.
const maxRate = 1000

// parseRates reads --rates: published, off, or ACTION=N overrides of the published rates.
func parseRates(v string) (map[string]float64, bool, error) {
	switch v {
	case "published", "":
		return nil, false, nil
	case "off":
		return nil, true, nil
	}
	actions := map[string]bool{}
	for _, k := range inventory.Kinds {
		actions[k.Action] = true
	}
	rates := map[string]float64{}
	for _, pair := range splitList(v) {
		action, n, ok := strings.Cut(pair, "=")
		r, err := strconv.ParseFloat(n, 64)
		// NaN compares false with everything, so it is refused by name; so is infinity (use off).
		if !ok || err != nil || math.IsNaN(r) || r <= 0 || r > maxRate {
			return nil, false, Usagef("invalid --rates %q: want published, off, or ACTION=REQUESTS_PER_SECOND pairs such as cvm:DescribeInstances=20, with a rate above 0 and at most %d", pair, maxRate)
		}
		if !actions[action] {
			var names []string
			for _, k := range inventory.Kinds {
				names = append(names, k.Action)
			}
			return nil, false, Usagef("invalid --rates: %q is not a listing action; valid: %s", action, strings.Join(names, ", "))
		}
		rates[action] = r
	}
	return rates, false, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
