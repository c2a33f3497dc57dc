package cmd

import (
	"fmt"
	"io"
	"strings"

	"onboard/onboarding"
	"onboard/store"
)

// changeLine words one change of a plan for people: "create user sas-reader: programmatic access only".
func changeLine(c onboarding.Change) string {
	s := c.Op
	if o := objectWords[c.Object]; o != "" {
		s += " " + o
	} else if _, known := objectWords[c.Object]; !known {
		s += " " + c.Object
	}
	if c.Name != "" {
		s += " " + c.Name
	}
	if c.ID != "" && c.ID != c.Name {
		s += " (" + c.ID + ")"
	}
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// objectWords name a change's object for people; an attachment is said by its verb alone ("attach
// cspmPolicy").
var objectWords = map[string]string{
	onboarding.ObjectUser: "sub-user", onboarding.ObjectPolicy: "policy", onboarding.ObjectAttachment: "",
	onboarding.ObjectKey: "API key of", onboarding.ObjectLogset: "CLS logset", onboarding.ObjectTopic: "CLS topic",
	onboarding.ObjectTrackingSet: "CloudAudit tracking set", onboarding.ObjectKafka: "Kafka consumption of topic",
	onboarding.ObjectSecurityCenterAccount: "Security Center account", onboarding.ObjectSecurityCenterAuditLog: "Security Center",
	onboarding.ObjectRegions: "Security Center sync regions", onboarding.ObjectFrequencies: "Security Center", onboarding.ObjectFirstSync: "first sync of",
	onboarding.ObjectRootKey: "root key", onboarding.ObjectRecord: "account record",
	onboarding.ObjectWAFFlow: "WAF delivery flow to CLS topic", onboarding.ObjectWAFAttackLog: "WAF instance",
	onboarding.ObjectWAFAccessLog: "WAF domain", onboarding.ObjectWAFDomainDelivery: "WAF domain", onboarding.ObjectWAF: "WAF",
	onboarding.ObjectCFW: "Cloud Firewall",
}

// writePlan prints a plan step by step under heading; a step with no change says so.
func writePlan(w io.Writer, heading string, p onboarding.Plan) error {
	var b strings.Builder
	b.WriteString(heading + "\n")
	for _, s := range p.Steps {
		lines := []string{"nothing to do"}
		if len(s.Changes) > 0 {
			lines = lines[:0]
			for _, c := range s.Changes {
				lines = append(lines, changeLine(c))
			}
		}
		fmt.Fprintf(&b, "%s:\n  - %s\n", s.Title, strings.Join(lines, "\n  - "))
	}
	_, err := io.WriteString(w, terminalSafeLines(store.Scrub(b.String())))
	return err
}
