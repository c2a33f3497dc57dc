package sas

import (
	"slices"
	"sort"
)

// State is everything the emulated service holds, as the inspection endpoint shows it. Tencent Cloud
// SecretKeys are never shown; SecretIds are masked.
type State struct {
	Accounts []AccountState `json:"accounts"`
}

// AccountState is one Alibaba Cloud account's Security Center on both sites.
type AccountState struct {
	UID   string             `json:"uid"`
	Sites map[Site]SiteState `json:"sites"`
}

// SiteState is one site's connected accounts, sync regions, refresh settings, audit-log settings and
// the asset refreshes it ran.
type SiteState struct {
	CloudAccounts  []CloudAccount       `json:"cloud_accounts"`
	SyncRegions    map[string][]string  `json:"sync_regions"`
	RefreshConfigs []RefreshConfigState `json:"refresh_configs"`
	TrialConfigs   []TrialConfigState   `json:"trial_configs"`
	Syncs          []SyncRecord         `json:"syncs"`
}

// CloudAccount is a connected third-party cloud account.
type CloudAccount struct {
	AuthID          int64         `json:"auth_id"`
	Vendor          string        `json:"vendor"`
	AkType          string        `json:"ak_type"`
	SecretID        string        `json:"secret_id"` // masked
	VendorUID       string        `json:"vendor_uid"`
	VendorUserID    string        `json:"vendor_user_id"`
	Alias           string        `json:"alias"`
	CtdrCloudUserID string        `json:"ctdr_cloud_user_id,omitempty"`
	Status          int64         `json:"status"`
	ServiceStatus   int           `json:"service_status"`
	Message         string        `json:"message,omitempty"`
	Modules         []ModuleState `json:"modules"`
}

// ModuleState is a module's service status.
type ModuleState struct {
	Module  string `json:"module"`
	Status  int    `json:"status"`
	Message string `json:"message,omitempty"`
}

// RefreshConfigState is one refresh task setting.
type RefreshConfigState struct {
	Vendor         int64 `json:"vendor"`
	Type           int64 `json:"type"`
	TargetID       int64 `json:"target_id,omitempty"`
	SchedulePeriod int64 `json:"schedule_period"`
	Status         int64 `json:"status"`
}

// TrialConfigState is an account's audit-log settings.
type TrialConfigState struct {
	AuthID   int64  `json:"auth_id"`
	Vendor   string `json:"vendor"`
	AuthInfo string `json:"auth_info"`
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
}

// State returns a copy of what the emulator holds.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out State
	for _, a := range s.accounts {
		as := AccountState{UID: a.uid, Sites: map[Site]SiteState{}}
		for site, st := range a.sites {
			ss := SiteState{SyncRegions: map[string][]string{}, CloudAccounts: []CloudAccount{}, RefreshConfigs: []RefreshConfigState{},
				TrialConfigs: []TrialConfigState{}, Syncs: slices.Clone(st.syncs)}
			for _, v := range st.vendors {
				ca := CloudAccount{AuthID: v.authID, Vendor: v.vendor, AkType: v.akType, SecretID: maskSecretID(v.secretID),
					VendorUID: v.vendorUID, VendorUserID: v.vendorUser, Alias: v.alias, CtdrCloudUserID: v.ctdrCloudUserID,
					Status: v.status, ServiceStatus: v.serviceStatus, Message: v.message}
				for _, m := range v.modules {
					ca.Modules = append(ca.Modules, ModuleState{m.module, m.status, m.message})
				}
				ss.CloudAccounts = append(ss.CloudAccounts, ca)
			}
			sort.Slice(ss.CloudAccounts, func(i, j int) bool { return ss.CloudAccounts[i].AuthID < ss.CloudAccounts[j].AuthID })
			for vendor, ids := range st.regions {
				ss.SyncRegions[vendor] = slices.Clone(ids)
			}
			for k, c := range st.refresh {
				ss.RefreshConfigs = append(ss.RefreshConfigs, RefreshConfigState{k.vendor, k.configType, k.target, c.period, c.status})
			}
			sort.Slice(ss.RefreshConfigs, func(i, j int) bool {
				x, y := ss.RefreshConfigs[i], ss.RefreshConfigs[j]
				return x.Vendor < y.Vendor || (x.Vendor == y.Vendor && (x.Type < y.Type || (x.Type == y.Type && x.TargetID < y.TargetID)))
			})
			for _, t := range st.trials {
				ss.TrialConfigs = append(ss.TrialConfigs, TrialConfigState{t.authID, t.vendor, t.authInfo, t.status, t.message})
			}
			sort.Slice(ss.TrialConfigs, func(i, j int) bool { return ss.TrialConfigs[i].AuthID < ss.TrialConfigs[j].AuthID })
			as.Sites[site] = ss
		}
		out.Accounts = append(out.Accounts, as)
	}
	sort.Slice(out.Accounts, func(i, j int) bool { return out.Accounts[i].UID < out.Accounts[j].UID })
	return out
}
