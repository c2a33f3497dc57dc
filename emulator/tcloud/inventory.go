package tcloud

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// regionInfo is a region the emulated account can use.
type regionInfo struct{ id, name string }

// knownRegions are the regions the emulator knows by name; an account is seeded with some of them.
var knownRegions = []regionInfo{
	{"ap-guangzhou", "South China(Guangzhou)"}, {"ap-shanghai", "East China(Shanghai)"}, {"ap-beijing", "North China(Beijing)"},
	{"ap-chengdu", "Southwest China(Chengdu)"}, {"ap-nanjing", "East China(Nanjing)"}, {"ap-hongkong", "Hong Kong, Macau and Taiwan (China)(Hong Kong, China)"},
	{"ap-singapore", "Southeast Asia(Singapore)"}, {"ap-tokyo", "Northeast Asia(Tokyo)"}, {"ap-seoul", "Northeast Asia(Seoul)"},
	{"na-siliconvalley", "West US(Silicon Valley)"}, {"eu-frankfurt", "Europe(Frankfurt)"},
	{"ap-chongqing", "Southwest China(Chongqing)"}, {"ap-shanghai-fsi", "East China(Shanghai Finance)"},
	{"ap-shenzhen-fsi", "South China(Shenzhen Finance)"}, {"ap-beijing-fsi", "North China(Beijing Finance)"},
	{"ap-taipei", "Hong Kong, Macau and Taiwan (China)(Taipei, China)"}, {"ap-jakarta", "Southeast Asia(Jakarta)"},
	{"ap-bangkok", "Southeast Asia(Bangkok)"}, {"ap-mumbai", "South Asia(Mumbai)"}, {"na-ashburn", "East US(Virginia)"},
	{"na-toronto", "North America(Toronto)"}, {"sa-saopaulo", "South America(São Paulo)"}, {"eu-moscow", "Europe(Moscow)"},
	{"ap-qingyuan", "South China(Qingyuan)"}, {"ap-guangzhou-open", "South China(Guangzhou OPEN)"},
}

// regionalProducts are the products whose regions Region DescribeRegions answers for.
var regionalProducts = []string{"cvm", "lighthouse", "cls", "vpc", "cbs", "clb", "cdb", "cloudaudit"}

// cvmInstance is an emulated CVM instance; fields are those the models define, with their types.
type cvmInstance struct {
	InstanceId, InstanceName, InstanceType, InstanceState, RestrictState, InstanceChargeType string
	CPU, Memory                                                                              int64
	OsName, ImageId, CreatedTime, Uuid                                                       string
	PrivateIpAddresses, PublicIpAddresses, SecurityGroupIds                                  []string
	Placement                                                                                struct {
		Zone      string
		ProjectId int64
	}
	VirtualPrivateCloud struct{ VpcId, SubnetId string }
	Tags                []struct{ Key, Value string }
}

// SeedCVM adds n deterministic CVM instances to region, which joins the account's regions.
func (s *Server) SeedCVM(region string, n int) {
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seed(s, s.cvm, region, n, func(short string, i int) cvmInstance {
		inst := cvmInstance{
			InstanceId: fmt.Sprintf("ins-%s%04d", short, i), InstanceName: fmt.Sprintf("%s-web-%d", region, i),
			InstanceType: "S5.MEDIUM4", InstanceState: "RUNNING", RestrictState: "NORMAL", InstanceChargeType: "POSTPAID_BY_HOUR",
			CPU: 2, Memory: 4, OsName: "TencentOS Server 3.1 (TK4)", ImageId: "img-eb30mz89",
			CreatedTime: created.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), Uuid: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			PrivateIpAddresses: []string{fmt.Sprintf("10.0.%d.%d", i/250, i%250+2)}, PublicIpAddresses: []string{},
			SecurityGroupIds: []string{"sg-" + short + "0001"},
		}
		if i%3 == 0 {
			inst.PublicIpAddresses = []string{fmt.Sprintf("203.0.113.%d", i%250+1)}
		}
		inst.Placement.Zone = region + "-3"
		inst.VirtualPrivateCloud.VpcId, inst.VirtualPrivateCloud.SubnetId = "vpc-"+short+"0001", "subnet-"+short+"0001"
		inst.Tags = []struct{ Key, Value string }{{"env", "prod"}}
		return inst
	})
}

// shortRegion is a four-letter code that keeps resource IDs of different regions apart, as Tencent's
// IDs are unique across regions.
func shortRegion(region string) string {
	h := fnv.New32a()
	h.Write([]byte(region))
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	v, out := h.Sum32(), make([]byte, 4)
	for i := range out {
		out[i] = letters[v%uint32(len(letters))]
		v /= uint32(len(letters))
	}
	return string(out)
}

func (s *Server) describeRegions(r *request) (any, *apiError) {
	var in struct {
		Product *string
		Scene   *int64
	}
	if e := decode(r, &in, "Product"); e != nil {
		return nil, e
	}
	if !slices.Contains(regionalProducts, *in.Product) {
		return nil, errorf("InvalidParameter.ParameterError", "product %q is not supported; supported: %v", *in.Product, regionalProducts)
	}
	set := []map[string]any{}
	for _, k := range knownRegions {
		if slices.Contains(s.regions, k.id) {
			set = append(set, map[string]any{"Region": k.id, "RegionName": k.name, "RegionState": "AVAILABLE",
				"RegionTypeMC": nil, "LocationMC": nil, "RegionNameMC": nil, "RegionIdMC": nil})
		}
	}
	return map[string]any{"TotalCount": len(set), "RegionSet": set}, nil
}

// page checks Offset/Limit against the action's maximum, as the services do.
func page(offset, limit *int64, max int64) (int64, int64, *apiError) {
	o, l := int64(0), int64(20)
	if offset != nil {
		o = *offset
	}
	if limit != nil {
		l = *limit
	}
	if o < 0 {
		return 0, 0, errorf("InvalidParameterValue", "Offset must not be negative")
	}
	if l < 1 || l > max {
		return 0, 0, errorf("InvalidParameterValue.LimitExceeded", "Limit must be between 1 and %d", max)
	}
	return o, l, nil
}

func (s *Server) requireRegion(r *request) *apiError {
	if r.region == "" {
		return errorf("MissingParameter", "the Region parameter (X-TC-Region) is required")
	}
	if !slices.Contains(s.regions, r.region) {
		return errorf("UnsupportedRegion", "region %s is not available to this account", r.region)
	}
	return nil
}

func (s *Server) describeCVMInstances(r *request) (any, *apiError) {
	var in struct {
		InstanceIds []string
		Filters     []struct {
			Name   string
			Values []string
		}
		Offset, Limit *int64
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.InstanceIds) > 0 && len(in.Filters) > 0 {
		return nil, errorf("InvalidParameterCoexistInstanceIdsFilters", "InstanceIds and Filters cannot be used together")
	}
	return seededPage(s, r, "cvm", "InstanceSet", s.cvm, in.Offset, in.Limit, 100)
}

// describeCVMRegions answers CVM's own DescribeRegions: the account's regions, with CVM's RegionInfo fields.
func (s *Server) describeCVMRegions(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	set := []map[string]any{}
	for _, k := range knownRegions {
		if slices.Contains(s.regions, k.id) {
			set = append(set, map[string]any{"Region": k.id, "RegionName": k.name, "RegionState": "AVAILABLE"})
		}
	}
	return map[string]any{"TotalCount": len(set), "RegionSet": set}, nil
}
