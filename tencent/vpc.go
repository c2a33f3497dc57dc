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

// resourcePage runs one listing call with retries and turns its items into Resources, each keeping
// the item as returned. what names the listing in errors.
func resourcePage[I any](ctx context.Context, c *Client, service, action, what, region string, offset int,
	call func() (total int, items []I, err error), convert func(I) Resource) (Page[Resource], error) {
	var page Page[Resource]
	err := c.do(ctx, service, action, false, func() error {
		total, items, err := call()
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: total, Items: make([]Resource, 0, len(items))}
		for _, item := range items {
			r := convert(item)
			r.Raw, _ = json.Marshal(item)
			page.Items = append(page.Items, r)
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list %s in %s (offset %d): %w", what, region, offset, err)
	}
	return page, nil
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
	return resourcePage(ctx, c, "vpc", "DescribeVpcs", "VPCs", region, offset, func() (int, []*vpc.Vpc, error) {
		resp, err := cl.DescribeVpcsWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(u64(resp.Response.TotalCount)), resp.Response.VpcSet, nil
	}, func(v *vpc.Vpc) Resource { return Resource{ID: str(v.VpcId), Name: str(v.VpcName)} })
}

// ListSubnets returns one page of a region's subnets.
func (c *Client) ListSubnets(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := c.vpc(region)
	if err != nil {
		return Page[Resource]{}, err
	}
	req := vpc.NewDescribeSubnetsRequest()
	req.Offset, req.Limit = vpcPaging(offset, limit)
	return resourcePage(ctx, c, "vpc", "DescribeSubnets", "subnets", region, offset, func() (int, []*vpc.Subnet, error) {
		resp, err := cl.DescribeSubnetsWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(u64(resp.Response.TotalCount)), resp.Response.SubnetSet, nil
	}, func(s *vpc.Subnet) Resource {
		return Resource{ID: str(s.SubnetId), Name: str(s.SubnetName), VpcID: str(s.VpcId), Zone: str(s.Zone)}
	})
}

// ListSecurityGroups returns one page of a region's security groups.
func (c *Client) ListSecurityGroups(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := c.vpc(region)
	if err != nil {
		return Page[Resource]{}, err
	}
	req := vpc.NewDescribeSecurityGroupsRequest()
	req.Offset, req.Limit = vpcPaging(offset, limit)
	return resourcePage(ctx, c, "vpc", "DescribeSecurityGroups", "security groups", region, offset, func() (int, []*vpc.SecurityGroup, error) {
		resp, err := cl.DescribeSecurityGroupsWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(u64(resp.Response.TotalCount)), resp.Response.SecurityGroupSet, nil
	}, func(g *vpc.SecurityGroup) Resource {
		return Resource{ID: str(g.SecurityGroupId), Name: str(g.SecurityGroupName)}
	})
}
