package tcloud

import "encoding/json"

// encodedItems caches the JSON of seeded inventory items, which never change once seeded: a listing then
// costs the emulator a copy, not an encoding, so a benchmark's emulator takes little CPU from the tool
// it measures. Keys are kind/region; handlers run under s.mu.
type encodedItems struct {
	raw []json.RawMessage
}

// encodedWindow returns items offset..offset+limit of all, encoded; items seeded since the last call
// are encoded now.
func encodedWindow[T any](s *Server, key string, all []T, offset, limit int64) []json.RawMessage {
	if s.encoded == nil {
		s.encoded = map[string]*encodedItems{}
	}
	c := s.encoded[key]
	if c == nil {
		c = &encodedItems{}
		s.encoded[key] = c
	}
	for i := len(c.raw); i < len(all); i++ {
		b, _ := json.Marshal(all[i])
		c.raw = append(c.raw, b)
	}
	return window(c.raw, offset, limit)
}

// seededPage answers one page of a region's seeded items: TotalCount, and the page under set.
func seededPage[T any](s *Server, r *request, kind, set string, all map[string][]T, offset, limit *int64, max int64) (any, *apiError) {
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	o, l, e := page(offset, limit, max)
	if e != nil {
		return nil, e
	}
	items := all[r.region]
	return map[string]any{"TotalCount": len(items), set: encodedWindow(s, kind+"/"+r.region, items, o, l)}, nil
}
