package tcloud

import (
	"fmt"
)

// CBS, CLB and CDB answer with the field names and JSON types of their models (cbs 2017-03-12,
// clb 2018-03-17, cdb 2017-03-20); note the tag shapes differ: Key/Value on CBS, TagKey/TagValue on
// CLB and CDB.

type cbsDisk struct {
	DiskId, DiskName, DiskType, DiskState, DiskUsage, DiskChargeType string
	DiskSize                                                         uint64
	Encrypt, Attached, Portable, Shareable, SnapshotAbility          bool
	InstanceId, InstanceType, CreateTime, DeadlineTime, RenewFlag    string
	InstanceIdList                                                   []string
	Placement                                                        struct {
		Zone      string
		ProjectId uint64
	}
	Tags          []struct{ Key, Value string }
	SnapshotCount int64
}

type clbLoadBalancer struct {
	LoadBalancerId, LoadBalancerName, LoadBalancerType string
	Forward                                            uint64
	LoadBalancerVips                                   []string
	Status                                             uint64
	CreateTime                                         string
	ProjectId                                          uint64
	VpcId, SubnetId, AddressIPVersion, ChargeType      string
	NumericalVpcId                                     uint64
	SecureGroups                                       []string
	Tags                                               []struct{ TagKey, TagValue string }
}

type cdbInstance struct {
	InstanceId, InstanceName, Region, Zone, EngineVersion, EngineType string
	ZoneId, Status, InstanceType, WanStatus, ProjectId, PayType       int64
	Vip                                                               string
	Vport, VpcId, SubnetId, Memory, Volume, Cpu                       int64
	UniqVpcId, UniqSubnetId, CreateTime, DeadlineTime, DeviceType     string
	TagList                                                           []struct{ TagKey, TagValue string }
}

// SeedDisks adds n CBS disks to region.
func (s *Server) SeedDisks(region string, n int) {
	seed(s, s.disks, region, n, func(short string, i int) cbsDisk {
		d := cbsDisk{DiskId: fmt.Sprintf("disk-%s%05d", short, i), DiskName: fmt.Sprintf("data-%d", i), DiskType: "CLOUD_PREMIUM",
			DiskState: "ATTACHED", DiskUsage: "DATA_DISK", DiskChargeType: "POSTPAID_BY_HOUR", DiskSize: 100, Attached: true,
			Encrypt: i%2 == 0, Portable: true, SnapshotAbility: true, InstanceId: fmt.Sprintf("ins-%s%04d", short, i),
			InstanceType: "CVM", CreateTime: "2025-01-01 00:00:00", RenewFlag: "NOTIFY_AND_MANUAL_RENEW",
			InstanceIdList: []string{}, Tags: []struct{ Key, Value string }{{"env", "prod"}}}
		d.Placement.Zone = region + "-3"
		return d
	})
}

// SeedLoadBalancers adds n CLB instances to region.
func (s *Server) SeedLoadBalancers(region string, n int) {
	seed(s, s.clbs, region, n, func(short string, i int) clbLoadBalancer {
		return clbLoadBalancer{LoadBalancerId: fmt.Sprintf("lb-%s%05d", short, i),
			LoadBalancerName: fmt.Sprintf("web-lb-%d", i), LoadBalancerType: "OPEN", Forward: 1,
			LoadBalancerVips: []string{fmt.Sprintf("203.0.113.%d", i%250+1)}, Status: 1, CreateTime: "2025-01-01 00:00:00",
			VpcId: fmt.Sprintf("vpc-%s0000", short), SubnetId: "", AddressIPVersion: "IPV4", ChargeType: "POSTPAID",
			NumericalVpcId: 100000 + uint64(i), SecureGroups: []string{}, Tags: []struct{ TagKey, TagValue string }{{"env", "prod"}}}
	})
}

// SeedDBInstances adds n CDB (MySQL) instances to region.
func (s *Server) SeedDBInstances(region string, n int) {
	seed(s, s.cdbs, region, n, func(short string, i int) cdbInstance {
		return cdbInstance{InstanceId: fmt.Sprintf("cdb-%s%05d", short, i),
			InstanceName: fmt.Sprintf("orders-%d", i), Region: region, Zone: region + "-3", EngineVersion: "8.0", EngineType: "InnoDB",
			ZoneId: 100003, Status: 1, InstanceType: 1, Vip: fmt.Sprintf("10.2.%d.%d", i/250, i%250+2), Vport: 3306,
			VpcId: 200000 + int64(i%100), SubnetId: 300000 + int64(i%100), Memory: 4000, Volume: 200, Cpu: 2,
			UniqVpcId: fmt.Sprintf("vpc-%s%04d", short, i%100), UniqSubnetId: fmt.Sprintf("subnet-%s%04d", short, i%100),
			CreateTime: "2025-01-01 00:00:00", DeadlineTime: "0000-00-00 00:00:00", DeviceType: "UNIVERSAL",
			TagList: []struct{ TagKey, TagValue string }{{"env", "prod"}}}
	})
}

type nameValuesFilter struct {
	Name   string
	Values []string
}

func (s *Server) describeDisks(r *request) (any, *apiError) {
	var in struct {
		Filters                      []nameValuesFilter
		Limit, Offset                *int64
		OrderField, Order            *string
		ReturnBindAutoSnapshotPolicy *bool
		DiskIds                      []string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.DiskIds) > 0 && len(in.Filters) > 0 {
		return nil, errorf("InvalidParameterValue", "DiskIds and Filters cannot be used together")
	}
	return seededPage(s, r, "cbs", "DiskSet", s.disks, in.Offset, in.Limit, 100)
}

func (s *Server) describeLoadBalancers(r *request) (any, *apiError) {
	var in struct {
		LoadBalancerIds                                       []string
		LoadBalancerType                                      *string
		Forward                                               *int64
		LoadBalancerName, Domain                              *string
		LoadBalancerVips, BackendPublicIps, BackendPrivateIps []string
		Offset, Limit                                         *int64
		OrderBy                                               *string
		OrderType, ProjectId, WithRs                          *int64
		SearchKey, VpcId, SecurityGroup, MasterZone           *string
		Filters                                               []nameValuesFilter
		AdditionalFields                                      []string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.LoadBalancerIds) > 20 {
		return nil, errorf("InvalidParameterValue.Length", "LoadBalancerIds takes at most 20 IDs")
	}
	return seededPage(s, r, "clb", "LoadBalancerSet", s.clbs, in.Offset, in.Limit, 100)
}

func (s *Server) describeDBInstances(r *request) (any, *apiError) {
	var in struct {
		ProjectId                                             *int64
		InstanceTypes, Status, PayTypes, TaskStatus           []uint64
		VpcIds, ZoneIds, SubnetIds                            []uint64
		CdbErrors                                             []int64
		Vips, InstanceNames, EngineVersions, InstanceIds      []string
		Offset, Limit                                         *int64
		SecurityGroupId, OrderBy, OrderDirection, ExClusterId *string
		WithSecurityGroup, WithExCluster, InitFlag            *int64
		WithDr, WithRo, WithMaster                            *int64
		DeployGroupIds, TagKeysForSearch, CageIds, TagValues  []string
		UniqueVpcIds, UniqSubnetIds, ProxyVips, ProxyIds      []string
		EngineTypes                                           []string
		Tags                                                  []struct{ Key, Value string }
		QueryClusterInfo                                      *bool
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	return seededPage(s, r, "cdb", "Items", s.cdbs, in.Offset, in.Limit, 2000)
}
