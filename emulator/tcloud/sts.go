package tcloud

import (
	"net/url"
	"strconv"
	"time"

	"onboard/policy"
)

// Temporary credentials, as STS GetFederationToken issues them
// (https://www.tencentcloud.com/document/api/598/35838, Chinese https://cloud.tencent.com/document/api/1312/48195).
// The documented examples show temporary SecretIds with the same "AKID" prefix as long-term ones, so the
// emulator tells them apart by its own records, never by their look; only their length differs here.
const (
	federationDefault    = 1800 * time.Second   // DurationSeconds when omitted
	federationMaxRoot    = 7200 * time.Second   // the longest a root account may ask for
	federationMaxSubUser = 129600 * time.Second // the longest a sub-user may ask for
)

// getFederationToken issues a temporary key bounded by Policy and by the caller's own permissions.
func (s *Server) getFederationToken(r *request) (any, *apiError) {
	var in struct {
		Name, Policy    *string
		DurationSeconds *uint64
	}
	if e := decode(r, &in, "Name", "Policy"); e != nil {
		return nil, e
	}
	// "This API only supports calls with permanent keys" (API page); the SDK's code for it.
	if r.key.token != "" {
		return nil, errorf("FailedOperation.TempKeyNotAllowed", "GetFederationToken cannot be called with temporary credentials")
	}
	if *in.Name == "" {
		return nil, errorf("InvalidParameter.ParamError", "Name is empty")
	}
	// Policy is URL-encoded; the service URL-decodes it (API page, parameter Policy).
	text, err := url.QueryUnescape(*in.Policy)
	if err != nil {
		return nil, errorf("InvalidParameter.StrategyFormatError", "Policy is not URL-encoded: %v", err)
	}
	// CAM policy syntax, without a principal element (API page); policy.Parse refuses one outside a
	// role's trust policy.
	doc, err := policy.Parse([]byte(text))
	if err != nil {
		return nil, errorf("InvalidParameter.StrategyFormatError", "Policy: %v", err)
	}
	duration := federationDefault
	if in.DurationSeconds != nil {
		duration = time.Duration(*in.DurationSeconds) * time.Second
	}
	longest := federationMaxSubUser
	if r.caller == s.root {
		longest = federationMaxRoot
	}
	if duration <= 0 || duration > longest {
		return nil, errorf("InvalidParameter.OverTimeError", "DurationSeconds must be between 1 and %d for this caller", int(longest/time.Second))
	}
	now := s.now()
	k := &accessKey{id: "AKID" + randomString(64), secret: randomString(40), status: "Active", owner: r.caller, created: now,
		token: randomString(128), expires: now.Add(duration), session: &federation{name: *in.Name, policy: doc}}
	s.sessions[k.id] = k
	return map[string]any{
		"Credentials": map[string]any{"Token": k.token, "TmpSecretId": k.id, "TmpSecretKey": k.secret},
		"ExpiredTime": k.expires.Unix(),
		"Expiration":  k.expires.UTC().Format("2006-01-02T15:04:05Z"),
	}, nil
}

// checkToken applies the rules of temporary credentials: a temporary key needs its own token, unexpired,
// and a long-term key takes none. The common error codes name one code for all of these,
// AuthFailure.TokenFailure ("Token error", https://www.tencentcloud.com/document/product/598/32228).
func (s *Server) checkToken(k *accessKey, token string) *apiError {
	switch {
	case k.token == "" && token != "":
		return errorf("AuthFailure.TokenFailure", "X-TC-Token was sent with a long-term key, which takes none")
	case k.token == "":
		return nil
	case token == "":
		return errorf("AuthFailure.TokenFailure", "the temporary key was sent without its token (X-TC-Token)")
	case token != k.token:
		return errorf("AuthFailure.TokenFailure", "the token does not belong to this temporary key")
	case !s.now().Before(k.expires):
		return errorf("AuthFailure.TokenFailure", "the temporary credentials expired at %s", k.expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// callerIdentity is GetCallerIdentity's answer (API page and its examples,
// https://www.tencentcloud.com/document/api/598/45494): a federated session answers with the sts Arn and
// "<uin>:<name>" as its UserId; a sub-user's Arn takes the form the server plays.
func (s *Server) callerIdentity(k *accessKey) map[string]any {
	owner := strconv.FormatUint(s.owner, 10)
	uin := strconv.FormatUint(k.owner.uin, 10)
	switch {
	case k.role != nil:
		return s.roleIdentity(k)
	case k.session != nil:
		return map[string]any{"Arn": "qcs::sts:" + owner + ":federated-user/" + uin, "AccountId": owner,
			"UserId": uin + ":" + k.session.name, "PrincipalId": uin, "Type": "CAMUser"}
	case k.owner == s.root:
		// The real answer for a root key is not documented: "Root" with the root ARN, so callers must
		// tell root from sub-user by comparing UserId with AccountId, not by Type alone.
		return map[string]any{"Arn": "qcs::cam::uin/" + owner + ":root", "AccountId": owner, "UserId": owner, "PrincipalId": owner, "Type": "Root"}
	}
	arn := "qcs::cam:" + owner + ":uin/" + uin
	if s.subUserARN == ARNAsInResource {
		arn = "qcs::cam::uin/" + owner + ":uin/" + uin
	}
	return map[string]any{"Arn": arn, "AccountId": owner, "UserId": uin, "PrincipalId": uin, "Type": "CAMUser"}
}
