package tcloud

import (
	"regexp"
	"slices"
	"strconv"
	"time"
)

// auditTrack is a CloudAudit tracking set. Tracking sets belong to the account: any API region lists them
// all (the API only needs some region to route the call).
type auditTrack struct {
	id                       uint64
	name                     string
	status                   uint64
	actionType, resourceType string
	eventNames               []string
	storage                  auditStorage
	created                  time.Time
}

// auditStorage is the models' Storage, with their field names.
type auditStorage struct {
	StorageType, StorageRegion, StorageName, StoragePrefix *string
	StorageAccountId                                       *string `json:",omitempty"`
	StorageAppId                                           *string `json:",omitempty"`
	Compress                                               *uint64 `json:",omitempty"`
}

// maxAuditTracks is the number of tracking sets an account may have; the real quota is unpublished
// (unconfirmed), and past it CreateAuditTrack answers LimitExceeded.OverAmount.
const maxAuditTracks = 50

// maxAuditTrackPage is the largest PageSize DescribeAuditTracks serves here (the real maximum is
// unpublished, unconfirmed).
const maxAuditTrackPage = 100

var trackName = regexp.MustCompile(`^[A-Za-z0-9_-]{3,48}$`)

func (s *Server) createAuditTrack(r *request) (any, *apiError) {
	var in struct {
		Name                     *string
		Status                   *uint64
		Storage                  *auditStorage
		ActionType, ResourceType *string
		EventNames               []string
		TrackForAllMembers       *uint64
		ExportId                 *string
	}
	if e := decode(r, &in, "Name", "Status", "Storage", "ActionType", "ResourceType", "EventNames"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	st := in.Storage
	if e := requireNested(st, "Storage", "StorageType", "StorageRegion", "StorageName", "StoragePrefix"); e != nil {
		return nil, e
	}
	if !trackName.MatchString(*in.Name) {
		return nil, errorf("InvalidParameter", "Name must be 3 to 48 letters, digits, '-' or '_'")
	}
	if *in.Status > 1 {
		return nil, errorf("InvalidParameter", "Status must be 0 (off) or 1 (on)")
	}
	if a := *in.ActionType; a != "Read" && a != "Write" && a != "*" {
		return nil, errorf("InvalidParameter", "ActionType must be Read, Write or *")
	}
	if *in.ResourceType == "" {
		return nil, errorf("InvalidParameter", "ResourceType must be a product or *")
	}
	switch {
	case *in.ResourceType == "*" && !slices.Equal(in.EventNames, []string{"*"}):
		return nil, errorf("InvalidParameter", `EventNames must be ["*"] when ResourceType is *`)
	case len(in.EventNames) == 0 || len(in.EventNames) > 10:
		return nil, errorf("InvalidParameter", "EventNames takes 1 to 10 names, or [\"*\"]")
	}
	if in.TrackForAllMembers != nil && *in.TrackForAllMembers == 1 {
		return nil, errorf("FailedOperation.MemberNotInOrganization", "only an organisation's management account may track all members")
	}
	if st.Compress != nil && *st.Compress != 1 && *st.Compress != 2 {
		return nil, errorf("InvalidParameter", "Storage.Compress must be 1 (yes) or 2 (no)")
	}
	switch *st.StorageType {
	case "cls":
		// Delivery to CLS needs the topic, by ID, in the storage region of this account.
		reg := s.logs.regions[*st.StorageRegion]
		if reg == nil || reg.topic(*st.StorageName) == nil ||
			(st.StorageAccountId != nil && *st.StorageAccountId != "" && *st.StorageAccountId != strconv.FormatUint(s.owner, 10)) {
			return nil, errorf("FailedOperation.CheckClsTopicIsExistFailed", "CLS topic %s does not exist in %s", *st.StorageName, *st.StorageRegion)
		}
	case "cos":
		// The emulator keeps no COS buckets, so no bucket can be found.
		return nil, errorf("FailedOperation.CheckCosBucketIsExistFailed", "COS bucket %s does not exist in %s", *st.StorageName, *st.StorageRegion)
	case "ckafka":
		return nil, errorf("InvalidParameter", "CKafka instance %s does not exist in %s", *st.StorageName, *st.StorageRegion)
	default:
		return nil, errorf("InvalidParameter", "Storage.StorageType must be cos, cls or ckafka")
	}
	for _, t := range s.logs.tracks {
		if t.name == *in.Name {
			return nil, errorf("InvalidParameterValue.AliasAlreadyExists", "tracking set name %s already exists", *in.Name)
		}
	}
	if len(s.logs.tracks) >= maxAuditTracks {
		return nil, errorf("LimitExceeded.OverAmount", "the account already has %d tracking sets", maxAuditTracks)
	}
	s.logs.nextTrack++
	t := &auditTrack{id: s.logs.nextTrack, name: *in.Name, status: *in.Status, actionType: *in.ActionType,
		resourceType: *in.ResourceType, eventNames: in.EventNames, storage: *st, created: s.now()}
	s.logs.tracks = append(s.logs.tracks, t)
	return map[string]any{"TrackId": t.id}, nil
}

type trackInfo struct {
	Name, ActionType, ResourceType string
	Status                         uint64
	EventNames                     []string
	Storage                        auditStorage
	CreateTime                     string
	TrackId                        uint64
}

func (s *Server) describeAuditTracks(r *request) (any, *apiError) {
	var in struct{ PageNumber, PageSize *int64 }
	if e := decode(r, &in, "PageNumber", "PageSize"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	if *in.PageNumber < 1 {
		return nil, errorf("InvalidParameter", "PageNumber starts at 1")
	}
	if *in.PageSize < 1 || *in.PageSize > maxAuditTrackPage {
		return nil, errorf("InvalidParameter", "PageSize must be 1 to %d", maxAuditTrackPage)
	}
	all := make([]trackInfo, 0, len(s.logs.tracks))
	for _, t := range s.logs.tracks {
		all = append(all, trackInfo{Name: t.name, ActionType: t.actionType, ResourceType: t.resourceType, Status: t.status,
			EventNames: t.eventNames, Storage: t.storage, CreateTime: t.created.Format(time.DateTime), TrackId: t.id})
	}
	offset := int64(len(all))
	if *in.PageNumber <= offset {
		offset = min(offset, (*in.PageNumber-1)**in.PageSize)
	}
	return map[string]any{"TotalCount": len(all), "Tracks": window(all, offset, *in.PageSize)}, nil
}

func (s *Server) deleteAuditTrack(r *request) (any, *apiError) {
	var in struct{ TrackId *uint64 }
	if e := decode(r, &in, "TrackId"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	i := slices.IndexFunc(s.logs.tracks, func(t *auditTrack) bool { return t.id == *in.TrackId })
	if i < 0 {
		return nil, errorf("ResourceNotFound.AuditNotExist", "tracking set %d does not exist", *in.TrackId)
	}
	s.logs.tracks = slices.Delete(s.logs.tracks, i, i+1)
	return map[string]any{}, nil
}
