package tcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"onboard/policy"
)

// Several accounts and their organization. Every account is a Server of its own, with its own CAM, its own
// resources and its own rate limits; the first one is the organization's management account and serves
// the listener. A request signed with a key of another account is handed to that account, as the real
// endpoint serves every account. Facts: docs/facts/organization.md.

// MemberAccessRoleName is the role of the preset member access identity that Tencent Cloud Organization
// configures in a member account, with AdministratorAccess (tccli example of
// DescribeOrganizationMemberAuthIdentities: IdentityId 1, IdentityRoleName OrganizationAccessControlRole,
// IdentityType 1 = preset; https://www.tencentcloud.com/document/product/1031/52053).
const MemberAccessRoleName = "OrganizationAccessControlRole"

// memberAccessIdentityID is the preset member access identity's ID (same example).
const memberAccessIdentityID = 1

// Durations of AssumeRole (STS AssumeRole, parameter DurationSeconds: default 7200, at most 43200;
// https://www.tencentcloud.com/document/product/1150/49456).
const (
	assumeRoleDefault = 7200 * time.Second
	assumeRoleMax     = 43200 * time.Second
)

// orgLink is what an account knows of its organization: nil when it is in none.
type orgLink struct {
	org *organization
	// emptyWhenNone plays the other reading of DescribeOrganization for an account in no organization: an
	// answer with OrgId 0 instead of ResourceNotFound.OrganizationNotExist (the docs name the code, but not
	// whether DescribeOrganization answers it).
	emptyWhenNone bool
}

// organization is one Tencent Cloud Organization. Its fields other than mu never change after creation;
// mu guards members. mu is never held while an account's lock is taken.
type organization struct {
	id         uint64
	managerUIN uint64
	manager    *Server
	created    time.Time
	mu         sync.Mutex
	members    []*member
}

// member is one member account and its member access role.
type member struct {
	account *Server
	name    string
	joined  time.Time
	roleID  uint64
	// roleName is the role of the member's access identity: MemberAccessRoleName, or another one, as a
	// custom member authorization identity makes (Organization's CreateOrganizationIdentity and
	// BindOrganizationMemberAuthAccount, https://www.tencentcloud.com/document/product/1011/51452).
	roleName string
	// trustsManager: the role's trust policy lets the management account assume it. Off plays a member
	// whose role was changed or whose access was revoked.
	trustsManager bool
}

// roleSession marks a temporary key issued by AssumeRole: it acts as the role, and GetCallerIdentity
// names the role and the session.
type roleSession struct {
	roleID  uint64
	session string
}

// AddMember creates a member account of s's organization (creating the organization, with s as its
// management account, the first time) and returns it. The member's options are o; OwnerUIN 0 numbers
// it after the members already there. Its member access role trusts the management account.
func (s *Server) AddMember(o Options, name string) *Server {
	if s.org.org == nil {
		s.org.org = &organization{id: 40000 + s.owner%10000, managerUIN: s.owner, manager: s, created: s.now()}
	}
	org := s.org.org
	org.mu.Lock()
	n := len(org.members) + 1
	org.mu.Unlock()
	if o.OwnerUIN == 0 {
		o.OwnerUIN = s.owner + 100000 + uint64(n)
	}
	if o.AppID == 0 {
		o.AppID = s.appID + uint64(n)
	}
	if name == "" {
		name = fmt.Sprintf("member-%d", n)
	}
	m := New(o)
	m.org.org = org
	org.mu.Lock()
	org.members = append(org.members, &member{account: m, name: name, joined: m.now(), roleID: 4611686018427300000 + o.OwnerUIN%100000, roleName: MemberAccessRoleName, trustsManager: true})
	org.mu.Unlock()
	return m
}

// Members returns the member accounts of s's organization, in the order they joined; nil when s is in no
// organization.
func (s *Server) Members() []*Server {
	if s.org.org == nil {
		return nil
	}
	var out []*Server
	for _, m := range s.org.org.snapshot() {
		out = append(out, m.account)
	}
	return out
}

// Member returns the member account uin of s's organization, or nil.
func (s *Server) Member(uin uint64) *Server {
	if s.org.org == nil {
		return nil
	}
	if m := s.org.org.find(uin); m != nil {
		return m.account
	}
	return nil
}

// SetMemberAccess lets the management account assume the member access role of member uin (allowed) or
// not: AssumeRole then answers UnauthorizedOperation, as for a role whose trust policy no longer names
// the management account.
func (s *Server) SetMemberAccess(uin uint64, allowed bool) error {
	return s.changeMember(uin, func(m *member) { m.trustsManager = allowed })
}

// SetMemberRoleName makes role the only role the management account may assume in member uin, as when
// the member's access identity is a custom one; MemberAccessRoleName is then refused as not found.
func (s *Server) SetMemberRoleName(uin uint64, role string) error {
	return s.changeMember(uin, func(m *member) { m.roleName = role })
}

// changeMember applies change to member uin of s's organization, under the organization's lock.
func (s *Server) changeMember(uin uint64, change func(*member)) error {
	if s.org.org == nil {
		return fmt.Errorf("account %d is in no organization", s.owner)
	}
	org := s.org.org
	org.mu.Lock()
	defer org.mu.Unlock()
	for _, m := range org.members {
		if m.account.owner == uin {
			change(m)
			return nil
		}
	}
	return fmt.Errorf("account %d is not a member of organization %d", uin, org.id)
}

// NoOrganizationAsEmpty makes DescribeOrganization answer an account in no organization with empty
// fields (OrgId 0) instead of ResourceNotFound.OrganizationNotExist: both readings are played.
func (s *Server) NoOrganizationAsEmpty(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.emptyWhenNone = on
}

func (o *organization) snapshot() []member {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]member, len(o.members))
	for i, m := range o.members {
		out[i] = *m
	}
	return out
}

func (o *organization) find(uin uint64) *member {
	for _, m := range o.snapshot() {
		if m.account.owner == uin {
			return &m
		}
	}
	return nil
}

// accounts are every account of the organization, the management account first.
func (o *organization) accounts() []*Server {
	out := []*Server{o.manager}
	for _, m := range o.snapshot() {
		out = append(out, m.account)
	}
	return out
}

// holds reports whether secretID is one of s's keys, long-term or temporary.
func (s *Server) holds(secretID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, long := s.keys[secretID]
	_, temporary := s.sessions[secretID]
	return long || temporary
}

// forward hands a request signed by another account of the organization to that account, and reports
// whether it did. A key no account holds stays here, to be refused as unknown. The inspection endpoint
// shows a member's state with ?account=UIN.
func (s *Server) forward(w http.ResponseWriter, r *http.Request) bool {
	org := s.org.org
	if org == nil || org.manager != s {
		return false
	}
	if r.URL.Path == InspectPath {
		uin, err := strconv.ParseUint(r.URL.Query().Get("account"), 10, 64)
		if m := org.find(uin); err == nil && m != nil {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(m.account.State())
			return true
		}
		return false
	}
	auth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil || s.holds(auth.secretID) {
		return false
	}
	for _, a := range org.accounts()[1:] {
		if a.holds(auth.secretID) {
			a.ServeHTTP(w, r)
			return true
		}
	}
	return false
}

// addOrganizationRoutes adds the organization product and STS AssumeRole to the account's routes.
func (s *Server) addOrganizationRoutes() {
	// Organization 2021-03-31: Region is not required (API pages, "Region: not required for this API").
	s.routes["organization"] = service{version: "2021-03-31", actions: map[string]handler{
		"DescribeOrganization":                     {fn: s.describeOrganization},
		"DescribeOrganizationMembers":              {fn: s.describeOrganizationMembers},
		"DescribeOrganizationMemberAuthIdentities": {fn: s.describeOrganizationMemberAuthIdentities},
	}}
	s.routes["sts"].actions["AssumeRole"] = handler{fn: s.assumeRole, resource: func(r *request) string {
		var in struct{ RoleArn string }
		readLoose(r.body, &in)
		return in.RoleArn
	}}
}

// readLoose reads the fields it knows of a body, ignoring the rest: for the CAM resource of a call,
// before decode checks the body strictly.
func readLoose(body []byte, v any) {
	_ = json.NewDecoder(bytes.NewReader(body)).Decode(v)
}

func orgTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// describeOrganization answers the caller's organization (organization_models.d.ts,
// DescribeOrganizationResponse).
func (s *Server) describeOrganization(r *request) (any, *apiError) {
	var in struct{ Lang, Product *string }
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	org := s.org.org
	if org == nil {
		if s.org.emptyWhenNone {
			return map[string]any{"OrgId": 0, "HostUin": 0, "IsManager": false, "OrgPermission": []any{}}, nil
		}
		return nil, errorf("ResourceNotFound.OrganizationNotExist", "the organization does not exist")
	}
	joined := org.created
	if m := org.find(s.owner); m != nil {
		joined = m.joined
	}
	return map[string]any{
		"OrgId": org.id, "HostUin": org.managerUIN, "NickName": "org-" + strconv.FormatUint(org.managerUIN, 10), "OrgType": 1,
		"IsManager": s == org.manager, "OrgPolicyType": "Financial", "OrgPolicyName": "self-pay", "OrgPermission": []any{},
		"RootNodeId": org.id*10 + 1, "CreateTime": orgTime(org.created), "JoinTime": orgTime(joined), "IsAllowQuit": "Allow",
		"PayUin": "", "PayName": "", "IsAssignManager": false, "IsAuthManager": false,
	}, nil
}

// describeOrganizationMembers lists the members, the management account first (as the console lists
// it), in pages of Offset/Limit (Limit 1-50).
func (s *Server) describeOrganizationMembers(r *request) (any, *apiError) {
	var in struct {
		Offset, Limit                                *int64
		Lang, SearchKey, AuthName, Product, NodeName *string
		NodeId                                       *int64
		Tags                                         []struct{ Key, Value string }
	}
	if e := decode(r, &in, "Offset", "Limit"); e != nil {
		return nil, e
	}
	if *in.Limit < 1 || *in.Limit > 50 || *in.Offset < 0 {
		return nil, errorf("InvalidParameter", "Limit must be between 1 and 50 and Offset at least 0")
	}
	org := s.org.org
	if org == nil {
		return nil, errorf("ResourceNotFound.OrganizationNotExist", "the organization does not exist")
	}
	if s != org.manager {
		// Whether a member may list the others is not documented; the tool lists with the management key.
		return nil, errorf("UnauthorizedOperation", "only the management account of organization %d lists its members", org.id)
	}
	items := []map[string]any{s.orgMember("management", "Create", org.created)}
	for _, m := range org.snapshot() {
		items = append(items, m.account.orgMember(m.name, "Create", m.joined))
	}
	if in.SearchKey != nil && *in.SearchKey != "" {
		var kept []map[string]any
		for _, it := range items {
			if strings.Contains(it["Name"].(string), *in.SearchKey) || strings.Contains(fmt.Sprint(it["MemberUin"]), *in.SearchKey) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	total := len(items)
	from := min(int(*in.Offset), total)
	to := min(from+int(*in.Limit), total)
	return map[string]any{"Items": append([]map[string]any{}, items[from:to]...), "Total": total}, nil
}

// orgMember is an account as an OrgMember item (organization_models.d.ts, OrgMember).
func (s *Server) orgMember(name, kind string, joined time.Time) map[string]any {
	return map[string]any{
		"MemberUin": s.owner, "Name": name, "MemberType": kind, "OrgPolicyType": "Financial", "OrgPolicyName": "self-pay",
		"OrgPermission": []any{}, "NodeId": s.org.org.id*10 + 1, "NodeName": "root", "Remark": "",
		"CreateTime": orgTime(joined), "UpdateTime": orgTime(joined), "IsAllowQuit": "Allow", "PayUin": "", "PayName": "",
		"OrgIdentity": []map[string]any{{"IdentityId": memberAccessIdentityID, "IdentityAliasName": "Admin"}},
		"BindStatus":  "Unbound", "PermissionStatus": "Confirmed", "Tags": []any{}, "NickName": name,
	}
}

// describeOrganizationMemberAuthIdentities lists a member's access identities: the preset one, whose role
// is MemberAccessRoleName.
func (s *Server) describeOrganizationMemberAuthIdentities(r *request) (any, *apiError) {
	var in struct {
		Offset, Limit         *int64
		MemberUin, IdentityId *uint64
	}
	if e := decode(r, &in, "Offset", "Limit"); e != nil {
		return nil, e
	}
	if in.MemberUin == nil && in.IdentityId == nil {
		return nil, errorf("InvalidParameter", "give MemberUin or IdentityId")
	}
	org := s.org.org
	if org == nil {
		return nil, errorf("ResourceNotFound.OrganizationNotExist", "the organization does not exist")
	}
	items := []map[string]any{}
	for _, m := range org.snapshot() {
		if in.MemberUin != nil && m.account.owner != *in.MemberUin {
			continue
		}
		items = append(items, map[string]any{
			"IdentityId": memberAccessIdentityID, "IdentityRoleName": m.roleName, "IdentityRoleAliasName": "Admin",
			"Description": "AdministratorAccess", "CreateTime": orgTime(m.joined), "UpdateTime": orgTime(m.joined),
			"IdentityType": 1, "Status": 1, "MemberUin": m.account.owner, "MemberName": m.name,
		})
	}
	return map[string]any{"Items": items, "Total": len(items)}, nil
}

// roleARN is qcs::cam::uin/<account>:roleName/<name> or qcs::cam::uin/<account>:role/<id> (AssumeRole,
// parameter RoleArn).
var roleARN = regexp.MustCompile(`^qcs::cam::uin/([0-9]+):(roleName|role)/([\w+=,.@-]+)$`)

var roleSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)

// assumeRole issues temporary credentials of a member account's access role to its organization's
// management account (STS AssumeRole, https://www.tencentcloud.com/document/product/1150/49456). The role has
// AdministratorAccess, so the session may do everything in the member account, within Policy if given.
// s.mu is held; the member's lock is taken only after the organization's is released.
func (s *Server) assumeRole(r *request) (any, *apiError) {
	var in struct {
		RoleArn, RoleSessionName           *string
		DurationSeconds                    *uint64
		Policy, ExternalId, SourceIdentity *string
		SerialNumber, TokenCode            *string
		Tags                               []struct{ Key, Value string }
	}
	if e := decode(r, &in, "RoleArn", "RoleSessionName"); e != nil {
		return nil, e
	}
	m := roleARN.FindStringSubmatch(*in.RoleArn)
	if m == nil {
		return nil, errorf("InvalidParameter.ResouceError", "RoleArn %q is not a role's resource description", *in.RoleArn)
	}
	if !roleSessionName.MatchString(*in.RoleSessionName) {
		return nil, errorf("InvalidParameter.ParamError", "RoleSessionName must be 2-128 characters of [\\w+=,.@-]")
	}
	duration := assumeRoleDefault
	if in.DurationSeconds != nil {
		duration = time.Duration(*in.DurationSeconds) * time.Second
	}
	if duration <= 0 || duration > assumeRoleMax {
		return nil, errorf("InvalidParameter.OverTimeError", "DurationSeconds must be between 1 and %d", int(assumeRoleMax/time.Second))
	}
	var session *policy.Document
	if in.Policy != nil {
		text, err := url.QueryUnescape(*in.Policy)
		if err != nil {
			return nil, errorf("InvalidParameter.StrategyFormatError", "Policy is not URL-encoded: %v", err)
		}
		if session, err = policy.Parse([]byte(text)); err != nil {
			return nil, errorf("InvalidParameter.StrategyFormatError", "Policy: %v", err)
		}
	}
	uin, _ := strconv.ParseUint(m[1], 10, 64)
	org := s.org.org
	var target *member
	if org != nil {
		target = org.find(uin)
	}
	if target == nil || (m[2] == "roleName" && m[3] != target.roleName) || (m[2] == "role" && m[3] != strconv.FormatUint(target.roleID, 10)) {
		return nil, errorf("ResourceNotFound.RoleNotFound", "role %s does not exist", *in.RoleArn)
	}
	if s != org.manager || !target.trustsManager {
		return nil, errorf("UnauthorizedOperation", "the trust policy of role %s does not allow account %d to assume it", *in.RoleArn, s.owner)
	}
	a := target.account
	now := s.now()
	k := &accessKey{id: "AKID" + randomString(64), secret: randomString(40), status: "Active", created: now,
		token: randomString(128), expires: now.Add(duration), role: &roleSession{roleID: target.roleID, session: *in.RoleSessionName}}
	if session != nil {
		k.session = &federation{name: *in.RoleSessionName, policy: session}
	}
	a.mu.Lock()
	k.owner = a.root // the role holds AdministratorAccess: everything the account's root may do
	a.sessions[k.id] = k
	a.mu.Unlock()
	return map[string]any{
		"Credentials": map[string]any{"Token": k.token, "TmpSecretId": k.id, "TmpSecretKey": k.secret},
		"ExpiredTime": k.expires.Unix(),
		"Expiration":  k.expires.UTC().Format("2006-01-02T15:04:05Z"),
	}, nil
}

// roleIdentity is GetCallerIdentity's answer for a role session (reference §7.2): the sts Arn of the
// assumed role, and "<roleId>:<session name>" as its UserId.
func (s *Server) roleIdentity(k *accessKey) map[string]any {
	owner := strconv.FormatUint(s.owner, 10)
	role := strconv.FormatUint(k.role.roleID, 10)
	return map[string]any{"Arn": "qcs::sts:" + owner + ":assumed-role/" + role, "AccountId": owner,
		"UserId": role + ":" + k.role.session, "PrincipalId": role, "Type": "CAMRole"}
}

// TemporarySecrets returns the SecretKeys and tokens of every temporary key the account issued or holds
// (GetFederationToken, AssumeRole), for tests that check none of them reaches an output, a log or a file.
func (s *Server) TemporarySecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.sessions {
		out = append(out, k.secret, k.token)
	}
	return out
}
