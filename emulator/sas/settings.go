package sas

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
)

func (s *Server) listRegions(r *request) (map[string]any, *apiError) {
	if e := r.params.check("Vendor"); e != nil {
		return nil, e
	}
	vendor, e := r.params.str("Vendor", true)
	if e != nil {
		return nil, e
	}
	if vendor != "Tencent" {
		return nil, errorf(400, "InvalidParameter", "Vendor %q: the emulator knows Tencent Cloud's regions only", vendor)
	}
	other := r.account.sites[otherSite(r.site)]
	data := []map[string]any{}
	for _, reg := range tencentRegions {
		selected, disable := 0, 0
		if slices.Contains(r.state.regions[vendor], reg.id) {
			selected = 1
		}
		if slices.Contains(other.regions[vendor], reg.id) {
			disable = 1
		}
		data = append(data, map[string]any{"RegionId": reg.id, "Area": reg.area, "Selected": selected, "Disable": disable})
	}
	return map[string]any{"Data": data, "Success": true, "Code": "200", "Count": len(data), "HttpStatusCode": 200, "Message": "successful"}, nil
}

func (s *Server) setSyncRegions(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("Vendor", "RegionIds.*", "DefaultRegion"); e != nil {
		return nil, e
	}
	vendor, e := p.str("Vendor", true)
	if e != nil {
		return nil, e
	}
	if vendor != "Tencent" {
		return nil, errorf(400, "InvalidParameter", "Vendor %q: the emulator knows Tencent Cloud's regions only", vendor)
	}
	ids, e := p.list("RegionIds")
	if e != nil {
		return nil, e
	}
	def, _, e := p.int("DefaultRegion", false)
	if e != nil {
		return nil, e
	}
	if def != 0 && def != 1 {
		return nil, errorf(400, "InvalidParameter", "DefaultRegion %d: valid values are 0 and 1", def)
	}
	other := r.account.sites[otherSite(r.site)]
	for i, id := range ids {
		if !knownTencentRegion(id) {
			return nil, errorf(400, "InvalidParameter", "RegionIds.%d: unknown Tencent Cloud region %q", i+1, id)
		}
		if slices.Index(ids, id) != i {
			return nil, errorf(400, "InvalidParameter", "RegionIds.%d: region %s is given twice", i+1, id)
		}
		// The service's code for this is not published; the emulator's is its own.
		if slices.Contains(other.regions[vendor], id) {
			return nil, errorf(400, "RegionId.Conflict", "region %s is already a sync region of the other site; remove it there first", id)
		}
	}
	r.state.regions[vendor] = ids
	r.state.defaultRegion[vendor] = def
	return map[string]any{}, nil
}

func (s *Server) changeRefreshConfig(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("RegionId", "AssetRefreshConfigs.*"); e != nil {
		return nil, e
	}
	cfgs, e := p.objects("AssetRefreshConfigs")
	if e != nil {
		return nil, e
	}
	if len(cfgs) == 0 {
		return nil, errorf(400, "MissingAssetRefreshConfigs", "AssetRefreshConfigs is required")
	}
	type change struct {
		key refreshKey
		cfg refreshConfig
	}
	var changes []change
	for i, c := range cfgs {
		n := strconv.Itoa(i + 1)
		fields := params(c)
		for f := range c {
			if !slices.Contains([]string{"Vendor", "RefreshConfigType", "SchedulePeriod", "Status", "TargetId"}, f) {
				return nil, errorf(400, "InvalidParameter", "AssetRefreshConfigs.%s.%s is not a field of a refresh config", n, f)
			}
		}
		vendor, _, e := fields.int("Vendor", true)
		if e != nil {
			return nil, prefixed(e, "AssetRefreshConfigs."+n+".")
		}
		if _, ok := refreshVendors[vendor]; !ok {
			return nil, errorf(400, "InvalidParameter", "AssetRefreshConfigs.%s.Vendor %d: valid values are 3 (Tencent), 4 (Huawei), 7 (AWS)", n, vendor)
		}
		typ, _, e := fields.int("RefreshConfigType", true)
		if e != nil {
			return nil, prefixed(e, "AssetRefreshConfigs."+n+".")
		}
		if typ < 0 || typ > 2 {
			return nil, errorf(400, "InvalidParameter", "AssetRefreshConfigs.%s.RefreshConfigType %d: valid values are 0, 1, 2", n, typ)
		}
		status, hasStatus, e := fields.int("Status", false)
		if e != nil {
			return nil, prefixed(e, "AssetRefreshConfigs."+n+".")
		}
		if !hasStatus {
			status = 1
		}
		if status != 0 && status != 1 {
			return nil, errorf(400, "InvalidParameter", "AssetRefreshConfigs.%s.Status %d: valid values are 0 and 1", n, status)
		}
		period, hasPeriod, e := fields.int("SchedulePeriod", status == 1)
		if e != nil {
			return nil, prefixed(e, "AssetRefreshConfigs."+n+".")
		}
		if hasPeriod && !slices.Contains(validPeriods, period) {
			return nil, errorf(400, "InvalidParameter.SchedulePeriod", "AssetRefreshConfigs.%s.SchedulePeriod %d: valid values are 60, 180, 360, 720, 1440, 10080 (minutes)", n, period)
		}
		key := refreshKey{vendor: vendor, configType: typ}
		target, hasTarget, e := fields.int("TargetId", typ == 2)
		if e != nil {
			return nil, prefixed(e, "AssetRefreshConfigs."+n+".")
		}
		if typ == 2 {
			if r.state.vendors[target] == nil {
				return nil, errorf(400, "CloudVendorAccount.NotFound", "AssetRefreshConfigs.%s.TargetId: no connected account has AuthId %d on this site", n, target)
			}
			key.target = target
		} else if hasTarget {
			return nil, errorf(400, "InvalidParameter", "AssetRefreshConfigs.%s.TargetId applies to RefreshConfigType 2 only", n)
		}
		if !hasPeriod {
			period = r.state.refresh[key].period
		}
		changes = append(changes, change{key, refreshConfig{period: period, status: status}})
	}
	for _, c := range changes {
		r.state.refresh[c.key] = c.cfg
	}
	return map[string]any{"Data": true, "Message": "successful"}, nil
}

// prefixed names a field of a list element in a Missing<Field> or InvalidParameter message.
func prefixed(e *apiError, prefix string) *apiError {
	return &apiError{Status: e.Status, Code: e.Code, Message: prefix + e.Message}
}

func (s *Server) listRefreshConfig(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("RefreshConfigType", "RegionId", "TargetId"); e != nil {
		return nil, e
	}
	typ, hasType, e := p.int("RefreshConfigType", false)
	if e != nil {
		return nil, e
	}
	target, hasTarget, e := p.int("TargetId", false)
	if e != nil {
		return nil, e
	}
	var keys []refreshKey
	for k := range r.state.refresh {
		if (hasType && k.configType != typ) || (k.configType == 2 && (!hasTarget || k.target != target)) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].vendor != keys[j].vendor {
			return keys[i].vendor < keys[j].vendor
		}
		return keys[i].configType < keys[j].configType
	})
	out := []map[string]any{}
	for _, k := range keys {
		c := r.state.refresh[k]
		out = append(out, map[string]any{"Vendor": k.vendor, "RefreshConfigType": k.configType, "SchedulePeriod": c.period, "Status": c.status})
	}
	return map[string]any{"AssetRefreshConfig": out}, nil
}

// refreshAssets lists the assets of every enabled Tencent Cloud account of this site with its own key,
// region by region, before answering, and records what it found or the error that stopped it.
func (s *Server) refreshAssets(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("AssetType", "Vendor", "CloudAssetType", "CloudAssetSubType"); e != nil {
		return nil, e
	}
	assetType, e := p.str("AssetType", true)
	if e != nil {
		return nil, e
	}
	if !slices.Contains([]string{"cloud_product", "ecs", "container_image"}, assetType) {
		return nil, errorf(400, "InvalidParameter", "AssetType %q: valid values are cloud_product, ecs, container_image", assetType)
	}
	vendor, _, e := p.int("Vendor", false)
	if e != nil {
		return nil, e
	}
	for _, name := range []string{"CloudAssetType", "CloudAssetSubType"} {
		if _, _, e := p.int(name, false); e != nil {
			return nil, e
		}
	}
	module := map[string]string{"ecs": "HOST", "cloud_product": "CSPM"}[assetType]
	if vendor != 3 || module == "" {
		return map[string]any{}, nil // other vendors and container images: nothing the emulator holds
	}

	type job struct {
		a       *vendorAccount
		key     tencentKey
		regions []string
	}
	var jobs []job
	s.mu.Lock()
	regions := slices.Clone(r.state.regions["Tencent"])
	if len(regions) == 0 {
		// No region chosen yet: every region not synced by the other site.
		for _, reg := range tencentRegions {
			if !slices.Contains(r.account.sites[otherSite(r.site)].regions["Tencent"], reg.id) {
				regions = append(regions, reg.id)
			}
		}
	}
	for _, a := range r.state.vendors {
		if a.vendor == "Tencent" && a.status == 0 && a.module(module) != nil {
			jobs = append(jobs, job{a, tencentKey{a.secretID, a.secretKey}, regions})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(jobs, func(x, y job) int { return int(x.a.authID - y.a.authID) })

	var records []SyncRecord
	for _, j := range jobs {
		rec := SyncRecord{AuthID: j.a.authID, AssetType: assetType, Regions: map[string]int{}}
		for _, reg := range j.regions {
			n, err := s.tc.countAssets(s.ctx, j.key, assetType, reg)
			if err != nil && err.Code == "UnsupportedRegion" {
				continue // a region the Tencent Cloud account does not use
			}
			if err != nil {
				rec.Error = permissionMessage(moduleCheck{service: map[string]string{"ecs": "cvm", "cloud_product": "vpc"}[assetType],
					action: map[string]string{"ecs": "DescribeInstances", "cloud_product": "DescribeVpcs"}[assetType]}, err) + " (region " + reg + ")"
				break
			}
			rec.Regions[reg] = n
			rec.Total += n
			if assetType == "ecs" {
				s.listSyncedHosts(j.key, reg, r.state) // installcode.go: the host list shows them, agent offline
			}
		}
		records = append(records, rec)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for i, j := range jobs {
		rec := records[i]
		rec.Time = s.opts.Now()
		r.state.syncs = append(r.state.syncs, rec)
		if r.state.vendors[j.a.authID] != j.a {
			continue
		}
		if m := j.a.module(module); m != nil && m.status != statusValidating {
			if rec.Error != "" {
				m.status, m.message = statusError, rec.Error
			} else {
				m.status, m.message = statusNormal, ""
			}
			j.a.summarize()
		}
	}
	return map[string]any{}, nil
}

// kafkaAddress is a CLS Kafka consumer address; it names the region.
var kafkaAddress = regexp.MustCompile(`^kafkaconsumer-([a-z]+-[a-z]+)\.cls\.tencent(cs|yun)\.com:\d+$`)

// readAuthInfo checks the Tencent audit-log settings: the three Kafka keys and no other.
func readAuthInfo(p params) (map[string]string, *apiError) {
	info, e := p.jsonObject("AuthInfo")
	if e != nil {
		return nil, e
	}
	for k := range info {
		if !slices.Contains([]string{"kafkaUserName", "kafkaBootstrapServers", "kafkaTopic"}, k) {
			return nil, errorf(400, "InvalidParameter", "AuthInfo: %q is not a Tencent Cloud audit-log setting (kafkaUserName, kafkaBootstrapServers, kafkaTopic)", k)
		}
	}
	for _, k := range []string{"kafkaUserName", "kafkaBootstrapServers", "kafkaTopic"} {
		if info[k] == "" {
			return nil, errorf(400, "InvalidParameter", "AuthInfo: %s is required", k)
		}
	}
	return info, nil
}

func (s *Server) addTrial(r *request) (map[string]any, *apiError) {
	return s.putTrial(r, false)
}

func (s *Server) modifyTrial(r *request) (map[string]any, *apiError) {
	return s.putTrial(r, true)
}

// putTrial adds or changes (or, with DeleteTrail, deletes) an account's audit-log settings, then checks
// in the background that the Kafka topic exists in that logset: verify → enable, or error.
func (s *Server) putTrial(r *request, modify bool) (map[string]any, *apiError) {
	p := r.params
	declared := []string{"AuthId", "Vendor", "AuthInfo"}
	if modify {
		declared = append(declared, "DeleteTrail")
	}
	if e := p.check(declared...); e != nil {
		return nil, e
	}
	authID, _, e := p.int("AuthId", true)
	if e != nil {
		return nil, e
	}
	vendor, e := p.str("Vendor", true)
	if e != nil {
		return nil, e
	}
	del, e := p.bool("DeleteTrail")
	if e != nil {
		return nil, e
	}
	var info map[string]string
	if !del {
		if _, e := p.str("AuthInfo", true); e != nil {
			return nil, e
		}
		if info, e = readAuthInfo(p); e != nil {
			return nil, e
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := r.state.vendors[authID]
	if a == nil || a.vendor != vendor {
		return nil, errorf(400, "CloudVendorAccount.NotFound", "no connected %s account has AuthId %d on this site", vendor, authID)
	}
	t := r.state.trials[authID]
	switch {
	case !modify && t != nil:
		return nil, errorf(400, "CloudVendorTrialConfig.AlreadyExists", "AuthId %d already has audit-log settings; change them with ModifyCloudVendorTrialConfig", authID)
	case modify && t == nil:
		return nil, errorf(400, "CloudVendorTrialConfig.NotFound", "AuthId %d has no audit-log settings", authID)
	case del:
		delete(r.state.trials, authID)
		return map[string]any{}, nil
	}
	if t == nil {
		t = &trialConfig{authID: authID, vendor: vendor}
		r.state.trials[authID] = t
	}
	text, _ := json.Marshal(info)
	t.authInfo, t.status, t.message = string(text), "verify", ""
	t.gen++
	gen, key := t.gen, tencentKey{a.secretID, a.secretKey}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		status, msg := s.verifyTopic(key, info)
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.state.trials[authID] == t && t.gen == gen {
			t.status, t.message = status, msg
		}
	}()
	return map[string]any{}, nil
}

// verifyTopic checks the Kafka settings against CLS with the account's key. A Tencent Cloud API without
// CLS (InvalidAction) cannot be asked, and the settings are then taken as they are.
func (s *Server) verifyTopic(key tencentKey, info map[string]string) (status, message string) {
	m := kafkaAddress.FindStringSubmatch(info["kafkaBootstrapServers"])
	if m == nil {
		return "error", "kafkaBootstrapServers is not a CLS Kafka consumer address (kafkaconsumer-REGION.cls.tencentcs.com:PORT)"
	}
	ok, reason, err := s.tc.kafkaTopicReady(s.ctx, key, m[1], info["kafkaUserName"], info["kafkaTopic"])
	switch {
	case err != nil && err.Code == "InvalidAction":
		return "enable", ""
	case err != nil:
		return "error", "cls: " + err.Error()
	case !ok:
		return "error", "No relevant queue found: " + reason
	}
	return "enable", ""
}

func (s *Server) describeTrial(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("AuthId", "Vendor"); e != nil {
		return nil, e
	}
	authID, _, e := p.int("AuthId", true)
	if e != nil {
		return nil, e
	}
	vendor, e := p.str("Vendor", true)
	if e != nil {
		return nil, e
	}
	t := r.state.trials[authID]
	if t == nil || t.vendor != vendor {
		return nil, errorf(400, "CloudVendorTrialConfig.NotFound", "AuthId %d has no %s audit-log settings", authID, vendor)
	}
	return map[string]any{"Data": map[string]any{"AuthInfo": t.authInfo, "Status": t.status, "Message": t.message}}, nil
}
