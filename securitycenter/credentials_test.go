package securitycenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeCLIConfig(t *testing.T, home string) {
	t.Helper()
	conf := map[string]any{"current": "work", "profiles": []map[string]any{
		{"name": "work", "mode": "AK", "access_key_id": "LTAI5tWorkProfileKey", "access_key_secret": "work-secret", "region_id": "cn-hangzhou"},
		{"name": "sandbox", "mode": "AK", "access_key_id": aliKeyID, "access_key_secret": aliSecret, "region_id": "ap-southeast-1"},
	}}
	data, _ := json.Marshal(conf)
	if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialResolution(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "")
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", "")
	t.Setenv("ALIBABA_CLOUD_PROFILE", "")
	home := t.TempDir()
	writeCLIConfig(t, home)
	keys := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tFromTheEnvironment", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"}

	cases := []struct {
		name     string
		src      CredentialSources
		wantDesc string // substring of the source
		wantID   string // masked id
		wantErr  string
	}{
		{"the environment", CredentialSources{Getenv: env(keys), Home: home}, "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)", "LTAI****ment", ""},
		{"the environment with a security token", CredentialSources{Getenv: env(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.NTempKey123", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"})}, "ALIBABA_CLOUD_SECURITY_TOKEN", "STS.****y123", ""},
		{"an explicit profile wins over the environment", CredentialSources{Profile: "sandbox", Getenv: env(keys), Home: home}, "aliyun CLI profile sandbox in " + home, "LTAI****eyId", ""},
		{"the CLI configuration's current profile", CredentialSources{Getenv: env(nil), Home: home}, "aliyun CLI profile work", "LTAI****eKey", ""},
		{"ALIBABA_CLOUD_PROFILE names the profile", CredentialSources{Getenv: env(map[string]string{"ALIBABA_CLOUD_PROFILE": "sandbox"}), Home: home}, "aliyun CLI profile sandbox", "LTAI****eyId", ""},
		{"a half-set environment", CredentialSources{Getenv: env(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx"}), Home: home}, "", "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET is empty"},
		{"an unknown profile", CredentialSources{Profile: "nope", Home: home}, "", "", "nope"},
		{"an explicit profile without a CLI configuration", CredentialSources{Profile: "work", Home: t.TempDir()}, "", "", "--alibaba-profile work"},
		{"nothing at all", CredentialSources{Home: t.TempDir()}, "", "", "no Alibaba Cloud credentials found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cred, err := ResolveCredentials(c.src)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(cred.Source.Description, c.wantDesc) || cred.Source.MaskedID != c.wantID {
				t.Fatalf("source %q, want %q and %s", cred.Source, c.wantDesc, c.wantID)
			}
			for _, secret := range []string{"env-secret", "work-secret", aliSecret, "tok"} {
				if strings.Contains(cred.Source.String(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", cred.Source, cred.Source), secret) {
					t.Fatalf("the source shows a secret: %s", cred.Source)
				}
			}
		})
	}
	if _, err := ResolveCredentials(CredentialSources{Home: t.TempDir()}); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("no source: %v, want ErrNoCredentials", err)
	}
}

func TestASecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	data, _ := json.Marshal(struct{ S Secret }{s})
	for _, out := range []string{s.String(), fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s), string(data)} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("printed %q", out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Fatal("Reveal")
	}
}

func TestAClientSignsWithACLIProfile(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "")
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", "")
	home := t.TempDir()
	writeCLIConfig(t, home)
	w := newWorld(t)
	cred, err := ResolveCredentials(CredentialSources{Profile: "sandbox", Home: home})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Credentials: cred, Endpoint: w.url})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Regions(context.Background(), VendorTencent); err != nil {
		t.Fatalf("a request signed with the profile's key: %v", err)
	}
	work, _ := ResolveCredentials(CredentialSources{Profile: "work", Home: home})
	c, _ = New(Options{Credentials: work, Endpoint: w.url})
	if _, err := c.Regions(context.Background(), VendorTencent); !errors.Is(err, ErrAuth) {
		t.Fatalf("a key the emulator does not know: %v, want ErrAuth", err)
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("a client without credentials was built")
	}
	if _, err := StaticCredentials("LTAIx", "", "", ""); err == nil {
		t.Fatal("a key without a secret was accepted")
	}
}

func TestSecretsNamesTheSecretPartsForTheScrubber(t *testing.T) {
	c, err := StaticCredentials("LTAI5tSecretsTestKey", Secret("the-access-key-secret"), Secret("the-security-token"), "test")
	if err != nil {
		t.Fatal(err)
	}
	got := c.Secrets()
	if len(got) != 2 || got[0] != "the-access-key-secret" || got[1] != "the-security-token" {
		t.Errorf("Secrets() = %q", got)
	}
	if (Credentials{}).Secrets() != nil {
		t.Error("empty credentials have secrets")
	}
}
