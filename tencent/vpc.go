package tencent

import (
	"context"
	"fmt"
	"strconv"
)

// VPCPageMax is the largest page the VPC listings serve.
const VPCPageMax = 100

// Resource is a cloud product's resource (a VPC, subnet, security group, disk, load balancer or
// database instance) as the inventory keeps it; Raw is the item as the API returned it.
type Resource struct {
	ID, Name string
	VpcID    string // where the resource has one
	Zone     string // where the resource has one
	Raw      string
}

// The listings of Resources go through the SDK's generic client (listPage) with the structs below,
// which hold only the fields read; tencent/contract_node_test.go checks them against the official models.

// resources turns a listing's items into a page of Resources, each keeping the item as answered.
func resources[F any](total uint64, items []item[F], convert func(F) Resource) Page[Resource] {
	page := Page[Resource]{Total: int(total), Items: make([]Resource, 0, len(items))}
	for _, it := range items {
		r := convert(it.Fields)
		r.Raw = it.Raw
		page.Items = append(page.Items, r)
	}
	return page
}

const vpcVersion = "2017-03-12"

// vpcPaging is the paging of the VPC listings, whose Offset and Limit are strings on the wire.
type vpcPaging struct {
	Offset string `json:"Offset"`
	Limit  string `json:"Limit"`
}

func newVPCPaging(offset, limit int) vpcPaging {
	return vpcPaging{Offset: strconv.Itoa(offset), Limit: strconv.Itoa(limit)}
}

type vpcVpc struct {
	VpcId   string `json:"VpcId"`
	VpcName string `json:"VpcName"`
}

type vpcDescribeVpcsResponse struct {
	Response struct {
		TotalCount uint64         `json:"TotalCount"`
		VpcSet     []item[vpcVpc] `json:"VpcSet"`
		RequestId  string         `json:"RequestId"`
	} `json:"Response"`
}

type vpcSubnet struct {
	SubnetId   string `json:"SubnetId"`
	SubnetName string `json:"SubnetName"`
	VpcId      string `json:"VpcId"`
	Zone       string `json:"Zone"`
}

type vpcDescribeSubnetsResponse struct {
	Response struct {
		TotalCount uint64            `json:"TotalCount"`
		SubnetSet  []item[vpcSubnet] `json:"SubnetSet"`
		RequestId  string            `json:"RequestId"`
	} `json:"Response"`
}

type vpcSecurityGroup struct {
	SecurityGroupId   string `json:"SecurityGroupId"`
	SecurityGroupName string `json:"SecurityGroupName"`
}

type vpcDescribeSecurityGroupsResponse struct {
	Response struct {
		TotalCount       uint64                   `json:"TotalCount"`
		SecurityGroupSet []item[vpcSecurityGroup] `json:"SecurityGroupSet"`
		RequestId        string                   `json:"RequestId"`
	} `json:"Response"`
}

// ListVPCs returns one page of a region's VPCs.
func (c *Client) ListVPCs(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out vpcDescribeVpcsResponse
	if err := c.listPage(ctx, "vpc", vpcVersion, "DescribeVpcs", region, newVPCPaging(offset, limit), &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list VPCs in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.VpcSet, func(v vpcVpc) Resource {
		return Resource{ID: v.VpcId, Name: v.VpcName}
	}), nil
}

// ListSubnets returns one page of a region's subnets.
func (c *Client) ListSubnets(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out vpcDescribeSubnetsResponse
	if err := c.listPage(ctx, "vpc", vpcVersion, "DescribeSubnets", region, newVPCPaging(offset, limit), &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list subnets in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.SubnetSet, func(s vpcSubnet) Resource {
		return Resource{ID: s.SubnetId, Name: s.SubnetName, VpcID: s.VpcId, Zone: s.Zone}
	}), nil
}

// ListSecurityGroups returns one page of a region's security groups.
func (c *Client) ListSecurityGroups(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out vpcDescribeSecurityGroupsResponse
	if err := c.listPage(ctx, "vpc", vpcVersion, "DescribeSecurityGroups", region, newVPCPaging(offset, limit), &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list security groups in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.SecurityGroupSet, func(g vpcSecurityGroup) Resource {
		return Resource{ID: g.SecurityGroupId, Name: g.SecurityGroupName}
	}), nil
}
