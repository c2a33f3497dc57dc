package cmd

import (
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
	keys := findWizardKeys(f, opts)
	deps := keys.wizardDeps()
	deps.Engine = func(a wizard.Answers, progress func(inventory.Progress)) (wizard.Engine, error) {
		admin, err := keys.tencentClient(a.Tencent)
		if err != nil {
			return nil, err
		}
		e := &onboarding.Engine{Cloud: admin, DB: db, Secrets: secrets, PropagationWait: f.propagationWait(),
			OperatorKeyID: a.Tencent.ID, Installation: installation, InventoryUnlimited: inSandbox(f), SyncProgress: progress,
			NewVerifier:  func(c tencent.Credential) (onboarding.Verifier, error) { return tencentClient(f, opts, c) },
			NewInventory: func(c tencent.Credential) (inventory.Cloud, error) { return tencentClient(f, opts, c) }}
		if a.Request.SecurityCenter != onboarding.SecurityCenterSkip {
			if e.SecurityCenter, err = keys.securityCenter(a.Request.Site, a.Alibaba); err != nil {
				return nil, err
			}
		}
		return e, nil
	}
	res, err := wizard.Run(ctx, deps, wizard.Options{In: f.IO.In, Out: f.IO.Out, NoColor: f.Getenv("NO_COLOR") != "",
		Accessible: opts.Accessible || f.Getenv("ACCESSIBLE") != ""})
	if res.Engine != nil {
		var werr error
		if f.JSON() {
			werr = writeJSON(f.IO.Out, res.Engine)
		} else {
			width := f.IO.TerminalWidth()
			if width <= 0 {
				width = 80
			}
			_, werr = io.WriteString(f.IO.Out, terminalSafeLines(store.Scrub(wizard.Summary(*res.Engine, res.Answers, width-1, deps.Sandbox))))
		}
		if err == nil {
			err = werr
		}
		if err == nil {
			err = partlyDone(*res.Engine)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return engineError(err)
	}
	return err
}

// wizardKeys are the keys found on this machine the way the flags path finds them, by wizard source: a
// temporary Tencent key keeps its session token, an aliyun profile its own provider (which may refresh).
type wizardKeys struct {
	f       *Factory
	opts    *TencentOptions
	tencent map[string]tencent.Credential
	alibaba map[string]securitycenter.Credentials
	found   wizard.Deps
}

func findWizardKeys(f *Factory, opts *TencentOptions) wizardKeys {
	k := wizardKeys{f: f, opts: opts, tencent: map[string]tencent.Credential{}, alibaba: map[string]securitycenter.Credentials{}}
	userHome, _ := os.UserHomeDir()
	if cred, source, err := tencent.ResolveCredentials(tencent.CredentialSources{Profile: opts.Profile, Getenv: f.Getenv, Home: userHome}); err == nil {
		c := wizard.Credential{Source: sandboxed(f, source.Description), ID: cred.SecretID, Secret: wizard.Secret(cred.SecretKey.Reveal())}
		if opts.Profile != "" {
			c.Flags = []string{"--profile", opts.Profile}
		}
		k.tencent[c.Source], k.found.FoundTencent = cred, append(k.found.FoundTencent, c)
	}
	if cred, err := securitycenter.ResolveCredentials(securitycenter.CredentialSources{Profile: opts.AlibabaProfile, Getenv: f.Getenv, Home: userHome}); err == nil {
		// A profile's provider keeps its secret: the wizard shows the masked ID only.
		c := wizard.Credential{Source: sandboxed(f, cred.Source.Description), ID: cred.Source.MaskedID, Secret: "(kept by the profile)"}
		if id, secret := f.Getenv(envAlibabaKeyID), f.Getenv(envAlibabaKeySecret); opts.AlibabaProfile == "" && id != "" && secret != "" {
			c.ID, c.Secret = id, wizard.Secret(secret)
		}
		if opts.AlibabaProfile != "" {
			c.Flags = []string{"--alibaba-profile", opts.AlibabaProfile}
		}
		k.alibaba[c.Source], k.found.FoundAlibaba = cred, append(k.found.FoundAlibaba, c)
	}
	return k
}

// wizardDeps are the wizard's dependencies but the engine: the keys found, the clients of chosen keys.
func (k wizardKeys) wizardDeps() wizard.Deps {
	d := k.found
	d.Start, d.Sandbox, d.Scrub = k.opts.Request, inSandbox(k.f), store.Scrub
	d.Tencent = func(c wizard.Credential) (wizard.TencentReader, error) { return k.tencentClient(c) }
	d.SecurityCenter = func(site string, c wizard.Credential) (wizard.SecurityCenterReader, error) {
		return k.securityCenter(site, c)
	}
	return d
}

func (k wizardKeys) tencentClient(c wizard.Credential) (*tencent.Client, error) {
	cred, ok := k.tencent[c.Source]
	if !ok || cred.SecretID != c.ID || cred.SecretKey.Reveal() != c.Secret.Reveal() {
		cred = tencent.Credential{SecretID: c.ID, SecretKey: tencent.SecretKey(c.Secret.Reveal())}
	}
	return tencentClient(k.f, k.opts, cred)
}

func (k wizardKeys) securityCenter(site string, c wizard.Credential) (*securitycenter.Client, error) {
	cred, ok := k.alibaba[c.Source]
	if !ok || c.Source == wizard.SourceTyped {
		var err error
		if cred, err = securitycenter.StaticCredentials(c.ID, securitycenter.Secret(c.Secret.Reveal()), "", "typed in the wizard"); err != nil {
			return nil, err
		}
	}
	endpoint := firstNonEmpty(k.opts.SecurityCenterEndpoint, k.f.Getenv(envSecurityCenterEndpoint))
	o := securitycenter.Options{Credentials: cred, Site: securitycenter.Site(site), Endpoint: endpoint, Logger: k.f.Logger}
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

// tencentClient is a Tencent Cloud client signing with c, at the endpoint the flags or environment name.
func tencentClient(f *Factory, opts *TencentOptions, c tencent.Credential) (*tencent.Client, error) {
	rememberTencent(c)
	cl, err := tencent.New(tencent.Options{Credential: c, Endpoint: firstNonEmpty(opts.Endpoint, f.Getenv(envTencentEndpoint)), Logger: f.Logger})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return cl, nil
}

// sandboxed names the sandbox's demo keys as such.
func sandboxed(f *Factory, source string) string {
	if inSandbox(f) {
		return "the sandbox demo key"
	}
	return source
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
