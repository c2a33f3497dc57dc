package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onboard/policy"
)

func testFactory() (*Factory, *IOStreams) {
	ios, _, _, _ := TestIOStreams()
	return &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}, ios
}

var ciemSets = []string{
	"--set", "CLS_Topic_ID=002dbab1-fcf2-4ca7-b602-fda10d5e1731",
	"--set", "CLS_Logset_ID=f3a2c1d0-1111-4a2b-9c3d-0123456789ab",
	"--set", "CLS_Region_ID=ap-guangzhou",
	"--set", "Root_Account_ID=100004375281",
}

func TestPolicyRenderFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    PolicyRenderOptions
		wantErr string
	}{
		{args: []string{"ciemPolicy", "--set", "CLS_Region_ID=ap-guangzhou", "--set", "Root_Account_ID=1,2"},
			want: PolicyRenderOptions{Name: "ciemPolicy", Sets: []string{"CLS_Region_ID=ap-guangzhou", "Root_Account_ID=1,2"}}},
		{args: []string{"cspmPolicy", "--file", "x.json"}, want: PolicyRenderOptions{Name: "cspmPolicy", File: "x.json"}},
		{args: []string{}, wantErr: "want one policy NAME"},
		{args: []string{"ciempolicy"}, wantErr: "did you mean ciemPolicy"},
		{args: []string{"a", "b"}, wantErr: "want one policy NAME"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f, _ := testFactory()
			var got *PolicyRenderOptions
			cmd := NewCmdPolicyRender(f, func(o *PolicyRenderOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != ExitUsage {
					t.Fatalf("err = %v (exit %d), want a usage error containing %q", err, exitCode(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tt.want.Name || got.File != tt.want.File || strings.Join(got.Sets, "|") != strings.Join(tt.want.Sets, "|") {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestPolicyDiffFlags(t *testing.T) {
	f, _ := testFactory()
	f.Output = "json"
	var got *PolicyDiffOptions
	cmd := NewCmdPolicyDiff(f, func(o *PolicyDiffOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"siemPolicy", "--file", "live.json", "--policy-file", "want.json", "--set", "CLS_Region_ID=ap-guangzhou"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Name != "siemPolicy" || got.LiveFile != "live.json" || got.WantFile != "want.json" || !got.JSON || len(got.Sets) != 1 {
		t.Errorf("options = %+v", *got)
	}
	cmd = NewCmdPolicyDiff(f, func(*PolicyDiffOptions) error { t.Error("runF called without --file"); return nil })
	cmd.SetArgs([]string{"siemPolicy"})
	cmd.SetErr(&strings.Builder{})
	if err := cmd.Execute(); exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "--file") {
		t.Errorf("diff without --file: %v", err)
	}
}

func TestPolicyRenderRun(t *testing.T) {
	ios, _, out, _ := TestIOStreams()
	sets := []string{}
	for i := 1; i < len(ciemSets); i += 2 {
		sets = append(sets, ciemSets[i])
	}
	if err := policyRenderRun(&PolicyRenderOptions{IO: ios, Name: "ciemPolicy", Sets: sets}); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Parse(out.Bytes()); err != nil {
		t.Errorf("rendered output does not parse: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "qcs::cls:ap-guangzhou:uin/100004375281:topic/002dbab1-fcf2-4ca7-b602-fda10d5e1731") {
		t.Errorf("output lacks the scoped topic:\n%s", out)
	}

	bad := []struct {
		sets []string
		want string
	}{
		{[]string{"CLS_Topic_ID=x\"}],\"effect\":\"allow"}, "CLS_Topic_ID"},
		{[]string{"CLS_Region_ID=*"}, "region ID"},
		{[]string{"Foo=bar"}, "CLS_Logset_ID"},
		{[]string{"novalue"}, "PLACEHOLDER=VALUE"},
		{sets[:3], "${Root_Account_ID}"},
	}
	for _, tt := range bad {
		ios, _, out, _ := TestIOStreams()
		err := policyRenderRun(&PolicyRenderOptions{IO: ios, Name: "ciemPolicy", Sets: tt.sets})
		if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("sets %q: err %v (exit %d), want a usage error mentioning %q", tt.sets, err, exitCode(err), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("sets %q: stdout %q, want nothing", tt.sets, out)
		}
	}
}

func TestPolicyRenderFromFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "official.json")
	os.WriteFile(good, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${CLS_Topic_ID}"}]}`), 0o600)
	injected := filepath.Join(dir, "injected.json")
	os.WriteFile(injected, []byte(`{"version":"2.0","statement":[{"effect":"allow","action":"cls:SearchLog","resource":"qcs::cls:${CLS_Region_ID}:uin/${Root_Account_ID}:topic/${Topic}"}]}`), 0o600)

	ios, _, out, _ := TestIOStreams()
	if err := policyRenderRun(&PolicyRenderOptions{IO: ios, Name: "ciemPolicy", File: good, Sets: []string{"CLS_Region_ID=ap-seoul", "Root_Account_ID=42", "CLS_Topic_ID=t-1"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "qcs::cls:ap-seoul:uin/42:topic/t-1") {
		t.Errorf("output = %s", out)
	}
	ios, _, out, _ = TestIOStreams()
	err := policyRenderRun(&PolicyRenderOptions{IO: ios, Name: "ciemPolicy", File: injected, Sets: []string{"CLS_Region_ID=ap-seoul", "Root_Account_ID=42", "CLS_Topic_ID=t-1"}})
	if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "${Topic}") || out.Len() != 0 {
		t.Errorf("injected placeholder: err %v, stdout %q", err, out)
	}
}

func TestPolicyDiffRun(t *testing.T) {
	dir := t.TempDir()
	want, err := policy.Render("siemPolicy", policy.Values{})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(want, &doc)
	same := filepath.Join(dir, "same.json")
	reordered, _ := json.Marshal(doc) // compact, keys re-ordered: no drift
	os.WriteFile(same, reordered, 0o600)
	drifted := filepath.Join(dir, "drifted.json")
	os.WriteFile(drifted, []byte(strings.Replace(string(want), `"waf:UpsertIpAccessControl"`, `"waf:DeleteHost"`, 1)), 0o600)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"version":"2.0"`), 0o600)

	tests := []struct {
		file, output string
		code         int
		stdout       []string
	}{
		{same, "text", ExitOK, nil},
		{same, "json", ExitOK, []string{`"changed": false`, `"lines": []`}},
		{drifted, "text", ExitFailed, []string{"- allow waf:DeleteHost on *", "+ allow waf:UpsertIpAccessControl on *"}},
		{drifted, "json", ExitFailed, []string{`"changed": true`, `"+ allow waf:UpsertIpAccessControl on *"`}},
		{broken, "text", ExitUsage, nil},
		{filepath.Join(dir, "missing.json"), "text", ExitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file)+"/"+tt.output, func(t *testing.T) {
			f, _ := testFactory()
			ios, _, out, errOut := TestIOStreams()
			f.IO = ios
			code := run(context.Background(), f, []string{"policy", "diff", "siemPolicy", "--file", tt.file, "--output", tt.output})
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			if tt.stdout == nil && out.Len() != 0 && tt.output == "text" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
		})
	}
}

func TestPolicyListAndShow(t *testing.T) {
	f, _ := testFactory()
	ios, _, out, _ := TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "list"}); code != ExitOK {
		t.Fatalf("list: exit %d", code)
	}
	for _, s := range []string{"QcloudCVMReadOnlyAccess (preset)", "QcloudLighthouseReadOnlyAccess", "CloudResourceReadOnlyAccess (preset) or else ReadOnlyAccess", "cspmPolicy (custom)", "siemPolicy", "ciemPolicy", "least-privilege"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("list output lacks %q:\n%s", s, out)
		}
	}

	ios, _, out, _ = TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "list", "-o", "json"}); code != ExitOK {
		t.Fatalf("list json: exit %d", code)
	}
	var listed struct {
		Features []struct {
			Feature string
			Grants  []struct {
				Name   string
				Preset bool
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &listed); err != nil || len(listed.Features) != 6 {
		t.Fatalf("list json = %s (%v)", out, err)
	}

	ios, _, out, _ = TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "show", "ciemPolicy"}); code != ExitOK {
		t.Fatalf("show: exit %d", code)
	}
	tmpl, _ := policy.Template("ciemPolicy")
	if out.String() != string(tmpl) {
		t.Errorf("show printed %q, want the template as stored", out)
	}
	ios, _, out, errOut := TestIOStreams()
	f.IO = ios
	if code := run(context.Background(), f, []string{"policy", "show", "nope"}); code != ExitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "cspmPolicy, siemPolicy, ciemPolicy") {
		t.Errorf("show nope: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestPolicyRenderCommandLine(t *testing.T) {
	f, _ := testFactory()
	ios, _, out, errOut := TestIOStreams()
	f.IO = ios
	args := append([]string{"policy", "render", "ciemPolicy"}, ciemSets...)
	args[len(args)-1] = "Root_Account_ID=12ab"
	if code := run(context.Background(), f, args); code != ExitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "Root_Account_ID") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestPolicyShowAlibabaOperator(t *testing.T) {
	show := func(args ...string) (int, string, string) {
		ios, _, out, errOut := TestIOStreams()
		f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Output: "text", Logger: NewFactory().Logger}
		code := run(context.Background(), f, append([]string{"policy", "show", "alibaba-operator"}, args...))
		return code, out.String(), errOut.String()
	}
	actionsOf := func(out string) []string {
		var doc struct {
			Version   string
			Statement []struct {
				Effect, Resource string
				Action           []string
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Version != "1" || len(doc.Statement) != 1 ||
			doc.Statement[0].Effect != "Allow" || doc.Statement[0].Resource != "*" {
			t.Fatalf("not a RAM policy document: %s", out)
		}
		return doc.Statement[0].Action
	}
	code, out, _ := show("--features", "host,cspm")
	hosts := actionsOf(out)
	if code != ExitOK || !slices.Contains(hosts, "yundun-sas:AddCloudVendorAccountAK") || slices.Contains(hosts, "yundun-sas:addCloudVendorTrialConfig") {
		t.Errorf("host,cspm: exit %d, %v", code, hosts)
	}
	code, out, _ = show()
	if all := actionsOf(out); code != ExitOK || !slices.Contains(all, "yundun-sas:addCloudVendorTrialConfig") || len(all) <= len(hosts) {
		t.Errorf("all features: exit %d, %v", code, all)
	}
	if code, out, errOut := show("--features", "host,dns"); code != ExitUsage || out != "" || !strings.Contains(errOut, "dns") {
		t.Errorf("unknown feature: exit %d, stderr %q", code, errOut)
	}
}
