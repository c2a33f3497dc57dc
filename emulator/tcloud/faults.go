package tcloud

import (
	"net/http"
)

// Fault kinds besides an API error code.
const (
	FaultDrop    = "drop"    // the connection is closed without an answer
	FaultHTTP500 = "http500" // HTTP 500 with no Tencent envelope
)

type fault struct {
	action string // "" = every action
	code   string // an API error code, FaultDrop or FaultHTTP500
	left   int
}

// FailNext makes the next n calls of action ("" for any) fail with code: an API error code such as
// RequestLimitExceeded or InternalError, FaultDrop or FaultHTTP500.
func (s *Server) FailNext(action, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{action: action, code: code, left: n})
}

// takeFault returns the fault to apply to this call, if any.
func (s *Server) takeFault(action string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.left > 0 && (f.action == "" || f.action == action) {
			f.left--
			return f.code
		}
	}
	return ""
}

// applyFault answers the request as the fault says; it reports false when the code is an API error to
// be put in the envelope instead.
func applyFault(w http.ResponseWriter, code string) bool {
	switch code {
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		return true
	case FaultHTTP500:
		w.WriteHeader(http.StatusInternalServerError)
		return true
	}
	return false
}

// ClearFaults forgets every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}
