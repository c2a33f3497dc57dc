package tencent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

// TAT is reached through the generic client: the request fields the client sends, the response fields
// it reads, and every field the emulator answers exist in the Node SDK's TAT models with the same JSON
// type.
func TestTATStructsAndEmulatorMatchTheNodeModels(t *testing.T) {
	models := nodeModels(t, "tat", "v20201028")
	checkStruct(t, "tat DescribeAutomationAgentStatus request", reflect.TypeOf(describeAgentStatusRequest{}), modelFields(t, models, "DescribeAutomationAgentStatusRequest"))
	checkStruct(t, "tat DescribeAutomationAgentStatus response", reflect.TypeOf(describeAgentStatusResponse{}.Response), modelFields(t, models, "DescribeAutomationAgentStatusResponse"))
	checkStruct(t, "tat AutomationAgentInfo", reflect.TypeOf(describeAgentStatusResponse{}.Response.AutomationAgentSet).Elem(), modelFields(t, models, "AutomationAgentInfo"))
	checkStruct(t, "tat RunCommand request", reflect.TypeOf(runCommandRequest{}), modelFields(t, models, "RunCommandRequest"))
	checkStruct(t, "tat RunCommand response", reflect.TypeOf(runCommandResponse{}.Response), modelFields(t, models, "RunCommandResponse"))
	checkStruct(t, "tat DescribeInvocationTasks request", reflect.TypeOf(describeInvocationTasksRequest{}), modelFields(t, models, "DescribeInvocationTasksRequest"))
	checkStruct(t, "tat DescribeInvocationTasks response", reflect.TypeOf(describeInvocationTasksResponse{}.Response), modelFields(t, models, "DescribeInvocationTasksResponse"))
	task := reflect.TypeOf(describeInvocationTasksResponse{}.Response.InvocationTaskSet).Elem()
	checkStruct(t, "tat InvocationTask", task, modelFields(t, models, "InvocationTask"))
	result, _ := task.FieldByName("TaskResult")
	checkStruct(t, "tat TaskResult", result.Type.Elem(), modelFields(t, models, "TaskResult"))

	emu := tcloud.New(tcloud.Options{})
	emu.SeedCVM("ap-guangzhou", 1)
	emu.SetTATTaskDelay(time.Millisecond)
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	call := func(action string, in any) map[string]any {
		body, _ := json.Marshal(in)
		return emulatorAnswer(t, hs.URL, id, key, "tat", tatVersion, "ap-guangzhou", action, body)
	}
	check := func(what string, got map[string]any, model string) {
		checkAnswer(t, what, got, modelFields(t, models, model))
	}
	agents := call("DescribeAutomationAgentStatus", map[string]any{"Limit": 100})
	check("DescribeAutomationAgentStatus", agents, "DescribeAutomationAgentStatusResponse")
	list, _ := agents["AutomationAgentSet"].([]any)
	if len(list) != 1 {
		t.Fatalf("agents: %v", agents)
	}
	check("AutomationAgentInfo", list[0].(map[string]any), "AutomationAgentInfo")
	instance := list[0].(map[string]any)["InstanceId"].(string)

	run := call("RunCommand", map[string]any{"Content": base64.StdEncoding.EncodeToString([]byte("echo {{tat-hidden:word}}")),
		"InstanceIds": []string{instance}, "EnableParameter": true, "Parameters": `{"word":"hello"}`})
	check("RunCommand", run, "RunCommandResponse")
	time.Sleep(20 * time.Millisecond)
	tasks := call("DescribeInvocationTasks", map[string]any{"Filters": []map[string]any{{"Name": "invocation-id", "Values": []string{run["InvocationId"].(string)}}},
		"HideOutput": false})
	check("DescribeInvocationTasks", tasks, "DescribeInvocationTasksResponse")
	set, _ := tasks["InvocationTaskSet"].([]any)
	if len(set) != 1 {
		t.Fatalf("tasks: %v", tasks)
	}
	item := set[0].(map[string]any)
	check("InvocationTask", item, "InvocationTask")
	check("TaskResult", item["TaskResult"].(map[string]any), "TaskResult")
	check("CommandDocument", item["CommandDocument"].(map[string]any), "CommandDocument")
	if item["TaskStatus"] != "SUCCESS" {
		t.Errorf("task: %v", item)
	}
	// The command document keeps the hidden parameter hidden.
	doc, _ := base64.StdEncoding.DecodeString(item["CommandDocument"].(map[string]any)["Content"].(string))
	if bytes.Contains(doc, []byte("hello")) {
		t.Errorf("the command document shows the hidden parameter: %s", doc)
	}
}
