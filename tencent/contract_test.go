package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	cam "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cam/v20190116"
	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	cdb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cdb/v20170320"
	clb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/clb/v20180317"
	cloudaudit "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cloudaudit/v20190319"
	cls "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cls/v20201016"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	region "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/region/v20220627"
	sts "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts/v20180813"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"onboard/emulator/tcloud"
)

// The emulator's answers must fit the official models exactly: every response field it returns, for
// every action the client uses, exists in the SDK's response struct with the same JSON type. Each answer
// is decoded into the typed SDK response with unknown fields refused. (Request fields need no check here:
// the client builds them from the same typed structs.)
func TestEmulatorAnswersMatchTheOfficialModels(t *testing.T) {
	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 3)
	emu.SeedVPC("ap-guangzhou", 2)
	emu.SeedDisks("ap-guangzhou", 2)
	emu.SeedLoadBalancers("ap-guangzhou", 2)
	emu.SeedDBInstances("ap-guangzhou", 2)
	logset := emu.SeedLogset("ap-guangzhou", "contract")
	topic := emu.SeedTopic("ap-guangzhou", logset, "events")
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	call := func(service, version, action string, params map[string]any, into any) {
		t.Helper()
		body, _ := json.Marshal(params)
		req, _ := http.NewRequest(http.MethodPost, hs.URL, bytes.NewReader(body))
		req.Header.Set("X-TC-Action", action)
		req.Header.Set("X-TC-Version", version)
		req.Header.Set("X-TC-Region", "ap-guangzhou")
		tcloud.Sign(req, body, id, key, service, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(into); err != nil {
			t.Errorf("%s %s: the answer does not fit the official model: %v", service, action, err)
		}
	}
	// Some state for the list actions to show.
	c, _ := New(Options{Credential: Credential{SecretID: id, SecretKey: SecretKey(key)}, Endpoint: hs.URL})
	ctx := context.Background()
	u, err := c.CreateUser(ctx, UserSpec{Name: "contract"})
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := c.CreatePolicy(ctx, PolicySpec{Name: "p", Document: `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeInstances"],"resource":["*"]}]}`})
	c.AttachUserPolicy(ctx, pid, u.UIN)
	k, _ := c.CreateAccessKey(ctx, u.UIN, "")
	track, err := c.CreateAuditTrack(ctx, AuditTrackSpec{Name: "contract", Enabled: true, ActionType: "*", ResourceType: "*",
		EventNames: []string{"*"}, Storage: CLSAuditStorage("ap-guangzhou", topic)})
	if err != nil {
		t.Fatal(err)
	}

	type check struct {
		service, version, action string
		params                   map[string]any
		into                     any
	}
	uin := float64(u.UIN)
	for _, ch := range []check{
		{"sts", "2018-08-13", "GetCallerIdentity", nil, &sts.GetCallerIdentityResponse{}},
		{"sts", "2018-08-13", "GetFederationToken", map[string]any{"Name": "contract", "DurationSeconds": 900,
			"Policy": url.QueryEscape(`{"version":"2.0","statement":[{"effect":"allow","action":["cam:GetUserAppId"],"resource":["*"]}]}`)}, &sts.GetFederationTokenResponse{}},
		{"cam", "2019-01-16", "GetUserAppId", nil, &cam.GetUserAppIdResponse{}},
		{"region", "2022-06-27", "DescribeRegions", map[string]any{"Product": "cvm"}, &region.DescribeRegionsResponse{}},
		{"cvm", "2017-03-12", "DescribeInstances", map[string]any{"Offset": 0, "Limit": 100}, &cvm.DescribeInstancesResponse{}},
		{"cvm", "2017-03-12", "DescribeRegions", nil, &cvm.DescribeRegionsResponse{}},
		{"vpc", "2017-03-12", "DescribeVpcs", map[string]any{"Offset": "0", "Limit": "100"}, &vpc.DescribeVpcsResponse{}},
		{"vpc", "2017-03-12", "DescribeSubnets", map[string]any{"Offset": "0", "Limit": "100"}, &vpc.DescribeSubnetsResponse{}},
		{"vpc", "2017-03-12", "DescribeSecurityGroups", map[string]any{"Offset": "0", "Limit": "100"}, &vpc.DescribeSecurityGroupsResponse{}},
		{"cbs", "2017-03-12", "DescribeDisks", map[string]any{"Offset": 0, "Limit": 100}, &cbs.DescribeDisksResponse{}},
		{"clb", "2018-03-17", "DescribeLoadBalancers", map[string]any{"Offset": 0, "Limit": 100}, &clb.DescribeLoadBalancersResponse{}},
		{"cdb", "2017-03-20", "DescribeDBInstances", map[string]any{"Offset": 0, "Limit": 2000}, &cdb.DescribeDBInstancesResponse{}},
		{"cam", "2019-01-16", "AddUser", map[string]any{"Name": "contract2", "UseApi": 1}, &cam.AddUserResponse{}},
		{"cam", "2019-01-16", "GetUser", map[string]any{"Name": "contract"}, &cam.GetUserResponse{}},
		{"cam", "2019-01-16", "ListUsers", nil, &cam.ListUsersResponse{}},
		{"cam", "2019-01-16", "CreatePolicy", map[string]any{"PolicyName": "q", "PolicyDocument": `{"version":"2.0","statement":[{"effect":"allow","action":["cvm:DescribeRegions"],"resource":["*"]}]}`}, &cam.CreatePolicyResponse{}},
		{"cam", "2019-01-16", "GetPolicy", map[string]any{"PolicyId": pid}, &cam.GetPolicyResponse{}},
		{"cam", "2019-01-16", "UpdatePolicy", map[string]any{"PolicyName": "p", "Description": "d"}, &cam.UpdatePolicyResponse{}},
		{"cam", "2019-01-16", "ListPolicies", map[string]any{"Scope": "All", "Rp": 200}, &cam.ListPoliciesResponse{}},
		{"cam", "2019-01-16", "ListAttachedUserPolicies", map[string]any{"TargetUin": uin}, &cam.ListAttachedUserPoliciesResponse{}},
		{"cam", "2019-01-16", "ListAccessKeys", map[string]any{"TargetUin": uin}, &cam.ListAccessKeysResponse{}},
		{"cam", "2019-01-16", "UpdateAccessKey", map[string]any{"TargetUin": uin, "AccessKeyId": k.ID, "Status": "Inactive"}, &cam.UpdateAccessKeyResponse{}},
		{"cam", "2019-01-16", "CreateAccessKey", map[string]any{"TargetUin": uin}, &cam.CreateAccessKeyResponse{}},
		{"cam", "2019-01-16", "DeleteAccessKey", map[string]any{"TargetUin": uin, "AccessKeyId": k.ID}, &cam.DeleteAccessKeyResponse{}},
		{"cam", "2019-01-16", "DetachUserPolicy", map[string]any{"PolicyId": pid, "DetachUin": uin}, &cam.DetachUserPolicyResponse{}},
		{"cam", "2019-01-16", "AttachUserPolicy", map[string]any{"PolicyId": pid, "AttachUin": uin}, &cam.AttachUserPolicyResponse{}},
		{"cam", "2019-01-16", "DeletePolicy", map[string]any{"PolicyId": []uint64{pid}}, &cam.DeletePolicyResponse{}},
		{"cam", "2019-01-16", "DeleteUser", map[string]any{"Name": "contract", "Force": 1}, &cam.DeleteUserResponse{}},
		{"cls", "2020-10-16", "CreateLogset", map[string]any{"LogsetName": "other"}, &cls.CreateLogsetResponse{}},
		{"cls", "2020-10-16", "DescribeLogsets", map[string]any{"Offset": 0, "Limit": 100}, &cls.DescribeLogsetsResponse{}},
		{"cls", "2020-10-16", "CreateTopic", map[string]any{"LogsetId": logset, "TopicName": "more"}, &cls.CreateTopicResponse{}},
		{"cls", "2020-10-16", "DescribeTopics", map[string]any{"Offset": 0, "Limit": 100}, &cls.DescribeTopicsResponse{}},
		{"cls", "2020-10-16", "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic}, &cls.DescribeKafkaConsumerResponse{}},
		{"cls", "2020-10-16", "OpenKafkaConsumer", map[string]any{"FromTopicId": topic,
			"ConsumerContent": map[string]any{"Format": 1, "EnableTag": true, "MetaFields": []string{"__SOURCE__"}, "TagTransaction": 1, "JsonType": 1}}, &cls.OpenKafkaConsumerResponse{}},
		{"cls", "2020-10-16", "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic}, &cls.DescribeKafkaConsumerResponse{}},
		{"cloudaudit", "2019-03-19", "CreateAuditTrack", map[string]any{"Name": "contract-2", "Status": 0, "ActionType": "Write", "ResourceType": "cam",
			"EventNames": []string{"AddUser"}, "Storage": map[string]any{"StorageType": "cls", "StorageRegion": "ap-guangzhou", "StorageName": topic, "StoragePrefix": "cloudaudit"}}, &cloudaudit.CreateAuditTrackResponse{}},
		{"cloudaudit", "2019-03-19", "DescribeAuditTracks", map[string]any{"PageNumber": 1, "PageSize": 20}, &cloudaudit.DescribeAuditTracksResponse{}},
		{"cloudaudit", "2019-03-19", "DeleteAuditTrack", map[string]any{"TrackId": track.ID}, &cloudaudit.DeleteAuditTrackResponse{}},
	} {
		if ch.params == nil {
			ch.params = map[string]any{}
		}
		// An error answer fails too: the models' response structs have no Error field.
		call(ch.service, ch.version, ch.action, ch.params, ch.into)
	}
}

// The CLS and CloudAudit answers also fit the current official models (the Node SDK's, newer than the
// typed Go modules in use), field by field and nested object by nested object.
func TestCLSAndCloudAuditAnswersMatchTheNodeModels(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	logset, err := c.CreateLogset(ctx, "ap-guangzhou", "node")
	if err != nil {
		t.Fatal(err)
	}
	topic := emu.SeedTopic("ap-guangzhou", logset.ID, "events")
	if _, err := c.OpenKafkaConsumer(ctx, "ap-guangzhou", topic, KafkaConsumerSpec{JSON: true, MetaFields: []string{"__SOURCE__"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAuditTrack(ctx, AuditTrackSpec{Name: "node", Enabled: true, ActionType: "*", ResourceType: "*",
		EventNames: []string{"*"}, Storage: CLSAuditStorage("ap-guangzhou", topic)}); err != nil {
		t.Fatal(err)
	}
	id, key := emu.RootKey()
	hs := httptest.NewServer(emu)
	defer hs.Close()
	answer := func(service, version, action string, params map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(params)
		req, _ := http.NewRequest(http.MethodPost, hs.URL, bytes.NewReader(body))
		req.Header.Set("X-TC-Action", action)
		req.Header.Set("X-TC-Version", version)
		req.Header.Set("X-TC-Region", "ap-guangzhou")
		tcloud.Sign(req, body, id, key, service, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct{ Response map[string]any }
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Response["Error"] != nil {
			t.Fatalf("%s %s: %v %v", service, action, env.Response, err)
		}
		return env.Response
	}
	models := map[string]string{"cls": nodeModels(t, "cls", "v20201016"), "cloudaudit": nodeModels(t, "cloudaudit", "v20190319")}
	// check walks an answer: every field is in the model's interface with the same JSON type, and nested
	// objects are checked against their own interfaces.
	var check func(service, where, iface string, v map[string]any)
	check = func(service, where, iface string, v map[string]any) {
		model := modelFields(t, models[service], iface)
		for k, val := range v {
			ts, ok := model[k]
			if !ok {
				t.Errorf("%s: field %s is not in the model's %s", where, k, iface)
				continue
			}
			if jsonKind(ts) != valueKind(val) {
				t.Errorf("%s: field %s is %s, the model says %s", where, k, valueKind(val), ts)
				continue
			}
			switch inner := strings.TrimSuffix(strings.TrimPrefix(ts, "Array<"), ">"); {
			case jsonKind(ts) == "object":
				check(service, where+"."+k, ts, val.(map[string]any))
			case jsonKind(ts) == "array" && jsonKind(inner) == "object":
				for i, item := range val.([]any) {
					check(service, fmt.Sprintf("%s.%s[%d]", where, k, i), inner, item.(map[string]any))
				}
			}
		}
	}
	for _, a := range []struct {
		service, version, action string
		params                   map[string]any
	}{
		{"cls", "2020-10-16", "CreateLogset", map[string]any{"LogsetName": "other"}},
		{"cls", "2020-10-16", "DescribeLogsets", map[string]any{}},
		{"cls", "2020-10-16", "CreateTopic", map[string]any{"LogsetId": logset.ID, "TopicName": "more", "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}}},
		{"cls", "2020-10-16", "DescribeTopics", map[string]any{}},
		{"cls", "2020-10-16", "OpenKafkaConsumer", map[string]any{"FromTopicId": emu.SeedTopic("ap-guangzhou", logset.ID, "third")}},
		{"cls", "2020-10-16", "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic}},
		{"cloudaudit", "2019-03-19", "DescribeAuditTracks", map[string]any{"PageNumber": 1, "PageSize": 20}},
		{"cloudaudit", "2019-03-19", "CreateAuditTrack", map[string]any{"Name": "node-2", "Status": 1, "ActionType": "*", "ResourceType": "*",
			"EventNames": []string{"*"}, "Storage": map[string]any{"StorageType": "cls", "StorageRegion": "ap-guangzhou", "StorageName": topic, "StoragePrefix": "x", "Compress": 2}}},
	} {
		r := answer(a.service, a.version, a.action, a.params)
		check(a.service, a.service+" "+a.action, a.action+"Response", r)
	}
}
