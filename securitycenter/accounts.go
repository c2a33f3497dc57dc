package securitycenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onboard/retry"
)

// decodeBody converts a response body into out through JSON.
func decodeBody(action string, body map[string]any, out any) error {
	data, err := json.Marshal(body)
	if err == nil {
		err = json.Unmarshal(data, out)
	}
	if err != nil {
		return &APIError{Action: action, Code: "InvalidResponse", Message: "the answer does not decode: " + err.Error(), Err: ErrFailed}
	}
	return nil
}

func moduleList(mods []Module) ([]string, error) {
	out := make([]string, 0, len(mods))
	for _, m := range mods {
		code, ok := moduleCodes[m]
		if !ok {
			return nil, fmt.Errorf("unknown module %q: valid modules are Host, CSPM, AgenticSOC, AuditLogs", m)
		}
		out = append(out, code)
	}
	return out, nil
}

// SupportedModules lists the modules Security Center supports per vendor.
func (c *Client) SupportedModules(ctx context.Context) ([]VendorModules, error) {
	body, err := c.do(ctx, call{action: "GetSupportedModules", query: map[string]any{"Lang": "en"}})
	if err != nil {
		return nil, err
	}
	var out struct {
		SupportedModuleResponse []struct {
			Vendor           string
			SupportedModules []struct {
				Module, ModuleDisp string
				ModuleAuth         bool
			}
		}
	}
	if err := decodeBody("GetSupportedModules", body, &out); err != nil {
		return nil, err
	}
	var res []VendorModules
	for _, v := range out.SupportedModuleResponse {
		vm := VendorModules{Vendor: Vendor(v.Vendor)}
		for _, m := range v.SupportedModules {
			vm.Modules = append(vm.Modules, SupportedModule{Module: moduleFromCode(m.Module), Display: m.ModuleDisp, Enabled: m.ModuleAuth})
		}
		res = append(res, vm)
	}
	return res, nil
}

// accountBody is an account as the API answers it.
type accountBody struct {
	AuthId                                              int64
	AkType, SecretId, Vendor, VendorAuthAlias           string
	VendorUid, VendorUserName, CtdrCloudUserId, Message string
	Status, ServiceStatus                               int
	AuthModules                                         []struct {
		Module, ModuleDisp, Message, TrailStatus, TrailMessage string
		ModuleServiceStatus                                    int
	}
}

func (b accountBody) account() Account {
	a := Account{AuthID: b.AuthId, Vendor: Vendor(b.Vendor), KeyType: KeyType(b.AkType), MaskedSecretID: b.SecretId,
		DisplayName: b.VendorAuthAlias, VendorUID: b.VendorUid, VendorUserName: b.VendorUserName, VendorAccountID: b.CtdrCloudUserId,
		Enabled: b.Status == 0, Status: ServiceStatus(b.ServiceStatus), Message: b.Message}
	for _, m := range b.AuthModules {
		a.Modules = append(a.Modules, ModuleStatus{Module: moduleFromCode(m.Module), Display: m.ModuleDisp,
			Status: ServiceStatus(m.ModuleServiceStatus), Message: m.Message, AuditLog: m.TrailStatus, AuditLogNote: m.TrailMessage})
	}
	return a
}

// AddAccount submits a key. Security Center answers before it has validated the key (Status
// validating); WaitForValidation waits for the verdict.
func (c *Client) AddAccount(ctx context.Context, spec AccountSpec) (Account, error) {
	if spec.Vendor == "" {
		spec.Vendor = VendorTencent
	}
	if spec.KeyType != KeySub && spec.KeyType != KeyPrimary {
		return Account{}, fmt.Errorf("add %s account: key type %q: want sub or primary", spec.Vendor, spec.KeyType)
	}
	mods, err := moduleList(spec.Modules)
	if err != nil {
		return Account{}, fmt.Errorf("add %s account: %w", spec.Vendor, err)
	}
	q := map[string]any{"Vendor": string(spec.Vendor), "AkType": string(spec.KeyType), "SecretId": spec.SecretID,
		"SecretKey": spec.SecretKey.Reveal(), "AuthModules": mods, "Lang": "en"}
	if spec.DisplayName != "" {
		q["VendorAuthAlias"] = spec.DisplayName
	}
	if spec.VendorAccountID != "" {
		q["CtdrCloudUserId"] = spec.VendorAccountID
	}
	body, err := c.do(ctx, call{action: "AddCloudVendorAccountAK", query: q, mutating: true})
	if err != nil {
		return Account{}, fmt.Errorf("add %s account: %w", spec.Vendor, err)
	}
	var out struct{ Data accountBody }
	if err := decodeBody("AddCloudVendorAccountAK", body, &out); err != nil {
		return Account{}, err
	}
	return out.Data.account(), nil
}

// ModifyAccount changes a connected account: its key, modules, name, vendor account ID or whether it is
// enabled. A new key or other modules are validated again.
func (c *Client) ModifyAccount(ctx context.Context, authID int64, ch AccountChange) (Account, error) {
	q := map[string]any{"AuthIds": strconv.FormatInt(authID, 10), "Lang": "en"}
	if (ch.SecretID == "") != (ch.SecretKey == "") {
		return Account{}, fmt.Errorf("modify account %d: a new key needs both its SecretId and its SecretKey", authID)
	}
	if ch.SecretID != "" {
		q["SecretId"], q["SecretKey"] = ch.SecretID, ch.SecretKey.Reveal()
	}
	if len(ch.Modules) > 0 {
		mods, err := moduleList(ch.Modules)
		if err != nil {
			return Account{}, fmt.Errorf("modify account %d: %w", authID, err)
		}
		q["AuthModules"] = mods
	}
	if ch.DisplayName != nil {
		q["VendorAuthAlias"] = *ch.DisplayName
	}
	if ch.VendorAccountID != nil {
		q["CtdrCloudUserId"] = *ch.VendorAccountID
	}
	if ch.Enabled != nil {
		q["Status"] = map[bool]int{true: 0, false: 1}[*ch.Enabled]
	}
	body, err := c.do(ctx, call{action: "ModifyCloudVendorAccountAK", query: q})
	if err != nil {
		return Account{}, fmt.Errorf("modify account %d: %w", authID, err)
	}
	var out struct{ Data accountBody }
	if err := decodeBody("ModifyCloudVendorAccountAK", body, &out); err != nil {
		return Account{}, err
	}
	return out.Data.account(), nil
}

// DeleteAccount disconnects an account, or only the given modules of it.
func (c *Client) DeleteAccount(ctx context.Context, authID int64, modules ...Module) error {
	q := map[string]any{"AuthId": authID}
	if len(modules) > 0 {
		mods, err := moduleList(modules)
		if err != nil {
			return fmt.Errorf("delete account %d: %w", authID, err)
		}
		q["AuthModules"] = mods
	}
	if _, err := c.do(ctx, call{action: "DeleteCloudVendorAccountAK", query: q}); err != nil {
		return fmt.Errorf("delete account %d: %w", authID, err)
	}
	return nil
}

// listPageSize is the page size of account listings.
const listPageSize = 50

// ListAccounts lists the connected accounts of the site, every page.
func (c *Client) ListAccounts(ctx context.Context, f AccountFilter) ([]Account, error) {
	var all []Account
	for page := 1; ; page++ {
		q := map[string]any{"CurrentPage": page, "PageSize": listPageSize, "Lang": "en"}
		if f.Vendor != "" {
			q["Vendor"] = string(f.Vendor)
		}
		if len(f.AuthIDs) > 0 {
			ids := make([]string, len(f.AuthIDs))
			for i, id := range f.AuthIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			q["AuthIds"] = strings.Join(ids, ",")
		}
		if f.DisplayName != "" {
			q["VendorAuthAlias"] = f.DisplayName
		}
		body, err := c.do(ctx, call{action: "DescribeCloudVendorAccountAKList", query: q})
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		var out struct {
			CloudVendorAccountAKs []accountBody
			PageInfo              struct{ TotalCount, Count int }
		}
		if err := decodeBody("DescribeCloudVendorAccountAKList", body, &out); err != nil {
			return nil, err
		}
		for _, b := range out.CloudVendorAccountAKs {
			all = append(all, b.account())
		}
		if len(out.CloudVendorAccountAKs) == 0 || len(all) >= out.PageInfo.TotalCount {
			return all, nil
		}
	}
}

// validationFirstPoll is the first interval of WaitForValidation; the next ones double up to
// Options.PollInterval.
const validationFirstPoll = 50 * time.Millisecond

// ErrValidationTimeout means Security Center reported that validating the key timed out.
var ErrValidationTimeout = errors.New("key validation timed out")

// WaitForValidation polls the account until Security Center has validated its key: normal, error (the
// per-module messages say why) or timed out. The account is returned in each case.
func (c *Client) WaitForValidation(ctx context.Context, authID int64) (Account, error) {
	// The service validates in the background, module by module: ask again soon, then less often.
	// Without a deadline of its own, the wait is bounded by ctx.
	poll := retry.NewPoller(retry.Backoff{First: min(validationFirstPoll, c.opts.PollInterval), Max: c.opts.PollInterval}, time.Time{})
	for {
		list, err := c.ListAccounts(ctx, AccountFilter{AuthIDs: []int64{authID}})
		if err != nil {
			return Account{}, err
		}
		if len(list) == 0 {
			return Account{}, fmt.Errorf("account %d: %w", authID, ErrNotFound)
		}
		a := list[0]
		validating := a.Status == StatusValidating
		for _, m := range a.Modules {
			validating = validating || m.Status == StatusValidating
		}
		if !validating {
			if a.Status == StatusTimedOut {
				return a, fmt.Errorf("account %d: %w", authID, ErrValidationTimeout)
			}
			return a, nil
		}
		if err := poll.Wait(ctx); err != nil {
			return a, fmt.Errorf("wait for account %d to be validated: %w", authID, err)
		}
	}
}
