package tencent

import (
	"context"
	"fmt"

	cls "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cls/v20201016"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// clsVersion is the CLS API version.
const clsVersion = "2020-10-16"

// CLSPageMax is the largest page CLS DescribeLogsets and DescribeTopics serve.
const CLSPageMax = 100

// Logset is a CLS logset. Logsets are regional: the same name may exist once per region.
type Logset struct {
	ID, Name, Region string
	Created          string // "YYYY-MM-DD HH:MM:SS" as CLS gives it
	TopicCount       int
}

// Topic is a CLS log topic.
type Topic struct {
	ID, Name, LogsetID, Region string
	PeriodDays                 int // retention; 3640 means forever
}

// TopicSpec describes a log topic to create. PeriodDays 0 leaves the retention to CLS (30 days).
type TopicSpec struct {
	LogsetID, Name string
	PeriodDays     int
}

// KafkaCompression is how CLS compresses the records a Kafka consumer reads.
type KafkaCompression int

const (
	KafkaNoCompression KafkaCompression = 0
	KafkaSnappy        KafkaCompression = 2
	KafkaLZ4           KafkaCompression = 3
)

// KafkaConsumerSpec describes Kafka-protocol consumption of a topic.
type KafkaConsumerSpec struct {
	Compression KafkaCompression
	JSON        bool     // records as JSON rather than raw
	EnableTag   bool     // include the log tags
	MetaFields  []string // e.g. __SOURCE__, __TIMESTAMP__
	// History also delivers the records the topic already holds (ScopeType 1), not only new ones.
	History bool
}

// KafkaConsumer is the Kafka-protocol consumption of one CLS topic.
type KafkaConsumer struct {
	Enabled     bool
	FromTopicID string // the CLS topic
	// TopicID is the Kafka topic to consume, as CLS names it (not the CLS topic ID); empty while disabled.
	TopicID     string
	Region      string
	Compression KafkaCompression
	JSON        bool
	// History says whether consumption delivers the records the topic held when it was opened
	// (ScopeType 1), not only new ones.
	History bool
}

func (c *Client) cls(region string) (*cls.Client, error) {
	return sdkClient(c, "cls", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*cls.Client, error) {
		return cls.NewClient(cr, r, p)
	})
}

// CreateLogset creates a logset in region.
func (c *Client) CreateLogset(ctx context.Context, region, name string) (Logset, error) {
	cl, err := c.cls(region)
	if err != nil {
		return Logset{}, err
	}
	req := cls.NewCreateLogsetRequest()
	req.LogsetName = common.StringPtr(name)
	var id string
	err = c.do(ctx, "cls", "CreateLogset", true, func() error {
		resp, err := cl.CreateLogsetWithContext(ctx, req)
		if err == nil {
			id = str(resp.Response.LogsetId)
		}
		return err
	})
	if err != nil {
		return Logset{}, fmt.Errorf("create logset %q in %s: %w", name, region, err)
	}
	return Logset{ID: id, Name: name, Region: region}, nil
}

// ListLogsets returns the logsets of region over all pages; a non-empty name keeps only the logset of
// exactly that name (CLS's name filter is not documented as exact, so the name is compared here).
func (c *Client) ListLogsets(ctx context.Context, region, name string) ([]Logset, error) {
	cl, err := c.cls(region)
	if err != nil {
		return nil, err
	}
	var out []Logset
	for offset := 0; ; {
		req := cls.NewDescribeLogsetsRequest()
		req.Offset, req.Limit = common.Int64Ptr(int64(offset)), common.Int64Ptr(CLSPageMax)
		if name != "" {
			req.Filters = []*cls.Filter{{Key: common.StringPtr("logsetName"), Values: common.StringPtrs([]string{name})}}
		}
		var total, got int
		err := c.do(ctx, "cls", "DescribeLogsets", false, func() error {
			resp, err := cl.DescribeLogsetsWithContext(ctx, req)
			if err != nil {
				return err
			}
			total, got = int(derefInt64(resp.Response.TotalCount)), len(resp.Response.Logsets)
			for _, l := range resp.Response.Logsets {
				if name != "" && str(l.LogsetName) != name {
					continue
				}
				out = append(out, Logset{ID: str(l.LogsetId), Name: str(l.LogsetName), Region: region,
					Created: str(l.CreateTime), TopicCount: int(derefInt64(l.TopicCount))})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list logsets in %s (offset %d): %w", region, offset, err)
		}
		offset += got
		if got == 0 || offset >= total {
			return out, nil
		}
	}
}

// CreateTopic creates a log topic in a logset of region.
func (c *Client) CreateTopic(ctx context.Context, region string, spec TopicSpec) (Topic, error) {
	cl, err := c.cls(region)
	if err != nil {
		return Topic{}, err
	}
	req := cls.NewCreateTopicRequest()
	req.LogsetId = common.StringPtr(spec.LogsetID)
	req.TopicName = common.StringPtr(spec.Name)
	period := 30
	if spec.PeriodDays != 0 {
		period = spec.PeriodDays
		req.Period = common.Int64Ptr(int64(period))
	}
	var id string
	err = c.do(ctx, "cls", "CreateTopic", true, func() error {
		resp, err := cl.CreateTopicWithContext(ctx, req)
		if err == nil {
			id = str(resp.Response.TopicId)
		}
		return err
	})
	if err != nil {
		return Topic{}, fmt.Errorf("create topic %q in logset %s (%s): %w", spec.Name, spec.LogsetID, region, err)
	}
	return Topic{ID: id, Name: spec.Name, LogsetID: spec.LogsetID, Region: region, PeriodDays: period}, nil
}

// ListTopics returns the log topics of region over all pages, of one logset when logsetID is set, and of
// exactly that name when name is set.
func (c *Client) ListTopics(ctx context.Context, region, logsetID, name string) ([]Topic, error) {
	cl, err := c.cls(region)
	if err != nil {
		return nil, err
	}
	var filters []*cls.Filter
	if logsetID != "" {
		filters = append(filters, &cls.Filter{Key: common.StringPtr("logsetId"), Values: common.StringPtrs([]string{logsetID})})
	}
	if name != "" {
		filters = append(filters, &cls.Filter{Key: common.StringPtr("topicName"), Values: common.StringPtrs([]string{name})})
	}
	var out []Topic
	for offset := 0; ; {
		req := cls.NewDescribeTopicsRequest()
		req.Offset, req.Limit = common.Int64Ptr(int64(offset)), common.Int64Ptr(CLSPageMax)
		req.Filters = filters
		if name != "" {
			req.PreciseSearch = common.Uint64Ptr(1) // topicName exact
		}
		var total, got int
		err := c.do(ctx, "cls", "DescribeTopics", false, func() error {
			resp, err := cl.DescribeTopicsWithContext(ctx, req)
			if err != nil {
				return err
			}
			total, got = int(derefInt64(resp.Response.TotalCount)), len(resp.Response.Topics)
			for _, t := range resp.Response.Topics {
				out = append(out, Topic{ID: str(t.TopicId), Name: str(t.TopicName), LogsetID: str(t.LogsetId), Region: region,
					PeriodDays: int(derefInt64(t.Period))})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list topics in %s (offset %d): %w", region, offset, err)
		}
		offset += got
		if got == 0 || offset >= total {
			return out, nil
		}
	}
}

// The Kafka consumer actions go through the SDK's generic client with these structs: the typed module
// served here predates ScopeType, which Security Center needs ("history and latest"), and HasServicesLog.
// tencent/contract_node_test.go checks every field against the current official models.

// clsKafkaConsumerRequest is OpenKafkaConsumer's and ModifyKafkaConsumer's request.
type clsKafkaConsumerRequest struct {
	FromTopicId     string                  `json:"FromTopicId"`
	Compression     int64                   `json:"Compression"`
	ConsumerContent clsKafkaConsumerContent `json:"ConsumerContent"`
	ScopeType       int64                   `json:"ScopeType"`
}

type clsKafkaConsumerContent struct {
	Format     int64    `json:"Format"`
	EnableTag  bool     `json:"EnableTag"`
	MetaFields []string `json:"MetaFields"`
}

type clsOpenKafkaConsumerResponse struct {
	Response struct {
		TopicID   string `json:"TopicID"`
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

type clsModifyKafkaConsumerResponse struct {
	Response struct {
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

type clsDescribeKafkaConsumerRequest struct {
	FromTopicId string `json:"FromTopicId"`
}

type clsDescribeKafkaConsumerResponse struct {
	Response struct {
		Status          bool                     `json:"Status"`
		TopicID         string                   `json:"TopicID"`
		Compression     int64                    `json:"Compression"`
		ConsumerContent *clsKafkaConsumerContent `json:"ConsumerContent"`
		HasServicesLog  int64                    `json:"HasServicesLog"`
		ScopeType       int64                    `json:"ScopeType"`
		RequestId       string                   `json:"RequestId"`
	} `json:"Response"`
}

// kafkaConsumerRequest is the request that sets spec on the topic's consumption.
func kafkaConsumerRequest(topicID string, spec KafkaConsumerSpec) clsKafkaConsumerRequest {
	in := clsKafkaConsumerRequest{FromTopicId: topicID, Compression: int64(spec.Compression),
		ConsumerContent: clsKafkaConsumerContent{EnableTag: spec.EnableTag, MetaFields: append([]string{}, spec.MetaFields...)}}
	if spec.JSON {
		in.ConsumerContent.Format = 1
	}
	if spec.History {
		in.ScopeType = 1
	}
	return in
}

// OpenKafkaConsumer opens Kafka-protocol consumption of a CLS topic and returns the Kafka topic to read.
// Opening it twice is refused with ErrAlreadyExists.
func (c *Client) OpenKafkaConsumer(ctx context.Context, region, topicID string, spec KafkaConsumerSpec) (KafkaConsumer, error) {
	var out clsOpenKafkaConsumerResponse
	if err := c.generic(ctx, "cls", clsVersion, region, "OpenKafkaConsumer", true, kafkaConsumerRequest(topicID, spec), &out); err != nil {
		return KafkaConsumer{}, fmt.Errorf("open Kafka consumption of topic %s (%s): %w", topicID, region, err)
	}
	return KafkaConsumer{Enabled: true, FromTopicID: topicID, TopicID: out.Response.TopicID, Region: region,
		Compression: spec.Compression, JSON: spec.JSON, History: spec.History}, nil
}

// ModifyKafkaConsumer sets spec on open Kafka-protocol consumption of a CLS topic. Every field of spec is
// sent, so the result does not depend on whether CLS keeps or resets a field left out.
func (c *Client) ModifyKafkaConsumer(ctx context.Context, region, topicID string, spec KafkaConsumerSpec) error {
	var out clsModifyKafkaConsumerResponse
	if err := c.generic(ctx, "cls", clsVersion, region, "ModifyKafkaConsumer", true, kafkaConsumerRequest(topicID, spec), &out); err != nil {
		return fmt.Errorf("modify Kafka consumption of topic %s (%s): %w", topicID, region, err)
	}
	return nil
}

// GetKafkaConsumer returns the Kafka-protocol consumption of a CLS topic, enabled or not.
func (c *Client) GetKafkaConsumer(ctx context.Context, region, topicID string) (KafkaConsumer, error) {
	var out clsDescribeKafkaConsumerResponse
	if err := c.generic(ctx, "cls", clsVersion, region, "DescribeKafkaConsumer", false, clsDescribeKafkaConsumerRequest{FromTopicId: topicID}, &out); err != nil {
		return KafkaConsumer{}, fmt.Errorf("get Kafka consumption of topic %s (%s): %w", topicID, region, err)
	}
	r := out.Response
	return KafkaConsumer{Enabled: r.Status, FromTopicID: topicID, TopicID: r.TopicID, Region: region, Compression: KafkaCompression(r.Compression),
		JSON: r.ConsumerContent != nil && r.ConsumerContent.Format == 1, History: r.ScopeType == 1}, nil
}

// CloseKafkaConsumer closes Kafka-protocol consumption of a CLS topic.
func (c *Client) CloseKafkaConsumer(ctx context.Context, region, topicID string) error {
	cl, err := c.cls(region)
	if err != nil {
		return err
	}
	req := cls.NewCloseKafkaConsumerRequest()
	req.FromTopicId = common.StringPtr(topicID)
	err = c.do(ctx, "cls", "CloseKafkaConsumer", true, func() error {
		_, err := cl.CloseKafkaConsumerWithContext(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("close Kafka consumption of topic %s (%s): %w", topicID, region, err)
	}
	return nil
}

// DeleteTopic deletes a CLS log topic and its logs.
func (c *Client) DeleteTopic(ctx context.Context, region, topicID string) error {
	cl, err := c.cls(region)
	if err != nil {
		return err
	}
	req := cls.NewDeleteTopicRequest()
	req.TopicId = common.StringPtr(topicID)
	err = c.do(ctx, "cls", "DeleteTopic", true, func() error {
		_, err := cl.DeleteTopicWithContext(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete topic %s (%s): %w", topicID, region, err)
	}
	return nil
}

// DeleteLogset deletes an empty CLS logset; one that still has topics is refused (ErrFailed).
func (c *Client) DeleteLogset(ctx context.Context, region, logsetID string) error {
	cl, err := c.cls(region)
	if err != nil {
		return err
	}
	req := cls.NewDeleteLogsetRequest()
	req.LogsetId = common.StringPtr(logsetID)
	err = c.do(ctx, "cls", "DeleteLogset", true, func() error {
		_, err := cl.DeleteLogsetWithContext(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete logset %s (%s): %w", logsetID, region, err)
	}
	return nil
}
