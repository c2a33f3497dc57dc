package tcloud

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzVerifySignature: arbitrary Authorization headers, bodies and timestamps never panic and are never
// accepted unless signed with the real key.
func FuzzVerifySignature(f *testing.F) {
	s := New(Options{})
	id, key := s.RootKey()
	f.Add("TC3-HMAC-SHA256 Credential="+id+"/2026-01-01/cam/tc3_request, SignedHeaders=content-type;host, Signature=00", []byte(`{}`), "GetUserAppId", int64(0))
	f.Add("TC3-HMAC-SHA256 Credential=/a/b/c, SignedHeaders=, Signature=", []byte(`{"Name":1}`), "GetUser", int64(-400))
	f.Add("garbage", []byte{0xff}, "", int64(9e9))
	f.Fuzz(func(t *testing.T, auth string, body []byte, action string, skew int64) {
		req := httptest.NewRequest(http.MethodPost, "http://cam.tencentcloudapi.com/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-TC-Action", action)
		req.Header.Set("X-TC-Version", "2019-01-16")
		req.Header.Set("X-TC-Timestamp", itoa(time.Now().Unix()+skew%600))
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		var env struct{ Response map[string]any }
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatalf("not an envelope: %q", w.Body.String())
		}
		code := errorCode(env.Response)
		if code == "" || !(strings.HasPrefix(code, "AuthFailure") || code == "InvalidAction" || code == "NoSuchVersion") {
			// Only a correct signature passes authentication, and the fuzzer cannot know the key.
			if !strings.Contains(auth, "Signature="+expectedSignature(req, body, key)) {
				t.Fatalf("request without the key's signature got past authentication: %v", env.Response)
			}
		}
		_ = id
	})
}

func expectedSignature(r *http.Request, body []byte, key string) string {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return "\x00never"
	}
	lower := make([]string, len(a.signedHeaders))
	values := map[string]string{}
	for i, h := range a.signedHeaders {
		lower[i] = strings.ToLower(h)
		values[lower[i]] = r.Header.Get(h)
	}
	values["host"] = r.Host
	return signature(key, a.service, a.date, r.Header.Get("X-TC-Timestamp"), canonicalRequest(r.Method, r.URL.RawQuery, lower, values, sha256Hex(body)))
}

// FuzzDecodeRequest: any body given to the strict decoder yields a value or a service error code, never
// a panic.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"Name":"x","Force":1}`))
	f.Add([]byte(`{"Name":5}`))
	f.Add([]byte(`{"Name":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in struct {
			Name  *string
			Force *uint64
		}
		e := decode(&request{body: body}, &in, "Name")
		if e == nil && in.Name == nil {
			t.Fatalf("required Name missing but accepted: %q", body)
		}
		if e != nil && !(e.Code == "InvalidParameter" || e.Code == "MissingParameter" || e.Code == "UnknownParameter") {
			t.Fatalf("unexpected code %s for %q", e.Code, body)
		}
	})
}

// FuzzDecodeQuery: any GET query given to the strict decoder yields a value or a service error code,
// never a panic, and a query the decoder accepts fills what the same POST body would.
func FuzzDecodeQuery(f *testing.F) {
	f.Add("Name=x&Limit=2&Filters.0.Name=zone&Filters.0.Values.1=a")
	f.Add("Limit=-1&Filters.x.Name=a")
	f.Add("Filters.0=a&Name.0=b&Limit.0.x=1")
	f.Add("Unknown=1&Filters.1000000.Name=a")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var in struct {
			Name    *string
			Limit   *int64
			Filters []struct {
				Name   string
				Values []string
			}
		}
		e := decode(&request{query: q}, &in)
		if e != nil && !(e.Code == "InvalidParameter" || e.Code == "MissingParameter" || e.Code == "UnknownParameter") {
			t.Fatalf("unexpected code %s for %q", e.Code, raw)
		}
		if e == nil && q.Has("Name") && (in.Name == nil || *in.Name != q.Get("Name")) {
			t.Fatalf("Name %q not decoded from %q", q.Get("Name"), raw)
		}
	})
}
