package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onboard/securitycenter"
	"onboard/tencent"
)

// TestCredentialPrecedence proves one rule for both clouds over every combination of an explicit flag,
// the environment and a default profile: the flag wins (and the source says when it overrode the
// environment), then the environment, then the default profile.
func TestCredentialPrecedence(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "")
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", "")
	t.Setenv("ALIBABA_CLOUD_PROFILE", "")
	type resolved struct {
		source string
		err    error
	}
	clouds := []struct {
		name string
		// resolve runs the cloud's resolver with the flag (a profile named "flag") or not, the environment's
		// key or not, and a home whose default profile exists or not.
		resolve func(t *testing.T, flag, env, defaultProfile bool) resolved
		noCreds error
	}{
		{"tencent", func(t *testing.T, flag, env, defaultProfile bool) resolved {
			home := t.TempDir()
			ini := "[flag]\nsecret_id = AKIDfromtheflag01\nsecret_key = flag-key\n"
			if defaultProfile {
				ini += "[default]\nsecret_id = AKIDfromdefault01\nsecret_key = default-key\n"
			}
			writeFile(t, filepath.Join(home, ".tencentcloud", "credentials"), ini)
			vars := map[string]string{}
			if env {
				vars["TENCENTCLOUD_SECRET_ID"], vars["TENCENTCLOUD_SECRET_KEY"] = "AKIDfromtheenv001", "env-key"
			}
			src := tencent.CredentialSources{Getenv: func(k string) string { return vars[k] }, Home: home}
			if flag {
				src.Profile = "flag"
			}
			_, s, err := tencent.ResolveCredentials(src)
			return resolved{s.Description, err}
		}, tencent.ErrNoCredentials},
		{"alibaba", func(t *testing.T, flag, env, defaultProfile bool) resolved {
			home := t.TempDir()
			profiles := []map[string]any{{"name": "flag", "mode": "AK", "access_key_id": "LTAI5tFromTheFlag01", "access_key_secret": "flag-secret"}}
			if defaultProfile {
				profiles = append(profiles, map[string]any{"name": "default", "mode": "AK", "access_key_id": "LTAI5tFromDefault01", "access_key_secret": "default-secret"})
			}
			data, _ := json.Marshal(map[string]any{"current": "default", "profiles": profiles})
			if flag || defaultProfile { // the aliyun CLI writes its file with the first profile it configures
				writeFile(t, filepath.Join(home, ".aliyun", "config.json"), string(data))
			}
			vars := map[string]string{}
			if env {
				vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "LTAI5tFromTheEnv001", "env-secret"
			}
			src := securitycenter.CredentialSources{Getenv: func(k string) string { return vars[k] }, Home: home}
			if flag {
				src.Profile = "flag"
			}
			c, err := securitycenter.ResolveCredentials(src)
			return resolved{c.Source.Description, err}
		}, securitycenter.ErrNoCredentials},
	}
	for _, cloud := range clouds {
		for _, flag := range []bool{false, true} {
			for _, env := range []bool{false, true} {
				for _, def := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/flag=%v/env=%v/default=%v", cloud.name, flag, env, def), func(t *testing.T) {
						got := cloud.resolve(t, flag, env, def)
						var want string
						switch {
						case flag:
							want = "profile flag"
						case env:
							want = "environment"
						case def:
							want = "profile default"
						default:
							if !errors.Is(got.err, cloud.noCreds) {
								t.Fatalf("nothing offered: got %q, %v; want %v", got.source, got.err, cloud.noCreds)
							}
							return
						}
						if got.err != nil || !strings.Contains(got.source, want) {
							t.Fatalf("got %q, %v; want the source %q", got.source, got.err, want)
						}
						if overrides := strings.Contains(got.source, "overrides"); overrides != (flag && env) {
							t.Errorf("source %q: says it overrode the environment = %v, want %v", got.source, overrides, flag && env)
						}
					})
				}
			}
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
