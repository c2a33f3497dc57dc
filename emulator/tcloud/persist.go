package tcloud

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Saved state lets one emulated account outlive the process that serves it, so that a sandbox session
// of several commands (onboard, then status, rotate-key, offboard) meets the account the earlier commands
// changed. Only what API calls change is saved: CAM sub-users with their keys and attachments, custom
// policies, CLS logsets and topics with their Kafka consumption, CloudAudit tracking sets, and WAF's log
// deliveries with the log switches of the seeded instances and domains. The root
// key, the preset policies and the inventory come from the seed at every start: the seed's root key is
// the sandbox's own operator key, so a session that retired it still has a key to run with.

type savedState struct {
	NextID    uint64              `json:"next_id"`
	Users     []savedUser         `json:"users"`
	Policies  []savedPolicy       `json:"policies"`
	CLS       map[string]savedCLS `json:"cls"`
	Tracks    []savedTrack        `json:"tracks"`
	NextTrack uint64              `json:"next_track"`
	WAF       *savedWAF           `json:"waf,omitempty"`
}

// savedWAF is what WAF's API changes: the log deliveries, and the switches of the seeded instances and
// domains (which the seed makes again at every start).
type savedWAF struct {
	Flows     []savedWAFFlow
	NextFlow  uint64
	Instances []savedWAFInstance
	Domains   []savedWAFDomain
}

type savedWAFFlow struct {
	ID                               uint64
	LogType, Status                  int64
	CLSRegion, LogsetName, TopicName string
	LogsetID, TopicID                string
}

type savedWAFInstance struct {
	ID            string
	AttackLogPost int64
}

type savedWAFDomain struct {
	Domain                         string
	CLSStatus, PostCLS, PostCKafka int64
}

type savedUser struct {
	UIN, UID uint64
	Name     string
	Remark   string
	Console  int
	Created  time.Time
	Attached []savedAttachment
	Keys     []savedKey
}

type savedAttachment struct {
	PolicyID  uint64
	At        time.Time
	AppliesAt time.Time
}

type savedKey struct {
	ID, Secret, Status, Description string
	Created, LastUsed, UsableAt     time.Time
}

type savedPolicy struct {
	ID                uint64
	Name, Description string
	Document          string
	Created, Updated  time.Time
}

type savedCLS struct {
	Logsets []savedLogset
	Topics  []savedTopic
}

type savedLogset struct {
	ID, Name string
	Tags     []clsTag
	Created  time.Time
}

type savedTopic struct {
	ID, Name, LogsetID           string
	Partitions, MaxSplit, Period int64
	AutoSplit, WebTracking       bool
	StorageType, Describes       string
	HotPeriod, BizType           uint64
	Tags                         []clsTag
	Created                      time.Time
	Consumer                     *savedConsumer
}

type savedConsumer struct {
	Compression               int64
	Content                   *kafkaContent
	HasServicesLog, ScopeType int64
}

type savedTrack struct {
	ID                       uint64
	Name                     string
	Status                   uint64
	ActionType, ResourceType string
	EventNames               []string
	Storage                  auditStorage
	Created                  time.Time
}

// Changes is how many calls have changed the account since the server started: a process whose count is
// 0 has nothing of its own to save.
func (s *Server) Changes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}

// SaveState returns what API calls changed in the account, as JSON. It holds the sub-users' SecretKeys:
// emulator-only keys, which the caller keeps where it keeps the sandbox's own secrets.
func (s *Server) SaveState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := savedState{NextID: s.nextID, Users: []savedUser{}, Policies: []savedPolicy{}, CLS: map[string]savedCLS{},
		Tracks: []savedTrack{}, NextTrack: s.logs.nextTrack}
	for _, u := range s.users {
		su := savedUser{UIN: u.uin, UID: u.uid, Name: u.name, Remark: u.remark, Console: u.console, Created: u.created}
		for _, a := range u.attached {
			su.Attached = append(su.Attached, savedAttachment{PolicyID: a.policyID, At: a.at, AppliesAt: a.appliesAt})
		}
		for _, k := range s.keys {
			if k.owner == u {
				su.Keys = append(su.Keys, savedKey{ID: k.id, Secret: k.secret, Status: k.status, Description: k.description,
					Created: k.created, LastUsed: k.lastUsed, UsableAt: k.usableAt})
			}
		}
		slices.SortFunc(su.Keys, func(a, b savedKey) int { return a.Created.Compare(b.Created) })
		out.Users = append(out.Users, su)
	}
	slices.SortFunc(out.Users, func(a, b savedUser) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range s.policies {
		if !p.preset {
			out.Policies = append(out.Policies, savedPolicy{ID: p.id, Name: p.name, Description: p.description, Document: p.document,
				Created: p.created, Updated: p.updated})
		}
	}
	slices.SortFunc(out.Policies, func(a, b savedPolicy) int { return cmp.Compare(a.ID, b.ID) })
	for region, r := range s.logs.regions {
		var sc savedCLS
		for _, l := range r.logsets {
			sc.Logsets = append(sc.Logsets, savedLogset{ID: l.id, Name: l.name, Tags: l.tags, Created: l.created})
		}
		for _, t := range r.topics {
			st := savedTopic{ID: t.id, Name: t.name, LogsetID: t.logsetID, Partitions: t.partitions, MaxSplit: t.maxSplit,
				Period: t.period, AutoSplit: t.autoSplit, WebTracking: t.webTracking, StorageType: t.storageType,
				Describes: t.describes, HotPeriod: t.hotPeriod, BizType: t.bizType, Tags: t.tags, Created: t.created}
			if c := t.consumer; c != nil {
				st.Consumer = &savedConsumer{Compression: c.compression, Content: c.content, HasServicesLog: c.hasServicesLog, ScopeType: c.scopeType}
			}
			sc.Topics = append(sc.Topics, st)
		}
		out.CLS[region] = sc
	}
	for _, t := range s.logs.tracks {
		out.Tracks = append(out.Tracks, savedTrack{ID: t.id, Name: t.name, Status: t.status, ActionType: t.actionType,
			ResourceType: t.resourceType, EventNames: t.eventNames, Storage: t.storage, Created: t.created})
	}
	if len(s.waf.instances) > 0 || len(s.waf.flows) > 0 {
		w := &savedWAF{NextFlow: s.waf.nextFlow}
		for _, f := range s.waf.flows {
			w.Flows = append(w.Flows, savedWAFFlow{ID: f.id, LogType: f.logType, Status: f.status, CLSRegion: f.clsRegion,
				LogsetName: f.logsetName, TopicName: f.topicName, LogsetID: f.logsetID, TopicID: f.topicID})
		}
		for _, i := range s.waf.instances {
			w.Instances = append(w.Instances, savedWAFInstance{ID: i.id, AttackLogPost: i.attackLogPost})
		}
		for _, d := range s.waf.domains {
			w.Domains = append(w.Domains, savedWAFDomain{Domain: d.domain, CLSStatus: d.clsStatus, PostCLS: d.postCLS, PostCKafka: d.postCKafka})
		}
		out.WAF = w
	}
	return json.MarshalIndent(out, "", " ")
}

// LoadState puts back what SaveState returned, over a fresh server's seeded account: it fails on
// anything that does not fit (a name the seed already holds, a policy that no longer parses), and then
// changes nothing.
func (s *Server) LoadState(data []byte) error {
	var in savedState
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("emulated Tencent Cloud state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	policies := map[uint64]*camPolicy{}
	for _, p := range in.Policies {
		parsed, e := s.validateDocument(p.Document)
		if e != nil {
			return fmt.Errorf("emulated Tencent Cloud state: policy %s: %s", p.Name, e.Message)
		}
		if s.policies[p.ID] != nil || policies[p.ID] != nil {
			return fmt.Errorf("emulated Tencent Cloud state: policy %s: id %d is taken", p.Name, p.ID)
		}
		policies[p.ID] = &camPolicy{id: p.ID, name: p.Name, description: p.Description, document: p.Document, parsed: parsed,
			created: p.Created, updated: p.Updated}
	}
	if in.WAF != nil {
		if err := s.checkWAFFits(in.WAF); err != nil {
			return err
		}
	}
	users, keys := map[string]*user{}, map[string]*accessKey{}
	for _, su := range in.Users {
		if s.users[su.Name] != nil || users[su.Name] != nil {
			return fmt.Errorf("emulated Tencent Cloud state: user %s is there twice", su.Name)
		}
		u := &user{uin: su.UIN, uid: su.UID, name: su.Name, remark: su.Remark, console: su.Console, created: su.Created}
		for _, a := range su.Attached {
			if s.policies[a.PolicyID] == nil && policies[a.PolicyID] == nil {
				return fmt.Errorf("emulated Tencent Cloud state: user %s: attached policy %d does not exist", su.Name, a.PolicyID)
			}
			u.attached = append(u.attached, attachment{policyID: a.PolicyID, at: a.At, appliesAt: a.AppliesAt})
		}
		for _, k := range su.Keys {
			if s.keys[k.ID] != nil || keys[k.ID] != nil {
				return fmt.Errorf("emulated Tencent Cloud state: key %s is there twice", k.ID)
			}
			keys[k.ID] = &accessKey{id: k.ID, secret: k.Secret, status: k.Status, description: k.Description, owner: u,
				created: k.Created, lastUsed: k.LastUsed, usableAt: k.UsableAt}
		}
		users[u.name] = u
	}
	logs := newLogState()
	logs.nextTrack = max(in.NextTrack, logs.nextTrack)
	for region, sc := range in.CLS {
		r := &clsRegion{}
		for _, l := range sc.Logsets {
			r.logsets = append(r.logsets, &logset{id: l.ID, name: l.Name, tags: l.Tags, created: l.Created})
		}
		for _, t := range sc.Topics {
			ct := &clsTopic{id: t.ID, name: t.Name, logsetID: t.LogsetID, partitions: t.Partitions, maxSplit: t.MaxSplit,
				period: t.Period, autoSplit: t.AutoSplit, webTracking: t.WebTracking, storageType: t.StorageType,
				describes: t.Describes, hotPeriod: t.HotPeriod, bizType: t.BizType, tags: t.Tags, created: t.Created}
			if c := t.Consumer; c != nil {
				ct.consumer = &kafkaConsumer{compression: c.Compression, content: c.Content, hasServicesLog: c.HasServicesLog, scopeType: c.ScopeType}
			}
			r.topics = append(r.topics, ct)
		}
		logs.regions[region] = r
	}
	for _, t := range in.Tracks {
		logs.tracks = append(logs.tracks, &auditTrack{id: t.ID, name: t.Name, status: t.Status, actionType: t.ActionType,
			resourceType: t.ResourceType, eventNames: t.EventNames, storage: t.Storage, created: t.Created})
	}
	for id, p := range policies {
		s.policies[id] = p
	}
	for name, u := range users {
		s.users[name] = u
	}
	for id, k := range keys {
		s.keys[id] = k
	}
	s.logs = logs
	s.nextID = max(s.nextID, in.NextID)
	if in.WAF != nil {
		s.loadWAF(in.WAF)
	}
	return nil
}

// checkWAFFits fails when saved WAF switches name an instance or domain the seed does not hold.
func (s *Server) checkWAFFits(w *savedWAF) error {
	for _, si := range w.Instances {
		if !slices.ContainsFunc(s.waf.instances, func(i *wafInstance) bool { return i.id == si.ID }) {
			return fmt.Errorf("emulated Tencent Cloud state: WAF instance %s is not in the seed", si.ID)
		}
	}
	for _, sd := range w.Domains {
		if !slices.ContainsFunc(s.waf.domains, func(d *wafDomain) bool { return d.domain == sd.Domain }) {
			return fmt.Errorf("emulated Tencent Cloud state: WAF domain %s is not in the seed", sd.Domain)
		}
	}
	return nil
}

// loadWAF puts back the deliveries and switches of w, which checkWAFFits accepted.
func (s *Server) loadWAF(w *savedWAF) {
	s.waf.flows = nil
	for _, f := range w.Flows {
		s.waf.flows = append(s.waf.flows, &wafFlow{id: f.ID, logType: f.LogType, status: f.Status, clsRegion: f.CLSRegion,
			logsetName: f.LogsetName, topicName: f.TopicName, logsetID: f.LogsetID, topicID: f.TopicID})
	}
	s.waf.nextFlow = max(s.waf.nextFlow, w.NextFlow)
	for _, si := range w.Instances {
		for _, i := range s.waf.instances {
			if i.id == si.ID {
				i.attackLogPost = si.AttackLogPost
			}
		}
	}
	for _, sd := range w.Domains {
		for _, d := range s.waf.domains {
			if d.domain == sd.Domain {
				d.clsStatus, d.postCLS, d.postCKafka = sd.CLSStatus, sd.PostCLS, sd.PostCKafka
			}
		}
	}
}
