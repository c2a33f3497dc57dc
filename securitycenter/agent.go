package securitycenter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Operating systems an install code is for.
const (
	OSLinux   = "linux"
	OSWindows = "windows"
)

// InstallCode is a code that ties a newly installed agent to this Security Center account. Code is a
// secret: every way of printing it shows "****".
type InstallCode struct {
	Code       Secret
	VendorName string
	OS         string
	Expires    time.Time
	OnlyImage  bool
	Proxy      string // the proxy cluster the agent goes through, "" for direct
}

// InstallCodeSpec asks AddInstallCode for a code.
type InstallCodeSpec struct {
	VendorName string // an entry of VendorNames, e.g. "Tencent"
	OS         string // OSLinux or OSWindows
	Expires    time.Time
}

// Host is a server in Security Center's asset list, with the state of its agent.
type Host struct {
	InstanceID   string
	VendorName   string
	ClientStatus string // online, offline or pause
}

// Online reports whether the host's agent is connected.
func (h Host) Online() bool { return strings.EqualFold(h.ClientStatus, "online") }

// VendorNames lists the service providers whose servers Security Center takes (DescribeVendorList).
func (c *Client) VendorNames(ctx context.Context) ([]string, error) {
	body, err := c.do(ctx, call{action: "DescribeVendorList"})
	if err != nil {
		return nil, fmt.Errorf("list Security Center's service providers: %w", err)
	}
	var out struct{ VendorNameList []string }
	if err := decodeBody("DescribeVendorList", body, &out); err != nil {
		return nil, err
	}
	return out.VendorNameList, nil
}

// AddInstallCode creates an install code. The answer does not hold it: InstallCodes lists it.
func (c *Client) AddInstallCode(ctx context.Context, spec InstallCodeSpec) error {
	q := map[string]any{"VendorName": spec.VendorName, "Os": spec.OS, "OnlyImage": false}
	if !spec.Expires.IsZero() {
		q["ExpiredDate"] = spec.Expires.UnixMilli()
	}
	if _, err := c.do(ctx, call{action: "AddInstallCode", query: q, mutating: true}); err != nil {
		return fmt.Errorf("add a %s install code for %s: %w", spec.OS, spec.VendorName, err)
	}
	return nil
}

// InstallCodes lists the account's install codes (DescribeInstallCodes).
func (c *Client) InstallCodes(ctx context.Context) ([]InstallCode, error) {
	body, err := c.do(ctx, call{action: "DescribeInstallCodes"})
	if err != nil {
		return nil, fmt.Errorf("list Security Center's install codes: %w", err)
	}
	var out struct {
		InstallCodes []struct {
			CaptchaCode, VendorName, Os, ProxyCluster string
			ExpiredDate                               int64
			OnlyImage                                 bool
		}
	}
	if err := decodeBody("DescribeInstallCodes", body, &out); err != nil {
		return nil, err
	}
	res := make([]InstallCode, 0, len(out.InstallCodes))
	for _, ic := range out.InstallCodes {
		res = append(res, InstallCode{Code: Secret(ic.CaptchaCode), VendorName: ic.VendorName, OS: ic.Os,
			Expires: time.UnixMilli(ic.ExpiredDate), OnlyImage: ic.OnlyImage, Proxy: ic.ProxyCluster})
	}
	return res, nil
}

// hostPageSize is the page DescribeCloudCenterInstances is asked for; the page documents 20 as the
// default and 100 in its example.
const hostPageSize = 100

// Hosts lists the servers Security Center holds (DescribeCloudCenterInstances, MachineTypes ecs), every
// page. When instanceIDs is not empty only those are asked for, OR-ed by instance ID in Criteria.
func (c *Client) Hosts(ctx context.Context, instanceIDs []string) ([]Host, error) {
	var criteria string
	if len(instanceIDs) > 0 {
		list := make([]map[string]string, len(instanceIDs))
		for i, id := range instanceIDs {
			list[i] = map[string]string{"name": "instanceId", "value": id}
		}
		data, _ := json.Marshal(list)
		criteria = string(data)
	}
	var res []Host
	for page := 1; ; page++ {
		q := map[string]any{"MachineTypes": "ecs", "CurrentPage": page, "PageSize": hostPageSize, "Lang": "en"}
		if criteria != "" {
			q["Criteria"], q["LogicalExp"] = criteria, "OR"
		}
		body, err := c.do(ctx, call{action: "DescribeCloudCenterInstances", query: q})
		if err != nil {
			return nil, fmt.Errorf("list Security Center's hosts (page %d): %w", page, err)
		}
		var out struct {
			Instances []struct{ InstanceId, VendorName, ClientStatus string }
			PageInfo  struct{ TotalCount, Count int }
		}
		if err := decodeBody("DescribeCloudCenterInstances", body, &out); err != nil {
			return nil, err
		}
		for _, in := range out.Instances {
			res = append(res, Host{InstanceID: in.InstanceId, VendorName: in.VendorName, ClientStatus: in.ClientStatus})
		}
		if len(out.Instances) == 0 || len(res) >= out.PageInfo.TotalCount {
			return res, nil
		}
	}
}

// AgentOperatorActions are the RAM actions the Alibaba Cloud key needs to install agents.
func AgentOperatorActions() []string {
	return []string{ramService + "DescribeVendorList", ramService + "DescribeInstallCodes", ramService + "AddInstallCode",
		ramService + "DescribeCloudCenterInstances"}
}
