package policy

import (
	"slices"
	"testing"
)

// The agent-operator policy is a valid CAM document of known actions, and grants exactly the calls of
// agent installation.
func TestAgentOperatorDocumentGrantsItsCallsAndNothingElse(t *testing.T) {
	data, err := AgentOperatorDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range AgentOperatorCalls(true) {
		if !ActionExists(c.Name()) {
			t.Errorf("%s is not a known action", c.Name())
		}
		if !Evaluate([]*Document{doc}, Request{Action: c.Name(), Resource: "*"}).Allowed {
			t.Errorf("the document does not allow %s", c.Name())
		}
	}
	for _, other := range []string{"tat:CreateCommand", "cvm:TerminateInstances", "cam:AddUser"} {
		if Evaluate([]*Document{doc}, Request{Action: other, Resource: "*"}).Allowed {
			t.Errorf("the document allows %s", other)
		}
	}
	if slices.ContainsFunc(AgentOperatorCalls(false), func(c Call) bool { return c.Service == "lighthouse" }) {
		t.Error("without Lighthouse servers the calls still name Lighthouse")
	}
}
