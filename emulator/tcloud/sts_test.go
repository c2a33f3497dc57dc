package tcloud

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// signing is how a test request is signed, rule by rule, so that each rule can be broken alone.
type signing struct {
	method   string   // default POST
	query    string   // GET parameters
	date     string   // the credential scope's date; default the UTC date of the timestamp
	signed   []string // SignedHeaders; default content-type and host
	unsigned bool     // send X-TC-Content-SHA256: UNSIGNED-PAYLOAD and sign its hash
	postSign bool     // a GET signed as if it were a POST (the method a lax server would assume)
	token    string
	region   string // default ap-guangzhou; "-" for none
}

// raw sends one request signed with id and key as s says, for service, version and action.
func (c *testClient) raw(id, key, service, version, action string, body []byte, s signing) map[string]any {
	c.t.Helper()
	method := s.method
	if method == "" {
		method = http.MethodPost
	}
	if method == http.MethodGet {
		body = nil // a GET has no payload: its parameters are in the query
	}
	u := c.srv.URL + "/"
	if s.query != "" {
		u += "?" + s.query
	}
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	contentType := "application/json"
	if method == http.MethodGet {
		contentType = "application/x-www-form-urlencoded"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", version)
	switch s.region {
	case "":
		req.Header.Set("X-TC-Region", "ap-guangzhou")
	case "-":
	default:
		req.Header.Set("X-TC-Region", s.region)
	}
	if s.token != "" {
		req.Header.Set("X-TC-Token", s.token)
	}
	ts := c.now.Unix()
	req.Header.Set("X-TC-Timestamp", itoa(ts))
	date := s.date
	if date == "" {
		date = time.Unix(ts, 0).UTC().Format("2006-01-02")
	}
	signed := s.signed
	if signed == nil {
		signed = []string{"content-type", "host"}
	}
	values := map[string]string{"content-type": contentType, "host": req.URL.Host, "x-tc-action": action}
	payloadHash := sha256Hex(body)
	if s.unsigned {
		req.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
		payloadHash = sha256Hex([]byte("UNSIGNED-PAYLOAD"))
	}
	signMethod := method
	if s.postSign {
		signMethod = http.MethodPost
	}
	sig := signature(key, service, date, itoa(ts), canonicalRequest(signMethod, s.query, signed, values, payloadHash))
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+id+"/"+date+"/"+service+"/tc3_request, SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
	return c.send(req)
}

// federationToken asks STS for temporary credentials with the client's key.
func (c *testClient) federationToken(name, policyDoc string, extra map[string]any) (id, secret, token string, resp map[string]any) {
	c.t.Helper()
	params := map[string]any{"Name": name, "Policy": url.QueryEscape(policyDoc)}
	for k, v := range extra {
		params[k] = v
	}
	resp = c.call("sts", "2018-08-13", "GetFederationToken", params)
	creds, _ := resp["Credentials"].(map[string]any)
	id, _ = creds["TmpSecretId"].(string)
	secret, _ = creds["TmpSecretKey"].(string)
	token, _ = creds["Token"].(string)
	return id, secret, token, resp
}

const camReadPolicy = `{"version":"2.0","statement":[{"effect":"allow","action":["cam:GetUserAppId","cam:ListUsers","sts:GetFederationToken"],"resource":["*"]}]}`

func TestFederationTokenIssuesTemporaryKeysThatNeedTheirToken(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := New(Options{Now: now})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	rootID, rootKey := s.RootKey()
	c := &testClient{t: t, srv: hs, id: rootID, key: rootKey, now: clock}

	id, secret, token, resp := c.federationToken("onboard", camReadPolicy, nil)
	if id == "" || secret == "" || token == "" || id == rootID || resp["ExpiredTime"] == nil || resp["Expiration"] == nil {
		t.Fatalf("GetFederationToken: %v", resp)
	}
	if !strings.HasPrefix(id, "AKID") {
		t.Errorf("temporary SecretId %q: the documented examples start with AKID", id)
	}
	owner := itoa(int64(s.OwnerUIN()))
	read := func(s signing) map[string]any {
		return c.raw(id, secret, "cam", "2019-01-16", "GetUserAppId", []byte(`{}`), s)
	}

	if r := read(signing{token: token}); errorCode(r) != "" {
		t.Fatalf("the temporary key with its token was refused: %v", r)
	}
	who := c.raw(id, secret, "sts", "2018-08-13", "GetCallerIdentity", []byte(`{}`), signing{token: token})
	if who["Arn"] != "qcs::sts:"+owner+":federated-user/"+owner || who["UserId"] != owner+":onboard" || who["AccountId"] != owner {
		t.Errorf("GetCallerIdentity of the federated session: %v", who)
	}
	for name, tt := range map[string]struct {
		id, secret string
		s          signing
		code       string
	}{
		"a temporary key without its token":       {id, secret, signing{}, "AuthFailure.TokenFailure"},
		"a temporary key with another token":      {id, secret, signing{token: token + "x"}, "AuthFailure.TokenFailure"},
		"a long-term key with a token":            {rootID, rootKey, signing{token: token}, "AuthFailure.TokenFailure"},
		"a call outside the session policy":       {id, secret, signing{token: token}, "AuthFailure.UnauthorizedOperation"},
		"a temporary key asking for another":      {id, secret, signing{token: token}, "FailedOperation.TempKeyNotAllowed"},
		"a temporary key with a wrong secret":     {id, secret[1:] + "x", signing{token: token}, "AuthFailure.SignatureFailure"},
		"a long-term key without the token is ok": {rootID, rootKey, signing{}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			service, version, action, body := "cam", "2019-01-16", "GetUserAppId", []byte(`{}`)
			switch tt.code {
			case "AuthFailure.UnauthorizedOperation":
				action, body = "AddUser", []byte(`{"Name":"x"}`)
			case "FailedOperation.TempKeyNotAllowed":
				service, version, action, body = "sts", "2018-08-13", "GetFederationToken", []byte(`{"Name":"again","Policy":"`+url.QueryEscape(camReadPolicy)+`"}`)
			}
			if r := c.raw(tt.id, tt.secret, service, version, action, body, tt.s); errorCode(r) != tt.code {
				t.Fatalf("got %v, want %q", r, tt.code)
			}
		})
	}

	// The root may ask for at most 7200 s; the credentials stop working when they expire.
	if _, _, _, r := c.federationToken("long", camReadPolicy, map[string]any{"DurationSeconds": 7201}); errorCode(r) != "InvalidParameter.OverTimeError" {
		t.Errorf("7201 s for the root: %v", r)
	}
	if _, _, _, r := c.federationToken("bad", "{not json", nil); errorCode(r) != "InvalidParameter.StrategyFormatError" {
		t.Errorf("a policy that does not parse: %v", r)
	}
	// "The policy cannot contain the principal element" (API page, parameter Policy).
	withPrincipal := `{"version":"2.0","statement":[{"effect":"allow","action":["cam:ListUsers"],"resource":["*"],"principal":{"qcs":["qcs::cam::uin/1:uin/2"]}}]}`
	if _, _, _, r := c.federationToken("principal", withPrincipal, nil); errorCode(r) != "InvalidParameter.StrategyFormatError" {
		t.Errorf("a policy with a principal: %v", r)
	}
	mu.Lock()
	clock = clock.Add(1801 * time.Second)
	mu.Unlock()
	c.now = now()
	if r := read(signing{token: token}); errorCode(r) != "AuthFailure.TokenFailure" {
		t.Errorf("after the default 1800 s: %v, want AuthFailure.TokenFailure", r)
	}
}

// A sub-user's temporary key may do only what both its own policies and the session policy allow.
func TestFederationTokenOfASubUserIsTheIntersection(t *testing.T) {
	s, c := newTestServer(t)
	if r := c.call("cam", "2019-01-16", "AddUser", map[string]any{"Name": "fed", "UseApi": 1}); errorCode(r) != "" {
		t.Fatal(r)
	} else {
		c.id, c.key = r["SecretId"].(string), r["SecretKey"].(string)
	}
	rootID, rootKey := s.RootKey()
	root := &testClient{t: t, srv: c.srv, id: rootID, key: rootKey, now: c.now}
	grant := func(doc string) {
		p := root.call("cam", "2019-01-16", "CreatePolicy", map[string]any{"PolicyName": "p" + itoa(int64(len(doc))), "PolicyDocument": doc})
		pid, _ := p["PolicyId"].(float64)
		u := root.call("cam", "2019-01-16", "GetUser", map[string]any{"Name": "fed"})
		uin, _ := u["Uin"].(float64)
		if r := root.call("cam", "2019-01-16", "AttachUserPolicy", map[string]any{"PolicyId": pid, "AttachUin": uin}); errorCode(r) != "" {
			t.Fatal(r)
		}
	}
	grant(`{"version":"2.0","statement":[{"effect":"allow","action":["sts:GetFederationToken","cam:ListUsers"],"resource":["*"]}]}`)
	id, secret, token, resp := c.federationToken("sub", camReadPolicy, nil)
	if token == "" {
		t.Fatalf("GetFederationToken by a sub-user allowed to: %v", resp)
	}
	// ListUsers: allowed by both. GetUserAppId: allowed by the session only.
	if r := c.raw(id, secret, "cam", "2019-01-16", "ListUsers", []byte(`{}`), signing{token: token}); errorCode(r) != "" {
		t.Errorf("ListUsers: %v", r)
	}
	if r := c.raw(id, secret, "cam", "2019-01-16", "GetUserAppId", []byte(`{}`), signing{token: token}); errorCode(r) != "AuthFailure.UnauthorizedOperation" {
		t.Errorf("GetUserAppId, outside the sub-user's own policies: %v", r)
	}
}

// TC3 rules of the signing page, each broken alone in a request that is otherwise signed correctly.
func TestTC3SigningRules(t *testing.T) {
	_, c := newTestServer(t)
	getIdentity := func(s signing) map[string]any {
		return c.raw(c.id, c.key, "sts", "2018-08-13", "GetCallerIdentity", []byte(`{}`), s)
	}
	if r := getIdentity(signing{}); errorCode(r) != "" {
		t.Fatalf("a correct request was refused: %v", r)
	}
	// Near midnight UTC a signer using its local date (e.g. UTC+8) names the next day.
	c.now = time.Date(2026, 11, 29, 23, 58, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return c.now }})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c.srv = hs
	c.id, c.key = s.RootKey()
	local := c.now.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02")
	for name, tt := range map[string]struct {
		s    signing
		code string
	}{
		"scope date is the local, not the UTC, date": {signing{date: local}, "AuthFailure.SignatureFailure"},
		"content-type not signed":                    {signing{signed: []string{"host"}}, "AuthFailure.InvalidAuthorization"},
		"host not signed":                            {signing{signed: []string{"content-type", "x-tc-action"}}, "AuthFailure.InvalidAuthorization"},
		"x-tc-action signed too":                     {signing{signed: []string{"content-type", "host", "x-tc-action"}}, ""},
		"no Region for STS":                          {signing{region: "-"}, "MissingParameter"},
		"GET signed as documented":                   {signing{method: http.MethodGet}, ""},
		"GET signed as if it were a POST":            {signing{method: http.MethodGet, postSign: true}, "AuthFailure.SignatureFailure"},
		"UNSIGNED-PAYLOAD, accepted by default":      {signing{unsigned: true}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			if r := getIdentity(tt.s); errorCode(r) != tt.code {
				t.Fatalf("got %v, want %q", r, tt.code)
			}
		})
	}
	// A GET carries its parameters in the signed query string.
	if r := c.raw(c.id, c.key, "cam", "2019-01-16", "GetUser", nil, signing{method: http.MethodGet, query: "Name=nobody"}); errorCode(r) != "ResourceNotFound.UserNotExist" {
		t.Errorf("GET GetUser?Name=nobody: %v", r)
	}
	if r := c.raw(c.id, c.key, "cam", "2019-01-16", "GetUser", nil, signing{method: http.MethodGet, query: "Name=nobody", postSign: true}); errorCode(r) != "AuthFailure.SignatureFailure" {
		t.Errorf("GET GetUser with the query left out of the signature: %v", r)
	}
}

// The reading in which the service always hashes the body: an UNSIGNED-PAYLOAD request fails its
// signature, and a signed body still passes.
func TestUnsignedPayloadRefusedReading(t *testing.T) {
	s := New(Options{UnsignedPayload: UnsignedRefused})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	id, key := s.RootKey()
	c := &testClient{t: t, srv: hs, id: id, key: key, now: time.Now()}
	if r := c.raw(id, key, "cam", "2019-01-16", "GetUserAppId", []byte(`{}`), signing{unsigned: true}); errorCode(r) != "AuthFailure.SignatureFailure" {
		t.Errorf("UNSIGNED-PAYLOAD: %v", r)
	}
	if r := c.raw(id, key, "cam", "2019-01-16", "GetUserAppId", []byte(`{}`), signing{}); errorCode(r) != "" {
		t.Errorf("a signed body: %v", r)
	}
}

// Both forms of a sub-user's Arn are played.
func TestSubUserARNForms(t *testing.T) {
	for form, want := range map[ARNForm]string{ARNAsInExample: "qcs::cam:%s:uin/%s", ARNAsInResource: "qcs::cam::uin/%s:uin/%s"} {
		s := New(Options{SubUserARN: form})
		hs := httptest.NewServer(s)
		id, key := s.RootKey()
		c := &testClient{t: t, srv: hs, id: id, key: key, now: time.Now()}
		u := c.call("cam", "2019-01-16", "AddUser", map[string]any{"Name": "arn", "UseApi": 1})
		uin := itoa(int64(u["Uin"].(float64)))
		c.id, c.key = u["SecretId"].(string), u["SecretKey"].(string)
		who := c.call("sts", "2018-08-13", "GetCallerIdentity", map[string]any{})
		owner := itoa(int64(s.OwnerUIN()))
		if who["Arn"] != strings.Replace(strings.Replace(want, "%s", owner, 1), "%s", uin, 1) || who["UserId"] != uin || who["AccountId"] != owner {
			t.Errorf("form %d: %v", form, who)
		}
		hs.Close()
	}
}
