// Package emulator serves local, stateful emulators of the Tencent Cloud API (package tcloud) and of
// Security Center's multi-cloud API (package sas) for tests, benchmarks, `onboard emulator` and --sandbox.
// Listeners are on loopback only.
//
// It must not import the packages above it (cmd, wizard, onboarding, inventory, tencent, securitycenter,
// store) nor any cloud SDK; it may import policy.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"onboard/emulator/sas"
	"onboard/emulator/tcloud"
)

// Options configure the emulators.
type Options struct {
	// Addr is the Tencent emulator's listen address; default 127.0.0.1:0. Only loopback addresses are
	// accepted: the emulators hold test credentials and must not be reachable from elsewhere.
	Addr string
	// SecurityCenterAddr is the Security Center emulator's listen address; default 127.0.0.1:0, loopback only.
	SecurityCenterAddr string
	// Seed names the account: "demo" gives the deterministic demo account (fixed root key), "" or
	// "random" a random one, and any other value is a JSON seed file's path (tcloud.ReadSeedFile).
	Seed string
	// SeedGen adds generated inventory, e.g. "regions=25,cvm=50000,cam_user=100" (tcloud.ParseSeedGen);
	// "members=N" adds N member accounts of the seeded account's organization, each seeded alike.
	SeedGen string
	// Faults injects faults, e.g. "fault=InternalError,p=0.05;fault=drop,p=0.05" (tcloud.ParseFaults). A
	// rule whose action starts with "sas:" goes to Security Center ("action=sas:AddCloudVendorAccountAK,
	// fault=drop,nth=1"; "sas:*" for every action); every other rule to Tencent Cloud.
	Faults string
	// Latency and Jitter delay every call by Latency ± Jitter, on both clouds.
	Latency, Jitter time.Duration
	// WithoutPresets leaves these preset policies out (e.g. CloudResourceReadOnlyAccess).
	WithoutPresets []string
	// RefuseUnknownServices makes CAM refuse policies naming a service onboard does not know (the strict
	// reading; see tcloud.Options.RefuseUnknownServices).
	RefuseUnknownServices bool
	// RateLimits is "published" (the per-action table of Tencent's docs) or "off" (the default).
	RateLimits string
	// SecurityCenterDenied are Security Center actions answered 403 NoPermission, as for an Alibaba Cloud
	// key whose RAM policies lack them (sas.Options.DeniedActions).
	SecurityCenterDenied []string
	// SecurityCenterWithout are Security Center actions its gateway answers as unknown, with
	// SecurityCenterUnknownActionCode (InvalidApi.NotFound by default, or InvalidAction.NotFound).
	SecurityCenterWithout           []string
	SecurityCenterUnknownActionCode string
	// RateLimitPerRegion scopes the limits per account, action and region instead of per account and action.
	RateLimitPerRegion bool
	// RefuseActiveKeyDeletion makes CAM's DeleteAccessKey refuse a sub-user's active key (see
	// tcloud.Options.RefuseActiveKeyDeletion).
	RefuseActiveKeyDeletion bool
	// DeleteActiveRootKey makes CAM's DeleteAccessKey delete the root account's active key (see
	// tcloud.Options.DeleteActiveRootKey).
	DeleteActiveRootKey bool
	// Propagation delays new keys and grants as CAM's cache does (tcloud.Options.Propagation); 0: none.
	Propagation time.Duration
	// StateFile keeps what API calls changed in both emulators across processes: Start loads it when it
	// exists, and Close saves it. It holds emulator-only secrets (the keys of the emulated sub-users),
	// and is written with the permissions of a secret file. Empty: nothing outlives the process.
	StateFile string
	// SecurityCenterTencentVendorName is how Security Center spells Tencent Cloud among its service
	// providers ("Tencent" by default, or "TENCENT"; sas.Options.TencentVendorName).
	SecurityCenterTencentVendorName string
}

// Env is a running set of emulators.
type Env struct {
	Tencent          *tcloud.Server
	TencentEndpoint  string // http://127.0.0.1:PORT
	TencentSecretID  string // the root key
	TencentSecretKey string
	OwnerUIN         string

	// SecurityCenter checks submitted Tencent keys against the Tencent emulator above.
	SecurityCenter         *sas.Server
	SecurityCenterEndpoint string // http://127.0.0.1:PORT, served as the site outside the Chinese mainland
	AlibabaAccessKeyID     string // the seeded Alibaba Cloud account's AccessKey
	AlibabaAccessKeySecret string

	// Troubles are the demo hosts that cannot get Security Center's agent, and why.
	Troubles FleetTroubles

	servers []*http.Server
	// saveMu guards stateFile and saved, and makes one save at a time.
	saveMu    sync.Mutex
	stateFile string
	saved     int // the changes the state file holds
}

// Demo account: fixed so that every sandbox run sees the same account. These are emulator-only keys.
const (
	demoOwnerUIN  = 100012345678
	demoSecretID  = "AKIDsandboxDemoRootKey"
	demoSecretKey = "sandbox-demo-root-secret-key"

	demoAlibabaUID       = "1234567890123456"
	demoAlibabaKeyID     = "sandbox-demo-alibaba-key"
	demoAlibabaKeySecret = "sandbox-demo-alibaba-secret"
)

// demoHosts is the demo account's CVM fleet: a few dozen hosts over five regions.
var demoHosts = []struct {
	region string
	hosts  int
}{{"ap-guangzhou", 12}, {"ap-shanghai", 8}, {"ap-beijing", 5}, {"ap-singapore", 3}, {"na-siliconvalley", 2}}

// demoMembers are the member accounts of the demo account's organization, each with a few hosts.
var demoMembers = []struct {
	name  string
	hosts int
}{{"demo-dev", 3}, {"demo-staging", 2}, {"demo-data", 4}}

// FleetTroubles are the hosts of an account that an agent install cannot (or could not) reach.
type FleetTroubles struct {
	Stopped    []string // not running
	TATOffline []string // TAT's agent offline
	Failing    []string // the installer fails on them (tcloud.TATDownloadFailure)
}

// seedDemoFleetTroubles gives a few demo hosts what a real fleet has, so that an agent install in the
// sandbox shows every outcome: in ap-guangzhou (the region a sandbox onboarding syncs first) one CVM
// instance is stopped, TAT's agent is offline on a CVM instance and a Lighthouse server, and the
// installer fails to download on one CVM instance; in ap-shanghai one more host has TAT offline.
func seedDemoFleetTroubles(tc *tcloud.Server) FleetTroubles {
	gz := tc.InstanceIDs("ap-guangzhou") // 12 CVM instances, then 4 Lighthouse servers
	t := FleetTroubles{Stopped: []string{gz[2]}, TATOffline: []string{gz[5], gz[13], tc.InstanceIDs("ap-shanghai")[3]}, Failing: []string{gz[8]}}
	for _, id := range t.Stopped {
		tc.StopInstance(id)
	}
	for _, id := range t.TATOffline {
		tc.SetTATAgent(id, false)
	}
	for _, id := range t.Failing {
		tc.FailTATCommands(id, tcloud.TATDownloadFailure)
	}
	return t
}

// Start starts the emulators and returns once they accept connections.
func Start(ctx context.Context, o Options) (*Env, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.SecurityCenterAddr == "" {
		o.SecurityCenterAddr = "127.0.0.1:0"
	}
	if err := requireLoopback(o.Addr); err != nil {
		return nil, err
	}
	if err := requireLoopback(o.SecurityCenterAddr); err != nil {
		return nil, err
	}
	if o.Propagation < 0 {
		return nil, fmt.Errorf("invalid propagation %s: want a duration of 0 or more", o.Propagation)
	}
	topts := tcloud.Options{WithoutPresets: o.WithoutPresets, RefuseActiveKeyDeletion: o.RefuseActiveKeyDeletion, DeleteActiveRootKey: o.DeleteActiveRootKey,
		RefuseUnknownServices: o.RefuseUnknownServices, Propagation: o.Propagation}
	switch o.RateLimits {
	case "", "off":
	case "published":
		topts.RateLimits = tcloud.RateLimits{Rates: tcloud.PublishedRates, PerRegion: o.RateLimitPerRegion}
	default:
		return nil, fmt.Errorf("unknown rate limits %q: valid values are published, off", o.RateLimits)
	}
	var seeds []tcloud.Seed
	switch o.Seed {
	case "", "random":
	case "demo":
		topts.OwnerUIN, topts.RootSecretID, topts.RootSecretKey = demoOwnerUIN, demoSecretID, demoSecretKey
	default:
		sd, err := tcloud.ReadSeedFile(o.Seed)
		if err != nil {
			return nil, fmt.Errorf("seed %q is neither demo, random nor a readable seed file: %w", o.Seed, err)
		}
		seeds = append(seeds, sd)
	}
	if o.SeedGen != "" {
		sd, err := tcloud.ParseSeedGen(o.SeedGen)
		if err != nil {
			return nil, err
		}
		seeds = append(seeds, sd)
	}
	faults, sasFaults, err := splitFaults(o.Faults)
	if err != nil {
		return nil, err
	}
	if o.Latency > 0 || o.Jitter > 0 {
		base, jitter := o.Latency, o.Jitter
		topts.Latency = func() time.Duration {
			if jitter <= 0 {
				return base
			}
			return max(0, base-jitter+time.Duration(rand.Int64N(int64(2*jitter)+1)))
		}
	}
	tc := tcloud.New(topts)
	var troubles FleetTroubles
	if o.Seed == "demo" {
		for _, r := range demoHosts {
			tc.SeedCVM(r.region, r.hosts)
		}
		tc.SeedLighthouse("ap-guangzhou", 4)
		tc.SeedVPC("ap-guangzhou", 3)
		tc.SeedVPC("ap-shanghai", 2)
		tc.SeedLighthouse("ap-singapore", 2)
		tc.SeedDisks("ap-guangzhou", 14)
		tc.SeedDisks("ap-shanghai", 8)
		tc.SeedLoadBalancers("ap-guangzhou", 2)
		tc.SeedDBInstances("ap-shanghai", 2)
		// WAF protecting two domains with their logs off, so that onboard soc logs has work in the sandbox;
		// no Cloud Firewall.
		tc.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_demo0001", Name: "demo", Region: "gz", Level: 3})
		tc.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "shop.demo.example.com", InstanceID: "waf_demo0001"})
		tc.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "api.demo.example.com", InstanceID: "waf_demo0001", AccessLog: true})
		troubles = seedDemoFleetTroubles(tc)
		// The demo account manages an organization, so that tencent --org runs in the sandbox. Each member
		// is an account of its own with the same options, numbered after the demo account's UIN, with a
		// fixed root key like the demo account's, so that every sandbox run sees the same members.
		for i, m := range demoMembers {
			mo := topts
			mo.OwnerUIN, mo.AppID = 0, 0
			mo.RootSecretID, mo.RootSecretKey = fmt.Sprintf("%sMember%d", demoSecretID, i+1), fmt.Sprintf("%s-member-%d", demoSecretKey, i+1)
			tc.AddMember(mo, m.name).SeedCVM("ap-guangzhou", m.hosts)
		}
	}
	for _, sd := range seeds {
		if err := tc.Apply(ctx, sd); err != nil {
			return nil, err
		}
		// Each member is an account of its own: the same options (rate limits, latency), its own UIN,
		// root key and state.
		for _, msd := range sd.Members {
			mo := topts
			mo.OwnerUIN, mo.AppID, mo.RootSecretID, mo.RootSecretKey = 0, 0, "", ""
			if err := tc.AddMember(mo, "").Apply(ctx, msd); err != nil {
				return nil, err
			}
		}
	}
	tc.AddFaults(faults)
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	id, key := tc.RootKey()
	env := &Env{
		Tencent: tc, TencentEndpoint: "http://" + l.Addr().String(), TencentSecretID: id, TencentSecretKey: key,
		OwnerUIN: fmt.Sprint(tc.OwnerUIN()), Troubles: troubles,
	}
	srv := &http.Server{Handler: env.savingAnswers(tc), ReadHeaderTimeout: 10 * time.Second}
	env.servers = []*http.Server{srv}
	go srv.Serve(l)

	for _, a := range o.SecurityCenterDenied {
		if !sas.Serves(a) {
			env.Close()
			return nil, fmt.Errorf("denied Security Center action %q: no such action", a)
		}
	}
	env.SecurityCenter = sas.New(sas.Options{TencentEndpoint: env.TencentEndpoint, DeniedActions: o.SecurityCenterDenied, Latency: topts.Latency,
		WithoutActions: o.SecurityCenterWithout, UnknownActionCode: o.SecurityCenterUnknownActionCode,
		TencentVendorName: o.SecurityCenterTencentVendorName})
	aliUID, aliID, aliSecret := demoAlibabaUID, demoAlibabaKeyID, demoAlibabaKeySecret
	if o.Seed != "demo" {
		aliUID, aliID, aliSecret = fmt.Sprintf("1%015d", rand.Int64N(1e15)), "LTAIemu"+randomKey(18), randomKey(30)
	}
	env.SecurityCenter.AddAccessKey(aliUID, aliID, aliSecret)
	// An agent that TAT installs calls home to Security Center, which decides whether its code is valid.
	// So does one installed in a member account of the organization.
	for _, acct := range append([]*tcloud.Server{tc}, tc.Members()...) {
		acct.OnAgentInstall(func(a tcloud.AgentInstall) { env.SecurityCenter.ConnectAgent(a) })
	}
	env.SecurityCenter.AddFaults(sasFaults)
	if o.StateFile != "" {
		if err := env.loadState(o.StateFile); err != nil {
			env.Close()
			return nil, err
		}
		env.saveMu.Lock()
		env.stateFile = o.StateFile
		env.saveMu.Unlock()
	}
	env.AlibabaAccessKeyID, env.AlibabaAccessKeySecret = aliID, aliSecret
	sl, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.SecurityCenterAddr)
	if err != nil {
		env.Close()
		return nil, fmt.Errorf("listen on %s: %w", o.SecurityCenterAddr, err)
	}
	ssrv := &http.Server{Handler: env.savingAnswers(env.SecurityCenter), ReadHeaderTimeout: 10 * time.Second}
	go ssrv.Serve(sl)
	env.servers = append(env.servers, ssrv)
	env.SecurityCenterEndpoint = "http://" + sl.Addr().String()
	return env, nil
}

// splitFaults parses a fault specification and hands each rule to the emulator its action names.
func splitFaults(spec string) ([]tcloud.FaultRule, []sas.FaultRule, error) {
	if spec == "" {
		return nil, nil, nil
	}
	rules, err := tcloud.ParseFaults(spec)
	if err != nil {
		return nil, nil, err
	}
	var tc []tcloud.FaultRule
	var sc []sas.FaultRule
	for _, r := range rules {
		action, isSAS := strings.CutPrefix(r.Action, "sas:")
		if !isSAS {
			tc = append(tc, r)
			continue
		}
		if r.Region != "" {
			return nil, nil, fmt.Errorf("fault rule for sas:%s: region= does not apply to Security Center actions", action)
		}
		if action != "*" && !sas.Serves(action) {
			return nil, nil, fmt.Errorf("fault rule for sas:%s: Security Center has no action %q", action, action)
		}
		sc = append(sc, sas.FaultRule{Action: action, Fault: r.Fault, Delay: r.Delay, Probability: r.Probability, Nth: r.Nth})
	}
	return tc, sc, nil
}

// randomKey is n random letters and digits, for an emulator-only key.
func randomKey(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rand.IntN(len(chars))]
	}
	return string(b)
}

// Close stops the emulators, and saves their state first when Options.StateFile was given.
func (e *Env) Close() error {
	var errs []error
	e.saveMu.Lock()
	path := e.stateFile
	e.saveMu.Unlock()
	if path != "" {
		if e.changes() > 0 {
			e.drainChecks()
		}
		e.saveMu.Lock()
		errs = append(errs, e.saveState(path, true))
		e.saveMu.Unlock()
	}
	for _, s := range e.servers {
		errs = append(errs, s.Close())
	}
	if e.SecurityCenter != nil {
		e.SecurityCenter.Close()
	}
	return errors.Join(errs...)
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid listen address %q: want HOST:PORT", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q is not a loopback address: the emulators serve test credentials and listen on 127.0.0.1 or ::1 only", addr)
	}
	return nil
}
