package tencent

import (
	"encoding/json"
	"fmt"
)

const masked = "****"

// SecretKey is a Tencent Cloud SecretKey; every way of printing it shows "****".
type SecretKey string

// Reveal returns the key, for the SDK and the secret store only.
func (k SecretKey) Reveal() string { return string(k) }

func (k SecretKey) String() string               { return masked }
func (k SecretKey) GoString() string             { return masked }
func (k SecretKey) Format(f fmt.State, _ rune)   { fmt.Fprint(f, masked) }
func (k SecretKey) MarshalJSON() ([]byte, error) { return json.Marshal(masked) }

// Credential is a Tencent Cloud API key pair. Temporary credentials (from STS) also carry their session
// token, which is as secret as the key: it is sent as X-TC-Token and printed only as "****".
type Credential struct {
	SecretID  string
	SecretKey SecretKey
	Token     SecretKey // temporary credentials only
}

// Temporary reports whether the credential is a temporary one, which needs its token on every call.
func (c Credential) Temporary() bool { return c.Token != "" }

// MaskedID shows the first four and last four characters of the SecretId.
func (c Credential) MaskedID() string { return MaskID(c.SecretID) }

// MaskID masks a SecretId for display: AKID****abcd.
func MaskID(id string) string {
	if len(id) <= 8 {
		return masked
	}
	return id[:4] + masked + id[len(id)-4:]
}
