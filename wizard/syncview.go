package wizard

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/progress"

	"onboard/inventory"
)

// kindProgress is one resource kind of a sync, summed over its regions.
type kindProgress struct {
	Kind        string
	Seen, Total int // Total is 0 while a region's total is unknown
	Regions     int // regions that ended
	Failed      int // regions that failed
	Running     int // regions still listing
}

// perKind folds a sync's per-(kind, region) progress into one line per kind. It is a value: add returns
// the next one, so that Update stays pure.
type perKind struct {
	byKind map[string]map[string]inventory.Progress
	order  []string
}

func (a perKind) add(p inventory.Progress) perKind {
	next := perKind{byKind: make(map[string]map[string]inventory.Progress, len(a.byKind)+1), order: slices.Clone(a.order)}
	for k, v := range a.byKind {
		next.byKind[k] = v
	}
	regions := make(map[string]inventory.Progress, len(next.byKind[p.Kind])+1)
	for r, v := range next.byKind[p.Kind] {
		regions[r] = v
	}
	if _, ok := next.byKind[p.Kind]; !ok {
		next.order = append(next.order, p.Kind)
	}
	regions[p.Region] = p
	next.byKind[p.Kind] = regions
	return next
}

// kinds returns each kind's sums, in the order they first reported.
func (a perKind) kinds() []kindProgress {
	out := make([]kindProgress, 0, len(a.order))
	for _, kind := range a.order {
		k := kindProgress{Kind: kind}
		known := true
		for _, p := range a.byKind[kind] {
			k.Seen += p.Seen
			if p.Total < 0 {
				known = false
			} else {
				k.Total += p.Total
			}
			switch {
			case p.Done && p.Status == inventory.StatusFailed:
				k.Failed++
				k.Regions++
			case p.Done:
				k.Regions++
			default:
				k.Running++
			}
		}
		if !known {
			k.Total = 0
		}
		out = append(out, k)
	}
	return out
}

// syncView is the first-sync phase: a bar per resource kind.
type syncView struct {
	agg perKind
	bar progress.Model
}

func newSyncView() syncView {
	return syncView{bar: progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())}
}

func (s syncView) add(p inventory.Progress) syncView {
	s.agg = s.agg.add(p)
	return s
}

// view draws one line per kind, within width columns.
func (s syncView) view(st styles, width int) string {
	kinds := s.agg.kinds()
	if len(kinds) == 0 {
		return st.Muted.Render("asking Security Center to synchronise, then listing the assets…") + "\n"
	}
	name := 0
	for _, k := range kinds {
		name = max(name, len(k.Kind))
	}
	barWidth := max(width-name-24, 10)
	bar := s.bar
	bar.SetWidth(barWidth)
	var b strings.Builder
	for _, k := range kinds {
		frac := 0.0
		switch {
		case k.Total > 0:
			frac = float64(k.Seen) / float64(k.Total)
		case k.Running == 0:
			frac = 1
		}
		count := fmt.Sprint(k.Seen)
		if k.Total > 0 {
			count = fmt.Sprintf("%d/%d", k.Seen, k.Total)
		}
		mark := " "
		switch {
		case k.Failed > 0:
			mark = st.Bad.Render("✗")
		case k.Running == 0:
			mark = st.Good.Render("✓")
		}
		fmt.Fprintf(&b, "%s %-*s %s %s\n", mark, name, k.Kind, bar.ViewAs(min(frac, 1)), count)
	}
	return b.String()
}
