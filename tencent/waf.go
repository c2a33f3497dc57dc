package tencent

import (
	"context"
	"fmt"
)

// WAF and Cloud Firewall have no typed module on the module proxy at a version that builds with common
// v1.3.210, so they go through the SDK's generic client with the structs below (field names and types
// from the official models; tencent/contract_node_test.go checks them). docs/facts/soc-logs.md holds the
// facts.
const (
	wafService = "waf"
	wafVersion = "2018-01-25"
	// WAFPageMax is the page size onboard lists WAF instances and domains with (no maximum is published).
	WAFPageMax = 100
)

// WAFFlowRegions are the regions the WAF CLS delivery actions are served in (their API pages: "this API
// only supports ap-guangzhou, ap-seoul").
var WAFFlowRegions = []string{"ap-guangzhou", "ap-seoul"}

// WAFLogType is the kind of log a WAF CLS delivery flow carries.
type WAFLogType int

const (
	WAFAccessLog WAFLogType = 1
	WAFAttackLog WAFLogType = 2
)

func (t WAFLogType) String() string {
	if t == WAFAttackLog {
		return "attack"
	}
	return "access"
}

// WAFInstance is a WAF instance: its edition level decides whether attack-log delivery can be switched on.
type WAFInstance struct {
	ID, Name, Region, Edition string
	Level                     int64
	AttackLogPost             bool
}

// AttackLogDeliverable reports whether the instance's edition may deliver attack logs: enterprise and
// above (ModifyInstanceAttackLogPost: "enterprise edition and above can turn it on").
func (i WAFInstance) AttackLogDeliverable() bool { return i.Level >= 3 && i.Level < 100 }

// WAFDomain is a domain WAF protects, with its access-log switches.
type WAFDomain struct {
	Domain, DomainID, InstanceID, Edition string
	// AccessLog is the domain's access-log switch (ClsStatus); PostCLS its delivery to CLS (PostCLSStatus);
	// PostCKafka its delivery to CKafka, which a change of PostCLS must send as it is.
	AccessLog, PostCLS, PostCKafka bool
}

// WAFFlow is a WAF CLS delivery flow.
type WAFFlow struct {
	ID                       uint64
	LogType                  WAFLogType
	Enabled                  bool
	CLSRegion                string
	LogsetName, LogsetID     string
	LogTopicName, LogTopicID string
}

// WAFFlowSpec names the logset and topic a new flow delivers to.
type WAFFlowSpec struct {
	LogType                      WAFLogType
	CLSRegion, LogsetName, Topic string
}

type wafPageRequest struct {
	Offset int64 `json:"Offset"`
	Limit  int64 `json:"Limit"`
}

type wafDescribeInstancesResponse struct {
	Response struct {
		Total     uint64            `json:"Total"`
		Instances []wafInstanceInfo `json:"Instances"`
		RequestId string            `json:"RequestId"`
	} `json:"Response"`
}

type wafInstanceInfo struct {
	InstanceId    string `json:"InstanceId"`
	InstanceName  string `json:"InstanceName"`
	Region        string `json:"Region"`
	Level         int64  `json:"Level"`
	Edition       string `json:"Edition"`
	AttackLogPost int64  `json:"AttackLogPost"`
}

type wafDescribeDomainsResponse struct {
	Response struct {
		Total     uint64          `json:"Total"`
		Domains   []wafDomainInfo `json:"Domains"`
		RequestId string          `json:"RequestId"`
	} `json:"Response"`
}

type wafDomainInfo struct {
	Domain           string `json:"Domain"`
	DomainId         string `json:"DomainId"`
	InstanceId       string `json:"InstanceId"`
	Edition          string `json:"Edition"`
	ClsStatus        int64  `json:"ClsStatus"`
	PostCLSStatus    int64  `json:"PostCLSStatus"`
	PostCKafkaStatus int64  `json:"PostCKafkaStatus"`
}

type wafCreatePostCLSFlowRequest struct {
	CLSRegion    string `json:"CLSRegion"`
	LogsetName   string `json:"LogsetName"`
	LogType      int64  `json:"LogType"`
	LogTopicName string `json:"LogTopicName"`
}

type wafDescribePostCLSFlowsRequest struct {
	LogType int64 `json:"LogType"`
}

type wafDescribePostCLSFlowsResponse struct {
	Response struct {
		PostCLSFlows []wafPostCLSFlowInfo `json:"PostCLSFlows"`
		RequestId    string               `json:"RequestId"`
	} `json:"Response"`
}

type wafPostCLSFlowInfo struct {
	FlowId       uint64 `json:"FlowId"`
	LogType      int64  `json:"LogType"`
	Status       int64  `json:"Status"`
	CLSRegion    string `json:"CLSRegion"`
	LogsetName   string `json:"LogsetName"`
	LogsetID     string `json:"LogsetID"`
	LogTopicName string `json:"LogTopicName"`
	LogTopicID   string `json:"LogTopicID"`
}

type wafDestroyPostCLSFlowRequest struct {
	FlowId  uint64 `json:"FlowId"`
	LogType int64  `json:"LogType"`
}

type wafDomainURI struct {
	Domain     string `json:"Domain"`
	Edition    string `json:"Edition"`
	InstanceID string `json:"InstanceID"`
}

type wafModifyDomainsCLSStatusRequest struct {
	Domains []wafDomainURI `json:"Domains"`
	Status  int64          `json:"Status"`
}

type wafModifyDomainPostActionRequest struct {
	Domain           string `json:"Domain"`
	PostCLSAction    int64  `json:"PostCLSAction"`
	PostCKafkaAction int64  `json:"PostCKafkaAction"`
}

type wafModifyInstanceAttackLogPostRequest struct {
	InstanceId    string `json:"InstanceId"`
	AttackLogPost int64  `json:"AttackLogPost"`
}

// wafEmptyResponse is the answer of an action that returns only its RequestId.
type wafEmptyResponse struct {
	Response struct {
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func isOn(v int64) bool { return v == 1 }

// ListWAFInstances returns every WAF instance of the account; region is where the WAF API is called.
func (c *Client) ListWAFInstances(ctx context.Context, region string) ([]WAFInstance, error) {
	var all []WAFInstance
	for offset := 0; ; offset += WAFPageMax {
		var out wafDescribeInstancesResponse
		if err := c.generic(ctx, wafService, wafVersion, region, "DescribeInstances", false, wafPageRequest{Offset: int64(offset), Limit: WAFPageMax}, &out); err != nil {
			return nil, fmt.Errorf("list WAF instances: %w", err)
		}
		for _, i := range out.Response.Instances {
			all = append(all, WAFInstance{ID: i.InstanceId, Name: i.InstanceName, Region: i.Region, Edition: i.Edition, Level: i.Level, AttackLogPost: isOn(i.AttackLogPost)})
		}
		if len(out.Response.Instances) < WAFPageMax || uint64(len(all)) >= out.Response.Total {
			return all, nil
		}
	}
}

// ListWAFDomains returns every domain WAF protects in the account.
func (c *Client) ListWAFDomains(ctx context.Context, region string) ([]WAFDomain, error) {
	var all []WAFDomain
	for offset := 0; ; offset += WAFPageMax {
		var out wafDescribeDomainsResponse
		if err := c.generic(ctx, wafService, wafVersion, region, "DescribeDomains", false, wafPageRequest{Offset: int64(offset), Limit: WAFPageMax}, &out); err != nil {
			return nil, fmt.Errorf("list WAF domains: %w", err)
		}
		for _, d := range out.Response.Domains {
			all = append(all, WAFDomain{Domain: d.Domain, DomainID: d.DomainId, InstanceID: d.InstanceId, Edition: d.Edition,
				AccessLog: d.ClsStatus == 1, PostCLS: isOn(d.PostCLSStatus), PostCKafka: isOn(d.PostCKafkaStatus)})
		}
		if len(out.Response.Domains) < WAFPageMax || uint64(len(all)) >= out.Response.Total {
			return all, nil
		}
	}
}

// ListWAFFlows returns the account's WAF CLS delivery flows of one log type.
func (c *Client) ListWAFFlows(ctx context.Context, region string, t WAFLogType) ([]WAFFlow, error) {
	var out wafDescribePostCLSFlowsResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "DescribePostCLSFlows", false, wafDescribePostCLSFlowsRequest{LogType: int64(t)}, &out); err != nil {
		return nil, fmt.Errorf("list WAF %s-log delivery flows: %w", t, err)
	}
	var flows []WAFFlow
	for _, f := range out.Response.PostCLSFlows {
		flows = append(flows, WAFFlow{ID: f.FlowId, LogType: WAFLogType(f.LogType), Enabled: f.Status == 1, CLSRegion: f.CLSRegion,
			LogsetName: f.LogsetName, LogsetID: f.LogsetID, LogTopicName: f.LogTopicName, LogTopicID: f.LogTopicID})
	}
	return flows, nil
}

// CreateWAFFlow creates a WAF CLS delivery flow. The answer names no flow: ListWAFFlows finds it.
func (c *Client) CreateWAFFlow(ctx context.Context, region string, spec WAFFlowSpec) error {
	in := wafCreatePostCLSFlowRequest{CLSRegion: spec.CLSRegion, LogsetName: spec.LogsetName, LogType: int64(spec.LogType), LogTopicName: spec.Topic}
	var out wafEmptyResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "CreatePostCLSFlow", true, in, &out); err != nil {
		return fmt.Errorf("create the WAF %s-log delivery flow to CLS topic %s: %w", spec.LogType, spec.Topic, err)
	}
	return nil
}

// DestroyWAFFlow removes a WAF CLS delivery flow.
func (c *Client) DestroyWAFFlow(ctx context.Context, region string, t WAFLogType, id uint64) error {
	var out wafEmptyResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "DestroyPostCLSFlow", true, wafDestroyPostCLSFlowRequest{FlowId: id, LogType: int64(t)}, &out); err != nil {
		return fmt.Errorf("destroy WAF %s-log delivery flow %d: %w", t, id, err)
	}
	return nil
}

// SetWAFAccessLog turns a domain's access-log switch on or off.
func (c *Client) SetWAFAccessLog(ctx context.Context, region string, d WAFDomain, on bool) error {
	in := wafModifyDomainsCLSStatusRequest{Domains: []wafDomainURI{{Domain: d.Domain, Edition: d.Edition, InstanceID: d.InstanceID}}, Status: flag(on)}
	var out wafEmptyResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "ModifyDomainsCLSStatus", true, in, &out); err != nil {
		return fmt.Errorf("set the access-log switch of WAF domain %s: %w", d.Domain, err)
	}
	return nil
}

// SetWAFDomainDelivery turns a domain's delivery to CLS on or off, leaving its CKafka delivery as it is.
func (c *Client) SetWAFDomainDelivery(ctx context.Context, region string, d WAFDomain, on bool) error {
	in := wafModifyDomainPostActionRequest{Domain: d.Domain, PostCLSAction: flag(on), PostCKafkaAction: flag(d.PostCKafka)}
	var out wafEmptyResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "ModifyDomainPostAction", true, in, &out); err != nil {
		return fmt.Errorf("set the CLS delivery of WAF domain %s: %w", d.Domain, err)
	}
	return nil
}

// SetWAFAttackLogDelivery turns an instance's attack-log delivery on or off.
func (c *Client) SetWAFAttackLogDelivery(ctx context.Context, region, instanceID string, on bool) error {
	in := wafModifyInstanceAttackLogPostRequest{InstanceId: instanceID, AttackLogPost: flag(on)}
	var out wafEmptyResponse
	if err := c.generic(ctx, wafService, wafVersion, region, "ModifyInstanceAttackLogPost", true, in, &out); err != nil {
		return fmt.Errorf("set the attack-log delivery of WAF instance %s: %w", instanceID, err)
	}
	return nil
}
