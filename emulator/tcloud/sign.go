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
	sig := signature(secretKey, service, date, ts, canonicalRequest(req.Method, req.URL.RawQuery, signed, values, sha256Hex(body)))
	req.Header.Set("Authorization", algorithm+" Credential="+secretID+"/"+date+"/"+service+"/tc3_request, SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

// canonicalRequest is step 1 of TC3 signing (https://www.tencentcloud.com/document/api/213/33224, Chinese
// https://cloud.tencent.com/document/api/213/30654): the method as sent, the URI "/", the query string of a
// GET (empty for a POST), the signed headers, and the hash of the payload (of "" for a GET).
func canonicalRequest(method, query string, signedHeaders []string, values map[string]string, payloadHash string) string {
	if method == "" {
		method = http.MethodPost
	}
	if method != http.MethodGet {
		query = ""
	}
	var headers strings.Builder
	for _, h := range signedHeaders {
		headers.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(values[h])) + "\n")
	}
	return method + "\n/\n" + query + "\n" + headers.String() + "\n" + strings.Join(signedHeaders, ";") + "\n" + payloadHash
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// unsignedPayload is the X-TC-Content-SHA256 value with which the official SDKs leave the body out of the
// signature (ClientProfile.UnsignedPayload); the payload hash is then the hash of this string.
const unsignedPayload = "UNSIGNED-PAYLOAD"

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
// two agree, so both forms are accepted for the host. With allowUnsigned, a request that says
// X-TC-Content-SHA256: UNSIGNED-PAYLOAD is checked against the hash of that string instead of its body.
func (a authorization) verify(r *http.Request, body []byte, secretKey string, allowUnsigned bool) bool {
	lower := make([]string, len(a.signedHeaders))
	values := map[string]string{}
	for i, h := range a.signedHeaders {
		h = strings.ToLower(h)
		lower[i] = h
		if h != "host" {
			values[h] = r.Header.Get(h)
		}
	}
	payloadHash := sha256Hex(body)
	switch {
	case r.Method == http.MethodGet:
		payloadHash = sha256Hex(nil) // "for a GET, RequestPayload is always the empty string"
	case allowUnsigned && r.Header.Get("X-TC-Content-SHA256") == unsignedPayload:
		payloadHash = sha256Hex([]byte(unsignedPayload))
	}
	hosts := []string{r.Host}
	if name, _, err := net.SplitHostPort(r.Host); err == nil {
		hosts = append(hosts, name)
	}
	for _, host := range hosts {
		values["host"] = host
		want := signature(secretKey, a.service, a.date, r.Header.Get("X-TC-Timestamp"), canonicalRequest(r.Method, r.URL.RawQuery, lower, values, payloadHash))
		if hmac.Equal([]byte(want), []byte(a.signature)) {
			return true
		}
	}
	return false
}

// signsRequiredHeaders reports whether SignedHeaders names content-type and host, which the signing
// page (https://www.tencentcloud.com/document/api/213/33224) makes mandatory.
func (a authorization) signsRequiredHeaders() bool {
	var contentType, host bool
	for _, h := range a.signedHeaders {
		switch strings.ToLower(h) {
		case "content-type":
			contentType = true
		case "host":
			host = true
		}
	}
	return contentType && host
}
