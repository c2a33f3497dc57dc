package tcloud

import (
	"sync"

	"golang.org/x/time/rate"
)

// PublishedRates are Tencent Cloud's published per-action limits, in requests per second
// (reference/tencent-cloud-api.md §7.9). Actions not listed get DefaultRate, the usual unpublished value.
var PublishedRates = map[string]float64{
	"cam:CreateAccessKey": 5, "cam:DeleteAccessKey": 5,
	"cam:CreatePolicy": 10, "cam:AttachUserPolicy": 10, "cam:DetachUserPolicy": 10, "lighthouse:DescribeRegions": 10,
	"cam:AddUser": 20, "cam:DeleteUser": 20, "cam:ListUsers": 20, "cam:GetUserAppId": 20, "cam:ListAccessKeys": 20, "cam:GetSecurityLastUsed": 20,
	"cam:ListPolicies": 20, "cam:ListAttachedUserPolicies": 20, "sts:GetCallerIdentity": 20, "cvm:DescribeRegions": 20,
	"cls:CreateLogset": 20, "cls:OpenKafkaConsumer": 20, "cls:DescribeKafkaConsumer": 20, "cloudaudit:CreateAuditTrack": 20,
	"cloudaudit:ModifyAuditTrack": 20, "clb:DescribeLoadBalancers": 20, "cdb:DescribeDBInstances": 20,
	"cvm:DescribeInstances":  40,
	"region:DescribeRegions": 50, "cls:DescribeTopics": 50,
	"sts:AssumeRole":               600,
	"lighthouse:DescribeInstances": 100, "cls:DescribeLogsets": 100, "cls:CreateTopic": 100, "vpc:DescribeVpcs": 100,
	"vpc:DescribeSubnets": 100, "vpc:DescribeSecurityGroups": 100, "cbs:DescribeDisks": 100,
}

// DefaultRate is the limit of actions without a published one.
const DefaultRate = 20

// RateLimits configure per-action throttling: off (nil Rates) or the given table, per account and
// action, or per account, action and region.
type RateLimits struct {
	Rates     map[string]float64 // "service:Action" → requests per second; missing → DefaultRate
	PerRegion bool
}

type limiters struct {
	cfg RateLimits
	mu  sync.Mutex
	m   map[string]*rate.Limiter
}

// allow takes a token for one call, reporting false when the call is over the limit. The bucket holds
// one second's worth, as the services allow short bursts.
func (l *limiters) allow(account, service, action, region string) bool {
	if l == nil || l.cfg.Rates == nil {
		return true
	}
	name := service + ":" + action
	key := account + "|" + name
	if l.cfg.PerRegion {
		key += "|" + region
	}
	l.mu.Lock()
	lim, ok := l.m[key]
	if !ok {
		r, ok := l.cfg.Rates[name]
		if !ok {
			r = DefaultRate
		}
		lim = rate.NewLimiter(rate.Limit(r), max(1, int(r)))
		l.m[key] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}
