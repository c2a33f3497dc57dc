package tcloud

// Cloud Firewall (cfw 2019-09-04) instances, as DescribeCfwInsStatus lists them (models: CfwInsStatus with
// CfwInsId, FwType nat/ew, Region, Status, EventTime, RecoverTime, CfwInsName, TrafficMode). CFW has no
// API that ships logs to CLS (docs/facts/soc-logs.md), so the emulator has none either.

type cfwInstance struct {
	id, name, fwType, region string
}

// SeedCFWInstance adds a Cloud Firewall instance; fwType is nat or ew (inter-VPC).
func (s *Server) SeedCFWInstance(id, name, fwType, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfw = append(s.cfw, cfwInstance{id: id, name: name, fwType: fwType, region: region})
}

func (s *Server) cfwActions() map[string]handler {
	return map[string]handler{
		"DescribeBlockIgnoreList": {fn: s.describeBlockIgnoreList},
		"DescribeCfwInsStatus":    {fn: s.describeCfwInsStatus},
	}
}

func (s *Server) describeCfwInsStatus(r *request) (any, *apiError) {
	if e := decode(r, &struct{}{}); e != nil {
		return nil, e
	}
	items := []map[string]any{}
	for _, i := range s.cfw {
		items = append(items, map[string]any{"CfwInsId": i.id, "FwType": i.fwType, "Region": i.region, "Status": "Running",
			"EventTime": "", "RecoverTime": "", "CfwInsName": i.name, "TrafficMode": "Normal"})
	}
	return map[string]any{"CfwInsStatus": items, "TotalCount": len(items)}, nil
}
