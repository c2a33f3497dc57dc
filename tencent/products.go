package tencent

import (
	"context"

	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	cdb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cdb/v20170320"
	clb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/clb/v20180317"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Page maxima of the storage, load balancer and database listings.
const (
	CBSPageMax = 100
	CLBPageMax = 100
	CDBPageMax = 2000
)

// ListDisks returns one page of a region's CBS disks.
func (c *Client) ListDisks(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := sdkClient(c, "cbs", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*cbs.Client, error) {
		return cbs.NewClient(cr, r, p)
	})
	if err != nil {
		return Page[Resource]{}, err
	}
	req := cbs.NewDescribeDisksRequest()
	req.Offset, req.Limit = common.Uint64Ptr(uint64(offset)), common.Uint64Ptr(uint64(limit))
	return resourcePage(ctx, c, "cbs", "DescribeDisks", "CBS disks", region, offset, func() (int, []*cbs.Disk, error) {
		resp, err := cl.DescribeDisksWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(u64(resp.Response.TotalCount)), resp.Response.DiskSet, nil
	}, func(d *cbs.Disk) Resource {
		r := Resource{ID: str(d.DiskId), Name: str(d.DiskName)}
		if d.Placement != nil {
			r.Zone = str(d.Placement.Zone)
		}
		return r
	})
}

// ListLoadBalancers returns one page of a region's CLB instances.
func (c *Client) ListLoadBalancers(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := sdkClient(c, "clb", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*clb.Client, error) {
		return clb.NewClient(cr, r, p)
	})
	if err != nil {
		return Page[Resource]{}, err
	}
	req := clb.NewDescribeLoadBalancersRequest()
	req.Offset, req.Limit = common.Int64Ptr(int64(offset)), common.Int64Ptr(int64(limit))
	return resourcePage(ctx, c, "clb", "DescribeLoadBalancers", "CLB load balancers", region, offset, func() (int, []*clb.LoadBalancer, error) {
		resp, err := cl.DescribeLoadBalancersWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(u64(resp.Response.TotalCount)), resp.Response.LoadBalancerSet, nil
	}, func(lb *clb.LoadBalancer) Resource {
		return Resource{ID: str(lb.LoadBalancerId), Name: str(lb.LoadBalancerName), VpcID: str(lb.VpcId)}
	})
}

// ListDBInstances returns one page of a region's CDB (MySQL) instances.
func (c *Client) ListDBInstances(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	cl, err := sdkClient(c, "cdb", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*cdb.Client, error) {
		return cdb.NewClient(cr, r, p)
	})
	if err != nil {
		return Page[Resource]{}, err
	}
	req := cdb.NewDescribeDBInstancesRequest()
	req.Offset, req.Limit = common.Uint64Ptr(uint64(offset)), common.Uint64Ptr(uint64(limit))
	return resourcePage(ctx, c, "cdb", "DescribeDBInstances", "CDB instances", region, offset, func() (int, []*cdb.InstanceInfo, error) {
		resp, err := cl.DescribeDBInstancesWithContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return int(derefInt64(resp.Response.TotalCount)), resp.Response.Items, nil
	}, func(in *cdb.InstanceInfo) Resource {
		return Resource{ID: str(in.InstanceId), Name: str(in.InstanceName), Zone: str(in.Zone), VpcID: str(in.UniqVpcId)}
	})
}
