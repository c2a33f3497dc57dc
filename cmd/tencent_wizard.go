package cmd

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"onboard/inventory"
	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
	"onboard/wizard"
)

// tencentWizardRun runs the wizard on the onboarding engine, then prints its summary once (or the
// engine's result as JSON), even when the person cancelled after the engine finished.
func tencentWizardRun(ctx context.Context, opts *TencentOptions) error {
	f := opts.f
	// The wizard asks which members; the flags that only tune --org have no question.
	if errs := orgUsage(opts); len(errs) > 0 {
		return &UsageError{Err: errors.Join(errs...)}
	}
	db, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	// The wizard owns the terminal: what would reach stderr meanwhile (the file store's warning) waits.
	held, errOut := &bytes.Buffer{}, f.IO.ErrOut
	f.IO.ErrOut = held
	defer func() { f.IO.ErrOut = errOut; _, _ = held.WriteTo(errOut) }()
	secrets, err := openSecrets(f, opts.InsecureStorage)
	if err != nil {
		return err
	}
	installation, err := installationID(f)
	if err != nil {
		return err
	}
	deps, tencentFor, securityCenterFor := wizardDeps(f, opts)
	engineFor := func(a wizard.Answers, progress func(inventory.Progress)) (*onboarding.Engine, *tencent.Client, error) {
		admin, err := tencentFor(a.Tencent)
		if err != nil {
			return nil, nil, err
		}
		e := &onboarding.Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: f.propagationWait(),
			OperatorKeyID: a.Tencent.ID, Installation: installation, InventoryUnlimited: inSandbox(f), SyncProgress: progress,
			NewVerifier:  func(c tencent.Credential) (onboarding.Verifier, error) { return tencentClient(f, opts, c) },
			NewInventory: func(c tencent.Credential) (inventory.Cloud, error) { return tencentClient(f, opts, c) }}
		if a.Request.SecurityCenter != onboarding.SecurityCenterSkip {
			if e.SecurityCenter, err = securityCenterFor(a.Request.Site, a.Alibaba); err != nil {
				return nil, nil, err
			}
		}
		return e, admin, nil
	}
	deps.Engine = func(a wizard.Answers, progress func(inventory.Progress)) (wizard.Engine, error) {
		e, _, err := engineFor(a, progress)
		return e, err
	}
	// The members' onboarding is tencent --org's: the chosen key is the management account's.
	deps.Organization = func(a wizard.Answers) (wizard.Organization, error) {
		base, admin, err := engineFor(a, nil)
		if err != nil {
			return nil, err
		}
		newClient := func(c tencent.Credential) (*tencent.Client, error) { return tencentClient(f, opts, c) }
		newSC := func() (*securitycenter.Client, error) { return securityCenterFor(a.Request.Site, a.Alibaba) }
		return onboarding.Organization{Management: admin, NewEngine: memberEngines(base, newClient, newSC)}, nil
	}
	deps.RetryCommand = wizardRetryCommand
	deps.Agents = func(a wizard.Answers) (wizard.Agents, error) {
		tat, err := tencentFor(a.Tencent)
		sc, scErr := securityCenterFor(a.Request.Site, a.Alibaba)
		return newAgentInstaller(f, tat, sc, db), errors.Join(err, scErr)
	}
	res, err := wizard.Run(ctx, deps, wizard.Options{In: f.IO.In, Out: f.IO.Out, NoColor: f.Getenv("NO_COLOR") != "",
		Accessible: opts.Accessible || f.Getenv("ACCESSIBLE") != ""})
	if org := res.Organization; org != nil {
		// The members' outcome as tencent --org reports it: the same JSON, the same words, the same exit code.
		retry := deps.RetryFor(res.Answers, org.Failed)
		var werr error
		if f.JSON() {
			werr = writeJSON(f.IO.Out, orgJSON{*org, retry})
		} else {
			_, werr = io.WriteString(f.IO.Out, terminalSafeLines(store.Scrub(wizard.OrgSummary(*org, res.Answers, retry, cmp.Or(f.IO.TerminalWidth(), 80)-1, deps.Sandbox))))
		}
		err = errors.Join(err, werr)
		if err == nil {
			err = orgOutcome(ctx, *org)
		}
	}
	if res.Engine != nil {
		var werr error
		if f.JSON() {
			werr = writeJSON(f.IO.Out, wizardJSON{res.Engine, res.Agent})
		} else {
			_, werr = io.WriteString(f.IO.Out, terminalSafeLines(store.Scrub(wizard.Summary(*res.Engine, res.Answers, cmp.Or(f.IO.TerminalWidth(), 80)-1, deps.Sandbox))))
			writeWizardAgent(f.IO.Out, res.Agent)
		}
		err = errors.Join(err, werr)
		if err == nil {
			err = cmp.Or(partlyDone(*res.Engine), agentOutcome(res.Agent))
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return engineError(err)
	}
	return err
}

// wizardDeps finds the keys on this machine the way the flags path does, and returns the wizard's
// dependencies but the engine, with the clients of a chosen key. By source, a temporary Tencent key keeps
// its session token and an aliyun profile its own provider (which may refresh).
func wizardDeps(f *Factory, opts *TencentOptions) (wizard.Deps, func(wizard.Credential) (*tencent.Client, error),
	func(string, wizard.Credential) (*securitycenter.Client, error)) {
	deps := wizard.Deps{Start: opts.Request, Sandbox: inSandbox(f), Scrub: store.Scrub}
	tencentKeys, alibabaKeys := map[string]tencent.Credential{}, map[string]securitycenter.Credentials{}
	source := func(s string) string {
		if inSandbox(f) {
			return "the sandbox demo key"
		}
		return s
	}
	userHome, _ := os.UserHomeDir()
	if cred, src, err := tencent.ResolveCredentials(tencent.CredentialSources{Profile: opts.Profile, Getenv: f.Getenv, Home: userHome}); err == nil {
		c := wizard.Credential{Source: source(src.Description), ID: cred.SecretID, Secret: wizard.Secret(cred.SecretKey.Reveal())}
		if opts.Profile != "" {
			c.Flags = []string{"--profile", opts.Profile}
		}
		tencentKeys[c.Source], deps.FoundTencent = cred, append(deps.FoundTencent, c)
	}
	if cred, err := securitycenter.ResolveCredentials(securitycenter.CredentialSources{Profile: opts.AlibabaProfile, Getenv: f.Getenv, Home: userHome}); err == nil {
		// A profile's provider keeps its secret: the wizard shows the masked ID only.
		c := wizard.Credential{Source: source(cred.Source.Description), ID: cred.Source.MaskedID, Secret: "(kept by the profile)"}
		if id, secret := f.Getenv(envAlibabaKeyID), f.Getenv(envAlibabaKeySecret); opts.AlibabaProfile == "" && id != "" && secret != "" {
			c.ID, c.Secret = id, wizard.Secret(secret)
		}
		if opts.AlibabaProfile != "" {
			c.Flags = []string{"--alibaba-profile", opts.AlibabaProfile}
		}
		alibabaKeys[c.Source], deps.FoundAlibaba = cred, append(deps.FoundAlibaba, c)
	}
	tencentFor := func(c wizard.Credential) (*tencent.Client, error) {
		cred, ok := tencentKeys[c.Source]
		if !ok || cred.SecretID != c.ID || cred.SecretKey.Reveal() != c.Secret.Reveal() {
			cred = tencent.Credential{SecretID: c.ID, SecretKey: tencent.SecretKey(c.Secret.Reveal())}
		}
		return tencentClient(f, opts, cred)
	}
	securityCenterFor := func(site string, c wizard.Credential) (*securitycenter.Client, error) {
		cred, ok := alibabaKeys[c.Source]
		if !ok || c.Source == wizard.SourceTyped {
			var err error
			if cred, err = securitycenter.StaticCredentials(c.ID, securitycenter.Secret(c.Secret.Reveal()), "", "typed in the wizard"); err != nil {
				return nil, err
			}
		}
		endpoint := cmp.Or(opts.SecurityCenterEndpoint, f.Getenv(envSecurityCenterEndpoint))
		o := securitycenter.Options{Credentials: cred, Site: securitycenter.Site(site), Endpoint: endpoint, Logger: f.Logger}
		if strings.HasPrefix(endpoint, "http://") {
			o.PollInterval = 100 * time.Millisecond // a loopback emulator validates at once
		}
		rememberAlibaba(cred)
		sc, err := securitycenter.New(o)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return sc, nil
	}
	deps.Tencent = func(c wizard.Credential) (wizard.TencentReader, error) { return tencentFor(c) }
	deps.SecurityCenter = func(site string, c wizard.Credential) (wizard.SecurityCenterReader, error) {
		return securityCenterFor(site, c)
	}
	return deps, tencentFor, securityCenterFor
}
