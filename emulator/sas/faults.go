package sas

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultDrop closes the connection without an answer; FaultDelay holds the answer back, then serves the
// call; FaultLost serves the call, then closes the connection without its answer (the service acted and
// the caller never learns it: a dropped connection, or a process killed while it waited); "httpNNN"
// answers that status with no body; any other fault is an error code answered with its HTTP status
// (Throttling 400, InternalError 500, ServiceUnavailable 503, others 400).
const (
	FaultDrop  = "drop"
	FaultDelay = "delay"
	FaultLost  = "lost"
)

// FaultRule injects a fault into matching calls: the next N of them (FailNext), each with a
// probability, or exactly the Nth one. It reads as the Tencent emulator's rules do, with the service
// prefix "sas:" (`action=sas:AddCloudVendorAccountAK,fault=drop,nth=1`).
type FaultRule struct {
	Action      string        // an action name, with or without "sas:"; "" or "*" matches every action
	Fault       string        // an error code, FaultDrop, FaultDelay or "httpNNN"
	Delay       time.Duration // for FaultDelay
	Probability float64       // 0 < p ≤ 1: each matching call fails with this probability
	Nth         int           // > 0: only the Nth matching call fails
	left        int           // FailNext: how many matching calls still fail
	seen        int           // matching calls so far, for Nth
	// Then, when set, is called once the fault took effect and before the caller sees anything: a test
	// cancels the caller's context there, as a kill at that call would.
	Then func()
}

// FailNext makes the next n authenticated calls of action ("" for any) fail with code.
func (s *Server) FailNext(action, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &FaultRule{Action: action, Fault: code, left: n})
}

// AddFaults adds fault rules.
func (s *Server) AddFaults(rules []FaultRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rules {
		s.faults = append(s.faults, &r)
	}
}

// ClearFaults forgets every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (f *FaultRule) then() {
	if f.Then != nil {
		f.Then()
	}
}

func (f *FaultRule) matches(action string) bool {
	a := strings.TrimPrefix(f.Action, "sas:")
	return a == "" || a == "*" || a == action
}

// takeFault returns the fault to apply to this call, if any.
func (s *Server) takeFault(action string) *FaultRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if !f.matches(action) {
			continue
		}
		f.seen++
		switch {
		case f.left > 0:
			f.left--
			return f
		case f.Nth > 0 && f.seen == f.Nth:
			return f
		case f.Probability > 0 && rand.Float64() < f.Probability:
			return f
		}
	}
	return nil
}

// applyFault answers a connection-level fault and reports true; an error code is left to the caller.
func applyFault(w http.ResponseWriter, code string) bool {
	switch {
	case code == FaultDrop || code == FaultLost:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		return true
	case httpFault(code) > 0:
		w.WriteHeader(httpFault(code))
		return true
	}
	return false
}

// httpFault is the status of an "httpNNN" fault, or 0.
func httpFault(code string) int {
	rest, ok := strings.CutPrefix(code, "http")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 400 || n > 599 {
		return 0
	}
	return n
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

// Serves reports whether the emulator serves the action, so that a fault rule naming another is refused.
func Serves(action string) bool {
	_, ok := actions[action]
	return ok
}
