package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"onboard/policy"
	"onboard/retry"
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// AuditLogs is what the engine asks of Tencent Cloud to deliver audit logs: CLS and CloudAudit.
type AuditLogs interface {
	ListLogsets(ctx context.Context, region, name string) ([]tencent.Logset, error)
	CreateLogset(ctx context.Context, region, name string) (tencent.Logset, error)
	ListTopics(ctx context.Context, region, logsetID, name string) ([]tencent.Topic, error)
	CreateTopic(ctx context.Context, region string, spec tencent.TopicSpec) (tencent.Topic, error)
	GetKafkaConsumer(ctx context.Context, region, topicID string) (tencent.KafkaConsumer, error)
	OpenKafkaConsumer(ctx context.Context, region, topicID string, spec tencent.KafkaConsumerSpec) (tencent.KafkaConsumer, error)
	ModifyKafkaConsumer(ctx context.Context, region, topicID string, spec tencent.KafkaConsumerSpec) error
	ListAuditTracks(ctx context.Context) ([]tencent.AuditTrack, error)
	CreateAuditTrack(ctx context.Context, spec tencent.AuditTrackSpec) (tencent.AuditTrack, error)
	// DeleteAuditTrack removes a tracking set of ours whose topic was deleted (retireDeadTracks).
	DeleteAuditTrack(ctx context.Context, id uint64) error
}

// AuditLogsResult is where audit logs are delivered and how Security Center consumes them.
type AuditLogsResult struct {
	Region           string `json:"region"`
	LogsetID         string `json:"logset_id"`
	TopicID          string `json:"topic_id"`
	TrackID          uint64 `json:"track_id"`
	KafkaTopic       string `json:"kafka_topic"`
	KafkaNetwork     string `json:"kafka_network"`
	BootstrapServers string `json:"bootstrap_servers"`
	// SecurityCenterStatus is Security Center's verdict on the Kafka settings (enable when consuming).
	SecurityCenterStatus string `json:"security_center_status,omitempty"`
}

// Journal ID keys of the audit-logs step.
const (
	idCreatedLogset = "created_logset"
	idCreatedTopic  = "created_topic"
	idOpenedKafka   = "opened_kafka"
	idAuditRegion   = "audit_region"
	idCreatedTrack  = "created_track"
)

// auditTrackName names our tracking set after its topic: one name per delivery, stable across runs.
func auditTrackName(topicID string) string {
	if len(topicID) > 8 {
		topicID = topicID[:8]
	}
	return "onboard-" + topicID
}

// auditConsumer is how Security Center asks to consume audit logs: JSON, no compression, history and
// latest.
var auditConsumer = tencent.KafkaConsumerSpec{Compression: tencent.KafkaNoCompression, JSON: true, History: true}

// ensureAudit delivers every CloudAudit event to a CLS topic that Security Center reads over Kafka:
// logset, topic, tracking set, Kafka consumption, then ciemPolicy rendered with their IDs and attached.
// Each is found and reused when it exists, so a re-run creates nothing.
func (r *run) ensureAudit(ctx context.Context) (map[string]string, error) {
	if !slices.Contains(r.req.Features, policy.FeatureAudit) {
		return nil, nil
	}
	logs, region := r.e.Cloud, r.req.AuditRegion
	ids := map[string]string{idAuditRegion: region}
	ls, created, err := r.auditLogset(ctx)
	if err != nil {
		return nil, err
	}
	if created {
		ids[idCreatedLogset] = ls.ID
		r.res.Created = append(r.res.Created, fmt.Sprintf("CLS logset %s (%s) in %s", ls.Name, ls.ID, region))
	} else {
		r.res.Reused = append(r.res.Reused, "CLS logset "+ls.ID)
	}
	topic, created, err := r.auditTopic(ctx, ls)
	if err != nil {
		return nil, err
	}
	if created {
		ids[idCreatedTopic] = topic.ID
		r.res.Created = append(r.res.Created, fmt.Sprintf("CLS topic %s (%s)", topic.Name, topic.ID))
	} else {
		r.res.Reused = append(r.res.Reused, "CLS topic "+topic.ID)
	}
	track, created, err := r.auditTrack(ctx, topic)
	if err != nil {
		return nil, err
	}
	if created {
		ids[idCreatedTrack] = strconv.FormatUint(track.ID, 10)
		r.res.Created = append(r.res.Created, fmt.Sprintf("CloudAudit tracking set %s delivering all events to topic %s", track.Name, topic.ID))
	} else {
		r.res.Reused = append(r.res.Reused, "CloudAudit tracking set "+track.Name)
	}
	consumer, err := logs.GetKafkaConsumer(ctx, region, topic.ID)
	if err != nil {
		return nil, err
	}
	diff, err := r.kafkaDifferences(consumer, topic)
	switch {
	case err != nil:
		return nil, err
	case !consumer.Enabled:
		consumer, err = creating(ctx, r.ledger, object{Kind: kindKafka, Name: topic.ID, Parent: ls.ID, Region: region},
			func() (tencent.KafkaConsumer, error) {
				return logs.OpenKafkaConsumer(ctx, region, topic.ID, auditConsumer)
			},
			func(tencent.KafkaConsumer) string { return topic.ID })
		if err != nil {
			return nil, err
		}
		ids[idOpenedKafka] = topic.ID
		r.res.Created = append(r.res.Created, "Kafka consumption of topic "+topic.ID)
	case len(diff) > 0:
		modify := func() error { return logs.ModifyKafkaConsumer(ctx, region, topic.ID, auditConsumer) }
		w := object{Kind: kindKafka, Name: topic.ID, Parent: ls.ID, Region: region, ID: topic.ID}
		if err := changing(ctx, r.ledger, store.LedgerChange, w, modify); err != nil {
			return nil, err
		}
		r.res.Created = append(r.res.Created, "Kafka consumption of topic "+topic.ID+" updated ("+strings.Join(diff, "; ")+")")
	default:
		r.res.Reused = append(r.res.Reused, "Kafka consumption of topic "+topic.ID)
	}
	bootstrap, err := tencent.KafkaBootstrap(region, r.req.KafkaNetwork)
	if err != nil {
		return nil, err
	}
	if err := r.grantCIEM(ctx, ls, topic, ids); err != nil {
		return nil, err
	}
	r.retireDeadTracks(ctx, topic)
	r.audit = &AuditLogsResult{Region: region, LogsetID: ls.ID, TopicID: topic.ID, TrackID: track.ID, KafkaTopic: consumer.TopicID,
		KafkaNetwork: r.req.KafkaNetwork, BootstrapServers: bootstrap}
	r.res.AuditLogs = r.audit
	return ids, nil
}

// kafkaDifferences says how open Kafka consumption of the topic differs from auditConsumer, the way
// Security Center reads it: scope, format and compression. Consumption of our own topic is to be updated;
// consumption that someone opened differently on a topic the request names is theirs, and is refused
// naming the difference rather than changed under its other readers or reused as it is.
func (r *run) kafkaDifferences(have tencent.KafkaConsumer, topic tencent.Topic) ([]string, error) {
	if !have.Enabled {
		return nil, nil
	}
	var diff []string
	if have.History != auditConsumer.History {
		diff = append(diff, "scope "+kafkaScope(have.History)+", Security Center needs "+kafkaScope(auditConsumer.History))
	}
	if have.JSON != auditConsumer.JSON {
		diff = append(diff, "format "+kafkaFormat(have.JSON)+", Security Center needs "+kafkaFormat(auditConsumer.JSON))
	}
	if have.Compression != auditConsumer.Compression {
		diff = append(diff, "compression "+kafkaCompression(have.Compression)+", Security Center needs "+kafkaCompression(auditConsumer.Compression))
	}
	if len(diff) > 0 && r.req.AuditTopic != AuditNew {
		return nil, &FieldError{Field: "audit-topic", Message: fmt.Sprintf("Kafka consumption of topic %s is open with other settings than Security Center reads (%s); change them in the CLS console (the topic's Kafka consumption), or choose a new topic",
			topic.ID, strings.Join(diff, "; "))}
	}
	return diff, nil
}

func kafkaScope(history bool) string {
	if history {
		return "history and latest"
	}
	return "latest only"
}

func kafkaFormat(json bool) string {
	if json {
		return "JSON"
	}
	return "raw"
}

func kafkaCompression(c tencent.KafkaCompression) string {
	switch c {
	case tencent.KafkaNoCompression:
		return "none"
	case tencent.KafkaSnappy:
		return "snappy"
	case tencent.KafkaLZ4:
		return "lz4"
	}
	return strconv.Itoa(int(c))
}

// findAuditLogset finds the logset the request names: the given ID (an error naming the flag when it
// does not exist), or ours by name (found is false when there is none yet).
func (r *run) findAuditLogset(ctx context.Context) (ls tencent.Logset, found bool, err error) {
	region := r.req.AuditRegion
	if r.req.AuditLogset == AuditNew {
		ours, err := r.e.Cloud.ListLogsets(ctx, region, AuditLogsetName)
		return first(ours), len(ours) > 0, err
	}
	all, err := r.e.Cloud.ListLogsets(ctx, region, "")
	if err != nil {
		return tencent.Logset{}, false, err
	}
	if i := slices.IndexFunc(all, func(l tencent.Logset) bool { return l.ID == r.req.AuditLogset }); i >= 0 {
		return all[i], true, nil
	}
	return tencent.Logset{}, false, &FieldError{Field: "audit-logset", Message: fmt.Sprintf("no logset %s in %s; give a logset ID of that region, or new", r.req.AuditLogset, region)}
}

// findAuditTopic finds the topic the request names in the logset, as findAuditLogset does.
func (r *run) findAuditTopic(ctx context.Context, ls tencent.Logset) (topic tencent.Topic, found bool, err error) {
	region := r.req.AuditRegion
	if r.req.AuditTopic == AuditNew {
		ours, err := r.e.Cloud.ListTopics(ctx, region, ls.ID, AuditTopicName)
		return first(ours), len(ours) > 0, err
	}
	all, err := r.e.Cloud.ListTopics(ctx, region, ls.ID, "")
	if err != nil {
		return tencent.Topic{}, false, err
	}
	if i := slices.IndexFunc(all, func(t tencent.Topic) bool { return t.ID == r.req.AuditTopic }); i >= 0 {
		return all[i], true, nil
	}
	return tencent.Topic{}, false, &FieldError{Field: "audit-topic", Message: fmt.Sprintf("no topic %s in logset %s (%s); give a topic of that logset, or new", r.req.AuditTopic, ls.ID, region)}
}

// findAuditTrack finds the tracking set that delivers to the topic.
func (r *run) findAuditTrack(ctx context.Context, topic tencent.Topic) (tencent.AuditTrack, bool, error) {
	tracks, err := r.e.Cloud.ListAuditTracks(ctx)
	if err != nil {
		return tencent.AuditTrack{}, false, err
	}
	i := slices.IndexFunc(tracks, func(t tencent.AuditTrack) bool {
		return t.Storage.Type == "cls" && t.Storage.Region == r.req.AuditRegion && t.Storage.Name == topic.ID
	})
	if i < 0 {
		return tencent.AuditTrack{}, false, nil
	}
	return tracks[i], true, nil
}

// auditLogset finds the logset, or creates ours; created says whether this run made it.
func (r *run) auditLogset(ctx context.Context) (tencent.Logset, bool, error) {
	ls, found, err := r.findAuditLogset(ctx)
	if err != nil || found {
		return ls, false, err
	}
	ls, err = creating(ctx, r.ledger, object{Kind: kindLogset, Name: AuditLogsetName, Region: r.req.AuditRegion},
		func() (tencent.Logset, error) { return r.e.Cloud.CreateLogset(ctx, r.req.AuditRegion, AuditLogsetName) },
		func(ls tencent.Logset) string { return ls.ID })
	return ls, err == nil, err
}

// auditTopic finds the topic, or creates ours in the logset.
func (r *run) auditTopic(ctx context.Context, ls tencent.Logset) (tencent.Topic, bool, error) {
	t, found, err := r.findAuditTopic(ctx, ls)
	if err != nil || found {
		return t, false, err
	}
	t, err = creating(ctx, r.ledger, object{Kind: kindTopic, Name: AuditTopicName, Parent: ls.ID, Region: r.req.AuditRegion},
		func() (tencent.Topic, error) {
			return r.e.Cloud.CreateTopic(ctx, r.req.AuditRegion, tencent.TopicSpec{LogsetID: ls.ID, Name: AuditTopicName})
		},
		func(t tencent.Topic) string { return t.ID })
	return t, err == nil, err
}

// auditTrack finds the tracking set of the topic, or creates one for every event of every resource type
// (CloudAudit takes EventNames ["*"] only with ResourceType "*").
func (r *run) auditTrack(ctx context.Context, topic tencent.Topic) (tencent.AuditTrack, bool, error) {
	t, found, err := r.findAuditTrack(ctx, topic)
	if err != nil || found {
		return t, false, err
	}
	spec := tencent.AuditTrackSpec{Name: auditTrackName(topic.ID), Enabled: true, ActionType: "*",
		ResourceType: "*", EventNames: []string{"*"}, Storage: tencent.CLSAuditStorage(r.req.AuditRegion, topic.ID)}
	t, err = creating(ctx, r.ledger, object{Kind: kindTrack, Name: spec.Name, Parent: topic.ID, Region: r.req.AuditRegion},
		func() (tencent.AuditTrack, error) { return r.e.Cloud.CreateAuditTrack(ctx, spec) },
		func(t tencent.AuditTrack) string { return strconv.FormatUint(t.ID, 10) })
	return t, err == nil, err
}

// grantCIEM renders ciemPolicy with the real IDs, creates or repairs it, and attaches it.
func (r *run) grantCIEM(ctx context.Context, ls tencent.Logset, topic tencent.Topic, ids map[string]string) error {
	g := policy.Grant{Name: policy.CIEMPolicy}
	values := policy.Values{TopicID: topic.ID, LogsetID: ls.ID, Region: r.req.AuditRegion, RootAccountID: r.id.OwnerUIN}
	id, created, err := r.ensurePolicy(ctx, g, values)
	if err != nil {
		return err
	}
	if created {
		ids[idCreatedPolicy+g.Name] = fmt.Sprint(id)
	}
	attached, err := r.e.Cloud.ListAttachedUserPolicies(ctx, r.user.UIN)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(attached, func(a tencent.AttachedPolicy) bool { return a.ID == id }) {
		r.res.Reused = append(r.res.Reused, "grant "+g.Name)
		return nil
	}
	if err := r.attach(ctx, g.Name, id); err != nil {
		return fmt.Errorf("attach %s to %s: %w", g.Name, r.user.Name, err)
	}
	ids[idAttached+g.Name] = fmt.Sprint(id)
	r.res.Created = append(r.res.Created, "grant "+g.Name)
	return nil
}

// planAudit says what ensureAudit would do, reading only: deliver the audit logs, then remove our
// tracking sets of deleted topics.
func (r *run) planAudit(ctx context.Context) ([]Change, error) {
	if !slices.Contains(r.req.Features, policy.FeatureAudit) {
		return nil, nil
	}
	out, err := r.planAuditDelivery(ctx)
	if err != nil {
		return nil, err
	}
	current := "" // the topic the plan reuses; none when it creates one
	if i := slices.IndexFunc(out, func(c Change) bool { return c.Object == ObjectTopic && c.Op == OpReuse }); i >= 0 {
		current = out[i].ID
	}
	dead, err := r.e.deadTracks(ctx, r.res.Account, r.req.AuditRegion, current)
	if err != nil {
		return nil, err
	}
	for _, d := range dead {
		out = append(out, Change{Op: OpDelete, Object: ObjectTrackingSet, Name: d.track.Name, ID: strconv.FormatUint(d.track.ID, 10),
			Detail: "delivers to deleted CLS topic " + d.track.Storage.Name + " in " + d.track.Storage.Region})
	}
	return out, nil
}

// planAuditDelivery says what ensureAudit would do to deliver the audit logs.
func (r *run) planAuditDelivery(ctx context.Context) ([]Change, error) {
	region := r.req.AuditRegion
	var out []Change
	ls, lsFound, err := r.findAuditLogset(ctx)
	if err != nil {
		return nil, err
	}
	topic, topicFound := tencent.Topic{}, false
	if lsFound {
		out = append(out, Change{Op: OpReuse, Object: ObjectLogset, Name: ls.Name, ID: ls.ID})
		if topic, topicFound, err = r.findAuditTopic(ctx, ls); err != nil {
			return nil, err
		}
	} else {
		out = append(out, Change{Op: OpCreate, Object: ObjectLogset, Name: AuditLogsetName, Detail: "in " + region})
	}
	if !topicFound {
		out = append(out, Change{Op: OpCreate, Object: ObjectTopic, Name: AuditTopicName},
			Change{Op: OpCreate, Object: ObjectTrackingSet, Name: "onboard-<topic ID>", Detail: "all events to the new topic"},
			Change{Op: OpCreate, Object: ObjectKafka, Name: AuditTopicName, Detail: "open Kafka consumption of the new topic"})
		ciem, err := r.planCIEM(ctx, ls, topic, false)
		return append(out, ciem...), err
	}
	out = append(out, Change{Op: OpReuse, Object: ObjectTopic, Name: topic.Name, ID: topic.ID})
	if track, found, err := r.findAuditTrack(ctx, topic); err != nil {
		return nil, err
	} else if found {
		out = append(out, Change{Op: OpReuse, Object: ObjectTrackingSet, Name: track.Name, ID: fmt.Sprint(track.ID)})
	} else {
		out = append(out, Change{Op: OpCreate, Object: ObjectTrackingSet, Name: auditTrackName(topic.ID), Detail: "all events to topic " + topic.ID})
	}
	consumer, err := r.e.Cloud.GetKafkaConsumer(ctx, region, topic.ID)
	if err != nil {
		return nil, err
	}
	diff, err := r.kafkaDifferences(consumer, topic)
	switch {
	case err != nil:
		return nil, err
	case !consumer.Enabled:
		out = append(out, Change{Op: OpCreate, Object: ObjectKafka, Name: topic.ID, Detail: "open Kafka consumption of that topic"})
	case len(diff) > 0:
		out = append(out, Change{Op: OpUpdate, Object: ObjectKafka, Name: topic.ID, ID: topic.ID, Detail: strings.Join(diff, "; ")})
	default:
		out = append(out, Change{Op: OpReuse, Object: ObjectKafka, Name: topic.ID, ID: topic.ID})
	}
	ciem, err := r.planCIEM(ctx, ls, topic, true)
	return append(out, ciem...), err
}

// planCIEM plans ciemPolicy and its attachment; known says the logset and topic exist, so the policy's
// document is final.
func (r *run) planCIEM(ctx context.Context, ls tencent.Logset, topic tencent.Topic, known bool) ([]Change, error) {
	attached, err := r.attachedPolicies(ctx)
	if err != nil {
		return nil, err
	}
	values := policy.Values{TopicID: topic.ID, LogsetID: ls.ID, Region: r.req.AuditRegion, RootAccountID: r.id.OwnerUIN}
	return r.planGrant(ctx, policy.Grant{Name: policy.CIEMPolicy}, values, attached, known)
}

func first[T any](s []T) T {
	var zero T
	if len(s) == 0 {
		return zero
	}
	return s[0]
}

// verifyKafka logs in to the audit logs' Kafka address with the new key, as Security Center will. A
// refused login is tried again within wait: CAM may not have applied ciemPolicy to the new key yet.
func (r *run) verifyKafka(ctx context.Context, wait *camWait) error {
	check := tencent.KafkaCheck{Bootstrap: r.audit.BootstrapServers, LogsetID: r.audit.LogsetID, Topic: r.audit.KafkaTopic,
		Credential: tencent.Credential{SecretID: r.key.ID, SecretKey: r.key.Secret}}
	verify := tencent.VerifyKafka
	if r.e.VerifyKafka != nil {
		verify = r.e.VerifyKafka
	}
	refused := func(err error) bool { return errors.Is(err, tencent.ErrKafkaLogin) }
	return wait.until(ctx, refused, func() error { return verify(ctx, check) })
}

// auditSettings are the Kafka settings Security Center consumes audit logs with.
func (a *AuditLogsResult) settings() securitycenter.AuditLogSettings {
	return securitycenter.AuditLogSettings{KafkaUser: a.LogsetID, BootstrapServers: a.BootstrapServers, Topic: a.KafkaTopic}
}

// recordAudit puts the audit-log delivery into the account record.
func (r *run) recordAudit(a *store.Account) {
	if r.audit != nil {
		a.Audit = store.AuditLog{Region: r.audit.Region, LogsetID: r.audit.LogsetID, TopicID: r.audit.TopicID,
			KafkaTopic: r.audit.KafkaTopic, TrackID: strconv.FormatUint(r.audit.TrackID, 10)}
	}
}

// idCreatedSCAudit is the AuthId whose audit-log settings the run added to a Security Center account it
// reused (an account it added takes its settings with it when rolled back).
const idCreatedSCAudit = "created_security_center_audit"

// ensureAuditSettings gives Security Center the Kafka settings of the audit logs, or corrects them, and
// waits until it consumes them (status enable).
func (r *run) ensureAuditSettings(ctx context.Context, authID int64) error {
	if r.audit == nil {
		return nil
	}
	sc, want := r.e.SecurityCenter, r.audit.settings()
	have, err := sc.AuditLog(ctx, authID)
	switch {
	case errors.Is(err, securitycenter.ErrNotFound) || (err == nil && have.Status == ""):
		add := func() error { return sc.AddAuditLog(ctx, authID, want) }
		w := object{Kind: kindSCAuditLog, Name: want.Topic, Parent: strconv.FormatInt(authID, 10)}
		if err := creatingNoValue(ctx, r.ledger, w, w.Parent, add); err != nil {
			return err
		}
		ids := map[string]string{idCreatedSCAudit: strconv.FormatInt(authID, 10)}
		if err := r.e.DB.JournalDone(ctx, r.journal.ID, "security-center-audit-logs", ids); err != nil {
			return err
		}
		r.res.Created = append(r.res.Created, fmt.Sprintf("Security Center audit-log settings (Kafka topic %s)", want.Topic))
	case err != nil:
		return err
	case have.Settings != want:
		modify := func() error { return sc.ModifyAuditLog(ctx, authID, want) }
		w := object{Kind: kindSCAuditLog, Name: want.Topic, Parent: strconv.FormatInt(authID, 10), ID: strconv.FormatInt(authID, 10)}
		if err := changing(ctx, r.ledger, store.LedgerChange, w, modify); err != nil {
			return err
		}
		r.res.Created = append(r.res.Created, "Security Center audit-log settings updated")
	default:
		r.res.Reused = append(r.res.Reused, "Security Center audit-log settings")
	}
	// Security Center tries the Kafka login in the background: ask again soon, then less often.
	var st securitycenter.AuditLogStatus
	err = retry.Until(ctx, retry.Backoff{First: 50 * time.Millisecond, Max: time.Second}, validationWait, func() (done bool, err error) {
		if st, err = sc.AuditLog(ctx, authID); err != nil {
			return false, err
		}
		switch st.Status {
		case "enable":
			return true, nil
		case "error", "timeout", "disable":
			return false, fmt.Errorf("audit logs not consumed by Security Center (status %s): %s", st.Status, st.Message)
		}
		return false, nil
	})
	if errors.Is(err, retry.ErrDeadline) {
		return fmt.Errorf("audit-log settings not accepted by Security Center after %s (status %s)", validationWait, st.Status)
	}
	if err != nil {
		return err
	}
	r.audit.SecurityCenterStatus = st.Status
	return nil
}
