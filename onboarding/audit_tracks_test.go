package onboarding

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"onboard/store"
	"onboard/tencent"
)

// When the audit topic was deleted, repair delivers to a new topic and removes, through the ledger, the
// tracking set it had made for the dead topic. A set someone else made for that topic is left alone.
func TestRepairAfterTheTopicWasDeletedRemovesOurTrackingSetOfIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, everyFeature(), nil)
	if err != nil {
		t.Fatal(err)
	}
	au := res.AuditLogs
	theirs, err := f.admin.CreateAuditTrack(ctx, tencent.AuditTrackSpec{Name: "their-track", Enabled: true, ActionType: "Write",
		ResourceType: "*", EventNames: []string{"*"}, Storage: tencent.CLSAuditStorage(au.Region, au.TopicID)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.admin.DeleteTopic(ctx, au.Region, au.TopicID); err != nil {
		t.Fatal(err)
	}

	plan, err := f.engine.PlanRepair(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	ourRemoval := "remove CloudAudit tracking set " + auditTrackName(au.TopicID) + " (" + strconv.FormatUint(au.TrackID, 10) + ")"
	changes := plan.Changes()
	removesOurs := slices.ContainsFunc(changes, func(c Change) bool {
		return c.Op == OpDelete && c.Object == ObjectTrackingSet && c.ID == strconv.FormatUint(au.TrackID, 10) && strings.Contains(c.Detail, au.TopicID)
	})
	if !removesOurs || slices.ContainsFunc(changes, func(c Change) bool { return c.Name == "their-track" || c.ID == strconv.FormatUint(theirs.ID, 10) }) {
		t.Errorf("repair plan %+v: want the removal of tracking set %d and nothing of their-track", changes, au.TrackID)
	}

	rep, err := f.engine.Repair(ctx, res.Account, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Removed) != 1 || !strings.HasPrefix("remove "+rep.Removed[0], ourRemoval) || len(rep.PartlyDone) != 0 {
		t.Errorf("repair removed %q, partly done %q", rep.Removed, rep.PartlyDone)
	}
	if rep.AuditLogs == nil || rep.AuditLogs.TopicID == au.TopicID || rep.AuditLogs.TrackID == au.TrackID {
		t.Fatalf("repair's audit logs %+v: want a new topic and tracking set", rep.AuditLogs)
	}
	tracks, err := f.admin.ListAuditTracks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	has := func(id uint64) bool {
		return slices.ContainsFunc(tracks, func(t tencent.AuditTrack) bool { return t.ID == id })
	}
	if has(au.TrackID) || !has(theirs.ID) || !has(rep.AuditLogs.TrackID) {
		t.Errorf("tracking sets after repair %+v: want ours of the dead topic (%d) gone, theirs (%d) and the new one (%d) there",
			tracks, au.TrackID, theirs.ID, rep.AuditLogs.TrackID)
	}
	entries, err := f.engine.DB.Ledger(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	old := strconv.FormatUint(au.TrackID, 10)
	if slices.ContainsFunc(owned(entries), func(e store.LedgerEntry) bool { return e.Kind == kindTrack && e.ResourceID == old }) ||
		!slices.ContainsFunc(entries, func(e store.LedgerEntry) bool {
			return e.Action == store.LedgerDelete && e.Kind == kindTrack && e.ResourceID == old && e.State == store.LedgerMade
		}) {
		t.Errorf("the ledger does not record the removal of tracking set %s", old)
	}

	st, err := f.engine.Status(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	if st.Verdict != VerdictOK {
		t.Errorf("status after repair: %s %+v", st.Verdict, notOK(st))
	}
	if again, err := f.engine.Repair(ctx, res.Account, nil); err != nil || len(again.Removed) != 0 {
		t.Errorf("second repair: removed %q, %v", again.Removed, err)
	}
}

// A tracking set of ours whose topic is gone, left by an earlier version, is a warning that names repair.
func TestStatusWarnsOfOurTrackingSetOfADeletedTopic(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, everyFeature(), nil)
	if err != nil {
		t.Fatal(err)
	}
	au := res.AuditLogs
	// Another topic of ours, with its tracking set, whose topic is then deleted outside the tool.
	l := ledger{db: f.engine.DB, account: res.Account, runID: 1}
	spare, err := creating(ctx, l, object{Kind: kindTopic, Name: "spare", Parent: au.LogsetID, Region: au.Region},
		func() (tencent.Topic, error) {
			return f.admin.CreateTopic(ctx, au.Region, tencent.TopicSpec{LogsetID: au.LogsetID, Name: "spare"})
		}, func(t tencent.Topic) string { return t.ID })
	if err != nil {
		t.Fatal(err)
	}
	spec := tencent.AuditTrackSpec{Name: auditTrackName(spare.ID), Enabled: true, ActionType: "*", ResourceType: "*",
		EventNames: []string{"*"}, Storage: tencent.CLSAuditStorage(au.Region, spare.ID)}
	track, err := creating(ctx, l, object{Kind: kindTrack, Name: spec.Name, Parent: spare.ID, Region: au.Region},
		func() (tencent.AuditTrack, error) { return f.admin.CreateAuditTrack(ctx, spec) },
		func(t tencent.AuditTrack) string { return strconv.FormatUint(t.ID, 10) })
	if err != nil {
		t.Fatal(err)
	}
	if err := f.admin.DeleteTopic(ctx, au.Region, spare.ID); err != nil {
		t.Fatal(err)
	}
	st, err := f.engine.Status(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := findCheck(st, AreaAuditLogs, "old tracking sets")
	if !ok || c.Verdict != VerdictWarning || !strings.Contains(c.Detail, spec.Name) || c.Fix != "onboard repair --account "+res.Account {
		t.Fatalf("old tracking sets check %+v (found %v)", c, ok)
	}
	if _, err := f.engine.Repair(ctx, res.Account, nil); err != nil {
		t.Fatal(err)
	}
	tracks, _ := f.admin.ListAuditTracks(ctx)
	if slices.ContainsFunc(tracks, func(t tencent.AuditTrack) bool { return t.ID == track.ID }) {
		t.Error("repair left our tracking set of the deleted topic")
	}
	if st, _ := f.engine.Status(ctx, res.Account); st.Verdict != VerdictOK {
		t.Errorf("status after repair: %s %+v", st.Verdict, notOK(st))
	}
}
