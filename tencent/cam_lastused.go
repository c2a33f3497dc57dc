package tencent

import (
	"context"
	"fmt"
	"time"

	cam "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cam/v20190116"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// KeyUse is when CAM last saw a key used. A zero At means CAM reports no use (a new key, or none yet).
type KeyUse struct {
	KeyID string
	At    time.Time
}

// maxLastUsedIDs is GetSecurityLastUsed's limit of SecretIds per call ("最多支持10个",
// https://www.tencentcloud.com/document/api/598/41082).
const maxLastUsedIDs = 10

// KeysLastUsed asks CAM when each key was last used (GetSecurityLastUsed). CAM's LastUsedDate lags by a
// day; LastSecretUsedDate, when set, is the more precise time and is preferred.
func (c *Client) KeysLastUsed(ctx context.Context, keyIDs []string) ([]KeyUse, error) {
	cl, err := c.cam()
	if err != nil {
		return nil, err
	}
	var out []KeyUse
	for start := 0; start < len(keyIDs); start += maxLastUsedIDs {
		batch := keyIDs[start:min(start+maxLastUsedIDs, len(keyIDs))]
		req := cam.NewGetSecurityLastUsedRequest()
		req.SecretIdList = common.StringPtrs(batch)
		var rows []KeyUse
		err = c.do(ctx, "cam", "GetSecurityLastUsed", false, func() error {
			resp, err := cl.GetSecurityLastUsedWithContext(ctx, req)
			if err == nil {
				rows = rows[:0]
				for _, row := range resp.Response.SecretIdLastUsedRows {
					rows = append(rows, KeyUse{KeyID: str(row.SecretId), At: lastUsedTime(row)})
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read the last use of %d keys: %w", len(batch), err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// lastUsedTime reads a row's time: LastSecretUsedDate as Unix seconds when set, otherwise LastUsedDate
// (a date, or a date and time; the documentation shows neither format, so both are accepted).
func lastUsedTime(row *cam.SecretIdLastUsed) time.Time {
	if row.LastSecretUsedDate != nil && *row.LastSecretUsedDate > 0 {
		return time.Unix(int64(*row.LastSecretUsedDate), 0).UTC()
	}
	date := str(row.LastUsedDate)
	for _, layout := range []string{time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, date); err == nil {
			return t
		}
	}
	return time.Time{}
}
