package tencent

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoCredentials means no source offered a Tencent Cloud key.
var ErrNoCredentials = errors.New("no Tencent Cloud credentials found")

// ErrNoProfile means the profile named by --profile exists in none of the credential files.
var ErrNoProfile = errors.New("no such Tencent Cloud credentials profile")

// CredentialSources are the places a key may come from, in the order they are tried: an explicit flag
// (--secret-id with the key on standard input, or --profile); the environment; the default profile
// (TCCLI_PROFILE or "default", in tccli's files or ~/.tencentcloud/credentials).
type CredentialSources struct {
	SecretID  string    // --secret-id
	KeyReader io.Reader // --secret-key-stdin: the key is the first line
	Profile   string    // --profile
	Getenv    func(string) string
	Home      string // the user's home folder, for ~/.tccli and ~/.tencentcloud
}

// Source says where a credential came from, for display. It never holds the secret.
type Source struct {
	Description string // e.g. "environment (TENCENTCLOUD_SECRET_ID)"
	MaskedID    string
}

func (s Source) String() string { return s.Description + ", SecretId " + s.MaskedID }

// ResolveCredentials finds a Tencent Cloud key without ever reading it from argv.
func ResolveCredentials(src CredentialSources) (Credential, Source, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if src.SecretID != "" {
		if src.KeyReader == nil {
			return Credential{}, Source{}, errors.New("--secret-id needs --secret-key-stdin: the SecretKey is read from standard input, never from the command line")
		}
		line, err := bufio.NewReader(src.KeyReader).ReadString('\n')
		key := strings.TrimSpace(line)
		if key == "" {
			if err != nil && !errors.Is(err, io.EOF) {
				return Credential{}, Source{}, fmt.Errorf("read the SecretKey from standard input: %w", err)
			}
			return Credential{}, Source{}, errors.New("--secret-key-stdin: standard input held no SecretKey")
		}
		c := Credential{SecretID: src.SecretID, SecretKey: SecretKey(key)}
		source := Source{Description: "--secret-id with the key from standard input", MaskedID: c.MaskedID()}
		if envKeySet(getenv) {
			source.Description += " (overrides TENCENTCLOUD_SECRET_ID in the environment)"
		}
		return c, source, nil
	}
	// One rule for both clouds: an explicit flag wins, then the environment, then the default profile.
	if src.Profile != "" {
		c, source, err := profileCredential(src, getenv, src.Profile, true)
		if err == nil && envKeySet(getenv) {
			source.Description += " (overrides TENCENTCLOUD_SECRET_ID in the environment)"
		}
		return c, source, err
	}
	id, key := getenv("TENCENTCLOUD_SECRET_ID"), getenv("TENCENTCLOUD_SECRET_KEY")
	switch {
	case id != "" && key != "":
		token := getenv("TENCENTCLOUD_SESSION_TOKEN")
		if token == "" {
			token = getenv("TENCENTCLOUD_SECURITY_TOKEN")
		}
		c := Credential{SecretID: id, SecretKey: SecretKey(key), Token: SecretKey(token)}
		desc := "environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY)"
		if c.Temporary() {
			desc = "environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, session token)"
		}
		return c, Source{Description: desc, MaskedID: c.MaskedID()}, nil
	case id != "":
		return Credential{}, Source{}, errors.New("TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is empty")
	case key != "":
		return Credential{}, Source{}, errors.New("TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is empty")
	}
	profile := getenv("TCCLI_PROFILE")
	if profile == "" {
		profile = "default"
	}
	return profileCredential(src, getenv, profile, false)
}

// envKeySet reports whether the environment offers a key, for the note that a flag overrode it.
func envKeySet(getenv func(string) string) bool {
	return getenv("TENCENTCLOUD_SECRET_ID") != "" || getenv("TENCENTCLOUD_SECRET_KEY") != ""
}

// profileCredential reads the profile from tccli's files, then ~/.tencentcloud/credentials; explicit says
// it was named by --profile, so that its absence is an error of that flag.
func profileCredential(src CredentialSources, getenv func(string) string, profile string, explicit bool) (Credential, Source, error) {
	if c, ok, err := tccliProfile(src.Home, profile); err != nil || ok {
		return c, Source{Description: "tccli profile " + profile, MaskedID: c.MaskedID()}, err
	}
	file := getenv("TENCENTCLOUD_CREDENTIALS_FILE")
	if file == "" && src.Home != "" {
		file = filepath.Join(src.Home, ".tencentcloud", "credentials")
	}
	if c, ok, err := credentialsFile(file, profile); err != nil || ok {
		return c, Source{Description: fmt.Sprintf("profile %s in %s", profile, file), MaskedID: c.MaskedID()}, err
	}
	if explicit {
		return Credential{}, Source{}, fmt.Errorf("--profile %s: %w in ~/.tccli/%s.credential or %s", profile, ErrNoProfile, profile, file)
	}
	return Credential{}, Source{}, fmt.Errorf("%w: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, use --profile NAME (tccli or ~/.tencentcloud/credentials), or --secret-id with --secret-key-stdin", ErrNoCredentials)
}

// tccliProfile reads ~/.tccli/NAME.credential (JSON secretId, secretKey, token).
func tccliProfile(home, name string) (Credential, bool, error) {
	if home == "" || strings.ContainsAny(name, `/\`) {
		return Credential{}, false, nil
	}
	path := filepath.Join(home, ".tccli", name+".credential")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Credential{}, false, nil
	}
	if err != nil {
		return Credential{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := parseTccliCredential(data)
	if err != nil {
		return Credential{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	return c, true, nil
}

func parseTccliCredential(data []byte) (Credential, error) {
	var f struct {
		SecretID  string `json:"secretId"`
		SecretKey string `json:"secretKey"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Credential{}, errors.New("not a tccli credential file (JSON with secretId and secretKey)")
	}
	if f.SecretID == "" || f.SecretKey == "" {
		return Credential{}, errors.New("secretId or secretKey is empty")
	}
	return Credential{SecretID: f.SecretID, SecretKey: SecretKey(f.SecretKey), Token: SecretKey(f.Token)}, nil
}

// credentialsFile reads section [profile] of an INI file with secret_id and secret_key.
func credentialsFile(path, profile string) (Credential, bool, error) {
	if path == "" {
		return Credential{}, false, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Credential{}, false, nil
	}
	if err != nil {
		return Credential{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	sections := parseINI(string(data))
	sec, ok := sections[profile]
	if !ok {
		return Credential{}, false, nil
	}
	if sec["secret_id"] == "" || sec["secret_key"] == "" {
		return Credential{}, false, fmt.Errorf("%s [%s]: secret_id or secret_key is empty", path, profile)
	}
	return Credential{SecretID: sec["secret_id"], SecretKey: SecretKey(sec["secret_key"])}, true, nil
}

// parseINI reads "[section]" headers and "key = value" lines; ';' and '#' start comments.
func parseINI(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	section := ""
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if out[section] == nil {
				out[section] = map[string]string{}
			}
			out[section][strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}
