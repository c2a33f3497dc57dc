package tcloud

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	rules, err := ParseFaults("fault=RequestLimitExceeded,p=0.05; action=cvm:DescribeInstances,fault=drop,nth=3;fault=http503,p=0.01;action=AddUser,fault=delay,delay=30s,nth=1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 4 || rules[1].Action != "cvm:DescribeInstances" || rules[1].Nth != 3 || rules[2].Fault != "http503" || rules[3].Delay != 30*time.Second {
		t.Errorf("%+v", rules)
	}
	for spec, want := range map[string]string{
		"":                          "no rule",
		"fault=drop":                "exactly one of p",
		"fault=drop,p=0.1,nth=2":    "exactly one of p",
		"fault=drop,p=2":            "not in (0, 1]",
		"fault=http404,p=0.1":       "http500 to http599",
		"fault=delay,p=0.1":         "delay=DURATION",
		"p=0.1":                     "fault= is required",
		"fault=drop,when=always":    "unknown key",
		"fault=drop,p=0.1;p":        "not key=value",
		"fault=InternalError,nth=0": "not a positive number",
	} {
		if _, err := ParseFaults(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
}

func TestFaultRulesMatchByActionAndCount(t *testing.T) {
	s := New(Options{})
	s.AddFaults([]FaultRule{{Action: "cvm:DescribeInstances", Fault: "InternalError", Nth: 2}})
	if f := s.takeFault("cvm", "DescribeInstances", "ap-guangzhou"); f != nil {
		t.Errorf("first call got %v", f.Fault)
	}
	if f := s.takeFault("lighthouse", "DescribeInstances", "ap-guangzhou"); f != nil {
		t.Errorf("another service's action matched: %v", f.Fault)
	}
	if f := s.takeFault("cvm", "DescribeInstances", "ap-guangzhou"); f == nil || f.Fault != "InternalError" {
		t.Errorf("second call: %v", f)
	}
	if f := s.takeFault("cvm", "DescribeInstances", "ap-guangzhou"); f != nil {
		t.Errorf("third call got %v", f.Fault)
	}
	s.ClearFaults()
	s.AddFaults([]FaultRule{{Region: "ap-tokyo", Fault: "InternalError", Probability: 1}})
	if s.takeFault("cvm", "DescribeInstances", "ap-guangzhou") != nil || s.takeFault("cvm", "DescribeInstances", "ap-tokyo") == nil {
		t.Error("a region's rule does not match by region")
	}
	s.ClearFaults()
	s.AddFaults([]FaultRule{{Fault: FaultDrop, Probability: 0.25}})
	hit := 0
	for i := 0; i < 4000; i++ {
		if s.takeFault("cvm", "DescribeInstances", "ap-guangzhou") != nil {
			hit++
		}
	}
	if hit < 800 || hit > 1200 {
		t.Errorf("p=0.25 hit %d of 4000 calls", hit)
	}
}

// A lost answer: the call is made (the user exists), the caller gets no answer, and Then ran before the
// connection closed. The inspection shows the user.
func TestALostAnswerIsMadeButNeverAnswered(t *testing.T) {
	s, c := newTestServer(t)
	rules, err := ParseFaults("action=cam:AddUser,fault=lost,nth=1")
	if err != nil {
		t.Fatal(err)
	}
	called := make(chan struct{}, 1)
	rules[0].Then = func() { called <- struct{}{} }
	s.AddFaults(rules)
	body, _ := json.Marshal(map[string]any{"Name": "lost"})
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL, bytes.NewReader(body))
	req.Header.Set("X-TC-Action", "AddUser")
	req.Header.Set("X-TC-Version", "2019-01-16")
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	Sign(req, body, c.id, c.key, "cam", c.now)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the lost call was answered: HTTP %d", resp.StatusCode)
	}
	select {
	case <-called:
	default:
		t.Error("Then was not called before the connection closed")
	}
	resp, err := http.Get(c.srv.URL + InspectPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if len(st.Users) != 1 || st.Users[0].Name != "lost" {
		t.Fatalf("users after the lost call: %+v", st.Users)
	}
}
