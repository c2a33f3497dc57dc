package sas

import (
	"slices"
	"time"
)

// siteState is one site's Security Center for one Alibaba Cloud account.
type siteState struct {
	vendors       map[int64]*vendorAccount // by AuthId
	regions       map[string][]string      // vendor → its sync regions on this site
	defaultRegion map[string]int64
	refresh       map[refreshKey]refreshConfig
	trials        map[int64]*trialConfig // by AuthId
	syncs         []SyncRecord
	installCodes  []*installCode        // installcode.go
	hosts         map[string]*agentHost // by instance ID: servers whose agent connected
}

func newSiteState() *siteState {
	return &siteState{vendors: map[int64]*vendorAccount{}, regions: map[string][]string{}, defaultRegion: map[string]int64{},
		refresh: map[refreshKey]refreshConfig{}, trials: map[int64]*trialConfig{}, hosts: map[string]*agentHost{}}
}

// Service status of a key and of each module, as the API numbers it.
const (
	statusNormal     = 0
	statusError      = 1
	statusValidating = 2
	statusTimeout    = 3
)

// vendorAccount is a third-party cloud account connected with a key.
type vendorAccount struct {
	authID                 int64
	vendor, akType         string
	secretID, secretKey    string
	alias, ctdrCloudUserID string
	vendorUID, vendorUser  string
	status                 int64 // 0 enabled, 1 disabled
	serviceStatus          int
	message                string
	modules                []*moduleState
	generation             int // a validation started for an older generation does not record
	created                time.Time
}

type moduleState struct {
	module  string
	status  int
	message string
}

func (a *vendorAccount) module(code string) *moduleState {
	for _, m := range a.modules {
		if m.module == code {
			return m
		}
	}
	return nil
}

func (a *vendorAccount) moduleCodes() []string {
	out := make([]string, len(a.modules))
	for i, m := range a.modules {
		out[i] = m.module
	}
	return out
}

// summarize derives the key's service status from its modules.
func (a *vendorAccount) summarize() {
	a.serviceStatus, a.message = statusNormal, ""
	var failed []string
	for _, m := range a.modules {
		switch m.status {
		case statusValidating:
			if a.serviceStatus == statusNormal {
				a.serviceStatus = statusValidating
			}
		case statusError, statusTimeout:
			a.serviceStatus = statusError
			failed = append(failed, m.module)
		}
	}
	if len(failed) > 0 {
		a.message = "The AccessKey lacks the permissions of: " + joinComma(failed)
	}
}

type refreshKey struct {
	vendor, configType int64
	target             int64 // AuthId, type 2 only
}

type refreshConfig struct {
	period, status int64
}

type trialConfig struct {
	authID   int64
	vendor   string
	authInfo string // JSON text as submitted
	status   string // init, verify, enable, disable, error, timeout
	message  string
	gen      int
}

// SyncRecord is what one RefreshAssets did for one connected account.
type SyncRecord struct {
	AuthID    int64          `json:"auth_id"`
	AssetType string         `json:"asset_type"`
	Regions   map[string]int `json:"regions"` // assets listed per region
	Total     int            `json:"total"`
	Error     string         `json:"error,omitempty"` // the Tencent Cloud error that stopped it
	Time      time.Time      `json:"time"`
}

// moduleInfo are the display texts of the modules for Tencent Cloud.
var moduleInfo = map[string]struct{ disp, assetType, statement string }{
	"HOST":  {"Host Assets", "Cloud server or virtual machine", "Read permission of the cloud server or virtual machine"},
	"CSPM":  {"Cloud Service Configuration Check", "Cloud products", "Read permission of cloud product configurations"},
	"SIEM":  {"Agentic SOC", "Cloud logs", "Read permission of cloud logs"},
	"TRIAL": {"Log Audit", "Audit logs", "Consumption of audit logs over Kafka"},
}

var moduleOrder = []string{"HOST", "CSPM", "SIEM", "TRIAL"}

// tencentRegions are the regions Security Center offers for Tencent Cloud, with their areas.
var tencentRegions = []struct{ id, area string }{
	{"ap-guangzhou", "cn"}, {"ap-shanghai", "cn"}, {"ap-beijing", "cn"}, {"ap-chengdu", "cn"}, {"ap-chongqing", "cn"},
	{"ap-nanjing", "cn"}, {"ap-hongkong", "cn"}, {"ap-singapore", "southeast_asia"}, {"ap-bangkok", "southeast_asia"},
	{"ap-jakarta", "southeast_asia"}, {"ap-tokyo", "northeast_asia"}, {"ap-seoul", "northeast_asia"},
	{"ap-mumbai", "southern_asia"}, {"na-siliconvalley", "western_America"}, {"na-ashburn", "eastern_America"},
	{"sa-saopaulo", "south_America"}, {"eu-frankfurt", "european"},
}

func knownTencentRegion(id string) bool {
	return slices.ContainsFunc(tencentRegions, func(r struct{ id, area string }) bool { return r.id == id })
}

// validPeriods are the SchedulePeriod values (minutes) the refresh tasks take.
var validPeriods = []int64{60, 180, 360, 720, 1440, 10080}

// refreshVendors are the refresh tasks' vendor numbers.
var refreshVendors = map[int64]string{3: "Tencent", 4: "HUAWEICLOUD", 7: "AWS"}

func otherSite(s Site) Site {
	if s == SiteMainland {
		return SiteOutside
	}
	return SiteMainland
}

func joinComma(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// maskSecretID shows a SecretId as the service lists it: the first eight characters, then ***.
func maskSecretID(id string) string {
	if len(id) <= 8 {
		return "***"
	}
	return id[:8] + "***"
}
