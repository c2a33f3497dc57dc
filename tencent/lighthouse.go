package tencent

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Lighthouse has no typed module on the module proxy at a version that builds with common v1.3.210, so
// it goes through the SDK's generic client with the structs below (field names and types from the
// official models; tencent/contract_node_test.go checks them).
const (
	lighthouseService = "lighthouse"
	lighthouseVersion = "2020-03-24"
	// LighthousePageMax is the largest page Lighthouse DescribeInstances serves.
	LighthousePageMax = 100
)

type lighthouseDescribeInstancesRequest struct {
	Offset int64 `json:"Offset"`
	Limit  int64 `json:"Limit"`
}

type lighthouseDescribeInstancesResponse struct {
	Response struct {
		TotalCount  int64                      `json:"TotalCount"`
		InstanceSet []item[lighthouseInstance] `json:"InstanceSet"`
		RequestId   string                     `json:"RequestId"`
	} `json:"Response"`
}

// lighthouseInstance holds the fields the inventory reads; the whole item is kept raw.
type lighthouseInstance struct {
	InstanceId       string   `json:"InstanceId"`
	InstanceName     string   `json:"InstanceName"`
	InstanceState    string   `json:"InstanceState"`
	Zone             string   `json:"Zone"`
	PrivateAddresses []string `json:"PrivateAddresses"`
	PublicAddresses  []string `json:"PublicAddresses"`
}

// LighthouseInstance is a Lighthouse server as the inventory keeps it; Raw is the item as returned.
type LighthouseInstance struct {
	ID, Name, Zone, State string
	PrivateIPs, PublicIPs []string
	Raw                   string
}

// ListLighthouseInstances returns one page of a region's Lighthouse servers.
func (c *Client) ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (Page[LighthouseInstance], error) {
	var out lighthouseDescribeInstancesResponse
	err := c.listPage(ctx, lighthouseService, lighthouseVersion, "DescribeInstances", region, lighthouseDescribeInstancesRequest{Offset: int64(offset), Limit: int64(limit)}, &out)
	if err != nil {
		return Page[LighthouseInstance]{}, fmt.Errorf("list Lighthouse instances in %s (offset %d): %w", region, offset, err)
	}
	page := Page[LighthouseInstance]{Total: int(out.Response.TotalCount), Items: make([]LighthouseInstance, 0, len(out.Response.InstanceSet))}
	for _, it := range out.Response.InstanceSet {
		in := it.Fields
		page.Items = append(page.Items, LighthouseInstance{ID: in.InstanceId, Name: in.InstanceName, Zone: in.Zone,
			State: in.InstanceState, PrivateIPs: in.PrivateAddresses, PublicIPs: in.PublicAddresses, Raw: it.Raw})
	}
	return page, nil
}

type lighthouseDescribeRegionsResponse struct {
	Response struct {
		TotalCount int64 `json:"TotalCount"`
		RegionSet  []struct {
			Region      string `json:"Region"`
			RegionName  string `json:"RegionName"`
			RegionState string `json:"RegionState"`
		} `json:"RegionSet"`
		RequestId string `json:"RequestId"`
	} `json:"Response"`
}

// lighthouseRegions lists the regions Lighthouse offers (Lighthouse DescribeRegions).
func (c *Client) lighthouseRegions(ctx context.Context) ([]Region, error) {
	cl, err := sdkClient(c, lighthouseService, c.opts.Region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*common.Client, error) {
		return common.NewCommonClient(cr, r, p), nil
	})
	if err != nil {
		return nil, err
	}
	var out []Region
	err = c.do(ctx, lighthouseService, "DescribeRegions", false, func() error {
		req := tchttp.NewCommonRequest(lighthouseService, lighthouseVersion, "DescribeRegions")
		req.SetContext(ctx)
		if err := req.SetActionParameters([]byte("{}")); err != nil {
			return err
		}
		resp := tchttp.NewCommonResponse()
		if err := cl.Send(req, resp); err != nil {
			return err
		}
		var answer lighthouseDescribeRegionsResponse
		if err := json.Unmarshal(resp.GetBody(), &answer); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		out = out[:0]
		for _, r := range answer.Response.RegionSet {
			out = append(out, Region{ID: r.Region, Name: r.RegionName, State: r.RegionState})
		}
		return nil
	})
	return out, err
}
