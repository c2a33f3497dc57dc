package store

import (
	"context"
	"fmt"
)

// DeleteInventory removes an account's synchronised assets and its sync outcomes, in one transaction.
// It returns how many assets it removed.
func (db *DB) DeleteInventory(ctx context.Context, account string) (int, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("delete the inventory of %q: %w", account, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM inventory WHERE account = ?`, account)
	if err != nil {
		return 0, fmt.Errorf("delete the inventory of %q: %w", account, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_runs WHERE account = ?`, account); err != nil {
		return 0, fmt.Errorf("delete the sync outcomes of %q: %w", account, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("delete the inventory of %q: %w", account, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
