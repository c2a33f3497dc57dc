package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Group commit. A sync of many accounts at once writes thousands of small transactions (a batch of
// assets, a gone mark, an outcome) from as many goroutines, and with synchronous=FULL each one costs an
// fsync. The writes queued while one transaction commits are committed together in the next one: one
// fsync for all of them. Each write is still atomic on its own (a savepoint inside the transaction),
// gets its own result, and returns only once it is on disk, so durability is what it was.

// maxGroup caps the writes committed in one transaction, so one transaction stays short for the
// other processes that wait for the database.
const maxGroup = 256

// groupWrite is one caller's write waiting to be committed with others.
type groupWrite struct {
	ctx   context.Context
	apply func(ctx context.Context, tx *sql.Tx) error
	done  chan error // receives the write's own result once
}

// writeGroup is the queue of writes waiting for the next group transaction.
type writeGroup struct {
	mu      sync.Mutex
	queue   []*groupWrite
	running bool // a goroutine is committing the queue
}

// grouped runs apply as one atomic write, committed together with the writes other goroutines make at
// the same time. apply may run more than once (if the transaction it shared had to be rolled back, it runs
// again on its own), so it must set its results afresh each time. It returns apply's error, or the
// error that kept its transaction from committing; never another write's.
func (db *DB) grouped(ctx context.Context, apply func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &groupWrite{ctx: ctx, apply: apply, done: make(chan error, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if !g.running {
		g.running = true
		go db.commitQueued()
	}
	g.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		if g.withdraw(w) {
			return ctx.Err()
		}
		// Already being committed: its result, whatever it is, is the truth about the database.
		return <-w.done
	}
}

// withdraw removes w from the queue if no transaction has taken it yet.
func (g *writeGroup) withdraw(w *groupWrite) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.queue {
		if q == w {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			return true
		}
	}
	return false
}

// commitQueued commits the queue, up to maxGroup writes per transaction, until it is empty.
func (db *DB) commitQueued() {
	g := &db.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := append([]*groupWrite(nil), g.queue[:n]...)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		db.commitBatch(batch)
	}
}

// commitBatch commits batch in one transaction. A write whose apply fails is rolled back to its
// savepoint and gets its error; the others commit. When the transaction itself fails (its commit, or a
// write that broke it), no write of it is on disk, and each write that had not failed on its own runs
// again in a transaction of its own, so that one write's failure is never reported to another.
func (db *DB) commitBatch(batch []*groupWrite) {
	results, err := db.commitTogether(batch)
	if err == nil || len(batch) == 1 {
		for i, w := range batch {
			if results[i] == nil {
				results[i] = err
			}
			w.done <- results[i]
		}
		return
	}
	for i, w := range batch {
		if results[i] != nil {
			w.done <- results[i]
			continue
		}
		one, err := db.commitTogether([]*groupWrite{w})
		if one[0] == nil {
			one[0] = err
		}
		w.done <- one[0]
	}
}

// commitTogether runs every write of batch in one transaction, each under its own savepoint. results[i]
// is write i's own error (nil when it applied); err is the transaction's, which undoes them all.
func (db *DB) commitTogether(batch []*groupWrite) (results []error, err error) {
	results = make([]error, len(batch))
	// The transaction belongs to no single caller: one caller giving up must not roll back the others.
	// Each write's statements run under its caller's context.
	ctx := context.Background()
	db.writer <- struct{}{}
	defer db.unlockWriter()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		// Nothing ran: the database could not be written (another process held it past the busy
		// timeout, say), which is every write's own answer; running them again one by one would only
		// wait as long again for each.
		for i := range results {
			results[i] = err
		}
		return results, nil
	}
	for i, w := range batch {
		if err := w.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			tx.Rollback()
			return results, fmt.Errorf("savepoint: %w", err)
		}
		if err := w.apply(w.ctx, tx); err != nil {
			results[i] = err
			// A failed statement can end the whole transaction (SQLite rolls back on some errors, and on
			// an interrupted write); then nothing of the batch stands and the rest must run again.
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO write`); rerr != nil {
				tx.Rollback()
				return results, fmt.Errorf("roll back a failed write: %w", rerr)
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
			tx.Rollback()
			return results, fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return results, fmt.Errorf("commit: %w", err)
	}
	return results, nil
}
