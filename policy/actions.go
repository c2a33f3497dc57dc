package policy

import (
	_ "embed"
	"fmt"
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

// CheckActions checks the actions of doc against the catalogue as CreatePolicy checks them for the
// services the catalogue knows: an action of a known service must exist, and a wildcard must match at
// least one known action of it, or the error is a *SyntaxError with InvalidParameter.ActionNotExist.
//
// An action whose service the catalogue does not know is not an error: the catalogue holds only the
// services onboard calls, and CAM knows many more (its own CreatePolicy example grants "name/cos:*";
// https://www.tencentcloud.com/document/product/598/32248). Such actions are returned, in document
// order, for a warning; so is a wildcard service that matches no known action, since it may match
// services CAM knows.
func CheckActions(doc *Document) (unknownService []string, err error) {
	if doc == nil {
		return nil, syntaxErr(CodePolicyDocumentError, "no policy document")
	}
	for i, s := range doc.Statements {
		for _, a := range s.Actions {
			unknown, err := checkAction(a)
			if err != nil {
				err.Message = "statement " + strconv.Itoa(i+1) + ": " + err.Message
				return nil, err
			}
			if unknown {
				unknownService = append(unknownService, a)
			}
		}
	}
	return unknownService, nil
}

// ValidateActions is the strict reading of CreatePolicy: CheckActions, and an action whose service the
// catalogue does not know is refused with InvalidParameter.ActionServiceNotExist (a wildcard service
// that matches known services but none of their actions with InvalidParameter.ActionNotExist).
func ValidateActions(doc *Document) error {
	unknown, err := CheckActions(doc)
	if err != nil || len(unknown) == 0 {
		return err
	}
	a := unknown[0]
	n, _ := normaliseAction(a)
	svc, _, _ := strings.Cut(n, ":")
	if len(knownServicesMatching(svc)) > 0 {
		return syntaxErr(CodeActionNotExist, "action %q does not exist", a)
	}
	return syntaxErr(CodeActionServiceNotExist, "action %q: service %q is not known (known services: %s)", a, svc, strings.Join(Services(), ", "))
}

// UnknownServiceWarnings returns one warning for each action of a valid document whose service the
// catalogue does not know, for "policy render" and "policy diff" to print. It returns nothing for a
// document that does not parse (its error is reported elsewhere).
func UnknownServiceWarnings(data []byte) []string {
	doc, err := Parse(data)
	if err != nil {
		return nil
	}
	unknown, err := CheckActions(doc)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range unknown {
		svc, _, _ := strings.Cut(a, ":")
		out = append(out, fmt.Sprintf("action %q: onboard does not know the service %q; CAM may, but check the spelling", a, svc))
	}
	return out
}

func knownServicesMatching(pattern string) []string {
	var services []string
	for s := range catalogue {
		if glob(pattern, s) {
			services = append(services, s)
		}
	}
	return services
}

// checkAction checks one action; unknownService reports an action the catalogue cannot judge.
func checkAction(a string) (unknownService bool, err *SyntaxError) {
	n, serr := normaliseAction(a)
	if serr != nil {
		return false, serr
	}
	if n == "*" {
		return false, nil
	}
	svc, api, _ := strings.Cut(n, ":")
	services := knownServicesMatching(svc)
	if len(services) == 0 {
		return true, nil
	}
	for _, s := range services {
		for _, known := range catalogue[s] {
			if glob(api, known) {
				return false, nil
			}
		}
	}
	if strings.Contains(svc, "*") {
		return true, nil
	}
	return false, syntaxErr(CodeActionNotExist, "action %q does not exist", a)
}
