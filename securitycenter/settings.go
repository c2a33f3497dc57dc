package securitycenter

import (
	"context"
	"encoding/json"
	"fmt"
)

// Regions lists the vendor's regions in the site's region management.
func (c *Client) Regions(ctx context.Context, vendor Vendor) ([]RegionChoice, error) {
	body, err := c.do(ctx, call{action: "ListCloudVendorRegions", query: map[string]any{"Vendor": string(vendor), "Lang": "en"}})
	if err != nil {
		return nil, fmt.Errorf("list %s regions: %w", vendor, err)
	}
	var out struct {
		Data []struct {
			RegionId, Area    string
			Selected, Disable int
		}
	}
	if err := decodeBody("ListCloudVendorRegions", body, &out); err != nil {
		return nil, err
	}
	res := make([]RegionChoice, 0, len(out.Data))
	for _, r := range out.Data {
		res = append(res, RegionChoice{RegionID: r.RegionId, Area: r.Area, Selected: r.Selected == 1, TakenByOtherSite: r.Disable == 1})
	}
	return res, nil
}

// SetSyncRegions makes regions the complete list of the vendor's regions this site synchronises.
// defaultSite marks this site as the default one.
func (c *Client) SetSyncRegions(ctx context.Context, vendor Vendor, regions []string, defaultSite bool) error {
	q := map[string]any{"Vendor": string(vendor), "RegionIds": regions, "DefaultRegion": map[bool]int{true: 1, false: 0}[defaultSite]}
	if _, err := c.do(ctx, call{action: "SetSyncRefreshRegion", query: q}); err != nil {
		return fmt.Errorf("set %s sync regions: %w", vendor, err)
	}
	return nil
}

// SetRefreshSettings sets the vendor's host and cloud-service sync frequencies and the account's key
// status check; an empty Frequency is left as it is.
func (c *Client) SetRefreshSettings(ctx context.Context, vendor Vendor, authID int64, s RefreshSettings) error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("set refresh settings: %w", err)
	}
	v, ok := refreshVendor[vendor]
	if !ok {
		return fmt.Errorf("set refresh settings: vendor %s has no refresh tasks", vendor)
	}
	var configs []map[string]any
	for typ, f := range []Frequency{s.HostSync, s.CloudServiceSync, s.KeyCheck} {
		if f == "" {
			continue
		}
		cfg := map[string]any{"Vendor": v, "RefreshConfigType": typ, "Status": 1}
		if f == FrequencyOff {
			cfg["Status"] = 0
		} else {
			cfg["SchedulePeriod"] = f.Minutes()
		}
		if typ == 2 {
			cfg["TargetId"] = authID
		}
		configs = append(configs, cfg)
	}
	if len(configs) == 0 {
		return nil
	}
	q := map[string]any{"RegionId": c.opts.Site.regionID(), "AssetRefreshConfigs": configs}
	if _, err := c.do(ctx, call{action: "ChangeAssetRefreshTaskConfig", query: q}); err != nil {
		return fmt.Errorf("set refresh settings: %w", err)
	}
	return nil
}

// RefreshSettings reads the vendor's sync frequencies and the account's key status check.
func (c *Client) RefreshSettings(ctx context.Context, vendor Vendor, authID int64) (RefreshSettings, error) {
	v, ok := refreshVendor[vendor]
	if !ok {
		return RefreshSettings{}, fmt.Errorf("read refresh settings: vendor %s has no refresh tasks", vendor)
	}
	body, err := c.do(ctx, call{action: "ListAssetRefreshTaskConfig", query: map[string]any{"RegionId": c.opts.Site.regionID(), "TargetId": authID}})
	if err != nil {
		return RefreshSettings{}, fmt.Errorf("read refresh settings: %w", err)
	}
	var out struct {
		AssetRefreshConfig []struct{ Vendor, RefreshConfigType, SchedulePeriod, Status int }
	}
	if err := decodeBody("ListAssetRefreshTaskConfig", body, &out); err != nil {
		return RefreshSettings{}, err
	}
	var s RefreshSettings
	for _, cfg := range out.AssetRefreshConfig {
		if cfg.Vendor != v {
			continue
		}
		f := FrequencyOff
		if cfg.Status == 1 {
			var known bool
			if f, known = frequencyOf(cfg.SchedulePeriod); !known {
				return s, fmt.Errorf("read refresh settings: SchedulePeriod %d is not a known frequency", cfg.SchedulePeriod)
			}
		}
		switch cfg.RefreshConfigType {
		case 0:
			s.HostSync = f
		case 1:
			s.CloudServiceSync = f
		case 2:
			s.KeyCheck = f
		}
	}
	return s, nil
}

// RefreshAssets starts "Synchronize assets" for the vendor's hosts or cloud services.
func (c *Client) RefreshAssets(ctx context.Context, vendor Vendor, kind AssetKind) error {
	v, ok := refreshVendor[vendor]
	if !ok {
		return fmt.Errorf("refresh assets: vendor %s cannot be refreshed", vendor)
	}
	if kind != AssetsHosts && kind != AssetsCloudServices {
		return fmt.Errorf("refresh assets: unknown asset kind %q", kind)
	}
	if _, err := c.do(ctx, call{action: "RefreshAssets", query: map[string]any{"AssetType": string(kind), "Vendor": v}}); err != nil {
		return fmt.Errorf("refresh %s %s assets: %w", vendor, kind, err)
	}
	return nil
}

func (s AuditLogSettings) authInfo() (string, error) {
	if s.KafkaUser == "" || s.BootstrapServers == "" || s.Topic == "" {
		return "", fmt.Errorf("audit-log settings need the Kafka user (logset ID), bootstrap servers and topic")
	}
	data, err := json.Marshal(map[string]string{"kafkaUserName": s.KafkaUser, "kafkaBootstrapServers": s.BootstrapServers, "kafkaTopic": s.Topic})
	return string(data), err
}

// AddAuditLog sets a Tencent account's audit-log Kafka settings; Security Center then verifies them
// (AuditLog shows verify, then enable or error).
func (c *Client) AddAuditLog(ctx context.Context, authID int64, s AuditLogSettings) error {
	info, err := s.authInfo()
	if err != nil {
		return fmt.Errorf("add audit-log settings of account %d: %w", authID, err)
	}
	q := map[string]any{"AuthId": authID, "Vendor": string(VendorTencent), "AuthInfo": info}
	if _, err := c.do(ctx, call{action: "AddCloudVendorTrialConfig", query: q, mutating: true}); err != nil {
		return fmt.Errorf("add audit-log settings of account %d: %w", authID, err)
	}
	return nil
}

// AuditLog reads a Tencent account's audit-log settings and their status.
func (c *Client) AuditLog(ctx context.Context, authID int64) (AuditLogStatus, error) {
	q := map[string]any{"AuthId": authID, "Vendor": string(VendorTencent)}
	body, err := c.do(ctx, call{action: "DescribeCloudVendorTrialConfig", method: "GET", query: q})
	if err != nil {
		return AuditLogStatus{}, fmt.Errorf("read audit-log settings of account %d: %w", authID, err)
	}
	var out struct {
		Data struct{ AuthInfo, Status, Message string }
	}
	if err := decodeBody("DescribeCloudVendorTrialConfig", body, &out); err != nil {
		return AuditLogStatus{}, err
	}
	st := AuditLogStatus{Status: out.Data.Status, Message: out.Data.Message}
	var info struct{ KafkaUserName, KafkaBootstrapServers, KafkaTopic string }
	if out.Data.AuthInfo != "" {
		if err := json.Unmarshal([]byte(out.Data.AuthInfo), &info); err != nil {
			return st, fmt.Errorf("read audit-log settings of account %d: AuthInfo is not JSON: %w", authID, err)
		}
	}
	st.Settings = AuditLogSettings{KafkaUser: info.KafkaUserName, BootstrapServers: info.KafkaBootstrapServers, Topic: info.KafkaTopic}
	return st, nil
}

// ModifyAuditLog replaces a Tencent account's audit-log settings; they are verified again.
func (c *Client) ModifyAuditLog(ctx context.Context, authID int64, s AuditLogSettings) error {
	info, err := s.authInfo()
	if err != nil {
		return fmt.Errorf("modify audit-log settings of account %d: %w", authID, err)
	}
	q := map[string]any{"AuthId": authID, "Vendor": string(VendorTencent), "AuthInfo": info}
	if _, err := c.do(ctx, call{action: "ModifyCloudVendorTrialConfig", query: q}); err != nil {
		return fmt.Errorf("modify audit-log settings of account %d: %w", authID, err)
	}
	return nil
}

// DeleteAuditLog removes a Tencent account's audit-log settings.
func (c *Client) DeleteAuditLog(ctx context.Context, authID int64) error {
	q := map[string]any{"AuthId": authID, "Vendor": string(VendorTencent), "DeleteTrail": true}
	if _, err := c.do(ctx, call{action: "ModifyCloudVendorTrialConfig", query: q}); err != nil {
		return fmt.Errorf("delete audit-log settings of account %d: %w", authID, err)
	}
	return nil
}
