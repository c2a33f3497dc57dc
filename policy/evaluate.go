package policy

import (
	"fmt"
	"strings"
)

// Request is one API call to authorise.
type Request struct {
	// Action is "<service>:<Api>", e.g. "cvm:DescribeInstances" ("name/" prefix accepted).
	Action string
	// Resource is a six-segment resource, or "*" for an operation-level API or a call that names none.
	Resource string
	// Context holds condition keys such as "qcs:ip"; a key may have several values.
	Context map[string][]string
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Allowed      bool
	ExplicitDeny bool
	Reason       string
}

// Evaluate decides a request against the documents attached to a principal, as CAM does: the call is
// allowed only if some allow statement matches its action, resource and conditions and no deny
// statement matches; deny wins; no match means deny. Nil documents are skipped.
func Evaluate(docs []*Document, req Request) Decision {
	action := strings.TrimPrefix(req.Action, "name/")
	if svc, api, ok := strings.Cut(action, ":"); ok {
		action = strings.ToLower(svc) + ":" + api
	}
	resource := req.Resource
	if resource == "" {
		resource = "*"
	}
	allowedBy := ""
	for di, d := range docs {
		if d == nil {
			continue
		}
		for si, s := range d.Statements {
			if !s.matches(action, resource, req.Context) {
				continue
			}
			where := fmt.Sprintf("policy %d statement %d", di+1, si+1)
			if s.Effect == Deny {
				return Decision{ExplicitDeny: true, Reason: fmt.Sprintf("%s on %s is denied explicitly by %s", action, resource, where)}
			}
			if s.Effect == Allow && allowedBy == "" {
				allowedBy = where
			}
		}
	}
	if allowedBy != "" {
		return Decision{Allowed: true, Reason: fmt.Sprintf("%s on %s is allowed by %s", action, resource, allowedBy)}
	}
	return Decision{Reason: fmt.Sprintf("no statement allows %s on %s", action, resource)}
}

func (s Statement) matches(action, resource string, ctx map[string][]string) bool {
	hit := false
	for _, p := range s.Actions {
		if actionMatch(p, action) {
			hit = true
			break
		}
	}
	if !hit {
		return false
	}
	hit = false
	for _, p := range s.Resources {
		if resourceMatch(p, resource) {
			hit = true
			break
		}
	}
	if !hit {
		return false
	}
	for _, c := range s.Conditions {
		if !c.matches(ctx) {
			return false
		}
	}
	return true
}

// actionMatch matches a normalised action pattern against a normalised action: the service part
// case-insensitively, the API part exactly, "*" as a wildcard in either.
func actionMatch(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	pSvc, pAPI, ok := strings.Cut(pattern, ":")
	if !ok {
		return false
	}
	aSvc, aAPI, ok := strings.Cut(action, ":")
	if !ok {
		return false
	}
	return glob(strings.ToLower(pSvc), strings.ToLower(aSvc)) && glob(pAPI, aAPI)
}

// resourceMatch matches a resource pattern against a request resource segment by segment.
func resourceMatch(pattern, resource string) bool {
	if pattern == "*" {
		return true
	}
	if resource == "*" {
		return false // operation-level: only "*" grants it
	}
	p := strings.SplitN(pattern, ":", 6)
	r := strings.SplitN(resource, ":", 6)
	if len(p) != 6 || len(r) != 6 {
		return false
	}
	for i := range p {
		switch {
		case i == 1 && p[i] == "":
			continue // legacy empty project: any project
		case i == 2:
			if !glob(strings.ToLower(p[i]), strings.ToLower(r[i])) {
				return false
			}
		case !glob(p[i], r[i]):
			return false
		}
	}
	return true
}

// glob reports whether s matches pattern, where "*" matches any sequence (including "/" and none).
func glob(pattern, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case px < len(pattern) && pattern[px] == s[sx]:
			px++
			sx++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
