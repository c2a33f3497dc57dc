package policy

import (
	"encoding/json"
	"slices"
)

// AgentOperator names the CAM policy the operator's key needs to install Security Center's agent
// through TAT (onboard agent install): the Security Center sub-user stays read-only.
const AgentOperator = "agent-operator"

// agentOperatorCalls are the calls onboard agent install makes with the operator's key. TAT's actions
// take operation-level authorisation only (resource "*"); the listing of CVM and Lighthouse instances
// reads which hosts exist and run.
var agentOperatorCalls = []Call{
	{Service: "tat", Action: "DescribeAutomationAgentStatus", Resource: "*"},
	{Service: "tat", Action: "RunCommand", Resource: "*"},
	{Service: "tat", Action: "DescribeInvocationTasks", Resource: "*"},
	{Service: "cvm", Action: "DescribeInstances", Resource: "*"},
	{Service: "lighthouse", Action: "DescribeInstances", Resource: "*", Lighthouse: true},
}

// AgentOperatorCalls returns the calls of agent installation; lighthouse includes the Lighthouse one.
func AgentOperatorCalls(lighthouse bool) []Call {
	return slices.DeleteFunc(slices.Clone(agentOperatorCalls), func(c Call) bool { return c.Lighthouse && !lighthouse })
}

// AgentOperatorDocument is the least-privilege CAM policy document for AgentOperatorCalls.
func AgentOperatorDocument() ([]byte, error) {
	var actions []string
	for _, c := range agentOperatorCalls {
		actions = append(actions, c.Name())
	}
	doc := map[string]any{"version": "2.0", "statement": []map[string]any{{"effect": "allow", "action": actions, "resource": []string{"*"}}}}
	return json.MarshalIndent(doc, "", "  ")
}
