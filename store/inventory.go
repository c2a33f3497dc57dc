package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Asset is one cloud resource in the inventory.
type Asset struct {
	Kind       string // e.g. cvm.instance
	Region     string // "" for global kinds
	ID         string
	Name       string
	Attributes string // JSON: the resource as the API returned it
	Hash       string // content hash of Attributes; ContentHash fills it when empty
	FirstSeen  time.Time
	LastSeen   time.Time // when its content last changed, or the last complete pass that saw it
	GoneAt     time.Time // zero while it exists
}

// ContentHash returns the hash that decides whether a row changed.
func ContentHash(name, attributes string) string {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(attributes))
	return hex.EncodeToString(h.Sum(nil))
}

// UpsertStats counts what one UpsertAssets call did.
type UpsertStats struct {
	Inserted, Updated, Unchanged int
}

// Written is how many rows were written.
func (s UpsertStats) Written() int { return s.Inserted + s.Updated }

// Add returns the sum of two stats.
func (s UpsertStats) Add(o UpsertStats) UpsertStats {
	return UpsertStats{s.Inserted + o.Inserted, s.Updated + o.Updated, s.Unchanged + o.Unchanged}
}

// UpsertAssets writes a batch of assets of one account atomically, committed (durably) together with
// the writes other goroutines make at the same time. A row whose content hash is
// unchanged (and which is not marked gone) is not written at all: a sync that finds nothing new writes
// nothing. A changed or returning row gets the new content, last_seen = seenAt and no gone mark.
func (db *DB) UpsertAssets(ctx context.Context, account string, assets []Asset, seenAt time.Time) (UpsertStats, error) {
	var stats UpsertStats
	if len(assets) == 0 {
		return stats, nil
	}
	now := formatTime(seenAt)
	err := db.grouped(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		stats, err = db.upsertAssets(ctx, tx, account, assets, now)
		return err
	})
	if err != nil {
		return UpsertStats{}, fmt.Errorf("store %d assets of %q: %w", len(assets), account, err)
	}
	return stats, nil
}

// upsertAssets is UpsertAssets inside tx; now is seenAt formatted.
func (db *DB) upsertAssets(ctx context.Context, tx *sql.Tx, account string, assets []Asset, now string) (UpsertStats, error) {
	var stats UpsertStats
	existing, err := db.existingHashes(ctx, tx, account, assets)
	if err != nil {
		return stats, err
	}
	var insert, update *sql.Stmt
	for i := range assets {
		a := &assets[i]
		if a.Hash == "" {
			a.Hash = ContentHash(a.Name, a.Attributes)
		}
		key := assetKey{a.Kind, a.Region, a.ID}
		old, found := existing[key]
		switch {
		case !found:
			if insert == nil {
				if insert, err = db.prepared(ctx, tx, `INSERT INTO inventory
					(account, kind, region, id, name, attributes, content_hash, first_seen, last_seen)
					VALUES (?,?,?,?,?,?,?,?,?)`); err != nil {
					return stats, err
				}
				defer insert.Close()
			}
			if _, err := insert.ExecContext(ctx, account, a.Kind, a.Region, a.ID, a.Name, a.Attributes, a.Hash, now, now); err != nil {
				return stats, fmt.Errorf("insert %s %s: %w", a.Kind, a.ID, err)
			}
			existing[key] = hashState{hash: a.Hash}
			stats.Inserted++
		case old.hash != a.Hash || old.gone:
			if update == nil {
				if update, err = db.prepared(ctx, tx, `UPDATE inventory SET name = ?, attributes = ?,
					content_hash = ?, last_seen = ?, gone_at = NULL
					WHERE account = ? AND kind = ? AND region = ? AND id = ?`); err != nil {
					return stats, err
				}
				defer update.Close()
			}
			if _, err := update.ExecContext(ctx, a.Name, a.Attributes, a.Hash, now, account, a.Kind, a.Region, a.ID); err != nil {
				return stats, fmt.Errorf("update %s %s: %w", a.Kind, a.ID, err)
			}
			existing[key] = hashState{hash: a.Hash}
			stats.Updated++
		default:
			stats.Unchanged++
		}
	}
	return stats, nil
}

type assetKey struct{ kind, region, id string }

type hashState struct {
	hash string
	gone bool
}

// existingHashes reads the stored hashes of a batch's rows, one indexed query per (kind, region). The IDs
// go in as one JSON array, so the query's text is the same for every batch and is prepared once.
func (db *DB) existingHashes(ctx context.Context, tx *sql.Tx, account string, assets []Asset) (map[assetKey]hashState, error) {
	out := make(map[assetKey]hashState, len(assets))
	groups := map[[2]string][]string{}
	for _, a := range assets {
		k := [2]string{a.Kind, a.Region}
		groups[k] = append(groups[k], a.ID)
	}
	query, err := db.prepared(ctx, tx, `SELECT id, content_hash, gone_at IS NOT NULL FROM inventory
		WHERE account = ? AND kind = ? AND region = ? AND id IN (SELECT value FROM json_each(?))`)
	if err != nil {
		return nil, err
	}
	defer query.Close()
	for k, ids := range groups {
		list, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		rows, err := query.QueryContext(ctx, account, k[0], k[1], string(list))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var st hashState
			if err := rows.Scan(&id, &st.hash, &st.gone); err != nil {
				rows.Close()
				return nil, err
			}
			out[assetKey{k[0], k[1], id}] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkGone ends a complete pass over one (kind, region) of an account: every stored row not in seenIDs is
// marked gone at `at` (rows are kept, not deleted). Call it only after a pass that listed everything and
// stored every row it saw (UpsertAssets); an interrupted pass must mark nothing. It returns how many rows
// were newly marked gone. It may sort seenIDs.
func (db *DB) MarkGone(ctx context.Context, account, kind, region string, seenIDs []string, at time.Time) (int, error) {
	seen := distinctIDs(seenIDs)
	var gone int
	err := db.grouped(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		gone, err = db.markGone(ctx, tx, account, kind, region, seen, formatTime(at))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark gone %s in %s of %q: %w", kind, region, account, err)
	}
	return gone, nil
}

// distinctIDs sorts ids in place and returns them without repeats, never nil.
func distinctIDs(ids []string) []string {
	if ids == nil {
		return []string{} // marshalled "[]": JSON null would be one NULL value, and NOT IN would match no row
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// markGone is MarkGone inside tx; seen holds distinct IDs (distinctIDs), at is formatted.
func (db *DB) markGone(ctx context.Context, tx *sql.Tx, account, kind, region string, seen []string, at string) (int, error) {
	// Every seen row is stored and live, so the live rows are a superset of the seen ones: when there are
	// as many as distinct seen IDs, they are the same set and nothing is gone. That is the usual pass,
	// and it then costs one count instead of a list of every ID.
	count, err := db.prepared(ctx, tx, `SELECT COUNT(*) FROM inventory
		WHERE account = ? AND kind = ? AND region = ? AND gone_at IS NULL`)
	if err != nil {
		return 0, err
	}
	defer count.Close()
	var live int
	if err := count.QueryRowContext(ctx, account, kind, region).Scan(&live); err != nil {
		return 0, err
	}
	if live == len(seen) {
		return 0, nil
	}
	// The seen IDs go in as one JSON array: one statement, however many there are, where a temporary
	// table cost a statement per ID.
	ids, err := json.Marshal(seen)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE inventory SET gone_at = ?
		WHERE account = ? AND kind = ? AND region = ? AND gone_at IS NULL
		AND id NOT IN (SELECT value FROM json_each(?))`, at, account, kind, region, string(ids))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// AssetFilter selects inventory rows; empty fields match everything.
type AssetFilter struct {
	Account     string
	Kind        string
	Region      string
	IncludeGone bool
}

// EachAsset calls fn for every matching asset, ordered by account, kind, region and ID, without holding
// the whole inventory in memory. Returning an error from fn stops the walk and returns that error.
func (db *DB) EachAsset(ctx context.Context, f AssetFilter, fn func(account string, a Asset) error) error {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{{"account", f.Account}, {"kind", f.Kind}, {"region", f.Region}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if !f.IncludeGone {
		where = append(where, "gone_at IS NULL")
	}
	q := `SELECT account, kind, region, id, name, attributes, content_hash, first_seen, last_seen, gone_at FROM inventory`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY account, kind, region, id"
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list assets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var account, first, last string
		var gone sql.NullString
		var a Asset
		if err := rows.Scan(&account, &a.Kind, &a.Region, &a.ID, &a.Name, &a.Attributes, &a.Hash, &first, &last, &gone); err != nil {
			return fmt.Errorf("list assets: %w", err)
		}
		a.FirstSeen, a.LastSeen = parseTime(first), parseTime(last)
		if gone.Valid {
			a.GoneAt = parseTime(gone.String)
		}
		if err := fn(account, a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Assets returns the matching assets in one slice; EachAsset streams them instead.
func (db *DB) Assets(ctx context.Context, f AssetFilter) ([]Asset, error) {
	var out []Asset
	err := db.EachAsset(ctx, f, func(_ string, a Asset) error {
		out = append(out, a)
		return nil
	})
	return out, err
}

// AssetRegions returns the regions the inventory holds assets in (of one account, or of all when account
// is empty), sorted.
func (db *DB) AssetRegions(ctx context.Context, account string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT region FROM inventory WHERE ? = '' OR account = ? ORDER BY region`, account, account)
	if err != nil {
		return nil, fmt.Errorf("list asset regions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("list asset regions: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list asset regions: %w", err)
	}
	return out, nil
}
