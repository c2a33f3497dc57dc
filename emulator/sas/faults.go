package sas

import "net/http"

// FaultDrop closes the connection without an answer; any other fault is an error code answered with its
// HTTP status (Throttling 400, InternalError 500, ServiceUnavailable 503, others 400).
const FaultDrop = "drop"

type fault struct {
	action string // "" = every action
	code   string
	left   int
}

// FailNext makes the next n authenticated calls of action ("" for any) fail with code.
func (s *Server) FailNext(action, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{action: action, code: code, left: n})
}

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
