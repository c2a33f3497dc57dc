package wizard

import "slices"

// RegionProgress is the state of one (kind, region) of one account's asset sync, as the inventory
// reports it after each stored page and when the (kind, region) ends. The wizard may not depend on the
// store, which the inventory writes to, so the command layer copies the inventory's events into this type.
type RegionProgress struct {
	Account      string
	Kind, Region string
	Seen         int // rows stored so far
	Total        int // what the service reported; -1 before the first page answered
	// Done marks the (kind, region) ended; Failed says it ended without being listed completely, and Err why.
	Done   bool
	Failed bool
	Err    error
}

// KindProgress is one kind's progress summed over the regions that reported.
type KindProgress struct {
	Kind string
	Seen int
	// Total sums the totals the regions' first pages gave; TotalKnown says every reporting region gave one.
	Total      int
	TotalKnown bool
	// Regions reported so far; Ended of them are over, Failed of those without being listed completely.
	Regions, Ended, Failed int
	// Err is the first failure of the kind.
	Err error
}

// Finished reports whether every region that reported has ended.
func (k KindProgress) Finished() bool { return k.Regions > 0 && k.Ended == k.Regions }

// Fraction is how much of the known total is stored, between 0 and 1; a kind that ended complete is 1.
func (k KindProgress) Fraction() float64 {
	switch {
	case k.Finished() && k.Failed == 0:
		return 1
	case k.Total <= 0:
		return 0
	}
	return min(float64(k.Seen)/float64(k.Total), 1)
}

// SyncTally folds one account's per-(kind, region) progress into one line per kind. `onboard sync` and the
// wizard's first sync both read their lines from it. It is a plain value: not safe for concurrent use.
type SyncTally struct {
	order []string // kinds in the order they are shown
	kinds map[string]*kindTally
}

type kindTally struct {
	regions map[string]RegionProgress
	sum     KindProgress
}

// NewSyncTally returns an empty tally that lists kinds in order (the inventory's order of kinds); a kind
// not in order comes after those that are, in the order it first reported.
func NewSyncTally(order []string) *SyncTally {
	return &SyncTally{order: slices.Clone(order), kinds: map[string]*kindTally{}}
}

// Add takes one event. A region's later event replaces its earlier one; an event after the region ended
// (there is none from the inventory) changes nothing.
func (t *SyncTally) Add(p RegionProgress) {
	k := t.kinds[p.Kind]
	if k == nil {
		k = &kindTally{regions: map[string]RegionProgress{}, sum: KindProgress{Kind: p.Kind}}
		t.kinds[p.Kind] = k
		if !slices.Contains(t.order, p.Kind) {
			t.order = append(t.order, p.Kind)
		}
	}
	prev, seen := k.regions[p.Region]
	if seen && prev.Done {
		return
	}
	s := &k.sum
	if seen {
		s.Seen -= prev.Seen
		s.Total -= max(prev.Total, 0)
	} else {
		s.Regions++
	}
	s.Seen += p.Seen
	s.Total += max(p.Total, 0)
	if p.Done {
		s.Ended++
		if p.Failed {
			s.Failed++
			if s.Err == nil {
				s.Err = p.Err
			}
		}
	}
	k.regions[p.Region] = p
	s.TotalKnown = true
	for _, r := range k.regions {
		if r.Total < 0 {
			s.TotalKnown = false
			break
		}
	}
}

// Kinds returns a line per kind that reported, in order.
func (t *SyncTally) Kinds() []KindProgress {
	out := make([]KindProgress, 0, len(t.kinds))
	for _, name := range t.order {
		if k := t.kinds[name]; k != nil {
			out = append(out, k.sum)
		}
	}
	return out
}

// Sum is the account's progress over every kind (Kind is empty): one line for the whole account.
func (t *SyncTally) Sum() KindProgress {
	out := KindProgress{TotalKnown: true}
	for _, k := range t.kinds {
		out.Seen += k.sum.Seen
		out.Total += k.sum.Total
		out.TotalKnown = out.TotalKnown && k.sum.TotalKnown
		out.Regions += k.sum.Regions
		out.Ended += k.sum.Ended
		out.Failed += k.sum.Failed
	}
	for _, k := range t.Kinds() {
		if k.Err != nil {
			out.Err = k.Err
			break
		}
	}
	return out
}
