package tencent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"onboard/emulator/tcloud"
)

func countCalls(emu *tcloud.Server, service, action string) int {
	n := 0
	for _, c := range emu.Calls() {
		if c.Service == service && c.Action == action {
			n++
		}
	}
	return n
}

func TestAuditLogDeliveryRoundTrip(t *testing.T) {
	c, _, _ := newEmulated(t)
	ctx := context.Background()
	const region = "ap-guangzhou"

	ls, err := c.CreateLogset(ctx, region, "cloudaudit")
	if err != nil || ls.ID == "" || ls.Region != region {
		t.Fatalf("create logset: %+v %v", ls, err)
	}
	if _, err := c.CreateLogset(ctx, region, "cloudaudit"); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate logset: %v, want ErrAlreadyExists", err)
	}
	if _, err := c.CreateTopic(ctx, region, TopicSpec{LogsetID: "no-such-logset", Name: "events"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("topic in an unknown logset: %v, want ErrNotFound", err)
	}
	topic, err := c.CreateTopic(ctx, region, TopicSpec{LogsetID: ls.ID, Name: "events", PeriodDays: 180})
	if err != nil || topic.ID == "" || topic.LogsetID != ls.ID {
		t.Fatalf("create topic: %+v %v", topic, err)
	}
	if _, err := c.CreateTopic(ctx, region, TopicSpec{LogsetID: ls.ID, Name: "events"}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate topic: %v, want ErrAlreadyExists", err)
	}
	// A second topic whose name contains the first: the name search must still find exactly one.
	if _, err := c.CreateTopic(ctx, region, TopicSpec{LogsetID: ls.ID, Name: "events-old"}); err != nil {
		t.Fatal(err)
	}

	sets, err := c.ListLogsets(ctx, region, "cloudaudit")
	if err != nil || len(sets) != 1 || sets[0].ID != ls.ID || sets[0].TopicCount != 2 || sets[0].Created == "" {
		t.Fatalf("list logsets by name: %+v %v", sets, err)
	}
	if sets, err := c.ListLogsets(ctx, region, "cloud"); err != nil || len(sets) != 0 {
		t.Fatalf("a name prefix matched: %+v %v", sets, err)
	}
	topics, err := c.ListTopics(ctx, region, ls.ID, "events")
	if err != nil || len(topics) != 1 || topics[0].ID != topic.ID || topics[0].PeriodDays != 180 {
		t.Fatalf("list topics by name: %+v %v", topics, err)
	}
	if all, err := c.ListTopics(ctx, region, ls.ID, ""); err != nil || len(all) != 2 {
		t.Fatalf("list the logset's topics: %+v %v", all, err)
	}

	k, err := c.GetKafkaConsumer(ctx, region, topic.ID)
	if err != nil || k.Enabled || k.TopicID != "" {
		t.Fatalf("consumer before opening: %+v %v", k, err)
	}
	opened, err := c.OpenKafkaConsumer(ctx, region, topic.ID, KafkaConsumerSpec{JSON: true, MetaFields: []string{"__SOURCE__", "__TIMESTAMP__"}})
	if err != nil || !opened.Enabled || opened.TopicID == "" || opened.TopicID == topic.ID {
		t.Fatalf("open consumer: %+v %v", opened, err)
	}
	if _, err := c.OpenKafkaConsumer(ctx, region, topic.ID, KafkaConsumerSpec{}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("second open: %v, want ErrAlreadyExists", err)
	}
	if _, err := c.OpenKafkaConsumer(ctx, region, "no-such-topic", KafkaConsumerSpec{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open on an unknown topic: %v, want ErrNotFound", err)
	}
	k, err = c.GetKafkaConsumer(ctx, region, topic.ID)
	if err != nil || !k.Enabled || k.TopicID != opened.TopicID || !k.JSON || k.Compression != KafkaNoCompression || k.History {
		t.Fatalf("consumer after opening: %+v %v", k, err)
	}
	// ModifyKafkaConsumer sets every field of the spec; Describe reads the scope back.
	if err := c.ModifyKafkaConsumer(ctx, region, topic.ID, KafkaConsumerSpec{Compression: KafkaLZ4, History: true}); err != nil {
		t.Fatal(err)
	}
	if k, err = c.GetKafkaConsumer(ctx, region, topic.ID); err != nil || !k.Enabled || k.JSON || k.Compression != KafkaLZ4 || !k.History {
		t.Fatalf("consumer after modifying: %+v %v", k, err)
	}
	if err := c.ModifyKafkaConsumer(ctx, region, "no-such-topic", KafkaConsumerSpec{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("modify on an unknown topic: %v, want ErrNotFound", err)
	}

	spec := AuditTrackSpec{Name: "onboard-audit", Enabled: true, ActionType: "*", ResourceType: "*", EventNames: []string{"*"},
		Storage: CLSAuditStorage(region, topic.ID)}
	missing := spec
	missing.Storage = CLSAuditStorage("ap-shanghai", topic.ID)
	if _, err := c.CreateAuditTrack(ctx, missing); err == nil || !strings.Contains(err.Error(), "FailedOperation.CheckClsTopicIsExistFailed") {
		t.Fatalf("track to a topic not in that region: %v", err)
	}
	track, err := c.CreateAuditTrack(ctx, spec)
	if err != nil || track.ID == 0 {
		t.Fatalf("create track: %+v %v", track, err)
	}
	if _, err := c.CreateAuditTrack(ctx, spec); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate track name: %v, want ErrAlreadyExists", err)
	}
	tracks, err := c.ListAuditTracks(ctx)
	if err != nil || len(tracks) != 1 {
		t.Fatalf("list tracks: %+v %v", tracks, err)
	}
	got := tracks[0]
	if got.ID != track.ID || !got.Enabled || got.Storage != spec.Storage || got.ResourceType != "*" || len(got.EventNames) != 1 || got.Created == "" {
		t.Fatalf("listed track: %+v, want %+v", got, spec)
	}
	if err := c.DeleteAuditTrack(ctx, track.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAuditTrack(ctx, track.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if tracks, err := c.ListAuditTracks(ctx); err != nil || len(tracks) != 0 {
		t.Fatalf("tracks after delete: %+v %v", tracks, err)
	}
}

func TestCLSAndAuditListingsReadEveryPage(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	const region = "ap-singapore"
	var main string
	for i := range 2*CLSPageMax + 5 {
		id := emu.SeedLogset(region, fmt.Sprintf("set-%03d", i))
		if i == 0 {
			main = id
		}
	}
	for i := range CLSPageMax + 1 {
		emu.SeedTopic(region, main, fmt.Sprintf("topic-%03d", i))
	}
	emu.ResetCalls()
	sets, err := c.ListLogsets(ctx, region, "")
	if err != nil || len(sets) != 2*CLSPageMax+5 || sets[2*CLSPageMax+4].Name != "set-204" {
		t.Fatalf("logsets: %d, %v", len(sets), err)
	}
	if n := countCalls(emu, "cls", "DescribeLogsets"); n != 3 {
		t.Errorf("DescribeLogsets sent %d times for 205 logsets, want 3", n)
	}
	topics, err := c.ListTopics(ctx, region, main, "")
	if err != nil || len(topics) != CLSPageMax+1 {
		t.Fatalf("topics: %d, %v", len(topics), err)
	}
	seen := map[string]bool{}
	for _, tp := range topics {
		seen[tp.ID] = true
	}
	if len(seen) != CLSPageMax+1 {
		t.Errorf("pages overlap: %d distinct topics", len(seen))
	}

	topic := emu.SeedTopic("ap-guangzhou", emu.SeedLogset("ap-guangzhou", "audit"), "events")
	const n = 2*auditTrackPageSize + 3
	for i := range n {
		if _, err := c.CreateAuditTrack(ctx, AuditTrackSpec{Name: fmt.Sprintf("track-%02d", i), ActionType: "Write", ResourceType: "cam",
			EventNames: []string{"AddUser", "DeleteUser"}, Storage: CLSAuditStorage("ap-guangzhou", topic)}); err != nil {
			t.Fatal(err)
		}
	}
	emu.ResetCalls()
	tracks, err := c.ListAuditTracks(ctx)
	if err != nil || len(tracks) != n || tracks[n-1].Name != fmt.Sprintf("track-%02d", n-1) || tracks[0].Enabled {
		t.Fatalf("tracks: %d, %v", len(tracks), err)
	}
	if got := countCalls(emu, "cloudaudit", "DescribeAuditTracks"); got != 3 {
		t.Errorf("DescribeAuditTracks sent %d times for %d tracks, want 3", got, n)
	}
}

func TestCLSAndAuditNeedTheSubUsersPermission(t *testing.T) {
	c, emu, endpoint := newEmulated(t)
	ctx := context.Background()
	ls := emu.SeedLogset("ap-guangzhou", "audit")
	topic := emu.SeedTopic("ap-guangzhou", ls, "events")
	u, err := c.CreateUser(ctx, UserSpec{Name: "reader"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, u.UIN, "")
	if err != nil {
		t.Fatal(err)
	}
	// CAM read access only: nothing of CLS or CloudAudit.
	p, err := c.FindPolicy(ctx, ScopePreset, "QcloudCamReadOnlyAccess")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttachUserPolicy(ctx, p.ID, u.UIN); err != nil {
		t.Fatal(err)
	}
	sub, _ := New(Options{Credential: Credential{SecretID: key.ID, SecretKey: key.Secret}, Endpoint: endpoint})
	checks := map[string]func() error{
		"cls:DescribeLogsets": func() error { _, err := sub.ListLogsets(ctx, "ap-guangzhou", ""); return err },
		"cls:CreateLogset":    func() error { _, err := sub.CreateLogset(ctx, "ap-guangzhou", "mine"); return err },
		"cls:CreateTopic": func() error {
			_, err := sub.CreateTopic(ctx, "ap-guangzhou", TopicSpec{LogsetID: ls, Name: "mine"})
			return err
		},
		"cls:OpenKafkaConsumer": func() error {
			_, err := sub.OpenKafkaConsumer(ctx, "ap-guangzhou", topic, KafkaConsumerSpec{})
			return err
		},
		"cls:DescribeKafkaConsumer":      func() error { _, err := sub.GetKafkaConsumer(ctx, "ap-guangzhou", topic); return err },
		"cls:ModifyKafkaConsumer":        func() error { return sub.ModifyKafkaConsumer(ctx, "ap-guangzhou", topic, KafkaConsumerSpec{}) },
		"cloudaudit:DescribeAuditTracks": func() error { _, err := sub.ListAuditTracks(ctx); return err },
		"cloudaudit:DeleteAuditTrack":    func() error { return sub.DeleteAuditTrack(ctx, 1) },
		"cloudaudit:CreateAuditTrack": func() error {
			_, err := sub.CreateAuditTrack(ctx, AuditTrackSpec{Name: "mine", ActionType: "*", ResourceType: "*", EventNames: []string{"*"},
				Storage: CLSAuditStorage("ap-guangzhou", topic)})
			return err
		},
	}
	for action, call := range checks {
		if err := call(); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), action) {
			t.Errorf("%s without permission: %v, want ErrDenied naming it", action, err)
		}
	}
	// The preset for CLS reads lets the listing through.
	p, err = c.FindPolicy(ctx, ScopePreset, "QcloudCLSReadOnlyAccess")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttachUserPolicy(ctx, p.ID, u.UIN); err != nil {
		t.Fatal(err)
	}
	if sets, err := sub.ListLogsets(ctx, "ap-guangzhou", ""); err != nil || len(sets) != 1 {
		t.Fatalf("with QcloudCLSReadOnlyAccess: %+v %v", sets, err)
	}
	if _, err := sub.CreateLogset(ctx, "ap-guangzhou", "mine"); !errors.Is(err, ErrDenied) {
		t.Fatalf("create with read-only access: %v", err)
	}
}

func TestCLSCreatesAreNotRepeatedButReadsAreRetried(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	emu.FailNext("cls:CreateLogset", tcloud.FaultDrop, 1)
	if _, err := c.CreateLogset(ctx, "ap-guangzhou", "once"); err == nil {
		t.Fatal("a create whose answer was lost reported success")
	}
	if n := countCalls(emu, "cls", "CreateLogset"); n != 1 {
		t.Fatalf("CreateLogset sent %d times after a dropped connection", n)
	}
	emu.FailNext("cloudaudit:DescribeAuditTracks", tcloud.FaultDrop, 2)
	if _, err := c.ListAuditTracks(ctx); err != nil {
		t.Fatalf("listing not retried: %v", err)
	}
	emu.FailNext("cls:DescribeTopics", "RequestLimitExceeded", 2)
	if _, err := c.ListTopics(ctx, "ap-guangzhou", "", ""); err != nil {
		t.Fatalf("throttled listing not retried: %v", err)
	}
}

func TestAuditLogDeliveryIsUndoneInReverse(t *testing.T) {
	c, _, _ := newEmulated(t)
	ctx := context.Background()
	const region = "ap-guangzhou"
	ls, err := c.CreateLogset(ctx, region, "audit")
	if err != nil {
		t.Fatal(err)
	}
	topic, err := c.CreateTopic(ctx, region, TopicSpec{LogsetID: ls.ID, Name: "events"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenKafkaConsumer(ctx, region, topic.ID, KafkaConsumerSpec{JSON: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLogset(ctx, region, ls.ID); !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), "LogsetNotEmpty") {
		t.Fatalf("a logset with a topic was deleted: %v", err)
	}
	if err := c.CloseKafkaConsumer(ctx, region, topic.ID); err != nil {
		t.Fatal(err)
	}
	if k, err := c.GetKafkaConsumer(ctx, region, topic.ID); err != nil || k.Enabled {
		t.Fatalf("consumption still open: %+v %v", k, err)
	}
	if err := c.DeleteTopic(ctx, region, topic.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTopic(ctx, region, topic.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete of the topic: %v, want ErrNotFound", err)
	}
	if err := c.DeleteLogset(ctx, region, ls.ID); err != nil {
		t.Fatal(err)
	}
	if sets, err := c.ListLogsets(ctx, region, "audit"); err != nil || len(sets) != 0 {
		t.Fatalf("logsets after delete: %+v %v", sets, err)
	}
}
