package sas

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

const (
	testKeyID  = "LTAI5tEmulatorTestKey"
	testSecret = "testSecret"
)

// newTestServer serves a Security Center emulator whose Tencent Cloud is a fresh Tencent emulator.
func newTestServer(t *testing.T) (*Server, *httptest.Server, *tcloud.Server, string) {
	t.Helper()
	tc := tcloud.New(tcloud.Options{})
	tcs := httptest.NewServer(tc)
	t.Cleanup(tcs.Close)
	emu := New(Options{TencentEndpoint: tcs.URL})
	t.Cleanup(emu.Close)
	emu.AddAccessKey("1234567890123456", testKeyID, testSecret)
	hs := httptest.NewServer(emu)
	t.Cleanup(hs.Close)
	return emu, hs, tc, tcs.URL
}

// signACS3 signs req as the reference describes ACS3-HMAC-SHA256, written out independently of the
// emulator's own code: every x-acs-* header and host, in byte order.
func signACS3(req *http.Request, body []byte, keyID, secret string, now time.Time, nonce string) {
	sum := sha256.Sum256(body)
	req.Header.Set("x-acs-version", Version)
	req.Header.Set("x-acs-date", now.UTC().Format("2006-01-02T15:04:05Z"))
	req.Header.Set("x-acs-signature-nonce", nonce)
	req.Header.Set("x-acs-content-sha256", hex.EncodeToString(sum[:]))
	names := []string{"host"}
	for k := range req.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-acs-") {
			names = append(names, strings.ToLower(k))
		}
	}
	sort.Strings(names)
	var headers strings.Builder
	for _, n := range names {
		v := req.Header.Get(n)
		if n == "host" {
			v = req.URL.Host
		}
		headers.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	q := req.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var query []string
	for _, k := range keys {
		v := strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(q.Get(k)))
		query = append(query, k+"="+v)
	}
	canonical := req.Method + "\n/\n" + strings.Join(query, "&") + "\n" + headers.String() + "\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(sum[:])
	h := sha256.Sum256([]byte(canonical))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(h[:])))
	req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+keyID+",SignedHeaders="+strings.Join(names, ";")+",Signature="+hex.EncodeToString(m.Sum(nil)))
}

// signV1 adds the signature version 1.0 parameters to p and signs them with HMAC-SHA1.
func signV1(method string, p url.Values, keyID, secret string, now time.Time, nonce string) {
	p.Set("Format", "JSON")
	p.Set("Version", Version)
	p.Set("AccessKeyId", keyID)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("Timestamp", now.UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("SignatureNonce", nonce)
	enc := func(s string) string {
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, enc(k)+"="+enc(p.Get(k)))
	}
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(method + "&%2F&" + enc(strings.Join(pairs, "&"))))
	p.Set("Signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

type answer struct {
	Status int
	Body   map[string]any
}

func (a answer) code() string { s, _ := a.Body["Code"].(string); return s }

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("answer is not JSON: %q", data)
	}
	return answer{resp.StatusCode, body}
}

// acs3 sends one ACS3-signed POST with its parameters in the query.
func acs3(t *testing.T, endpoint, action string, q url.Values, keyID, secret string, now time.Time, nonce string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/?"+q.Encode(), nil)
	req.Header.Set("x-acs-action", action)
	signACS3(req, nil, keyID, secret, now, nonce)
	return send(t, req)
}

var nonceSeq int

func nonce() string {
	nonceSeq++
	return strings.Repeat("0", 8) + time.Now().Format("150405.000000000") + string(rune('a'+nonceSeq%26)) + hex.EncodeToString([]byte{byte(nonceSeq), byte(nonceSeq >> 8)})
}

func TestTheReferenceGoldenVectorIsReproduced(t *testing.T) {
	h := http.Header{}
	for k, v := range map[string]string{"x-acs-action": "GetSupportedModules", "x-acs-content-sha256": sha256Hex(nil),
		"x-acs-credentials-provider": "static_ak", "x-acs-date": "2023-11-14T22:13:20Z",
		"x-acs-signature-nonce": "0123456789abcdef0123456789abcdef", "x-acs-version": "2018-12-03"} {
		h.Set(k, v)
	}
	signed := strings.Split("host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version", ";")
	canonical := acs3CanonicalRequest("POST", "/", url.Values{"Lang": {"en"}}, h, "tds.ap-southeast-1.aliyuncs.com", signed, sha256Hex(nil))
	if sum := sha256Hex([]byte(canonical)); sum != "f2f1e523883c949bba8ec8921a614b7671dc2a664d3ce4a01ad3adbbf9056d44" {
		t.Fatalf("canonical request hashes to %s:\n%s", sum, canonical)
	}
	if sig := acs3Signature("testSecret", canonical); sig != "fd6dbd09ce04c737d71e0d99d83616819680ba1b4870f1e1f019ba5f865ad005" {
		t.Fatalf("signature %s", sig)
	}
}

func TestSignaturesAreVerifiedLikeTheService(t *testing.T) {
	_, hs, _, _ := newTestServer(t)
	now := time.Now()
	lang := url.Values{"Lang": {"en"}}

	t.Run("ACS3 with the right secret is served", func(t *testing.T) {
		a := acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, testSecret, now, nonce())
		if a.Status != 200 || a.Body["SupportedModuleResponse"] == nil || a.Body["RequestId"] == "" {
			t.Fatalf("%+v", a)
		}
	})
	negatives := []struct {
		name       string
		keyID, sec string
		at         time.Time
		status     int
		code       string
	}{
		{"a wrong secret", testKeyID, testSecret + "x", now, 400, "SignatureDoesNotMatch"},
		{"an unknown key", "LTAI5tNobodyHasThisKey", testSecret, now, 404, "InvalidAccessKeyId.NotFound"},
		{"a clock 16 minutes behind", testKeyID, testSecret, now.Add(-16 * time.Minute), 400, "InvalidTimeStamp.Expired"},
		{"a clock 16 minutes ahead", testKeyID, testSecret, now.Add(16 * time.Minute), 400, "InvalidTimeStamp.Expired"},
	}
	for _, n := range negatives {
		t.Run("ACS3 with "+n.name+" is refused", func(t *testing.T) {
			a := acs3(t, hs.URL, "GetSupportedModules", lang, n.keyID, n.sec, n.at, nonce())
			if a.Status != n.status || a.code() != n.code {
				t.Fatalf("got %d %s, want %d %s", a.Status, a.code(), n.status, n.code)
			}
			for _, f := range []string{"RequestId", "HostId", "Code", "Message"} {
				if a.Body[f] == nil || a.Body[f] == "" {
					t.Errorf("error body lacks %s: %v", f, a.Body)
				}
			}
		})
		t.Run("HMAC-SHA1 GET with "+n.name+" is refused", func(t *testing.T) {
			p := url.Values{"Action": {"GetSupportedModules"}, "Lang": {"en"}}
			signV1("GET", p, n.keyID, n.sec, n.at, nonce())
			req, _ := http.NewRequest(http.MethodGet, hs.URL+"/?"+p.Encode(), nil)
			if a := send(t, req); a.Status != n.status || a.code() != n.code {
				t.Fatalf("got %d %s, want %d %s", a.Status, a.code(), n.status, n.code)
			}
		})
	}
	t.Run("a replayed nonce is refused, in both schemes", func(t *testing.T) {
		n := nonce()
		if a := acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, testSecret, now, n); a.Status != 200 {
			t.Fatalf("first use: %+v", a)
		}
		if a := acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, testSecret, now, n); a.code() != "SignatureNonceUsed" {
			t.Fatalf("replay: %+v", a)
		}
		p := url.Values{"Action": {"DescribeVendorList"}}
		signV1("GET", p, testKeyID, testSecret, now, n)
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/?"+p.Encode(), nil)
		if a := send(t, req); a.code() != "SignatureNonceUsed" {
			t.Fatalf("replay over v1: %+v", a)
		}
	})
	t.Run("a nonce of a refused request stays usable", func(t *testing.T) {
		n := nonce()
		acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, "wrong", now, n)
		if a := acs3(t, hs.URL, "GetSupportedModules", lang, testKeyID, testSecret, now, n); a.Status != 200 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("HMAC-SHA1 GET with the parameters in the query is served", func(t *testing.T) {
		p := url.Values{"Action": {"ListCloudVendorRegions"}, "Vendor": {"Tencent"}}
		signV1("GET", p, testKeyID, testSecret, now, nonce())
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/?"+p.Encode(), nil)
		if a := send(t, req); a.Status != 200 || a.Body["Success"] != true {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("HMAC-SHA1 POST with the parameters in a form body is served, and refused once a byte changes", func(t *testing.T) {
		p := url.Values{"Action": {"SetSyncRefreshRegion"}, "Vendor": {"Tencent"}, "RegionIds.1": {"ap-guangzhou"}, "RegionIds.2": {"ap-tokyo"}}
		signV1("POST", p, testKeyID, testSecret, now, nonce())
		post := func(body string) answer {
			req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return send(t, req)
		}
		tampered := strings.Replace(p.Encode(), "ap-tokyo", "ap-seoul", 1)
		if a := post(tampered); a.code() != "SignatureDoesNotMatch" {
			t.Fatalf("tampered form: %+v", a)
		}
		if a := post(p.Encode()); a.Status != 200 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("ACS3 with a changed query is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/?Vendor=Tencent", nil)
		req.Header.Set("x-acs-action", "ListCloudVendorRegions")
		signACS3(req, nil, testKeyID, testSecret, now, nonce())
		req.URL.RawQuery = "Vendor=AWS"
		if a := send(t, req); a.code() != "SignatureDoesNotMatch" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("ACS3 whose body does not match x-acs-content-sha256 is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", nil)
		req.Header.Set("x-acs-action", "DescribeVendorList")
		signACS3(req, nil, testKeyID, testSecret, now, nonce())
		req.Body = io.NopCloser(bytes.NewReader([]byte("Vendor=x")))
		req.ContentLength = 8
		if a := send(t, req); a.code() != "SignatureDoesNotMatch" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("a malformed Authorization header is refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", nil)
		req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=x")
		if a := send(t, req); a.Status != 400 || a.code() != "IncompleteSignature" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("an unknown action is refused with 404", func(t *testing.T) {
		if a := acs3(t, hs.URL, "CreateCloudVendorAccountAK", nil, testKeyID, testSecret, now, nonce()); a.Status != 404 || a.code() != "InvalidApi.NotFound" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("a disabled key is refused", func(t *testing.T) {
		emu, hs, _, _ := newTestServer(t)
		emu.SetAccessKeyActive(testKeyID, false)
		if a := acs3(t, hs.URL, "DescribeVendorList", nil, testKeyID, testSecret, now, nonce()); a.code() != "InvalidAccessKeyId.Inactive" {
			t.Fatalf("%+v", a)
		}
	})
}

func TestFlattenedListsAreParsedAndGapsRefused(t *testing.T) {
	p := params{"AuthModules.1": "HOST", "AuthModules.2": "CSPM", "AssetRefreshConfigs.1.Vendor": "3",
		"AssetRefreshConfigs.2.Vendor": "3", "AssetRefreshConfigs.2.SchedulePeriod": "60"}
	mods, err := p.list("AuthModules")
	if err != nil || strings.Join(mods, ",") != "HOST,CSPM" {
		t.Fatalf("list: %v %v", mods, err)
	}
	objs, err := p.objects("AssetRefreshConfigs")
	if err != nil || len(objs) != 2 || objs[1]["SchedulePeriod"] != "60" || objs[0]["Vendor"] != "3" {
		t.Fatalf("objects: %v %v", objs, err)
	}
	for _, bad := range []params{
		{"AuthModules.2": "HOST"},
		{"AuthModules.0": "HOST"},
		{"AuthModules.01": "HOST"},
		{"AuthModules.1.Field": "HOST"},
	} {
		if _, err := bad.list("AuthModules"); err == nil || err.Code != "InvalidParameter" {
			t.Errorf("%v: %v, want InvalidParameter", bad, err)
		}
	}
	if _, err := (params{"AssetRefreshConfigs.1": "x"}).objects("AssetRefreshConfigs"); err == nil {
		t.Error("a value where objects are expected was accepted")
	}
}

// tencentCall signs a Tencent Cloud API call with the root key, for setting up sub-users in tests.
func tencentCall(t *testing.T, endpoint, id, secret, service, version, action string, in any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", version)
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	tcloud.Sign(req, body, id, secret, service, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Response map[string]any }
	json.NewDecoder(resp.Body).Decode(&out)
	if e, ok := out.Response["Error"]; ok {
		t.Fatalf("%s %s: %v", service, action, e)
	}
	return out.Response
}

// subUserKey creates a Tencent sub-user holding the given preset policies and returns its key.
func subUserKey(t *testing.T, tc *tcloud.Server, endpoint string, name string, policyIDs ...float64) (string, string) {
	t.Helper()
	rid, rkey := tc.RootKey()
	u := tencentCall(t, endpoint, rid, rkey, "cam", "2019-01-16", "AddUser", map[string]any{"Name": name, "UseApi": 1, "ConsoleLogin": 0})
	for _, p := range policyIDs {
		tencentCall(t, endpoint, rid, rkey, "cam", "2019-01-16", "AttachUserPolicy", map[string]any{"PolicyId": p, "AttachUin": u["Uin"]})
	}
	return u["SecretId"].(string), u["SecretKey"].(string)
}

func TestAKeyWithoutAModulesPermissionShowsAPerModuleErrorAfterValidation(t *testing.T) {
	emu, hs, tc, tcURL := newTestServer(t)
	id, key := subUserKey(t, tc, tcURL, "sas-vpc-only", 186457) // QcloudVPCReadOnlyAccess: no cvm:DescribeInstances
	q := url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id}, "SecretKey": {key},
		"AuthModules.1": {"HOST"}, "AuthModules.2": {"CSPM"}}
	a := acs3(t, hs.URL, "AddCloudVendorAccountAK", q, testKeyID, testSecret, time.Now(), nonce())
	data, _ := a.Body["Data"].(map[string]any)
	if a.Status != 200 || data["ServiceStatus"] != float64(statusValidating) || strings.Contains(data["SecretId"].(string), id[8:]) {
		t.Fatalf("add: %+v", a)
	}
	var acct CloudAccount
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		acct = emu.State().Accounts[0].Sites[SiteOutside].CloudAccounts[0]
		if acct.ServiceStatus != statusValidating {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if acct.ServiceStatus != statusError || acct.Modules[0].Status != statusError || acct.Modules[1].Status != statusNormal ||
		!strings.Contains(acct.Modules[0].Message, "ak_permission_error: cvm:DescribeInstances: AuthFailure.UnauthorizedOperation") ||
		acct.VendorUID != "100000000001" {
		t.Fatalf("after validation: %+v", acct)
	}
}

func TestTheInspectionEndpointShowsStateWithoutSecrets(t *testing.T) {
	_, hs, tc, tcURL := newTestServer(t)
	id, key := subUserKey(t, tc, tcURL, "sas", 243334)
	acs3(t, hs.URL, "AddCloudVendorAccountAK", url.Values{"Vendor": {"Tencent"}, "AkType": {"sub"}, "SecretId": {id}, "SecretKey": {key}, "AuthModules.1": {"HOST"}}, testKeyID, testSecret, time.Now(), nonce())
	resp, err := http.Get(hs.URL + InspectPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(raw), key) || strings.Contains(string(raw), id) {
		t.Fatalf("the inspection endpoint shows a Tencent secret or the full SecretId: %s", raw)
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil || len(st.Accounts) != 1 || len(st.Accounts[0].Sites[SiteOutside].CloudAccounts) != 1 {
		t.Fatalf("state: %s (%v)", raw, err)
	}
}

func FuzzParams(f *testing.F) {
	f.Add("AuthModules.1=HOST&AuthModules.2=CSPM&AssetRefreshConfigs.1.Vendor=3")
	f.Add("AuthModules.3=x&AuthModules.1=y")
	f.Add("a.b.c.d=1&a.1.=2&%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, apiErr := decodeParams(q)
		if apiErr != nil {
			return
		}
		for k := range p {
			root, _, _ := strings.Cut(k, ".")
			if l, err := p.list(root); err == nil {
				for i, v := range l {
					if p[root+"."+strconv.Itoa(i+1)] != v {
						t.Fatalf("list %s lost element %d", root, i+1)
					}
				}
			}
			if objs, err := p.objects(root); err == nil {
				for _, o := range objs {
					if len(o) == 0 {
						t.Fatalf("objects %s has an empty element", root)
					}
				}
			}
			p.int(k, false)
			p.bool(k)
			p.jsonObject(k)
		}
	})
}

func FuzzSignatureVerifier(f *testing.F) {
	f.Add("ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorTestKey,SignedHeaders=host;x-acs-date,Signature=00", "Lang=en", "2023-11-14T22:13:20Z", "n1")
	f.Add("ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=", "", "", "")
	f.Add("", "Action=DescribeVendorList&Signature=x&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=LTAI5tEmulatorTestKey&Timestamp=2023-11-14T22:13:20Z&SignatureNonce=1&Version=2018-12-03", "", "")
	emu := New(Options{})
	defer emu.Close()
	emu.AddAccessKey("1", testKeyID, testSecret)
	f.Fuzz(func(t *testing.T, auth, query, date, nonce string) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", auth)
		req.Header.Set("x-acs-date", date)
		req.Header.Set("x-acs-signature-nonce", nonce)
		req.Header.Set("x-acs-action", "DescribeVendorList")
		req.Header.Set("x-acs-version", Version)
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		if w.Code == 200 {
			t.Fatalf("a request without a valid signature was served: %q %q", auth, query)
		}
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["Code"] == "" || body["RequestId"] == "" {
			t.Fatalf("not an Alibaba error body: %s", w.Body)
		}
	})
}
