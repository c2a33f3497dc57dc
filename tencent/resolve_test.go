package tencent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveCredentials(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".tccli"), 0o700)
	os.MkdirAll(filepath.Join(home, ".tencentcloud"), 0o700)
	os.WriteFile(filepath.Join(home, ".tccli", "work.credential"), []byte(`{"secretId":"AKIDtccliwork0001","secretKey":"tccli-key"}`), 0o600)
	os.WriteFile(filepath.Join(home, ".tencentcloud", "credentials"), []byte("; comment\n[default]\nsecret_id = AKIDinidefault01\nsecret_key = ini-key\n[prod]\nsecret_id=AKIDiniprod00001\nsecret_key=prod-key\n"), 0o600)
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		src     CredentialSources
		id, key string
		source  string
		err     string
	}{
		{"stdin", CredentialSources{SecretID: "AKIDfromflag0001", KeyReader: strings.NewReader("stdin-key\n"), Getenv: env("TENCENTCLOUD_SECRET_ID", "x", "TENCENTCLOUD_SECRET_KEY", "y")}, "AKIDfromflag0001", "stdin-key", "standard input", ""},
		{"secret id without stdin", CredentialSources{SecretID: "AKIDx"}, "", "", "", "--secret-key-stdin"},
		{"empty stdin", CredentialSources{SecretID: "AKIDx", KeyReader: strings.NewReader("\n")}, "", "", "", "no SecretKey"},
		{"environment", CredentialSources{Getenv: env("TENCENTCLOUD_SECRET_ID", "AKIDenvironment1", "TENCENTCLOUD_SECRET_KEY", "env-key"), Home: home}, "AKIDenvironment1", "env-key", "environment", ""},
		{"half environment", CredentialSources{Getenv: env("TENCENTCLOUD_SECRET_ID", "AKIDenv")}, "", "", "", "TENCENTCLOUD_SECRET_KEY is empty"},
		{"tccli profile", CredentialSources{Profile: "work", Home: home}, "AKIDtccliwork0001", "tccli-key", "tccli profile work", ""},
		{"ini profile", CredentialSources{Profile: "prod", Home: home}, "AKIDiniprod00001", "prod-key", "profile prod", ""},
		{"ini default", CredentialSources{Home: home}, "AKIDinidefault01", "ini-key", "profile default", ""},
		{"missing profile", CredentialSources{Profile: "nope", Home: home}, "", "", "", "--profile nope"},
		{"nothing", CredentialSources{Home: t.TempDir()}, "", "", "", "TENCENTCLOUD_SECRET_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, src, err := ResolveCredentials(tt.src)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil || c.SecretID != tt.id || c.SecretKey.Reveal() != tt.key || !strings.Contains(src.Description, tt.source) {
				t.Fatalf("got %v %v %v", c.SecretID, src, err)
			}
			if strings.Contains(src.String(), tt.key) || strings.Contains(src.String(), tt.id) {
				t.Fatalf("source %q shows the key or the whole SecretId", src)
			}
		})
	}
	if _, _, err := ResolveCredentials(CredentialSources{Home: t.TempDir()}); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no source: %v", err)
	}
}

func FuzzParseCredentialFiles(f *testing.F) {
	f.Add("[default]\nsecret_id = a\nsecret_key = b\n", []byte(`{"secretId":"a","secretKey":"b"}`))
	f.Add("[x\n=\n[]", []byte(`{`))
	f.Fuzz(func(t *testing.T, ini string, tccli []byte) {
		for sec, kv := range parseINI(ini) {
			for k := range kv {
				if strings.ContainsAny(k, "\n") || strings.ContainsAny(sec, "\n") {
					t.Fatalf("a key or section spans lines: %q %q", sec, k)
				}
			}
		}
		if c, err := parseTccliCredential(tccli); err == nil && (c.SecretID == "" || c.SecretKey == "") {
			t.Fatalf("accepted an empty credential from %q", tccli)
		}
	})
}
