package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSecret = "s3cr3t-KEY-value-0123456789"

func TestSecretNeverPrintsItsValue(t *testing.T) {
	c := Credential{SecretID: "AKIDexample", SecretKey: Secret(testSecret)}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("credential", "c", c, "key", c.SecretKey)
	text := slog.New(slog.NewTextHandler(&logs, nil))
	text.Info("credential", "key", c.SecretKey)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c.SecretKey), "%q": fmt.Sprintf("%q", c.SecretKey), "%x": fmt.Sprintf("%x", c.SecretKey),
		"String": c.SecretKey.String(), "GoString": c.SecretKey.GoString(), "json": string(js), "slog": logs.String(),
	}
	for form, out := range outputs {
		if strings.Contains(out, testSecret) {
			t.Errorf("%s shows the secret: %s", form, out)
		}
		if !strings.Contains(out, "****") {
			t.Errorf("%s does not show the mask: %s", form, out)
		}
	}
	if c.SecretKey.Reveal() != testSecret {
		t.Errorf("Reveal lost the value")
	}
}

func TestFileStore(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	var warn bytes.Buffer
	s, err := NewFileStore(home, &warn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get of a missing item: %v, want ErrSecretNotFound", err)
	}
	want := Credential{SecretID: "AKIDone", SecretKey: Secret(testSecret)}
	if err := s.Put(ctx, "acct", want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), "unencrypted") || !strings.Contains(warn.String(), s.Path()) {
		t.Errorf("no warning naming the file on write: %q", warn.String())
	}
	got, err := s.Get(ctx, "acct")
	if err != nil || got.SecretID != want.SecretID || got.SecretKey.Reveal() != testSecret {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	assertMode(t, home, 0o700)
	assertMode(t, s.Path(), 0o600)
	if err := s.Delete(ctx, "acct"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "acct"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.Delete(ctx, "acct"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestSecretStoreFromEnv(t *testing.T) {
	home := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == SecretStoreEnv {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		value    string
		insecure bool
		kind     string
		wantErr  string
	}{
		{"", false, "keyring", ""},
		{"keyring", false, "keyring", ""},
		{"file", false, "file", ""},
		{"", true, "file", ""},
		{"vault", false, "", "valid values are keyring, file"},
	}
	for _, tt := range tests {
		s, err := SecretStoreFromEnv(home, tt.insecure, env(tt.value), nil)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), SecretStoreEnv) {
				t.Errorf("%q: error %v, want one naming %s and %q", tt.value, err, SecretStoreEnv, tt.wantErr)
			}
			continue
		}
		if err != nil || s.Kind() != tt.kind {
			t.Errorf("%q insecure=%v: got %v %v, want %s", tt.value, tt.insecure, s, err, tt.kind)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	s := NewMemoryStore()
	ctx := context.Background()
	if err := s.Put(ctx, "a", Credential{SecretID: "id", SecretKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Get(ctx, "a"); err != nil || c.SecretKey.Reveal() != "k" {
		t.Fatalf("get: %v %v", c, err)
	}
	if _, err := s.Get(ctx, "b"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", path, got, want)
	}
}
