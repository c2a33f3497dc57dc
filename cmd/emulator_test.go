package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"onboard/securitycenter"
)

func TestEmulatorFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    EmulatorOptions
		wantErr bool
	}{
		{[]string{}, EmulatorOptions{Addr: "127.0.0.1:0", Seed: "demo", RateLimits: "off", RateScope: "account"}, false},
		{[]string{"--rate-limits", "published", "--rate-limit-scope", "region"}, EmulatorOptions{Addr: "127.0.0.1:0", Seed: "demo", RateLimits: "published", RateScope: "region"}, false},
		{[]string{"--addr", "127.0.0.1:9000", "--seed", "random", "--latency", "30ms±10ms"}, EmulatorOptions{Addr: "127.0.0.1:9000", Seed: "random", Latency: "30ms±10ms"}, false},
	}
	for _, tt := range tests {
		var got *EmulatorOptions
		cmd := NewCmdEmulator(NewFactory(), func(_ context.Context, o *EmulatorOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.Addr != tt.want.Addr || got.Seed != tt.want.Seed || got.Latency != tt.want.Latency || (tt.want.RateLimits != "" && (got.RateLimits != tt.want.RateLimits || got.RateScope != tt.want.RateScope)) {
			t.Errorf("%v: got %+v", tt.args, got)
		}
	}
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in           string
		base, jitter time.Duration
		ok           bool
	}{
		{"", 0, 0, true}, {"30ms", 30 * time.Millisecond, 0, true}, {"30ms±10ms", 30 * time.Millisecond, 10 * time.Millisecond, true},
		{"30ms+-5ms", 30 * time.Millisecond, 5 * time.Millisecond, true}, {"fast", 0, 0, false}, {"30ms±x", 0, 0, false}, {"-1s", 0, 0, false},
	}
	for _, tt := range tests {
		b, j, err := parseLatency(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (b != tt.base || j != tt.jitter)) {
			t.Errorf("parseLatency(%q) = %v, %v, %v", tt.in, b, j, err)
		}
		if err != nil && exitCode(err) != ExitUsage {
			t.Errorf("parseLatency(%q): exit code %d, want usage", tt.in, exitCode(err))
		}
	}
}

func TestEmulatorPrintsOneJSONLineAndServesUntilCancelled(t *testing.T) {
	ios, _, _, _ := TestIOStreams()
	out := &lockedBuffer{}
	ios.Out = out
	f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, f, []string{"emulator", "--seed", "demo"}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var line map[string]string
	if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
		t.Fatalf("output %q is not one JSON line: %v", out.String(), err)
	}
	for _, k := range []string{"tencent_endpoint", "tencent_secret_id", "tencent_secret_key", "tencent_owner_uin",
		"security_center_endpoint", "alibaba_access_key_id", "alibaba_access_key_secret"} {
		if line[k] == "" {
			t.Errorf("JSON line lacks %s: %v", k, line)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK && code != ExitCancelled {
			t.Errorf("exit code %d after cancel", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("emulator did not stop when cancelled")
	}
}

// lockedBuffer is a buffer a command may write while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startEmulatorCommand runs `onboard emulator` with args until the test ends and returns its JSON line.
func startEmulatorCommand(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ios, _, _, _ := TestIOStreams()
	out := &lockedBuffer{}
	ios.Out = out
	f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, f, append([]string{"emulator"}, args...)) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var line map[string]string
	if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
		t.Fatalf("output %q is not one JSON line: %v", out.String(), err)
	}
	return line
}

func TestEmulatorFaultsReachSecurityCenterActions(t *testing.T) {
	line := startEmulatorCommand(t, "--faults", "action=sas:AddCloudVendorAccountAK,fault=drop,nth=1;action=sas:GetSupportedModules,fault=Throttling.User,nth=2")
	cred, err := securitycenter.StaticCredentials(line["alibaba_access_key_id"], securitycenter.Secret(line["alibaba_access_key_secret"]), "", "test")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: line["security_center_endpoint"],
		Retry: securitycenter.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	spec := securitycenter.AccountSpec{KeyType: securitycenter.KeyPrimary, SecretID: line["tencent_secret_id"],
		SecretKey: securitycenter.Secret(line["tencent_secret_key"]), Modules: []securitycenter.Module{securitycenter.ModuleHost}}
	if _, err := sc.AddAccount(ctx, spec); !errors.Is(err, securitycenter.ErrUnavailable) || !strings.Contains(err.Error(), "NetworkError") {
		t.Fatalf("first AddCloudVendorAccountAK: %v, want the dropped connection", err)
	}
	if _, err := sc.AddAccount(ctx, spec); err != nil {
		t.Fatalf("second AddCloudVendorAccountAK (nth=1 only): %v", err)
	}
	if _, err := sc.SupportedModules(ctx); err != nil {
		t.Fatalf("first GetSupportedModules: %v", err)
	}
	if _, err := sc.SupportedModules(ctx); !errors.Is(err, securitycenter.ErrThrottled) {
		t.Fatalf("second GetSupportedModules: %v, want Throttling.User", err)
	}
}

func TestEmulatorRefusesAFaultRuleForAnUnknownSecurityCenterAction(t *testing.T) {
	for spec, want := range map[string]string{
		"action=sas:NoSuchAction,fault=drop,nth=1":                "NoSuchAction",
		"action=sas:RefreshAssets,region=ap-tokyo,fault=drop,p=1": "region=",
	} {
		ios, _, out, errOut := TestIOStreams()
		f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
		if code := run(context.Background(), f, []string{"emulator", "--faults", spec}); code != ExitUsage || !strings.Contains(errOut.String(), want) || out.Len() != 0 {
			t.Errorf("%s: exit %d, stderr %q", spec, code, errOut.String())
		}
	}
}

func TestEmulatorDeniesTheSecurityCenterActionsNamedBySASDeny(t *testing.T) {
	line := startEmulatorCommand(t, "--sas-deny", "RefreshAssets,ListCloudVendorRegions")
	cred, _ := securitycenter.StaticCredentials(line["alibaba_access_key_id"], securitycenter.Secret(line["alibaba_access_key_secret"]), "", "test")
	sc, err := securitycenter.New(securitycenter.Options{Credentials: cred, Endpoint: line["security_center_endpoint"]})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = sc.RefreshAssets(ctx, securitycenter.VendorTencent, securitycenter.AssetsHosts)
	if action, _ := securitycenter.MissingPermission(err); !errors.Is(err, securitycenter.ErrDenied) || action != "yundun-sas:RefreshAssets" {
		t.Errorf("RefreshAssets: %v", err)
	}
	if _, err := sc.SupportedModules(ctx); err != nil {
		t.Errorf("an action not denied: %v", err)
	}
}
