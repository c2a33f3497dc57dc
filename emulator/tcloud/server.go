// Package tcloud emulates the Tencent Cloud API for tests, benchmarks and the sandbox: it verifies
// TC3-HMAC-SHA256 signatures exactly, answers with the real envelopes and error codes (HTTP 200 with
// Response.Error), keeps state, and evaluates CAM policies for sub-user keys.
//
// It must not import the Tencent SDK nor any package of this project but policy.
package tcloud

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"onboard/policy"
)

// Options configure a Server.
type Options struct {
	OwnerUIN       uint64 // the root account; default 100000000001
	AppID          uint64
	RootSecretID   string // the root key; generated when empty
	RootSecretKey  string
	Now            func() time.Time
	WithoutPresets []string // preset policy names not to seed, e.g. CloudResourceReadOnlyAccess
	// Latency is added to every call before it is answered (nil: none); it may vary per call (jitter).
	Latency func() time.Duration
	// RateLimits throttle calls per action with RequestLimitExceeded; the zero value is off.
	RateLimits RateLimits
	// RefuseActiveKeyDeletion makes DeleteAccessKey refuse a sub-user's active key (disable it first), one
	// reading of what CAM's documentation leaves open; off, such a key is deleted.
	RefuseActiveKeyDeletion bool
	// DeleteActiveRootKey plays the other reading for the root account's key: the console deletes a
	// root key only once it is disabled, and CAM's API page (https://www.tencentcloud.com/document/api/598/52593)
	// states no rule; off (the default) refuses an active root key as the console does, on deletes it.
	DeleteActiveRootKey bool
	// Propagation is how long a new key, a new attachment or a policy update takes to reach the
	// services (CAM's cache, see propagation.go); 0 applies them at once.
	Propagation time.Duration
	// TunnelIdleTimeout closes a CONNECT tunnel that carries no request for that long; default
	// DefaultTunnelIdleTimeout.
	TunnelIdleTimeout time.Duration
	// UnsignedPayload plays one reading of a point the signing page is silent on: whether the service
	// accepts X-TC-Content-SHA256: UNSIGNED-PAYLOAD, which the official SDKs send when their profile's
	// UnsignedPayload is set. Default UnsignedAccepted, as the SDKs assume.
	UnsignedPayload UnsignedPayload
	// SubUserARN is the form of a sub-user's Arn in STS GetCallerIdentity; default ARNAsInExample.
	SubUserARN ARNForm
	// RefuseUnknownServices plays the strict reading of CreatePolicy: an action of a service the
	// catalogue of known actions does not hold is refused with InvalidParameter.ActionServiceNotExist.
	// By default such actions are accepted, as CAM accepts services the catalogue does not hold (its own
	// CreatePolicy example grants "name/cos:*": https://www.tencentcloud.com/document/product/598/32248).
	RefuseUnknownServices bool
}

// DefaultTunnelIdleTimeout is how long a CONNECT tunnel may stay idle: longer than any SDK keeps an idle
// connection, shorter than a forgotten one may pile up.
const DefaultTunnelIdleTimeout = 2 * time.Minute

// UnsignedPayload says whether a request may leave its body out of the TC3 signature.
type UnsignedPayload int

const (
	UnsignedAccepted UnsignedPayload = iota // the body hash is that of "UNSIGNED-PAYLOAD"
	UnsignedRefused                         // the body is always hashed: such a request fails its signature
)

// ARNForm is how GetCallerIdentity writes a sub-user's Arn. The API page's example
// (https://www.tencentcloud.com/document/api/598/45494, Chinese https://cloud.tencent.com/document/api/1312/66098)
// shows qcs::cam:<owner>:uin/<sub>, while CAM's resource descriptions write a user as
// qcs::cam::uin/<owner>:uin/<sub> (policy syntax, https://cloud.tencent.com/document/product/598/10603). Both are
// played; the tool reads AccountId and UserId, never the Arn.
type ARNForm int

const (
	ARNAsInExample  ARNForm = iota // qcs::cam:<owner>:uin/<sub>
	ARNAsInResource                // qcs::cam::uin/<owner>:uin/<sub>
)

// Server is the emulated Tencent Cloud API. It is an http.Handler.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	tunnelIdle time.Duration
	owner      uint64
	appID      uint64
	users      map[string]*user // by name; the root is not here
	root       *user
	keys       map[string]*accessKey
	sessions   map[string]*accessKey // temporary keys issued by STS, by SecretId
	unsigned   UnsignedPayload
	subUserARN ARNForm
	policies   map[uint64]*camPolicy
	nextID     uint64
	calls      []Call
	changes    int // calls that changed the account (Changes)
	faults     []*FaultRule
	latency    func() time.Duration
	regions    []string
	cvm        map[string][]cvmInstance
	lighthouse map[string][]lighthouseInstance
	vpcs       map[string][]vpcItem
	subnets    map[string][]subnetItem
	sgs        map[string][]securityGroupItem
	disks      map[string][]cbsDisk
	clbs       map[string][]clbLoadBalancer
	cdbs       map[string][]cdbInstance
	logs       *logState     // CLS per region, CloudAudit tracking sets
	waf        *wafState     // WAF instances, domains and CLS delivery flows (waf.go)
	cfw        []cfwInstance // Cloud Firewall instances (cfw.go)
	tat        *tatState     // TAT agents, commands and tasks (tat.go)
	encoded    map[string]*encodedItems
	limits     *limiters
	routes     map[string]service
	// refuseActiveKeyDeletion: see Options.RefuseActiveKeyDeletion.
	refuseActiveKeyDeletion bool
	// deleteActiveRootKey: see Options.DeleteActiveRootKey.
	deleteActiveRootKey bool
	// propagation delays new keys and grants as CAM's cache does (propagation.go).
	propagation time.Duration
	// refuseUnknownServices: see Options.RefuseUnknownServices.
	refuseUnknownServices bool
	// org is the account's organization (organization.go).
	org orgLink
}

type user struct {
	uin, uid     uint64
	name, remark string
	console      int
	created      time.Time
	attached     []attachment
}

type attachment struct {
	policyID uint64
	at       time.Time
	// appliesAt is when the services first see the grant (propagation.go); zero: at once.
	appliesAt time.Time
}

type accessKey struct {
	id, secret, status, description string
	owner                           *user
	created                         time.Time
	lastUsed                        time.Time // the last call it signed (GetSecurityLastUsed)
	// usableAt is when the services first accept the key (propagation.go); zero: at once.
	usableAt time.Time
	// Temporary keys only: the token that must travel with the key, when it stops working, and the
	// federated session whose policy bounds what the owner's permissions allow.
	token   string
	expires time.Time
	session *federation
	role    *roleSession // AssumeRole's sessions (organization.go)
}

// federation is a GetFederationToken session.
type federation struct {
	name   string
	policy *policy.Document
}

type camPolicy struct {
	id                uint64
	name, description string
	document          string
	parsed            *policy.Document
	preset            bool
	created, updated  time.Time
	// earlier is the document the services still apply until earlierUntil, after an update
	// (propagation.go).
	earlier      *policy.Document
	earlierUntil time.Time
}

// Call is one API call as the emulator saw it, for tests.
type Call struct {
	Service, Action, Region, SecretID string
	Code                              string // the error code, "" on success
	Mutating                          bool
	Start                             time.Time // when the request arrived, before any latency
	Time                              time.Time // when it was answered
}

// New returns an emulator with one account, its root key, and the preset policies.
func New(o Options) *Server {
	if o.OwnerUIN == 0 {
		o.OwnerUIN = 100000000001
	}
	if o.AppID == 0 {
		o.AppID = 1250000001
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RootSecretID == "" {
		o.RootSecretID, o.RootSecretKey = "AKID"+randomString(32), randomString(32)
	}
	if o.TunnelIdleTimeout <= 0 {
		o.TunnelIdleTimeout = DefaultTunnelIdleTimeout
	}
	s := &Server{now: o.Now, owner: o.OwnerUIN, appID: o.AppID, tunnelIdle: o.TunnelIdleTimeout, users: map[string]*user{}, keys: map[string]*accessKey{},
		sessions: map[string]*accessKey{}, unsigned: o.UnsignedPayload, subUserARN: o.SubUserARN,
		policies: map[uint64]*camPolicy{}, nextID: 1000, latency: o.Latency,
		regions: []string{"ap-guangzhou"}, cvm: map[string][]cvmInstance{}, lighthouse: map[string][]lighthouseInstance{},
		vpcs: map[string][]vpcItem{}, subnets: map[string][]subnetItem{}, sgs: map[string][]securityGroupItem{}, logs: newLogState(), waf: &wafState{},
		disks: map[string][]cbsDisk{}, clbs: map[string][]clbLoadBalancer{}, cdbs: map[string][]cdbInstance{},
		limits: &limiters{cfg: o.RateLimits, m: map[string]*rate.Limiter{}}, refuseActiveKeyDeletion: o.RefuseActiveKeyDeletion, deleteActiveRootKey: o.DeleteActiveRootKey, propagation: o.Propagation}
	s.refuseUnknownServices = o.RefuseUnknownServices
	s.tat = newTATState()
	s.root = &user{uin: o.OwnerUIN, uid: 1, name: "root", created: o.Now()}
	s.keys[o.RootSecretID] = &accessKey{id: o.RootSecretID, secret: o.RootSecretKey, status: "Active", owner: s.root, created: o.Now()}
	s.seedPresets(o.WithoutPresets)
	s.routes = s.buildRoutes()
	s.addOrganizationRoutes()
	return s
}

// RootKey returns the root account's key pair.
func (s *Server) RootKey() (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.owner == s.root {
			return k.id, k.secret
		}
	}
	return "", ""
}

// OwnerUIN is the root account's UIN.
func (s *Server) OwnerUIN() uint64 { return s.owner }

// Calls returns the calls served so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls forgets the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// apiError is an error answered in the envelope.
type apiError struct{ Code, Message string }

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// request is one authenticated call on its way to a handler.
type request struct {
	service, action, region string
	caller                  *user
	key                     *accessKey
	body                    []byte
	query                   url.Values // a GET's parameters, typed by decode from the fields they fill
}

type handler struct {
	fn       func(*request) (any, *apiError)
	mutating bool
	resource func(*request) string // the CAM resource; nil means "*"
	public   bool                  // allowed to every valid key, as STS GetCallerIdentity is
}

type service struct {
	version string
	actions map[string]handler
	// regionRequired: the service's actions document Region as a required common parameter.
	regionRequired bool
}

// ServeHTTP answers every request with HTTP 200 and the Tencent envelope, as the service does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		s.serveTunnel(w)
		return
	}
	if s.forward(w, r) {
		return // signed by another account of the organization
	}
	requestID, start := newRequestID(), s.now()
	if r.URL.Path == "/_emulator/calls" && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Calls())
		return
	}
	if r.URL.Path == InspectPath && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.State())
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return
	}
	if s.latency != nil {
		select {
		case <-time.After(s.latency()):
		case <-r.Context().Done():
			return
		}
	}
	// Parsed once: faults match by the service it names, and serve verifies it.
	auth, authErr := parseAuthorization(r.Header.Get("Authorization"))
	service := ""
	if authErr == nil {
		service = auth.service
	}
	f := s.takeFault(service, r.Header.Get("X-TC-Action"), r.Header.Get("X-TC-Region"))
	if f != nil && f.Fault == FaultLost {
		_, call, apiErr := s.serve(r, body, auth, authErr)
		call.Start, call.Time = start, s.now()
		if apiErr != nil {
			call.Code = apiErr.Code
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		f.then()
		applyFault(w, r, &FaultRule{Fault: FaultDrop})
		return
	}
	if f != nil && f.Fault != FaultDelay {
		f.then()
		s.mu.Lock()
		s.calls = append(s.calls, Call{Service: service, Action: r.Header.Get("X-TC-Action"), Code: f.Fault, Start: start, Time: s.now()})
		s.mu.Unlock()
		if applyFault(w, r, f) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{
			"Error": map[string]string{"Code": f.Fault, "Message": "injected fault"}, "RequestId": requestID}})
		return
	} else if f != nil {
		f.then()
		applyFault(w, r, f) // a delay: the call is then served normally
	}
	result, call, apiErr := s.serve(r, body, auth, authErr)
	call.Start, call.Time = start, s.now()
	if apiErr != nil {
		call.Code = apiErr.Code
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	if call.Mutating && apiErr == nil {
		s.changes++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	var out map[string]any
	switch m, isMap := result.(map[string]any); {
	case apiErr != nil:
		out = map[string]any{"Error": map[string]string{"Code": apiErr.Code, "Message": apiErr.Message}}
	case isMap:
		out = m // the usual case: no need to round-trip it through JSON
	default:
		data, _ := json.Marshal(result)
		out = map[string]any{}
		json.Unmarshal(data, &out)
	}
	out["RequestId"] = requestID
	writeResponse(w, out)
}

// writeResponse writes {"Response": out} as json.Encoder would (keys sorted, HTML escaped, a final
// newline), but copies the cached items of a listing (encoded.go) as they are: an Encoder would compact
// and check each one again, which was most of the emulator's CPU in a large sync.
func writeResponse(w http.ResponseWriter, out map[string]any) {
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteString(`{"Response":{`)
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		if items, ok := out[k].([]json.RawMessage); ok && items != nil {
			buf.WriteByte('[')
			for j, it := range items {
				if j > 0 {
					buf.WriteByte(',')
				}
				buf.Write(it)
			}
			buf.WriteByte(']')
			continue
		}
		value, err := json.Marshal(out[k])
		if err != nil {
			value = []byte("null")
		}
		buf.Write(value)
	}
	buf.WriteString("}}\n")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

func (s *Server) serve(r *http.Request, body []byte, auth authorization, authErr error) (any, Call, *apiError) {
	action := r.Header.Get("X-TC-Action")
	call := Call{Action: action, Region: r.Header.Get("X-TC-Region")}
	if authErr != nil {
		return nil, call, errorf("AuthFailure.InvalidAuthorization", "the Authorization header is malformed")
	}
	call.Service, call.SecretID = auth.service, auth.secretID
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		return nil, call, errorf("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing or not a number")
	}
	if d := s.now().Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return nil, call, errorf("AuthFailure.SignatureExpire", "the signature expired: the request time is more than 5 minutes from the server time")
	}
	// The date of the credential scope is the UTC date of X-TC-Timestamp
	// (https://www.tencentcloud.com/document/api/213/33224, step 2: "Date ... must be consistent with the
	// UTC date converted from X-TC-Timestamp"); the page names no code of its own for a mismatch.
	if date := time.Unix(ts, 0).UTC().Format("2006-01-02"); auth.date != date {
		return nil, call, errorf("AuthFailure.SignatureFailure", "the date %q of the credential scope is not the UTC date %s of X-TC-Timestamp", auth.date, date)
	}
	// content-type and host are mandatory signed headers (same page, step 1: SignedHeaders); an
	// Authorization without them does not conform (common error AuthFailure.InvalidAuthorization,
	// https://www.tencentcloud.com/document/product/598/32228).
	if !auth.signsRequiredHeaders() {
		return nil, call, errorf("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host")
	}
	s.mu.Lock()
	key, ok := s.keys[auth.secretID]
	if !ok {
		key, ok = s.sessions[auth.secretID]
	}
	var keyCopy accessKey
	if ok {
		keyCopy = *key
	}
	s.mu.Unlock()
	if !ok || keyCopy.status != "Active" {
		return nil, call, errorf("AuthFailure.SecretIdNotFound", "the SecretId does not exist, or it was deleted or disabled")
	}
	if keyCopy.pending(s.now()) {
		return nil, call, errorf("AuthFailure.SecretIdNotFound", "the SecretId does not exist yet for this service: a new key takes effect once CAM's cache expires")
	}
	if apiErr := s.checkToken(&keyCopy, r.Header.Get("X-TC-Token")); apiErr != nil {
		return nil, call, apiErr
	}
	if !auth.verify(r, body, keyCopy.secret, s.unsigned == UnsignedAccepted) {
		return nil, call, errorf("AuthFailure.SignatureFailure", "the request signature does not match")
	}
	if !s.limits.allow(fmt.Sprint(s.owner), auth.service, action, call.Region) {
		return nil, call, errorf("RequestLimitExceeded", "the request rate of %s:%s exceeds its limit", auth.service, action)
	}
	svc, ok := s.routes[auth.service]
	if !ok {
		return nil, call, errorf("InvalidAction", "service %q is not supported", auth.service)
	}
	h, ok := svc.actions[action]
	if !ok {
		return nil, call, errorf("InvalidAction", "the action %s of %s does not exist", action, auth.service)
	}
	call.Mutating = h.mutating
	if v := r.Header.Get("X-TC-Version"); v != svc.version {
		return nil, call, errorf("NoSuchVersion", "version %q of %s does not exist; use %s", v, auth.service, svc.version)
	}
	if svc.regionRequired && call.Region == "" {
		return nil, call, errorf("MissingParameter", "the request is missing the required parameter Region (X-TC-Region)")
	}
	req := &request{service: auth.service, action: action, region: call.Region, caller: key.owner, key: key, body: body}
	if r.Method == http.MethodGet {
		req.body, req.query = queryBody(r), r.URL.Query()
	}
	if len(bytes.TrimSpace(req.body)) == 0 {
		req.body = []byte("{}")
	}
	if !h.public {
		resource := "*"
		if h.resource != nil {
			resource = h.resource(req)
		}
		if denied := s.authorizeKey(key, auth.service+":"+action, resource, s.conditionContext(r)); denied != nil {
			return nil, call, denied
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key.lastUsed = s.now()
	result, apiErr := h.fn(req)
	return result, call, apiErr
}

// authorizeKey decides one call of a key: a root key may do everything; a sub-user's key what its
// attached policies allow; a temporary key what its owner may do and its session policy allows
// (GetFederationToken: "the permissions are the intersection of the caller's and Policy's",
// https://www.tencentcloud.com/document/api/598/35838).
func (s *Server) authorizeKey(k *accessKey, action, resource string, conditions map[string][]string) *apiError {
	if k.owner != s.root {
		if denied := s.authorize(k.owner, action, resource, conditions); denied != nil {
			return denied
		}
	}
	if k.session != nil && !policy.Evaluate([]*policy.Document{k.session.policy}, policy.Request{Action: action, Resource: resource, Context: conditions}).Allowed {
		return errorf("AuthFailure.UnauthorizedOperation", "the session policy of federated user %s does not allow operation (%s), resource (%s)", k.session.name, action, resource)
	}
	return nil
}

// queryBody is a GET request's top-level parameters as a JSON object of strings, for the CAM resource of
// a call (a logset or topic ID); decode rebuilds the typed body from the query itself (queryJSON).
func queryBody(r *http.Request) []byte {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	data, _ := json.Marshal(params)
	return data
}

// conditionContext is the request context policy conditions are decided on: the two general condition
// keys that every request carries, qcs:ip (the caller's address) and qcs:current_time (the time the
// request is received, ISO 8601 in UTC), as "Condition Keys and Condition Operators" describes them
// (https://www.tencentcloud.com/document/product/598/58420).
func (s *Server) conditionContext(r *http.Request) map[string][]string {
	ctx := map[string][]string{"qcs:current_time": {s.now().UTC().Format(time.RFC3339)}}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ctx["qcs:ip"] = []string{host}
	}
	return ctx
}

// authorize evaluates the sub-user's attached policies for one action on one resource.
func (s *Server) authorize(u *user, action, resource string, conditions map[string][]string) *apiError {
	s.mu.Lock()
	var docs []*policy.Document
	now := s.now()
	for _, a := range u.attached {
		if now.Before(a.appliesAt) {
			continue // CAM's cache does not know the grant yet
		}
		if p := s.policies[a.policyID]; p != nil {
			if doc := p.effective(now); doc != nil {
				docs = append(docs, doc)
			}
		}
	}
	s.mu.Unlock()
	d := policy.Evaluate(docs, policy.Request{Action: action, Resource: resource, Context: conditions})
	if d.Allowed {
		return nil
	}
	return errorf("AuthFailure.UnauthorizedOperation", "you are not authorized to perform operation (%s), resource (%s) has no permission", action, resource)
}

// decode reads the request body into v strictly: an unknown field, a wrong type or a missing required
// field is refused with the service's code.
func decode(r *request, v any, required ...string) *apiError {
	body := r.body
	if r.query != nil {
		var apiErr *apiError
		if body, apiErr = queryJSON(r.query, reflect.TypeOf(v).Elem()); apiErr != nil {
			return apiErr
		}
	} else if err := StrictJSON(body); err != nil {
		// A malformed body (duplicate members, data after the value) answers InvalidParameter, the
		// common code for bad input: https://www.tencentcloud.com/document/api/213/15694
		return errorf("InvalidParameter", "the request body is not valid JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return errorf("InvalidParameter", "parameter %s must be of type %s", typeErr.Field, typeErr.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return errorf("UnknownParameter", "unknown parameter %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return errorf("InvalidParameter", "the request body is not valid JSON")
		}
	}
	rv := reflect.ValueOf(v).Elem()
	for _, name := range required {
		f := rv.FieldByName(name)
		if !f.IsValid() || f.IsNil() {
			return errorf("MissingParameter", "the parameter %s is required", name)
		}
	}
	return nil
}

func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomString(n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}
