package tcloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const algorithm = "TC3-HMAC-SHA256"

// Sign adds TC3-HMAC-SHA256 headers to req for body, as the Tencent Cloud SDKs do (content-type and host
// signed). The Security Center emulator uses it to call this emulator like any client would.
func Sign(req *http.Request, body []byte, secretID, secretKey, service string, now time.Time) {
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("X-TC-Timestamp", ts)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	signed := []string{"content-type", "host"}
	values := map[string]string{"content-type": req.Header.Get("Content-Type"), "host": host}
	date := now.UTC().Format("2006-01-02")
	sig := signature(secretKey, service, date, ts, canonicalRequest(signed, values, body))
	req.Header.Set("Authorization", algorithm+" Credential="+secretID+"/"+date+"/"+service+"/tc3_request, SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

func canonicalRequest(signedHeaders []string, values map[string]string, body []byte) string {
	var headers strings.Builder
	for _, h := range signedHeaders {
		headers.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(values[h])) + "\n")
	}
	sum := sha256.Sum256(body)
	return "POST\n/\n\n" + headers.String() + "\n" + strings.Join(signedHeaders, ";") + "\n" + hex.EncodeToString(sum[:])
}

func signature(secretKey, service, date, timestamp, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := algorithm + "\n" + timestamp + "\n" + date + "/" + service + "/tc3_request\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// authorization is a parsed Authorization header.
type authorization struct {
	secretID      string
	date          string
	service       string
	signedHeaders []string
	signature     string
}

var errMalformed = errors.New("malformed Authorization header")

func parseAuthorization(h string) (authorization, error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return a, errMalformed
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, errMalformed
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 4 || f[3] != "tc3_request" || f[0] == "" || f[2] == "" {
				return a, errMalformed
			}
			a.secretID, a.date, a.service = f[0], f[1], f[2]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		default:
			return a, errMalformed
		}
	}
	if a.secretID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, errMalformed
	}
	return a, nil
}

// verify checks the request's signature against secretKey, rebuilding the canonical headers from the
// SignedHeaders list with the values as sent. The Go SDK signs the Host header as sent (with a port when
// there is one); the Node.js SDK signs the host name alone. Against the public endpoints (port 443) the
// two agree, so both forms are accepted for the host.
func (a authorization) verify(r *http.Request, body []byte, secretKey string) bool {
	lower := make([]string, len(a.signedHeaders))
	values := map[string]string{}
	for i, h := range a.signedHeaders {
		h = strings.ToLower(h)
		lower[i] = h
		if h != "host" {
			values[h] = r.Header.Get(h)
		}
	}
	hosts := []string{r.Host}
	if name, _, err := net.SplitHostPort(r.Host); err == nil {
		hosts = append(hosts, name)
	}
	for _, host := range hosts {
		values["host"] = host
		want := signature(secretKey, a.service, a.date, r.Header.Get("X-TC-Timestamp"), canonicalRequest(lower, values, body))
		if hmac.Equal([]byte(want), []byte(a.signature)) {
			return true
		}
	}
	return false
}
