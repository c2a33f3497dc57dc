package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"onboard/securitycenter"
	"onboard/tencent"
)

// Environment names the command layer reads. A sandbox run answers the ones that locate a cloud and its
// keys in the Factory's Getenv (never in the process environment), from f.Sandbox, so that the rest of the
// command layer finds them where a real run does.
const (
	envHome                   = "ONBOARD_HOME"
	envSecretStore            = "ONBOARD_SECRET_STORE"
	envTencentEndpoint        = "ONBOARD_TENCENT_ENDPOINT"
	envSecurityCenterEndpoint = "ONBOARD_SECURITY_CENTER_ENDPOINT"
	envTencentSecretID        = "TENCENTCLOUD_SECRET_ID"
	envTencentSecretKey       = "TENCENTCLOUD_SECRET_KEY"
	envAlibabaKeyID           = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	envAlibabaKeySecret       = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	// envSandboxLatency adds latency to every emulated call (a Go duration), like --sandbox-latency.
	envSandboxLatency = "ONBOARD_SANDBOX_LATENCY"
)

// sandboxSeed is the emulators' demo account: deterministic, so that every sandbox run sees the same
// account, regions and assets.
const sandboxSeed = "demo"

// sandboxPropagation is how long the sandbox's CAM takes to apply a new key or grant: Tencent Cloud's
// cache takes about a minute; a couple of seconds show the wait without making the person sit through it.
const sandboxPropagation = 2 * time.Second

// sandboxOptions are what a sandbox run asks of the emulators.
type sandboxOptions struct {
	Seed    string
	Latency time.Duration
	// Propagation delays new keys and grants as CAM's cache does, so that the person sees the engine
	// wait for them.
	Propagation time.Duration
	// Home is the sandbox's state folder. The emulators keep their state there, so that the commands
	// of a session (onboard, status, rotate-key, offboard) meet the account that the earlier ones changed.
	Home string
}

// Sandbox is a --sandbox run: the started emulators and the demo account's keys. It is a field of the
// Factory, and nothing else says that a run is a sandbox: a variable in the person's shell cannot make a
// real run sign with the wrong key or lift its rate limits.
type Sandbox struct {
	TencentEndpoint        string // base URL of the Tencent Cloud emulator
	SecurityCenterEndpoint string // base URL of the Security Center emulator
	TencentSecretID        string // the demo account's root key
	TencentSecretKey       tencent.SecretKey
	AlibabaKeyID           string // the demo Alibaba Cloud account's AccessKey
	AlibabaKeySecret       securitycenter.Secret
	Home                   string // the sandbox's state folder
}

// environment is what the sandbox answers in the Factory's Getenv.
func (s *Sandbox) environment() map[string]string {
	return map[string]string{
		envHome:                   s.Home,
		envSecretStore:            "file",
		envTencentEndpoint:        s.TencentEndpoint,
		envSecurityCenterEndpoint: s.SecurityCenterEndpoint,
		envTencentSecretID:        s.TencentSecretID,
		envTencentSecretKey:       s.TencentSecretKey.Reveal(),
		envAlibabaKeyID:           s.AlibabaKeyID,
		envAlibabaKeySecret:       s.AlibabaKeySecret.Reveal(),
	}
}

// sandboxEndpoints are the running emulators and the demo account's keys.
type sandboxEndpoints struct {
	Tencent        string // base URL of the Tencent Cloud emulator
	SecurityCenter string // base URL of the Security Center emulator
	TencentID      string
	TencentKey     string
	AlibabaID      string
	AlibabaKey     string
	Stop           func()
}

// startEmulators starts both emulators in this process (sandbox_emulator.go); tests replace it, and
// while it is nil, --sandbox fails with a clear message.
var startEmulators = startBuiltinEmulators

var errNoEmulator = errors.New("the sandbox needs the built-in emulators, and this build has none")

type sandboxFlags struct {
	on      bool
	latency time.Duration
}

// addSandboxFlag adds --sandbox (and the hidden --sandbox-latency) to cmd and wraps its RunE so that a
// sandbox run starts both emulators before the command and stops them after it. Call it once the
// command's RunE is set.
func addSandboxFlag(cmd *cobra.Command, f *Factory) {
	sf := &sandboxFlags{}
	cmd.Flags().BoolVar(&sf.on, "sandbox", false, "run against built-in emulators of both clouds: nothing real is touched")
	cmd.Flags().DurationVar(&sf.latency, "sandbox-latency", 0, "add this latency to every emulated call")
	_ = cmd.Flags().MarkHidden("sandbox-latency")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if !sf.on {
			return run(c, args)
		}
		latency := sf.latency
		if v := f.Getenv(envSandboxLatency); v != "" && latency == 0 {
			d, err := time.ParseDuration(v)
			if err != nil {
				return Usagef("invalid %s %q: want a duration such as 200ms", envSandboxLatency, v)
			}
			latency = d
		}
		stop, err := startSandbox(c.Context(), f, latency)
		if err != nil {
			return err
		}
		defer stop()
		return run(c, args)
	}
}

// startSandbox starts the emulators with the demo seed and points f at them: endpoints, the demo
// account's keys (in memory, never in argv), a file secret store in the sandbox home. The home is
// ONBOARD_HOME when set, so that later sandbox runs see the same state, and a temporary folder removed
// by stop otherwise. stop restores f.
func startSandbox(ctx context.Context, f *Factory, latency time.Duration) (stop func(), err error) {
	if startEmulators == nil {
		return nil, errNoEmulator
	}
	home, removeHome := f.Getenv(envHome), func() {}
	if home == "" {
		home, err = os.MkdirTemp("", "onboard-sandbox-")
		if err != nil {
			return nil, fmt.Errorf("create sandbox home: %w", err)
		}
		removeHome = func() { _ = os.RemoveAll(home) }
	} else if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create sandbox home %s: %w", home, err)
	}
	ep, err := startEmulators(ctx, sandboxOptions{Seed: sandboxSeed, Latency: latency, Propagation: sandboxPropagation, Home: home})
	if err != nil {
		removeHome()
		return nil, fmt.Errorf("start the sandbox emulators: %w", err)
	}
	f.Sandbox = &Sandbox{TencentEndpoint: ep.Tencent, SecurityCenterEndpoint: ep.SecurityCenter, TencentSecretID: ep.TencentID,
		TencentSecretKey: tencent.SecretKey(ep.TencentKey), AlibabaKeyID: ep.AlibabaID, AlibabaKeySecret: securitycenter.Secret(ep.AlibabaKey), Home: home}
	getenv := f.Getenv
	f.Getenv = sandboxGetenv(getenv, f.Sandbox.environment())
	fmt.Fprintf(f.IO.ErrOut, "SANDBOX: both clouds are emulated inside this process (seed %q);\nnothing real is touched.\n", sandboxSeed)
	if getenv(envHome) == "" {
		fmt.Fprintf(f.IO.ErrOut, "State: %s, removed at exit; set %s to keep a sandbox session across commands.\n", home, envHome)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "State: %s (the emulated accounts too)\n", home)
	}
	return func() {
		f.Getenv, f.Sandbox = getenv, nil
		if ep.Stop != nil {
			ep.Stop()
		}
		removeHome()
	}, nil
}

// sandboxGetenv answers from overlay first. The real credentials and profiles of the person's shell are
// hidden: a sandbox run must never reach a real account.
func sandboxGetenv(getenv func(string) string, overlay map[string]string) func(string) string {
	hidden := map[string]bool{"TENCENTCLOUD_SECRET_ID": true, "TENCENTCLOUD_SECRET_KEY": true, "TENCENTCLOUD_SESSION_TOKEN": true,
		"TENCENTCLOUD_PROFILE": true, "ALIBABA_CLOUD_SECURITY_TOKEN": true, "ALIBABA_CLOUD_PROFILE": true,
		"ALIBABA_CLOUD_CREDENTIALS_FILE": true, "ALIBABA_CLOUD_ROLE_ARN": true}
	return func(k string) string {
		if v, ok := overlay[k]; ok {
			return v
		}
		if hidden[k] {
			return ""
		}
		return getenv(k)
	}
}
