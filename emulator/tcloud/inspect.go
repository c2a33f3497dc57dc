package tcloud

import (
	"slices"
	"sort"
)

// InspectPath is the emulator's own read-only view of what it holds, outside the API and unsigned.
const InspectPath = "/_emulator/tencent/state"

// State is what the emulated account holds besides its inventory, as the inspection shows it: CAM
// users, keys, custom policies and attachments, CLS logsets and topics with their Kafka consumption,
// CloudAudit tracking sets. No SecretKey is ever shown.
type State struct {
	Users    []UserState   `json:"users"`
	RootKeys []KeyState    `json:"root_keys"`
	Policies []PolicyState `json:"custom_policies"`
	Logsets  []LogsetState `json:"logsets"`
	Topics   []TopicState  `json:"topics"`
	Tracks   []TrackState  `json:"audit_tracks"`
}

// UserState is a CAM sub-user with its keys and attached policies (by name).
type UserState struct {
	UIN      uint64     `json:"uin"`
	Name     string     `json:"name"`
	Remark   string     `json:"remark"`
	Keys     []KeyState `json:"keys"`
	Attached []string   `json:"attached"`
}

// KeyState is an access key, without its secret.
type KeyState struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Description string `json:"description"`
}

// PolicyState is a custom policy.
type PolicyState struct {
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Document    string `json:"document"`
}

// LogsetState is a CLS logset.
type LogsetState struct {
	Region string `json:"region"`
	ID     string `json:"id"`
	Name   string `json:"name"`
}

// TopicState is a CLS topic and whether Kafka consumption of it is open.
type TopicState struct {
	Region   string `json:"region"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	LogsetID string `json:"logset_id"`
	Kafka    bool   `json:"kafka_consumption"`
}

// TrackState is a CloudAudit tracking set.
type TrackState struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	Storage string `json:"storage"` // type:region:name
}

// State returns a copy of what the emulator holds, sorted so that two states compare as values.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := State{Users: []UserState{}, RootKeys: []KeyState{}, Policies: []PolicyState{}, Logsets: []LogsetState{},
		Topics: []TopicState{}, Tracks: []TrackState{}}
	keysOf := func(u *user) []KeyState {
		ks := []KeyState{}
		for _, k := range s.keys {
			if k.owner == u {
				ks = append(ks, KeyState{k.id, k.status, k.description})
			}
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i].ID < ks[j].ID })
		return ks
	}
	out.RootKeys = keysOf(s.root)
	for _, u := range s.users {
		us := UserState{UIN: u.uin, Name: u.name, Remark: u.remark, Keys: keysOf(u), Attached: []string{}}
		for _, a := range u.attached {
			if p := s.policies[a.policyID]; p != nil {
				us.Attached = append(us.Attached, p.name)
			}
		}
		slices.Sort(us.Attached)
		out.Users = append(out.Users, us)
	}
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].Name < out.Users[j].Name })
	for _, p := range s.policies {
		if !p.preset {
			out.Policies = append(out.Policies, PolicyState{p.id, p.name, p.description, p.document})
		}
	}
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].ID < out.Policies[j].ID })
	for region, rs := range s.logs.regions {
		for _, l := range rs.logsets {
			out.Logsets = append(out.Logsets, LogsetState{region, l.id, l.name})
		}
		for _, t := range rs.topics {
			out.Topics = append(out.Topics, TopicState{region, t.id, t.name, t.logsetID, t.consumer != nil})
		}
	}
	sort.Slice(out.Logsets, func(i, j int) bool {
		return out.Logsets[i].Region+out.Logsets[i].ID < out.Logsets[j].Region+out.Logsets[j].ID
	})
	sort.Slice(out.Topics, func(i, j int) bool {
		return out.Topics[i].Region+out.Topics[i].ID < out.Topics[j].Region+out.Topics[j].ID
	})
	for _, t := range s.logs.tracks {
		st := t.storage
		out.Tracks = append(out.Tracks, TrackState{t.id, t.name, stringOf(st.StorageType) + ":" + stringOf(st.StorageRegion) + ":" + stringOf(st.StorageName)})
	}
	sort.Slice(out.Tracks, func(i, j int) bool { return out.Tracks[i].ID < out.Tracks[j].ID })
	return out
}

func stringOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
