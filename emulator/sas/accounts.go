package sas

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// actions are the emulated actions by name.
var actions = map[string]handler{
	"AddCloudVendorAccountAK":          (*Server).addAccount,
	"ModifyCloudVendorAccountAK":       (*Server).modifyAccount,
	"DeleteCloudVendorAccountAK":       locked((*Server).deleteAccount),
	"DescribeCloudVendorAccountAKList": locked((*Server).listAccounts),
	"GetSupportedModules":              locked((*Server).supportedModules),
	"DescribeVendorList":               locked((*Server).vendorList),
	"ListCloudVendorRegions":           locked((*Server).listRegions),
	"SetSyncRefreshRegion":             locked((*Server).setSyncRegions),
	"ChangeAssetRefreshTaskConfig":     locked((*Server).changeRefreshConfig),
	"ListAssetRefreshTaskConfig":       locked((*Server).listRefreshConfig),
	"RefreshAssets":                    (*Server).refreshAssets,
	"AddCloudVendorTrialConfig":        (*Server).addTrial,
	"DescribeCloudVendorTrialConfig":   locked((*Server).describeTrial),
	"ModifyCloudVendorTrialConfig":     (*Server).modifyTrial,
	"AddInstallCode":                   (*Server).addInstallCode,
	"DescribeInstallCodes":             locked((*Server).describeInstallCodes),
	"DescribeCloudCenterInstances":     locked((*Server).describeCloudCenterInstances),
}

// mutatingActions change the accounts, settings or regions Security Center holds. RefreshAssets is not
// one: it asks for a fresh listing of the assets, which changes no setting.
var mutatingActions = map[string]bool{
	"AddCloudVendorAccountAK": true, "ModifyCloudVendorAccountAK": true, "DeleteCloudVendorAccountAK": true,
	"SetSyncRefreshRegion": true, "ChangeAssetRefreshTaskConfig": true, "AddCloudVendorTrialConfig": true,
	"ModifyCloudVendorTrialConfig": true,
}

// locked runs an action that only reads and writes state under s.mu.
func locked(h handler) handler {
	return func(s *Server, r *request) (map[string]any, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return h(s, r)
	}
}

// readModules reads AuthModules: known codes, each once.
func readModules(p params) ([]string, *apiError) {
	mods, err := p.list("AuthModules")
	if err != nil {
		return nil, err
	}
	for i, m := range mods {
		if _, ok := moduleInfo[m]; !ok {
			return nil, errorf(400, "InvalidParameter", "AuthModules.%d: unknown module %q; valid modules are HOST, CSPM, SIEM, TRIAL", i+1, m)
		}
		if slices.Index(mods, m) != i {
			return nil, errorf(400, "InvalidParameter", "AuthModules.%d: module %s is given twice", i+1, m)
		}
	}
	return mods, nil
}

func (s *Server) addAccount(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("Vendor", "AkType", "SecretId", "SecretKey", "AuthModules.*", "VendorAuthAlias", "CtdrCloudUserId", "Domain", "Regions.*", "ExtendInfo", "TenantId", "SubscriptionIds.*"); e != nil {
		return nil, e
	}
	vendor, e := p.str("Vendor", true)
	if e != nil {
		return nil, e
	}
	akType, e := p.str("AkType", true)
	if e != nil {
		return nil, e
	}
	secretID, e := p.str("SecretId", true)
	if e != nil {
		return nil, e
	}
	secretKey, e := p.str("SecretKey", true)
	if e != nil {
		return nil, e
	}
	if vendor != "Tencent" {
		return nil, errorf(400, "InvalidParameter", "Vendor %q: the emulator connects Tencent Cloud accounts only", vendor)
	}
	if akType != "sub" && akType != "primary" {
		return nil, errorf(400, "InvalidParameter", "AkType %q: valid values for Tencent are sub and primary", akType)
	}
	for _, other := range []string{"Domain", "Regions.1", "TenantId", "SubscriptionIds.1"} {
		if p.has(other) {
			return nil, errorf(400, "InvalidParameter", "the parameter %s does not apply to Tencent Cloud", strings.TrimSuffix(other, ".1"))
		}
	}
	mods, e := readModules(p)
	if e != nil {
		return nil, e
	}
	if len(mods) == 0 {
		return nil, errorf(400, "MissingAuthModules", "AuthModules is required: choose at least one of HOST, CSPM, SIEM, TRIAL")
	}
	if akType == "primary" && (len(mods) != 1 || mods[0] != "HOST") {
		return nil, errorf(400, "InvalidParameter", "a primary (root) key connects host assets only: AuthModules must be HOST")
	}
	if slices.Contains(mods, "SIEM") && p["CtdrCloudUserId"] == "" {
		return nil, errorf(400, "MissingCtdrCloudUserId", "CtdrCloudUserId is required when AuthModules includes SIEM (Agentic SOC)")
	}

	// Who the key belongs to is known before answering: a Tencent Cloud account is connected once.
	key := tencentKey{secretID, secretKey}
	id, idErr := s.tc.identify(s.ctx, key)

	s.mu.Lock()
	defer s.mu.Unlock()
	if idErr == nil {
		for _, other := range r.state.vendors {
			if other.vendor == vendor && other.vendorUID == id.AccountId {
				return nil, errorf(400, "CloudVendorAccount.AlreadyExists", "the %s account %s is already connected (AuthId %d)", vendor, id.AccountId, other.authID)
			}
		}
	}
	a := &vendorAccount{authID: s.nextAuth, vendor: vendor, akType: akType, secretID: secretID, secretKey: secretKey,
		alias: p["VendorAuthAlias"], ctdrCloudUserID: p["CtdrCloudUserId"], created: s.opts.Now()}
	s.nextAuth++
	for _, m := range mods {
		a.modules = append(a.modules, &moduleState{module: m, status: statusValidating})
	}
	r.state.vendors[a.authID] = a
	s.startValidation(r.state, a, id, idErr)
	return map[string]any{"Data": s.accountView(r.state, a, false)}, nil
}

// startValidation records the identity check and starts the per-module checks in the background, as
// the service validates a key after answering. s.mu is held.
func (s *Server) startValidation(st *siteState, a *vendorAccount, id identity, idErr *tencentError) {
	a.generation++
	gen := a.generation
	if idErr != nil {
		for _, m := range a.modules {
			m.status, m.message = statusError, "ak_invalid"
		}
		a.serviceStatus, a.message = statusError, "The AccessKey was rejected by Tencent Cloud: "+idErr.Error()
		return
	}
	a.vendorUID, a.vendorUser = id.AccountId, id.UserId
	switch {
	case a.akType == "primary" && id.Type != "Root":
		for _, m := range a.modules {
			m.status, m.message = statusError, "ak_type_error"
		}
		a.serviceStatus, a.message = statusError, "AkType primary needs the root account's key; this key belongs to a sub-user"
		return
	case a.akType == "sub" && id.Type == "Root":
		for _, m := range a.modules {
			m.status, m.message = statusError, "ak_type_error"
		}
		a.serviceStatus, a.message = statusError, "AkType sub needs a sub-user's key; this is the root account's key"
		return
	}
	for _, m := range a.modules {
		m.status, m.message = statusValidating, ""
	}
	a.serviceStatus, a.message = statusValidating, ""
	key, mods, ctdr := tencentKey{a.secretID, a.secretKey}, a.moduleCodes(), a.ctdrCloudUserID
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		results := map[string]string{}
		for _, m := range mods {
			if m == "SIEM" && ctdr != id.AccountId {
				results[m] = fmt.Sprintf("ctdr_user_error: CtdrCloudUserId %s is not the account of the key (%s)", ctdr, id.AccountId)
				continue
			}
			if err := s.tc.checkModule(s.ctx, key, m, s.opts.TencentRegion); err != nil {
				results[m] = permissionMessage(moduleChecks[m], err)
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if st.vendors[a.authID] != a || a.generation != gen {
			return
		}
		for _, m := range a.modules {
			if msg, failed := results[m.module]; failed {
				m.status, m.message = statusError, msg
			} else {
				m.status, m.message = statusNormal, ""
			}
		}
		a.summarize()
	}()
}

// permissionMessage is a module's error text: the module's code for it, the call and Tencent's answer.
func permissionMessage(c moduleCheck, err *tencentError) string {
	kind := "ak_permission_error"
	if err.Code == "" {
		kind = "vendor_unreachable"
	} else if strings.HasPrefix(err.Code, "AuthFailure") && err.Code != "AuthFailure.UnauthorizedOperation" {
		kind = "ak_invalid"
	}
	return fmt.Sprintf("%s: %s:%s: %s", kind, c.service, c.action, err.Error())
}

func (s *Server) modifyAccount(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("AuthIds", "SecretId", "SecretKey", "AuthModules.*", "Status", "VendorAuthAlias", "CtdrCloudUserId", "Domain", "Regions.*", "ExtendInfo", "TenantId", "SubscriptionIds.*"); e != nil {
		return nil, e
	}
	raw, e := p.str("AuthIds", true)
	if e != nil {
		return nil, e
	}
	authID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errorf(400, "InvalidParameter", "AuthIds %q must be one AuthId", raw)
	}
	if p.has("SecretId") != p.has("SecretKey") {
		return nil, errorf(400, "InvalidParameter", "SecretId and SecretKey are changed together")
	}
	mods, e := readModules(p)
	if e != nil {
		return nil, e
	}
	status, hasStatus, e := p.int("Status", false)
	if e != nil {
		return nil, e
	}
	if hasStatus && status != 0 && status != 1 {
		return nil, errorf(400, "InvalidParameter", "Status %d: valid values are 0 (enabled) and 1 (disabled)", status)
	}
	s.mu.Lock()
	a := r.state.vendors[authID]
	var key tencentKey
	if a != nil {
		key = tencentKey{a.secretID, a.secretKey}
	}
	s.mu.Unlock()
	if a == nil {
		return nil, errorf(400, "CloudVendorAccount.NotFound", "no connected account has AuthId %d on this site", authID)
	}
	newKey := p["SecretId"] != ""
	if newKey {
		key = tencentKey{p["SecretId"], p["SecretKey"]}
	}
	// A new key, other modules or another CtdrCloudUserId are validated again, from the identity on.
	revalidate := newKey || len(mods) > 0 || p.has("CtdrCloudUserId")
	var id identity
	var idErr *tencentError
	if revalidate {
		id, idErr = s.tc.identify(s.ctx, key)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if r.state.vendors[authID] != a {
		return nil, errorf(400, "CloudVendorAccount.NotFound", "no connected account has AuthId %d on this site", authID)
	}
	if newKey && idErr == nil && a.vendorUID != "" && id.AccountId != a.vendorUID {
		return nil, errorf(400, "InvalidParameter", "the new key belongs to %s account %s, not %s", a.vendor, id.AccountId, a.vendorUID)
	}
	if len(mods) > 0 {
		if a.akType == "primary" && (len(mods) != 1 || mods[0] != "HOST") {
			return nil, errorf(400, "InvalidParameter", "a primary (root) key connects host assets only: AuthModules must be HOST")
		}
		ctdr := a.ctdrCloudUserID
		if p.has("CtdrCloudUserId") {
			ctdr = p["CtdrCloudUserId"]
		}
		if slices.Contains(mods, "SIEM") && ctdr == "" {
			return nil, errorf(400, "MissingCtdrCloudUserId", "CtdrCloudUserId is required when AuthModules includes SIEM (Agentic SOC)")
		}
	}
	if p.has("VendorAuthAlias") {
		a.alias = p["VendorAuthAlias"]
	}
	if p.has("CtdrCloudUserId") {
		a.ctdrCloudUserID = p["CtdrCloudUserId"]
	}
	if hasStatus {
		a.status = status
	}
	if newKey {
		a.secretID, a.secretKey = p["SecretId"], p["SecretKey"]
	}
	if len(mods) > 0 {
		a.modules = nil
		for _, m := range mods {
			a.modules = append(a.modules, &moduleState{module: m, status: statusValidating})
		}
	}
	if revalidate {
		s.startValidation(r.state, a, id, idErr)
	}
	return map[string]any{"Data": s.accountView(r.state, a, false)}, nil
}

func (s *Server) deleteAccount(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("AuthId", "AuthModules.*"); e != nil {
		return nil, e
	}
	authID, _, e := p.int("AuthId", true)
	if e != nil {
		return nil, e
	}
	mods, e := readModules(p)
	if e != nil {
		return nil, e
	}
	a := r.state.vendors[authID]
	if a == nil {
		return nil, errorf(400, "CloudVendorAccount.NotFound", "no connected account has AuthId %d on this site", authID)
	}
	if len(mods) > 0 {
		a.modules = slices.DeleteFunc(a.modules, func(m *moduleState) bool { return slices.Contains(mods, m.module) })
		if slices.Contains(mods, "TRIAL") {
			delete(r.state.trials, authID)
		}
		a.summarize()
	}
	if len(mods) == 0 || len(a.modules) == 0 {
		delete(r.state.vendors, authID)
		delete(r.state.trials, authID)
		for k := range r.state.refresh {
			if k.configType == 2 && k.target == authID {
				delete(r.state.refresh, k)
			}
		}
	}
	return map[string]any{}, nil
}

func (s *Server) listAccounts(r *request) (map[string]any, *apiError) {
	p := r.params
	if e := p.check("AuthIds", "Vendor", "Status", "SubAccountName", "VendorAuthAlias", "CurrentPage", "PageSize"); e != nil {
		return nil, e
	}
	page, hasPage, e := p.int("CurrentPage", false)
	if e != nil {
		return nil, e
	}
	size, hasSize, e := p.int("PageSize", false)
	if e != nil {
		return nil, e
	}
	if !hasPage {
		page = 1
	}
	if !hasSize {
		size = 20
	}
	if page < 1 || size < 1 || size > 100 {
		return nil, errorf(400, "InvalidParameter", "CurrentPage must be at least 1 and PageSize between 1 and 100")
	}
	status, hasStatus, e := p.int("Status", false)
	if e != nil {
		return nil, e
	}
	var ids []int64
	if raw := p["AuthIds"]; raw != "" {
		for _, f := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return nil, errorf(400, "InvalidParameter", "AuthIds %q: a comma-separated list of AuthIds", raw)
			}
			ids = append(ids, id)
		}
	}
	var all []*vendorAccount
	for _, a := range r.state.vendors {
		switch {
		case len(ids) > 0 && !slices.Contains(ids, a.authID),
			p["Vendor"] != "" && p["Vendor"] != a.vendor,
			hasStatus && status != a.status,
			p["VendorAuthAlias"] != "" && !strings.Contains(a.alias, p["VendorAuthAlias"]),
			p["SubAccountName"] != "" && !strings.Contains(a.vendorUser, p["SubAccountName"]):
			continue
		}
		all = append(all, a)
	}
	slices.SortFunc(all, func(x, y *vendorAccount) int { return int(x.authID - y.authID) })
	items := []map[string]any{}
	for i := (page - 1) * size; i < int64(len(all)) && i < page*size; i++ {
		items = append(items, s.accountView(r.state, all[i], true))
	}
	return map[string]any{"CloudVendorAccountAKs": items,
		"PageInfo": map[string]any{"Count": len(items), "CurrentPage": page, "PageSize": size, "TotalCount": len(all)}}, nil
}

// accountView is an account as the API answers it; the SecretId is masked and the SecretKey never shown.
func (s *Server) accountView(st *siteState, a *vendorAccount, listing bool) map[string]any {
	mods := []map[string]any{}
	for _, m := range a.modules {
		info := moduleInfo[m.module]
		v := map[string]any{"Module": m.module, "ModuleDisp": info.disp, "ModuleAssetType": info.assetType,
			"ModuleStatement": info.statement, "ModuleServiceStatus": m.status, "Message": m.message}
		if m.module == "TRIAL" && listing {
			v["TrailStatus"], v["TrailMessage"] = "init", ""
			if t := st.trials[a.authID]; t != nil {
				v["TrailStatus"], v["TrailMessage"] = t.status, t.message
			}
		}
		mods = append(mods, v)
	}
	v := map[string]any{"AuthId": a.authID, "AkType": a.akType, "SecretId": maskSecretID(a.secretID), "Vendor": a.vendor,
		"VendorAuthAlias": a.alias, "CtdrCloudUserId": a.ctdrCloudUserID, "Status": a.status, "ServiceStatus": a.serviceStatus,
		"Message": a.message, "AuthModules": mods}
	if listing {
		v["VendorUid"], v["VendorUserName"], v["ExtendInfo"] = a.vendorUID, a.vendorUser, ""
	}
	return v
}

func (s *Server) supportedModules(r *request) (map[string]any, *apiError) {
	if e := r.params.check(); e != nil {
		return nil, e
	}
	mods := []map[string]any{}
	for _, m := range moduleOrder {
		mods = append(mods, map[string]any{"Module": m, "ModuleDisp": moduleInfo[m].disp, "ModuleAuth": true})
	}
	host := []map[string]any{{"Module": "HOST", "ModuleDisp": moduleInfo["HOST"].disp, "ModuleAuth": true}}
	return map[string]any{"SupportedModuleResponse": []map[string]any{
		{"Vendor": "Tencent", "SupportedModules": mods},
		{"Vendor": "AWS", "SupportedModules": mods},
		{"Vendor": "HUAWEICLOUD", "SupportedModules": mods[:3]},
		{"Vendor": "Azure", "SupportedModules": host},
	}}, nil
}

func (s *Server) vendorList(r *request) (map[string]any, *apiError) {
	if e := r.params.check(); e != nil {
		return nil, e
	}
	return map[string]any{"VendorNameList": s.vendorNames()}, nil
}
