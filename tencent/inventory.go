package tencent

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	region "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/region/v20220627"
)

// Region is a region a product is available in.
type Region struct {
	ID, Name, State string
}

// Page is one page of a listing, with the total the service reports.
type Page[T any] struct {
	Items []T
	Total int
}

// CVMInstance is a CVM instance as the inventory keeps it; Raw is the item exactly as the API returned it.
type CVMInstance struct {
	ID, Name, Zone, State string
	PrivateIPs, PublicIPs []string
	VpcID                 string
	Raw                   string
}

// Regions lists the regions of a product with Region DescribeRegions. A key without that grant (the
// host and CSPM grants leave the region service out) gets the product's own answer instead: Lighthouse
// DescribeRegions for lighthouse, CVM DescribeRegions for the others, which share CVM's regions.
func (c *Client) Regions(ctx context.Context, product string) ([]Region, error) {
	out, err := c.regionServiceRegions(ctx, product)
	if errors.Is(err, ErrDenied) {
		return c.ProductRegions(ctx, product)
	}
	if err != nil {
		return nil, fmt.Errorf("list regions of %s: %w", product, err)
	}
	return out, nil
}

// ProductRegions lists the regions of a product with the product's own answer, for a key whose grants
// leave the region service out: Lighthouse DescribeRegions for lighthouse, CVM DescribeRegions for the
// others. The products that share CVM's answer share one call: the first asks, the others wait for it.
func (c *Client) ProductRegions(ctx context.Context, product string) ([]Region, error) {
	var out []Region
	var err error
	if product == "lighthouse" {
		out, err = c.lighthouseRegions(ctx)
	} else {
		out, err = c.sharedCVMRegions(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("list regions of %s: %w", product, err)
	}
	return out, nil
}

// sharedCVMRegions is cvmRegions asked once at a time, its answer kept for the client's life (a
// product's regions change with a release, not within a run); a failure is not kept.
func (c *Client) sharedCVMRegions(ctx context.Context) ([]Region, error) {
	c.cvmRegionsMu.Lock()
	defer c.cvmRegionsMu.Unlock()
	if c.cvmRegionsKnown != nil {
		return slices.Clone(c.cvmRegionsKnown), nil
	}
	out, err := c.cvmRegions(ctx)
	if err == nil {
		c.cvmRegionsKnown = slices.Clone(out)
	}
	return out, err
}

func (c *Client) regionServiceRegions(ctx context.Context, product string) ([]Region, error) {
	cl, err := sdkClient(c, "region", "", func(cr *common.Credential, r string, p *profile.ClientProfile) (*region.Client, error) {
		return region.NewClient(cr, r, p)
	})
	if err != nil {
		return nil, err
	}
	req := region.NewDescribeRegionsRequest()
	req.Product = common.StringPtr(product)
	var out []Region
	err = c.do(ctx, "region", "DescribeRegions", false, func() error {
		resp, err := cl.DescribeRegionsWithContext(ctx, req)
		if err == nil {
			out = out[:0]
			for _, r := range resp.Response.RegionSet {
				out = append(out, Region{ID: str(r.Region), Name: str(r.RegionName), State: str(r.RegionState)})
			}
		}
		return err
	})
	return out, err
}

func (c *Client) cvm(region string) (*cvm.Client, error) {
	return sdkClient(c, "cvm", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*cvm.Client, error) {
		return cvm.NewClient(cr, r, p)
	})
}

func (c *Client) cvmRegions(ctx context.Context) ([]Region, error) {
	cl, err := c.cvm(c.opts.Region)
	if err != nil {
		return nil, err
	}
	var out []Region
	err = c.do(ctx, "cvm", "DescribeRegions", false, func() error {
		resp, err := cl.DescribeRegionsWithContext(ctx, cvm.NewDescribeRegionsRequest())
		if err == nil {
			out = out[:0]
			for _, r := range resp.Response.RegionSet {
				out = append(out, Region{ID: str(r.Region), Name: str(r.RegionName), State: str(r.RegionState)})
			}
		}
		return err
	})
	return out, err
}

// CVMPageMax is the largest page CVM DescribeInstances serves.
const CVMPageMax = 100

// cvmVersion is CVM's API version, for the listing sent through the SDK's generic client.
const cvmVersion = "2017-03-12"

type cvmDescribeInstancesRequest struct {
	Offset int64 `json:"Offset"`
	Limit  int64 `json:"Limit"`
}

type cvmDescribeInstancesResponse struct {
	Response struct {
		TotalCount  int64               `json:"TotalCount"`
		InstanceSet []item[cvmInstance] `json:"InstanceSet"`
		RequestId   string              `json:"RequestId"`
	} `json:"Response"`
}

// cvmInstance holds the fields of a CVM Instance the inventory reads; the whole item is kept raw.
type cvmInstance struct {
	InstanceId         string   `json:"InstanceId"`
	InstanceName       string   `json:"InstanceName"`
	InstanceState      string   `json:"InstanceState"`
	PrivateIpAddresses []string `json:"PrivateIpAddresses"`
	PublicIpAddresses  []string `json:"PublicIpAddresses"`
	Placement          struct {
		Zone string `json:"Zone"`
	} `json:"Placement"`
	VirtualPrivateCloud struct {
		VpcId string `json:"VpcId"`
	} `json:"VirtualPrivateCloud"`
}

// ListCVMInstances returns one page of a region's CVM instances. It goes through the SDK's generic
// client and decodes only the fields above: the typed response (a pointer for every field of every
// instance), marshalled back for Raw, cost a large sync about a fifth of its CPU. Raw is the item as
// answered. tencent/contract_node_test.go checks the field names against the official models.
func (c *Client) ListCVMInstances(ctx context.Context, regionID string, offset, limit int) (Page[CVMInstance], error) {
	var out cvmDescribeInstancesResponse
	err := c.listPage(ctx, "cvm", cvmVersion, "DescribeInstances", regionID, cvmDescribeInstancesRequest{Offset: int64(offset), Limit: int64(limit)}, &out)
	if err != nil {
		return Page[CVMInstance]{}, fmt.Errorf("list CVM instances in %s (offset %d): %w", regionID, offset, err)
	}
	page := Page[CVMInstance]{Total: int(out.Response.TotalCount), Items: make([]CVMInstance, 0, len(out.Response.InstanceSet))}
	for _, it := range out.Response.InstanceSet {
		in := it.Fields
		page.Items = append(page.Items, CVMInstance{ID: in.InstanceId, Name: in.InstanceName, State: in.InstanceState,
			Zone: in.Placement.Zone, VpcID: in.VirtualPrivateCloud.VpcId,
			PrivateIPs: in.PrivateIpAddresses, PublicIPs: in.PublicIpAddresses, Raw: it.Raw})
	}
	return page, nil
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func strs(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, str(p))
	}
	return out
}
