package tcloud

import (
	"slices"
)

// WAF (waf 2018-01-25): instances, protected domains with their access-log switches, and the CLS delivery
// flows of access and attack logs. Field names and JSON types follow the models (waf_models.d.ts of the
// Node SDK 4.1.313); docs/facts/soc-logs.md holds the facts and their pages.

// wafState is the account's WAF.
type wafState struct {
	instances []*wafInstance
	domains   []*wafDomain
	flows     []*wafFlow
	nextFlow  uint64
	// absentCode, when set, is what DescribeInstances answers for an account without WAF instead of an
	// empty list: the docs do not say which an account that never bought WAF gets.
	absentCode string
}

type wafInstance struct {
	id, name, region, edition string
	level                     int64
	attackLogPost             int64
}

type wafDomain struct {
	domain, id, instanceID, edition string
	clsStatus, postCLS, postCKafka  int64
}

type wafFlow struct {
	id                               uint64
	logType, status                  int64
	clsRegion, logsetName, topicName string
	logsetID, topicID                string
}

// WAFInstanceSeed describes a WAF instance to seed; Level is the models' edition level (2 advanced,
// 3 enterprise, 4 ultimate, 6 exclusive, 101 small, 102 ultra-light).
type WAFInstanceSeed struct {
	ID, Name, Region, Edition string
	Level                     int64
	AttackLogPost             bool
}

// WAFDomainSeed describes a protected domain to seed.
type WAFDomainSeed struct {
	Domain, InstanceID, Edition    string
	AccessLog, PostCLS, PostCKafka bool
}

func onOff(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// SeedWAFInstance adds a WAF instance.
func (s *Server) SeedWAFInstance(in WAFInstanceSeed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Edition == "" {
		in.Edition = "sparta-waf"
	}
	s.waf.instances = append(s.waf.instances, &wafInstance{id: in.ID, name: in.Name, region: in.Region, edition: in.Edition, level: in.Level, attackLogPost: onOff(in.AttackLogPost)})
}

// SeedWAFDomain adds a domain protected by a seeded instance.
func (s *Server) SeedWAFDomain(d WAFDomainSeed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.Edition == "" {
		d.Edition = "sparta-waf"
	}
	s.waf.domains = append(s.waf.domains, &wafDomain{domain: d.Domain, id: "dm-" + randomString(8), instanceID: d.InstanceID, edition: d.Edition,
		clsStatus: onOff(d.AccessLog), postCLS: onOff(d.PostCLS), postCKafka: onOff(d.PostCKafka)})
}

// SeedWAFFlow adds a CLS delivery flow (made by someone else) with its logset and topic in clsRegion, and
// returns the flow's ID.
func (s *Server) SeedWAFFlow(logType int64, clsRegion, logsetName, topicName string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addWAFFlow(logType, clsRegion, logsetName, topicName).id
}

// SetWAFAbsentCode makes DescribeInstances of an account without WAF answer code instead of an empty list
// ("" restores the empty list).
func (s *Server) SetWAFAbsentCode(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waf.absentCode = code
}

// WAFSwitches returns, for tests, each domain's access-log switch ("access-log:<domain>") and CLS delivery
// ("post-cls:<domain>"), and each instance's attack-log delivery ("attack-log:<instance>").
func (s *Server) WAFSwitches() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, d := range s.waf.domains {
		out["access-log:"+d.domain] = d.clsStatus == 1
		out["post-cls:"+d.domain] = d.postCLS == 1
	}
	for _, i := range s.waf.instances {
		out["attack-log:"+i.id] = i.attackLogPost == 1
	}
	return out
}

// WAFFlowCount is how many CLS delivery flows the account has.
func (s *Server) WAFFlowCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.waf.flows)
}

// addWAFFlow makes a flow, and its logset and topic when CLS has none of those names: the Security Center
// page on Tencent logs says WAF's log-service authorisation creates the logset waf_post_logset; the
// CreatePostCLSFlow page names the logset and topic by name only.
func (s *Server) addWAFFlow(logType int64, clsRegion, logsetName, topicName string) *wafFlow {
	if !slices.Contains(s.regions, clsRegion) {
		s.regions = append(s.regions, clsRegion)
	}
	cr := s.clsRegion(clsRegion)
	var ls *logset
	for _, l := range cr.logsets {
		if l.name == logsetName {
			ls = l
		}
	}
	if ls == nil {
		ls = &logset{id: newUUID(), name: logsetName, created: s.now()}
		cr.logsets = append(cr.logsets, ls)
	}
	var topic *clsTopic
	for _, t := range cr.topics {
		if t.logsetID == ls.id && t.name == topicName {
			topic = t
		}
	}
	if topic == nil {
		topic = &clsTopic{id: newUUID(), name: topicName, logsetID: ls.id, partitions: 1, maxSplit: 50, period: 30, autoSplit: true,
			storageType: "hot", created: s.now()}
		cr.topics = append(cr.topics, topic)
	}
	s.waf.nextFlow++
	f := &wafFlow{id: s.waf.nextFlow, logType: logType, status: 1, clsRegion: clsRegion, logsetName: logsetName, topicName: topicName,
		logsetID: ls.id, topicID: topic.id}
	s.waf.flows = append(s.waf.flows, f)
	return f
}

func (s *Server) wafActions() map[string]handler {
	return map[string]handler{
		"DescribeDomains":             {fn: s.describeWAFDomains},
		"DescribeInstances":           {fn: s.describeWAFInstances},
		"DescribePostCLSFlows":        {fn: s.describePostCLSFlows},
		"CreatePostCLSFlow":           {fn: s.createPostCLSFlow, mutating: true},
		"DestroyPostCLSFlow":          {fn: s.destroyPostCLSFlow, mutating: true},
		"ModifyDomainsCLSStatus":      {fn: s.modifyDomainsCLSStatus, mutating: true},
		"ModifyDomainPostAction":      {fn: s.modifyDomainPostAction, mutating: true},
		"ModifyInstanceAttackLogPost": {fn: s.modifyInstanceAttackLogPost, mutating: true},
	}
}

// wafFlowRegion refuses the delivery-flow actions outside the regions their API pages name ("this API only
// supports ap-guangzhou, ap-seoul": https://cloud.tencent.com/document/api/627/116946 and /116945); the
// code is the common one for a region a product does not serve.
func wafFlowRegion(r *request) *apiError {
	if r.region != "ap-guangzhou" && r.region != "ap-seoul" {
		return errorf("UnsupportedRegion", "%s is not served in region %q: only ap-guangzhou and ap-seoul", r.action, r.region)
	}
	return nil
}

type wafFilter struct {
	Name       *string
	Values     []string
	ExactMatch *bool
}

// wafPage answers one Offset/Limit page of n items (DescribeInstances, DescribeDomains: "Offset ... Limit").
func wafPage(offset, limit int64, n int) (int, int) {
	lo := min(max(int(offset), 0), n)
	hi := min(lo+max(int(limit), 0), n)
	return lo, hi
}

func (s *Server) describeWAFInstances(r *request) (any, *apiError) {
	var in struct {
		Offset, Limit *int64
		Filters       []wafFilter
		FreeDelayFlag *uint64
	}
	if e := decode(r, &in, "Offset", "Limit"); e != nil {
		return nil, e
	}
	if len(s.waf.instances) == 0 && s.waf.absentCode != "" {
		return nil, errorf(s.waf.absentCode, "the account has not purchased WAF")
	}
	lo, hi := wafPage(*in.Offset, *in.Limit, len(s.waf.instances))
	items := []map[string]any{}
	for _, i := range s.waf.instances[lo:hi] {
		items = append(items, map[string]any{"InstanceId": i.id, "InstanceName": i.name, "ResourceIds": i.id, "Region": i.region,
			"PayMode": 1, "RenewFlag": 0, "Mode": 0, "Level": i.level, "ValidTime": "2027-01-01 00:00:00", "BeginTime": "2026-01-01 00:00:00",
			"DomainCount": s.domainCount(i.id), "SubDomainLimit": 10, "MainDomainCount": s.domainCount(i.id), "MainDomainLimit": 10,
			"MaxQPS": 0, "AppId": s.appID, "Edition": i.edition, "AttackLogPost": i.attackLogPost})
	}
	return map[string]any{"Total": len(s.waf.instances), "Instances": items}, nil
}

func (s *Server) domainCount(instanceID string) int {
	n := 0
	for _, d := range s.waf.domains {
		if d.instanceID == instanceID {
			n++
		}
	}
	return n
}

func (s *Server) describeWAFDomains(r *request) (any, *apiError) {
	var in struct {
		Offset, Limit *int64
		Filters       []wafFilter
	}
	if e := decode(r, &in, "Offset", "Limit"); e != nil {
		return nil, e
	}
	list := s.waf.domains
	for _, f := range in.Filters {
		if f.Name != nil && *f.Name == "Domain" {
			list = slices.DeleteFunc(slices.Clone(list), func(d *wafDomain) bool { return !slices.Contains(f.Values, d.domain) })
		}
	}
	lo, hi := wafPage(*in.Offset, *in.Limit, len(list))
	items := []map[string]any{}
	for _, d := range list[lo:hi] {
		region := ""
		for _, i := range s.waf.instances {
			if i.id == d.instanceID {
				region = i.region
			}
		}
		items = append(items, map[string]any{"Domain": d.domain, "DomainId": d.id, "InstanceId": d.instanceID, "Cname": d.domain + ".waf.tencent-cloud.com",
			"Edition": d.edition, "Region": region, "InstanceName": "", "ClsStatus": d.clsStatus, "FlowMode": 0, "Status": 1, "Mode": 1, "Engine": 20,
			"CCList": []string{}, "RsList": []string{}, "Ports": []any{}, "LoadBalancerSet": []any{}, "AppId": s.appID, "State": 0,
			"PostCLSStatus": d.postCLS, "PostCKafkaStatus": d.postCKafka})
	}
	return map[string]any{"Total": len(list), "Domains": items}, nil
}

func (s *Server) describePostCLSFlows(r *request) (any, *apiError) {
	if e := wafFlowRegion(r); e != nil {
		return nil, e
	}
	var in struct{ LogType *int64 }
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	logType := int64(1) // "1-access log, 2-attack log, default access log"
	if in.LogType != nil {
		logType = *in.LogType
	}
	flows := []map[string]any{}
	for _, f := range s.waf.flows {
		if f.logType == logType {
			flows = append(flows, map[string]any{"FlowId": f.id, "LogType": f.logType, "Status": f.status, "CLSRegion": f.clsRegion,
				"LogsetName": f.logsetName, "LogsetID": f.logsetID, "LogTopicName": f.topicName, "LogTopicID": f.topicID})
		}
	}
	return map[string]any{"PostCLSFlows": flows}, nil
}

func (s *Server) createPostCLSFlow(r *request) (any, *apiError) {
	if e := wafFlowRegion(r); e != nil {
		return nil, e
	}
	var in struct {
		CLSRegion, LogsetName, LogTopicName *string
		LogType                             *int64
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	// Defaults of the CreatePostCLSFlow page: ap-shanghai, waf_post_logset, access log, waf_post_logtopic.
	region, logsetName, topicName, logType := "ap-shanghai", "waf_post_logset", "waf_post_logtopic", int64(1)
	if in.CLSRegion != nil {
		region = *in.CLSRegion
	}
	if in.LogsetName != nil {
		logsetName = *in.LogsetName
	}
	if in.LogTopicName != nil {
		topicName = *in.LogTopicName
	}
	if in.LogType != nil {
		logType = *in.LogType
	}
	if logType != 1 && logType != 2 {
		return nil, errorf("InvalidParameter", "LogType must be 1 (access log) or 2 (attack log)")
	}
	if len(s.waf.instances) == 0 {
		return nil, errorf("ResourceNotFound", "the account has no WAF instance")
	}
	// One flow per log type: the docs are silent; the emulator refuses a second one.
	for _, f := range s.waf.flows {
		if f.logType == logType {
			return nil, errorf("FailedOperation", "a CLS delivery flow of log type %d exists (flow %d)", logType, f.id)
		}
	}
	s.addWAFFlow(logType, region, logsetName, topicName)
	return map[string]any{}, nil
}

func (s *Server) destroyPostCLSFlow(r *request) (any, *apiError) {
	if e := wafFlowRegion(r); e != nil {
		return nil, e
	}
	var in struct {
		FlowId  *uint64
		LogType *int64
	}
	if e := decode(r, &in, "FlowId"); e != nil {
		return nil, e
	}
	i := slices.IndexFunc(s.waf.flows, func(f *wafFlow) bool { return f.id == *in.FlowId })
	if i < 0 {
		return nil, errorf("ResourceNotFound", "no CLS delivery flow %d", *in.FlowId)
	}
	// The logset and topic stay: CLS's, whichever made them.
	s.waf.flows = slices.Delete(s.waf.flows, i, i+1)
	return map[string]any{}, nil
}

func (s *Server) wafDomain(name string) *wafDomain {
	for _, d := range s.waf.domains {
		if d.domain == name {
			return d
		}
	}
	return nil
}

func (s *Server) modifyDomainsCLSStatus(r *request) (any, *apiError) {
	var in struct {
		Domains []struct{ Domain, Edition, InstanceID *string }
		Status  *uint64
	}
	if e := decode(r, &in, "Domains", "Status"); e != nil {
		return nil, e
	}
	if *in.Status > 1 {
		return nil, errorf("InvalidParameter", "Status must be 0 or 1")
	}
	var found []*wafDomain
	for _, d := range in.Domains {
		if d.Domain == nil || d.Edition == nil {
			return nil, errorf("MissingParameter", "Domains.Domain and Domains.Edition are required")
		}
		wd := s.wafDomain(*d.Domain)
		if wd == nil || (d.InstanceID != nil && *d.InstanceID != "" && *d.InstanceID != wd.instanceID) {
			return nil, errorf("ResourceNotFound", "no WAF domain %s", *d.Domain)
		}
		found = append(found, wd)
	}
	for _, wd := range found {
		wd.clsStatus = int64(*in.Status)
	}
	return map[string]any{}, nil
}

func (s *Server) modifyDomainPostAction(r *request) (any, *apiError) {
	var in struct {
		Domain                          *string
		PostCLSAction, PostCKafkaAction *int64
	}
	if e := decode(r, &in, "Domain", "PostCLSAction", "PostCKafkaAction"); e != nil {
		return nil, e
	}
	wd := s.wafDomain(*in.Domain)
	if wd == nil {
		return nil, errorf("ResourceNotFound", "no WAF domain %s", *in.Domain)
	}
	if *in.PostCLSAction > 1 || *in.PostCKafkaAction > 1 || *in.PostCLSAction < 0 || *in.PostCKafkaAction < 0 {
		return nil, errorf("InvalidParameter", "PostCLSAction and PostCKafkaAction must be 0 or 1")
	}
	wd.postCLS, wd.postCKafka = *in.PostCLSAction, *in.PostCKafkaAction
	return map[string]any{}, nil
}

// modifyInstanceAttackLogPost follows the models' description: "enterprise edition and above can turn it
// on, otherwise an error is returned" (the code is unconfirmed: UnsupportedOperation).
func (s *Server) modifyInstanceAttackLogPost(r *request) (any, *apiError) {
	var in struct {
		InstanceId    *string
		AttackLogPost *int64
	}
	if e := decode(r, &in, "InstanceId", "AttackLogPost"); e != nil {
		return nil, e
	}
	i := slices.IndexFunc(s.waf.instances, func(w *wafInstance) bool { return w.id == *in.InstanceId })
	if i < 0 {
		return nil, errorf("ResourceNotFound", "no WAF instance %s", *in.InstanceId)
	}
	w := s.waf.instances[i]
	if *in.AttackLogPost == 1 && (w.level < 3 || w.level >= 100) {
		return nil, errorf("UnsupportedOperation", "attack-log delivery needs the enterprise edition or above; instance %s is level %d", w.id, w.level)
	}
	w.attackLogPost = *in.AttackLogPost
	return map[string]any{}, nil
}
