package cmd

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"onboard/inventory"
	"onboard/store"
	"onboard/wizard"
)

// syncProgress shows the progress of the syncs of one `onboard sync`: on a terminal, the live view
// (package wizard draws it); otherwise a log line per running account on standard error every few
// seconds. JSON output shows none. Its methods may be called from every account's sync at once.
type syncProgress struct {
	f        *Factory
	live     *wizard.LiveSync
	mu       sync.Mutex
	accounts []string
	tallies  map[string]*wizard.SyncTally
	ended    map[string]bool
	start    time.Time
	done     chan struct{}
	wg       sync.WaitGroup
}

// logInterval is how often a sync whose standard error is not a terminal logs its progress.
const logInterval = 5 * time.Second

// newSyncProgress starts showing the syncs of accounts; on a terminal, Ctrl+C calls cancel.
func newSyncProgress(f *Factory, accounts []string, cancel func()) *syncProgress {
	p := &syncProgress{f: f, accounts: accounts, tallies: map[string]*wizard.SyncTally{}, ended: map[string]bool{},
		start: time.Now(), done: make(chan struct{})}
	for _, a := range accounts {
		p.tallies[a] = wizard.NewSyncTally(inventory.KindNames())
	}
	switch {
	case f.JSON():
	case f.IO.IsStderrTTY():
		opts := wizard.LiveSyncOptions{Out: f.IO.ErrOut, NoColor: f.Getenv("NO_COLOR") != "",
			SyncViewOptions: wizard.SyncViewOptions{Accounts: accounts, KindOrder: inventory.KindNames(), Scrub: store.Scrub,
				Cancel: cancel, Width: f.IO.TerminalWidth(), Start: p.start}}
		if f.IO.IsStdinTTY() {
			opts.In = f.IO.In
		}
		p.live = wizard.StartSync(opts)
	default:
		p.wg.Add(1)
		go p.logEvery(logInterval)
	}
	return p
}

// update returns the inventory's progress callback for one account's sync.
func (p *syncProgress) update(account string) func(inventory.Progress) {
	return func(ev inventory.Progress) {
		rp := regionProgress(account, ev)
		if p.live != nil {
			p.live.Progress(rp)
			return
		}
		p.mu.Lock()
		p.tallies[account].Add(rp)
		p.mu.Unlock()
	}
}

// regionProgress is the inventory's event in the words of the progress views.
func regionProgress(account string, ev inventory.Progress) wizard.RegionProgress {
	return wizard.RegionProgress{Account: account, Kind: ev.Kind, Region: ev.Region, Seen: ev.Seen, Total: ev.Total,
		Done: ev.Done, Failed: ev.Done && ev.Status != inventory.StatusDone, Err: ev.Err}
}

// accountEnded marks an account's sync over; err says why it failed or was partly done.
func (p *syncProgress) accountEnded(account string, err error) {
	if p.live != nil {
		p.live.AccountEnded(account, err)
		return
	}
	p.mu.Lock()
	p.ended[account] = true
	p.mu.Unlock()
}

// stop draws the last frame of the live view, or stops the log lines.
func (p *syncProgress) stop() {
	close(p.done)
	p.wg.Wait()
	if p.live != nil {
		// The view is only a view: a terminal it could not draw on changes nothing of the sync.
		if err := p.live.Close(); err != nil && p.f.Logger != nil {
			p.f.Logger.Warn("sync progress", "error", store.Scrub(err.Error()))
		}
	}
}

func (p *syncProgress) logEvery(interval time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.log()
		case <-p.done:
			return
		}
	}
}

// log writes one line per account still syncing: each kind's assets stored so far and its total.
func (p *syncProgress) log() {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start).Seconds()
	for _, a := range p.accounts {
		if p.ended[a] {
			continue
		}
		var parts []string
		for _, k := range p.tallies[a].Kinds() {
			parts = append(parts, fmt.Sprintf("%s %d/%d", k.Kind, k.Seen, k.Total))
		}
		fmt.Fprintf(p.f.IO.ErrOut, "sync %s: %.0fs: %s\n", a, elapsed, strings.Join(parts, ", "))
	}
}
