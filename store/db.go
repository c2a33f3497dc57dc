package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound means the database holds no record of that name.
var ErrNotFound = errors.New("not found")

// DBFile is the database's file name inside the home folder.
const DBFile = "onboard.db"

// DB is the state database: accounts, journal, inventory, sync outcomes and run locks.
type DB struct {
	sql *sql.DB
	now func() time.Time
	// writer lets one transaction of this process write at a time: SQLite has one writer per
	// database, and goroutines that raced for it would only wait on each other in SQLite's busy
	// handler, which gives up after busyTimeout. Other processes are waited for by that handler.
	writer chan struct{}
	// group queues the writes that are committed together (group.go).
	group writeGroup
	// stmts are the inventory writes' statements, prepared once (stmts.go).
	stmts stmtCache
}

// busyTimeout is how long a statement waits for another process's write to finish before SQLite
// reports the database busy. Writes are short transactions (a batch of assets, a journal entry), so
// only a stuck process makes anyone wait this long.
const busyTimeout = 30 * time.Second

// Open opens (creating if needed) the database at path with mode 0600, WAL journaling, a busy timeout
// and foreign keys, and applies pending migrations. The folder must be one Home accepts.
//
// synchronous=FULL: every committed transaction is on disk when the call returns. The journal records
// that a key was created; losing that record would orphan the key, so durability beats the few
// milliseconds an fsync costs per batch.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := ensureHome(filepath.Dir(path)); err != nil {
		return nil, homeError(err)
	}
	if err := createPrivateFile(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// busy_timeout comes first: switching to WAL needs a lock, and a connection opened while another
	// process writes must wait for it like any other statement, not fail at once with SQLITE_BUSY.
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := newDB(sqldb)
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// OpenReadOnly opens the database at path for reading only, for the commands that only read (accounts,
// assets): they create, migrate and chmod nothing, and so work on a read-only home or one another user
// shares. Without a database file there is nothing to read: the result is an empty database held in
// memory. A database older than this onboard is opened with Open, which migrates it.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if err := checkHome(filepath.Dir(path)); err != nil {
		return nil, homeError(err)
	}
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return openEmpty(ctx)
	}
	if err := checkPrivateFile(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	if !writable(filepath.Dir(path)) {
		// A WAL database is read through its -shm file, which SQLite must be able to create. In a
		// folder nobody may write to, nobody writes the database either: it is immutable.
		q.Set("immutable", "1")
	}
	sqldb, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := newDB(sqldb)
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	switch {
	case version > len(migrations):
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: schema version %d is newer than this onboard (%d); upgrade onboard", path, version, len(migrations))
	case version < len(migrations):
		sqldb.Close()
		return Open(ctx, path)
	}
	return db, nil
}

// openEmpty returns an empty database in memory, with the current schema.
func openEmpty(ctx context.Context) (*DB, error) {
	// A named in-memory database with a shared cache: every connection of the pool sees the same one.
	sqldb, err := sql.Open("sqlite", "file:empty-"+newLockToken()+"?mode=memory&cache=shared")
	if err != nil {
		return nil, err
	}
	db := newDB(sqldb)
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

func newDB(sqldb *sql.DB) *DB {
	return &DB{sql: sqldb, now: func() time.Time { return time.Now().UTC() }, writer: make(chan struct{}, 1)}
}

// fileURI is the SQLite URI of path with the query q; the path is escaped, so a '?' or '#' in a folder
// name stays part of the name.
func fileURI(path string, q url.Values) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", OmitHost: true, Path: abs, RawQuery: q.Encode()}).String()
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// migrations are applied in order, each in its own transaction; schema_version records how many ran.
// Append, never edit: a released migration is history.
var migrations = []string{
	`CREATE TABLE accounts (
		name TEXT PRIMARY KEY,
		owner_uin TEXT NOT NULL DEFAULT '',
		display_name TEXT NOT NULL DEFAULT '',
		site TEXT NOT NULL DEFAULT '',
		sub_user_name TEXT NOT NULL DEFAULT '',
		sub_user_uin TEXT NOT NULL DEFAULT '',
		access_key_id TEXT NOT NULL DEFAULT '',
		secret_item TEXT NOT NULL DEFAULT '',
		features TEXT NOT NULL DEFAULT '[]',
		regions TEXT NOT NULL DEFAULT '[]',
		region_management INTEGER NOT NULL DEFAULT 0,
		host_sync TEXT NOT NULL DEFAULT '',
		cloud_sync TEXT NOT NULL DEFAULT '',
		ak_check TEXT NOT NULL DEFAULT '',
		security_center_auth_id TEXT NOT NULL DEFAULT '',
		audit TEXT NOT NULL DEFAULT '{}',
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE INDEX accounts_owner ON accounts(owner_uin);

	CREATE TABLE runs (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		account TEXT NOT NULL,
		kind TEXT NOT NULL,
		status TEXT NOT NULL DEFAULT 'running',
		started_at TEXT NOT NULL,
		finished_at TEXT
	);
	CREATE INDEX runs_account ON runs(account, kind, id);

	CREATE TABLE journal (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		run_id INTEGER NOT NULL REFERENCES runs(id),
		step TEXT NOT NULL,
		state TEXT NOT NULL CHECK (state IN ('begin','done','failed','undone')),
		ids TEXT NOT NULL DEFAULT '{}',
		error TEXT NOT NULL DEFAULT '',
		at TEXT NOT NULL
	);
	CREATE INDEX journal_run ON journal(run_id, seq);

	CREATE TABLE inventory (
		account TEXT NOT NULL,
		kind TEXT NOT NULL,
		region TEXT NOT NULL,
		id TEXT NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		attributes TEXT NOT NULL DEFAULT '{}',
		content_hash TEXT NOT NULL,
		first_seen TEXT NOT NULL,
		last_seen TEXT NOT NULL,
		gone_at TEXT,
		PRIMARY KEY (account, kind, region, id)
	) WITHOUT ROWID;

	CREATE TABLE sync_runs (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		account TEXT NOT NULL,
		kind TEXT NOT NULL,
		region TEXT NOT NULL,
		status TEXT NOT NULL,
		seen INTEGER NOT NULL DEFAULT 0,
		inserted INTEGER NOT NULL DEFAULT 0,
		updated INTEGER NOT NULL DEFAULT 0,
		unchanged INTEGER NOT NULL DEFAULT 0,
		gone INTEGER NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		duration_ms INTEGER NOT NULL DEFAULT 0,
		at TEXT NOT NULL
	);
	CREATE INDEX sync_runs_account ON sync_runs(account, kind, region, seq);

	CREATE TABLE locks (
		account TEXT PRIMARY KEY,
		pid INTEGER NOT NULL,
		host TEXT NOT NULL,
		since TEXT NOT NULL
	);`,
	// Run locks on the cloud identity, shared or exclusive, with the holder's process start time. The
	// old per-name locks are dropped: a run that held one when the binary was upgraded has ended.
	`DROP TABLE locks;
	CREATE TABLE run_locks (
		token TEXT NOT NULL,
		resource TEXT NOT NULL,
		mode TEXT NOT NULL CHECK (mode IN ('exclusive','shared')),
		owner_uin TEXT NOT NULL DEFAULT '',
		account TEXT NOT NULL DEFAULT '',
		sub_user TEXT NOT NULL DEFAULT '',
		purpose TEXT NOT NULL DEFAULT '',
		host TEXT NOT NULL,
		pid INTEGER NOT NULL,
		start TEXT NOT NULL DEFAULT '',
		since TEXT NOT NULL,
		PRIMARY KEY (resource, token)
	);`,
	// The ledger: one row per mutating call, written before the call and settled after it.
	`CREATE TABLE ledger (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		account TEXT NOT NULL,
		run_id INTEGER NOT NULL REFERENCES runs(id),
		action TEXT NOT NULL CHECK (action IN ('create','change','delete')),
		kind TEXT NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		parent TEXT NOT NULL DEFAULT '',
		region TEXT NOT NULL DEFAULT '',
		resource_id TEXT NOT NULL DEFAULT '',
		attrs TEXT NOT NULL DEFAULT '{}',
		state TEXT NOT NULL CHECK (state IN ('intended','made','failed','absent','unknown','deleted')),
		error TEXT NOT NULL DEFAULT '',
		at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE INDEX ledger_account ON ledger(account, seq);`,
	// The secret store that holds the account's key (keyring or file), so later commands open that one.
	`ALTER TABLE accounts ADD COLUMN secret_store TEXT NOT NULL DEFAULT ''`,
	// The policies attached to an account's sub-user: what its key may read decides what a sync lists.
	`ALTER TABLE accounts ADD COLUMN grants TEXT NOT NULL DEFAULT '[]';
	ALTER TABLE accounts ADD COLUMN security_center_status TEXT NOT NULL DEFAULT '';`,
	// The access role an organization's member was onboarded through, which later commands assume again.
	`ALTER TABLE accounts ADD COLUMN member_role TEXT NOT NULL DEFAULT ''`,
}

func (db *DB) migrate(ctx context.Context) error {
	for {
		done, err := db.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next pending migration, if any, in one transaction. Two processes opening a
// fresh database at once serialise on the immediate transaction; the second sees the new version.
func (db *DB) migrateOne(ctx context.Context) (done bool, err error) {
	return done, db.tx(ctx, func(tx *sql.Tx) error {
		// Inside the immediate transaction: a statement on its own would read the schema first and then
		// need the write lock, and SQLite answers such an upgrade with SQLITE_BUSY at once, without
		// waiting, when another process opening a fresh database writes at the same time.
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		var version int
		err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version(version) VALUES (0)`); err != nil {
				return err
			}
		} else if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this onboard (%d); upgrade onboard", version, len(migrations))
		}
		if version == len(migrations) {
			done = true
			return nil
		}
		if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
			return fmt.Errorf("apply migration %d: %w", version+1, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, version+1)
		return err
	})
}

// SchemaVersion returns the number of migrations applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	return v, err
}

// tx runs fn in one (immediate) transaction, committing when fn returns nil. It is this process's one
// writer while it runs.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := db.lockWriter(ctx); err != nil {
		return err
	}
	defer db.unlockWriter()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// exec runs one writing statement as this process's one writer.
func (db *DB) exec(ctx context.Context, query string, args ...any) error {
	if err := db.lockWriter(ctx); err != nil {
		return err
	}
	defer db.unlockWriter()
	_, err := db.sql.ExecContext(ctx, query, args...)
	return err
}

func (db *DB) lockWriter(ctx context.Context) error {
	select {
	case db.writer <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (db *DB) unlockWriter() { <-db.writer }

const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}

// ErrCorrupt means the state database file is damaged.
var ErrCorrupt = errors.New("the state database is damaged")

// IsCorrupt reports whether err is ErrCorrupt or says the database file is damaged (SQLite's SQLITE_CORRUPT, "database
// disk image is malformed", or SQLITE_NOTADB, "file is not a database").
func IsCorrupt(err error) bool {
	var se *sqlite.Error
	if errors.Is(err, ErrCorrupt) {
		return true
	}
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}
