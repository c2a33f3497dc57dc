package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"onboard/tencent"
)

// AreaSOCLogs is the status area of what `onboard soc logs` made.
const AreaSOCLogs = "soc logs"

// checkSOCLogs reports, reading only, whether the WAF delivery flows onboard made still deliver, and whether
// their topics' Kafka consumption is open. An account whose SOC logs onboard never shipped has no check.
func (s *status) checkSOCLogs(ctx context.Context) {
	entries, err := s.r.e.DB.Ledger(ctx, s.a.Name)
	if err != nil {
		s.add(AreaSOCLogs, "ledger", VerdictWarning, "cannot read what onboard made: "+err.Error(), "")
		return
	}
	var flows []int
	all := owned(entries)
	for i, en := range all {
		if en.Kind == kindWAFFlow {
			flows = append(flows, i)
		}
	}
	if len(flows) == 0 {
		return
	}
	cloud, err := s.r.e.socCloud()
	if err != nil {
		s.add(AreaSOCLogs, "WAF delivery", VerdictWarning, err.Error(), "")
		return
	}
	fix := "onboard soc logs --account " + s.a.Name
	for _, i := range flows {
		en := all[i]
		t := wafLogType(en.Name)
		name := t.String() + "-log delivery"
		list, err := cloud.ListWAFFlows(ctx, en.Region, t)
		if err != nil {
			s.add(AreaSOCLogs, name, VerdictWarning, "cannot list WAF's delivery flows: "+err.Error(), "")
			continue
		}
		j := slices.IndexFunc(list, func(f tencent.WAFFlow) bool { return strconv.FormatUint(f.ID, 10) == en.ResourceID })
		switch {
		case j < 0:
			s.add(AreaSOCLogs, name, VerdictBroken, fmt.Sprintf("WAF's %s-log delivery flow %s no longer exists", t, en.ResourceID), fix)
			continue
		case !list[j].Enabled:
			s.add(AreaSOCLogs, name, VerdictBroken, fmt.Sprintf("WAF's %s-log delivery flow %s is off", t, en.ResourceID), "turn it on in the WAF console (Log shipping)")
			continue
		}
		f := list[j]
		c, err := s.r.e.Cloud.GetKafkaConsumer(ctx, f.CLSRegion, f.LogTopicID)
		switch {
		case err != nil:
			s.add(AreaSOCLogs, name, VerdictWarning, "cannot read the Kafka consumption of CLS topic "+f.LogTopicID+": "+err.Error(), "")
		case !c.Enabled:
			s.add(AreaSOCLogs, name, VerdictBroken, "the Kafka consumption of CLS topic "+f.LogTopicID+" is closed", fix)
		default:
			s.add(AreaSOCLogs, name, VerdictOK, fmt.Sprintf("flow %d delivers to CLS topic %s (%s), open as Kafka topic %s", f.ID, f.LogTopicID, f.CLSRegion, c.TopicID), "")
		}
	}
}

// wafLogType reads the log type a ledger entry of a flow names.
func wafLogType(name string) tencent.WAFLogType {
	if name == tencent.WAFAttackLog.String() {
		return tencent.WAFAttackLog
	}
	return tencent.WAFAccessLog
}
