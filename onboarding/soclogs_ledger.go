package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"onboard/store"
	"onboard/tencent"
)

// What the ledger's generic parts (resolveLost, Rollback, describe) need to know of the SOC-logs kinds.

// findLostSOC looks for what an unanswered SOC create would have made (see findLost); ok is false for
// other kinds.
func (e *Engine) findLostSOC(ctx context.Context, en store.LedgerEntry, known map[string]bool) (id string, found bool, ok bool, err error) {
	if !slices.Contains(socKinds, en.Kind) {
		return "", false, false, nil
	}
	cloud, err := e.socCloud()
	if err != nil {
		return "", false, true, err
	}
	switch en.Kind {
	case kindWAFFlow:
		flows, err := cloud.ListWAFFlows(ctx, en.Region, wafLogType(en.Name))
		if err != nil {
			return "", false, true, err
		}
		f, has := ourFlow(flows, tencent.WAFFlowSpec{CLSRegion: en.Attrs[attrCLSRegion], LogsetName: en.Attrs[attrLogset], Topic: en.Attrs[attrTopic]})
		id := strconv.FormatUint(f.ID, 10)
		return id, has && !known[kindWAFFlow+"/"+id], true, nil
	case kindWAFAttackLog:
		list, err := cloud.ListWAFInstances(ctx, en.Region)
		if err != nil {
			return "", false, true, err
		}
		return en.Name, slices.ContainsFunc(list, func(i tencent.WAFInstance) bool { return i.ID == en.Name && i.AttackLogPost }), true, nil
	default:
		list, err := cloud.ListWAFDomains(ctx, en.Region)
		if err != nil {
			return "", false, true, err
		}
		on := slices.ContainsFunc(list, func(d tencent.WAFDomain) bool {
			return d.Domain == en.Name && ((en.Kind == kindWAFAccessLog && d.AccessLog) || (en.Kind == kindWAFDomainDelivery && d.PostCLS))
		})
		return en.Name, on, true, nil
	}
}

// socRemoval is how a rollback undoes a SOC entry: a flow is destroyed, a switch turned off again. ok is
// false for other kinds.
func (e *Engine) socRemoval(ctx context.Context, cloud Remover, en store.LedgerEntry) (call func() error, ok bool) {
	if !slices.Contains(socKinds, en.Kind) {
		return nil, false
	}
	sc, isSOC := cloud.(SOCCloud)
	if !isSOC {
		if sc, isSOC = e.Cloud.(SOCCloud); !isSOC {
			return func() error { return errNoSOCCloud }, true
		}
	}
	region := en.Region
	d := tencent.WAFDomain{Domain: en.Name, Edition: en.Attrs[attrEdition], InstanceID: en.Attrs[attrInstance]}
	switch en.Kind {
	case kindWAFFlow:
		id, _ := strconv.ParseUint(en.ResourceID, 10, 64)
		return func() error { return sc.DestroyWAFFlow(ctx, region, wafLogType(en.Name), id) }, true
	case kindWAFAttackLog:
		return func() error { return sc.SetWAFAttackLogDelivery(ctx, region, en.Name, false) }, true
	case kindWAFAccessLog:
		return func() error { return sc.SetWAFAccessLog(ctx, region, d, false) }, true
	default:
		return func() error {
			// The CKafka delivery is sent as it is now, so only the CLS delivery changes.
			list, err := sc.ListWAFDomains(ctx, region)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(list, func(x tencent.WAFDomain) bool { return x.Domain == en.Name })
			if i < 0 {
				return nil // the domain is gone, and its delivery with it
			}
			return sc.SetWAFDomainDelivery(ctx, region, list[i], false)
		}, true
	}
}

// socKept is what a rollback of SOC entries leaves: the CLS logset and topics WAF made for the flows
// onboard created, which are CLS's, not onboard's.
func socKept(entries []store.LedgerEntry) []string {
	var out []string
	for _, en := range owned(entries) {
		if en.Kind == kindWAFFlow {
			out = append(out, fmt.Sprintf("CLS topic %s in logset %s (%s), which WAF made for its %s-log delivery flow, stays: delete it in the CLS console if it is not wanted",
				en.Attrs[attrTopic], en.Attrs[attrLogset], en.Attrs[attrCLSRegion], en.Name))
		}
	}
	return out
}

// describeSOC names a SOC entry for people; ok is false for other kinds.
func describeSOC(en store.LedgerEntry) (string, bool) {
	switch en.Kind {
	case kindWAFFlow:
		return fmt.Sprintf("WAF %s-log delivery flow %s to CLS topic %s", en.Name, orNone(en.ResourceID), en.Attrs[attrTopic]), true
	case kindWAFAttackLog:
		return "attack-log delivery of WAF instance " + en.Name, true
	case kindWAFAccessLog:
		return "access log of WAF domain " + en.Name, true
	case kindWAFDomainDelivery:
		return "CLS delivery of WAF domain " + en.Name, true
	}
	return "", false
}
