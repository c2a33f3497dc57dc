package tcloud

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The golden vector of reference/tencent-cloud-api.md §2.2.
func TestSignatureGoldenVector(t *testing.T) {
	body := []byte(`{"ConsoleLogin":0,"Name":"csc","UseApi":1}`)
	canonical := canonicalRequest(http.MethodPost, "", []string{"content-type", "host"}, map[string]string{"content-type": "application/json", "host": "cam.tencentcloudapi.com"}, sha256Hex(body))
	if want := "POST\n/\n\ncontent-type:application/json\nhost:cam.tencentcloudapi.com\n\ncontent-type;host\n6a260398d6505a476c4b81f1d288bb76baf756ba9d710117215b2d06b58e8333"; canonical != want {
		t.Fatalf("canonical request:\n%q\nwant\n%q", canonical, want)
	}
	if got := signature("SKtest", "cam", "2023-11-14", "1700000000", canonical); got != "ecafacbfb5010ded7d03228ddbf430cb3a8d621f8161288615169c69cf94ec09" {
		t.Fatalf("signature %s", got)
	}
}

type testClient struct {
	t       *testing.T
	srv     *httptest.Server
	id, key string
	now     time.Time
	token   string // temporary credentials only
}

func newTestServer(t *testing.T) (*Server, *testClient) {
	s := New(Options{})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	id, key := s.RootKey()
	return s, &testClient{t: t, srv: hs, id: id, key: key, now: time.Now()}
}

// call sends a signed request and returns the Response object.
func (c *testClient) call(service, version, action string, params any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL, bytes.NewReader(body))
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", version)
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	if c.token != "" {
		req.Header.Set("X-TC-Token", c.token)
	}
	Sign(req, body, c.id, c.key, service, c.now)
	return c.send(req)
}

func (c *testClient) send(req *http.Request) map[string]any {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		c.t.Fatalf("HTTP %d; the service answers API errors with 200", resp.StatusCode)
	}
	var env struct{ Response map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		c.t.Fatal(err)
	}
	if env.Response["RequestId"] == "" || env.Response["RequestId"] == nil {
		c.t.Fatalf("no RequestId: %v", env.Response)
	}
	return env.Response
}

func errorCode(resp map[string]any) string {
	e, _ := resp["Error"].(map[string]any)
	code, _ := e["Code"].(string)
	return code
}

func TestAuthentication(t *testing.T) {
	_, c := newTestServer(t)
	if r := c.call("cam", "2019-01-16", "GetUserAppId", map[string]any{}); errorCode(r) != "" {
		t.Fatalf("root key refused: %v", r)
	}
	tests := []struct {
		name   string
		mutate func(*testClient)
		code   string
	}{
		{"wrong secret byte", func(c *testClient) { c.key = otherByte(c.key[0]) + c.key[1:] }, "AuthFailure.SignatureFailure"},
		{"unknown id", func(c *testClient) { c.id = "AKIDunknown" }, "AuthFailure.SecretIdNotFound"},
		{"expired", func(c *testClient) { c.now = c.now.Add(-6 * time.Minute) }, "AuthFailure.SignatureExpire"},
		{"future", func(c *testClient) { c.now = c.now.Add(6 * time.Minute) }, "AuthFailure.SignatureExpire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.t = t
			tt.mutate(&cc)
			if r := cc.call("cam", "2019-01-16", "GetUserAppId", map[string]any{}); errorCode(r) != tt.code {
				t.Fatalf("got %v, want %s", r, tt.code)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL, strings.NewReader("{}"))
		req.Header.Set("Authorization", "TC3-HMAC-SHA256 garbage")
		if r := c.send(req); errorCode(r) != "AuthFailure.InvalidAuthorization" {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("body changed after signing", func(t *testing.T) {
		body := []byte(`{"Name":"a"}`)
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL, bytes.NewReader([]byte(`{"Name":"b"}`)))
		req.Header.Set("X-TC-Action", "GetUser")
		req.Header.Set("X-TC-Version", "2019-01-16")
		Sign(req, body, c.id, c.key, "cam", time.Now())
		if r := c.send(req); errorCode(r) != "AuthFailure.SignatureFailure" {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("x-tc-action signed, as other SDKs do", func(t *testing.T) {
		body := []byte(`{}`)
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("X-TC-Action", "GetUserAppId")
		req.Header.Set("X-TC-Version", "2019-01-16")
		now := time.Now()
		ts := now.Unix()
		req.Header.Set("X-TC-Timestamp", itoa(ts))
		signed := []string{"content-type", "host", "x-tc-action"}
		values := map[string]string{"content-type": req.Header.Get("Content-Type"), "host": req.URL.Host, "x-tc-action": "GetUserAppId"}
		date := now.UTC().Format("2006-01-02")
		sig := signature(c.key, "cam", date, itoa(ts), canonicalRequest(http.MethodPost, "", signed, values, sha256Hex(body)))
		req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+c.id+"/"+date+"/cam/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="+sig)
		if r := c.send(req); errorCode(r) != "" {
			t.Fatalf("got %v", r)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRoutingAndStrictDecoding(t *testing.T) {
	_, c := newTestServer(t)
	tests := []struct {
		service, version, action string
		params                   any
		code                     string
	}{
		{"cam", "2019-01-16", "NoSuchThing", map[string]any{}, "InvalidAction"},
		{"cam", "2017-01-01", "GetUserAppId", map[string]any{}, "NoSuchVersion"},
		{"nosvc", "2019-01-16", "GetUserAppId", map[string]any{}, "InvalidAction"},
		{"cam", "2019-01-16", "GetUser", map[string]any{}, "MissingParameter"},
		{"cam", "2019-01-16", "GetUser", map[string]any{"Name": 5}, "InvalidParameter"},
		{"cam", "2019-01-16", "GetUser", map[string]any{"Name": "x", "Bogus": 1}, "UnknownParameter"},
		{"cam", "2019-01-16", "GetUser", map[string]any{"Name": "nobody"}, "ResourceNotFound.UserNotExist"},
	}
	for _, tt := range tests {
		if r := c.call(tt.service, tt.version, tt.action, tt.params); errorCode(r) != tt.code {
			t.Errorf("%s %s %v: got %v, want %s", tt.service, tt.action, tt.params, r, tt.code)
		}
	}
}

func TestUsersKeysAndPolicyEvaluation(t *testing.T) {
	s, c := newTestServer(t)
	cam := func(action string, p any) map[string]any { return c.call("cam", "2019-01-16", action, p) }
	u := cam("AddUser", map[string]any{"Name": "sas", "UseApi": 1, "ConsoleLogin": 0, "Remark": "managed-by: onboard"})
	if errorCode(u) != "" || u["SecretKey"] == nil {
		t.Fatalf("AddUser: %v", u)
	}
	if r := cam("AddUser", map[string]any{"Name": "sas"}); errorCode(r) != "InvalidParameter.SubUserNameInUse" {
		t.Fatalf("duplicate user: %v", r)
	}
	uin := u["Uin"].(float64)
	if r := cam("CreateAccessKey", map[string]any{"TargetUin": uin}); errorCode(r) != "" {
		t.Fatalf("second key: %v", r)
	}
	if r := cam("CreateAccessKey", map[string]any{"TargetUin": uin}); errorCode(r) != "OperationDenied.AccessKeyOverLimit" {
		t.Fatalf("third key: %v", r)
	}

	// The sub-user's key can do nothing until a policy allows it.
	sub := *c
	sub.id, sub.key = u["SecretId"].(string), u["SecretKey"].(string)
	r := sub.call("cam", "2019-01-16", "ListUsers", map[string]any{})
	if errorCode(r) != "AuthFailure.UnauthorizedOperation" || !strings.Contains(r["Error"].(map[string]any)["Message"].(string), "cam:ListUsers") {
		t.Fatalf("unauthorised call: %v", r)
	}
	p := cam("CreatePolicy", map[string]any{"PolicyName": "p1", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cam:ListUsers"],"resource":["*"]}]}`})
	if errorCode(p) != "" {
		t.Fatalf("CreatePolicy: %v", p)
	}
	if r := cam("CreatePolicy", map[string]any{"PolicyName": "p2", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cam:NoSuchAction"],"resource":["*"]}]}`}); errorCode(r) != "InvalidParameter.ActionNotExist" {
		t.Fatalf("unknown action accepted: %v", r)
	}
	if r := cam("CreatePolicy", map[string]any{"PolicyName": "p1", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cam:ListUsers"],"resource":["*"]}]}`}); errorCode(r) != "FailedOperation.PolicyNameInUse" {
		t.Fatalf("duplicate policy: %v", r)
	}
	if r := cam("AttachUserPolicy", map[string]any{"PolicyId": p["PolicyId"], "AttachUin": uin}); errorCode(r) != "" {
		t.Fatal(r)
	}
	if r := sub.call("cam", "2019-01-16", "ListUsers", map[string]any{}); errorCode(r) != "" {
		t.Fatalf("allowed call refused: %v", r)
	}
	if r := sub.call("cam", "2019-01-16", "AddUser", map[string]any{"Name": "evil"}); errorCode(r) != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("escalation allowed: %v", r)
	}
	if r := cam("DeleteUser", map[string]any{"Name": "sas"}); errorCode(r) != "OperationDenied.HaveKeys" {
		t.Fatalf("delete with keys: %v", r)
	}
	if r := cam("DeleteUser", map[string]any{"Name": "sas", "Force": 1}); errorCode(r) != "" {
		t.Fatal(r)
	}
	if r := sub.call("cam", "2019-01-16", "ListUsers", map[string]any{}); errorCode(r) != "AuthFailure.SecretIdNotFound" {
		t.Fatalf("deleted user's key still works: %v", r)
	}
	var mutating int
	for _, call := range s.Calls() {
		if call.Mutating && call.Code == "" {
			mutating++
		}
	}
	if mutating != 5 {
		t.Errorf("call log counts %d successful mutating calls, want 5", mutating)
	}
}

func TestPresetsCanBeFoundByName(t *testing.T) {
	_, c := newTestServer(t)
	r := c.call("cam", "2019-01-16", "ListPolicies", map[string]any{"Scope": "QCS", "Keyword": "QcloudCVMReadOnlyAccess", "Rp": 200})
	list, _ := r["List"].([]any)
	found := false
	for _, item := range list {
		m := item.(map[string]any)
		if m["PolicyName"] == "QcloudCVMReadOnlyAccess" && m["PolicyId"].(float64) == 243334 && m["Type"].(float64) == 2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("preset not listed: %v", r)
	}
}

func TestPublishedRateLimitsThrottlePerAction(t *testing.T) {
	s := New(Options{RateLimits: RateLimits{Rates: PublishedRates}})
	hs := httptest.NewServer(s)
	defer hs.Close()
	id, key := s.RootKey()
	c := &testClient{t: t, srv: hs, id: id, key: key, now: time.Now()}
	throttled := 0
	for range 12 { // CreateAccessKey is limited to 5/s: a burst of 12 must be partly refused
		if errorCode(c.call("cam", "2019-01-16", "CreateAccessKey", map[string]any{})) == "RequestLimitExceeded" {
			throttled++
		}
	}
	if throttled < 5 {
		t.Fatalf("%d of 12 calls throttled at 5/s", throttled)
	}
	// Another action has its own bucket.
	if r := c.call("cam", "2019-01-16", "GetUserAppId", map[string]any{}); errorCode(r) != "" {
		t.Fatalf("an unrelated action was throttled: %v", r)
	}
}

// otherByte is a one-byte string that differs from b, so a changed secret really changes.
func otherByte(b byte) string {
	if b == 'X' {
		return "Y"
	}
	return "X"
}
