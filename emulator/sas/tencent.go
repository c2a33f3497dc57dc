package sas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"onboard/emulator/tcloud"
)

// tencentCaller calls the Tencent Cloud API with a submitted key, signing TC3-HMAC-SHA256 requests as any
// Tencent Cloud client does.
type tencentCaller struct {
	endpoint string
	client   *http.Client
	now      func() time.Time
}

// tencentKey is a submitted Tencent Cloud key.
type tencentKey struct{ id, secret string }

// tencentError is an error answered in Tencent Cloud's envelope; transport failures have Code "".
type tencentError struct {
	Code, Message string
}

func (e *tencentError) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// tencentVersions are the API versions of the services the checks call.
var tencentVersions = map[string]string{"sts": "2018-08-13", "cvm": "2017-03-12", "vpc": "2017-03-12", "cls": "2020-10-16", "cfw": "2019-09-04",
	"lighthouse": "2020-03-24"}

// call sends one action and decodes Response into out (nil: ignored).
func (t *tencentCaller) call(ctx context.Context, key tencentKey, service, action, region string, in, out any) *tencentError {
	if t.endpoint == "" {
		return &tencentError{Message: "no Tencent Cloud endpoint is configured"}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return &tencentError{Message: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return &tencentError{Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", tencentVersions[service])
	if region != "" {
		req.Header.Set("X-TC-Region", region)
	}
	req.Header.Set("X-TC-Language", "en-US")
	tcloud.Sign(req, body, key.id, key.secret, service, t.now())
	resp, err := t.client.Do(req)
	if err != nil {
		return &tencentError{Message: fmt.Sprintf("Tencent Cloud is unreachable: %v", err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return &tencentError{Message: fmt.Sprintf("Tencent Cloud answered HTTP %d", resp.StatusCode)}
	}
	var env struct {
		Response json.RawMessage
	}
	var head struct {
		Error *struct{ Code, Message string }
	}
	if json.Unmarshal(data, &env) != nil || json.Unmarshal(env.Response, &head) != nil {
		return &tencentError{Message: "Tencent Cloud answered something that is not its envelope"}
	}
	if head.Error != nil {
		return &tencentError{Code: head.Error.Code, Message: head.Error.Message}
	}
	if out != nil && json.Unmarshal(env.Response, out) != nil {
		return &tencentError{Message: "Tencent Cloud's answer does not decode"}
	}
	return nil
}

// identity is what STS GetCallerIdentity says about a key.
type identity struct {
	AccountId, UserId, Type string
}

func (t *tencentCaller) identify(ctx context.Context, key tencentKey) (identity, *tencentError) {
	var id identity
	err := t.call(ctx, key, "sts", "GetCallerIdentity", "ap-guangzhou", struct{}{}, &id)
	return id, err
}

// moduleCheck is the read call that proves a key holds a module's permissions (policy.FeatureCalls'
// probes): Agentic SOC reads Cloud Firewall, audit logs read CLS. InvalidAction (an action the Tencent
// emulator does not serve) counts as passed.
type moduleCheck struct {
	service, action string
	body            any
}

var moduleChecks = map[string]moduleCheck{
	"HOST": {"cvm", "DescribeInstances", map[string]any{"Offset": 0, "Limit": 1}},
	"CSPM": {"vpc", "DescribeVpcs", map[string]any{"Offset": "0", "Limit": "1"}},
	"SIEM": {"cfw", "DescribeBlockIgnoreList", map[string]any{"Limit": 1, "Offset": 0, "Direction": "1", "Order": "desc",
		"By": "EndTime", "ShowType": "all"}},
	"TRIAL": {"cls", "DescribeLogsets", map[string]any{"Offset": 0, "Limit": 1}},
}

// checkModule runs a module's read call; InvalidAction (the action is not served) counts as passed.
func (t *tencentCaller) checkModule(ctx context.Context, key tencentKey, module, region string) *tencentError {
	c, ok := moduleChecks[module]
	if !ok {
		return nil
	}
	err := t.call(ctx, key, c.service, c.action, region, c.body, nil)
	if err != nil && err.Code == "InvalidAction" {
		return nil
	}
	return err
}

// countAssets lists every page of hosts (ecs) or VPCs (cloud_product) in a region and returns the total.
func (t *tencentCaller) countAssets(ctx context.Context, key tencentKey, assetType, region string) (int, *tencentError) {
	const limit = 100
	seen := 0
	for offset := 0; ; offset += limit {
		var page struct {
			TotalCount  int
			InstanceSet []json.RawMessage
			VpcSet      []json.RawMessage
		}
		var err *tencentError
		if assetType == "ecs" {
			err = t.call(ctx, key, "cvm", "DescribeInstances", region, map[string]any{"Offset": offset, "Limit": limit}, &page)
		} else {
			err = t.call(ctx, key, "vpc", "DescribeVpcs", region, map[string]any{"Offset": fmt.Sprint(offset), "Limit": fmt.Sprint(limit)}, &page)
		}
		if err != nil {
			return seen, err
		}
		n := len(page.InstanceSet) + len(page.VpcSet)
		seen += n
		if n == 0 || seen >= page.TotalCount {
			return seen, nil
		}
	}
}

// kafkaTopicReady reports whether the Kafka topic can be consumed for the logset: it names a topic of
// the logset, as its consumer topic "out-<TopicId>" (or the bare TopicId), and that topic's Kafka
// consumption is open. When it is not, reason says why.
func (t *tencentCaller) kafkaTopicReady(ctx context.Context, key tencentKey, region, logset, topic string) (ok bool, reason string, err *tencentError) {
	var out struct {
		Topics []struct{ TopicId, LogsetId string }
	}
	in := map[string]any{"Filters": []map[string]any{{"Key": "logsetId", "Values": []string{logset}}}, "Offset": 0, "Limit": 100}
	if err := t.call(ctx, key, "cls", "DescribeTopics", region, in, &out); err != nil {
		return false, "", err
	}
	var topicID string
	for _, tp := range out.Topics {
		if tp.LogsetId == logset && (tp.TopicId == topic || "out-"+tp.TopicId == topic) {
			topicID = tp.TopicId
		}
	}
	if topicID == "" {
		return false, "topic " + topic + " is not in logset " + logset, nil
	}
	var consumer struct{ Status bool }
	if err := t.call(ctx, key, "cls", "DescribeKafkaConsumer", region, map[string]any{"FromTopicId": topicID}, &consumer); err != nil {
		return false, "", err
	}
	if !consumer.Status {
		return false, "Kafka consumption of topic " + topicID + " is not open", nil
	}
	return true, "", nil
}
