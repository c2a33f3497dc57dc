package securitycenter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The debug log records every API exchange with Security Center, as sent and answered on the wire: the
// service, action, version and region, the request parameters with secrets redacted, the HTTP status,
// the error code and message, the RequestId and the latency. A user of a real account sends this log
// when the cloud answers differently from the emulator, so it must say nothing that would let anyone
// use a key: no AccessKey secret, no Tencent SecretKey being submitted, no token, signature or
// Authorization header; an access key ID only masked.
//
// darabonba-openapi sends through a pluggable HTTP client (Config.HttpClient); this one records each
// exchange, so every attempt of a retried call is its own record with its own RequestId.

// exchangeMessage is the log message of one exchange; tools filter the debug log on it.
const exchangeMessage = "api exchange"

// exchangeClient is a darabonba HttpClient that sends through the transport the SDK prepares (proxy,
// TLS, timeouts) and records each exchange.
type exchangeClient struct {
	log     *slog.Logger
	region  string // the site's region, for actions that name none
	timeout time.Duration

	once   sync.Once
	client *http.Client
}

// newExchangeClient returns the HTTP client for the SDK, or nil (the SDK's own) when the debug log is off.
func newExchangeClient(log *slog.Logger, site Site, timeout time.Duration) *exchangeClient {
	if !log.Enabled(context.Background(), slog.LevelInfo) {
		return nil
	}
	return &exchangeClient{log: log, region: site.regionID(), timeout: timeout}
}

// Call sends one request. Like the SDK's default client, it keeps the first transport it is given,
// so connections are reused.
func (x *exchangeClient) Call(req *http.Request, transport *http.Transport) (*http.Response, error) {
	x.once.Do(func() { x.client = &http.Client{Transport: transport, Timeout: x.timeout} })
	body, err := readAndRestore(&req.Body)
	if err != nil {
		return nil, err
	}
	params := requestParams(req, body)
	action, version := firstOf(header(req, "x-acs-action"), req.URL.Query().Get("Action")), firstOf(header(req, "x-acs-version"), req.URL.Query().Get("Version"))
	region := x.region
	if r, ok := params["RegionId"].(string); ok && r != "" {
		region = r
	}
	keyID := accessKeyID(req)
	attrs := []slog.Attr{
		slog.String("cloud", "alibaba"),
		slog.String("service", "sas"),
		slog.String("action", action),
		slog.String("version", version),
		slog.String("region", region),
		slog.String("secret_id", maskID(keyID)),
		slog.Bool("temporary_credentials", header(req, "x-acs-security-token") != "" || req.URL.Query().Get("SecurityToken") != ""),
		slog.Any("params", params),
	}
	start := time.Now()
	resp, err := x.client.Do(req)
	latency := time.Since(start)
	status, code, message, requestID := 0, "", "", ""
	if err != nil {
		message = err.Error()
	} else {
		status = resp.StatusCode
		answer, rerr := readAndRestore(&resp.Body)
		if rerr != nil {
			return nil, rerr
		}
		code, message, requestID = answerFields(status, answer)
		if requestID == "" {
			requestID = resp.Header.Get("x-acs-request-id")
		}
	}
	attrs = append(attrs,
		slog.Int("http_status", status),
		slog.String("error_code", code),
		slog.String("error_message", secretsOf(req, body, keyID)(message)),
		slog.String("request_id", requestID),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
	)
	x.log.LogAttrs(req.Context(), slog.LevelInfo, exchangeMessage, attrs...)
	return resp, err
}

// header reads a request header whatever the case of its name: the SDK writes lower-case names into the
// header map directly, which http.Header.Get (canonical names) does not find.
func header(req *http.Request, name string) string {
	if v := req.Header.Get(name); v != "" {
		return v
	}
	for k, vs := range req.Header {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// readAndRestore reads a body whole and puts an identical one back for the next reader.
func readAndRestore(rc *io.ReadCloser) ([]byte, error) {
	if *rc == nil || *rc == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(*rc)
	(*rc).Close()
	if err != nil {
		return nil, err
	}
	*rc = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// requestParams collects the parameters of an RPC call, from the query and from a form or JSON body,
// redacted. The signature's own parameters (version 1.0 signing puts them in the query) are left out
// or redacted like any secret.
func requestParams(req *http.Request, body []byte) map[string]any {
	params := map[string]any{}
	add := func(values url.Values) {
		for k, vs := range values {
			params[k] = redactValue(k, strings.Join(vs, ","))
		}
	}
	add(req.URL.Query())
	if len(bytes.TrimSpace(body)) == 0 {
		return params
	}
	switch ct := header(req, "Content-Type"); {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if values, err := url.ParseQuery(string(body)); err == nil {
			add(values)
			return params
		}
	case strings.HasPrefix(ct, "application/json"):
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			for k, e := range v {
				params[k] = redactValue(k, e)
			}
			return params
		}
	}
	params["(body)"] = "(a body that is not a form or JSON, left out)"
	return params
}

// redactValue returns v with every secret replaced: the value of a field whose name says it holds a
// secret becomes "****", an access key ID is masked, and a string that looks like "SecretId#SecretKey"
// (the Kafka password form) is hidden whole. Security Center's parameters nest as JSON text inside a
// string (for example a list of modules), so such text is decoded and redacted too.
func redactValue(name string, v any) any {
	switch secretKind(name) {
	case secretValue:
		return "****"
	case secretIdentifier:
		if s, ok := v.(string); ok {
			return maskID(s)
		}
		return "****"
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = redactValue(k, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(name, e)
		}
		return out
	case string:
		if looksLikeKey(x) {
			if strings.Contains(x, "#") {
				return "****"
			}
			return maskID(x)
		}
		if t := strings.TrimSpace(x); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			var inner any
			if json.Unmarshal([]byte(t), &inner) == nil {
				return redactValue(name, inner)
			}
		}
	}
	return v
}

type kind int

const (
	notSecret kind = iota
	secretValue
	secretIdentifier
)

// secretKind judges a parameter by its name, ignoring case and separators.
func secretKind(name string) kind {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	switch {
	case n == "secretid" || n == "accesskeyid" || n == "akid" || strings.HasSuffix(n, "secretid") || strings.HasSuffix(n, "accesskeyid"):
		return secretIdentifier
	case strings.Contains(n, "secret"), strings.Contains(n, "password"), strings.Contains(n, "passwd"),
		strings.Contains(n, "token"), strings.Contains(n, "signature"), strings.Contains(n, "privatekey"),
		strings.Contains(n, "authorization"), strings.Contains(n, "credential"):
		return secretValue
	}
	return notSecret
}

// looksLikeKey reports a value that starts like a Tencent or Alibaba access key ID.
func looksLikeKey(s string) bool {
	return strings.HasPrefix(s, "AKID") || strings.HasPrefix(s, "LTAI") || strings.HasPrefix(s, "STS.")
}

// maskID keeps the first and last four characters of an access key ID, enough to tell keys apart.
func maskID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) < 12 {
		return "****"
	}
	return id[:4] + "****" + id[len(id)-4:]
}

// accessKeyID reads the caller's access key ID from an ACS3 Authorization header
// ("ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=...,Signature=...") or a version 1.0 query.
func accessKeyID(req *http.Request) string {
	if _, rest, ok := strings.Cut(header(req, "Authorization"), "Credential="); ok {
		id, _, _ := strings.Cut(rest, ",")
		return strings.TrimSpace(id)
	}
	return req.URL.Query().Get("AccessKeyId")
}

// answerFields reads the error code, message and RequestId of an answer ({"Code", "Message",
// "RequestId", ...}). A successful answer has no error code, whatever its body says.
func answerFields(status int, body []byte) (code, message, requestID string) {
	var a struct{ Code, Message, RequestId string }
	if json.Unmarshal(body, &a) != nil {
		return "", "", ""
	}
	if status < 400 {
		return "", "", a.RequestId
	}
	return a.Code, a.Message, a.RequestId
}

// secretsOf returns a function that removes from a text every credential the request carried, in case
// an answer echoes one (a signature mismatch quotes the string that was signed, with its headers).
func secretsOf(req *http.Request, body []byte, keyID string) func(string) string {
	var hide []string
	values := req.URL.Query()
	if form, err := url.ParseQuery(string(body)); err == nil {
		for k, vs := range form {
			values[k] = append(values[k], vs...)
		}
	}
	for k, vs := range values {
		if secretKind(k) == secretValue {
			hide = append(hide, vs...)
		}
	}
	if auth := header(req, "Authorization"); auth != "" {
		hide = append(hide, auth)
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			hide = append(hide, strings.TrimSpace(sig))
		}
	}
	hide = append(hide, header(req, "x-acs-security-token"))
	return func(s string) string {
		for _, h := range hide {
			if len(h) >= 8 { // shorter values (a nonce, a method name) are no secret and would garble the text
				s = strings.ReplaceAll(s, h, "****")
			}
		}
		if keyID != "" {
			s = strings.ReplaceAll(s, keyID, maskID(keyID))
		}
		if len(s) > 500 {
			s = s[:500] + "..."
		}
		return s
	}
}
