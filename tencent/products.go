package tencent

import (
	"context"
	"encoding/json"
	"fmt"

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
	var page Page[Resource]
	err = c.do(ctx, "cbs", "DescribeDisks", false, func() error {
		resp, err := cl.DescribeDisksWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(u64(resp.Response.TotalCount))}
		for _, d := range resp.Response.DiskSet {
			raw, _ := json.Marshal(d)
			r := Resource{ID: str(d.DiskId), Name: str(d.DiskName), Raw: raw}
			if d.Placement != nil {
				r.Zone = str(d.Placement.Zone)
			}
			page.Items = append(page.Items, r)
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list CBS disks in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
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
	var page Page[Resource]
	err = c.do(ctx, "clb", "DescribeLoadBalancers", false, func() error {
		resp, err := cl.DescribeLoadBalancersWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(u64(resp.Response.TotalCount))}
		for _, lb := range resp.Response.LoadBalancerSet {
			raw, _ := json.Marshal(lb)
			page.Items = append(page.Items, Resource{ID: str(lb.LoadBalancerId), Name: str(lb.LoadBalancerName), VpcID: str(lb.VpcId), Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list CLB load balancers in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
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
	var page Page[Resource]
	err = c.do(ctx, "cdb", "DescribeDBInstances", false, func() error {
		resp, err := cl.DescribeDBInstancesWithContext(ctx, req)
		if err != nil {
			return err
		}
		page = Page[Resource]{Total: int(derefInt64(resp.Response.TotalCount))}
		for _, in := range resp.Response.Items {
			raw, _ := json.Marshal(in)
			page.Items = append(page.Items, Resource{ID: str(in.InstanceId), Name: str(in.InstanceName), Zone: str(in.Zone), VpcID: str(in.UniqVpcId), Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[Resource]{}, fmt.Errorf("list CDB instances in %s (offset %d): %w", region, offset, err)
	}
	return page, nil
}
