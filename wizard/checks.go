package wizard

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"onboard/onboarding"
	"onboard/securitycenter"
	"onboard/tencent"
)

// identify checks the chosen Tencent Cloud key live and says whose it is.
func identify(q *questions) (string, job) {
	c, newClient := q.ans.Tencent, q.deps.Tencent
	if newClient == nil {
		return "", nil
	}
	hosts := hostsChosen(q)
	return "checking the Tencent Cloud key " + c.Masked() + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		id, err := cl.Identify(ctx)
		if err != nil {
			return replyMsg{err: fmt.Errorf("the Tencent Cloud key %s was refused: %w", c.Masked(), err)}
		}
		lighthouse := 0
		if hosts {
			lighthouse = countLighthouse(ctx, cl)
		}
		org := managedOrganization(ctx, cl)
		kind := "a sub-user's key (UIN " + id.UserUIN + ")"
		if id.IsRoot() {
			kind = "the root key"
		}
		note := "Tencent Cloud key " + c.Masked() + " is " + kind + " of account " + id.OwnerUIN
		if org != nil {
			note += fmt.Sprintf(", which manages an organization of %d member accounts", len(org.Members))
		}
		return replyMsg{
			note: note,
			set: func(q *questions) {
				if q.ans.Identity.OwnerUIN != id.OwnerUIN {
					q.tencentRegions, q.logsets, q.topics, q.socSources, q.socSourcesErr = nil, nil, nil, nil, "" // lists of another account
					q.ans.Members = nil
				}
				if org == nil {
					q.ans.Members = nil
				}
				q.ans.Identity, q.lighthouse, q.ans.Organization = id, lighthouse, org
			},
		}
	}
}

// managedOrganization is the organization the key's account manages, read as tencent --org reads it;
// nil when the account manages none with members, or when the key may not read it (the question is then
// not asked, and the flags' --org says why).
func managedOrganization(ctx context.Context, cl TencentReader) *onboarding.OrganizationInfo {
	info, err := onboarding.DescribeOrganization(ctx, cl)
	if err != nil || !info.IsManagement || len(info.Members) == 0 {
		return nil
	}
	return &info
}

// countLighthouse counts the account's Lighthouse servers over the regions Lighthouse offers, so that
// the Lighthouse question is asked only of an account that has them; -1 when the key cannot tell.
func countLighthouse(ctx context.Context, cl TencentReader) int {
	regions, err := cl.Regions(ctx, "lighthouse")
	if err != nil {
		return -1
	}
	n := 0
	for _, r := range regions {
		page, err := cl.ListLighthouseInstances(ctx, r.ID, 0, 1)
		if err != nil {
			return -1
		}
		n += page.Total
	}
	return n
}

// lookUpUser says whether the sub-user exists and how many keys it has (CAM allows two).
func lookUpUser(q *questions) (string, job) {
	c, name, newClient := q.ans.Tencent, q.ans.Request.SubUser, q.deps.Tencent
	if newClient == nil {
		return "", nil
	}
	return "looking up sub-user " + name + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		u, err := cl.GetUser(ctx, name)
		if errors.Is(err, tencent.ErrNotFound) {
			return replyMsg{note: "sub-user " + name + " does not exist yet: onboard will create it"}
		}
		if err != nil {
			return replyMsg{err: fmt.Errorf("look up sub-user %s: %w", name, err)}
		}
		keys, err := cl.ListAccessKeys(ctx, u.UIN)
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the API keys of %s: %w", name, err)}
		}
		return replyMsg{note: fmt.Sprintf("sub-user %s exists (UIN %d, %d of 2 API keys): the plan says whether onboard reuses it", name, u.UIN, len(keys))}
	}
}

func loadAuditRegions(q *questions) (string, job) {
	if len(q.tencentRegions) > 0 || q.deps.Tencent == nil {
		return "", nil
	}
	c, newClient := q.ans.Tencent, q.deps.Tencent
	return "listing the regions of CLS…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		regions, err := cl.Regions(ctx, "cls")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the regions of CLS: %w", err)}
		}
		return replyMsg{set: func(q *questions) { q.tencentRegions = regions }}
	}
}

// loadSOCSources reads whether the account has WAF domains or Cloud Firewall instances, so that the SOC
// logs question starts on when there is something to ship. A key that may not read them leaves it off.
func loadSOCSources(q *questions) (string, job) {
	if q.socSources != nil || q.deps.Tencent == nil {
		return "", nil
	}
	c, newClient := q.ans.Tencent, q.deps.Tencent
	return "looking for WAF domains and Cloud Firewall instances…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		sources, err := onboarding.FindSOCSources(ctx, cl, "")
		if err != nil {
			return replyMsg{set: func(q *questions) { q.socSources, q.socSourcesErr = &onboarding.SOCSources{}, err.Error() }}
		}
		return replyMsg{set: func(q *questions) { q.socSources = &sources }}
	}
}

func loadLogsets(q *questions) (string, job) {
	if q.deps.Tencent == nil {
		return "", nil
	}
	c, region, newClient := q.ans.Tencent, q.ans.Request.AuditRegion, q.deps.Tencent
	return "listing the CLS logsets of " + region + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		ls, err := cl.ListLogsets(ctx, region, "")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the CLS logsets of %s: %w", region, err)}
		}
		return replyMsg{set: func(q *questions) { q.logsets = ls }}
	}
}

func loadTopics(q *questions) (string, job) {
	if q.deps.Tencent == nil || q.ans.Request.AuditLogset == onboarding.AuditNew {
		return "", nil
	}
	c, region, logset, newClient := q.ans.Tencent, q.ans.Request.AuditRegion, q.ans.Request.AuditLogset, q.deps.Tencent
	return "listing the topics of logset " + logset + "…", func(ctx context.Context) tea.Msg {
		cl, err := newClient(c)
		if err != nil {
			return replyMsg{err: err}
		}
		ts, err := cl.ListTopics(ctx, region, logset, "")
		if err != nil {
			return replyMsg{err: fmt.Errorf("list the topics of logset %s: %w", logset, err)}
		}
		return replyMsg{set: func(q *questions) { q.topics = ts }}
	}
}

// checkSecurityCenter proves the Alibaba Cloud key on the chosen site with a cheap read, and lists the
// region choices in the same go, so that the regions page opens ready.
func checkSecurityCenter(q *questions) (string, job) {
	if q.deps.SecurityCenter == nil {
		return "", nil
	}
	c, site, newClient := q.ans.Alibaba, q.ans.Request.Site, q.deps.SecurityCenter
	return "checking the Alibaba Cloud key " + c.Masked() + " on Security Center…", func(ctx context.Context) tea.Msg {
		sc, err := newClient(site, c)
		if err != nil {
			return replyMsg{err: err}
		}
		if _, err := sc.ListAccounts(ctx, securitycenter.AccountFilter{Vendor: securitycenter.VendorTencent}); err != nil {
			return replyMsg{err: fmt.Errorf("the Alibaba Cloud key %s was refused by Security Center: %w", c.Masked(), err)}
		}
		regions, err := sc.Regions(ctx, securitycenter.VendorTencent)
		if err != nil {
			return replyMsg{err: fmt.Errorf("list Security Center's regions: %w", err)}
		}
		return replyMsg{
			note: "Alibaba Cloud key " + c.Masked() + " accepted by Security Center (" + siteLabels[site] + ")",
			set:  func(q *questions) { q.scRegions = regions },
		}
	}
}
