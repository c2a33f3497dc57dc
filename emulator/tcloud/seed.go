package tcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"onboard/policy"
)

// RegionalKinds are the inventory kinds a seed can hold per region, and CAMUserKind the account-wide one.
var RegionalKinds = []string{"cvm", "lighthouse", "vpc", "subnet", "security_group", "disk", "clb", "cdb"}

// CAMUserKind is the account-wide kind of a seed: sub-users.
const CAMUserKind = "cam_user"

// Account-wide kinds of the SOC log sources (waf.go, cfw.go): domains protected by one enterprise WAF
// instance, and NAT Cloud Firewall instances. A seed without them has no WAF and no Cloud Firewall.
const (
	WAFDomainKind   = "waf_domain"
	CFWInstanceKind = "cfw_instance"
)

// Seed is an account's inventory by count: per region and kind, and sub-users. It is what a seed file
// holds and what a --seed-gen specification spreads over regions.
type Seed struct {
	Regions  map[string]map[string]int `json:"regions"`   // region → kind → count
	CAMUsers int                       `json:"cam_users"` // sub-users named seed-user-NNNN
	// WAFDomains and CFWInstances are the SOC log sources; 0 leaves the account without WAF or CFW.
	WAFDomains   int `json:"waf_domains,omitempty"`
	CFWInstances int `json:"cfw_instances,omitempty"`
	// Members are the member accounts of the organization this account manages, each with its own
	// inventory (organization.go); a member has no members of its own.
	Members []Seed `json:"members,omitempty"`
}

// MaxSeedPerKind bounds how many assets of one kind a seed makes (over all its regions): enough for the
// largest account a benchmark plays, small enough that a typo cannot exhaust the machine's memory.
const MaxSeedPerKind = 500_000

// maxSeedFileBytes bounds a seed file: a count per region and kind is a few bytes each.
const maxSeedFileBytes = 1 << 20

// Total is the number of assets the seed makes.
func (sd Seed) Total() int {
	n := sd.CAMUsers + sd.WAFDomains + sd.CFWInstances
	for _, kinds := range sd.Regions {
		for _, c := range kinds {
			n += c
		}
	}
	return n
}

// MaxSeedMembers bounds the member accounts a seed makes, as an organization's default quota does not
// bound them (it can be raised), but a typo must not exhaust the machine.
const MaxSeedMembers = 1000

// ParseSeedGen reads a generator specification such as
// "regions=25,cvm=50000,lighthouse=10000,cam_user=100": each regional count is spread evenly over the
// first `regions` known regions (the first ones take the remainder). regions defaults to 1.
// "members=N" also makes N member accounts of the seeded account's organization, each with the same
// inventory.
func ParseSeedGen(spec string) (Seed, error) {
	counts := map[string]int{}
	regions, members := 1, 0
	for _, pair := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return Seed{}, fmt.Errorf("seed-gen %q: %q is not KIND=COUNT", spec, pair)
		}
		if k != "regions" && n > MaxSeedPerKind {
			return Seed{}, fmt.Errorf("seed-gen: %s=%d: at most %d per kind", k, n, MaxSeedPerKind)
		}
		switch {
		case k == "members":
			if n > MaxSeedMembers {
				return Seed{}, fmt.Errorf("seed-gen: members=%d: at most %d", n, MaxSeedMembers)
			}
			members = n
		case k == "regions":
			if n < 1 || n > len(knownRegions) {
				return Seed{}, fmt.Errorf("seed-gen: regions=%d: between 1 and %d regions are known", n, len(knownRegions))
			}
			regions = n
		case k == CAMUserKind || k == WAFDomainKind || k == CFWInstanceKind || slices.Contains(RegionalKinds, k):
			counts[k] = n
		default:
			return Seed{}, fmt.Errorf("seed-gen: unknown kind %q; valid: regions, members, %s, %s, %s, %s", k, strings.Join(RegionalKinds, ", "), CAMUserKind, WAFDomainKind, CFWInstanceKind)
		}
	}
	sd := Seed{Regions: map[string]map[string]int{}, CAMUsers: counts[CAMUserKind], WAFDomains: counts[WAFDomainKind], CFWInstances: counts[CFWInstanceKind]}
	for i := 0; i < regions; i++ {
		sd.Regions[knownRegions[i].id] = map[string]int{}
	}
	for _, kind := range RegionalKinds {
		total := counts[kind]
		for i := 0; i < regions; i++ {
			sd.Regions[knownRegions[i].id][kind] = total / regions
			if i < total%regions {
				sd.Regions[knownRegions[i].id][kind]++
			}
		}
	}
	for i := 0; i < members; i++ {
		sd.Members = append(sd.Members, Seed{Regions: sd.Regions, CAMUsers: sd.CAMUsers})
	}
	return sd, nil
}

// ReadSeedFile reads a JSON seed file:
//
//	{"regions": {"ap-guangzhou": {"cvm": 12, "vpc": 2}, "ap-singapore": {"lighthouse": 3}}, "cam_users": 4}
//
// Unknown fields, regions and kinds are refused.
func ReadSeedFile(path string) (Seed, error) {
	// policy.ReadFile reads only a regular file: a FIFO named by mistake must not block start-up.
	data, err := policy.ReadFile(path, maxSeedFileBytes)
	if err != nil {
		return Seed{}, fmt.Errorf("seed file: %w", err)
	}
	if err := StrictJSON(data); err != nil {
		return Seed{}, fmt.Errorf("seed file %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sd Seed
	if err := dec.Decode(&sd); err != nil {
		return Seed{}, fmt.Errorf("seed file %s: %w", path, err)
	}
	if len(sd.Members) > MaxSeedMembers {
		return Seed{}, fmt.Errorf("seed file %s: %d members: at most %d", path, len(sd.Members), MaxSeedMembers)
	}
	for i, m := range sd.Members {
		if len(m.Members) > 0 {
			return Seed{}, fmt.Errorf("seed file %s: member %d has members: only the management account has", path, i+1)
		}
		if err := checkSeedCounts(path, m); err != nil {
			return Seed{}, fmt.Errorf("member %d: %w", i+1, err)
		}
	}
	return sd, checkSeedCounts(path, sd)
}

// checkSeedCounts refuses unknown regions and kinds, negative counts, and more than MaxSeedPerKind of a
// kind in one account.
func checkSeedCounts(path string, sd Seed) error {
	perKind := map[string]int{CAMUserKind: sd.CAMUsers, WAFDomainKind: sd.WAFDomains, CFWInstanceKind: sd.CFWInstances}
	for region, kinds := range sd.Regions {
		if !slices.ContainsFunc(knownRegions, func(k regionInfo) bool { return k.id == region }) {
			return fmt.Errorf("seed file %s: unknown region %q", path, region)
		}
		for kind, n := range kinds {
			if !slices.Contains(RegionalKinds, kind) || n < 0 {
				return fmt.Errorf("seed file %s: %s: %q=%d: kinds are %s with counts ≥ 0", path, region, kind, n, strings.Join(RegionalKinds, ", "))
			}
			perKind[kind] += min(n, MaxSeedPerKind+1) // no overflow, however many regions
		}
	}
	for _, kind := range append([]string{CAMUserKind, WAFDomainKind, CFWInstanceKind}, RegionalKinds...) {
		if n := perKind[kind]; n > MaxSeedPerKind || n < 0 {
			return fmt.Errorf("seed file %s: %s: %d over all regions: at most %d per kind", path, kind, n, MaxSeedPerKind)
		}
	}
	return nil
}

// seedChunk is how many assets Apply adds between two looks at its context.
const seedChunk = 5000

// Apply adds the seed's assets to the account. It stops when ctx ends (a SIGTERM during a large seed),
// returning ctx's error, with part of the seed applied.
func (s *Server) Apply(ctx context.Context, sd Seed) error {
	regions := make([]string, 0, len(sd.Regions))
	for r := range sd.Regions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	seeders := map[string]func(string, int){
		"cvm": s.SeedCVM, "lighthouse": s.SeedLighthouse, "vpc": s.SeedVPCs, "subnet": s.SeedSubnets,
		"security_group": s.SeedSecurityGroups, "disk": s.SeedDisks, "clb": s.SeedLoadBalancers, "cdb": s.SeedDBInstances,
	}
	for _, r := range regions {
		s.mu.Lock()
		s.joinRegion(r)
		s.mu.Unlock()
		for _, kind := range RegionalKinds {
			for left := sd.Regions[r][kind]; left > 0; left -= seedChunk {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("seed: %w", err)
				}
				seeders[kind](r, min(left, seedChunk))
			}
		}
	}
	for left := sd.CAMUsers; left > 0; left -= seedChunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		s.SeedUsers(min(left, seedChunk))
	}
	s.seedSOCSources(sd.WAFDomains, sd.CFWInstances)
	return nil
}

// seedSOCSources adds one enterprise WAF instance protecting n domains (logs off), and m NAT Cloud
// Firewall instances.
func (s *Server) seedSOCSources(n, m int) {
	if n > 0 {
		s.SeedWAFInstance(WAFInstanceSeed{ID: "waf_seed0001", Name: "seed", Region: "gz", Level: 3})
		for i := range n {
			s.SeedWAFDomain(WAFDomainSeed{Domain: fmt.Sprintf("site-%04d.example.com", i+1), InstanceID: "waf_seed0001"})
		}
	}
	for i := range m {
		s.SeedCFWInstance(fmt.Sprintf("cfwnat-%04d", i+1), fmt.Sprintf("egress-%d", i+1), "nat", "ap-guangzhou")
	}
}

// SeedUsers adds n sub-users named seed-user-NNNN.
func (s *Server) SeedUsers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("seed-user-%04d", len(s.users))
		s.nextID++
		s.users[name] = &user{uin: 200000000000 + s.nextID, uid: s.nextID, name: name, created: s.now()}
	}
}

// joinRegion makes region one of the account's regions; the caller holds s.mu.
func (s *Server) joinRegion(region string) {
	if !slices.Contains(s.regions, region) {
		s.regions = append(s.regions, region)
	}
}

// seed appends n items to a region's list of one kind, numbered on from those already there, and makes
// the region one of the account's. make builds item i; short is the region's code for IDs.
func seed[T any](s *Server, items map[string][]T, region string, n int, make func(short string, i int) T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joinRegion(region)
	short := shortRegion(region)
	base := len(items[region])
	for i := base; i < base+n; i++ {
		items[region] = append(items[region], make(short, i))
	}
}
