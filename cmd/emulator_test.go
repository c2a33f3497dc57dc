package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
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
		{[]string{"--propagation", "2s"}, EmulatorOptions{Addr: "127.0.0.1:0", Seed: "demo", Propagation: 2 * time.Second}, false},
	}
	for _, tt := range tests {
		var got *EmulatorOptions
		cmd := NewCmdEmulator(NewFactory(), func(_ context.Context, o *EmulatorOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.Addr != tt.want.Addr || got.Seed != tt.want.Seed || got.Latency != tt.want.Latency || got.Propagation != tt.want.Propagation || (tt.want.RateLimits != "" && (got.RateLimits != tt.want.RateLimits || got.RateScope != tt.want.RateScope)) {
			t.Errorf("%v: got %+v", tt.args, got)
		}
	}
}

// A negative --propagation is a usage error naming the flag, before anything listens.
func TestEmulatorRefusesANegativePropagation(t *testing.T) {
	f, out, errOut := tencentTestFactory(map[string]string{})
	if code := run(context.Background(), f, []string{"emulator", "--propagation", "-1s"}); code != ExitUsage || !strings.Contains(errOut.String(), "--propagation") || out.String() != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q; want exit 2 naming --propagation", code, errOut.String(), out.String())
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
