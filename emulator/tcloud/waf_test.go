package tcloud

import (
	"context"
	"testing"
)

func wafCall(c *testClient, region, action string, p any) map[string]any {
	c.t.Helper()
	return c.callIn(region, "waf", "2018-01-25", action, p)
}

// The rules of WAF's CLS delivery, each from its page or model: the delivery actions only in ap-guangzhou
// and ap-seoul, the flow's logset and topic made in CLS, one flow per log type, attack-log delivery only
// from the enterprise edition, switches that keep their state, and strict decoding.
func TestWAFDeliveryRules(t *testing.T) {
	s, c := newTestServer(t)
	if code := errorCode(wafCall(c, "ap-guangzhou", "CreatePostCLSFlow", map[string]any{"LogType": 2})); code != "ResourceNotFound" {
		t.Errorf("a flow in an account without WAF: %q", code)
	}
	s.SeedWAFInstance(WAFInstanceSeed{ID: "waf_ent", Region: "gz", Level: 3})
	s.SeedWAFInstance(WAFInstanceSeed{ID: "waf_small", Region: "gz", Level: 101})
	s.SeedWAFDomain(WAFDomainSeed{Domain: "a.example.com", InstanceID: "waf_ent", PostCKafka: true})

	flow := map[string]any{"LogType": 2, "CLSRegion": "ap-shanghai", "LogsetName": "waf_post_logset", "LogTopicName": "attack"}
	if code := errorCode(wafCall(c, "ap-tokyo", "CreatePostCLSFlow", flow)); code != "UnsupportedRegion" {
		t.Errorf("CreatePostCLSFlow in ap-tokyo: %q", code)
	}
	if code := errorCode(wafCall(c, "ap-seoul", "CreatePostCLSFlow", flow)); code != "" {
		t.Fatalf("CreatePostCLSFlow: %q", code)
	}
	if code := errorCode(wafCall(c, "ap-guangzhou", "CreatePostCLSFlow", flow)); code != "FailedOperation" {
		t.Errorf("a second attack-log flow: %q", code)
	}
	flows := wafCall(c, "ap-guangzhou", "DescribePostCLSFlows", map[string]any{"LogType": 2})["PostCLSFlows"].([]any)
	if len(flows) != 1 {
		t.Fatalf("flows %v", flows)
	}
	f := flows[0].(map[string]any)
	var topicInCLS bool
	for _, tp := range s.State().Topics {
		topicInCLS = topicInCLS || (tp.ID == f["LogTopicID"] && tp.Region == "ap-shanghai" && tp.Name == "attack")
	}
	if !topicInCLS || f["LogsetID"] == "" {
		t.Errorf("the flow's topic is not in CLS: %v", f)
	}
	if access := wafCall(c, "ap-guangzhou", "DescribePostCLSFlows", map[string]any{})["PostCLSFlows"].([]any); len(access) != 0 {
		t.Errorf("LogType defaults to access logs: %v", access)
	}

	if code := errorCode(wafCall(c, "ap-guangzhou", "ModifyInstanceAttackLogPost", map[string]any{"InstanceId": "waf_small", "AttackLogPost": 1})); code != "UnsupportedOperation" {
		t.Errorf("attack-log delivery below enterprise: %q", code)
	}
	wafCall(c, "ap-guangzhou", "ModifyInstanceAttackLogPost", map[string]any{"InstanceId": "waf_ent", "AttackLogPost": 1})
	wafCall(c, "ap-guangzhou", "ModifyDomainsCLSStatus", map[string]any{"Domains": []any{map[string]any{"Domain": "a.example.com", "Edition": "sparta-waf", "InstanceID": "waf_ent"}}, "Status": 1})
	if code := errorCode(wafCall(c, "ap-guangzhou", "ModifyDomainPostAction", map[string]any{"Domain": "a.example.com", "PostCLSAction": 1})); code != "MissingParameter" {
		t.Errorf("ModifyDomainPostAction without PostCKafkaAction: %q", code)
	}
	wafCall(c, "ap-guangzhou", "ModifyDomainPostAction", map[string]any{"Domain": "a.example.com", "PostCLSAction": 1, "PostCKafkaAction": 1})
	sw := s.WAFSwitches()
	if !sw["attack-log:waf_ent"] || sw["attack-log:waf_small"] || !sw["access-log:a.example.com"] || !sw["post-cls:a.example.com"] {
		t.Errorf("switches %v", sw)
	}
	if code := errorCode(wafCall(c, "ap-guangzhou", "DescribeDomains", map[string]any{"Offset": 0, "Limit": 10, "Bogus": 1})); code != "UnknownParameter" {
		t.Errorf("an unknown parameter: %q", code)
	}
	if code := errorCode(wafCall(c, "ap-guangzhou", "DestroyPostCLSFlow", map[string]any{"FlowId": f["FlowId"], "LogType": 2})); code != "" || s.WAFFlowCount() != 0 {
		t.Errorf("DestroyPostCLSFlow: %q, %d flows", code, s.WAFFlowCount())
	}
}

// An account without WAF answers an empty list by default, or the code a test sets; Cloud Firewall lists
// its seeded instances and nothing else.
func TestWAFAbsenceAndCFWInstances(t *testing.T) {
	s, c := newTestServer(t)
	list := wafCall(c, "ap-guangzhou", "DescribeInstances", map[string]any{"Offset": 0, "Limit": 10})
	if list["Total"] != float64(0) {
		t.Errorf("no WAF: %v", list)
	}
	s.SetWAFAbsentCode("ResourceNotFound")
	if code := errorCode(wafCall(c, "ap-guangzhou", "DescribeInstances", map[string]any{"Offset": 0, "Limit": 10})); code != "ResourceNotFound" {
		t.Errorf("no WAF, the other reading: %q", code)
	}
	if n := c.call("cfw", "2019-09-04", "DescribeCfwInsStatus", map[string]any{})["TotalCount"]; n != float64(0) {
		t.Errorf("no CFW: %v", n)
	}
	sd, err := ParseSeedGen("waf_domain=3,cfw_instance=2")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(context.Background(), sd); err != nil {
		t.Fatal(err)
	}
	if n := c.call("cfw", "2019-09-04", "DescribeCfwInsStatus", map[string]any{})["TotalCount"]; n != float64(2) {
		t.Errorf("seeded CFW: %v", n)
	}
	if d := wafCall(c, "ap-guangzhou", "DescribeDomains", map[string]any{"Offset": 1, "Limit": 1}); d["Total"] != float64(3) || len(d["Domains"].([]any)) != 1 {
		t.Errorf("seeded WAF domains, second page: %v", d)
	}
}
