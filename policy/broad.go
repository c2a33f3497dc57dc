package policy

import (
	"fmt"
	"strings"
)

// readVerbs start the names of Tencent Cloud API actions that only read: the known-actions catalogue
// names each action by its API, and an API that describes, gets, lists, queries, searches, checks or
// prices something changes nothing.
var readVerbs = []string{"Describe", "Get", "List", "Query", "Search", "Check", "Inquire", "Inquiry"}

// credentialIssuers read by their names but hand out credentials.
var credentialIssuers = map[string]bool{"sts:GetFederationToken": true}

// IsRead reports whether action ("service:Api") only reads, judged by its API name's verb.
func IsRead(action string) bool {
	svc, api, ok := strings.Cut(strings.TrimPrefix(action, "name/"), ":")
	if !ok || credentialIssuers[strings.ToLower(svc)+":"+api] {
		return false
	}
	return readVerb(api)
}

// readVerb reports whether an API name (or the literal start of an API pattern) begins with a read verb.
func readVerb(api string) bool {
	for _, v := range readVerbs {
		if rest, ok := strings.CutPrefix(api, v); ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') {
			return true
		}
	}
	return false
}

// BroadStatement is an allow statement of a supplied document that grants more than a read-only key for
// Security Center should hold.
type BroadStatement struct {
	Index   int      // 1-based
	Reasons []string // e.g. "allows every action (*)"
}

func (b BroadStatement) String() string {
	return fmt.Sprintf("statement %d %s", b.Index, strings.Join(b.Reasons, "; "))
}

// broadProbe is an action of no service: only a statement allowing "*" allows it.
const broadProbe = "onboard-probe:AnyAction"

// Broad evaluates a document supplied for the named custom policy (placeholders unfilled, as
// LoadOverride returns it) and lists its allow statements that allow every action, or a write action
// (CAM's named apart: users, keys and grants), beyond what the embedded template itself grants (Security
// Center's own siemPolicy manages firewall and WAF IP lists, so those writes are expected there; its
// CSPM policy reads CAM, so CAM reads are not broad). Each statement is evaluated with Evaluate against
// every action of the known-actions catalogue and its own literal actions, on its own resources and
// without its conditions: a condition narrows when, not what, a key may do. A wildcard over services
// the catalogue does not know counts as writes unless its API part starts with a read verb.
func Broad(name string, doc []byte) ([]BroadStatement, error) {
	filled, err := RenderDocument(doc, sampleValues)
	if err != nil {
		return nil, err
	}
	parsed, err := Parse(filled)
	if err != nil {
		return nil, err
	}
	expected := map[string]bool{}
	if tmpl, err := Render(name, sampleValues); err == nil {
		if t, err := Parse(tmpl); err == nil {
			for _, s := range t.Statements {
				if s.Effect == Allow {
					for _, a := range s.Actions {
						expected[a] = true
					}
				}
			}
		}
	}
	var out []BroadStatement
	for i, s := range parsed.Statements {
		if s.Effect != Allow {
			continue
		}
		one := []*Document{{Version: Version, Statements: []Statement{{Effect: Allow, Actions: s.Actions, Resources: s.Resources}}}}
		allows := func(action string) bool {
			for _, r := range s.Resources {
				if Evaluate(one, Request{Action: action, Resource: r}).Allowed {
					return true
				}
			}
			return false
		}
		b := BroadStatement{Index: i + 1}
		if allows(broadProbe) {
			b.Reasons = append(b.Reasons, "allows every action (*)")
			out = append(out, b)
			continue
		}
		var cam, writes []string
		for _, action := range candidateActions(s) {
			if expected[action] || !allows(action) {
				continue
			}
			svc, _, _ := strings.Cut(action, ":")
			switch {
			case IsRead(action):
			case svc == "cam":
				cam = append(cam, action)
			default:
				writes = append(writes, action)
			}
		}
		writes = append(writes, unknownServiceWrites(s)...)
		if len(cam) > 0 {
			b.Reasons = append(b.Reasons, "allows CAM write actions "+sample(cam))
		}
		if len(writes) > 0 {
			b.Reasons = append(b.Reasons, "allows write actions "+sample(writes))
		}
		if len(b.Reasons) > 0 {
			out = append(out, b)
		}
	}
	return out, nil
}

// unknownServiceWrites are the statement's wildcard actions that reach services the catalogue does not
// know (so Evaluate has no action of theirs to try) and whose API part is not limited to a read verb.
func unknownServiceWrites(s Statement) []string {
	var out []string
	for _, a := range s.Actions {
		svc, api, ok := strings.Cut(a, ":")
		if !ok || !strings.Contains(api, "*") {
			continue
		}
		_, known := catalogue[svc]
		if known && !strings.Contains(svc, "*") {
			continue
		}
		if prefix, _, _ := strings.Cut(api, "*"); !readVerb(prefix) {
			out = append(out, a)
		}
	}
	return out
}

// candidateActions are the catalogue's actions and the statement's own literal ones (of services the
// catalogue does not know).
func candidateActions(s Statement) []string {
	var out []string
	seen := map[string]bool{}
	for _, svc := range Services() {
		for _, api := range catalogue[svc] {
			a := svc + ":" + api
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, a := range s.Actions {
		if !strings.Contains(a, "*") && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// sample names up to five actions and how many there are in all.
func sample(actions []string) string {
	if len(actions) <= 5 {
		return strings.Join(actions, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(actions[:5], ", "), len(actions)-5)
}
