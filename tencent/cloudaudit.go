package tencent

import (
	"context"
	"fmt"

	cloudaudit "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cloudaudit/v20190319"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// auditTrackPageSize is the page DescribeAuditTracks is asked for; the service publishes no maximum.
const auditTrackPageSize = 20

// AuditStorage is where a tracking set delivers events.
type AuditStorage struct {
	Type   string // "cls", "cos" or "ckafka"
	Region string
	// Name is the CLS topic ID for "cls", the bucket name (without -APPID) for "cos".
	Name   string
	Prefix string
}

// AuditTrack is a CloudAudit tracking set. Tracking sets belong to the account, not to a region.
type AuditTrack struct {
	ID           uint64
	Name         string
	Enabled      bool   // Status 1
	ActionType   string // "Read", "Write" or "*"
	ResourceType string // a product such as "cam", or "*"
	EventNames   []string
	Storage      AuditStorage
	Created      string
}

// AuditTrackSpec describes a tracking set to create. With ResourceType "*" the service only accepts
// EventNames ["*"].
type AuditTrackSpec struct {
	Name         string
	Enabled      bool
	ActionType   string
	ResourceType string
	EventNames   []string
	Storage      AuditStorage
}

// CLSAuditStorage is the storage that delivers to a CLS topic.
func CLSAuditStorage(region, topicID string) AuditStorage {
	return AuditStorage{Type: "cls", Region: region, Name: topicID, Prefix: "cloudaudit"}
}

// The API needs a region to route to; tracking sets are the account's, so any region serves. The
// client's default region is used.
func (c *Client) cloudaudit() (*cloudaudit.Client, error) {
	return sdkClient(c, "cloudaudit", c.opts.Region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*cloudaudit.Client, error) {
		return cloudaudit.NewClient(cr, r, p)
	})
}

// CreateAuditTrack creates a tracking set and returns it with its ID.
func (c *Client) CreateAuditTrack(ctx context.Context, spec AuditTrackSpec) (AuditTrack, error) {
	cl, err := c.cloudaudit()
	if err != nil {
		return AuditTrack{}, err
	}
	req := cloudaudit.NewCreateAuditTrackRequest()
	req.Name = common.StringPtr(spec.Name)
	req.Status = common.Uint64Ptr(boolToUint(spec.Enabled))
	req.ActionType = common.StringPtr(spec.ActionType)
	req.ResourceType = common.StringPtr(spec.ResourceType)
	req.EventNames = common.StringPtrs(append([]string{}, spec.EventNames...))
	req.Storage = &cloudaudit.Storage{StorageType: common.StringPtr(spec.Storage.Type), StorageRegion: common.StringPtr(spec.Storage.Region),
		StorageName: common.StringPtr(spec.Storage.Name), StoragePrefix: common.StringPtr(spec.Storage.Prefix)}
	var id uint64
	err = c.do(ctx, "cloudaudit", "CreateAuditTrack", true, func() error {
		resp, err := cl.CreateAuditTrackWithContext(ctx, req)
		if err == nil {
			id = u64(resp.Response.TrackId)
		}
		return err
	})
	if err != nil {
		return AuditTrack{}, fmt.Errorf("create audit track %q: %w", spec.Name, err)
	}
	return AuditTrack{ID: id, Name: spec.Name, Enabled: spec.Enabled, ActionType: spec.ActionType, ResourceType: spec.ResourceType,
		EventNames: spec.EventNames, Storage: spec.Storage}, nil
}

// ListAuditTracks returns every tracking set of the account, over all pages.
func (c *Client) ListAuditTracks(ctx context.Context) ([]AuditTrack, error) {
	cl, err := c.cloudaudit()
	if err != nil {
		return nil, err
	}
	var out []AuditTrack
	for page := uint64(1); ; page++ {
		req := cloudaudit.NewDescribeAuditTracksRequest()
		req.PageNumber = common.Uint64Ptr(page)
		req.PageSize = common.Uint64Ptr(auditTrackPageSize)
		var total uint64
		var got int
		err := c.do(ctx, "cloudaudit", "DescribeAuditTracks", false, func() error {
			resp, err := cl.DescribeAuditTracksWithContext(ctx, req)
			if err != nil {
				return err
			}
			total, got = u64(resp.Response.TotalCount), len(resp.Response.Tracks)
			for _, t := range resp.Response.Tracks {
				track := AuditTrack{ID: u64(t.TrackId), Name: str(t.Name), Enabled: u64(t.Status) == 1, ActionType: str(t.ActionType),
					ResourceType: str(t.ResourceType), EventNames: strs(t.EventNames), Created: str(t.CreateTime)}
				if s := t.Storage; s != nil {
					track.Storage = AuditStorage{Type: str(s.StorageType), Region: str(s.StorageRegion), Name: str(s.StorageName), Prefix: str(s.StoragePrefix)}
				}
				out = append(out, track)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list audit tracks (page %d): %w", page, err)
		}
		if got == 0 || page*auditTrackPageSize >= total {
			return out, nil
		}
	}
}

// DeleteAuditTrack deletes a tracking set; an unknown ID is ErrNotFound.
func (c *Client) DeleteAuditTrack(ctx context.Context, id uint64) error {
	cl, err := c.cloudaudit()
	if err != nil {
		return err
	}
	req := cloudaudit.NewDeleteAuditTrackRequest()
	req.TrackId = common.Uint64Ptr(id)
	err = c.do(ctx, "cloudaudit", "DeleteAuditTrack", true, func() error {
		_, err := cl.DeleteAuditTrackWithContext(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete audit track %d: %w", id, err)
	}
	return nil
}
