package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"onboard/store"
	"onboard/tencent"
)

// deadTrack is a CloudAudit tracking set this tool created that delivers to a CLS topic which no longer
// exists: it delivers nothing, and once the audit logs have a new topic, that topic has its own set.
type deadTrack struct {
	entry store.LedgerEntry // the create that made it
	track tencent.AuditTrack
}

func (d deadTrack) String() string {
	return fmt.Sprintf("CloudAudit tracking set %s (%d), which delivers to deleted CLS topic %s in %s",
		d.track.Name, d.track.ID, d.track.Storage.Name, d.track.Storage.Region)
}

// deadTracks finds the tracking sets that the account's ledger says this tool created and still owns,
// other than the one delivering to topic current in region, whose topic is gone. Only the ledger makes a
// set ours: a set someone else made for a topic that is gone is theirs, and is never returned.
func (e *Engine) deadTracks(ctx context.Context, account, region, current string) ([]deadTrack, error) {
	if e.DB == nil {
		return nil, nil
	}
	entries, err := e.DB.Ledger(ctx, account)
	if err != nil {
		return nil, err
	}
	ours := slices.DeleteFunc(owned(entries), func(en store.LedgerEntry) bool { return en.Kind != kindTrack })
	if len(ours) == 0 {
		return nil, nil
	}
	tracks, err := e.Cloud.ListAuditTracks(ctx)
	if err != nil {
		return nil, err
	}
	topicsOf := map[string][]tencent.Topic{} // by region
	var out []deadTrack
	for _, en := range ours {
		i := slices.IndexFunc(tracks, func(t tencent.AuditTrack) bool { return strconv.FormatUint(t.ID, 10) == en.ResourceID })
		if i < 0 {
			continue // already gone: a rollback or offboard settles it
		}
		t := tracks[i]
		if t.Storage.Type != "cls" || (t.Storage.Region == region && t.Storage.Name == current) {
			continue
		}
		topics, listed := topicsOf[t.Storage.Region]
		if !listed {
			topics, err = e.Cloud.ListTopics(ctx, t.Storage.Region, "", "")
			if err != nil && !errors.Is(err, tencent.ErrNotFound) {
				return nil, fmt.Errorf("list the CLS topics of %s: %w", t.Storage.Region, err)
			}
			topicsOf[t.Storage.Region] = topics
		}
		if slices.ContainsFunc(topics, func(tp tencent.Topic) bool { return tp.ID == t.Storage.Name }) {
			continue
		}
		out = append(out, deadTrack{entry: en, track: t})
	}
	return out, nil
}

// retireDeadTracks removes, through the ledger, the tracking sets of ours whose topic is gone, once the
// audit logs deliver to topic. What it could not remove is named as partly done, with the way to remove
// it by hand: the delivery itself works.
func (r *run) retireDeadTracks(ctx context.Context, topic tencent.Topic) {
	dead, err := r.e.deadTracks(ctx, r.res.Account, r.req.AuditRegion, topic.ID)
	if err != nil {
		r.res.PartlyDone = append(r.res.PartlyDone, "look for tracking sets of deleted topics: "+err.Error())
		return
	}
	for _, d := range dead {
		w := object{Kind: kindTrack, Name: d.entry.Name, Parent: d.entry.Parent, Region: d.entry.Region, ID: d.entry.ResourceID}
		err := changing(ctx, r.ledger, store.LedgerDelete, w, func() error {
			if err := r.e.Cloud.DeleteAuditTrack(ctx, d.track.ID); err != nil && !errors.Is(err, tencent.ErrNotFound) {
				return err
			}
			return nil
		})
		if err == nil {
			err = r.ledger.forgetDeleted(ctx, kindTrack, d.entry.ResourceID)
		}
		if err != nil {
			r.res.PartlyDone = append(r.res.PartlyDone, fmt.Sprintf("remove %s: %v; delete it in the CloudAudit console", d, err))
			continue
		}
		r.res.Removed = append(r.res.Removed, d.String())
	}
}
