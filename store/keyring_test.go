package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const keyringHowTo = `dbus-run-session -- sh -c 'echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets; sleep 1; go test ./store -run Keyring'`

// requireSecretService returns the keyring backend when a Secret Service answers. In CI (CI set) the
// keyring tests must run, so an unreachable service fails the test; elsewhere they skip and say how to run.
func requireSecretService(t *testing.T) *Keyring {
	t.Helper()
	k := NewKeyring(DefaultKeyringTimeout, os.Getenv)
	_, err := k.Get(context.Background(), "onboard-probe-"+t.Name())
	if err == nil || errors.Is(err, ErrSecretNotFound) {
		return k
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but the Secret Service is not usable: %v\nrun the tests under: %s", err, keyringHowTo)
	}
	t.Skipf("no usable Secret Service (%v); run the keyring tests with:\n  %s", err, keyringHowTo)
	return nil
}

func TestKeyringRoundTrip(t *testing.T) {
	k := requireSecretService(t)
	ctx := context.Background()
	name := "onboard-test-" + time.Now().Format("150405.000000000")
	want := Credential{SecretID: "AKIDkeyring", SecretKey: Secret(testSecret)}
	if err := k.Put(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), name) })
	got, err := k.Get(ctx, name)
	if err != nil || got.SecretID != want.SecretID || got.SecretKey.Reveal() != testSecret {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	// Overwriting keeps one item with the new value.
	want.SecretKey = "second-value"
	if err := k.Put(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.Get(ctx, name); got.SecretKey.Reveal() != "second-value" {
		t.Fatalf("overwrite: %v", got.SecretKey.Reveal())
	}
	if err := k.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, name); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("get after delete: %v, want ErrSecretNotFound", err)
	}
}

func TestKeyringWithoutSessionBusSaysSoAndHowToFix(t *testing.T) {
	k := NewKeyring(DefaultKeyringTimeout, func(string) string { return "" })
	_, err := k.Get(context.Background(), "x")
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("error %v, want ErrKeyringUnavailable", err)
	}
	for _, want := range []string{"DBUS_SESSION_BUS_ADDRESS", "--insecure-storage", "ONBOARD_SECRET_STORE=file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// A bus that accepts the connection and never answers stands for a Secret Service stuck on a prompt:
// the call must give up within the timeout, not hang. It runs in a child process because the D-Bus
// library keeps one session connection per process, which another test may already have opened.
func TestKeyringCallsAreBoundedByTheTimeout(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cmd := helperCommand(t, "keyring-timeout", "")
	cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
	start := time.Now()
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "unavailable") || !strings.Contains(string(out), "within 300ms") {
		t.Fatalf("child said %q, want a timeout that says so", out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("call took %s; the timeout was 300ms", d)
	}
}

// A Secret Service whose login collection is locked (the daemon started without --unlock) must give an
// error that says the keyring is locked and how to fix it. The child runs in its own private session bus.
func TestKeyringLockedCollectionSaysSo(t *testing.T) {
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI is set but %s is missing (apt-get install dbus gnome-keyring)", tool)
			}
			t.Skipf("%s not installed; apt-get install dbus gnome-keyring", tool)
		}
	}
	data := t.TempDir()
	script := `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; sleep 1; exec "$0" -test.run='^$'`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), "STORE_HELPER=keyring-call", "XDG_DATA_HOME="+data)
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "unavailable:") || !strings.Contains(string(out), "locked") || !strings.Contains(string(out), "unlock a keyring") {
		t.Fatalf("child said %q; want an error saying the keyring is locked and how to fix it", out)
	}
}

// keyringCallChild makes one keyring call with the default bound and prints the error.
func keyringCallChild(timeout time.Duration) {
	k := NewKeyring(timeout, os.Getenv)
	_, err := k.Get(context.Background(), "x")
	if errors.Is(err, ErrKeyringUnavailable) {
		fmt.Println("unavailable:", err)
		return
	}
	fmt.Println("unexpected:", err)
}
