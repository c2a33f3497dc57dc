package tcloud

// Cloud Firewall and WAF, as far as Agentic SOC's grant is checked: Security Center proves a key holds
// siemPolicy with one read of each (cfw 2019-09-04, waf 2018-01-25). The emulated account has no
// firewall rules; its WAF and CFW instances are in waf.go and cfw.go.

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
