package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"onboard/onboarding"
	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

func init() {
	subcommands = append(subcommands, newCmdTencent)
	credentialErrors = append(credentialErrors, tencent.ErrAuth, tencent.ErrNoCredentials)
	hints = append(hints,
		errorHint{tencent.ErrAuth, "Tencent Cloud rejected the key: check TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY or --profile, and that the key is active."},
		errorHint{tencent.ErrDenied, "The key lacks a permission named above: grant it to the operator in the CAM console, or run with an administrator's key."},
		errorHint{tencent.ErrKeyLimit, "Free a key slot in the CAM console (delete or disable an unused key of that user), then run again."},
		errorHint{store.ErrKeyringUnavailable, "Or keep secrets in a file: --insecure-storage (or ONBOARD_SECRET_STORE=file)."},
	)
}

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
}

func newCmdTencent(f *Factory) *cobra.Command { return NewCmdTencent(f, nil) }

// NewCmdTencent builds `onboard tencent`; runF replaces tencentRun in flag-parsing tests.
func NewCmdTencent(f *Factory, runF func(context.Context, *TencentOptions) error) *cobra.Command {
	opts := &TencentOptions{f: f}
	var cspm string
	cmd := &cobra.Command{
		Use:   "tencent",
		Short: "Onboard a Tencent Cloud account: sub-user, grants, API key, verification",
		Long: `Onboard a Tencent Cloud account for Security Center: create (or reuse) a CAM sub-user with
programmatic access only, grant it least-privilege policies per feature, create its API key straight into the
OS keyring, verify the key, and record the account. Safe to run again: an unchanged request changes nothing.

Credentials never travel in argv: TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, --profile NAME (tccli or
~/.tencentcloud/credentials), or --secret-id with the key on standard input (--secret-key-stdin).

Not in this version yet: the Security Center side, audit-log delivery (feature audit), regions, sync
frequencies, the first asset sync, root-key retirement and the wizard.`,
		Example: "  onboard tencent --no-input --mode manual --features host,cspm --cspm-policy custom --sub-user sas-reader\n" +
			"  onboard tencent --no-input --mode quick --sandbox",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Request.CSPMPolicy = policy.CSPMMode(cspm)
			if opts.Features != "" {
				opts.Request.Features = strings.Split(opts.Features, ",")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return tencentRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Request.Mode, "mode", "", "manual (choose features) or quick (hosts only, as Security Center's quick configuration)")
	fl.StringVar(&opts.Features, "features", "", "comma-separated: host, cspm, soc (audit: not in this version)")
	fl.StringVar(&cspm, "cspm-policy", "", "how CSPM is granted: preset (CloudResourceReadOnlyAccess + QcloudCamReadOnlyAccess) or custom (cspmPolicy)")
	fl.StringVar(&opts.Request.SubUser, "sub-user", "", "the CAM sub-user to create or reuse (quick default: AlibabaSasSubAccount_ + the account's last six digits)")
	fl.StringVar(&opts.Request.Account, "account", "", "local name of the account record (default: the owner UIN)")
	fl.BoolVar(&opts.Request.AdoptUser, "adopt-user", false, "take over a same-named sub-user that onboard did not create")
	fl.StringVar(&opts.Profile, "profile", "", "Tencent Cloud credentials profile (tccli or ~/.tencentcloud/credentials)")
	fl.StringVar(&opts.SecretID, "secret-id", "", "Tencent Cloud SecretId; the SecretKey is read from standard input (--secret-key-stdin)")
	fl.BoolVar(&opts.SecretKeyStdin, "secret-key-stdin", false, "read the SecretKey from the first line of standard input")
	fl.StringVar(&opts.Endpoint, "tencent-endpoint", "", "send Tencent Cloud calls to this http(s)://HOST[:PORT] (env ONBOARD_TENCENT_ENDPOINT)")
	fl.BoolVar(&opts.InsecureStorage, "insecure-storage", false, "keep the new key in $ONBOARD_HOME/secrets.json (0600) instead of the OS keyring")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what each step would create, reuse or update, and change nothing")
	fl.BoolVar(&opts.Rollback, "rollback", false, "undo, in reverse, what the account's latest run created (nothing it reused); names the account with --account (default: the owner UIN)")
	addSandboxFlag(cmd, f)
	return cmd
}

func tencentRun(ctx context.Context, opts *TencentOptions) error {
	f := opts.f
	req := opts.Request
	if opts.Rollback && opts.DryRun {
		return Usagef("--rollback and --dry-run cannot be used together")
	}
	if !opts.Rollback {
		if err := req.Validate(); err != nil {
			return &UsageError{Err: err}
		}
	}
	if opts.SecretID != "" && !opts.SecretKeyStdin {
		return Usagef("--secret-id needs --secret-key-stdin: the SecretKey is read from standard input, never from the command line")
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
	home, err := store.Home(f.Getenv)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(home, store.DBFile))
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := store.SecretStoreFromEnv(home, opts.InsecureStorage, f.Getenv, f.IO.ErrOut)
	if err != nil {
		return &UsageError{Err: err}
	}
	fmt.Fprintf(f.IO.ErrOut, "Using Tencent Cloud credentials from %s\n", source)
	engine := &onboarding.Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: 30 * time.Second,
		NewVerifier: func(c tencent.Credential) (onboarding.Verifier, error) { return newClient(c) }}
	if opts.Rollback {
		return tencentRollback(ctx, f, engine, admin, req.Account)
	}
	if opts.DryRun {
		plan, err := engine.Plan(ctx, req)
		if err != nil {
			return err
		}
		if f.JSON() {
			return writeJSON(f.IO.Out, plan)
		}
		var b strings.Builder
		b.WriteString("Plan (dry run: nothing was changed):\n")
		for _, p := range plan {
			fmt.Fprintf(&b, "%s:\n  - %s\n", p.Title, strings.Join(p.Actions, "\n  - "))
		}
		_, err = io.WriteString(f.IO.Out, b.String())
		return err
	}
	progress := func(e onboarding.Event) {
		if !f.JSON() {
			fmt.Fprintf(f.IO.ErrOut, "%-7s %s %s\n", e.Status, e.Title, e.Detail)
		}
	}
	res, err := engine.Apply(ctx, req, progress)
	var fe *onboarding.FieldError
	if errors.As(err, &fe) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return err
	}
	if f.JSON() {
		return writeJSON(f.IO.Out, res)
	}
	return writeTencentResult(f.IO.Out, res)
}

func writeTencentResult(w io.Writer, r onboarding.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Onboarded Tencent Cloud account %s as %q.\n", r.OwnerUIN, r.Account)
	fmt.Fprintf(&b, "Sub-user: %s (UIN %d)\nAPI key: %s, secret kept in the %s secret store\n", r.SubUser, r.SubUserUIN, tencent.MaskID(r.AccessKeyID), r.KeyStoredIn)
	for _, l := range []struct {
		title string
		items []string
	}{{"Created", r.Created}, {"Reused", r.Reused}, {"Verified", r.Verified}, {"Next steps", r.NextSteps}} {
		if len(l.items) > 0 {
			fmt.Fprintf(&b, "%s:\n  - %s\n", l.title, strings.Join(l.items, "\n  - "))
		}
	}
	if r.CallerIsRoot {
		b.WriteString("You used the root account's key: once Security Center works with the sub-user's key, disable and delete the root key in the CAM console.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tencentRollback(ctx context.Context, f *Factory, engine *onboarding.Engine, admin *tencent.Client, account string) error {
	if account == "" {
		id, err := admin.CallerIdentity(ctx)
		if err != nil {
			return err
		}
		account = id.OwnerUIN
	}
	removed, err := engine.Rollback(ctx, account, admin)
	if f.JSON() {
		if werr := writeJSON(f.IO.Out, map[string]any{"account": account, "removed": nonNilStrings(removed)}); werr != nil {
			return werr
		}
	} else if len(removed) > 0 {
		fmt.Fprintf(f.IO.Out, "Rolled back %q:\n  - removed %s\n", account, strings.Join(removed, "\n  - removed "))
	} else if err == nil {
		fmt.Fprintf(f.IO.Out, "Nothing to roll back for %q: its latest run created nothing that is still there.\n", account)
	}
	return err
}
