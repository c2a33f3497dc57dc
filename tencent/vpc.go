package tencent

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
)

// VPCPageMax is the largest page the VPC listings serve.
const VPCPageMax = 100

// Resource is a cloud product's resource (a VPC, subnet, security group, disk, load balancer or
// database instance) as the inventory keeps it; Raw is the item as the API returned it.
type Resource struct {
	ID, Name string
	VpcID    string // where the resource has one
	Zone     string // where the resource has one
	Raw      json.RawMessage
}

func (c *Client) vpc(region string) (*vpc.Client, error) {
	return sdkClient(c, "vpc", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*vpc.Client, error) {
		return vpc.NewClient(cr, r, p)
	})
}

// VPC's Offset and Limit are strings on the wire.
func vpcPaging(offset, limit int) (*string, *string) {
	return common.StringPtr(strconv.Itoa(offset)), common.StringPtr(strconv.Itoa(limit))
}

// ListVPCs returns one page of a region's VPCs.
func (c *Client) ListVPCs(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := c.vpc(region)
	if err != nil {
		return Page[Resource]{}, err
	}
	req := vpc.NewDescribeVpcsRequest()
	req.Offset, req.Limit = vpcPaging(offset, limit)
	var page Page[Resource]
	err = c.do(ctx, "vpc", "DescribeVpcs", false, func() error {
		resp, err := cl.DescribeVpcsWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(u64(resp.Response.TotalCount))}
		for _, v := range resp.Response.VpcSet {
			raw, _ := json.Marshal(v)
			page.Items = append(page.Items, Resource{ID: str(v.VpcId), Name: str(v.VpcName), Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list VPCs in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
}

// ListSubnets returns one page of a region's subnets.
func (c *Client) ListSubnets(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := c.vpc(region)
	if err != nil {
		return Page[Resource]{}, err
	}
	req := vpc.NewDescribeSubnetsRequest()
	req.Offset, req.Limit = vpcPaging(offset, limit)
	var page Page[Resource]
	err = c.do(ctx, "vpc", "DescribeSubnets", false, func() error {
		resp, err := cl.DescribeSubnetsWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(u64(resp.Response.TotalCount))}
		for _, s := range resp.Response.SubnetSet {
			raw, _ := json.Marshal(s)
			page.Items = append(page.Items, Resource{ID: str(s.SubnetId), Name: str(s.SubnetName), VpcID: str(s.VpcId), Zone: str(s.Zone), Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list subnets in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
}

// ListSecurityGroups returns one page of a region's security groups.
func (c *Client) ListSecurityGroups(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := c.vpc(region)
	if err != nil {
		return Page[Resource]{}, err
	}
	req := vpc.NewDescribeSecurityGroupsRequest()
	req.Offset, req.Limit = vpcPaging(offset, limit)
	var page Page[Resource]
	err = c.do(ctx, "vpc", "DescribeSecurityGroups", false, func() error {
		resp, err := cl.DescribeSecurityGroupsWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(u64(resp.Response.TotalCount))}
		for _, g := range resp.Response.SecurityGroupSet {
			raw, _ := json.Marshal(g)
			page.Items = append(page.Items, Resource{ID: str(g.SecurityGroupId), Name: str(g.SecurityGroupName), Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list security groups in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
}
