package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Features Security Center can be given access to; each maps to a set of grants.
const (
	FeatureHost  = "host"  // host assets (Security Center module HOST)
	FeatureCSPM  = "cspm"  // cloud product configuration checks (CSPM)
	FeatureSOC   = "soc"   // Agentic SOC threat response: IP block/allow lists (SIEM)
	FeatureAudit = "audit" // CIEM audit logs consumed over Kafka (TRIAL)
)

// Features returns the feature names in onboarding order.
func Features() []string { return []string{FeatureHost, FeatureCSPM, FeatureSOC, FeatureAudit} }

// Names of the preset policies the grants refer to. Presets are attached by name, resolved to an ID
// at run time; their IDs are not documented.
const (
	PresetCVMReadOnly           = "QcloudCVMReadOnlyAccess"
	PresetLighthouseReadOnly    = "QcloudLighthouseReadOnlyAccess"
	PresetCloudResourceReadOnly = "CloudResourceReadOnlyAccess"
	PresetCamReadOnly           = "QcloudCamReadOnlyAccess"
	PresetReadOnly              = "ReadOnlyAccess"
)

// Names of the custom policies the project authors (templates/).
const (
	CSPMPolicy = "cspmPolicy"
	SIEMPolicy = "siemPolicy"
	CIEMPolicy = "ciemPolicy"
)

// CSPMMode chooses how CSPM is granted.
type CSPMMode string

// CSPM grant modes.
const (
	// CSPMPreset attaches CloudResourceReadOnlyAccess and QcloudCamReadOnlyAccess, as Security Center's
	// CSPM page asks.
	CSPMPreset CSPMMode = "preset"
	// CSPMCustom attaches the project's least-privilege cspmPolicy instead.
	CSPMCustom CSPMMode = "custom"
)

// Grant is one policy to attach: a preset by name, or one of the custom policies (templates).
type Grant struct {
	Name   string
	Preset bool
}

// Grants returns the policies a feature needs. mode matters only for cspm ("" means preset, the
// documented procedure); lighthouse adds QcloudLighthouseReadOnlyAccess to host for Lighthouse servers.
func Grants(feature string, mode CSPMMode, lighthouse bool) ([]Grant, error) {
	switch feature {
	case FeatureHost:
		g := []Grant{{Name: PresetCVMReadOnly, Preset: true}}
		if lighthouse {
			g = append(g, Grant{Name: PresetLighthouseReadOnly, Preset: true})
		}
		return g, nil
	case FeatureCSPM:
		switch mode {
		case CSPMPreset, "":
			return []Grant{{Name: PresetCloudResourceReadOnly, Preset: true}, {Name: PresetCamReadOnly, Preset: true}}, nil
		case CSPMCustom:
			return []Grant{{Name: CSPMPolicy}}, nil
		}
		return nil, fmt.Errorf("cspm grant mode %q: valid modes are %s, %s", mode, CSPMPreset, CSPMCustom)
	case FeatureSOC:
		return []Grant{{Name: SIEMPolicy}}, nil
	case FeatureAudit:
		return []Grant{{Name: CIEMPolicy}}, nil
	}
	return nil, unknownFeature(feature)
}

func unknownFeature(f string) error {
	return fmt.Errorf("unknown feature %q: valid features are %s", f, strings.Join(Features(), ", "))
}

// Call is one API call made with the sub-user's key: by onboard (permission probe, asset sync) or by
// Security Center for a feature.
type Call struct {
	Service string
	Action  string
	// Resource is "*" (operation-level or list calls) or a six-segment pattern with placeholders
	// (${CLS_Region_ID}, ${Root_Account_ID}, ${CLS_Logset_ID}, ${CLS_Topic_ID}); see ResourceFor.
	Resource string
	// Probe marks a safe, cheap read that the onboarding engine may call to verify the grant works.
	Probe bool
	// Lighthouse marks a call needed only when Lighthouse servers are onboarded.
	Lighthouse bool
}

// Name returns "<service>:<Action>".
func (c Call) Name() string { return c.Service + ":" + c.Action }

// ResourceFor renders the call's resource with v; placeholders are checked as in Render.
func (c Call) ResourceFor(v Values) (string, error) {
	out, err := fill(c.Resource, v, nil)
	if err != nil {
		return "", fmt.Errorf("resource of %s: %w", c.Name(), err)
	}
	return out, nil
}

const (
	clsTopicResource  = "qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"
	clsLogsetResource = "qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:logset/${CLS_Logset_ID}"
)

// featureCalls is the one table of what each feature's grants must allow. The onboarding engine's
// permission probe reads it (Probe entries), and tests check every grant set against it.
var featureCalls = map[string][]Call{
	FeatureHost: {
		{Service: "cvm", Action: "DescribeRegions", Resource: "*", Probe: true},
		{Service: "cvm", Action: "DescribeInstances", Resource: "*", Probe: true},
		{Service: "lighthouse", Action: "DescribeRegions", Resource: "*", Probe: true, Lighthouse: true},
		{Service: "lighthouse", Action: "DescribeInstances", Resource: "*", Probe: true, Lighthouse: true},
	},
	FeatureCSPM: {
		// inventory
		{Service: "cvm", Action: "DescribeRegions", Resource: "*", Probe: true},
		{Service: "cvm", Action: "DescribeInstances", Resource: "*"},
		{Service: "lighthouse", Action: "DescribeRegions", Resource: "*"},
		{Service: "lighthouse", Action: "DescribeInstances", Resource: "*"},
		{Service: "vpc", Action: "DescribeVpcs", Resource: "*", Probe: true},
		{Service: "vpc", Action: "DescribeSubnets", Resource: "*"},
		{Service: "vpc", Action: "DescribeSecurityGroups", Resource: "*"},
		{Service: "cbs", Action: "DescribeDisks", Resource: "*"},
		{Service: "clb", Action: "DescribeLoadBalancers", Resource: "*"},
		{Service: "cdb", Action: "DescribeDBInstances", Resource: "*"},
		// posture reads
		{Service: "vpc", Action: "DescribeSecurityGroupPolicies", Resource: "*"},
		{Service: "clb", Action: "DescribeListeners", Resource: "*"},
		{Service: "cdb", Action: "DescribeDBSecurityGroups", Resource: "*"},
		{Service: "lighthouse", Action: "DescribeFirewallRules", Resource: "*"},
		{Service: "cam", Action: "GetUserAppId", Resource: "*", Probe: true},
		{Service: "cam", Action: "ListUsers", Resource: "*"},
		{Service: "cam", Action: "ListPolicies", Resource: "*"},
		{Service: "cam", Action: "ListAttachedUserPolicies", Resource: "*"},
		{Service: "cam", Action: "ListAccessKeys", Resource: "*"},
		{Service: "cam", Action: "GetAccountSummary", Resource: "*"},
		{Service: "cloudaudit", Action: "DescribeAuditTracks", Resource: "*"},
		{Service: "cls", Action: "DescribeLogsets", Resource: "*"},
		{Service: "cls", Action: "DescribeTopics", Resource: "*"},
		// configuration checks of the products CSPMProducts lists
		{Service: "cvm", Action: "DescribeKeyPairs", Resource: "*"},
		{Service: "cbs", Action: "DescribeSnapshots", Resource: "*"},
		{Service: "clb", Action: "DescribeLoadBalancersDetail", Resource: "*"},
		{Service: "cdb", Action: "DescribeDBInstanceConfig", Resource: "*"},
		{Service: "cdb", Action: "DescribeBackupConfig", Resource: "*"},
		{Service: "vpc", Action: "DescribeNetworkAcls", Resource: "*"},
		{Service: "vpc", Action: "DescribeFlowLogs", Resource: "*"},
		{Service: "cam", Action: "ListGroups", Resource: "*"},
		{Service: "cam", Action: "ListAttachedGroupPolicies", Resource: "*"},
		{Service: "cam", Action: "GetPasswordRules", Resource: "*"},
		{Service: "cam", Action: "DescribeSafeAuthFlagColl", Resource: "*"},
		{Service: "cloudaudit", Action: "DescribeAuditTrack", Resource: "*"},
	},
	FeatureSOC: {
		{Service: "cfw", Action: "DescribeBlockIgnoreList", Resource: "*", Probe: true},
		{Service: "cfw", Action: "CreateBlockIgnoreRuleList", Resource: "*"},
		{Service: "cfw", Action: "DeleteBlockIgnoreRuleList", Resource: "*"},
		{Service: "cfw", Action: "CreateBlockIgnoreRuleNew", Resource: "*"},
		{Service: "cfw", Action: "DeleteBlockIgnoreRuleNew", Resource: "*"},
		{Service: "cfw", Action: "ModifyBlockIgnoreList", Resource: "*"},
		{Service: "waf", Action: "DescribeDomains", Resource: "*", Probe: true},
		{Service: "waf", Action: "DescribeInstances", Resource: "*"},
		{Service: "waf", Action: "DescribeIpAccessControl", Resource: "*"},
		{Service: "waf", Action: "CreateIpAccessControl", Resource: "*"},
		{Service: "waf", Action: "ModifyIpAccessControl", Resource: "*"},
		{Service: "waf", Action: "DeleteIpAccessControlV2", Resource: "*"},
		{Service: "waf", Action: "UpsertIpAccessControl", Resource: "*"},
		// Kafka consumption of the WAF log topics (onboard soc logs) with this key: the reads CLS's Kafka
		// consumption names where CAM checks them (docs/facts/soc-logs.md).
		{Service: "cls", Action: "DescribeLogsets", Resource: "*"},
		{Service: "cls", Action: "DescribeTopics", Resource: "*"},
		{Service: "cls", Action: "DescribeKafkaConsumer", Resource: "*"},
	},
	FeatureAudit: {
		{Service: "cls", Action: "DescribeLogsets", Resource: "*", Probe: true},
		{Service: "cls", Action: "DescribeTopics", Resource: "*", Probe: true},
		{Service: "cls", Action: "DescribeKafkaConsumer", Resource: clsTopicResource, Probe: true},
		{Service: "cls", Action: "DescribeKafkaConsumerGroupList", Resource: clsTopicResource},
		{Service: "cls", Action: "DescribeKafkaConsumerGroupDetail", Resource: clsTopicResource},
		{Service: "cls", Action: "SearchLog", Resource: clsTopicResource},
	},
}

// FeatureCalls returns the calls made with the sub-user's key for feature; with lighthouse false, the
// Lighthouse-only calls are left out.
func FeatureCalls(feature string, lighthouse bool) ([]Call, error) {
	calls, ok := featureCalls[feature]
	if !ok {
		return nil, unknownFeature(feature)
	}
	out := make([]Call, 0, len(calls))
	for _, c := range calls {
		if c.Lighthouse && !lighthouse {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// Resources outside the onboarded logset and topic, used by SensitiveCalls: reading them is refused.
const (
	otherTopicResource = "qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/00000000-other-topic"
	otherRegionTopic   = "qcs::cls:ap-nowhere-1:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"
	instanceResource   = "qcs::cvm:${CLS_Region_ID}:uin/${Root_Account_ID}:instance/ins-00000001"
	userResource       = "qcs::cam::uin/${Root_Account_ID}:uin/100000000001"
)

// sensitiveCalls must be denied by every feature's grants: creating users or keys or changing
// grants, deleting or changing resources, reading logs outside the onboarded topic, and firewall
// changes beyond IP block/allow lists.
var sensitiveCalls = []Call{
	{Service: "cam", Action: "AddUser", Resource: "*"},
	{Service: "cam", Action: "DeleteUser", Resource: userResource},
	{Service: "cam", Action: "CreateAccessKey", Resource: userResource},
	{Service: "cam", Action: "UpdateAccessKey", Resource: userResource},
	{Service: "cam", Action: "DeleteAccessKey", Resource: userResource},
	{Service: "cam", Action: "CreatePolicy", Resource: "*"},
	{Service: "cam", Action: "UpdatePolicy", Resource: "*"},
	{Service: "cam", Action: "AttachUserPolicy", Resource: userResource},
	{Service: "cam", Action: "DetachUserPolicy", Resource: userResource},
	{Service: "cam", Action: "CreateRole", Resource: "*"},
	{Service: "cam", Action: "AttachRolePolicy", Resource: "*"},
	{Service: "sts", Action: "AssumeRole", Resource: "*"},
	{Service: "cvm", Action: "RunInstances", Resource: "*"},
	{Service: "cvm", Action: "TerminateInstances", Resource: instanceResource},
	{Service: "cvm", Action: "ResetInstancesPassword", Resource: instanceResource},
	{Service: "cvm", Action: "ModifyInstancesAttribute", Resource: instanceResource},
	{Service: "lighthouse", Action: "TerminateInstances", Resource: "*"},
	{Service: "lighthouse", Action: "CreateFirewallRules", Resource: "*"},
	{Service: "vpc", Action: "DeleteVpc", Resource: "*"},
	{Service: "vpc", Action: "CreateSecurityGroupPolicies", Resource: "*"},
	{Service: "vpc", Action: "ModifySecurityGroupPolicies", Resource: "*"},
	{Service: "cbs", Action: "TerminateDisks", Resource: "*"},
	{Service: "clb", Action: "DeleteLoadBalancer", Resource: "*"},
	{Service: "cdb", Action: "IsolateDBInstance", Resource: "*"},
	{Service: "cls", Action: "DeleteTopic", Resource: clsTopicResource},
	{Service: "cls", Action: "DeleteLogset", Resource: clsLogsetResource},
	{Service: "cls", Action: "ModifyTopic", Resource: clsTopicResource},
	{Service: "cls", Action: "CloseKafkaConsumer", Resource: clsTopicResource},
	{Service: "cls", Action: "ModifyKafkaConsumer", Resource: clsTopicResource},
	{Service: "cls", Action: "SearchLog", Resource: otherTopicResource},
	{Service: "cls", Action: "SearchLog", Resource: otherRegionTopic},
	{Service: "cloudaudit", Action: "DeleteAuditTrack", Resource: "*"},
	{Service: "cloudaudit", Action: "StopLogging", Resource: "*"},
	{Service: "cfw", Action: "ModifyAllRuleStatus", Resource: "*"},
	{Service: "cfw", Action: "DeleteAcRule", Resource: "*"},
	{Service: "cfw", Action: "ModifyAcRule", Resource: "*"},
	{Service: "cfw", Action: "ModifyAllPublicIPSwitchStatus", Resource: "*"},
	{Service: "cfw", Action: "ModifyNatFwSwitch", Resource: "*"},
	{Service: "waf", Action: "DeleteHost", Resource: "*"},
	{Service: "waf", Action: "DeleteSpartaProtection", Resource: "*"},
	{Service: "waf", Action: "DeleteCustomRule", Resource: "*"},
}

// SensitiveCalls returns the calls every feature's grants must deny.
func SensitiveCalls() []Call { return slices.Clone(sensitiveCalls) }

// GrantNames returns the names of every policy the features are granted, in onboarding order: what an
// onboarding with these choices attaches, and so what an account record keeps.
func GrantNames(features []string, mode CSPMMode, lighthouse bool) ([]string, error) {
	var names []string
	for _, f := range features {
		gs, err := Grants(f, mode, lighthouse)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if !slices.Contains(names, g.Name) {
				names = append(names, g.Name)
			}
		}
	}
	return names, nil
}

// GrantsAllow reports whether any of the named grants allows action (e.g. "lighthouse:DescribeInstances")
// on every resource: presets by the documents this package carries, custom policies by their embedded
// templates. A grant without a readable document allows nothing.
func GrantsAllow(grants []string, action string) bool {
	var docs []*Document
	for _, name := range grants {
		data, ok := Preset(name)
		if !ok {
			var err error
			if data, err = Template(name); err != nil {
				continue
			}
		}
		doc, err := Parse(data)
		if err != nil {
			continue // a template whose placeholders are unfilled names no resource of its own
		}
		docs = append(docs, doc)
	}
	return Evaluate(docs, Request{Action: action, Resource: "*"}).Allowed
}
