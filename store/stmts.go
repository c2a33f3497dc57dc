package store

import (
	"context"
	"database/sql"
	"sync"
)

// The inventory writes of a sync run the same few statements thousands of times. Parsing a statement
// costs SQLite more than running it on a batch's rows, so each is prepared once per connection and kept:
// database/sql reuses a statement already prepared on the transaction's connection.

// stmtCache holds the prepared statements of a DB by their text.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepared returns query prepared for tx, preparing it on the database the first time. The statement
// returned belongs to tx and is closed with it.
func (db *DB) prepared(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	c := &db.stmts
	c.mu.Lock()
	s, ok := c.stmts[query]
	if !ok {
		var err error
		if s, err = db.sql.PrepareContext(ctx, query); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		c.stmts[query] = s
	}
	c.mu.Unlock()
	return tx.StmtContext(ctx, s), nil
}

// close closes every statement prepared.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
}
