package sas

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	acs3Algorithm = "ACS3-HMAC-SHA256"
	timeLayout    = "2006-01-02T15:04:05Z"
	// maxSkew is how far a request's time may be from the service's clock, and how long a nonce is kept.
	maxSkew = 15 * time.Minute
)

// percentEncode is the encoding both signature schemes use: url.QueryEscape with a space as %20, "*" as
// %2A and "~" left as is.
func percentEncode(s string) string {
	s = url.QueryEscape(s)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return strings.ReplaceAll(s, "%7E", "~")
}

// acs3Auth is a parsed ACS3-HMAC-SHA256 Authorization header.
type acs3Auth struct {
	keyID         string
	signedHeaders []string
	signature     string
}

// parseACS3 reads "ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=hex".
func parseACS3(h string) (acs3Auth, bool) {
	var a acs3Auth
	rest, ok := strings.CutPrefix(h, acs3Algorithm+" ")
	if !ok {
		return a, false
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return a, false
		}
		seen[k] = true
		switch k {
		case "Credential":
			a.keyID = v
		case "SignedHeaders":
			for _, name := range strings.Split(v, ";") {
				if name == "" || name != strings.ToLower(name) {
					return a, false
				}
				a.signedHeaders = append(a.signedHeaders, name)
			}
		case "Signature":
			a.signature = v
		default:
			return a, false
		}
	}
	if a.keyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, false
	}
	return a, true
}

// acs3CanonicalQuery encodes decoded query values as the ACS3 canonical query: keys in byte order, kept
// as they are; values percent-encoded; an empty value gives "key=".
func acs3CanonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		vals := slices.Clone(q[k])
		slices.Sort(vals)
		for _, v := range vals {
			parts = append(parts, k+"="+percentEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// acs3CanonicalRequest rebuilds the canonical request from the signed header names, with the values as
// received; "host" is the request's Host.
func acs3CanonicalRequest(method, path string, query url.Values, header http.Header, host string, signed []string, bodyHash string) string {
	uri := path
	if uri == "" {
		uri = "/"
	}
	uri = strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(uri, "+", "%20"), "*", "%2A"), "%7E", "~")
	var b strings.Builder
	b.WriteString(method + "\n" + uri + "\n" + acs3CanonicalQuery(query) + "\n")
	for _, name := range signed {
		var value string
		if name == "host" {
			value = host
		} else {
			vals := header.Values(name)
			trimmed := make([]string, len(vals))
			for i, v := range vals {
				trimmed[i] = strings.TrimSpace(v)
			}
			slices.Sort(trimmed)
			value = strings.Join(trimmed, ",")
		}
		b.WriteString(name + ":" + value + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n" + bodyHash)
	return b.String()
}

// acs3Signature signs a canonical request with a secret.
func acs3Signature(secret, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(acs3Algorithm + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// v1StringToSign is the string the HMAC-SHA1 signature version 1.0 signs: every parameter but Signature,
// sorted by key, each key and value percent-encoded, joined, then encoded again after METHOD&%2F&.
func v1StringToSign(method string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		vals := slices.Clone(params[k])
		slices.Sort(vals)
		for _, v := range vals {
			parts = append(parts, percentEncode(k)+"="+percentEncode(v))
		}
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(parts, "&"))
}

// v1Signature is base64(HMAC-SHA1(secret + "&", stringToSign)).
func v1Signature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
