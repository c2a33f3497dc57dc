package policy

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
)

// actionsFile is the catalogue of known actions, one "service:Action" per line, generated from the
// Tencent Cloud Node SDK 4.1.313 client definitions at the API versions the project uses.
//
//go:generate sh -c "sh internal/gen/actions.sh /tmp/nodesdk/package > actions.txt"
//go:embed actions.txt
var actionsFile string

// catalogue maps each known service to its sorted action names.
var catalogue = func() map[string][]string {
	c := map[string][]string{}
	for _, line := range strings.Split(actionsFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		svc, api, ok := strings.Cut(line, ":")
		if ok {
			c[svc] = append(c[svc], api)
		}
	}
	for _, l := range c {
		sort.Strings(l)
	}
	return c
}()

// Services returns the services in the known-actions catalogue, sorted.
func Services() []string { return sortedKeys(catalogue) }

// ActionExists reports whether action ("cvm:DescribeInstances", "name/" prefix accepted, service part
// case-insensitive) is in the known-actions catalogue. Wildcards are not expanded here.
func ActionExists(action string) bool {
	svc, api, ok := strings.Cut(strings.TrimPrefix(action, "name/"), ":")
	if !ok {
		return false
	}
	l := catalogue[strings.ToLower(svc)]
	i := sort.SearchStrings(l, api)
	return i < len(l) && l[i] == api
}

// ValidateActions checks that every action of doc names a known service and a known action, as
// CreatePolicy does. A wildcard must match at least one known service and, in its API part, at least
// one known action of it, so a mistyped wildcard is caught too. Errors are *SyntaxError with
// InvalidParameter.ActionServiceNotExist or InvalidParameter.ActionNotExist.
func ValidateActions(doc *Document) error {
	if doc == nil {
		return syntaxErr(CodePolicyDocumentError, "no policy document")
	}
	for i, s := range doc.Statements {
		for _, a := range s.Actions {
			if err := validateAction(a); err != nil {
				err.Message = "statement " + strconv.Itoa(i+1) + ": " + err.Message
				return err
			}
		}
	}
	return nil
}

func validateAction(a string) *SyntaxError {
	n, serr := normaliseAction(a)
	if serr != nil {
		return serr
	}
	if n == "*" {
		return nil
	}
	svc, api, _ := strings.Cut(n, ":")
	var services []string
	for s := range catalogue {
		if glob(svc, s) {
			services = append(services, s)
		}
	}
	if len(services) == 0 {
		return syntaxErr(CodeActionServiceNotExist, "action %q: service %q is not known (known services: %s)", a, svc, strings.Join(Services(), ", "))
	}
	for _, s := range services {
		for _, known := range catalogue[s] {
			if glob(api, known) {
				return nil
			}
		}
	}
	return syntaxErr(CodeActionNotExist, "action %q does not exist", a)
}
