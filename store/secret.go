package store

import (
	"encoding/json"
	"fmt"
)

const masked = "****"

// Secret is a secret value. Every way of printing or encoding it shows "****"; Reveal returns the value.
type Secret string

// Reveal returns the secret value. Call it only where the value must leave the process (an API request,
// the keyring).
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string   { return masked }
func (s Secret) GoString() string { return masked }

// Format makes every fmt verb (%v, %s, %q, %#v, %x) print the mask.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", masked)
		return
	}
	fmt.Fprint(f, masked)
}

// MarshalJSON encodes the mask, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(masked) }

// MarshalText encodes the mask, never the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(masked), nil }

// Credential is an API key pair. The SecretID is an identifier, not a secret; the SecretKey is.
type Credential struct {
	SecretID  string
	SecretKey Secret
}

// storedCredential is the serialised form kept inside a secret store; it is the only place the key is
// written out in clear, and it is never logged.
type storedCredential struct {
	SecretID  string `json:"SecretId"`
	SecretKey string `json:"SecretKey"`
}

func encodeCredential(c Credential) (string, error) {
	rememberCredential(c)
	data, err := json.Marshal(storedCredential{SecretID: c.SecretID, SecretKey: c.SecretKey.Reveal()})
	return string(data), err
}

func decodeCredential(name, value string) (Credential, error) {
	var sc storedCredential
	if err := json.Unmarshal([]byte(value), &sc); err != nil || sc.SecretID == "" {
		return Credential{}, fmt.Errorf("secret %q is not a stored credential", name)
	}
	c := Credential{SecretID: sc.SecretID, SecretKey: Secret(sc.SecretKey)}
	rememberCredential(c)
	return c, nil
}
