package tcloud

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// TAT (TencentCloud Automation Tools, tat 2020-10-28): the agent state of each CVM and Lighthouse instance,
// RunCommand, and invocation tasks that end after a delay with an output. Field names and types are those
// of the Node SDK models (tat_models.d.ts, 4.1.313); the rules cite docs/facts/agent-install.md.

// AgentInstall is what the emulated TAT saw a finished command do: run Security Center's agent installer
// with an install code on an instance. Security Center's emulator decides whether the agent comes online.
type AgentInstall struct {
	InstanceID, Region, OwnerUIN, Code, OS string
}

// DefaultTATTaskDelay is how long an emulated command runs before its task ends.
const DefaultTATTaskDelay = 300 * time.Millisecond

type tatState struct {
	offline   map[string]bool   // instance → its TAT agent is offline
	failing   map[string]string // instance → what its failing command prints
	delay     time.Duration
	tasks     []*tatTask
	nextID    int
	targeted  []string // every instance a RunCommand named, in order
	onInstall func(AgentInstall)
	refuseMix bool
}

type tatTask struct {
	id, invocationID, commandID, commandName string
	instanceID, region, os                   string
	content, commandType, script             string
	timeout                                  int64
	status, output, errorInfo                string
	exitCode                                 int64
	created, ended                           time.Time
}

func newTATState() *tatState {
	return &tatState{offline: map[string]bool{}, failing: map[string]string{}, delay: DefaultTATTaskDelay, refuseMix: true}
}

// SetTATAgent sets the state of TAT's agent on an instance (all are online unless set).
func (s *Server) SetTATAgent(instanceID string, online bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tat.offline[instanceID] = !online
}

// FailTATCommands makes every command run on the instance fail (exit code 1) printing output.
func (s *Server) FailTATCommands(instanceID, output string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tat.failing[instanceID] = output
}

// SetTATTaskDelay sets how long a command runs before its task ends.
func (s *Server) SetTATTaskDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tat.delay = d
}

// AllowMixedTATInstances plays the other reading of a point the docs leave open: whether one RunCommand
// may name CVM and Lighthouse instances together. By default the emulator refuses such a call.
func (s *Server) AllowMixedTATInstances() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tat.refuseMix = false
}

// OnAgentInstall registers what runs when a command that installs Security Center's agent succeeds.
func (s *Server) OnAgentInstall(fn func(AgentInstall)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tat.onInstall = fn
}

// TATTargets returns every instance RunCommand was asked to run on, in order, for tests.
func (s *Server) TATTargets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tat.targeted...)
}

// TATDownloadFailure is what a seeded failing command prints: the installer could not download the agent.
const TATDownloadFailure = "downloading AliAqsInstall ...\nerror: could not reach the download site (connection timed out)\n"

// SeedTAT marks, over every CVM and Lighthouse instance in ID order, every offlineEvery-th one's agent
// offline and every failEvery-th of the others failing its commands (0: none), and returns how many of each.
func (s *Server) SeedTAT(offlineEvery, failEvery int) (offline, failing []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, list := range s.cvm {
		for _, in := range list {
			ids = append(ids, in.InstanceId)
		}
	}
	for _, list := range s.lighthouse {
		for _, in := range list {
			ids = append(ids, in.InstanceId)
		}
	}
	sort.Strings(ids)
	rest := 0
	for i, id := range ids {
		if offlineEvery > 0 && (i+1)%offlineEvery == 0 {
			s.tat.offline[id] = true
			offline = append(offline, id)
			continue
		}
		rest++
		if failEvery > 0 && rest%failEvery == 0 {
			s.tat.failing[id] = TATDownloadFailure
			failing = append(failing, id)
		}
	}
	return offline, failing
}

// tatInstance is what TAT knows of an instance of the request's region: its OS (Linux or Windows) and
// kind (cvm or lighthouse). The caller holds s.mu.
func (s *Server) tatInstance(region, id string) (os, kind string, ok bool) {
	for _, in := range s.cvm[region] {
		if in.InstanceId == id {
			if strings.Contains(strings.ToLower(in.OsName), "windows") {
				return "Windows", "cvm", true
			}
			return "Linux", "cvm", true
		}
	}
	for _, in := range s.lighthouse[region] {
		if in.InstanceId == id {
			if in.PlatformType == "WINDOWS" {
				return "Windows", "lighthouse", true
			}
			return "Linux", "lighthouse", true
		}
	}
	return "", "", false
}

type tatFilter struct {
	Name   string
	Values []string
}

func (s *Server) describeAutomationAgentStatus(r *request) (any, *apiError) {
	var in struct {
		InstanceIds   []string
		Filters       []tatFilter
		Limit, Offset *int64
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	if len(in.InstanceIds) > 0 && len(in.Filters) > 0 {
		return nil, errorf("InvalidParameter", "InstanceIds and Filters cannot be given together")
	}
	if len(in.InstanceIds) > 100 {
		return nil, errorf("InvalidParameterValue.LimitExceeded", "at most 100 InstanceIds")
	}
	o, l, e := page(in.Offset, in.Limit, 100)
	if e != nil {
		return nil, e
	}
	ids := in.InstanceIds
	if len(ids) == 0 {
		for _, c := range s.cvm[r.region] {
			ids = append(ids, c.InstanceId)
		}
		for _, c := range s.lighthouse[r.region] {
			ids = append(ids, c.InstanceId)
		}
	}
	set := []map[string]any{}
	for _, id := range ids {
		os, _, ok := s.tatInstance(r.region, id)
		if !ok {
			continue
		}
		status := "Online"
		if s.tat.offline[id] {
			status = "Offline"
		}
		if !matchesFilters(in.Filters, map[string]string{"instance-id": id, "agent-status": status, "environment": os}) {
			continue
		}
		set = append(set, map[string]any{"InstanceId": id, "Version": "1.1.9", "LastHeartbeatTime": s.now().UTC().Format(time.RFC3339),
			"AgentStatus": status, "Environment": os, "SupportFeatures": []string{"SendFile"}})
	}
	total := len(set)
	set = set[min(int(o), total):min(int(o+l), total)]
	return map[string]any{"AutomationAgentSet": set, "TotalCount": total}, nil
}

func matchesFilters(filters []tatFilter, fields map[string]string) bool {
	for _, f := range filters {
		v, known := fields[f.Name]
		if known && !containsString(f.Values, v) {
			return false
		}
	}
	return true
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// installerCode finds Security Center's installer and its install code in a script (the console's
// command runs AliAqsInstall with -k=<code>; docs/facts/agent-install.md).
var installerCode = regexp.MustCompile(`AliAqsInstall[^\n]*-k=([A-Za-z0-9*]+)`)

func (s *Server) runCommand(r *request) (any, *apiError) {
	var in struct {
		Content, CommandName, Description, CommandType, WorkingDirectory *string
		InstanceIds                                                      []string
		Timeout                                                          *int64
		SaveCommand, EnableParameter                                     *bool
		DefaultParameters, Parameters, Username                          *string
		DefaultParameterConfs                                            []struct{ ParameterName, ParameterValue, ParameterDescription string }
		Tags                                                             []struct{ Key, Value string }
		OutputCOSBucketUrl, OutputCOSKeyPrefix                           *string
	}
	if e := decode(r, &in, "Content"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	if len(in.InstanceIds) == 0 {
		return nil, errorf("MissingParameter", "the parameter InstanceIds is required")
	}
	// InstanceIds: "上限200" (tat_models.d.ts RunCommandRequest).
	if len(in.InstanceIds) > 200 {
		return nil, errorf("InvalidParameterValue.LimitExceeded", "at most 200 InstanceIds")
	}
	// Content: Base64, at most 64 KB encoded (same model).
	if len(*in.Content) > 64<<10 {
		return nil, errorf("InvalidParameterValue.ContentTooLong", "Content is longer than 64 KB")
	}
	script, err := base64.StdEncoding.DecodeString(*in.Content)
	if err != nil {
		return nil, errorf("InvalidParameterValue.ContentNotBase64", "Content is not Base64")
	}
	ctype := "SHELL"
	if in.CommandType != nil {
		ctype = *in.CommandType
	}
	if !containsString([]string{"SHELL", "POWERSHELL", "BAT"}, ctype) {
		return nil, errorf("InvalidParameterValue", "CommandType %q: valid values are SHELL, POWERSHELL, BAT", ctype)
	}
	timeout := int64(60)
	if in.Timeout != nil {
		timeout = *in.Timeout
	}
	if timeout < 1 || timeout > 86400 {
		return nil, errorf("InvalidParameterValue", "Timeout must be between 1 and 86400")
	}
	enabled := in.EnableParameter != nil && *in.EnableParameter
	if !enabled && (in.Parameters != nil || in.DefaultParameters != nil) {
		return nil, errorf("InvalidParameter", "Parameters are allowed only when EnableParameter is true")
	}
	text := string(script)
	if enabled && in.Parameters != nil {
		var params map[string]string
		if json.Unmarshal([]byte(*in.Parameters), &params) != nil {
			return nil, errorf("InvalidParameterValue", "Parameters is not a JSON object of strings")
		}
		// {{key}} and the hidden {{tat-hidden:key}} both take the value (RunCommandRequest.Content).
		for k, v := range params {
			text = strings.ReplaceAll(text, "{{"+k+"}}", v)
			text = strings.ReplaceAll(text, "{{tat-hidden:"+k+"}}", v)
		}
	}
	kinds := map[string]bool{}
	oses := make([]string, len(in.InstanceIds))
	for i, id := range in.InstanceIds {
		os, kind, ok := s.tatInstance(r.region, id)
		if !ok {
			return nil, errorf("InvalidInstanceId.NotFound", "instance %s does not exist in %s", id, r.region)
		}
		oses[i], kinds[kind] = os, true
	}
	if s.tat.refuseMix && len(kinds) > 1 {
		return nil, errorf("InvalidParameter.InstanceIdsMixed", "CVM and Lighthouse instances cannot be given in one call")
	}
	s.tat.nextID++
	n := s.tat.nextID
	invocation, command := fmt.Sprintf("inv-%08d", n), fmt.Sprintf("cmd-%08d", n)
	name := ""
	if in.CommandName != nil {
		name = *in.CommandName
	}
	for i, id := range in.InstanceIds {
		s.tat.targeted = append(s.tat.targeted, id)
		t := &tatTask{id: fmt.Sprintf("invt-%08d%03d", n, i), invocationID: invocation, commandID: command, commandName: name,
			instanceID: id, region: r.region, os: oses[i], content: *in.Content, commandType: ctype, script: text,
			timeout: timeout, status: "PENDING", created: s.now()}
		s.tat.tasks = append(s.tat.tasks, t)
		if s.tat.offline[id] {
			// An instance whose agent is offline cannot receive the command: its task fails delivery
			// (DELIVER_FAILED, "下发失败"); whether RunCommand refuses it instead is not documented.
			t.status, t.errorInfo, t.ended = "DELIVER_FAILED", "the TAT agent of the instance is offline", s.now()
			continue
		}
		time.AfterFunc(s.tat.delay, func() { s.finishTask(t) })
	}
	return map[string]any{"CommandId": command, "InvocationId": invocation}, nil
}

// finishTask ends a task as the instance would: a failing instance prints its error and exits 1; a
// script of the wrong kind for the OS does not run; otherwise it succeeds, and an agent installer on it
// connects.
func (s *Server) finishTask(t *tatTask) {
	s.mu.Lock()
	t.ended = s.now()
	var install *AgentInstall
	switch out, failing := s.tat.failing[t.instanceID]; {
	case failing:
		t.status, t.exitCode, t.output = "FAILED", 1, out
	case (t.os == "Linux") != (t.commandType == "SHELL"):
		t.status, t.exitCode, t.output = "FAILED", 127, "the command type "+t.commandType+" does not run on "+t.os+"\n"
	default:
		t.status, t.exitCode, t.output = "SUCCESS", 0, "downloading the installer ...\ninstalling the Security Center agent ...\ninstalled\n"
		if m := installerCode.FindStringSubmatch(t.script); m != nil {
			install = &AgentInstall{InstanceID: t.instanceID, Region: t.region, OwnerUIN: fmt.Sprint(s.owner), Code: m[1], OS: t.os}
		}
	}
	hook := s.tat.onInstall
	s.mu.Unlock()
	if install != nil && hook != nil {
		hook(*install)
	}
}

func (s *Server) describeInvocationTasks(r *request) (any, *apiError) {
	var in struct {
		InvocationTaskIds []string
		Filters           []tatFilter
		Limit, Offset     *int64
		HideOutput        *bool
	}
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	if len(in.InvocationTaskIds) > 0 && len(in.Filters) > 0 {
		return nil, errorf("InvalidParameter", "InvocationTaskIds and Filters cannot be given together")
	}
	if len(in.Filters) > 10 {
		return nil, errorf("InvalidParameterValue.LimitExceeded", "at most 10 Filters")
	}
	for _, f := range in.Filters {
		if !containsString([]string{"invocation-task-id", "invocation-id", "instance-id", "command-id"}, f.Name) {
			return nil, errorf("InvalidFilter", "unknown filter %q", f.Name)
		}
		if len(f.Values) > 5 {
			return nil, errorf("InvalidParameterValue.LimitExceeded", "at most 5 values per filter")
		}
	}
	o, l, e := page(in.Offset, in.Limit, 100)
	if e != nil {
		return nil, e
	}
	// HideOutput: "默认为 true" (DescribeInvocationTasksRequest).
	hide := in.HideOutput == nil || *in.HideOutput
	set := []map[string]any{}
	for _, t := range s.tat.tasks {
		if t.region != r.region {
			continue
		}
		if len(in.InvocationTaskIds) > 0 && !containsString(in.InvocationTaskIds, t.id) {
			continue
		}
		if !matchesFilters(in.Filters, map[string]string{"invocation-task-id": t.id, "invocation-id": t.invocationID,
			"instance-id": t.instanceID, "command-id": t.commandID}) {
			continue
		}
		set = append(set, s.taskView(t, hide))
	}
	total := len(set)
	set = set[min(int(o), total):min(int(o+l), total)]
	return map[string]any{"TotalCount": total, "InvocationTaskSet": set}, nil
}

// taskView is a task as DescribeInvocationTasks answers it; the caller holds s.mu.
func (s *Server) taskView(t *tatTask, hideOutput bool) map[string]any {
	status := t.status
	if status == "PENDING" && s.now().Sub(t.created) >= s.tat.delay/2 {
		status = "RUNNING"
	}
	at := func(tm time.Time) any {
		if tm.IsZero() {
			return nil
		}
		return tm.UTC().Format(time.RFC3339)
	}
	output := ""
	if !hideOutput {
		output = base64.StdEncoding.EncodeToString([]byte(t.output))
	}
	return map[string]any{"InvocationId": t.invocationID, "InvocationTaskId": t.id, "CommandId": t.commandID, "TaskStatus": status,
		"InstanceId": t.instanceID,
		"TaskResult": map[string]any{"ExitCode": t.exitCode, "Output": output, "ExecStartTime": at(t.created), "ExecEndTime": at(t.ended),
			"Dropped": 0, "OutputUrl": "", "OutputUploadCOSErrorInfo": ""},
		"StartTime": at(t.created), "EndTime": at(t.ended), "CreatedTime": at(t.created), "UpdatedTime": at(s.now()),
		// The document keeps the script as sent, placeholders unfilled: a hidden parameter stays hidden.
		"CommandDocument": map[string]any{"Content": t.content, "CommandType": t.commandType, "Timeout": t.timeout,
			"WorkingDirectory": "/root", "Username": "root", "OutputCOSBucketUrl": "", "OutputCOSKeyPrefix": ""},
		"ErrorInfo": t.errorInfo, "InvocationSource": "USER", "CommandName": t.commandName}
}

func (s *Server) tatService() service {
	return service{version: "2020-10-28", regionRequired: true, actions: map[string]handler{
		"DescribeAutomationAgentStatus": {fn: s.describeAutomationAgentStatus},
		"RunCommand":                    {fn: s.runCommand, mutating: true},
		"DescribeInvocationTasks":       {fn: s.describeInvocationTasks},
	}}
}

// SetWindows makes a CVM instance run Windows (its OsName) or a Lighthouse server (its PlatformType), for
// tests of the PowerShell path; it reports whether the instance exists.
func (s *Server) SetWindows(instanceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for region := range s.cvm {
		for i := range s.cvm[region] {
			if s.cvm[region][i].InstanceId == instanceID {
				s.cvm[region][i].OsName = "Windows Server 2022 DataCenter 64bit"
				delete(s.encoded, "cvm/"+region) // the listing's cache holds the item as seeded
				return true
			}
		}
	}
	for region := range s.lighthouse {
		for i := range s.lighthouse[region] {
			if s.lighthouse[region][i].InstanceId == instanceID {
				s.lighthouse[region][i].PlatformType, s.lighthouse[region][i].Platform = "WINDOWS", "WINDOWS_SERVER_2022"
				s.lighthouse[region][i].OsName = "Windows Server 2022 DataCenter 64bit"
				delete(s.encoded, "lighthouse/"+region)
				return true
			}
		}
	}
	return false
}

// StopInstance stops a CVM instance or a Lighthouse server (its InstanceState becomes STOPPED); it reports
// whether the instance exists.
func (s *Server) StopInstance(instanceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for region := range s.cvm {
		for i := range s.cvm[region] {
			if s.cvm[region][i].InstanceId == instanceID {
				s.cvm[region][i].InstanceState = "STOPPED"
				delete(s.encoded, "cvm/"+region)
				return true
			}
		}
	}
	for region := range s.lighthouse {
		for i := range s.lighthouse[region] {
			if s.lighthouse[region][i].InstanceId == instanceID {
				s.lighthouse[region][i].InstanceState = "STOPPED"
				delete(s.encoded, "lighthouse/"+region)
				return true
			}
		}
	}
	return false
}

// InstanceIDs returns the IDs of a region's CVM instances, then of its Lighthouse servers, in the order
// they were seeded.
func (s *Server) InstanceIDs(region string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, in := range s.cvm[region] {
		ids = append(ids, in.InstanceId)
	}
	for _, in := range s.lighthouse[region] {
		ids = append(ids, in.InstanceId)
	}
	return ids
}
