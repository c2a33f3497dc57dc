package tcloud

import (
	"fmt"
	"strconv"
)

// VPC answers with the fields of the VPC models (vpc 2017-03-12); Offset and Limit are strings there.
type vpcItem struct {
	VpcName, VpcId, CidrBlock  string
	IsDefault, EnableMulticast bool
	CreatedTime                string
	DnsServerSet               []string
	DomainName, DhcpOptionsId  string
	EnableDhcp                 bool
	Ipv6CidrBlock              string
	TagSet                     []struct{ Key, Value string }
}

type subnetItem struct {
	VpcId, SubnetId, SubnetName, CidrBlock string
	IsDefault, EnableBroadcast             bool
	Zone, RouteTableId, CreatedTime        string
	AvailableIpAddressCount                uint64
	Ipv6CidrBlock, NetworkAclId            string
	IsRemoteVpcSnat                        bool
	TotalIpAddressCount                    uint64
	TagSet                                 []struct{ Key, Value string }
}

type securityGroupItem struct {
	SecurityGroupId, SecurityGroupName, SecurityGroupDesc string
	ProjectId                                             string // a string in VPC's model, unlike CVM's
	IsDefault                                             bool
	CreatedTime, UpdateTime                               string
	TagSet                                                []struct{ Key, Value string }
}

// SeedVPC adds n VPCs, each with one subnet and one security group, to region.
func (s *Server) SeedVPC(region string, n int) {
	s.SeedVPCs(region, n)
	s.SeedSubnets(region, n)
	s.SeedSecurityGroups(region, n)
}

// SeedVPCs adds n VPCs to region.
func (s *Server) SeedVPCs(region string, n int) {
	seed(s, s.vpcs, region, n, func(short string, i int) vpcItem {
		return vpcItem{VpcName: fmt.Sprintf("prod-%d", i), VpcId: fmt.Sprintf("vpc-%s%04d", short, i),
			CidrBlock: fmt.Sprintf("10.%d.0.0/16", i%250), IsDefault: i == 0, CreatedTime: "2025-01-01 00:00:00",
			DnsServerSet: []string{"183.60.83.19", "183.60.82.98"}, EnableDhcp: true, TagSet: []struct{ Key, Value string }{}}
	})
}

// SeedSubnets adds n subnets to region, spread over its VPCs.
func (s *Server) SeedSubnets(region string, n int) {
	seed(s, s.subnets, region, n, func(short string, i int) subnetItem {
		vpcs := max(1, len(s.vpcs[region])) // read under the lock seed holds
		return subnetItem{VpcId: fmt.Sprintf("vpc-%s%04d", short, i%vpcs),
			SubnetId: fmt.Sprintf("subnet-%s%04d", short, i), SubnetName: fmt.Sprintf("prod-%d-a", i),
			CidrBlock: fmt.Sprintf("10.%d.%d.0/24", i%vpcs%250, i/vpcs%250), Zone: region + "-3",
			RouteTableId: fmt.Sprintf("rtb-%s%04d", short, i%vpcs), CreatedTime: "2025-01-01 00:00:00", AvailableIpAddressCount: 250,
			TotalIpAddressCount: 253, TagSet: []struct{ Key, Value string }{}}
	})
}

// SeedSecurityGroups adds n security groups to region.
func (s *Server) SeedSecurityGroups(region string, n int) {
	seed(s, s.sgs, region, n, func(short string, i int) securityGroupItem {
		return securityGroupItem{SecurityGroupId: fmt.Sprintf("sg-%s%04d", short, i),
			SecurityGroupName: fmt.Sprintf("web-%d", i), SecurityGroupDesc: "web servers", ProjectId: "0",
			CreatedTime: "2025-01-01 00:00:00", UpdateTime: "2025-01-01 00:00:00", TagSet: []struct{ Key, Value string }{}}
	})
}

// stringPaging reads VPC's string Offset and Limit as numbers.
func stringPaging(offset, limit *string) (*int64, *int64, *apiError) {
	var o, l *int64
	for _, p := range []struct {
		in  *string
		out **int64
	}{{offset, &o}, {limit, &l}} {
		if p.in == nil {
			continue
		}
		n, err := strconv.ParseInt(*p.in, 10, 64)
		if err != nil {
			return nil, nil, errorf("InvalidParameterValue.Malformed", "%q is not a number", *p.in)
		}
		*p.out = &n
	}
	return o, l, nil
}

type vpcListRequest struct {
	VpcIds, SubnetIds, SecurityGroupIds []string
	Filters                             []struct {
		Name   string
		Values []string
	}
	Offset, Limit              *string
	OrderField, OrderDirection *string
}

func vpcList[T any](s *Server, r *request, kind, set string, all map[string][]T) (any, *apiError) {
	var in vpcListRequest
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	o, l, e := stringPaging(in.Offset, in.Limit)
	if e != nil {
		return nil, e
	}
	return seededPage(s, r, kind, set, all, o, l, 100)
}

func window[T any](all []T, o, l int64) []T {
	out := []T{}
	for i := o; i < int64(len(all)) && i < o+l; i++ {
		out = append(out, all[i])
	}
	return out
}

func (s *Server) describeVpcs(r *request) (any, *apiError) {
	return vpcList(s, r, "vpc", "VpcSet", s.vpcs)
}

func (s *Server) describeSubnets(r *request) (any, *apiError) {
	return vpcList(s, r, "subnet", "SubnetSet", s.subnets)
}

func (s *Server) describeSecurityGroups(r *request) (any, *apiError) {
	return vpcList(s, r, "sg", "SecurityGroupSet", s.sgs)
}
