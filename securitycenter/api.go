package securitycenter

import (
	"context"
	"strings"
)

// API is everything the tool asks of Security Center's multi-cloud API. Consumers declare the few
// methods they need as their own small interfaces; Client satisfies them all.
type API interface {
	SupportedModules(ctx context.Context) ([]VendorModules, error)
	AddAccount(ctx context.Context, spec AccountSpec) (Account, error)
	ModifyAccount(ctx context.Context, authID int64, change AccountChange) (Account, error)
	DeleteAccount(ctx context.Context, authID int64, modules ...Module) error
	ListAccounts(ctx context.Context, filter AccountFilter) ([]Account, error)
	WaitForValidation(ctx context.Context, authID int64) (Account, error)
	Regions(ctx context.Context, vendor Vendor) ([]RegionChoice, error)
	SetSyncRegions(ctx context.Context, vendor Vendor, regions []string, defaultSite bool) error
	SetRefreshSettings(ctx context.Context, vendor Vendor, authID int64, s RefreshSettings) error
	RefreshSettings(ctx context.Context, vendor Vendor, authID int64) (RefreshSettings, error)
	RefreshAssets(ctx context.Context, vendor Vendor, kind AssetKind) error
	AddAuditLog(ctx context.Context, authID int64, s AuditLogSettings) error
	AuditLog(ctx context.Context, authID int64) (AuditLogStatus, error)
	ModifyAuditLog(ctx context.Context, authID int64, s AuditLogSettings) error
	DeleteAuditLog(ctx context.Context, authID int64) error
}

// Vendor is a third-party cloud as Security Center names it.
type Vendor string

const VendorTencent Vendor = "Tencent"

// refreshVendor is the vendor's number in the refresh-task actions.
var refreshVendor = map[Vendor]int{VendorTencent: 3, "HUAWEICLOUD": 4, "AWS": 7}

// Module is a feature an account is connected for, in the console's terms.
type Module string

const (
	ModuleHost       Module = "Host"       // host assets (HOST)
	ModuleCSPM       Module = "CSPM"       // cloud product configuration check (CSPM)
	ModuleAgenticSOC Module = "AgenticSOC" // Agentic SOC / threat analysis and response (SIEM)
	ModuleAuditLogs  Module = "AuditLogs"  // log audit, CIEM (TRIAL)
)

var moduleCodes = map[Module]string{ModuleHost: "HOST", ModuleCSPM: "CSPM", ModuleAgenticSOC: "SIEM", ModuleAuditLogs: "TRIAL"}

func moduleFromCode(code string) Module {
	for m, c := range moduleCodes {
		if c == code {
			return m
		}
	}
	return Module(code)
}

// KeyType says whose key was submitted: a sub-user's (manual configuration) or the root account's
// (quick configuration, host assets only).
type KeyType string

const (
	KeySub     KeyType = "sub"
	KeyPrimary KeyType = "primary"
)

// ServiceStatus is Security Center's verdict on a key or a module.
type ServiceStatus int

const (
	StatusNormal     ServiceStatus = 0
	StatusError      ServiceStatus = 1
	StatusValidating ServiceStatus = 2
	StatusTimedOut   ServiceStatus = 3
)

func (s ServiceStatus) String() string {
	switch s {
	case StatusNormal:
		return "normal"
	case StatusError:
		return "error"
	case StatusValidating:
		return "validating"
	case StatusTimedOut:
		return "timed out"
	}
	return "unknown"
}

// AccountSpec is a key submitted to Security Center.
type AccountSpec struct {
	Vendor      Vendor // default Tencent
	KeyType     KeyType
	SecretID    string
	SecretKey   Secret
	Modules     []Module
	DisplayName string
	// VendorAccountID is the vendor's account ID (Tencent: the root UIN); required with Agentic SOC.
	VendorAccountID string
}

// AccountChange changes a connected account; zero fields are left as they are.
type AccountChange struct {
	SecretID        string
	SecretKey       Secret
	Modules         []Module // replaces the modules
	DisplayName     *string
	VendorAccountID *string
	Enabled         *bool
}

// Account is a connected third-party cloud account as Security Center shows it.
type Account struct {
	AuthID          int64
	Vendor          Vendor
	KeyType         KeyType
	MaskedSecretID  string // as Security Center shows it
	DisplayName     string
	VendorUID       string // the vendor account ID; listings only
	VendorUserName  string
	VendorAccountID string // CtdrCloudUserId
	Enabled         bool
	Status          ServiceStatus
	Message         string
	Modules         []ModuleStatus
}

// ModuleStatus is one module of an account.
type ModuleStatus struct {
	Module       Module
	Display      string
	Status       ServiceStatus
	Message      string
	AuditLog     string // audit-log status for AuditLogs: init, verify, enable, disable, error, timeout
	AuditLogNote string
}

// AccessRefused reports whether Security Center failed the module because the vendor did not know the
// key or refused one of its calls: what a key or grant looks like that the vendor's access management has
// not applied yet. Module messages start with a code (ak_domain_error is one; no list is published):
// ak_invalid and ak_permission_error are such refusals, as is a message that quotes Tencent Cloud's own
// codes for them.
func (m ModuleStatus) AccessRefused() bool {
	code, _, _ := strings.Cut(m.Message, ":")
	switch strings.TrimSpace(code) {
	case "ak_invalid", "ak_permission_error":
		return true
	}
	return strings.Contains(m.Message, "AuthFailure.UnauthorizedOperation") || strings.Contains(m.Message, "AuthFailure.SecretIdNotFound")
}

// AccountFilter narrows ListAccounts; zero fields do not filter.
type AccountFilter struct {
	Vendor      Vendor
	AuthIDs     []int64
	DisplayName string
}

// VendorModules are the modules Security Center supports for a vendor.
type VendorModules struct {
	Vendor  Vendor
	Modules []SupportedModule
}

// SupportedModule is one module and whether it can be enabled.
type SupportedModule struct {
	Module  Module
	Display string
	Enabled bool
}

// RegionChoice is a vendor region in the site's region management.
type RegionChoice struct {
	RegionID string
	Area     string
	Selected bool // a sync region of this site
	// TakenByOtherSite: a sync region of the other site, which cannot be selected here.
	TakenByOtherSite bool
}

// AssetKind is what "Synchronize assets" lists.
type AssetKind string

const (
	AssetsHosts         AssetKind = "ecs"
	AssetsCloudServices AssetKind = "cloud_product"
)

// AuditLogSettings are the Kafka settings of audit-log consumption.
type AuditLogSettings struct {
	KafkaUser        string // the CLS logset ID
	BootstrapServers string // e.g. kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096
	Topic            string // the Kafka topic of the CLS consumer
}

// AuditLogStatus is the audit-log configuration and Security Center's verdict on it.
type AuditLogStatus struct {
	Settings AuditLogSettings
	Status   string // init, verify, enable, disable, error, timeout
	Message  string
}
