package tcloud

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"onboard/policy"
)

const camTime = "2006-01-02 15:04:05"

func (s *Server) buildRoutes() map[string]service {
	return map[string]service{
		"cam": {version: "2019-01-16", actions: map[string]handler{
			"GetUserAppId":             {fn: s.getUserAppID},
			"AddUser":                  {fn: s.addUser, mutating: true},
			"GetUser":                  {fn: s.getUser},
			"ListUsers":                {fn: s.listUsers},
			"DeleteUser":               {fn: s.deleteUser, mutating: true},
			"CreatePolicy":             {fn: s.createPolicy, mutating: true},
			"GetPolicy":                {fn: s.getPolicy},
			"UpdatePolicy":             {fn: s.updatePolicy, mutating: true},
			"DeletePolicy":             {fn: s.deletePolicy, mutating: true},
			"ListPolicies":             {fn: s.listPolicies},
			"AttachUserPolicy":         {fn: s.attachUserPolicy, mutating: true},
			"DetachUserPolicy":         {fn: s.detachUserPolicy, mutating: true},
			"ListAttachedUserPolicies": {fn: s.listAttachedUserPolicies},
			"ListEntitiesForPolicy":    {fn: s.listEntitiesForPolicy},
			"CreateAccessKey":          {fn: s.createAccessKey, mutating: true},
			"ListAccessKeys":           {fn: s.listAccessKeys},
			"UpdateAccessKey":          {fn: s.updateAccessKey, mutating: true},
			"DeleteAccessKey":          {fn: s.deleteAccessKey, mutating: true},
			"GetSecurityLastUsed":      {fn: s.getSecurityLastUsed},
		}},
		"tat": s.tatService(),
		"region": {version: "2022-06-27", actions: map[string]handler{
			"DescribeRegions": {fn: s.describeRegions},
		}},
		"lighthouse": {version: "2020-03-24", actions: map[string]handler{
			"DescribeRegions":   {fn: s.describeLighthouseRegions},
			"DescribeInstances": {fn: s.describeLighthouseInstances},
		}},
		"vpc": {version: "2017-03-12", actions: map[string]handler{
			"DescribeVpcs":           {fn: s.describeVpcs},
			"DescribeSubnets":        {fn: s.describeSubnets},
			"DescribeSecurityGroups": {fn: s.describeSecurityGroups},
		}},
		"cbs": {version: "2017-03-12", actions: map[string]handler{"DescribeDisks": {fn: s.describeDisks}}},
		"cfw": {version: "2019-09-04", actions: s.cfwActions()},
		"waf": {version: "2018-01-25", actions: s.wafActions()},
		"clb": {version: "2018-03-17", actions: map[string]handler{"DescribeLoadBalancers": {fn: s.describeLoadBalancers}}},
		"cdb": {version: "2017-03-20", actions: map[string]handler{"DescribeDBInstances": {fn: s.describeDBInstances}}},
		"cvm": {version: "2017-03-12", actions: map[string]handler{
			"DescribeRegions":   {fn: s.describeCVMRegions},
			"DescribeInstances": {fn: s.describeCVMInstances},
		}},
		"cls": {version: "2020-10-16", actions: map[string]handler{
			"CreateLogset":          {fn: s.createLogset, mutating: true, resource: s.clsResource("logset", "")},
			"DescribeLogsets":       {fn: s.describeLogsets},
			"CreateTopic":           {fn: s.createTopic, mutating: true, resource: s.clsResource("logset", "LogsetId")},
			"DescribeTopics":        {fn: s.describeTopics},
			"OpenKafkaConsumer":     {fn: s.openKafkaConsumer, mutating: true, resource: s.clsResource("topic", "FromTopicId")},
			"DescribeKafkaConsumer": {fn: s.describeKafkaConsumer, resource: s.clsResource("topic", "FromTopicId")},
			"ModifyKafkaConsumer":   {fn: s.modifyKafkaConsumer, mutating: true, resource: s.clsResource("topic", "FromTopicId")},
			"CloseKafkaConsumer":    {fn: s.closeKafkaConsumer, mutating: true, resource: s.clsResource("topic", "FromTopicId")},
			"DeleteTopic":           {fn: s.deleteTopic, mutating: true, resource: s.clsResource("topic", "TopicId")},
			"DeleteLogset":          {fn: s.deleteLogset, mutating: true, resource: s.clsResource("logset", "LogsetId")},
		}},
		"cloudaudit": {version: "2019-03-19", actions: map[string]handler{
			"CreateAuditTrack":    {fn: s.createAuditTrack, mutating: true},
			"DescribeAuditTracks": {fn: s.describeAuditTracks},
			"DeleteAuditTrack":    {fn: s.deleteAuditTrack, mutating: true},
		}},
		// Region is required by every STS action (https://www.tencentcloud.com/document/api/598/45494).
		"sts": {version: "2018-08-13", regionRequired: true, actions: map[string]handler{
			"GetCallerIdentity":  {fn: s.getCallerIdentity, public: true},
			"GetFederationToken": {fn: s.getFederationToken},
		}},
	}
}

// Seed IDs of presets seen in public files (policies.md §4); the others get IDs of the emulator's own.
var presetIDs = map[string]uint64{
	"AdministratorAccess": 1, "QCloudResourceFullAccess": 2, "QcloudVPCReadOnlyAccess": 186457,
	"QcloudCLBReadOnlyAccess": 219851, "QcloudCVMReadOnlyAccess": 243334, "ReadOnlyAccess": 400411,
	"QcloudCamReadOnlyAccess": 596170,
}

func (s *Server) seedPresets(without []string) {
	next := uint64(700000)
	for _, info := range policy.Presets() {
		if slices.Contains(without, info.Name) {
			continue
		}
		doc, _ := policy.Preset(info.Name)
		parsed, err := policy.Parse(doc)
		if err != nil {
			panic("preset " + info.Name + " does not parse: " + err.Error())
		}
		id, ok := presetIDs[info.Name]
		if !ok {
			next++
			id = next
		}
		s.policies[id] = &camPolicy{id: id, name: info.Name, description: "preset " + info.Name, document: string(doc),
			parsed: parsed, preset: true, created: s.now(), updated: s.now()}
	}
}

func (s *Server) getUserAppID(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	return map[string]any{"Uin": strconv.FormatUint(r.caller.uin, 10), "OwnerUin": strconv.FormatUint(s.owner, 10), "AppId": s.appID}, nil
}

func (s *Server) getCallerIdentity(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	return s.callerIdentity(r.key), nil
}

var userName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)

func (s *Server) addUser(r *request) (any, *apiError) {
	var in struct {
		Name                                           *string
		Remark, Password, PhoneNum, CountryCode, Email *string
		ConsoleLogin, UseApi, NeedResetPassword        *uint64
	}
	if e := decode(r, &in, "Name"); e != nil {
		return nil, e
	}
	if !userName.MatchString(*in.Name) {
		return nil, errorf("InvalidParameter.UserNameIllegal", "user name %q is not valid", *in.Name)
	}
	if _, taken := s.users[*in.Name]; taken {
		return nil, errorf("InvalidParameter.SubUserNameInUse", "the sub-user name %s is in use", *in.Name)
	}
	s.nextID++
	u := &user{uin: 200000000000 + s.nextID, uid: s.nextID, name: *in.Name, created: s.now()}
	if in.Remark != nil {
		u.remark = *in.Remark
	}
	if in.ConsoleLogin != nil {
		u.console = int(*in.ConsoleLogin)
	}
	s.users[u.name] = u
	out := map[string]any{"Uin": u.uin, "Name": u.name, "Uid": u.uid}
	if in.UseApi != nil && *in.UseApi == 1 {
		k := s.newKey(u, "")
		out["SecretId"], out["SecretKey"] = k.id, k.secret
	}
	return out, nil
}

func (s *Server) userView(u *user) map[string]any {
	return map[string]any{"Uin": u.uin, "Name": u.name, "Uid": u.uid, "Remark": u.remark, "ConsoleLogin": u.console,
		"PhoneNum": "", "CountryCode": "", "Email": "", "CreateTime": u.created.Format(camTime)}
}

func (s *Server) getUser(r *request) (any, *apiError) {
	var in struct{ Name *string }
	if e := decode(r, &in, "Name"); e != nil {
		return nil, e
	}
	u, ok := s.users[*in.Name]
	if !ok {
		return nil, errorf("ResourceNotFound.UserNotExist", "user %s does not exist", *in.Name)
	}
	v := s.userView(u)
	delete(v, "CreateTime")
	return v, nil
}

func (s *Server) listUsers(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	names := make([]string, 0, len(s.users))
	for n := range s.users {
		names = append(names, n)
	}
	sort.Strings(names)
	data := []map[string]any{}
	for _, n := range names {
		data = append(data, s.userView(s.users[n]))
	}
	return map[string]any{"Data": data}, nil
}

func (s *Server) userKeys(u *user) []*accessKey {
	var out []*accessKey
	for _, k := range s.keys {
		if k.owner == u {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].created.Before(out[j].created) || (out[i].created.Equal(out[j].created) && out[i].id < out[j].id)
	})
	return out
}

func (s *Server) deleteUser(r *request) (any, *apiError) {
	var in struct {
		Name  *string
		Force *uint64
	}
	if e := decode(r, &in, "Name"); e != nil {
		return nil, e
	}
	u, ok := s.users[*in.Name]
	if !ok {
		return nil, errorf("ResourceNotFound.UserNotExist", "user %s does not exist", *in.Name)
	}
	keys := s.userKeys(u)
	if len(keys) > 0 && (in.Force == nil || *in.Force != 1) {
		return nil, errorf("OperationDenied.HaveKeys", "the user has API keys; delete them first or set Force=1")
	}
	for _, k := range keys {
		delete(s.keys, k.id)
	}
	delete(s.users, u.name)
	return map[string]any{}, nil
}

var policyName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,128}$`)

func (s *Server) validateDocument(doc string) (*policy.Document, *apiError) {
	parsed, err := policy.Parse([]byte(doc))
	switch {
	case err != nil:
	case s.refuseUnknownServices:
		err = policy.ValidateActions(parsed)
	default:
		// Actions of known services must exist; other services pass, as CAM knows more services than
		// the catalogue (see Options.RefuseUnknownServices).
		_, err = policy.CheckActions(parsed)
	}
	if err != nil {
		code := policy.ErrorCode(err)
		if code == "" {
			code = "InvalidParameter.PolicyDocumentError"
		}
		return nil, errorf(code, "%v", err)
	}
	return parsed, nil
}

func (s *Server) createPolicy(r *request) (any, *apiError) {
	var in struct {
		PolicyName, PolicyDocument, Description *string
		Tags                                    []struct{ Key, Value string }
	}
	if e := decode(r, &in, "PolicyName", "PolicyDocument"); e != nil {
		return nil, e
	}
	if !policyName.MatchString(*in.PolicyName) {
		return nil, errorf("InvalidParameter.PolicyNameError", "policy name %q is not valid", *in.PolicyName)
	}
	for _, p := range s.policies {
		if p.name == *in.PolicyName {
			return nil, errorf("FailedOperation.PolicyNameInUse", "policy name %s is in use", *in.PolicyName)
		}
	}
	parsed, e := s.validateDocument(*in.PolicyDocument)
	if e != nil {
		return nil, e
	}
	s.nextID++
	p := &camPolicy{id: s.nextID, name: *in.PolicyName, document: *in.PolicyDocument, parsed: parsed, created: s.now(), updated: s.now()}
	if in.Description != nil {
		p.description = *in.Description
	}
	s.policies[p.id] = p
	return map[string]any{"PolicyId": p.id}, nil
}

func (s *Server) getPolicy(r *request) (any, *apiError) {
	var in struct{ PolicyId *uint64 }
	if e := decode(r, &in, "PolicyId"); e != nil {
		return nil, e
	}
	p, ok := s.policies[*in.PolicyId]
	if !ok {
		return nil, errorf("ResourceNotFound.PolicyIdNotFound", "policy %d does not exist", *in.PolicyId)
	}
	return map[string]any{"PolicyName": p.name, "Description": p.description, "Type": policyType(p), "AddTime": p.created.Format(camTime),
		"UpdateTime": p.updated.Format(camTime), "PolicyDocument": p.document, "PresetAlias": "", "IsServiceLinkedRolePolicy": 0}, nil
}

func policyType(p *camPolicy) uint64 {
	if p.preset {
		return 2
	}
	return 1
}

func (s *Server) updatePolicy(r *request) (any, *apiError) {
	var in struct {
		PolicyId                                       *uint64
		PolicyName, Description, PolicyDocument, Alias *string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	var p *camPolicy
	switch {
	case in.PolicyId != nil:
		p = s.policies[*in.PolicyId]
	case in.PolicyName != nil:
		for _, c := range s.policies {
			if c.name == *in.PolicyName && !c.preset {
				p = c
			}
		}
	default:
		return nil, errorf("MissingParameter", "PolicyId or PolicyName is required")
	}
	if p == nil || p.preset {
		return nil, errorf("ResourceNotFound.PolicyIdNotFound", "the policy does not exist or is not a custom policy")
	}
	if in.PolicyDocument != nil {
		parsed, e := s.validateDocument(*in.PolicyDocument)
		if e != nil {
			return nil, e
		}
		p.earlier, p.earlierUntil = p.effective(s.now()), s.applied()
		p.document, p.parsed = *in.PolicyDocument, parsed
	}
	if in.Description != nil {
		p.description = *in.Description
	}
	p.updated = s.now()
	out := map[string]any{}
	if in.PolicyId == nil {
		out["PolicyId"] = p.id
	}
	return out, nil
}

func (s *Server) deletePolicy(r *request) (any, *apiError) {
	var in struct{ PolicyId []uint64 }
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.PolicyId) == 0 {
		return nil, errorf("MissingParameter", "the parameter PolicyId is required")
	}
	for _, id := range in.PolicyId {
		if p, ok := s.policies[id]; !ok || p.preset {
			return nil, errorf("ResourceNotFound.PolicyIdNotFound", "policy %d does not exist or is not a custom policy", id)
		}
	}
	for _, id := range in.PolicyId {
		delete(s.policies, id)
		for _, u := range s.users {
			u.attached = slices.DeleteFunc(u.attached, func(a attachment) bool { return a.policyID == id })
		}
	}
	return map[string]any{}, nil
}

func (s *Server) listPolicies(r *request) (any, *apiError) {
	var in struct {
		Rp, Page       *uint64
		Scope, Keyword *string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	rp, page := uint64(20), uint64(1)
	if in.Rp != nil {
		rp = *in.Rp
	}
	if in.Page != nil {
		page = *in.Page
	}
	if rp < 1 || rp > 200 || page < 1 || page > 200 {
		return nil, errorf("InvalidParameterValue", "Rp and Page must be between 1 and 200")
	}
	scope := "All"
	if in.Scope != nil {
		scope = *in.Scope
	}
	if scope != "All" && scope != "QCS" && scope != "Local" {
		return nil, errorf("InvalidParameter.ScopeError", "Scope must be All, QCS or Local")
	}
	var match []*camPolicy
	for _, p := range s.policies {
		if (scope == "QCS" && !p.preset) || (scope == "Local" && p.preset) {
			continue
		}
		if in.Keyword != nil && !strings.Contains(strings.ToLower(p.name), strings.ToLower(*in.Keyword)) {
			continue
		}
		match = append(match, p)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].id < match[j].id })
	list := []map[string]any{}
	for i := (page - 1) * rp; i < uint64(len(match)) && i < page*rp; i++ {
		p := match[i]
		list = append(list, map[string]any{"PolicyId": p.id, "PolicyName": p.name, "AddTime": p.created.Format(camTime),
			"Type": policyType(p), "Description": p.description, "CreateMode": 2, "Attachments": s.attachCount(p.id)})
	}
	return map[string]any{"TotalNum": len(match), "List": list, "ServiceTypeList": []any{}}, nil
}

func (s *Server) attachCount(id uint64) int {
	n := 0
	for _, u := range s.users {
		for _, a := range u.attached {
			if a.policyID == id {
				n++
			}
		}
	}
	return n
}

func (s *Server) userByUIN(uin uint64) *user {
	for _, u := range s.users {
		if u.uin == uin {
			return u
		}
	}
	return nil
}

func (s *Server) attachUserPolicy(r *request) (any, *apiError) {
	var in struct{ PolicyId, AttachUin *uint64 }
	if e := decode(r, &in, "PolicyId", "AttachUin"); e != nil {
		return nil, e
	}
	u := s.userByUIN(*in.AttachUin)
	if u == nil {
		return nil, errorf("InvalidParameter.UserNotExist", "user %d does not exist", *in.AttachUin)
	}
	if _, ok := s.policies[*in.PolicyId]; !ok {
		return nil, errorf("InvalidParameter.PolicyIdNotExist", "policy %d does not exist", *in.PolicyId)
	}
	if !slices.ContainsFunc(u.attached, func(a attachment) bool { return a.policyID == *in.PolicyId }) {
		u.attached = append(u.attached, attachment{policyID: *in.PolicyId, at: s.now(), appliesAt: s.applied()})
	}
	return map[string]any{}, nil
}

func (s *Server) detachUserPolicy(r *request) (any, *apiError) {
	var in struct{ PolicyId, DetachUin *uint64 }
	if e := decode(r, &in, "PolicyId", "DetachUin"); e != nil {
		return nil, e
	}
	u := s.userByUIN(*in.DetachUin)
	if u == nil {
		return nil, errorf("InvalidParameter.UserNotExist", "user %d does not exist", *in.DetachUin)
	}
	u.attached = slices.DeleteFunc(u.attached, func(a attachment) bool { return a.policyID == *in.PolicyId })
	return map[string]any{}, nil
}

func (s *Server) listAttachedUserPolicies(r *request) (any, *apiError) {
	var in struct{ TargetUin, Page, Rp *uint64 }
	if e := decode(r, &in, "TargetUin"); e != nil {
		return nil, e
	}
	u := s.userByUIN(*in.TargetUin)
	if u == nil {
		return nil, errorf("ResourceNotFound.UserNotExist", "user %d does not exist", *in.TargetUin)
	}
	rp, page := uint64(20), uint64(1)
	if in.Rp != nil {
		rp = *in.Rp
	}
	if in.Page != nil {
		page = *in.Page
	}
	if rp < 1 || page < 1 {
		return nil, errorf("InvalidParameterValue", "Rp and Page must be at least 1")
	}
	list := []map[string]any{}
	for i := (page - 1) * rp; i < uint64(len(u.attached)) && i < page*rp; i++ {
		a := u.attached[i]
		p := s.policies[a.policyID]
		kind := "User"
		if p.preset {
			kind = "QCS"
		}
		list = append(list, map[string]any{"PolicyId": p.id, "PolicyName": p.name, "AddTime": a.at.Format(camTime),
			"CreateMode": 2, "PolicyType": kind, "Remark": p.description, "OperateOwnerUin": strconv.FormatUint(s.owner, 10),
			"OperateUin": strconv.FormatUint(s.owner, 10), "OperateUinType": 0, "Deactived": 0})
	}
	return map[string]any{"TotalNum": len(u.attached), "List": list}, nil
}

// listEntitiesForPolicy lists the principals a policy is attached to (the emulator has sub-users only,
// RelatedType 1). Fields as the 2019-01-16 model's AttachEntityOfPolicy; EntityFilter All, User, Group or
// Role (https://www.tencentcloud.com/document/api/598/32241).
func (s *Server) listEntitiesForPolicy(r *request) (any, *apiError) {
	var in struct {
		PolicyId, Page, Rp *uint64
		EntityFilter       *string
	}
	if e := decode(r, &in, "PolicyId"); e != nil {
		return nil, e
	}
	if _, ok := s.policies[*in.PolicyId]; !ok {
		return nil, errorf("ResourceNotFound.PolicyIdNotFound", "policy %d does not exist", *in.PolicyId)
	}
	filter := "All"
	if in.EntityFilter != nil {
		filter = *in.EntityFilter
	}
	if !slices.Contains([]string{"All", "User", "Group", "Role"}, filter) {
		return nil, errorf("InvalidParameterValue", "EntityFilter must be All, User, Group or Role")
	}
	rp, page := uint64(20), uint64(1)
	if in.Rp != nil {
		rp = *in.Rp
	}
	if in.Page != nil {
		page = *in.Page
	}
	if rp < 1 || page < 1 {
		return nil, errorf("InvalidParameterValue", "Rp and Page must be at least 1")
	}
	type entity struct {
		u  *user
		at time.Time
	}
	var match []entity
	if filter == "All" || filter == "User" {
		for _, u := range s.users {
			for _, a := range u.attached {
				if a.policyID == *in.PolicyId {
					match = append(match, entity{u, a.at})
				}
			}
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].u.uin < match[j].u.uin })
	list := []map[string]any{}
	for i := (page - 1) * rp; i < uint64(len(match)) && i < page*rp; i++ {
		m := match[i]
		list = append(list, map[string]any{"Id": strconv.FormatUint(m.u.uid, 10), "Name": m.u.name, "Uin": m.u.uin,
			"RelatedType": 1, "AttachmentTime": m.at.Format(camTime)})
	}
	return map[string]any{"TotalNum": len(match), "List": list}, nil
}

func (s *Server) newKey(u *user, description string) *accessKey {
	k := &accessKey{id: "AKID" + randomString(32), secret: randomString(32), status: "Active", owner: u, description: description, created: s.now(),
		usableAt: s.applied()}
	s.keys[k.id] = k
	return k
}

// keyTarget resolves TargetUin (omitted: the caller). A sub-user may act only on its own keys.
func (s *Server) keyTarget(r *request, target *uint64) (*user, *apiError) {
	if target == nil || *target == r.caller.uin {
		return r.caller, nil
	}
	if r.caller != s.root {
		if *target == s.owner {
			return nil, errorf("OperationDenied.SubUin", "a sub-user cannot manage the root account's keys")
		}
	}
	if *target == s.owner {
		return s.root, nil
	}
	u := s.userByUIN(*target)
	if u == nil {
		return nil, errorf("ResourceNotFound.UserNotExist", "user %d does not exist", *target)
	}
	return u, nil
}

// keyDescription is CreateAccessKey's documented Description pattern.
var keyDescription = regexp.MustCompile(`^[\w+=,.@:/-]*$`)

func (s *Server) createAccessKey(r *request) (any, *apiError) {
	var in struct {
		TargetUin   *uint64
		Description *string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	u, e := s.keyTarget(r, in.TargetUin)
	if e != nil {
		return nil, e
	}
	if len(s.userKeys(u)) >= 2 {
		return nil, errorf("OperationDenied.AccessKeyOverLimit", "a user can have at most two API keys")
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
		// CreateAccessKey (https://www.tencentcloud.com/document/api/598/52594): the 2019-01-16 model of the
		// official SDKs documents Description as 1 to 1024 characters matching [\w+=,.@:/-]*, and the
		// action's documented error codes name InvalidParameter.ParamError for an invalid parameter.
		if n := utf8.RuneCountInString(desc); n < 1 || n > 1024 || !keyDescription.MatchString(desc) {
			return nil, errorf("InvalidParameter.ParamError", "Description must be 1 to 1024 characters matching [\\w+=,.@:/-]*")
		}
	}
	k := s.newKey(u, desc)
	return map[string]any{"AccessKey": map[string]any{"AccessKeyId": k.id, "SecretAccessKey": k.secret, "Status": k.status,
		"CreateTime": k.created.Format(camTime), "Description": k.description}}, nil
}

func (s *Server) listAccessKeys(r *request) (any, *apiError) {
	var in struct{ TargetUin *uint64 }
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	u, e := s.keyTarget(r, in.TargetUin)
	if e != nil {
		return nil, e
	}
	keys := []map[string]any{}
	for _, k := range s.userKeys(u) {
		keys = append(keys, map[string]any{"AccessKeyId": k.id, "Status": k.status, "CreateTime": k.created.Format(camTime), "Description": k.description})
	}
	return map[string]any{"AccessKeys": keys}, nil
}

func (s *Server) findKey(r *request, target *uint64, id string) (*accessKey, *apiError) {
	u, e := s.keyTarget(r, target)
	if e != nil {
		return nil, e
	}
	k, ok := s.keys[id]
	if !ok {
		return nil, errorf("ResourceNotFound.SecretNotExist", "key %s does not exist", id)
	}
	if k.owner != u {
		return nil, errorf("OperationDenied.UinNotMatch", "key %s does not belong to that user", id)
	}
	return k, nil
}

func (s *Server) updateAccessKey(r *request) (any, *apiError) {
	var in struct {
		AccessKeyId, Status *string
		TargetUin           *uint64
	}
	if e := decode(r, &in, "AccessKeyId", "Status"); e != nil {
		return nil, e
	}
	if *in.Status != "Active" && *in.Status != "Inactive" {
		return nil, errorf("InvalidParameterValue", "Status must be Active or Inactive")
	}
	k, e := s.findKey(r, in.TargetUin, *in.AccessKeyId)
	if e != nil {
		return nil, e
	}
	k.status = *in.Status
	return map[string]any{}, nil
}

// DeleteAccessKey refuses the root account's active key, as the console requires disabling it first.
// For a sub-user's active key CAM's API documentation is silent
// (https://www.tencentcloud.com/document/api/598/52593 states no such rule), so
// Options.RefuseActiveKeyDeletion plays both readings: off deletes it, on refuses it with the generic key
// failure code that DeleteAccessKey documents.
func (s *Server) deleteAccessKey(r *request) (any, *apiError) {
	var in struct {
		AccessKeyId *string
		TargetUin   *uint64
	}
	if e := decode(r, &in, "AccessKeyId"); e != nil {
		return nil, e
	}
	k, e := s.findKey(r, in.TargetUin, *in.AccessKeyId)
	if e != nil {
		return nil, e
	}
	if k.owner == s.root && k.status == "Active" && !s.deleteActiveRootKey {
		return nil, errorf("OperationDenied", "disable the root account's key before deleting it")
	}
	if s.refuseActiveKeyDeletion && k.status == "Active" {
		return nil, errorf("FailedOperation.Accesskey", "key %s is active: disable it before deleting it", k.id)
	}
	delete(s.keys, k.id)
	return map[string]any{}, nil
}

var _ = json.Marshal
var _ = time.Now

// SetKeyDescription gives a key another description, such as one written before CreateAccessKey's
// pattern was enforced here (an older onboard's marker); for tests. It reports whether the key exists.
func (s *Server) SetKeyDescription(id, description string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if ok {
		k.description = description
	}
	return ok
}

// KeyStatus reports a key's status (Active or Inactive) and whether it exists; for tests.
func (s *Server) KeyStatus(id string) (status string, exists bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return "", false
	}
	return k.status, true
}
