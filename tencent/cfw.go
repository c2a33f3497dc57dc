package tencent

import (
	"context"
	"fmt"
)

// Cloud Firewall (cfw 2019-09-04) has no API that ships its logs to CLS (docs/facts/soc-logs.md): onboard
// only finds its instances, and leaves the delivery to the console.
const (
	cfwService = "cfw"
	cfwVersion = "2019-09-04"
)

// CFWInstance is a NAT or inter-VPC Cloud Firewall instance.
type CFWInstance struct {
	ID, Name, Type, Region, Status string
}

type cfwDescribeCfwInsStatusResponse struct {
	Response struct {
		CfwInsStatus []cfwInsStatus `json:"CfwInsStatus"`
		TotalCount   int64          `json:"TotalCount"`
		RequestId    string         `json:"RequestId"`
	} `json:"Response"`
}

type cfwInsStatus struct {
	CfwInsId   string `json:"CfwInsId"`
	FwType     string `json:"FwType"`
	Region     string `json:"Region"`
	Status     string `json:"Status"`
	CfwInsName string `json:"CfwInsName"`
}

// ListCFWInstances returns the account's Cloud Firewall instances (NAT and inter-VPC); region is where the
// API is called.
func (c *Client) ListCFWInstances(ctx context.Context, region string) ([]CFWInstance, error) {
	var out cfwDescribeCfwInsStatusResponse
	if err := c.generic(ctx, cfwService, cfwVersion, region, "DescribeCfwInsStatus", false, struct{}{}, &out); err != nil {
		return nil, fmt.Errorf("list Cloud Firewall instances: %w", err)
	}
	var list []CFWInstance
	for _, i := range out.Response.CfwInsStatus {
		list = append(list, CFWInstance{ID: i.CfwInsId, Name: i.CfwInsName, Type: i.FwType, Region: i.Region, Status: i.Status})
	}
	return list, nil
}
