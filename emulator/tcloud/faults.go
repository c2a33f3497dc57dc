package tcloud

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault kinds besides an API error code.
const (
	FaultDrop    = "drop"    // the connection is closed without an answer
	FaultHTTP500 = "http500" // HTTP 500 with no Tencent envelope
	FaultDelay   = "delay"   // the answer is held back (past a client's timeout), then given normally
	FaultLost    = "lost"    // the call is served, then the connection closed without its answer
)

// FaultRule injects a fault into matching calls, either the next N of them (FailNext), each with a
// probability, or exactly the Nth one.
type FaultRule struct {
	Action      string        // "Action" or "service:Action"; "" matches every call
	Region      string        // "" matches every region
	Fault       string        // an API error code (RequestLimitExceeded, InternalError, ...), FaultDrop, "httpNNN" or FaultDelay
	Delay       time.Duration // for FaultDelay
	Probability float64       // 0 < p ≤ 1: each matching call fails with this probability
	Nth         int           // > 0: only the Nth matching call fails
	left        int           // FailNext: how many matching calls still fail
	seen        int           // matching calls so far, for Nth
	// Then, when set, is called once the fault took effect and before the caller sees anything: a test
	// cancels the caller's context there, as a kill at that call would.
	Then func()
}

// FailNext makes the next n calls of action ("" for any) fail with code: an API error code such as
// RequestLimitExceeded or InternalError, FaultDrop or FaultHTTP500.
func (s *Server) FailNext(action, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &FaultRule{Action: action, Fault: code, left: n})
}

// AddFaults adds fault rules, e.g. from ParseFaults.
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

func (f *FaultRule) matches(service, action, region string) bool {
	if f.Region != "" && f.Region != region {
		return false
	}
	if f.Action == "" || f.Action == action {
		return true
	}
	svc, act, ok := strings.Cut(f.Action, ":")
	return ok && svc == service && act == action
}

// takeFault returns the fault to apply to this call, if any.
func (s *Server) takeFault(service, action, region string) *FaultRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if !f.matches(service, action, region) {
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

// applyFault answers the request as the fault says; it reports false when the fault is an API error
// to be put in the envelope instead, or a delay after which the call is served normally.
func applyFault(w http.ResponseWriter, r *http.Request, f *FaultRule) bool {
	switch {
	case f.Fault == FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		return true
	case strings.HasPrefix(f.Fault, "http"):
		status, _ := strconv.Atoi(strings.TrimPrefix(f.Fault, "http"))
		w.WriteHeader(status)
		return true
	case f.Fault == FaultDelay:
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		}
	}
	return false
}

// ParseFaults reads a fault specification: rules separated by ";", each a list of key=value pairs
// separated by ",":
//
//	fault=InternalError,p=0.05                      5 % of all calls answer InternalError
//	action=cvm:DescribeInstances,fault=drop,nth=3   the third DescribeInstances call is dropped
//	fault=http503,p=0.01                            1 % of calls get HTTP 503 without an envelope
//	action=cam:AddUser,fault=lost,nth=1             the first AddUser is made, and its answer lost
//	action=AddUser,fault=delay,delay=30s,nth=1      the first AddUser is answered after 30 s
//	region=ap-tokyo,fault=InternalError,p=1         every call in ap-tokyo fails
//
// fault is an API error code, drop, lost, httpNNN (500–599) or delay; exactly one of p and nth is required.
func ParseFaults(spec string) ([]FaultRule, error) {
	var rules []FaultRule
	for _, text := range strings.Split(spec, ";") {
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		var r FaultRule
		for _, pair := range strings.Split(text, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				return nil, fmt.Errorf("fault rule %q: %q is not key=value (keys: action, region, fault, p, nth, delay)", text, pair)
			}
			var err error
			switch k {
			case "action":
				r.Action = v
			case "region":
				r.Region = v
			case "fault":
				r.Fault = v
			case "p":
				r.Probability, err = strconv.ParseFloat(v, 64)
				if err == nil && (r.Probability <= 0 || r.Probability > 1) {
					err = fmt.Errorf("not in (0, 1]")
				}
			case "nth":
				r.Nth, err = strconv.Atoi(v)
				if err == nil && r.Nth < 1 {
					err = fmt.Errorf("not a positive number")
				}
			case "delay":
				r.Delay, err = time.ParseDuration(v)
			default:
				return nil, fmt.Errorf("fault rule %q: unknown key %q (keys: action, region, fault, p, nth, delay)", text, k)
			}
			if err != nil {
				return nil, fmt.Errorf("fault rule %q: invalid %s %q: %v", text, k, v, err)
			}
		}
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("fault rule %q: %w", text, err)
		}
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("fault specification %q has no rule", spec)
	}
	return rules, nil
}

func (r FaultRule) check() error {
	switch {
	case r.Fault == "":
		return fmt.Errorf("fault= is required: an API error code, drop, lost, httpNNN or delay")
	case strings.HasPrefix(r.Fault, "http"):
		if n, err := strconv.Atoi(strings.TrimPrefix(r.Fault, "http")); err != nil || n < 500 || n > 599 {
			return fmt.Errorf("fault %q: HTTP faults are http500 to http599", r.Fault)
		}
	case r.Fault == FaultDelay:
		if r.Delay <= 0 {
			return fmt.Errorf("fault=delay needs delay=DURATION, e.g. delay=30s")
		}
	}
	if (r.Probability > 0) == (r.Nth > 0) {
		return fmt.Errorf("give exactly one of p=PROBABILITY and nth=N")
	}
	return nil
}
