package sas

import (
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"onboard/emulator/tcloud"
)

// Install codes and the host list with agent status (docs/facts/agent-install.md):
// AddInstallCode (https://help.aliyun.com/document_detail/443629.htm) answers only its RequestId;
// DescribeInstallCodes (https://help.aliyun.com/document_detail/354818.htm) lists the codes;
// DescribeCloudCenterInstances (https://help.aliyun.com/document_detail/141932.html) lists the servers with
// ClientStatus. A server shows up online once an agent installed with a valid code of this account
// connects: ConnectAgent, which the emulated TAT calls when it ran the installer.

type installCode struct {
	code, vendorName, os string
	expires              time.Time
	onlyImage            bool
	proxy                string
	groupID              int64
}

type agentHost struct {
	instanceID, region, os, vendorName string
	online                             bool
	since                              time.Time
}

// vendorNames are DescribeVendorList's answer, with Tencent Cloud's entry spelled as configured.
func (s *Server) vendorNames() []string {
	return []string{s.tencentVendorName(), "HUAWEICLOUD", "Azure", "AWS", "VOLCENGINE", "google"}
}

// tencentVendorName is Tencent Cloud's entry of DescribeVendorList: the docs spell it both "Tencent"
// and "TENCENT" (docs/facts/agent-install.md); Options.TencentVendorName plays either.
func (s *Server) tencentVendorName() string {
	if s.opts.TencentVendorName != "" {
		return s.opts.TencentVendorName
	}
	return "Tencent"
}

func (s *Server) addInstallCode(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("GroupId", "Os", "ExpiredDate", "VendorName", "OnlyImage", "ProxyCluster", "PrivateLinkId"); e != nil {
		return nil, e
	}
	os, e := p.str("Os", false)
	if e != nil {
		return nil, e
	}
	if os == "" {
		os = "linux" // "默认值为 linux"
	}
	if os != "linux" && os != "windows" {
		return nil, errorf(400, "InvalidParameter", "Os %q: valid values are linux, windows", os)
	}
	vendor, e := p.str("VendorName", false)
	if e != nil {
		return nil, e
	}
	if vendor == "" {
		vendor = "ALIYUN" // "默认 ALIYUN"
	}
	if vendor != "ALIYUN" && !slices.Contains(s.vendorNames(), vendor) {
		return nil, errorf(400, "InvalidParameter", "VendorName %q is not a service provider of DescribeVendorList", vendor)
	}
	expires := s.opts.Now().Add(7 * 24 * time.Hour) // the default validity is not documented
	if ms, given, e := p.int("ExpiredDate", false); e != nil {
		return nil, e
	} else if given {
		expires = time.UnixMilli(ms)
		if !expires.After(s.opts.Now()) {
			return nil, errorf(400, "InvalidParameter", "ExpiredDate is in the past")
		}
	}
	onlyImage, e := p.bool("OnlyImage")
	if e != nil {
		return nil, e
	}
	proxy, e := p.str("ProxyCluster", false)
	if e != nil {
		return nil, e
	}
	group, _, e := p.int("GroupId", false)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.state.installCodes = append(r.state.installCodes, &installCode{code: newInstallCode(), vendorName: vendor, os: os,
		expires: expires, onlyImage: onlyImage, proxy: proxy, groupID: group})
	return map[string]any{}, nil
}

// newInstallCode is six letters and digits, as the documented examples ("15v02r").
func newInstallCode() string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

func (s *Server) describeInstallCodes(r *request) (map[string]any, *apiError) {
	if e := r.params.check(); e != nil {
		return nil, e
	}
	list := []map[string]any{}
	for _, c := range r.state.installCodes {
		list = append(list, map[string]any{"OnlyImage": c.onlyImage, "CaptchaCode": c.code, "GroupId": c.groupID, "GroupName": "default",
			"ExpiredDate": c.expires.UnixMilli(), "VendorName": c.vendorName, "Os": c.os, "ProxyCluster": c.proxy})
	}
	return map[string]any{"InstallCodes": list}, nil
}

func (s *Server) describeCloudCenterInstances(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("RegionId", "Criteria", "MachineTypes", "LogicalExp", "PageSize", "CurrentPage", "Importance", "NoGroupTrace",
		"UseNextToken", "NextToken", "Flags"); e != nil {
		return nil, e
	}
	page, given, e := p.int("CurrentPage", false)
	if e != nil {
		return nil, e
	}
	if !given {
		page = 1
	}
	size, given, e := p.int("PageSize", false)
	if e != nil {
		return nil, e
	}
	if !given {
		size = 20
	}
	if page < 1 || size < 1 || size > 100 {
		return nil, errorf(400, "InvalidParameter", "CurrentPage must be 1 or more and PageSize between 1 and 100")
	}
	var ids []string
	if c := p["Criteria"]; c != "" {
		var criteria []struct{ Name, Value string }
		if json.Unmarshal([]byte(c), &criteria) != nil {
			return nil, errorf(400, "InvalidParameter", "Criteria is not a JSON list of {name, value}")
		}
		for _, cr := range criteria {
			if cr.Name == "instanceId" {
				ids = append(ids, cr.Value)
			}
		}
	}
	var hosts []*agentHost
	for _, h := range r.state.hosts {
		if len(ids) == 0 || slices.Contains(ids, h.instanceID) {
			hosts = append(hosts, h)
		}
	}
	slices.SortFunc(hosts, func(a, b *agentHost) int { return strings.Compare(a.instanceID, b.instanceID) })
	total := len(hosts)
	from, to := min(int((page-1)*size), total), min(int(page*size), total)
	list := []map[string]any{}
	for _, h := range hosts[from:to] {
		status := "offline"
		if h.online {
			status = "online"
		}
		list = append(list, map[string]any{"InstanceId": h.instanceID, "Uuid": "inet-" + h.instanceID, "ClientStatus": status,
			"ClientSubStatus": status, "Vendor": 3, "VendorName": h.vendorName, "RegionId": h.region, "Os": strings.ToLower(h.os),
			"Flag": 1, "AssetType": "ecs", "LastLoginTimestamp": h.since.UnixMilli()})
	}
	return map[string]any{"Instances": list, "PageInfo": map[string]any{"Count": len(list), "CurrentPage": page, "PageSize": size, "TotalCount": total},
		"Success": true}, nil
}

// ConnectAgent is an agent that the emulated TAT installed calling home with its install code: a code
// this Security Center issued, unexpired, for the host's OS and for Tencent Cloud, brings the host
// online; any other code is refused and changes nothing. It reports whether the host came online.
func (s *Server) ConnectAgent(a tcloud.AgentInstall) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	for _, acc := range s.accounts {
		for _, st := range acc.sites {
			for _, c := range st.installCodes {
				if c.code != a.Code || !c.expires.After(now) || !strings.EqualFold(c.os, a.OS) ||
					!strings.EqualFold(c.vendorName, s.tencentVendorName()) || c.onlyImage {
					continue
				}
				st.hosts[a.InstanceID] = &agentHost{instanceID: a.InstanceID, region: a.Region, os: a.OS, vendorName: c.vendorName, online: true, since: now}
				return true
			}
		}
	}
	s.refusedAgents = append(s.refusedAgents, a.InstanceID)
	return false
}

// RefusedAgents are the instances whose agent called home with a code no account holds, for tests.
func (s *Server) RefusedAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refusedAgents)
}

// InstallCodeValues are every install code the emulator issued, for tests that check none leaks.
func (s *Server) InstallCodeValues() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, acc := range s.accounts {
		for _, st := range acc.sites {
			for _, c := range st.installCodes {
				out = append(out, c.code)
			}
		}
	}
	return out
}

// listSyncedHosts adds the region's CVM and Lighthouse servers, as the submitted key lists them, to the
// host list: a synced server is listed with its agent offline until an agent connects. A listing that
// fails (a key without the Lighthouse grant) adds nothing.
func (s *Server) listSyncedHosts(key tencentKey, region string, st *siteState) {
	var ids []string
	for _, product := range []string{"cvm", "lighthouse"} {
		for offset := 0; ; offset += 100 {
			var page struct {
				TotalCount  int
				InstanceSet []struct{ InstanceId, OsName string }
			}
			if s.tc.call(s.ctx, key, product, "DescribeInstances", region, map[string]any{"Offset": offset, "Limit": 100}, &page) != nil {
				break
			}
			for _, in := range page.InstanceSet {
				ids = append(ids, in.InstanceId)
			}
			if len(page.InstanceSet) == 0 || offset+100 >= page.TotalCount {
				break
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if st.hosts[id] == nil {
			st.hosts[id] = &agentHost{instanceID: id, region: region, vendorName: s.tencentVendorName()}
		}
	}
}
