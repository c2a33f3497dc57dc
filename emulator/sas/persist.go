package sas

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Saved state lets the emulated service outlive the process that serves it, so that a sandbox session of
// several commands meets the Security Center the earlier commands changed: connected accounts with their
// keys and module statuses, sync regions, refresh settings, audit-log settings, the refreshes run and the
// servers whose agent connected. The Alibaba Cloud AccessKeys are not saved: they come from the seed at
// every start; nor are install codes: an emulated agent connects within the command that installs it.

type savedState struct {
	NextAuth int64                              `json:"next_auth"`
	Accounts map[string]map[Site]savedSiteState `json:"accounts"` // by Alibaba Cloud account UID, then site
}

type savedSiteState struct {
	Vendors       []savedVendor
	Regions       map[string][]string
	DefaultRegion map[string]int64
	Refresh       []savedRefresh
	Trials        []savedTrial
	Syncs         []SyncRecord
	Hosts         []savedHost `json:",omitempty"`
}

// savedHost is a server whose Security Center agent connected (installcode.go).
type savedHost struct {
	InstanceID, Region, OS, VendorName string
	Online                             bool
	Since                              time.Time
}

type savedVendor struct {
	AuthID                 int64
	Vendor, AkType         string
	SecretID, SecretKey    string
	Alias, CtdrCloudUserID string
	VendorUID, VendorUser  string
	Status                 int64
	ServiceStatus          int
	Message                string
	Modules                []savedModule
	Created                time.Time
}

type savedModule struct {
	Module  string
	Status  int
	Message string
}

type savedRefresh struct {
	Vendor, ConfigType, Target int64
	Period, Status             int64
}

type savedTrial struct {
	AuthID                            int64
	Vendor, AuthInfo, Status, Message string
}

// readAction reports whether a Security Center action only reads, by the API's naming.
func readAction(action string) bool {
	for _, prefix := range []string{"Describe", "List", "Get"} {
		if strings.HasPrefix(action, prefix) {
			return true
		}
	}
	return false
}

// Changes is how many successful calls of actions that change something the service has served since it
// started: a process whose count is 0 has nothing of its own to save.
func (s *Server) Changes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}

// SaveState returns the service's state as JSON. It holds the submitted Tencent Cloud SecretKeys: the
// caller keeps it where it keeps the sandbox's own secrets. A check still running is saved as it stands;
// call Wait first to save its outcome.
func (s *Server) SaveState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := savedState{NextAuth: s.nextAuth, Accounts: map[string]map[Site]savedSiteState{}}
	for uid, a := range s.accounts {
		sites := map[Site]savedSiteState{}
		for site, st := range a.sites {
			ss := savedSiteState{Regions: st.regions, DefaultRegion: st.defaultRegion, Syncs: st.syncs}
			for _, v := range st.vendors {
				sv := savedVendor{AuthID: v.authID, Vendor: v.vendor, AkType: v.akType, SecretID: v.secretID, SecretKey: v.secretKey,
					Alias: v.alias, CtdrCloudUserID: v.ctdrCloudUserID, VendorUID: v.vendorUID, VendorUser: v.vendorUser,
					Status: v.status, ServiceStatus: v.serviceStatus, Message: v.message, Created: v.created}
				for _, m := range v.modules {
					sv.Modules = append(sv.Modules, savedModule{m.module, m.status, m.message})
				}
				ss.Vendors = append(ss.Vendors, sv)
			}
			for k, c := range st.refresh {
				ss.Refresh = append(ss.Refresh, savedRefresh{k.vendor, k.configType, k.target, c.period, c.status})
			}
			for _, t := range st.trials {
				ss.Trials = append(ss.Trials, savedTrial{t.authID, t.vendor, t.authInfo, t.status, t.message})
			}
			for _, h := range st.hosts {
				ss.Hosts = append(ss.Hosts, savedHost{h.instanceID, h.region, h.os, h.vendorName, h.online, h.since})
			}
			sites[site] = ss
		}
		out.Accounts[uid] = sites
	}
	return json.MarshalIndent(out, "", " ")
}

// LoadState puts back what SaveState returned. An account whose AccessKey the seed did not give is
// created, as AddAccessKey would. A key or audit-log check that was still running when the state was
// saved is reported as timed out, as the service reports a check that never finished.
func (s *Server) LoadState(data []byte) error {
	var in savedState
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("emulated Security Center state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	accounts := map[string]*account{}
	for uid, sites := range in.Accounts {
		a := &account{uid: uid, sites: map[Site]*siteState{SiteMainland: newSiteState(), SiteOutside: newSiteState()}}
		for site, ss := range sites {
			if site != SiteMainland && site != SiteOutside {
				return fmt.Errorf("emulated Security Center state: account %s: unknown site %q", uid, site)
			}
			st := a.sites[site]
			for vendor, ids := range ss.Regions {
				st.regions[vendor] = ids
			}
			for vendor, id := range ss.DefaultRegion {
				st.defaultRegion[vendor] = id
			}
			st.syncs = ss.Syncs
			for _, sv := range ss.Vendors {
				v := &vendorAccount{authID: sv.AuthID, vendor: sv.Vendor, akType: sv.AkType, secretID: sv.SecretID, secretKey: sv.SecretKey,
					alias: sv.Alias, ctdrCloudUserID: sv.CtdrCloudUserID, vendorUID: sv.VendorUID, vendorUser: sv.VendorUser,
					status: sv.Status, serviceStatus: sv.ServiceStatus, message: sv.Message, created: sv.Created}
				for _, m := range sv.Modules {
					ms := &moduleState{module: m.Module, status: m.Status, message: m.Message}
					if ms.status == statusValidating {
						ms.status, ms.message = statusTimeout, "the check did not finish"
					}
					v.modules = append(v.modules, ms)
				}
				if v.serviceStatus == statusValidating {
					v.summarize()
				}
				st.vendors[v.authID] = v
			}
			for _, r := range ss.Refresh {
				st.refresh[refreshKey{r.Vendor, r.ConfigType, r.Target}] = refreshConfig{r.Period, r.Status}
			}
			for _, t := range ss.Trials {
				tc := &trialConfig{authID: t.AuthID, vendor: t.Vendor, authInfo: t.AuthInfo, status: t.Status, message: t.Message}
				if tc.status == "verify" {
					tc.status, tc.message = "timeout", "the check did not finish"
				}
				st.trials[t.AuthID] = tc
			}
			for _, h := range ss.Hosts {
				st.hosts[h.InstanceID] = &agentHost{instanceID: h.InstanceID, region: h.Region, os: h.OS, vendorName: h.VendorName,
					online: h.Online, since: h.Since}
			}
		}
		accounts[uid] = a
	}
	for uid, a := range accounts {
		s.accounts[uid] = a
	}
	s.nextAuth = max(s.nextAuth, in.NextAuth)
	return nil
}

// Wait waits for the background checks (of keys and of audit-log settings) to finish, or for ctx.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
