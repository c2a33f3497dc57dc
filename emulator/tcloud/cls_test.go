package tcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// callIn is call with another region than the test client's default.
func (c *testClient) callIn(region, service, version, action string, params any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL, bytes.NewReader(body))
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", version)
	req.Header.Set("X-TC-Region", region)
	Sign(req, body, c.id, c.key, service, c.now)
	return c.send(req)
}

func clsCall(c *testClient, action string, p any) map[string]any {
	c.t.Helper()
	return c.call("cls", "2020-10-16", action, p)
}

func auditCall(c *testClient, action string, p any) map[string]any {
	c.t.Helper()
	return c.call("cloudaudit", "2019-03-19", action, p)
}

func clsStorage(region, topic string) map[string]any {
	return map[string]any{"StorageType": "cls", "StorageRegion": region, "StorageName": topic, "StoragePrefix": "cloudaudit"}
}

func TestCLSAndCloudAuditDecodeStrictly(t *testing.T) {
	s, c := newTestServer(t)
	ls := s.SeedLogset("ap-guangzhou", "audit")
	topic := s.SeedTopic("ap-guangzhou", ls, "events")
	track := func(change func(map[string]any)) map[string]any {
		p := map[string]any{"Name": "audit-1", "Status": 1, "ActionType": "*", "ResourceType": "*", "EventNames": []string{"*"},
			"Storage": clsStorage("ap-guangzhou", topic)}
		change(p)
		return p
	}
	content := map[string]any{"Format": 1, "EnableTag": false, "MetaFields": []string{}}
	tests := []struct {
		service, action string
		params          any
		code            string
	}{
		{"cls", "CreateLogset", map[string]any{}, "MissingParameter"},
		{"cls", "CreateLogset", map[string]any{"LogsetName": 7}, "InvalidParameter"},
		{"cls", "CreateLogset", map[string]any{"LogsetName": "x", "Region": "ap-guangzhou"}, "UnknownParameter"},
		{"cls", "CreateLogset", map[string]any{"LogsetName": "x", "Tags": []any{map[string]any{"Key": "k", "Value": "v", "Extra": 1}}}, "UnknownParameter"},
		{"cls", "DescribeLogsets", map[string]any{"Limit": "20"}, "InvalidParameter"},
		{"cls", "DescribeLogsets", map[string]any{"Filters": []any{map[string]any{"Name": "logsetName", "Values": []string{"a"}}}}, "UnknownParameter"},
		{"cls", "DescribeLogsets", map[string]any{"Filters": []any{map[string]any{"Values": []string{"a"}}}}, "MissingParameter"},
		{"cls", "DescribeLogsets", map[string]any{"Filters": []any{map[string]any{"Key": "topicName", "Values": []string{"a"}}}}, "InvalidParameter"},
		{"cls", "DescribeLogsets", map[string]any{"Limit": 101}, "InvalidParameterValue.LimitExceeded"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls}, "MissingParameter"},
		{"cls", "CreateTopic", map[string]any{"TopicName": "x"}, "MissingParameter"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "x", "PartitionCount": "1"}, "InvalidParameter"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "x", "AutoSplit": "true"}, "InvalidParameter"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "x", "Period": 4000}, "FailedOperation.InvalidPeriod"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "cls_service_log"}, "InvalidParameter"},
		{"cls", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "x", "Topic": "y"}, "UnknownParameter"},
		{"cls", "DescribeTopics", map[string]any{"Offset": "0"}, "InvalidParameter"},
		{"cls", "DescribeTopics", map[string]any{"PreciseSearch": 4}, "InvalidParameterValue"},
		{"cls", "OpenKafkaConsumer", map[string]any{}, "MissingParameter"},
		{"cls", "OpenKafkaConsumer", map[string]any{"FromTopicId": 1}, "InvalidParameter"},
		{"cls", "OpenKafkaConsumer", map[string]any{"FromTopicId": topic, "Compression": 1}, "InvalidParameterValue"},
		{"cls", "OpenKafkaConsumer", map[string]any{"FromTopicId": topic, "ConsumerContent": map[string]any{"Format": 1, "EnableTag": false}}, "MissingParameter"},
		{"cls", "OpenKafkaConsumer", map[string]any{"FromTopicId": topic, "ConsumerContent": map[string]any{"Format": 1, "EnableTag": "no", "MetaFields": []string{}}}, "InvalidParameter"},
		{"cls", "OpenKafkaConsumer", map[string]any{"FromTopicId": topic, "ConsumerContent": content, "KafkaTopic": "x"}, "UnknownParameter"},
		{"cls", "DescribeKafkaConsumer", map[string]any{}, "MissingParameter"},
		{"cls", "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic, "TopicId": topic}, "UnknownParameter"},
		{"cls", "ModifyKafkaConsumer", map[string]any{"ScopeType": 1}, "MissingParameter"},
		{"cls", "ModifyKafkaConsumer", map[string]any{"FromTopicId": topic, "Scope": 1}, "UnknownParameter"},
		{"cls", "ModifyKafkaConsumer", map[string]any{"FromTopicId": topic, "ConsumerContent": map[string]any{"Format": 1}}, "MissingParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { delete(p, "Storage") }), "MissingParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { delete(p, "EventNames") }), "MissingParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["Status"] = "1" }), "InvalidParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["EventNames"] = "*" }), "InvalidParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["Region"] = "ap-guangzhou" }), "UnknownParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { delete(p["Storage"].(map[string]any), "StoragePrefix") }), "MissingParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["Storage"].(map[string]any)["TopicId"] = topic }), "UnknownParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["ActionType"] = "All" }), "InvalidParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["EventNames"] = []string{"CreateUser"} }), "InvalidParameter"},
		{"cloudaudit", "CreateAuditTrack", track(func(p map[string]any) { p["Name"] = "a" }), "InvalidParameter"},
		{"cloudaudit", "DescribeAuditTracks", map[string]any{"PageNumber": 1}, "MissingParameter"},
		{"cloudaudit", "DescribeAuditTracks", map[string]any{"PageNumber": "1", "PageSize": 10}, "InvalidParameter"},
		{"cloudaudit", "DescribeAuditTracks", map[string]any{"PageNumber": 0, "PageSize": 10}, "InvalidParameter"},
		{"cloudaudit", "DeleteAuditTrack", map[string]any{}, "MissingParameter"},
		{"cloudaudit", "DeleteAuditTrack", map[string]any{"TrackId": "10001"}, "InvalidParameter"},
	}
	for _, tt := range tests {
		version := map[string]string{"cls": "2020-10-16", "cloudaudit": "2019-03-19"}[tt.service]
		if r := c.call(tt.service, version, tt.action, tt.params); errorCode(r) != tt.code {
			t.Errorf("%s %s %v: got %v, want %s", tt.service, tt.action, tt.params, r, tt.code)
		}
	}
	if r := auditCall(c, "CreateAuditTrack", track(func(map[string]any) {})); errorCode(r) != "" {
		t.Fatalf("the valid request the cases above spoil is refused: %v", r)
	}
	auditCall(c, "DeleteAuditTrack", map[string]any{"TrackId": 10001})
	// Nothing above was created.
	r := clsCall(c, "DescribeTopics", map[string]any{})
	if r["TotalCount"].(float64) != 1 {
		t.Errorf("refused calls changed state: %v", r)
	}
	if r := auditCall(c, "DescribeAuditTracks", map[string]any{"PageNumber": 1, "PageSize": 10}); r["TotalCount"].(float64) != 0 {
		t.Errorf("refused tracks were created: %v", r)
	}
}

func TestCLSLogsetsTopicsAndKafkaConsumers(t *testing.T) {
	s, c := newTestServer(t)
	r := clsCall(c, "CreateLogset", map[string]any{"LogsetName": "cloudaudit", "Tags": []any{map[string]any{"Key": "owner", "Value": "sec"}}})
	ls, _ := r["LogsetId"].(string)
	if errorCode(r) != "" || ls == "" {
		t.Fatalf("CreateLogset: %v", r)
	}
	if r := clsCall(c, "CreateLogset", map[string]any{"LogsetName": "cloudaudit"}); errorCode(r) != "InvalidParameter.LogsetConflict" {
		t.Fatalf("duplicate logset name: %v", r)
	}
	// The same name in another region is another logset.
	s.SeedLogset("ap-shanghai", "cloudaudit")
	if r := clsCall(c, "CreateTopic", map[string]any{"LogsetId": "no-such-logset", "TopicName": "events"}); errorCode(r) != "ResourceNotFound.LogsetNotExist" {
		t.Fatalf("topic in an unknown logset: %v", r)
	}
	r = clsCall(c, "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "events", "Period": 30})
	topic, _ := r["TopicId"].(string)
	if errorCode(r) != "" || topic == "" {
		t.Fatalf("CreateTopic: %v", r)
	}
	if r := clsCall(c, "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "events"}); errorCode(r) != "InvalidParameter.TopicConflict" {
		t.Fatalf("duplicate topic name: %v", r)
	}
	// A logset is regional: the topic's logset is unknown in another region.
	if r := c.callIn("ap-shanghai", "cls", "2020-10-16", "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "events"}); errorCode(r) != "ResourceNotFound.LogsetNotExist" {
		t.Fatalf("logset of another region: %v", r)
	}

	r = clsCall(c, "DescribeLogsets", map[string]any{"Filters": []any{map[string]any{"Key": "logsetName", "Values": []string{"cloudaudit"}}}})
	sets, _ := r["Logsets"].([]any)
	if r["TotalCount"].(float64) != 1 || len(sets) != 1 || sets[0].(map[string]any)["TopicCount"].(float64) != 1 {
		t.Fatalf("DescribeLogsets: %v", r)
	}
	r = clsCall(c, "DescribeTopics", map[string]any{"Filters": []any{map[string]any{"Key": "topicName", "Values": []string{"event"}}}, "PreciseSearch": 1})
	if r["TotalCount"].(float64) != 0 {
		t.Fatalf("exact topic-name search matched a prefix: %v", r)
	}
	r = clsCall(c, "DescribeTopics", map[string]any{"Filters": []any{map[string]any{"Key": "topicName", "Values": []string{"event"}}}})
	if r["TotalCount"].(float64) != 1 {
		t.Fatalf("fuzzy topic-name search: %v", r)
	}

	// Kafka consumption: closed, opened once, the consumer topic named after the CLS topic.
	if r := clsCall(c, "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic}); r["Status"] != false {
		t.Fatalf("consumer of a new topic: %v", r)
	}
	if r := clsCall(c, "OpenKafkaConsumer", map[string]any{"FromTopicId": "nope"}); errorCode(r) != "ResourceNotFound.TopicNotExist" {
		t.Fatalf("consumer of an unknown topic: %v", r)
	}
	open := map[string]any{"FromTopicId": topic, "Compression": 0, "ScopeType": 1, "HasServicesLog": 2,
		"ConsumerContent": map[string]any{"Format": 1, "EnableTag": true, "MetaFields": []string{"__SOURCE__"}, "JsonType": 1, "AutoConvertNumber": false}}
	r = clsCall(c, "OpenKafkaConsumer", open)
	if errorCode(r) != "" || r["TopicID"] != "out-"+topic {
		t.Fatalf("OpenKafkaConsumer: %v", r)
	}
	if r := clsCall(c, "OpenKafkaConsumer", open); errorCode(r) != "InvalidParameter.ExportConflict" {
		t.Fatalf("second OpenKafkaConsumer: %v", r)
	}
	r = clsCall(c, "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic})
	cc, _ := r["ConsumerContent"].(map[string]any)
	if r["Status"] != true || r["TopicID"] != "out-"+topic || cc["Format"] != float64(1) || cc["AutoConvertNumber"] != nil ||
		r["ScopeType"] != float64(1) || r["HasServicesLog"] != float64(2) {
		t.Fatalf("DescribeKafkaConsumer: %v", r)
	}

	// ModifyKafkaConsumer changes open consumption, checked as OpenKafkaConsumer is; an omitted field stays.
	if r := clsCall(c, "ModifyKafkaConsumer", map[string]any{"FromTopicId": topic, "ScopeType": 2}); errorCode(r) != "InvalidParameterValue" {
		t.Fatalf("ModifyKafkaConsumer with ScopeType 2: %v", r)
	}
	if r := clsCall(c, "ModifyKafkaConsumer", map[string]any{"FromTopicId": topic, "Compression": 3, "ScopeType": 0,
		"ConsumerContent": map[string]any{"Format": 0, "EnableTag": false, "MetaFields": []string{}}}); errorCode(r) != "" {
		t.Fatalf("ModifyKafkaConsumer: %v", r)
	}
	r = clsCall(c, "DescribeKafkaConsumer", map[string]any{"FromTopicId": topic})
	cc, _ = r["ConsumerContent"].(map[string]any)
	if r["Compression"] != float64(3) || r["ScopeType"] != float64(0) || cc["Format"] != float64(0) || r["HasServicesLog"] != float64(2) {
		t.Fatalf("DescribeKafkaConsumer after ModifyKafkaConsumer: %v", r)
	}
	closed := s.SeedTopic("ap-guangzhou", ls, "closed")
	if r := clsCall(c, "ModifyKafkaConsumer", map[string]any{"FromTopicId": closed, "ScopeType": 1}); errorCode(r) != "FailedOperation" {
		t.Fatalf("ModifyKafkaConsumer of a topic whose consumption is closed: %v", r)
	}
	if r := clsCall(c, "ModifyKafkaConsumer", map[string]any{"FromTopicId": "nope"}); errorCode(r) != "ResourceNotFound.TopicNotExist" {
		t.Fatalf("ModifyKafkaConsumer of an unknown topic: %v", r)
	}
}

func TestCloudAuditTracksDeliverToExistingTopics(t *testing.T) {
	s, c := newTestServer(t)
	ls := s.SeedLogset("ap-guangzhou", "audit")
	topic := s.SeedTopic("ap-guangzhou", ls, "events")
	create := func(name, region, topic string) map[string]any {
		return auditCall(c, "CreateAuditTrack", map[string]any{"Name": name, "Status": 1, "ActionType": "*", "ResourceType": "*",
			"EventNames": []string{"*"}, "Storage": clsStorage(region, topic)})
	}
	if r := create("audit-1", "ap-guangzhou", "no-such-topic"); errorCode(r) != "FailedOperation.CheckClsTopicIsExistFailed" {
		t.Fatalf("track to a missing topic: %v", r)
	}
	if r := create("audit-1", "ap-shanghai", topic); errorCode(r) != "FailedOperation.CheckClsTopicIsExistFailed" {
		t.Fatalf("track to the topic's ID in another region: %v", r)
	}
	r := create("audit-1", "ap-guangzhou", topic)
	id, ok := r["TrackId"].(float64)
	if errorCode(r) != "" || !ok {
		t.Fatalf("CreateAuditTrack: %v", r)
	}
	if r := create("audit-1", "ap-guangzhou", topic); errorCode(r) != "InvalidParameterValue.AliasAlreadyExists" {
		t.Fatalf("duplicate track name: %v", r)
	}
	r = auditCall(c, "CreateAuditTrack", map[string]any{"Name": "cos", "Status": 1, "ActionType": "Write", "ResourceType": "cam",
		"EventNames": []string{"AddUser"}, "Storage": map[string]any{"StorageType": "cos", "StorageRegion": "ap-guangzhou", "StorageName": "bucket", "StoragePrefix": "audit"}})
	if errorCode(r) != "FailedOperation.CheckCosBucketIsExistFailed" {
		t.Fatalf("track to a COS bucket that does not exist: %v", r)
	}
	for i := 2; i <= maxAuditTracks; i++ {
		if r := create(fmt.Sprintf("audit-%d", i), "ap-guangzhou", topic); errorCode(r) != "" {
			t.Fatalf("track %d: %v", i, r)
		}
	}
	if r := create("one-too-many", "ap-guangzhou", topic); errorCode(r) != "LimitExceeded.OverAmount" {
		t.Fatalf("track over the quota: %v", r)
	}
	r = auditCall(c, "DescribeAuditTracks", map[string]any{"PageNumber": 3, "PageSize": 20})
	tracks, _ := r["Tracks"].([]any)
	if r["TotalCount"].(float64) != maxAuditTracks || len(tracks) != maxAuditTracks-40 {
		t.Fatalf("third page: %d tracks of %v", len(tracks), r["TotalCount"])
	}
	r = auditCall(c, "DescribeAuditTracks", map[string]any{"PageNumber": 1, "PageSize": 1})
	first := r["Tracks"].([]any)[0].(map[string]any)
	if first["TrackId"] != id || first["Storage"].(map[string]any)["StorageName"] != topic || first["EventNames"].([]any)[0] != "*" {
		t.Fatalf("listed track: %v", first)
	}
	if r := auditCall(c, "DeleteAuditTrack", map[string]any{"TrackId": id}); errorCode(r) != "" {
		t.Fatalf("DeleteAuditTrack: %v", r)
	}
	if r := auditCall(c, "DeleteAuditTrack", map[string]any{"TrackId": id}); errorCode(r) != "ResourceNotFound.AuditNotExist" {
		t.Fatalf("second delete: %v", r)
	}
}

// A sub-user reaches CLS only as far as its policies allow, resource by resource.
func TestCLSCallsOfSubUsersAreAuthorisedPerResource(t *testing.T) {
	s, c := newTestServer(t)
	ls := s.SeedLogset("ap-guangzhou", "audit")
	mine := s.SeedTopic("ap-guangzhou", ls, "events")
	other := s.SeedTopic("ap-guangzhou", ls, "other")
	cam := func(action string, p any) map[string]any { return c.call("cam", "2019-01-16", action, p) }
	u := cam("AddUser", map[string]any{"Name": "reader", "UseApi": 1})
	sub := *c
	sub.id, sub.key = u["SecretId"].(string), u["SecretKey"].(string)

	r := clsCall(&sub, "DescribeLogsets", map[string]any{})
	if errorCode(r) != "AuthFailure.UnauthorizedOperation" || !strings.Contains(r["Error"].(map[string]any)["Message"].(string), "cls:DescribeLogsets") {
		t.Fatalf("sub-user without CLS permission: %v", r)
	}
	if r := auditCall(&sub, "DescribeAuditTracks", map[string]any{"PageNumber": 1, "PageSize": 10}); errorCode(r) != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("sub-user without CloudAudit permission: %v", r)
	}
	doc := fmt.Sprintf(`{"version":"2.0","statement":[
		{"effect":"allow","action":["cls:DescribeLogsets","cls:DescribeTopics"],"resource":["*"]},
		{"effect":"allow","action":["cls:DescribeKafkaConsumer"],"resource":["qcs::cls:ap-guangzhou:uin/%d:topic/%s"]}]}`, s.OwnerUIN(), mine)
	p := cam("CreatePolicy", map[string]any{"PolicyName": "ciem", "PolicyDocument": doc})
	if r := cam("AttachUserPolicy", map[string]any{"PolicyId": p["PolicyId"], "AttachUin": u["Uin"]}); errorCode(r) != "" {
		t.Fatal(r)
	}
	if r := clsCall(&sub, "DescribeTopics", map[string]any{}); errorCode(r) != "" || r["TotalCount"].(float64) != 2 {
		t.Fatalf("allowed listing: %v", r)
	}
	if r := clsCall(&sub, "DescribeKafkaConsumer", map[string]any{"FromTopicId": mine}); errorCode(r) != "" {
		t.Fatalf("allowed topic: %v", r)
	}
	if r := clsCall(&sub, "DescribeKafkaConsumer", map[string]any{"FromTopicId": other}); errorCode(r) != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("another topic: %v", r)
	}
	if r := clsCall(&sub, "CreateTopic", map[string]any{"LogsetId": ls, "TopicName": "x"}); errorCode(r) != "AuthFailure.UnauthorizedOperation" {
		t.Fatalf("create not granted: %v", r)
	}
	var mutating []string
	for _, call := range s.Calls() {
		if call.Service == "cls" && call.Mutating {
			mutating = append(mutating, call.Action)
		}
	}
	if len(mutating) != 1 || mutating[0] != "CreateTopic" {
		t.Errorf("mutating CLS calls in the log: %v", mutating)
	}
}
