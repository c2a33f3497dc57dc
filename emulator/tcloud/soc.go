package tcloud

// Cloud Firewall and WAF, as far as Agentic SOC's grant is checked: Security Center proves a key holds
// siemPolicy with one read of each (cfw 2019-09-04, waf 2018-01-25). The emulated account has no
// firewall rules and no protected domains.

func (s *Server) describeBlockIgnoreList(r *request) (any, *apiError) {
	var in struct {
		Limit, Offset                  *int64
		Direction, Order, By, ShowType *string
		SearchValue                    *string
		RuleType                       *int64
	}
	if e := decode(r, &in, "Limit", "Offset", "Direction", "Order", "By", "ShowType"); e != nil {
		return nil, e
	}
	return map[string]any{"Data": []any{}, "Total": 0, "ReturnCode": 0, "ReturnMsg": "success"}, nil
}

func (s *Server) describeWAFDomains(r *request) (any, *apiError) {
	var in struct {
		Offset, Limit *int64
		Filters       []struct {
			Name       *string
			Values     []string
			ExactMatch *bool
		}
	}
	if e := decode(r, &in, "Offset", "Limit"); e != nil {
		return nil, e
	}
	return map[string]any{"Total": 0, "Domains": []any{}}, nil
}
