package policy

import (
	"slices"
	"strings"
)

// CSPMProduct is one Tencent Cloud product whose configuration CSPM checks read, and the read-only
// actions cspmPolicy grants for those checks. Source is the page that names the product's checks.
type CSPMProduct struct {
	Product string
	Actions []string
	Source  string
	// Gap says why cspmPolicy does not cover the product yet; empty when it does.
	Gap string
}

// Pages the products come from: Security Center's Tencent Cloud procedure names the CSPM grant (every
// cloud resource, read-only, and CAM); its CSPM page says Tencent Cloud is a checked provider; Tencent's
// own list of configuration check items names the products and what each check reads.
const (
	sourceProcedure   = "https://help.aliyun.com/en/security-center/user-guide/add-tencent-cloud-assets-through-api-key"
	sourceCSPM        = "https://www.alibabacloud.com/help/en/security-center/user-guide/use-cloud-platform-configuration-check"
	sourceTencentList = "https://www.tencentcloud.com/document/product/1079/41573"
)

// cspmProducts is what cspmPolicy is meant to cover, product by product; a test checks the template
// against it, so a product without its reads is visible.
var cspmProducts = []CSPMProduct{
	{Product: "CVM (instances, key pairs)", Source: sourceProcedure,
		Actions: []string{"cvm:DescribeInstances", "cvm:DescribeRegions", "cvm:DescribeKeyPairs"}},
	{Product: "Lighthouse (instances, firewall rules)", Source: sourceProcedure,
		Actions: []string{"lighthouse:DescribeInstances", "lighthouse:DescribeRegions", "lighthouse:DescribeFirewallRules"}},
	{Product: "VPC (networks, subnets, security groups and their rules, network ACLs, flow logs)", Source: sourceTencentList,
		Actions: []string{"vpc:DescribeVpcs", "vpc:DescribeSubnets", "vpc:DescribeSecurityGroups", "vpc:DescribeSecurityGroupPolicies",
			"vpc:DescribeNetworkAcls", "vpc:DescribeFlowLogs"}},
	{Product: "CBS (disks, snapshots)", Source: sourceCSPM, Actions: []string{"cbs:DescribeDisks", "cbs:DescribeSnapshots"}},
	{Product: "CLB (load balancers, listeners, bound certificates)", Source: sourceTencentList,
		Actions: []string{"clb:DescribeLoadBalancers", "clb:DescribeListeners", "clb:DescribeLoadBalancersDetail"}},
	{Product: "TencentDB for MySQL (instances, security groups, configuration, backups)", Source: sourceTencentList,
		Actions: []string{"cdb:DescribeDBInstances", "cdb:DescribeDBSecurityGroups", "cdb:DescribeDBInstanceConfig", "cdb:DescribeBackupConfig"}},
	{Product: "CAM (users, groups, policies, keys, MFA and account protection, password rules)", Source: sourceTencentList,
		Actions: []string{"cam:GetUserAppId", "cam:ListUsers", "cam:ListGroups", "cam:ListPolicies", "cam:ListAttachedUserPolicies",
			"cam:ListAttachedGroupPolicies", "cam:ListAccessKeys", "cam:GetAccountSummary", "cam:GetPasswordRules", "cam:DescribeSafeAuthFlagColl"}},
	{Product: "CloudAudit (tracking sets)", Source: sourceCSPM, Actions: []string{"cloudaudit:DescribeAuditTracks", "cloudaudit:DescribeAuditTrack"}},
	{Product: "CLS (logsets, topics)", Source: sourceCSPM, Actions: []string{"cls:DescribeLogsets", "cls:DescribeTopics"}},
	{Product: "COS (bucket ACLs, policies, CORS, referer)", Source: sourceTencentList,
		Gap: "COS's bucket reads (cos:GetBucketACL, cos:GetBucketPolicy) are not in the action catalogue this version checks against"},
	{Product: "CDN (IP access limits)", Source: sourceTencentList, Gap: "cdn actions are not in the action catalogue this version checks against"},
	{Product: "Cloud Firewall (protection of CVM, NAT, VPN and CLB)", Source: sourceTencentList,
		Gap: "the reads of Cloud Firewall's switches are granted to Agentic SOC (siemPolicy), not to CSPM"},
}

// CSPMProducts lists the products CSPM checks read, with the actions cspmPolicy grants for each.
func CSPMProducts() []CSPMProduct {
	out := slices.Clone(cspmProducts)
	for i := range out {
		out[i].Actions = slices.Clone(out[i].Actions)
	}
	return out
}

// ReadOnlyAction reports whether an action only reads, by the naming CAM's APIs follow.
func ReadOnlyAction(action string) bool {
	_, api, ok := strings.Cut(strings.TrimPrefix(action, "name/"), ":")
	if !ok {
		return false
	}
	for _, prefix := range []string{"Describe", "List", "Get", "Inquiry", "Inquire"} {
		if strings.HasPrefix(api, prefix) {
			return true
		}
	}
	return false
}

// Coverage compares a custom policy document with the preset grants it replaces, by service: the services
// both allow some action of, and those only the presets do. The presets' documents are this package's.
func Coverage(custom []byte, presets []string) (covered, presetOnly []string, err error) {
	doc, err := Parse(custom)
	if err != nil {
		return nil, nil, err
	}
	mine := services(doc)
	seen := map[string]bool{}
	for _, name := range presets {
		data, ok := Preset(name)
		if !ok {
			continue
		}
		pd, err := Parse(data)
		if err != nil {
			continue
		}
		for s := range services(pd) {
			if seen[s] {
				continue
			}
			seen[s] = true
			if mine[s] {
				covered = append(covered, s)
			} else {
				presetOnly = append(presetOnly, s)
			}
		}
	}
	slices.Sort(covered)
	slices.Sort(presetOnly)
	return covered, presetOnly, nil
}

// services are the services a document allows some action of.
func services(doc *Document) map[string]bool {
	out := map[string]bool{}
	for _, s := range doc.Statements {
		if s.Effect != Allow {
			continue
		}
		for _, a := range s.Actions {
			svc, _, _ := strings.Cut(strings.TrimPrefix(a, "name/"), ":")
			out[strings.ToLower(svc)] = true
		}
	}
	return out
}
