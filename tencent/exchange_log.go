package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// The debug log records every API exchange with Tencent Cloud, as sent and answered on the wire: the
// service, action, version and region, the request parameters with secrets redacted, the HTTP status,
// the error code and message, the RequestId and the latency. A user of a real account sends this log
// when the cloud answers differently from the emulator, so it must say nothing that would let anyone
// use a key: no SecretKey, token, signature or Authorization header; a SecretId only masked.
//
// It is an http.RoundTripper under the SDK, because only the wire shows every attempt (each retry is
// its own exchange) and the error code and RequestId of each answer.

// exchangeMessage is the log message of one exchange; tools filter the debug log on it.
const exchangeMessage = "api exchange"

// logExchanges wraps next in a transport that records each exchange, when the debug log is on.
func logExchanges(log *slog.Logger, next http.RoundTripper) http.RoundTripper {
	if !log.Enabled(context.Background(), slog.LevelInfo) {
		return next
	}
	return &exchangeLog{next: next, log: log}
}

type exchangeLog struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (x *exchangeLog) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readAndRestore(&req.Body)
	if err != nil {
		return nil, err
	}
	secretID, service := credentialScope(req.Header.Get("Authorization"))
	attrs := []slog.Attr{
		slog.String("cloud", "tencent"),
		slog.String("service", service),
		slog.String("action", req.Header.Get("X-TC-Action")),
		slog.String("version", req.Header.Get("X-TC-Version")),
		slog.String("region", req.Header.Get("X-TC-Region")),
		slog.String("secret_id", maskID(secretID)),
		slog.Bool("temporary_credentials", req.Header.Get("X-TC-Token") != ""),
		slog.Any("params", requestParams(req, body)),
	}
	start := time.Now()
	resp, err := x.next.RoundTrip(req)
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
		code, message, requestID = answerFields(answer)
	}
	scrub := secretsOf(req, secretID)
	attrs = append(attrs,
		slog.Int("http_status", status),
		slog.String("error_code", code),
		slog.String("error_message", scrub(message)),
		slog.String("request_id", requestID),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
	)
	x.log.LogAttrs(req.Context(), slog.LevelInfo, exchangeMessage, attrs...)
	return resp, err
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

// credentialScope reads the SecretId and the service from a TC3 Authorization header
// ("TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...").
func credentialScope(auth string) (secretID, service string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	scope, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(scope), "/")
	if len(parts) == 4 {
		return parts[0], parts[2]
	}
	return "", ""
}

// requestParams decodes the parameters of a request, a JSON body or a query string, and redacts them.
func requestParams(req *http.Request, body []byte) any {
	if len(bytes.TrimSpace(body)) > 0 {
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			return redactValue("", v)
		}
		return "(a body that is not JSON, left out)"
	}
	params := map[string]any{}
	for k, vs := range req.URL.Query() {
		params[k] = redactValue(k, strings.Join(vs, ","))
	}
	return params
}

// redactValue returns v with every secret replaced: the value of a field whose name says it holds a
// secret becomes "****", an access key ID is masked, and a string that looks like "SecretId#SecretKey"
// (the Kafka password form) is hidden whole.
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
		strings.Contains(n, "authorization"), strings.Contains(n, "credential"),
		n == "parameters": // TAT RunCommand's values for the script's hidden parameters (an install code)
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

// answerFields reads the error code, message and RequestId of a Tencent Cloud answer
// ({"Response": {"Error": {"Code", "Message"}, "RequestId"}}).
func answerFields(body []byte) (code, message, requestID string) {
	var a struct {
		Response struct {
			Error     struct{ Code, Message string }
			RequestID string `json:"RequestId"`
		}
	}
	if json.Unmarshal(body, &a) != nil {
		return "", "", ""
	}
	return a.Response.Error.Code, a.Response.Error.Message, a.Response.RequestID
}

// secretsOf returns a function that removes from a text every credential the request carried, in case
// an answer echoes one (a signature mismatch may quote what was signed).
func secretsOf(req *http.Request, secretID string) func(string) string {
	var hide []string
	if auth := req.Header.Get("Authorization"); auth != "" {
		hide = append(hide, auth)
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			hide = append(hide, strings.TrimSpace(sig))
		}
	}
	if t := req.Header.Get("X-TC-Token"); t != "" {
		hide = append(hide, t)
	}
	return func(s string) string {
		for _, h := range hide {
			if len(h) >= 8 { // shorter values (a nonce, a method name) are no secret and would garble the text
				s = strings.ReplaceAll(s, h, "****")
			}
		}
		if secretID != "" {
			s = strings.ReplaceAll(s, secretID, maskID(secretID))
		}
		if len(s) > 500 {
			s = s[:500] + "..."
		}
		return s
	}
}
