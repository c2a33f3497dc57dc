// Package sas emulates the multi-cloud part of Alibaba Cloud Security Center's API (product sas, version
// 2018-12-03) for tests, benchmarks and the sandbox. It verifies request signatures as the service does
// (ACS3-HMAC-SHA256, and HMAC-SHA1 signature version 1.0 for GET queries and POST forms), refuses replayed
// nonces and skewed clocks, answers with Alibaba Cloud's error bodies and HTTP statuses, and keeps state per
// Alibaba Cloud account and site. A submitted Tencent Cloud key is checked against the Tencent Cloud
// emulator over HTTP, as the service checks it against Tencent Cloud, and asset refreshes list with it.
//
// It must not import any cloud SDK nor any package of this project outside the emulator.
package sas

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Version is the API version the emulator serves.
const Version = "2018-12-03"

// Site is one of Security Center's two sites; each holds its own accounts and settings.
type Site string

const (
	SiteMainland Site = "mainland" // tds.cn-shanghai.aliyuncs.com
	SiteOutside  Site = "outside"  // tds.ap-southeast-1.aliyuncs.com
)

// siteHosts are the sites' public endpoints: a request whose Host names one (through a proxy) is served
// by that site.
var siteHosts = map[string]Site{
	"tds.cn-shanghai.aliyuncs.com":    SiteMainland,
	"tds.ap-southeast-1.aliyuncs.com": SiteOutside,
}

// Options configure a Server.
type Options struct {
	// TencentEndpoint is the Tencent Cloud API the submitted keys are checked against, e.g. the Tencent
	// emulator's http://127.0.0.1:PORT. Empty: every check fails as unreachable.
	TencentEndpoint string
	// TencentRegion is the region of the per-module read checks; default ap-guangzhou.
	TencentRegion string
	// DefaultSite serves requests whose Host is not a site's public endpoint (a loopback address);
	// default SiteOutside.
	DefaultSite Site
	Now         func() time.Time
	HTTPClient  *http.Client // for the calls to Tencent Cloud
	// Latency is added to every call before it is handled (nil: none); it may vary per call (jitter).
	Latency func() time.Duration
	// DeniedActions are answered 403 NoPermission for every key, as RAM answers a key whose policies lack
	// "yundun-sas:<Action>" (https://www.alibabacloud.com/help/en/ram/support/how-to-troubleshoot-an-access-denied-error).
	DeniedActions []string
	// WithoutActions are answered as actions the gateway does not know (a site that does not offer them).
	WithoutActions []string
	// UnknownActionCode is the gateway's code for an unknown action: InvalidApi.NotFound (the default) or
	// InvalidAction.NotFound. Public answers show both; the docs do not say which this product's gateway
	// gives, so the tool must read both alike.
	UnknownActionCode string
	// TencentVendorName is Tencent Cloud's entry of DescribeVendorList, "Tencent" by default; the docs
	// also spell it "TENCENT" (docs/facts/agent-install.md), and the tool must work with either.
	TencentVendorName string
}

// Server is the emulated Security Center API. It is an http.Handler; Site returns a handler bound to one
// site over the same state.
type Server struct {
	opts   Options
	tc     *tencentCaller
	ctx    context.Context // cancelled by Close: ends the background checks
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	keys     map[string]*accessKey
	accounts map[string]*account // by Alibaba Cloud account UID
	nonces   map[string]time.Time
	nextAuth int64
	calls    []Call
	changes  int // successful calls of actions that change something (Changes)
	faults   []*FaultRule
	// refusedAgents are instances whose agent called home with a code no account holds.
	refusedAgents []string
}

type accessKey struct {
	id, secret string
	accountUID string
	active     bool
	token      string // temporary (STS) keys only: the security token that must travel with the key
}

// account is one Alibaba Cloud account's Security Center, on both sites.
type account struct {
	uid   string
	sites map[Site]*siteState
}

// Call is one request as the emulator saw it, for tests.
type Call struct {
	Action      string
	AccessKeyID string
	Site        Site
	Signature   string // ACS3-HMAC-SHA256 or HMAC-SHA1
	Method      string
	Status      int
	Mutating    bool      // the action changes what Security Center holds (mutatingActions)
	Code        string    // the error code, "" on success
	Time        time.Time // when the request arrived, before any latency
	End         time.Time // when it was answered
}

// New returns an emulator with no Alibaba Cloud account; AddAccessKey creates them.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultSite == "" {
		o.DefaultSite = SiteOutside
	}
	if o.UnknownActionCode == "" {
		o.UnknownActionCode = "InvalidApi.NotFound"
	}
	if o.TencentRegion == "" {
		o.TencentRegion = "ap-guangzhou"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: o, tc: &tencentCaller{endpoint: o.TencentEndpoint, client: o.HTTPClient, now: o.Now},
		ctx: ctx, cancel: cancel, keys: map[string]*accessKey{}, accounts: map[string]*account{},
		nonces: map[string]time.Time{}, nextAuth: 2158}
}

// Close ends the background checks and waits for them.
func (s *Server) Close() {
	s.cancel()
	s.wg.Wait()
}

// AddAccessKey gives the Alibaba Cloud account accountUID (created on first use) an active AccessKey.
func (s *Server) AddAccessKey(accountUID, id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[accountUID] == nil {
		s.accounts[accountUID] = &account{uid: accountUID, sites: map[Site]*siteState{
			SiteMainland: newSiteState(), SiteOutside: newSiteState()}}
	}
	s.keys[id] = &accessKey{id: id, secret: secret, accountUID: accountUID, active: true}
}

// AddTemporaryAccessKey gives the account of the AccessKey parentID a temporary (STS) AccessKey, which
// works only with its security token, as STS AssumeRole issues them. Their ids start with "STS."
// (https://www.alibabacloud.com/help/en/oss/support/0002-00000004 shows one).
func (s *Server) AddTemporaryAccessKey(parentID, id, secret, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := s.keys[parentID]
	if parent == nil {
		return fmt.Errorf("no AccessKey %s to derive a temporary key from", parentID)
	}
	s.keys[id] = &accessKey{id: id, secret: secret, accountUID: parent.accountUID, active: true, token: token}
	return nil
}

// checkToken applies the rules of temporary keys: a temporary key needs its security token
// ("MissingSecurityToken: SecurityToken is mandatory for this action",
// https://www.alibabacloud.com/help/doc-detail/42775.htm),
// and the token must be the key's own. Neither Alibaba page documents the code for a token that does
// not match, nor for a token sent with a long-term key: InvalidSecurityToken.MismatchWithAccessKey here.
func checkToken(k *accessKey, token string) *apiError {
	switch {
	case k.token != "" && token == "":
		return errorf(400, "MissingSecurityToken", "SecurityToken is mandatory for this action.")
	case token != k.token:
		return errorf(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
	}
	return nil
}

// SetAccessKeyActive enables or disables an AccessKey.
func (s *Server) SetAccessKeyActive(id string, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[id]; k != nil {
		k.active = active
	}
}

// Calls returns the requests served so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls forgets the calls answered so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Site returns a handler that serves every request as the given site, whatever its Host.
func (s *Server) Site(site Site) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, site) })
}

// InspectPath is the emulator's own read-only view of what it holds, outside the API and unsigned.
const InspectPath = "/_emulator/security-center/state"

// ServeHTTP serves the site named by the Host header, or the default site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	site, ok := siteHosts[strings.ToLower(host)]
	if !ok {
		site = s.opts.DefaultSite
	}
	s.serve(w, r, site)
}

// apiError is an error answered with Alibaba Cloud's error body and an HTTP status.
type apiError struct {
	Status        int
	Code, Message string
	authAction    string // a RAM denial's AccessDeniedDetail.AuthAction
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// request is one authenticated call on its way to a handler.
type request struct {
	action  string
	site    Site
	account *account
	state   *siteState // the caller's Security Center on this site
	params  params
}

// handler runs an action; it takes s.mu itself, since some actions call Tencent Cloud first.
type handler func(s *Server, r *request) (map[string]any, *apiError)

func (s *Server) serve(w http.ResponseWriter, r *http.Request, site Site) {
	if r.URL.Path == InspectPath {
		if r.Method != http.MethodGet {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.State())
		return
	}
	requestID := newRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	call := Call{Site: site, Method: r.Method, Time: s.opts.Now()}
	if s.opts.Latency != nil {
		select {
		case <-time.After(s.opts.Latency()):
		case <-r.Context().Done():
			return
		}
	}
	result, apiErr := s.handle(r, body, site, &call)
	if apiErr != nil && apiErr.Status == 0 {
		// An injected fault below HTTP: a dropped connection, a lost answer or a bare status.
		call.Code = apiErr.Code
		s.record(call)
		applyFault(w, apiErr.Code)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if apiErr != nil {
		call.Code, call.Status = apiErr.Code, apiErr.Status
		s.record(call)
		w.WriteHeader(apiErr.Status)
		body := map[string]any{"RequestId": requestID, "HostId": r.Host, "Code": apiErr.Code,
			"Message": apiErr.Message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(apiErr.Code)}
		if apiErr.authAction != "" {
			body["AccessDeniedDetail"] = map[string]any{"AuthAction": apiErr.authAction, "NoPermissionType": "ImplicitDeny",
				"PolicyType": "AccountLevelIdentityBasedPolicy", "AuthPrincipalType": "SubUser"}
		}
		json.NewEncoder(w).Encode(body)
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	if !readAction(call.Action) {
		s.mu.Lock()
		s.changes++
		s.mu.Unlock()
	}
	result["RequestId"] = requestID
	json.NewEncoder(w).Encode(result)
}

func (s *Server) record(c Call) {
	c.End = s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// handle authenticates the request, decodes its parameters and runs its action.
func (s *Server) handle(r *http.Request, body []byte, site Site, call *Call) (map[string]any, *apiError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, errorf(405, "UnsupportedHTTPMethod", "the HTTP method %s is not supported", r.Method)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(400, "InvalidParameter", "the query string is not valid URL encoding")
	}
	// An RPC action takes its parameters from the query or from a form body
	// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature): ACS3
	// signs the body through x-acs-content-sha256, the legacy signature signs body parameters with the query
	// ones (https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
	sets := []url.Values{query}
	if len(body) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "application/x-www-form-urlencoded" {
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, errorf(400, "InvalidParameter", "the form body is not valid URL encoding")
			}
			sets = append(sets, form)
		}
	}
	p, apiErr := decodeParams(sets...)
	if apiErr != nil {
		return nil, apiErr
	}
	var key *accessKey
	var action, version string
	if strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-") {
		call.Signature = acs3Algorithm
		action, version = r.Header.Get("x-acs-action"), r.Header.Get("x-acs-version")
		key, apiErr = s.verifyACS3(r, query, body, call)
	} else {
		call.Signature = "HMAC-SHA1"
		action, version = p["Action"], p["Version"]
		key, apiErr = s.verifyV1(r.Method, p, call)
	}
	call.Action, call.Mutating = action, mutatingActions[action]
	if apiErr != nil {
		return nil, apiErr
	}
	h, ok := actions[action]
	if !ok || slices.Contains(s.opts.WithoutActions, action) {
		return nil, errorf(404, s.opts.UnknownActionCode, "Specified api %s is not found, please check your url and method.", action)
	}
	if version != Version {
		return nil, errorf(400, "InvalidVersion", "the specified version %q of the api %s is not valid; use %s", version, action, Version)
	}
	if slices.Contains(s.opts.DeniedActions, action) {
		return nil, &apiError{Status: http.StatusForbidden, Code: "NoPermission",
			Message:    "You are not authorized to do this action. Resource: acs:yundun-sas:*:" + key.accountUID + ":* Action: yundun-sas:" + action,
			authAction: "yundun-sas:" + action}
	}
	// A fault stands for an answer that proves nothing was done (throttling, a server error), so it is
	// taken before the action runs; a lost answer comes after it.
	f := s.takeFault(action)
	if f != nil && f.Fault != FaultLost {
		f.then()
		switch {
		case f.Fault == FaultDelay:
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
			}
		case f.Fault == FaultDrop || httpFault(f.Fault) > 0:
			return nil, &apiError{Code: f.Fault}
		default:
			return nil, faultError(f.Fault)
		}
	}
	s.mu.Lock()
	acct := s.accounts[key.accountUID]
	s.mu.Unlock()
	res, apiErr := h(s, &request{action: action, site: site, account: acct, state: acct.sites[site], params: p})
	if f != nil && f.Fault == FaultLost {
		f.then()
		return nil, &apiError{Code: FaultLost}
	}
	return res, apiErr
}

// lookupKey finds an active key; unknown and disabled keys answer with the service's codes.
func (s *Server) lookupKey(id string) (*accessKey, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[id]
	if k == nil {
		return nil, errorf(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	if !k.active {
		return nil, errorf(400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled.")
	}
	copied := *k
	return &copied, nil
}

// checkTime refuses a timestamp that does not parse or is more than 15 minutes from the clock.
func (s *Server) checkTime(v string) *apiError {
	t, err := time.Parse(timeLayout, v)
	if err != nil {
		return errorf(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted: %q.", v)
	}
	if d := s.opts.Now().Sub(t); d > maxSkew || d < -maxSkew {
		return errorf(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired: %s is more than 15 minutes from the server time.", v)
	}
	return nil
}

func (s *Server) nonceUsed(nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, used := s.nonces[nonce]
	return used
}

// useNonce remembers a nonce of a verified request for the skew window, forgetting older ones.
func (s *Server) useNonce(nonce string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	for n, t := range s.nonces {
		if now.Sub(t) > 2*maxSkew {
			delete(s.nonces, n)
		}
	}
	if _, used := s.nonces[nonce]; used {
		return errorf(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	s.nonces[nonce] = now
	return nil
}

// verifyACS3 checks an ACS3-HMAC-SHA256 request: signed headers rebuilt from the SignedHeaders list, the
// body hash, the date and the nonce.
func (s *Server) verifyACS3(r *http.Request, query map[string][]string, body []byte, call *Call) (*accessKey, *apiError) {
	auth, ok := parseACS3(r.Header.Get("Authorization"))
	if !ok {
		return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: malformed Authorization header.")
	}
	call.AccessKeyID = auth.keyID
	for _, must := range []string{"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"} {
		if !containsString(auth.signedHeaders, must) {
			return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: %s is not signed.", must)
		}
	}
	// A body's content-type is signed with it: the canonical headers are host, content-type and the
	// x-acs-* headers (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
	if len(body) > 0 && r.Header.Get("Content-Type") != "" && !containsString(auth.signedHeaders, "content-type") {
		return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: content-type is not signed.")
	}
	// Every x-acs-* header sent is a canonical header (V3 signature, CanonicalHeaders,
	// https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature; "every
	// common request header but Authorization that is present must be signed",
	// https://help.aliyun.com/document_detail/159972.htm).
	for name := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-acs-") && !containsString(auth.signedHeaders, lower) {
			return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: %s is not signed.", lower)
		}
	}
	key, apiErr := s.lookupKey(auth.keyID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkToken(key, r.Header.Get("x-acs-security-token")); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.checkTime(r.Header.Get("x-acs-date")); apiErr != nil {
		return nil, apiErr
	}
	nonce := r.Header.Get("x-acs-signature-nonce")
	if nonce == "" {
		return nil, errorf(400, "MissingSignatureNonce", "x-acs-signature-nonce is required.")
	}
	if s.nonceUsed(nonce) {
		return nil, errorf(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	bodyHash := sha256Hex(body)
	if r.Header.Get("x-acs-content-sha256") != bodyHash {
		return nil, errorf(400, "SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the request body.")
	}
	canonical := acs3CanonicalRequest(r.Method, r.URL.EscapedPath(), query, r.Header, r.Host, auth.signedHeaders, bodyHash)
	if !hmac.Equal([]byte(acs3Signature(key.secret, canonical)), []byte(auth.signature)) {
		return nil, errorf(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
	}
	if apiErr := s.useNonce(nonce); apiErr != nil {
		return nil, apiErr
	}
	return key, nil
}

// verifyV1 checks an HMAC-SHA1 signature version 1.0 request, whose parameters (query, and form body for
// POST) carry the key, time, nonce and signature.
func (s *Server) verifyV1(method string, p params, call *Call) (*accessKey, *apiError) {
	for _, name := range []string{"Signature", "AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp", "SignatureNonce", "Action", "Version"} {
		if p[name] == "" {
			if name == "Signature" {
				return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: no Authorization header and no Signature parameter.")
			}
			return nil, errorf(400, "Missing"+name, "%s is mandatory for this action.", name)
		}
	}
	call.AccessKeyID = p["AccessKeyId"]
	if p["SignatureMethod"] != "HMAC-SHA1" || p["SignatureVersion"] != "1.0" {
		return nil, errorf(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: SignatureMethod HMAC-SHA1 and SignatureVersion 1.0 are supported.")
	}
	key, apiErr := s.lookupKey(p["AccessKeyId"])
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkToken(key, p["SecurityToken"]); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.checkTime(p["Timestamp"]); apiErr != nil {
		return nil, apiErr
	}
	if s.nonceUsed(p["SignatureNonce"]) {
		return nil, errorf(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	values := url.Values{}
	for k, v := range p {
		values.Set(k, v)
	}
	if !hmac.Equal([]byte(v1Signature(key.secret, v1StringToSign(method, values))), []byte(p["Signature"])) {
		return nil, errorf(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
	}
	if apiErr := s.useNonce(p["SignatureNonce"]); apiErr != nil {
		return nil, apiErr
	}
	return key, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
