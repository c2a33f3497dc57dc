package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/policy"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// TencentOptions are the inputs of `onboard tencent`.
type TencentOptions struct {
	f               *Factory
	Request         onboarding.Request
	Features        string
	Profile         string
	SecretID        string
	SecretKeyStdin  bool
	Endpoint        string
	InsecureStorage bool
	DryRun          bool
	Rollback        bool
	Regions         string
	// AlibabaProfile names an aliyun CLI profile for Security Center's credentials.
	AlibabaProfile         string
	SecurityCenterEndpoint string
	PolicyFiles            []string // NAME=PATH
	AdoptPolicies          []string // --adopt-policy, repeatable or comma-separated
	// Accessible asks with plain line prompts when the wizard runs.
	Accessible bool
	// SecurityCenterChosen: --security-center was given, so Security Center is not skipped for want of
	// Alibaba Cloud credentials.
	SecurityCenterChosen bool
	// Org onboards the members of the organization the key's account manages (tencent_org.go).
	Org      bool
	Members  []string // --members: UINs, or "all" (the default)
	Exclude  []string
	Parallel int
	// MemberRole is the member access role assumed in each member; "" is the preset identity's.
	MemberRole string
	// parallelGiven: --parallel was on the command line.
	parallelGiven bool
	// retryArgs rebuilds this command line for the retry of some members: every flag given, but the
	// member selection.
	retryArgs func(members []string) string
}

func newCmdTencent(f *Factory) *cobra.Command { return NewCmdTencent(f, nil) }

// NewCmdTencent builds `onboard tencent`; runF replaces tencentRun in flag-parsing tests.
func NewCmdTencent(f *Factory, runF func(context.Context, *TencentOptions) error) *cobra.Command {
	opts := &TencentOptions{f: f}
	var cspm string
	def := onboarding.Defaults()
	cmd := &cobra.Command{
		Use:   "tencent",
		Short: "Onboard a Tencent Cloud account: sub-user, grants, API key, verification",
		Long: `Onboard a Tencent Cloud account for Security Center: create (or reuse) a CAM sub-user with
programmatic access only, grant it least-privilege policies per feature, create its API key straight into the
OS keyring, verify the key, and record the account. Safe to run again: an unchanged request changes nothing.
Before any change, a pre-flight checks every input and precondition (keys, secret store, permissions, the
regions, logset and topic named) and reports every problem at once; --dry-run runs it too.

Credentials never travel in argv: TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, --profile NAME (tccli or
~/.tencentcloud/credentials), or --secret-id with the key on standard input (--secret-key-stdin).

Then connect the account to Security Center (--security-center submit, the default) with the sub-user's key:
add or update it, wait for Security Center to validate the key, set the sync regions, the host and
cloud-service sync frequencies and the AK status check; or, with --security-center skip, print exactly what to
enter in Security Center's console. Last, the first asset sync (unless --skip-sync): Security Center's
"Synchronize assets" and our own inventory, with counts per kind.

Alibaba Cloud credentials for Security Center: ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, or
--alibaba-profile NAME (aliyun CLI configuration). Defaults: --site mainland, --regions all, --host-sync 24h,
--cloud-sync 24h, --ak-check 24h.

Feature audit (CIEM audit logs): a CLS logset and topic in --audit-region (new, or given by ID), a CloudAudit
tracking set delivering all events to that topic, Kafka consumption opened, ciemPolicy rendered with the real
IDs and attached, and the Kafka settings submitted to Security Center; --verify-kafka logs in to the Kafka
address with the new key.

When a root key runs this, the result reminds you to retire it; --root-key disable or delete does it as the
very last step, only once everything before succeeded, and only when confirmed: --confirm-root-key with the
last four characters of the root key's SecretId (asked for on a terminal). When Tencent Cloud refuses to
delete an active root key, it is disabled and the result says so: delete it in the CAM console.

The run applies the plan it makes (--dry-run prints it; --output json as typed changes) and stops, changing
nothing, when the sub-user, its grants or keys, or the Security Center account change in between.

Organization (--org, with a key of the organization's management account): every member account (or those
--members names, less --exclude) is onboarded with the same flags through its member access role, assumed with
STS AssumeRole: each member gets its own sub-user, key, record, journal and Security Center account, --parallel
at a time. A member that fails does not stop the others; the summary lists every member and the command that
retries just the failed ones (exit 3 when some failed). --dry-run plans every member. --rollback --org rolls
back each member onboarded from here (a record or a ledger here), one after another; a member onboarded by
another installation is listed as skipped and never touched.`,
		Example: "  onboard tencent --no-input --mode manual --features host,cspm --cspm-policy custom --sub-user sas-reader\n" +
			"  onboard tencent --no-input --org --mode quick --exclude 100000100007 --parallel 8\n" +
			"  onboard tencent --no-input --mode quick --sandbox",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Request.CSPMPolicy = policy.CSPMMode(cspm)
			// Submit is the default only where it can work: tencentRun skips Security Center when no
			// Alibaba Cloud credentials exist at all, unless --security-center submit says it is required.
			opts.SecurityCenterChosen = c.Flags().Changed("security-center")
			if opts.Features != "" {
				opts.Request.Features = strings.Split(opts.Features, ",")
			}
			if opts.Regions != "" {
				opts.Request.Regions = strings.Split(opts.Regions, ",")
			}
			for _, name := range opts.AdoptPolicies {
				if name = strings.TrimSpace(name); name != "" {
					opts.Request.AdoptPolicies = append(opts.Request.AdoptPolicies, name)
				}
			}
			for _, pf := range opts.PolicyFiles {
				name, path, err := policy.ParsePolicyFileFlag(pf)
				if err != nil {
					return Usagef("invalid --policy-file: %v", err)
				}
				if _, dup := opts.Request.PolicyFiles[name]; dup {
					return Usagef("invalid --policy-file: %s is given twice", name)
				}
				if opts.Request.PolicyFiles == nil {
					opts.Request.PolicyFiles = map[string]string{}
				}
				opts.Request.PolicyFiles[name] = path
			}
			opts.retryArgs = func(members []string) string { return retryCommand(c, members) }
			opts.parallelGiven = c.Flags().Changed("parallel")
			if runF != nil {
				return runF(c.Context(), opts)
			}
			if opts.Org {
				// --org is the flags' way to the members; the wizard offers them itself when the key's
				// account manages an organization.
				return tencentRun(c.Context(), opts)
			}
			if wantsWizard(f, opts) {
				return tencentWizardRun(c.Context(), opts)
			}
			if needsTerminal(f, opts) {
				return errWizardNeedsTerminal
			}
			return tencentRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Request.Mode, "mode", "", "manual (choose features) or quick (hosts only, as Security Center's quick configuration)")
	fl.StringVar(&opts.Features, "features", "", "comma-separated: host, cspm, soc, audit")
	fl.BoolVar(&opts.Request.Lighthouse, "lighthouse", false, "feature host: also grant QcloudLighthouseReadOnlyAccess and sync Lighthouse servers (Security Center's procedure grants hosts QcloudCVMReadOnlyAccess only)")
	fl.StringVar(&cspm, "cspm-policy", string(def.CSPMPolicy), "how CSPM is granted: preset (CloudResourceReadOnlyAccess + QcloudCamReadOnlyAccess) or custom (cspmPolicy)")
	fl.StringVar(&opts.Request.SubUser, "sub-user", "", "the CAM sub-user to create or reuse (quick default: AlibabaSasSubAccount_ + the account's last six digits)")
	fl.StringVar(&opts.Request.Account, "account", "", "local name of the account record (default: the owner UIN)")
	fl.BoolVar(&opts.Request.AdoptUser, "adopt-user", false, "take over a same-named sub-user that onboard did not create")
	fl.StringVar(&opts.Profile, "profile", "", "Tencent Cloud credentials profile (tccli or ~/.tencentcloud/credentials)")
	fl.StringVar(&opts.SecretID, "secret-id", "", "Tencent Cloud SecretId; the SecretKey is read from standard input (--secret-key-stdin)")
	fl.BoolVar(&opts.SecretKeyStdin, "secret-key-stdin", false, "read the SecretKey from the first line of standard input")
	fl.StringVar(&opts.Endpoint, "tencent-endpoint", "", "send Tencent Cloud calls to this http(s)://HOST[:PORT] (env ONBOARD_TENCENT_ENDPOINT)")
	fl.BoolVar(&opts.InsecureStorage, "insecure-storage", false, "keep the new key in $ONBOARD_HOME/secrets.json (0600) instead of the OS keyring")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what each step would create, reuse or update, and change nothing")
	fl.BoolVar(&opts.Rollback, "rollback", false, "remove, in reverse, everything onboard created in the account over all its runs (nothing it reused or adopted); names the account with --account (default: the owner UIN)")
	fl.StringVar(&opts.Request.Site, "site", def.Site, "Security Center site: "+strings.Join(onboarding.Sites, " or ")+" (the Chinese mainland or outside it)")
	fl.StringVar(&opts.Request.AccountName, "account-name", "", "the account's display name in Security Center (default: the sub-user's name)")
	fl.StringVar(&opts.Request.SecurityCenter, "security-center", def.SecurityCenter, "submit (connect the account by API) or skip (print what to enter in the console)")
	fl.StringVar(&opts.Regions, "regions", strings.Join(def.Regions, ","), "comma-separated Tencent Cloud regions Security Center syncs, or all (all the other site does not sync)")
	fl.BoolVar(&opts.Request.RegionManagement, "region-management", false, "new regions join the sync automatically")
	frequencies := strings.Join(onboarding.Frequencies, ", ")
	fl.StringVar(&opts.Request.HostSync, "host-sync", def.HostSync, "host sync frequency: "+frequencies)
	fl.StringVar(&opts.Request.CloudSync, "cloud-sync", def.CloudSync, "cloud-service sync frequency, feature cspm only: "+frequencies)
	fl.StringVar(&opts.Request.AKCheck, "ak-check", def.AKCheck, "AK service status check frequency: "+frequencies)
	fl.BoolVar(&opts.Request.SkipSync, "skip-sync", false, "leave out the first asset sync")
	fl.StringVar(&opts.SecurityCenterEndpoint, "security-center-endpoint", "", "send Security Center calls to this http(s)://HOST[:PORT] (env ONBOARD_SECURITY_CENTER_ENDPOINT)")
	fl.StringVar(&opts.AlibabaProfile, "alibaba-profile", "", "aliyun CLI profile with the Alibaba Cloud credentials for Security Center")
	fl.StringVar(&opts.Request.AuditRegion, "audit-region", "", "audit logs: the region of the CLS logset and topic CloudAudit delivers to (required with feature audit)")
	fl.StringVar(&opts.Request.AuditLogset, "audit-logset", def.AuditLogset, "audit logs: a CLS logset ID, or new (create or reuse "+onboarding.AuditLogsetName+")")
	fl.StringVar(&opts.Request.AuditTopic, "audit-topic", def.AuditTopic, "audit logs: a CLS topic ID in that logset, or new (create or reuse "+onboarding.AuditTopicName+")")
	fl.StringVar(&opts.Request.KafkaNetwork, "kafka-network", def.KafkaNetwork, "audit logs: the CLS Kafka address Security Center consumes from: "+strings.Join(onboarding.KafkaNetworks, " or "))
	fl.BoolVar(&opts.Request.VerifyKafka, "verify-kafka", false, "audit logs: also log in to that Kafka address with the new key, as Security Center will")
	fl.StringArrayVar(&opts.PolicyFiles, "policy-file", nil, "use this document for a custom policy instead of the embedded template: NAME=PATH (cspmPolicy, siemPolicy, ciemPolicy); repeatable")
	fl.StringSliceVar(&opts.AdoptPolicies, "adopt-policy", nil, "take over a custom policy of that name (cspmPolicy, siemPolicy, ciemPolicy) that onboard did not create, and update it; repeatable or comma-separated. The run names every other principal the change affects")
	fl.BoolVar(&opts.Request.AllowBroadPolicy, "allow-broad-policy", false, "accept a --policy-file document that allows every action, or write actions (CAM's included) beyond the template's (the result records it)")
	fl.BoolVar(&opts.Request.SkipPermissionCheck, "skip-permission-check", false, "do not read the operator's policies up front (when a CAM group grants its permissions)")
	fl.BoolVar(&opts.Request.SOCLogs, "soc-logs", false, "with feature soc: then ship the account's WAF and Cloud Firewall logs for Agentic SOC, as onboard soc logs does")
	fl.StringVar(&opts.Request.RootKey, "root-key", def.RootKey, "when a root key runs this: keep (you are reminded), disable or delete it as the very last step")
	fl.StringVar(&opts.Request.RootKeyConfirm, "confirm-root-key", "", "confirm --root-key disable or delete: the last four characters of the root key's SecretId (asked on a terminal when missing)")
	fl.BoolVar(&opts.Org, "org", false, "onboard the member accounts of the organization the key's account manages, each through its member access role ("+tencent.MemberAccessRole+"), as its own onboarding")
	fl.StringSliceVar(&opts.Members, "members", nil, "with --org: the member UINs to onboard, comma-separated, or all (default all)")
	fl.StringSliceVar(&opts.Exclude, "exclude", nil, "with --org: member UINs to leave out, comma-separated")
	fl.IntVar(&opts.Parallel, "parallel", onboarding.DefaultParallel, "with --org: how many members are onboarded at once")
	fl.StringVar(&opts.MemberRole, "member-role", "", "with --org: the role assumed in each member (default "+tencent.MemberAccessRole+", the organization's preset member access identity)")
	addAccessibleFlag(cmd, &opts.Accessible)
	addSandboxFlag(cmd, f)
	setFlagGroups(cmd, []flagGroup{
		{"Credentials", []string{"profile", "secret-id", "secret-key-stdin", "alibaba-profile", "insecure-storage", "tencent-endpoint", "security-center-endpoint"}},
		{"Features and grants", []string{"mode", "features", "cspm-policy", "sub-user", "adopt-user", "adopt-policy", "account", "policy-file", "skip-permission-check"}},
		{"Security Center", []string{"security-center", "site", "account-name", "regions", "region-management", "host-sync", "cloud-sync", "ak-check", "skip-sync"}},
		{"Audit logs", []string{"audit-region", "audit-logset", "audit-topic", "kafka-network", "verify-kafka"}},
		{"SOC logs", []string{"soc-logs"}},
		{"Organization", []string{"org", "members", "exclude", "parallel", "member-role"}},
		{"Safety", []string{"dry-run", "rollback", "root-key", "confirm-root-key", "sandbox"}},
		{"Output", []string{"accessible"}},
	})
	return cmd
}

// newSecurityCenter builds the Security Center client of the request's site from the resolved Alibaba
// Cloud credentials.
func newSecurityCenter(f *Factory, opts *TencentOptions, site string) (*securitycenter.Client, securitycenter.Source, error) {
	return securityCenterClient(f, opts.AlibabaProfile, opts.SecurityCenterEndpoint, site)
}

// securityCenterClient builds the Security Center client of a site from the Alibaba Cloud credentials
// found for profile (--alibaba-profile; "" for the environment or the default profile).
func securityCenterClient(f *Factory, profile, endpoint, site string) (*securitycenter.Client, securitycenter.Source, error) {
	userHome, _ := os.UserHomeDir()
	cred, err := securitycenter.ResolveCredentials(securitycenter.CredentialSources{Profile: profile, Getenv: f.Getenv, Home: userHome})
	if err != nil {
		return nil, securitycenter.Source{}, fmt.Errorf("security center credentials: %w", err)
	}
	if endpoint == "" {
		endpoint = f.Getenv(envSecurityCenterEndpoint)
	}
	o := securitycenter.Options{Credentials: cred, Site: securitycenter.Site(site), Endpoint: endpoint, Logger: f.Logger}
	if strings.HasPrefix(endpoint, "http://") {
		o.PollInterval = 100 * time.Millisecond // a loopback emulator validates at once
	}
	rememberAlibaba(cred)
	c, err := securitycenter.New(o)
	if err != nil {
		return nil, securitycenter.Source{}, &UsageError{Err: err}
	}
	return c, cred.Source, nil
}

func tencentRun(ctx context.Context, opts *TencentOptions) error {
	f := opts.f
	req := opts.Request
	if opts.Rollback && opts.DryRun {
		return Usagef("--rollback and --dry-run cannot be used together")
	}
	// Every invalid input that needs no call is reported at once, before any call; the engine's
	// pre-flight then checks the rest (keys, secret store, what exists in the clouds) the same way.
	var invalid []error
	if !opts.Rollback {
		if err := req.Validate(); err != nil {
			invalid = append(invalid, err)
		}
		for _, w := range req.Warnings() {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", w)
		}
	}
	if inSandbox(f) {
		for _, fl := range []struct{ name, value string }{{"--profile", opts.Profile}, {"--secret-id", opts.SecretID}, {"--alibaba-profile", opts.AlibabaProfile}} {
			if fl.value != "" {
				invalid = append(invalid, fmt.Errorf("%s cannot be used with --sandbox: the sandbox signs with its demo keys", fl.name))
			}
		}
	}
	if opts.SecretID != "" && !opts.SecretKeyStdin {
		invalid = append(invalid, errors.New("--secret-id needs --secret-key-stdin: the SecretKey is read from standard input, never from the command line"))
	}
	invalid = append(invalid, orgUsage(opts)...)
	if len(invalid) > 0 {
		return &UsageError{Err: errors.Join(invalid...)}
	}
	var keyReader io.Reader
	if opts.SecretKeyStdin {
		keyReader = f.IO.In
	}
	userHome, _ := os.UserHomeDir()
	cred, source, err := tencent.ResolveCredentials(tencent.CredentialSources{
		SecretID: opts.SecretID, KeyReader: keyReader, Profile: opts.Profile, Getenv: f.Getenv, Home: userHome})
	if err != nil {
		return err
	}
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint = f.Getenv("ONBOARD_TENCENT_ENDPOINT")
	}
	newClient := func(c tencent.Credential) (*tencent.Client, error) {
		rememberTencent(c)
		cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: endpoint, Logger: f.Logger})
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return cl, nil
	}
	admin, err := newClient(cred)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := openSecrets(f, opts.InsecureStorage)
	if err != nil {
		return err
	}
	installation, err := installationID(f)
	if err != nil {
		return err
	}
	if inSandbox(f) {
		source.Description = "the sandbox demo key"
	}
	fmt.Fprintf(f.IO.ErrOut, "Using Tencent Cloud credentials from %s\n", source)
	engine := &onboarding.Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: f.propagationWait(), OperatorKeyID: cred.SecretID, Installation: installation,
		NewVerifier:        func(c tencent.Credential) (onboarding.Verifier, error) { return newClient(c) },
		NewInventory:       func(c tencent.Credential) (inventory.Cloud, error) { return newClient(c) },
		InventoryUnlimited: inSandbox(f)}
	if opts.Rollback && opts.Org {
		d := &dayTwo{engine: engine, admin: admin, db: db, secrets: secrets, newClient: newClient, adminKeyID: cred.SecretID}
		return rollbackOrg(ctx, d, &DayTwoOptions{f: f, Profile: opts.Profile, Endpoint: opts.Endpoint, AlibabaProfile: opts.AlibabaProfile,
			SecurityCenterEndpoint: opts.SecurityCenterEndpoint, InsecureStorage: opts.InsecureStorage, retryArgs: opts.retryArgs,
			org: orgSelection{Org: true, Members: opts.Members, Exclude: opts.Exclude, MemberRole: opts.MemberRole}}, opts)
	}
	if opts.Rollback {
		d := &dayTwo{engine: engine, admin: admin, db: db, secrets: secrets, newClient: newClient, adminKeyID: cred.SecretID}
		return tencentRollback(ctx, f, opts, d, req.Account)
	}
	if req.SecurityCenter == onboarding.SecurityCenterSubmit {
		sc, scSource, err := newSecurityCenter(f, opts, req.Site)
		switch {
		case err == nil:
			engine.SecurityCenter = sc
			if inSandbox(f) {
				scSource.Description = "the sandbox demo key"
			}
			fmt.Fprintf(f.IO.ErrOut, "Using Alibaba Cloud credentials from %s\n", scSource)
		case !opts.SecurityCenterChosen && errors.Is(err, securitycenter.ErrNoCredentials):
			// Submit is the default only where it can work: with no Alibaba Cloud credentials at all, the
			// run skips Security Center and prints what to enter in its console.
			req.SecurityCenter = onboarding.SecurityCenterSkip
			fmt.Fprintln(f.IO.ErrOut, "No Alibaba Cloud credentials: Security Center is skipped, and the result says what to enter in its console (pass --security-center submit to require them).")
		default:
			return err
		}
	}
	if opts.Org {
		newSC := func() (*securitycenter.Client, error) {
			sc, _, err := newSecurityCenter(f, opts, req.Site)
			return sc, err
		}
		return tencentOrgRun(ctx, opts, req, onboarding.Organization{Management: admin, NewEngine: memberEngines(engine, newClient, newSC)})
	}
	if opts.DryRun {
		plan, err := engine.Plan(ctx, req)
		if err != nil {
			return engineError(err)
		}
		if f.JSON() {
			return writeJSON(f.IO.Out, plan)
		}
		return writePlan(f.IO.Out, "Plan (dry run: nothing was changed):", plan)
	}
	if req.RootKeyConfirm == "" && (req.RootKey == onboarding.RootKeyDisable || req.RootKey == onboarding.RootKeyDelete) && f.Interactive() {
		if req.RootKeyConfirm, err = askRootKeyConfirmation(ctx, f, admin, req.RootKey, cred.SecretID); err != nil {
			return err
		}
	}
	progress := engineProgress(f)
	res, err := engine.Apply(ctx, req, progress)
	if err != nil {
		return engineError(err)
	}
	if f.JSON() {
		err = writeJSON(f.IO.Out, res)
	} else {
		err = writeTencentResult(f.IO.Out, res, storeLabel(f, res.KeyStoredIn))
		if err == nil && res.SOCLogs != nil {
			writeSOCLogs(f.IO.Out, *res.SOCLogs)
		}
	}
	if err != nil {
		return err
	}
	return partlyDone(res)
}

// partlyDone is the exit status of a finished onboarding: exit code 3 when a first sync or a check of
// the connection was partly done.
func partlyDone(res onboarding.Result) error {
	if len(res.PartlyDone) == 0 {
		return nil
	}
	return &PartialError{Err: fmt.Errorf("onboarding of %q partly done: %s", res.Account, strings.Join(res.PartlyDone, "; "))}
}

// installationID returns the installation ID of ONBOARD_HOME, creating it the first time.
func installationID(f *Factory) (string, error) {
	home, err := store.Home(f.Getenv)
	if err != nil {
		return "", err
	}
	return store.InstallationID(home)
}

// engineError gives the engine's errors their exit codes. The pre-flight's error lists every problem
// at once, and its exit code follows the most fixable class: any usage problem makes it exit 2, even
// beside a rejected key, because the command as written can never succeed and exit 4 should promise that
// only the key is wrong (a script that fetches a fresh key on 4 and retries would otherwise loop on a
// bad flag; exitCode, too, checks for a UsageError before the credential sentinels). Otherwise a rejected key
// unwraps to its client's ErrAuth (exit 4), and any other precondition exits 1. An invalid input met
// after the pre-flight (a FieldError) is usage too.
func engineError(err error) error {
	var pf *onboarding.PreflightError
	var fe *onboarding.FieldError
	switch {
	case errors.As(err, &pf):
		if pf.Has(onboarding.ProblemUsage) {
			return &UsageError{Err: err}
		}
	case errors.As(err, &fe):
		return &UsageError{Err: err}
	}
	return err
}

// connectionLines are the per-feature checks of the connection, one line each.
func connectionLines(checks []onboarding.ConnectionCheck) []string {
	var out []string
	for _, c := range checks {
		line := c.Feature + ": "
		if len(c.Confirmed) > 0 {
			line += strings.Join(c.Confirmed, "; ") + ". "
		}
		if c.Problem != "" {
			line += "NOT CONFIRMED: " + c.Problem + ". "
		}
		out = append(out, line+"Look in: "+c.Console)
	}
	return out
}

// writeTencentResult prints the result; storeName names the secret store holding the key, for people.
func writeTencentResult(w io.Writer, r onboarding.Result, storeName string) error {
	var b strings.Builder
	if len(r.PartlyDone) > 0 {
		fmt.Fprintf(&b, "Onboarding of Tencent Cloud account %s as %q partly done; what failed:\n  - %s\n", r.OwnerUIN, r.Account, strings.Join(r.PartlyDone, "\n  - "))
	} else {
		fmt.Fprintf(&b, "Onboarded Tencent Cloud account %s as %q.\n", r.OwnerUIN, r.Account)
	}
	fmt.Fprintf(&b, "Sub-user: %s (UIN %d)\nAPI key: %s, secret kept in the %s\n", r.SubUser, r.SubUserUIN, tencent.MaskID(r.AccessKeyID), storeName)
	writeSecurityCenterResult(&b, r)
	for _, l := range []struct {
		title string
		items []string
	}{{"Created", r.Created}, {"Reused", r.Reused}, {"Verified", r.Verified}, {"Verify the connection", connectionLines(r.Connection)},
		{"Next steps", r.NextSteps}, {"Keep in mind", r.Reminders}} {
		if len(l.items) > 0 {
			fmt.Fprintf(&b, "%s:\n  - %s\n", l.title, strings.Join(l.items, "\n  - "))
		}
	}
	if r.CallerIsRoot {
		fmt.Fprintf(&b, "Root key: %s\n", r.RootKey)
	}
	if len(r.BroadPolicies) > 0 {
		fmt.Fprintf(&b, "Accepted with --allow-broad-policy (the key holds more than read access):\n  - %s\n", strings.Join(r.BroadPolicies, "\n  - "))
	}
	// The first sync's failures quote errors; names and details come from the cloud.
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
	return err
}

// tencentRollback rolls back one account: the one the key belongs to, or the one --account names. The
// record of an organization's member, rolled back with the management account's key, is rolled back in
// the member through its access role (dayTwo.actIn): the management account's key would remove objects
// of its own account.
func tencentRollback(ctx context.Context, f *Factory, opts *TencentOptions, d *dayTwo, account string) error {
	engine, remover := d.engine, d.admin
	if account == "" {
		id, err := d.admin.CallerIdentity(ctx)
		if err != nil {
			return err
		}
		account, d.caller = id.OwnerUIN, &id
	}
	// The Security Center account is deleted on the site the account record names. Without Alibaba Cloud
	// credentials, a rollback that has a Security Center account to delete stops there and says so: the
	// key it uses must not go first.
	site := opts.Request.Site
	a, err := engine.DB.Account(ctx, account)
	if site == "" && err == nil && a.Site != "" {
		site = a.Site
	}
	if err == nil {
		if remover, err = d.actIn(ctx, a, ""); err != nil {
			return err
		}
	}
	if site == "" {
		site = string(securitycenter.SiteMainland)
	}
	if sc, source, err := newSecurityCenter(f, opts, site); err == nil {
		engine.SecurityCenter = sc
		if inSandbox(f) {
			source.Description = "the sandbox demo key"
		}
		fmt.Fprintf(f.IO.ErrOut, "Using Alibaba Cloud credentials from %s\n", source)
	}
	res, err := engine.Rollback(ctx, account, remover)
	if f.JSON() {
		res.Removed, res.Left, res.Kept = nonNilStrings(res.Removed), nonNilStrings(res.Left), nonNilStrings(res.Kept)
		if werr := writeJSON(f.IO.Out, res); werr != nil {
			return werr
		}
		return err
	}
	if werr := writeRollback(f.IO.Out, fmt.Sprintf("%q", account), res, err == nil); werr != nil {
		return werr
	}
	return err
}

// writeRollback prints what a rollback of the account named label removed, left and does not undo; ok
// says it did not fail.
func writeRollback(w io.Writer, label string, res onboarding.RollbackResult, ok bool) error {
	var b strings.Builder
	if len(res.Removed) > 0 {
		fmt.Fprintf(&b, "Rolled back %s:\n  - removed %s\n", label, strings.Join(res.Removed, "\n  - removed "))
	} else if ok {
		fmt.Fprintf(&b, "Nothing to roll back for %s: nothing onboard created in it is still there.\n", label)
	}
	if len(res.Left) > 0 {
		fmt.Fprintf(&b, "Not removed (run the rollback again once the cause is fixed):\n  - %s\n", strings.Join(res.Left, "\n  - "))
	}
	if len(res.Kept) > 0 {
		fmt.Fprintf(&b, "Not undone by a rollback:\n  - %s\n", strings.Join(res.Kept, "\n  - "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSecurityCenterResult(b *strings.Builder, r onboarding.Result) {
	if sc := r.SecurityCenter; sc != nil && sc.Submitted {
		fmt.Fprintf(b, "Security Center (%s site): account %q, AuthId %d, status %s, modules %s\n", sc.Site, sc.DisplayName, sc.AuthID, sc.Status, strings.Join(sc.Modules, ", "))
		cloud := ""
		if sc.CloudSync != "" {
			cloud = ", cloud-service sync " + sc.CloudSync
		}
		fmt.Fprintf(b, "  regions %s (new regions join automatically: %v); host sync %s%s, AK status check %s\n",
			strings.Join(sc.Regions, ", "), sc.RegionManagement, sc.HostSync, cloud, sc.AKCheck)
	} else if sc != nil {
		fmt.Fprintf(b, "Security Center was skipped: enter these values in its console:\n  %s\n", strings.Join(sc.Console, "\n  "))
	}
	if s := r.FirstSync; s != nil {
		var parts []string
		for _, k := range inventory.KindNames() {
			if n, ok := s.Counts[k]; ok {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
		}
		if len(parts) == 0 {
			parts = []string{"no assets"}
		}
		when := "First asset sync"
		if s.Earlier != nil {
			when += " (done earlier, " + s.Earlier.Format(time.RFC3339) + ")"
		}
		fmt.Fprintf(b, "%s: %s\n", when, strings.Join(parts, ", "))
		if len(s.SecurityCenter) > 0 {
			fmt.Fprintf(b, "  Security Center is synchronising: %s\n", strings.Join(s.SecurityCenter, ", "))
		}
		if s.Partial {
			fmt.Fprintf(b, "  partly done; run `onboard sync --account %s` again later:\n  - %s\n", r.Account, strings.Join(s.Failed, "\n  - "))
		}
	}
}

// tencentClient is a Tencent Cloud client signing with c, at the endpoint the flags or environment name.
func tencentClient(f *Factory, opts *TencentOptions, c tencent.Credential) (*tencent.Client, error) {
	rememberTencent(c)
	cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: cmp.Or(opts.Endpoint, f.Getenv(envTencentEndpoint)), Logger: f.Logger})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return cl, nil
}
