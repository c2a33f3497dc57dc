package securitycenter

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// ErrNoCredentials means no source offered an Alibaba Cloud AccessKey.
var ErrNoCredentials = errors.New("no Alibaba Cloud credentials found")

const masked = "****"

// Secret is an AccessKey secret or security token; every way of printing it shows "****".
type Secret string

// Reveal returns the secret, for the SDK only.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string               { return masked }
func (s Secret) GoString() string             { return masked }
func (s Secret) Format(f fmt.State, _ rune)   { fmt.Fprint(f, masked) }
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(masked) }

// Credentials are what the client signs with: an AccessKey pair (with a security token for temporary
// keys) or a profile whose provider may refresh them.
type Credentials struct {
	cred   credentials.Credential
	Source Source
}

// Secrets returns the secret parts of the credentials as they stand (the AccessKey secret and, for
// temporary keys, the security token), so that the caller can keep them out of every output. It never
// prints them.
func (c Credentials) Secrets() []string {
	if c.cred == nil {
		return nil
	}
	got, err := c.cred.GetCredential()
	if err != nil || got == nil {
		return nil
	}
	var out []string
	for _, s := range []*string{got.AccessKeySecret, got.SecurityToken} {
		if s != nil && *s != "" {
			out = append(out, *s)
		}
	}
	return out
}

// Source says where credentials came from, for display. It never holds the secret.
type Source struct {
	Description string // e.g. "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)"
	MaskedID    string
}

func (s Source) String() string { return s.Description + ", AccessKeyId " + s.MaskedID }

// MaskID masks an AccessKeyId for display: LTAI****wxyz.
func MaskID(id string) string {
	if len(id) <= 8 {
		return masked
	}
	return id[:4] + masked + id[len(id)-4:]
}

// StaticCredentials are a fixed AccessKey pair; token is empty for a permanent key.
func StaticCredentials(id string, secret, token Secret, description string) (Credentials, error) {
	if id == "" || secret.Reveal() == "" {
		return Credentials{}, errors.New("an Alibaba Cloud AccessKey needs both its id and its secret")
	}
	cfg := &credentials.Config{Type: ptr("access_key"), AccessKeyId: ptr(id), AccessKeySecret: ptr(secret.Reveal())}
	if token != "" {
		cfg.Type, cfg.SecurityToken = ptr("sts"), ptr(token.Reveal())
	}
	c, err := credentials.NewCredential(cfg)
	if err != nil {
		return Credentials{}, fmt.Errorf("alibaba cloud credentials: %w", err)
	}
	return Credentials{cred: c, Source: Source{Description: description, MaskedID: MaskID(id)}}, nil
}

// CredentialSources are the places an AccessKey may come from: an aliyun CLI profile named by
// --alibaba-profile; else the environment; else the CLI configuration's profile (ALIBABA_CLOUD_PROFILE or
// its current one).
type CredentialSources struct {
	Profile string // --alibaba-profile
	Getenv  func(string) string
	Home    string // the user's home folder, for ~/.aliyun/config.json
}

// ResolveCredentials finds Alibaba Cloud credentials; the Source names where they came from.
func ResolveCredentials(src CredentialSources) (Credentials, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if src.Profile != "" {
		return cliProfile(src, getenv, src.Profile, true)
	}
	id, secret := getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	switch {
	case id != "" && secret != "":
		desc := "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET)"
		token := getenv("ALIBABA_CLOUD_SECURITY_TOKEN")
		if token != "" {
			desc = "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)"
		}
		return StaticCredentials(id, Secret(secret), Secret(token), desc)
	case id != "":
		return Credentials{}, errors.New("ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is empty")
	case secret != "":
		return Credentials{}, errors.New("ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is empty")
	}
	return cliProfile(src, getenv, getenv("ALIBABA_CLOUD_PROFILE"), false)
}

// cliProfile reads a profile of the aliyun CLI's configuration file through the library's provider, so
// every mode it knows (AK, StsToken, RamRoleArn, …) works and refreshes.
func cliProfile(src CredentialSources, getenv func(string) string, name string, explicit bool) (Credentials, error) {
	file := getenv("ALIBABA_CLOUD_CONFIG_FILE")
	if file == "" && src.Home != "" {
		file = filepath.Join(src.Home, ".aliyun", "config.json")
	}
	if file == "" {
		return Credentials{}, noCredentials(name, explicit, "")
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return Credentials{}, noCredentials(name, explicit, file)
	}
	p, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(file).WithProfileName(name).Build()
	if err != nil {
		return Credentials{}, fmt.Errorf("aliyun CLI profile in %s: %w", file, err)
	}
	got, err := p.GetCredentials()
	if err != nil {
		if name == "" {
			name = "(current)"
		}
		return Credentials{}, fmt.Errorf("aliyun CLI profile %s in %s: %w", name, file, err)
	}
	if name == "" {
		name = currentProfile(file)
	}
	return Credentials{cred: credentials.FromCredentialsProvider("cli_profile", p),
		Source: Source{Description: fmt.Sprintf("aliyun CLI profile %s in %s", name, file), MaskedID: MaskID(got.AccessKeyId)}}, nil
}

func currentProfile(file string) string {
	var conf struct{ Current string }
	if data, err := os.ReadFile(file); err == nil && json.Unmarshal(data, &conf) == nil && conf.Current != "" {
		return conf.Current
	}
	return "(current)"
}

func noCredentials(name string, explicit bool, file string) error {
	if explicit {
		return fmt.Errorf("--alibaba-profile %s: no aliyun CLI configuration at %s", name, file)
	}
	return fmt.Errorf("%w: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or use --alibaba-profile NAME (an aliyun CLI profile in ~/.aliyun/config.json)", ErrNoCredentials)
}

func ptr[T any](v T) *T { return &v }
