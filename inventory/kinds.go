package inventory

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// Cloud is what a sync needs of Tencent Cloud: the regions of a product and one page of each kind.
type Cloud interface {
	Regions(ctx context.Context, product string) ([]tencent.Region, error)
	ListCVMInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.CVMInstance], error)
	ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.LighthouseInstance], error)
	ListVPCs(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListSubnets(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListSecurityGroups(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListDisks(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListLoadBalancers(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListDBInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error)
	ListUsers(ctx context.Context) ([]tencent.User, error)
}

// Features a kind belongs to, as the account's features name them.
const (
	FeatureHost = "host"
	FeatureCSPM = "cspm"
)

// Kind is one kind of asset: where it is listed, at what rate, and how its pages become rows.
type Kind struct {
	Name    string  // e.g. cvm.instance
	Feature string  // host or cspm
	Product string  // the product whose regions it is listed in (Region DescribeRegions); "" for a global kind
	Action  string  // the listing action, "service:Action": the rate limit's key
	Rate    float64 // Tencent's published limit of Action, requests per second
	PageMax int     // the largest page the action serves; 0 for a listing without paging
	list    func(ctx context.Context, c Cloud, region string, offset, limit int) ([]store.Asset, int, error)
}

// Global reports whether the kind is account-wide rather than per region.
func (k Kind) Global() bool { return k.Product == "" }

// Kinds are every kind the inventory syncs, hosts first. Rates are reference/tencent-cloud-api.md §7.9.
var Kinds = []Kind{
	{Name: "cvm.instance", Feature: FeatureHost, Product: "cvm", Action: "cvm:DescribeInstances", Rate: 40, PageMax: tencent.CVMPageMax, list: listCVM},
	{Name: "lighthouse.instance", Feature: FeatureHost, Product: "lighthouse", Action: "lighthouse:DescribeInstances", Rate: 100, PageMax: tencent.LighthousePageMax, list: listLighthouse},
	{Name: "vpc.vpc", Feature: FeatureCSPM, Product: "vpc", Action: "vpc:DescribeVpcs", Rate: 100, PageMax: tencent.VPCPageMax, list: resources("vpc.vpc", Cloud.ListVPCs)},
	{Name: "vpc.subnet", Feature: FeatureCSPM, Product: "vpc", Action: "vpc:DescribeSubnets", Rate: 100, PageMax: tencent.VPCPageMax, list: resources("vpc.subnet", Cloud.ListSubnets)},
	{Name: "vpc.security_group", Feature: FeatureCSPM, Product: "vpc", Action: "vpc:DescribeSecurityGroups", Rate: 100, PageMax: tencent.VPCPageMax, list: resources("vpc.security_group", Cloud.ListSecurityGroups)},
	{Name: "cbs.disk", Feature: FeatureCSPM, Product: "cbs", Action: "cbs:DescribeDisks", Rate: 100, PageMax: tencent.CBSPageMax, list: resources("cbs.disk", Cloud.ListDisks)},
	{Name: "clb.load_balancer", Feature: FeatureCSPM, Product: "clb", Action: "clb:DescribeLoadBalancers", Rate: 20, PageMax: tencent.CLBPageMax, list: resources("clb.load_balancer", Cloud.ListLoadBalancers)},
	{Name: "cdb.instance", Feature: FeatureCSPM, Product: "cdb", Action: "cdb:DescribeDBInstances", Rate: 20, PageMax: tencent.CDBPageMax, list: resources("cdb.instance", Cloud.ListDBInstances)},
	{Name: "cam.user", Feature: FeatureCSPM, Action: "cam:ListUsers", Rate: 20, list: listCAMUsers},
}

// KindNames are the names of Kinds, in order.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return names
}

// KindsFor returns the kinds of the given features (host, cspm; others have no assets), in order.
func KindsFor(features []string) []string {
	var names []string
	for _, k := range Kinds {
		for _, f := range features {
			if strings.EqualFold(f, k.Feature) {
				names = append(names, k.Name)
				break
			}
		}
	}
	return names
}

// KindsForGrants returns the kinds of the given features that the named grants allow listing, in order:
// an account synced only what its key may read, so a host-only account without
// QcloudLighthouseReadOnlyAccess never lists Lighthouse instances.
func KindsForGrants(features, grants []string) []string {
	var names []string
	for _, name := range KindsFor(features) {
		if k, ok := kindByName(name); ok && policy.GrantsAllow(grants, k.Action) {
			names = append(names, name)
		}
	}
	return names
}

// AccountKinds returns the kinds an onboarded account syncs by default: those of its features that its
// recorded grants allow. A record made before grants were kept had the grants of its features as
// Security Center's procedure gives them (preset CSPM, no Lighthouse).
func AccountKinds(a store.Account) []string {
	grants := a.Grants
	if len(grants) == 0 {
		grants, _ = policy.GrantNames(slices.DeleteFunc(slices.Clone(a.Features), func(f string) bool {
			return !slices.Contains(policy.Features(), f)
		}), policy.CSPMPreset, false)
	}
	return KindsForGrants(a.Features, grants)
}

func kindByName(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

func listCVM(ctx context.Context, c Cloud, region string, offset, limit int) ([]store.Asset, int, error) {
	p, err := c.ListCVMInstances(ctx, region, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]store.Asset, 0, len(p.Items))
	for _, in := range p.Items {
		out = append(out, store.Asset{Kind: "cvm.instance", Region: region, ID: in.ID, Name: in.Name, Attributes: in.Raw})
	}
	return out, p.Total, nil
}

func listLighthouse(ctx context.Context, c Cloud, region string, offset, limit int) ([]store.Asset, int, error) {
	p, err := c.ListLighthouseInstances(ctx, region, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]store.Asset, 0, len(p.Items))
	for _, in := range p.Items {
		out = append(out, store.Asset{Kind: "lighthouse.instance", Region: region, ID: in.ID, Name: in.Name, Attributes: in.Raw})
	}
	return out, p.Total, nil
}

func resources(kind string, page func(Cloud, context.Context, string, int, int) (tencent.Page[tencent.Resource], error)) func(context.Context, Cloud, string, int, int) ([]store.Asset, int, error) {
	return func(ctx context.Context, c Cloud, region string, offset, limit int) ([]store.Asset, int, error) {
		p, err := page(c, ctx, region, offset, limit)
		if err != nil {
			return nil, 0, err
		}
		out := make([]store.Asset, 0, len(p.Items))
		for _, r := range p.Items {
			out = append(out, store.Asset{Kind: kind, Region: region, ID: r.ID, Name: r.Name, Attributes: r.Raw})
		}
		return out, p.Total, nil
	}
}

// listCAMUsers lists every sub-user at once: CAM ListUsers has no paging.
func listCAMUsers(ctx context.Context, c Cloud, _ string, _, _ int) ([]store.Asset, int, error) {
	users, err := c.ListUsers(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]store.Asset, 0, len(users))
	for _, u := range users {
		attrs, _ := json.Marshal(map[string]any{"Uin": u.UIN, "Name": u.Name, "Remark": u.Remark})
		out = append(out, store.Asset{Kind: "cam.user", ID: u.Name, Name: u.Name, Attributes: string(attrs)})
	}
	return out, len(out), nil
}
