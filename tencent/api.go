package tencent

import "context"

// API is everything the tool asks of Tencent Cloud. Consumers declare the few methods they need as their
// own small interfaces; Client satisfies them all.
type API interface {
	Identify(ctx context.Context) (Identity, error)
	CallerIdentity(ctx context.Context) (Identity, error)
	GetUser(ctx context.Context, name string) (User, error)
	CreateUser(ctx context.Context, spec UserSpec) (User, error)
	DeleteUser(ctx context.Context, name string, force bool) error
	ListUsers(ctx context.Context) ([]User, error)
	ListPolicies(ctx context.Context, scope PolicyScope, keyword string) ([]PolicySummary, error)
	FindPolicy(ctx context.Context, scope PolicyScope, name string) (PolicySummary, error)
	GetPolicy(ctx context.Context, id uint64) (Policy, error)
	CreatePolicy(ctx context.Context, spec PolicySpec) (uint64, error)
	UpdatePolicy(ctx context.Context, id uint64, spec PolicySpec) error
	DeletePolicy(ctx context.Context, ids ...uint64) error
	AttachUserPolicy(ctx context.Context, policyID, userUIN uint64) error
	DetachUserPolicy(ctx context.Context, policyID, userUIN uint64) error
	ListAttachedUserPolicies(ctx context.Context, userUIN uint64) ([]AttachedPolicy, error)
	ListEntitiesForPolicy(ctx context.Context, policyID uint64) ([]PolicyEntity, error)
	CreateAccessKey(ctx context.Context, userUIN uint64, description string) (AccessKey, error)
	ListAccessKeys(ctx context.Context, userUIN uint64) ([]AccessKey, error)
	UpdateAccessKey(ctx context.Context, userUIN uint64, keyID, status string) error
	DeleteAccessKey(ctx context.Context, userUIN uint64, keyID string) error
	Regions(ctx context.Context, product string) ([]Region, error)
	ListCVMInstances(ctx context.Context, region string, offset, limit int) (Page[CVMInstance], error)
	ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (Page[LighthouseInstance], error)
	ListVPCs(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	ListSubnets(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	ListSecurityGroups(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	ListDisks(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	ListLoadBalancers(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	ListDBInstances(ctx context.Context, region string, offset, limit int) (Page[Resource], error)
	CreateLogset(ctx context.Context, region, name string) (Logset, error)
	ListLogsets(ctx context.Context, region, name string) ([]Logset, error)
	CreateTopic(ctx context.Context, region string, spec TopicSpec) (Topic, error)
	ListTopics(ctx context.Context, region, logsetID, name string) ([]Topic, error)
	CloseKafkaConsumer(ctx context.Context, region, topicID string) error
	DeleteTopic(ctx context.Context, region, topicID string) error
	DeleteLogset(ctx context.Context, region, logsetID string) error
	OpenKafkaConsumer(ctx context.Context, region, topicID string, spec KafkaConsumerSpec) (KafkaConsumer, error)
	GetKafkaConsumer(ctx context.Context, region, topicID string) (KafkaConsumer, error)
	ModifyKafkaConsumer(ctx context.Context, region, topicID string, spec KafkaConsumerSpec) error
	CreateAuditTrack(ctx context.Context, spec AuditTrackSpec) (AuditTrack, error)
	ListAuditTracks(ctx context.Context) ([]AuditTrack, error)
	DeleteAuditTrack(ctx context.Context, id uint64) error
}

var _ API = (*Client)(nil)
