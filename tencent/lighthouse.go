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
		TotalCount  int64             `json:"TotalCount"`
		InstanceSet []json.RawMessage `json:"InstanceSet"`
		RequestId   string            `json:"RequestId"`
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
	Raw                   json.RawMessage
}

// ListLighthouseInstances returns one page of a region's Lighthouse servers.
func (c *Client) ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (Page[LighthouseInstance], error) {
	cl, err := sdkClient(c, lighthouseService, region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*common.Client, error) {
		return common.NewCommonClient(cr, r, p), nil
	})
	if err != nil {
		return Page[LighthouseInstance]{}, err
	}
	var page Page[LighthouseInstance]
	err = c.do(ctx, lighthouseService, "DescribeInstances", false, func() error {
		req := tchttp.NewCommonRequest(lighthouseService, lighthouseVersion, "DescribeInstances")
		req.SetContext(ctx)
		body, _ := json.Marshal(lighthouseDescribeInstancesRequest{Offset: int64(offset), Limit: int64(limit)})
		if err := req.SetActionParameters(body); err != nil {
			return err
		}
		resp := &rawResponse{}
		if err := cl.Send(req, resp); err != nil {
			return err
		}
		var out lighthouseDescribeInstancesResponse
		if err := json.Unmarshal(resp.body, &out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		page = Page[LighthouseInstance]{Total: int(out.Response.TotalCount)}
		for _, raw := range out.Response.InstanceSet {
			var in lighthouseInstance
			if err := json.Unmarshal(raw, &in); err != nil {
				return fmt.Errorf("decode instance: %w", err)
			}
			page.Items = append(page.Items, LighthouseInstance{ID: in.InstanceId, Name: in.InstanceName, Zone: in.Zone,
				State: in.InstanceState, PrivateIPs: in.PrivateAddresses, PublicIPs: in.PublicAddresses, Raw: raw})
		}
		return nil
	})
	if err != nil {
		return Page[LighthouseInstance]{}, fmt.Errorf("list Lighthouse instances in %s (offset %d): %w", region, offset, err)
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
