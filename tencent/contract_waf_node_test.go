package tencent

import (
	"net/http/httptest"
	"reflect"
	"testing"

	"onboard/emulator/tcloud"
)

// WAF and Cloud Firewall go through the SDK's generic client: every request field the client sends and
// response field it reads, and every field the emulator answers, exist in the official Node SDK models with
// the same JSON type.
func TestWAFAndCFWStructsAndEmulatorMatchTheNodeModels(t *testing.T) {
	waf := nodeModels(t, "waf", "v20180125")
	for _, c := range []struct {
		what  string
		typ   reflect.Type
		model string
	}{
		{"waf DescribeInstances request", reflect.TypeOf(wafPageRequest{}), "DescribeInstancesRequest"},
		{"waf DescribeDomains request", reflect.TypeOf(wafPageRequest{}), "DescribeDomainsRequest"},
		{"waf DescribeInstances response", reflect.TypeOf(wafDescribeInstancesResponse{}.Response), "DescribeInstancesResponse"},
		{"waf InstanceInfo", reflect.TypeOf(wafInstanceInfo{}), "InstanceInfo"},
		{"waf DescribeDomains response", reflect.TypeOf(wafDescribeDomainsResponse{}.Response), "DescribeDomainsResponse"},
		{"waf DomainInfo", reflect.TypeOf(wafDomainInfo{}), "DomainInfo"},
		{"waf CreatePostCLSFlow request", reflect.TypeOf(wafCreatePostCLSFlowRequest{}), "CreatePostCLSFlowRequest"},
		{"waf CreatePostCLSFlow response", reflect.TypeOf(wafEmptyResponse{}.Response), "CreatePostCLSFlowResponse"},
		{"waf DescribePostCLSFlows request", reflect.TypeOf(wafDescribePostCLSFlowsRequest{}), "DescribePostCLSFlowsRequest"},
		{"waf DescribePostCLSFlows response", reflect.TypeOf(wafDescribePostCLSFlowsResponse{}.Response), "DescribePostCLSFlowsResponse"},
		{"waf PostCLSFlowInfo", reflect.TypeOf(wafPostCLSFlowInfo{}), "PostCLSFlowInfo"},
		{"waf DestroyPostCLSFlow request", reflect.TypeOf(wafDestroyPostCLSFlowRequest{}), "DestroyPostCLSFlowRequest"},
		{"waf ModifyDomainsCLSStatus request", reflect.TypeOf(wafModifyDomainsCLSStatusRequest{}), "ModifyDomainsCLSStatusRequest"},
		{"waf DomainURI", reflect.TypeOf(wafDomainURI{}), "DomainURI"},
		{"waf ModifyDomainPostAction request", reflect.TypeOf(wafModifyDomainPostActionRequest{}), "ModifyDomainPostActionRequest"},
		{"waf ModifyInstanceAttackLogPost request", reflect.TypeOf(wafModifyInstanceAttackLogPostRequest{}), "ModifyInstanceAttackLogPostRequest"},
	} {
		checkStruct(t, c.what, c.typ, modelFields(t, waf, c.model))
	}
	cfw := nodeModels(t, "cfw", "v20190904")
	checkStruct(t, "cfw DescribeCfwInsStatus response", reflect.TypeOf(cfwDescribeCfwInsStatusResponse{}.Response), modelFields(t, cfw, "DescribeCfwInsStatusResponse"))
	checkStruct(t, "cfw CfwInsStatus", reflect.TypeOf(cfwInsStatus{}), modelFields(t, cfw, "CfwInsStatus"))

	// The emulator's answers, field by field.
	emu := tcloud.New(tcloud.Options{})
	emu.SeedWAFInstance(tcloud.WAFInstanceSeed{ID: "waf_1", Name: "prod", Region: "gz", Level: 3})
	emu.SeedWAFDomain(tcloud.WAFDomainSeed{Domain: "a.example.com", InstanceID: "waf_1"})
	emu.SeedWAFFlow(2, "ap-guangzhou", "waf_post_logset", "t")
	emu.SeedCFWInstance("cfwnat-1", "egress", "nat", "ap-guangzhou")
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	call := func(service, version, action, body string) map[string]any {
		return emulatorAnswer(t, hs.URL, id, key, service, version, "ap-guangzhou", action, []byte(body))
	}
	first := func(answer map[string]any, list string) map[string]any {
		t.Helper()
		items, _ := answer[list].([]any)
		if len(items) == 0 {
			t.Fatalf("emulator answered no %s: %v", list, answer)
		}
		return items[0].(map[string]any)
	}
	in := call("waf", wafVersion, "DescribeInstances", `{"Offset":0,"Limit":10}`)
	checkAnswer(t, "waf DescribeInstances", in, modelFields(t, waf, "DescribeInstancesResponse"))
	checkAnswer(t, "waf InstanceInfo", first(in, "Instances"), modelFields(t, waf, "InstanceInfo"))
	dm := call("waf", wafVersion, "DescribeDomains", `{"Offset":0,"Limit":10}`)
	checkAnswer(t, "waf DescribeDomains", dm, modelFields(t, waf, "DescribeDomainsResponse"))
	checkAnswer(t, "waf DomainInfo", first(dm, "Domains"), modelFields(t, waf, "DomainInfo"))
	fl := call("waf", wafVersion, "DescribePostCLSFlows", `{"LogType":2}`)
	checkAnswer(t, "waf DescribePostCLSFlows", fl, modelFields(t, waf, "DescribePostCLSFlowsResponse"))
	checkAnswer(t, "waf PostCLSFlowInfo", first(fl, "PostCLSFlows"), modelFields(t, waf, "PostCLSFlowInfo"))
	st := call("cfw", cfwVersion, "DescribeCfwInsStatus", `{}`)
	checkAnswer(t, "cfw DescribeCfwInsStatus", st, modelFields(t, cfw, "DescribeCfwInsStatusResponse"))
	checkAnswer(t, "cfw CfwInsStatus", first(st, "CfwInsStatus"), modelFields(t, cfw, "CfwInsStatus"))
}
