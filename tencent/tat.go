package tencent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// TAT (TencentCloud Automation Tools) has no typed module on the module proxy: it goes through the SDK's
// generic client with the structs below, whose field names and types are those of the Node SDK models
// (tat_models.d.ts, 4.1.313; docs/facts/agent-install.md).
const (
	tatService = "tat"
	tatVersion = "2020-10-28"
	// TATBatchMax is the most instances one RunCommand, DescribeAutomationAgentStatus or
	// DescribeInvocationTasks page takes.
	TATBatchMax = 100
)

// Agent states of TAT's client on an instance.
const (
	AgentOnline  = "Online"
	AgentOffline = "Offline"
)

// AgentStatus is the state of TAT's client on one instance.
type AgentStatus struct {
	InstanceID  string
	Status      string // AgentOnline or AgentOffline
	Environment string // Linux or Windows
}

// CommandSpec is one RunCommand. Parameters fill the script's {{name}} and {{tat-hidden:name}}
// placeholders; a hidden one is shown as ****** in TAT's records, which is how a secret travels.
type CommandSpec struct {
	Name        string
	Script      string // plain text; sent Base64-encoded
	Type        string // SHELL or POWERSHELL
	Timeout     int    // seconds
	InstanceIDs []string
	Parameters  map[string]string
}

// Invocation is what RunCommand started.
type Invocation struct {
	ID, CommandID string
}

// InvocationTask is one instance's part of an invocation.
type InvocationTask struct {
	ID, InstanceID string
	Status         string // PENDING ... SUCCESS, FAILED, TIMEOUT (docs/facts/agent-install.md)
	ExitCode       int64
	Output         string // decoded; the end of what the command printed
	ErrorInfo      string
}

// Ended reports whether the task reached a final status.
func (t InvocationTask) Ended() bool {
	switch t.Status {
	case "SUCCESS", "FAILED", "TIMEOUT", "TASK_TIMEOUT", "DELIVER_FAILED", "START_FAILED", "CANCELLED", "TERMINATED":
		return true
	}
	return false
}

// Succeeded reports whether the command ran and exited 0.
func (t InvocationTask) Succeeded() bool { return t.Status == "SUCCESS" }

type tatFilter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

type describeAgentStatusRequest struct {
	InstanceIds []string `json:"InstanceIds"`
	Limit       int64    `json:"Limit"`
	Offset      int64    `json:"Offset"`
}

type describeAgentStatusResponse struct {
	Response struct {
		AutomationAgentSet []struct {
			InstanceId  string `json:"InstanceId"`
			AgentStatus string `json:"AgentStatus"`
			Environment string `json:"Environment"`
		} `json:"AutomationAgentSet"`
		TotalCount int64 `json:"TotalCount"`
	} `json:"Response"`
}

type runCommandRequest struct {
	Content         string   `json:"Content"`
	InstanceIds     []string `json:"InstanceIds"`
	CommandName     string   `json:"CommandName,omitempty"`
	CommandType     string   `json:"CommandType,omitempty"`
	Timeout         int64    `json:"Timeout,omitempty"`
	SaveCommand     bool     `json:"SaveCommand"`
	EnableParameter bool     `json:"EnableParameter"`
	Parameters      string   `json:"Parameters,omitempty"`
}

type runCommandResponse struct {
	Response struct {
		CommandId    string `json:"CommandId"`
		InvocationId string `json:"InvocationId"`
	} `json:"Response"`
}

type describeInvocationTasksRequest struct {
	Filters    []tatFilter `json:"Filters"`
	Limit      int64       `json:"Limit"`
	Offset     int64       `json:"Offset"`
	HideOutput bool        `json:"HideOutput"`
}

type describeInvocationTasksResponse struct {
	Response struct {
		TotalCount        int64 `json:"TotalCount"`
		InvocationTaskSet []struct {
			InvocationTaskId string `json:"InvocationTaskId"`
			InstanceId       string `json:"InstanceId"`
			TaskStatus       string `json:"TaskStatus"`
			ErrorInfo        string `json:"ErrorInfo"`
			TaskResult       *struct {
				ExitCode int64  `json:"ExitCode"`
				Output   string `json:"Output"`
			} `json:"TaskResult"`
		} `json:"InvocationTaskSet"`
	} `json:"Response"`
}

// AgentStatuses returns the state of TAT's client on up to TATBatchMax instances of one region
// (DescribeAutomationAgentStatus). An instance TAT does not know is missing from the answer.
func (c *Client) AgentStatuses(ctx context.Context, region string, instanceIDs []string) ([]AgentStatus, error) {
	if len(instanceIDs) > TATBatchMax {
		return nil, fmt.Errorf("TAT agent status: %d instances, at most %d per call", len(instanceIDs), TATBatchMax)
	}
	var out describeAgentStatusResponse
	in := describeAgentStatusRequest{InstanceIds: instanceIDs, Limit: TATBatchMax}
	if err := c.generic(ctx, tatService, tatVersion, region, "DescribeAutomationAgentStatus", false, in, &out); err != nil {
		return nil, fmt.Errorf("read the TAT agent status of %d instances in %s: %w", len(instanceIDs), region, err)
	}
	res := make([]AgentStatus, 0, len(out.Response.AutomationAgentSet))
	for _, a := range out.Response.AutomationAgentSet {
		res = append(res, AgentStatus{InstanceID: a.InstanceId, Status: a.AgentStatus, Environment: a.Environment})
	}
	return res, nil
}

// RunCommand runs a script on up to TATBatchMax instances of one region. A dropped connection is not
// retried: the command may have started.
func (c *Client) RunCommand(ctx context.Context, region string, spec CommandSpec) (Invocation, error) {
	if len(spec.InstanceIDs) == 0 || len(spec.InstanceIDs) > TATBatchMax {
		return Invocation{}, fmt.Errorf("run command: %d instances, want 1 to %d", len(spec.InstanceIDs), TATBatchMax)
	}
	in := runCommandRequest{Content: base64.StdEncoding.EncodeToString([]byte(spec.Script)), InstanceIds: spec.InstanceIDs,
		CommandName: spec.Name, CommandType: spec.Type, Timeout: int64(spec.Timeout)}
	if len(spec.Parameters) > 0 {
		params, err := json.Marshal(spec.Parameters)
		if err != nil {
			return Invocation{}, err
		}
		in.EnableParameter, in.Parameters = true, string(params)
	}
	var out runCommandResponse
	if err := c.generic(ctx, tatService, tatVersion, region, "RunCommand", true, in, &out); err != nil {
		return Invocation{}, fmt.Errorf("run command %s on %d instances in %s: %w", spec.Name, len(spec.InstanceIDs), region, err)
	}
	return Invocation{ID: out.Response.InvocationId, CommandID: out.Response.CommandId}, nil
}

// InvocationTasks returns every task of an invocation, with their output (DescribeInvocationTasks,
// HideOutput false: the default hides it).
func (c *Client) InvocationTasks(ctx context.Context, region, invocationID string) ([]InvocationTask, error) {
	var res []InvocationTask
	for offset := 0; ; offset += TATBatchMax {
		in := describeInvocationTasksRequest{Filters: []tatFilter{{Name: "invocation-id", Values: []string{invocationID}}},
			Limit: TATBatchMax, Offset: int64(offset), HideOutput: false}
		var out describeInvocationTasksResponse
		if err := c.generic(ctx, tatService, tatVersion, region, "DescribeInvocationTasks", false, in, &out); err != nil {
			return nil, fmt.Errorf("read the tasks of invocation %s in %s: %w", invocationID, region, err)
		}
		for _, t := range out.Response.InvocationTaskSet {
			task := InvocationTask{ID: t.InvocationTaskId, InstanceID: t.InstanceId, Status: t.TaskStatus, ErrorInfo: t.ErrorInfo}
			if t.TaskResult != nil {
				task.ExitCode = t.TaskResult.ExitCode
				if data, err := base64.StdEncoding.DecodeString(t.TaskResult.Output); err == nil {
					task.Output = string(data)
				}
			}
			res = append(res, task)
		}
		if len(out.Response.InvocationTaskSet) == 0 || len(res) >= int(out.Response.TotalCount) {
			return res, nil
		}
	}
}
