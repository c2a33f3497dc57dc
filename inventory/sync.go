// Package inventory synchronises an account's assets from Tencent Cloud into the store, as fast as
// Tencent's per-action rate limits allow: the first page of each (kind, region) gives its total, the
// remaining pages go out at once, and one token bucket per action keeps each action's quota busy
// without exceeding it. Rows stream into the store in batches; a (kind, region) listed completely has
// the rows it no longer saw marked gone.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"onboard/store"
)

// Store is where a sync writes: asset rows in batches, then one write per (kind, region) with its last
// rows, its gone marks and its outcome; RecordSync records an outcome alone when that write failed.
type Store interface {
	UpsertAssets(ctx context.Context, account string, assets []store.Asset, seenAt time.Time) (store.UpsertStats, error)
	EndSync(ctx context.Context, e store.SyncEnd) (store.SyncOutcome, error)
	RecordSync(ctx context.Context, o store.SyncOutcome) error
}

// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) `onboard sync` runs under. A sync
// makes much short-lived garbage (response bodies, decoded pages); the limit makes the collector reclaim
// it before the process grows, which keeps a 100,000-asset sync near 100 MB.
const MemoryLimit = 96 << 20

// DefaultConcurrency caps the requests in flight when Options.Concurrency is 0.
const DefaultConcurrency = 32

// Options say what to sync and how.
type Options struct {
	Account string   // the account's name in the store
	Kinds   []string // kind names (KindNames); empty means every kind
	// Regions to sync; empty means every region each product offers. Each must be offered by at least
	// one product of the kinds synced; a kind skips regions its product does not offer.
	Regions []string
	// SkipUnofferedRegions leaves out chosen regions that no product of the kinds offers this account
	// (Result.UnofferedRegions names them) instead of refusing them; for regions chosen elsewhere, such as
	// in Security Center, which lists regions an account may not use.
	SkipUnofferedRegions bool
	// Concurrency caps requests in flight; 1 sends one request at a time, pages in order.
	Concurrency int
	// Rates overrides the published per-action rates ("service:Action" → requests per second).
	Rates map[string]float64
	// Unlimited turns client-side rate limiting off (for endpoints without limits, such as an emulator).
	Unlimited bool
	// BatchSize is the most rows written in one transaction; default 1000.
	BatchSize int
	// Progress, when set, receives an event each time a page is stored or a (kind, region) ends. It is
	// called from one goroutine.
	Progress func(Progress)
	Now      func() time.Time
}

// Progress is the state of one (kind, region) after a page.
type Progress struct {
	Kind, Region string
	Seen, Total  int  // rows stored so far; the total the service reported (-1 before the first page)
	Done         bool // the (kind, region) ended: Status says how
	Status       string
	Err          error
}

// Statuses of a (kind, region).
const (
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// Outcome is how one (kind, region) ended.
type Outcome struct {
	Kind, Region string
	Status       string
	Seen, Total  int
	Stats        store.UpsertStats
	Gone         int
	Err          error
	Duration     time.Duration
}

// Result is what a sync did.
type Result struct {
	Outcomes []Outcome // ordered by kind (as in Kinds), then region
	Requests int       // listing requests sent, retries not counted
	// UnofferedRegions are chosen regions no product offers this account (with SkipUnofferedRegions).
	UnofferedRegions []string
}

// Counts returns the assets seen per kind.
func (r Result) Counts() map[string]int {
	out := map[string]int{}
	for _, o := range r.Outcomes {
		out[o.Kind] += o.Seen
	}
	return out
}

// Written is how many rows the sync wrote: inserted, updated, or marked gone.
func (r Result) Written() int {
	n := 0
	for _, o := range r.Outcomes {
		n += o.Stats.Written() + o.Gone
	}
	return n
}

// Failed returns the outcomes that did not complete.
func (r Result) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Status != StatusDone {
			out = append(out, o)
		}
	}
	return out
}

// ErrPartial is returned (wrapped, with what failed) when some (kind, region) failed and the rest was kept.
var ErrPartial = errors.New("the sync was partly done")

// ErrUnknownRegion is a region asked for that the account's regions do not include.
var ErrUnknownRegion = errors.New("unknown region")

// unit is one (kind, region) being listed.
type unit struct {
	kind     Kind
	region   string
	total    atomic.Int64 // -1 until the first page answers
	pending  atomic.Int64 // pages sent or queued and not yet finished
	failed   atomic.Bool
	err      error // set once, by the page that failed first
	errOnce  sync.Once
	started  time.Time
	requests atomic.Int64
	listed   atomic.Int64 // pages answered successfully
}

// complete reports whether every page of the unit was listed.
func (u *unit) complete() bool {
	total, limit := u.total.Load(), int64(u.kind.PageMax)
	if total < 0 {
		return false
	}
	want := int64(1)
	if limit > 0 && total > limit {
		want = (total + limit - 1) / limit
	}
	return u.listed.Load() >= want
}

func (u *unit) fail(err error) {
	u.errOnce.Do(func() { u.err = err; u.failed.Store(true) })
}

type page struct {
	u      *unit
	offset int
}

// Sync lists the chosen kinds in the chosen regions and stores them. It returns an error wrapping
// ErrPartial when some (kind, region) failed (the rest is stored), the context's error when
// cancelled (what was listed is stored), or an error before any listing when the options are wrong.
func Sync(ctx context.Context, cloud Cloud, db Store, opts Options) (Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Concurrency < 1 {
		return Result{}, fmt.Errorf("concurrency %d: must be at least 1", opts.Concurrency)
	}
	if opts.BatchSize < 1 {
		opts.BatchSize = 1000
	}
	kinds, err := chooseKinds(opts.Kinds)
	if err != nil {
		return Result{}, err
	}
	units, unoffered, err := planUnits(ctx, cloud, kinds, opts.Regions, opts.Concurrency, opts.SkipUnofferedRegions)
	if err != nil {
		return Result{}, err
	}
	s := &syncer{cloud: cloud, db: db, opts: opts, seenAt: opts.Now(), lanes: map[string]*lane{}, unoffered: unoffered,
		rows: make(chan any, 2*opts.Concurrency), sem: make(chan struct{}, opts.Concurrency)}
	for _, k := range kinds {
		if _, ok := s.lanes[k.Action]; ok {
			continue
		}
		limit := rate.Inf
		if r, ok := opts.Rates[k.Action]; ok {
			limit = rate.Limit(r)
		} else if !opts.Unlimited {
			limit = rate.Limit(k.Rate)
		}
		// A burst of one: requests are spread evenly, so the service's own bucket never runs dry.
		s.lanes[k.Action] = &lane{limiter: rate.NewLimiter(limit, 1), wake: make(chan struct{}, 1)}
	}
	return s.run(ctx, units)
}

func chooseKinds(names []string) ([]Kind, error) {
	if len(names) == 0 {
		return Kinds, nil
	}
	var out []Kind
	for _, k := range Kinds {
		if slices.Contains(names, k.Name) {
			out = append(out, k)
		}
	}
	for _, n := range names {
		if _, ok := kindByName(n); !ok {
			return nil, fmt.Errorf("unknown kind %q: valid kinds are %s", n, strings.Join(KindNames(), ", "))
		}
	}
	return out, nil
}

// planUnits asks each product for its regions and pairs every kind with the regions it is listed in.
func planUnits(ctx context.Context, cloud Cloud, kinds []Kind, wanted []string, concurrency int, skipUnoffered bool) (units []*unit, unoffered []string, err error) {
	offered := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	unlisted := map[string]error{} // product → why its regions are unknown
	asked := map[string]bool{}
	for _, k := range kinds {
		if k.Global() || asked[k.Product] {
			continue
		}
		asked[k.Product] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			regions, err := cloud.Regions(ctx, k.Product)
			if err != nil {
				mu.Lock()
				unlisted[k.Product] = err
				mu.Unlock()
				return
			}
			ids := make([]string, 0, len(regions))
			for _, r := range regions {
				ids = append(ids, r.ID)
			}
			mu.Lock()
			offered[k.Product] = ids
			mu.Unlock()
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	var known []string
	for _, ids := range offered {
		for _, id := range ids {
			if !slices.Contains(known, id) {
				known = append(known, id)
			}
		}
	}
	sort.Strings(known)
	for _, r := range wanted {
		switch {
		case slices.Contains(known, r) || len(known) == 0:
		case skipUnoffered:
			unoffered = append(unoffered, r)
		default:
			return nil, nil, fmt.Errorf("%w %q: valid regions are %s", ErrUnknownRegion, r, strings.Join(known, ", "))
		}
	}
	for _, k := range kinds {
		if k.Global() {
			units = append(units, newUnit(k, ""))
			continue
		}
		if err := unlisted[k.Product]; err != nil {
			// The kind cannot be listed (typically a key without the product's grant); it fails alone.
			u := newUnit(k, "")
			u.fail(err)
			units = append(units, u)
			continue
		}
		for _, r := range offered[k.Product] {
			if len(wanted) == 0 || slices.Contains(wanted, r) {
				units = append(units, newUnit(k, r))
			}
		}
	}
	return units, unoffered, nil
}

func newUnit(k Kind, region string) *unit {
	u := &unit{kind: k, region: region}
	u.total.Store(-1)
	return u
}

// lane is the queue of pages of one action, sent no faster than its limiter allows.
type lane struct {
	limiter *rate.Limiter
	mu      sync.Mutex
	queue   []page
	wake    chan struct{}
}

func (l *lane) push(p page) {
	l.mu.Lock()
	l.queue = append(l.queue, p)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *lane) pop() (page, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		return page{}, false
	}
	p := l.queue[0]
	l.queue = l.queue[1:]
	return p, true
}

type syncer struct {
	unoffered []string
	cloud     Cloud
	db        Store
	opts      Options
	seenAt    time.Time
	lanes     map[string]*lane
	sem       chan struct{}
	rows      chan any // pageRows and unitEnd, in the order pages finished
	work      sync.WaitGroup
	calls     sync.WaitGroup
}

type pageRows struct {
	u    *unit
	rows []store.Asset
}

type unitEnd struct{ u *unit }

func (s *syncer) run(ctx context.Context, units []*unit) (Result, error) {
	writerDone := make(chan Result)
	go func() { writerDone <- s.write(ctx, units) }()
	for _, u := range units {
		u.started = time.Now()
		if u.failed.Load() {
			s.rows <- unitEnd{u: u}
			continue
		}
		u.pending.Store(1)
		s.work.Add(1)
		s.lanes[u.kind.Action].push(page{u: u})
	}
	allQueued := make(chan struct{})
	go func() { s.work.Wait(); close(allQueued) }()
	var lanes sync.WaitGroup
	for _, l := range s.lanes {
		lanes.Add(1)
		go func() { defer lanes.Done(); s.drive(ctx, l, allQueued) }()
	}
	lanes.Wait()
	s.calls.Wait()
	// A page that answered just as the sync was cancelled may have queued its follow-ups after its lane
	// stopped: finish them here, now that nothing sends, so every unit ends and has an outcome.
	for _, l := range s.lanes {
		s.drain(l)
	}
	close(s.rows)
	res := <-writerDone
	res.UnofferedRegions = s.unoffered
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if failed := res.Failed(); len(failed) > 0 {
		var lines []string
		for _, o := range failed {
			lines = append(lines, fmt.Sprintf("%s in %s: %v", o.Kind, regionLabel(o.Region), o.Err))
		}
		return res, fmt.Errorf("%w: %d of %d failed:\n  %s", ErrPartial, len(failed), len(res.Outcomes), strings.Join(lines, "\n  "))
	}
	return res, nil
}

func regionLabel(r string) string {
	if r == "" {
		return "all regions"
	}
	return r
}

// drive sends one lane's pages as its limiter and the concurrency cap allow, until every page of
// every lane is finished or the context ends.
func (s *syncer) drive(ctx context.Context, l *lane, allQueued <-chan struct{}) {
	for {
		p, ok := l.pop()
		if !ok {
			select {
			case <-l.wake:
				continue
			case <-allQueued:
				return
			case <-ctx.Done():
				s.drain(l)
				return
			}
		}
		if p.u.failed.Load() || ctx.Err() != nil {
			s.finish(p)
			continue
		}
		if err := l.limiter.Wait(ctx); err != nil {
			s.finish(p)
			continue
		}
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			s.finish(p)
			continue
		}
		s.calls.Add(1)
		go func() {
			defer s.calls.Done()
			defer func() { <-s.sem }()
			s.fetch(ctx, l, p)
		}()
	}
}

// drain finishes the queued pages of a lane without sending them (the sync was cancelled).
func (s *syncer) drain(l *lane) {
	for {
		p, ok := l.pop()
		if !ok {
			return
		}
		s.finish(p)
	}
}

func (s *syncer) fetch(ctx context.Context, l *lane, p page) {
	u := p.u
	limit := u.kind.PageMax
	u.requests.Add(1)
	rows, total, err := u.kind.list(ctx, s.cloud, u.region, p.offset, limit)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			u.fail(err)
		}
	default:
		if p.offset == 0 {
			u.total.Store(int64(total))
			for off := limit; limit > 0 && off < total; off += limit {
				u.pending.Add(1)
				s.work.Add(1)
				l.push(page{u: u, offset: off})
			}
		}
		// Hashing here spreads it over the fetching goroutines; the one writer only compares.
		for i := range rows {
			rows[i].Hash = store.ContentHash(rows[i].Name, rows[i].Attributes)
		}
		s.rows <- pageRows{u: u, rows: rows}
		u.listed.Add(1)
	}
	s.finish(p)
}

// finish ends one page; the unit's last page sends its end after every row of the unit.
func (s *syncer) finish(p page) {
	if p.u.pending.Add(-1) == 0 {
		s.rows <- unitEnd{u: p.u}
	}
	s.work.Done()
}

// writesInFlight caps the store writes one sync has in flight. The writer goes on reading pages while
// they commit, so that waiting for the disk does not stall the listing; the cap bounds the rows they hold.
const writesInFlight = 8

// write is the one goroutine that reads the listed rows and hands them to the store: in batches per
// (kind, region), then one write that ends the (kind, region) with its last rows, its gone marks and its
// outcome. The writes of one (kind, region) run one after another, in order; those of different ones
// commit concurrently, together. It keeps writing after a cancellation, so what was listed is stored.
func (s *syncer) write(ctx context.Context, units []*unit) Result {
	w := newWriter(ctx, s, units)
	for rows := s.rows; rows != nil; {
		select {
		case msg, ok := <-rows:
			switch m := msg.(type) {
			case pageRows:
				w.add(m)
			case unitEnd:
				w.end(m.u)
			}
			if !ok {
				rows = nil
			}
		case o := <-w.ended:
			w.report(o)
		}
	}
	w.wait()
	var res Result
	for _, u := range units {
		res.Outcomes = append(res.Outcomes, w.outcomes[u])
		res.Requests += int(u.requests.Load())
	}
	return res
}

// writer is the state of write.
type writer struct {
	s         *syncer
	ctx, wctx context.Context // the sync's, and one that outlives a cancellation for the writes
	states    map[*unit]*unitState
	held      int // rows received and not yet handed to a write, over every unit
	outcomes  map[*unit]Outcome
	slots     chan struct{}  // one per write in flight
	writes    sync.WaitGroup // the writes in flight
	// ended receives each unit's outcome once its last write is done; it has room for every unit, so a
	// write never waits for the writer.
	ended chan unitOutcome
}

type unitOutcome struct {
	u *unit
	o Outcome
}

func newWriter(ctx context.Context, s *syncer, units []*unit) *writer {
	w := &writer{s: s, ctx: ctx, wctx: context.WithoutCancel(ctx), states: map[*unit]*unitState{}, outcomes: map[*unit]Outcome{},
		slots: make(chan struct{}, writesInFlight), ended: make(chan unitOutcome, len(units))}
	for _, u := range units {
		w.states[u] = &unitState{}
	}
	return w
}

// wait waits for the writes in flight and reports the outcomes not yet reported; nothing may be
// handed to the writer after it.
func (w *writer) wait() {
	w.writes.Wait()
	close(w.ended)
	for o := range w.ended {
		w.report(o)
	}
}

// unitState is what the writer holds of one (kind, region).
type unitState struct {
	pending []store.Asset
	seen    []string
	// last is closed when the unit's latest write is done; the next one waits for it.
	last chan struct{}
	// Set by the unit's writes, which run one at a time.
	stats store.UpsertStats
	err   error
}

func (w *writer) add(m pageRows) {
	st := w.states[m.u]
	for _, r := range m.rows {
		// A copy: the decoded ID shares the decoder's copy of its whole item, which the list would
		// otherwise keep alive until the (kind, region) ends.
		st.seen = append(st.seen, strings.Clone(r.ID))
	}
	st.pending = append(st.pending, m.rows...)
	w.held += len(m.rows)
	if len(st.pending) >= w.s.opts.BatchSize {
		w.flush(st)
	}
	// Many small (kind, region)s in progress at once must not hold the whole inventory in memory.
	if w.held >= 4*w.s.opts.BatchSize {
		for _, other := range w.states {
			w.flush(other)
		}
	}
	w.s.progress(Progress{Kind: m.u.kind.Name, Region: m.u.region, Seen: len(st.seen), Total: int(m.u.total.Load())})
}

// submit runs write after the unit's writes handed off before it, without waiting for it: at most
// writesInFlight at once.
func (w *writer) submit(st *unitState, write func()) {
	w.slots <- struct{}{}
	prev, done := st.last, make(chan struct{})
	st.last = done
	w.writes.Add(1)
	go func() {
		defer w.writes.Done()
		if prev != nil {
			<-prev
		}
		write()
		<-w.slots
		close(done)
	}()
}

// flush hands a unit's pending rows to one transaction; after a store error its rows are dropped and
// the unit ends failed.
func (w *writer) flush(st *unitState) {
	if len(st.pending) == 0 {
		return
	}
	// The write keeps this slice: the next rows go to a new one.
	rows := st.pending
	st.pending = nil
	w.held -= len(rows)
	w.submit(st, func() {
		if st.err != nil {
			return
		}
		stats, err := w.s.db.UpsertAssets(w.wctx, w.s.opts.Account, rows, w.s.seenAt)
		st.stats, st.err = st.stats.Add(stats), err
	})
}

// end hands the unit's last write to the store and forgets the unit: what the writer holds is bounded
// by the units in flight, not by the account.
func (w *writer) end(u *unit) {
	st := w.states[u]
	delete(w.states, u)
	rows, seen := st.pending, st.seen
	w.held -= len(rows)
	w.submit(st, func() { w.ended <- unitOutcome{u, w.endUnit(u, st, rows, seen)} })
}

// endUnit runs after every other write of the unit. It stores the last rows, marks what the unit no
// longer saw as gone when it was listed completely and all its rows are stored, and records the
// outcome, all in one write.
func (w *writer) endUnit(u *unit, st *unitState, rows []store.Asset, seen []string) Outcome {
	o := Outcome{Kind: u.kind.Name, Region: u.region, Seen: len(seen), Total: int(u.total.Load()), Stats: st.stats,
		Duration: time.Since(u.started)}
	e := store.SyncEnd{Assets: rows, SeenAt: w.s.seenAt}
	switch {
	case st.err != nil:
		o.Status, o.Err = StatusFailed, fmt.Errorf("store: %w", st.err)
		e.Assets = nil // as after a failed batch: the unit's rows are dropped
	case u.failed.Load():
		o.Status, o.Err = StatusFailed, u.err
	case !u.complete():
		o.Status, o.Err = StatusCancelled, context.Cause(w.ctx)
	default:
		o.Status = StatusDone
		e.MarkGone, e.SeenIDs = true, seen
	}
	e.Outcome = w.record(o)
	recorded, err := w.s.db.EndSync(w.wctx, e)
	if err != nil {
		if o.Status != StatusFailed {
			o.Err = fmt.Errorf("store: %w", err)
		}
		o.Status = StatusFailed
		// None of it was written; the failure at least is recorded, on its own.
		w.s.db.RecordSync(w.wctx, w.record(o))
		return o
	}
	o.Stats, o.Gone = recorded.Stats, recorded.Gone
	return o
}

// record is the outcome as the store keeps it.
func (w *writer) record(o Outcome) store.SyncOutcome {
	rec := store.SyncOutcome{Account: w.s.opts.Account, Kind: o.Kind, Region: o.Region, Status: o.Status, Seen: o.Seen,
		Stats: o.Stats, Gone: o.Gone, Duration: o.Duration}
	if o.Err != nil {
		rec.Error = o.Err.Error()
	}
	return rec
}

// report keeps a unit's outcome and shows it, on the writer's goroutine, as Options.Progress promises.
func (w *writer) report(e unitOutcome) {
	o := e.o
	w.outcomes[e.u] = o
	w.s.progress(Progress{Kind: o.Kind, Region: o.Region, Seen: o.Seen, Total: o.Total, Done: true, Status: o.Status, Err: o.Err})
}

func (s *syncer) progress(p Progress) {
	if s.opts.Progress != nil {
		s.opts.Progress(p)
	}
}
