package tcloud

import (
	"fmt"
	"slices"
	"time"
)

// lighthouseInstance is an emulated Lighthouse (lightweight) server, with the models' field names and types.
type lighthouseInstance struct {
	InstanceId, BundleId, BlueprintId, InstanceName, InstanceChargeType, InstanceState string
	CPU, Memory                                                                        int64
	PrivateAddresses, PublicAddresses                                                  []string
	RenewFlag, Uuid, CreatedTime, ExpiredTime, PlatformType, Platform, OsName, Zone    string
	InstanceRestrictState                                                              string
	Tags                                                                               []struct{ Key, Value string }
}

// SeedLighthouse adds n deterministic Lighthouse servers to region, which joins the account's regions.
func (s *Server) SeedLighthouse(region string, n int) {
	created := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	seed(s, s.lighthouse, region, n, func(short string, i int) lighthouseInstance {
		return lighthouseInstance{
			InstanceId: fmt.Sprintf("lhins-%s%04d", short, i), BundleId: "bundle_starter_mc_promo_med2_02",
			BlueprintId: "lhbp-f1lkcd41", InstanceName: fmt.Sprintf("%s-blog-%d", region, i), InstanceChargeType: "PREPAID",
			InstanceState: "RUNNING", CPU: 2, Memory: 2, PrivateAddresses: []string{fmt.Sprintf("10.1.%d.%d", i/250, i%250+2)},
			PublicAddresses: []string{fmt.Sprintf("198.51.100.%d", i%250+1)}, RenewFlag: "NOTIFY_AND_MANUAL_RENEW",
			Uuid: fmt.Sprintf("%08x-1111-4000-8000-%012x", i, i), CreatedTime: created.Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			ExpiredTime: created.AddDate(1, 0, 0).Format(time.RFC3339), PlatformType: "LINUX_UNIX", Platform: "UBUNTU",
			OsName: "Ubuntu Server 22.04 LTS 64bit", Zone: region + "-3", InstanceRestrictState: "NORMAL",
			Tags: []struct{ Key, Value string }{{"env", "prod"}},
		}
	})
}

func (s *Server) describeLighthouseRegions(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	set := []map[string]any{}
	for _, k := range knownRegions {
		if slices.Contains(s.regions, k.id) {
			mainland := k.id == "ap-guangzhou" || k.id == "ap-shanghai" || k.id == "ap-beijing" || k.id == "ap-chengdu" || k.id == "ap-nanjing"
			set = append(set, map[string]any{"Region": k.id, "RegionName": k.name, "RegionState": "AVAILABLE", "IsChinaMainland": mainland})
		}
	}
	return map[string]any{"TotalCount": len(set), "RegionSet": set}, nil
}

func (s *Server) describeLighthouseInstances(r *request) (any, *apiError) {
	var in struct {
		InstanceIds []string
		Filters     []struct {
			Name   string
			Values []string
		}
		Offset, Limit     *int64
		OrderField, Order *string
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.InstanceIds) > 0 && len(in.Filters) > 0 {
		return nil, errorf("InvalidParameter.InvalidFilterNotSupportedName", "InstanceIds and Filters cannot be used together")
	}
	return seededPage(s, r, "lighthouse", "InstanceSet", s.lighthouse, in.Offset, in.Limit, 100)
}
