package sas

import (
	"math/rand/v2"
	"net/http"
)

// Connection-level faults; any other fault is an error code answered with its HTTP status (Throttling
// 400, InternalError 500, ServiceUnavailable 503, others 400).
const (
	// FaultDrop closes the connection without an answer, before the action runs.
	FaultDrop = "drop"
	// FaultLost runs the action, then closes the connection without its answer: the service acted and
	// the caller never learns it (a dropped connection, or a process killed while it waited).
	FaultLost = "lost"
)

type fault struct {
	action string // "" = every action
	code   string
	left   int     // the next left matching calls fail
	nth    int     // > 0: only the nth matching call fails
	p      float64 // > 0: each matching call fails with this probability
	seen   int
	then   func() // called once the fault took effect, before the caller sees anything
}

// FailNext makes the next n authenticated calls of action ("" for any) fail with code.
func (s *Server) FailNext(action, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{action: action, code: code, left: n})
}

// FailNth makes the nth authenticated call of action ("" for any) fail with code; then, when not nil, is
// called once the fault took effect (a test cancels its caller there, as a kill at that call would).
func (s *Server) FailNth(action, code string, nth int, then func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{action: action, code: code, nth: nth, then: then})
}

// FailRandomly makes each authenticated call of action ("" for any) fail with code with probability p.
func (s *Server) FailRandomly(action, code string, p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{action: action, code: code, p: p})
}

// ClearFaults forgets every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(action string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.action != "" && f.action != action {
			continue
		}
		f.seen++
		switch {
		case f.left > 0:
			f.left--
			return f
		case f.nth > 0 && f.seen == f.nth:
			return f
		case f.p > 0 && rand.Float64() < f.p:
			return f
		}
	}
	return nil
}

func (f *fault) took() {
	if f.then != nil {
		f.then()
	}
}

// applyFault answers a connection-level fault and reports true; an error code is left to the caller.
func applyFault(w http.ResponseWriter, code string) bool {
	if code != FaultDrop {
		return false
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return true
		}
	}
	w.WriteHeader(http.StatusBadGateway)
	return true
}

func faultError(code string) *apiError {
	status := http.StatusBadRequest
	switch code {
	case "InternalError":
		status = http.StatusInternalServerError
	case "ServiceUnavailable":
		status = http.StatusServiceUnavailable
	}
	return errorf(status, code, "injected fault")
}
