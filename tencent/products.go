package tencent

import (
	"context"
	"fmt"
)

// Page maxima of the storage, load balancer and database listings.
const (
	CBSPageMax = 100
	CLBPageMax = 100
	CDBPageMax = 2000
)

// API versions of the storage, load balancer and database listings.
const (
	cbsVersion = "2017-03-12"
	clbVersion = "2018-03-17"
	cdbVersion = "2017-03-20"
)

// numberPaging is the paging of the listings whose Offset and Limit are numbers.
type numberPaging struct {
	Offset int64 `json:"Offset"`
	Limit  int64 `json:"Limit"`
}

type cbsDisk struct {
	DiskId    string `json:"DiskId"`
	DiskName  string `json:"DiskName"`
	Placement struct {
		Zone string `json:"Zone"`
	} `json:"Placement"`
}

type cbsDescribeDisksResponse struct {
	Response struct {
		TotalCount uint64          `json:"TotalCount"`
		DiskSet    []item[cbsDisk] `json:"DiskSet"`
		RequestId  string          `json:"RequestId"`
	} `json:"Response"`
}

type clbLoadBalancer struct {
	LoadBalancerId   string `json:"LoadBalancerId"`
	LoadBalancerName string `json:"LoadBalancerName"`
	VpcId            string `json:"VpcId"`
}

type clbDescribeLoadBalancersResponse struct {
	Response struct {
		TotalCount      uint64                  `json:"TotalCount"`
		LoadBalancerSet []item[clbLoadBalancer] `json:"LoadBalancerSet"`
		RequestId       string                  `json:"RequestId"`
	} `json:"Response"`
}

type cdbInstanceInfo struct {
	InstanceId   string `json:"InstanceId"`
	InstanceName string `json:"InstanceName"`
	Zone         string `json:"Zone"`
	UniqVpcId    string `json:"UniqVpcId"`
}

type cdbDescribeDBInstancesResponse struct {
	Response struct {
		TotalCount uint64                  `json:"TotalCount"`
		Items      []item[cdbInstanceInfo] `json:"Items"`
		RequestId  string                  `json:"RequestId"`
	} `json:"Response"`
}

// ListDisks returns one page of a region's CBS disks.
func (c *Client) ListDisks(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out cbsDescribeDisksResponse
	if err := c.listPage(ctx, "cbs", cbsVersion, "DescribeDisks", region, numberPaging{int64(offset), int64(limit)}, &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list CBS disks in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.DiskSet, func(d cbsDisk) Resource {
		return Resource{ID: d.DiskId, Name: d.DiskName, Zone: d.Placement.Zone}
	}), nil
}

// ListLoadBalancers returns one page of a region's CLB instances.
func (c *Client) ListLoadBalancers(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out clbDescribeLoadBalancersResponse
	if err := c.listPage(ctx, "clb", clbVersion, "DescribeLoadBalancers", region, numberPaging{int64(offset), int64(limit)}, &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list CLB load balancers in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.LoadBalancerSet, func(lb clbLoadBalancer) Resource {
		return Resource{ID: lb.LoadBalancerId, Name: lb.LoadBalancerName, VpcID: lb.VpcId}
	}), nil
}

// ListDBInstances returns one page of a region's CDB (MySQL) instances.
func (c *Client) ListDBInstances(ctx context.Context, region string, offset, limit int) (Page[Resource], error) {
	var out cdbDescribeDBInstancesResponse
	if err := c.listPage(ctx, "cdb", cdbVersion, "DescribeDBInstances", region, numberPaging{int64(offset), int64(limit)}, &out); err != nil {
		return Page[Resource]{}, fmt.Errorf("list CDB instances in %s (offset %d): %w", region, offset, err)
	}
	return resources(out.Response.TotalCount, out.Response.Items, func(in cdbInstanceInfo) Resource {
		return Resource{ID: in.InstanceId, Name: in.InstanceName, Zone: in.Zone, VpcID: in.UniqVpcId}
	}), nil
}
