package tencent

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestExchangeParamsAreRedacted(t *testing.T) {
	const id, secret = "AKIDabcdefghijklmnop1234", "a-secret-key-value"
	body := `{"TargetUin":42,"Description":"managed-by=onboard","Filters":[{"Name":"access-key-id","Values":["` + id + `"]}],` +
		`"Credential":{"SecretId":"` + id + `","SecretKey":"` + secret + `"},"Password":"` + secret + `","Consumer":{"SaslPassword":"` + id + `#` + secret + `"},"Note":"` + id + `#` + secret + `"}`
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(body))
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+id+"/2026-11-29/cam/tc3_request, SignedHeaders=content-type;host, Signature=0123456789abcdef")
	req.Header.Set("X-TC-Token", "session-token-value")
	data, _ := json.Marshal(requestParams(req, []byte(body)))
	got := string(data)
	for _, s := range []string{secret, id} {
		if strings.Contains(got, s) {
			t.Errorf("params keep %q: %s", s, got)
		}
	}
	for _, want := range []string{`"TargetUin":42`, `"Description":"managed-by=onboard"`, `"Values":["AKID****1234"]`, `"Credential":"****"`, `"Note":"****"`} {
		if !strings.Contains(got, want) {
			t.Errorf("params %s lack %s", got, want)
		}
	}
	gotID, service := credentialScope(req.Header.Get("Authorization"))
	if gotID != id || service != "cam" {
		t.Errorf("credentialScope = %q, %q", gotID, service)
	}
	msg := secretsOf(req, id)("expected signature 0123456789abcdef for " + id + " with token session-token-value")
	if strings.Contains(msg, "0123456789abcdef") || strings.Contains(msg, "session-token-value") || strings.Contains(msg, id) {
		t.Errorf("scrubbed message = %q", msg)
	}
}
