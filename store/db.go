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

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound means the database holds no record of that name.
var ErrNotFound = errors.New("not found")

// DBFile is the database's file name inside the home folder.
const DBFile = "onboard.db"

// DB is the state database: accounts, journal, inventory, sync outcomes and run locks.
type DB struct {
	sql *sql.DB
	now func() time.Time
}

// Open opens (creating if needed) the database at path with mode 0600, WAL journaling, a busy timeout
// and foreign keys, and applies pending migrations.
//
// synchronous=FULL: every committed transaction is on disk when the call returns. The journal records
// that a key was created; losing that record would orphan the key, so durability beats the few
// milliseconds an fsync costs per batch.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := ensurePrivateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("restrict database %s: %w", path, err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{sql: sqldb, now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

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
	// The policies attached to an account's sub-user: what its key may read decides what a sync lists.
	`ALTER TABLE accounts ADD COLUMN grants TEXT NOT NULL DEFAULT '[]';
	ALTER TABLE accounts ADD COLUMN security_center_status TEXT NOT NULL DEFAULT '';`,
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
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

// tx runs fn in one (immediate) transaction, committing when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
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

const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}
