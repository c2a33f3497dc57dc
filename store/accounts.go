package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Account is an onboarded Tencent Cloud account, as this machine knows it. It holds no secret: the key
// lives in the secret store under SecretItem.
type Account struct {
	Name        string // the local handle, unique
	OwnerUIN    string
	DisplayName string // Security Center's display name
	Site        string // mainland or outside
	SubUserName string
	SubUserUIN  string
	AccessKeyID string
	SecretItem  string // the secret store item holding the key
	SecretStore string // the Kind of the secret store holding it: keyring or file; empty when recorded before
	Features    []string
	// Grants are the names of the policies attached to the sub-user; empty in records made before
	// they were kept.
	Grants           []string
	Regions          []string
	RegionManagement bool
	HostSync         string
	CloudSync        string
	AKCheck          string
	AuthID           string // Security Center's AuthId
	// SecurityCenterStatus is the account's status in Security Center when it was last recorded.
	SecurityCenterStatus string
	// MemberRole is the CAM role of the access identity the account was onboarded through, when it is an
	// organization's member reached from its management account; empty otherwise.
	MemberRole string
	Audit      AuditLog
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AuditLog holds the IDs of the audit-log delivery made for an account.
type AuditLog struct {
	Region     string `json:"region,omitempty"`
	LogsetID   string `json:"logset_id,omitempty"`
	TopicID    string `json:"topic_id,omitempty"`
	KafkaTopic string `json:"kafka_topic,omitempty"`
	TrackID    string `json:"track_id,omitempty"`
}

const accountColumns = `name, owner_uin, display_name, site, sub_user_name, sub_user_uin, access_key_id, secret_item,
	features, regions, region_management, host_sync, cloud_sync, ak_check, security_center_auth_id, audit,
	created_at, updated_at, secret_store, grants, security_center_status, member_role`

// SaveAccount inserts or replaces the account of that name, keeping its creation time.
func (db *DB) SaveAccount(ctx context.Context, a Account) error {
	if a.Name == "" {
		return errors.New("save account: empty name")
	}
	features, _ := json.Marshal(nonNil(a.Features))
	regions, _ := json.Marshal(nonNil(a.Regions))
	audit, _ := json.Marshal(a.Audit)
	grants, _ := json.Marshal(nonNil(a.Grants))
	now := formatTime(db.now())
	err := db.exec(ctx, `INSERT INTO accounts (`+accountColumns+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(name) DO UPDATE SET owner_uin=excluded.owner_uin, display_name=excluded.display_name,
			site=excluded.site, sub_user_name=excluded.sub_user_name, sub_user_uin=excluded.sub_user_uin,
			access_key_id=excluded.access_key_id, secret_item=excluded.secret_item, features=excluded.features,
			regions=excluded.regions, region_management=excluded.region_management, host_sync=excluded.host_sync,
			cloud_sync=excluded.cloud_sync, ak_check=excluded.ak_check,
			security_center_auth_id=excluded.security_center_auth_id, audit=excluded.audit,
			updated_at=excluded.updated_at, secret_store=excluded.secret_store,
			grants=excluded.grants, security_center_status=excluded.security_center_status,
			member_role=excluded.member_role`,
		a.Name, a.OwnerUIN, a.DisplayName, a.Site, a.SubUserName, a.SubUserUIN, a.AccessKeyID, a.SecretItem,
		string(features), string(regions), a.RegionManagement, a.HostSync, a.CloudSync, a.AKCheck, a.AuthID,
		string(audit), now, now, a.SecretStore, string(grants), a.SecurityCenterStatus, a.MemberRole)
	if err != nil {
		return fmt.Errorf("save account %q: %w", a.Name, err)
	}
	return nil
}

// Account returns the account of that name, or ErrNotFound.
func (db *DB) Account(ctx context.Context, name string) (Account, error) {
	accounts, err := db.queryAccounts(ctx, `WHERE name = ?`, name)
	if err != nil {
		return Account{}, fmt.Errorf("read account %q: %w", name, err)
	}
	if len(accounts) == 0 {
		return Account{}, fmt.Errorf("account %q: %w", name, ErrNotFound)
	}
	return accounts[0], nil
}

// AccountByOwnerUIN returns the account onboarded for that Tencent root account, or ErrNotFound.
func (db *DB) AccountByOwnerUIN(ctx context.Context, uin string) (Account, error) {
	accounts, err := db.queryAccounts(ctx, `WHERE owner_uin = ? ORDER BY name LIMIT 1`, uin)
	if err != nil {
		return Account{}, fmt.Errorf("read account of owner %s: %w", uin, err)
	}
	if len(accounts) == 0 {
		return Account{}, fmt.Errorf("account of owner %s: %w", uin, ErrNotFound)
	}
	return accounts[0], nil
}

// Accounts returns every account, by name.
func (db *DB) Accounts(ctx context.Context) ([]Account, error) {
	accounts, err := db.queryAccounts(ctx, `ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return accounts, nil
}

// DeleteAccount removes the account record (not its inventory or journal).
func (db *DB) DeleteAccount(ctx context.Context, name string) error {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM accounts WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete account %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete account %q: %w", name, ErrNotFound)
	}
	return nil
}

func (db *DB) queryAccounts(ctx context.Context, where string, args ...any) ([]Account, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var features, regions, audit, created, updated, grants string
		if err := rows.Scan(&a.Name, &a.OwnerUIN, &a.DisplayName, &a.Site, &a.SubUserName, &a.SubUserUIN,
			&a.AccessKeyID, &a.SecretItem, &features, &regions, &a.RegionManagement, &a.HostSync, &a.CloudSync,
			&a.AKCheck, &a.AuthID, &audit, &created, &updated, &a.SecretStore, &grants, &a.SecurityCenterStatus, &a.MemberRole); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(features), &a.Features)
		_ = json.Unmarshal([]byte(regions), &a.Regions)
		_ = json.Unmarshal([]byte(audit), &a.Audit)
		_ = json.Unmarshal([]byte(grants), &a.Grants)
		a.CreatedAt, a.UpdatedAt = parseTime(created), parseTime(updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var _ = sql.ErrNoRows
