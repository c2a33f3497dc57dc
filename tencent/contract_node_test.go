package tencent

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

const nodeSDK = "tencentcloud-sdk-nodejs@4.1.313"

// nodeModels returns the text of one product's models file from the official Node SDK package: from the
// tarball named by ONBOARD_NODE_SDK_TGZ (.ci/run packs it once), or from `npm pack` into a temporary
// folder. If it cannot be had, the test fails: a contract test that skips proves nothing.
func nodeModels(t *testing.T, product, version string) string {
	t.Helper()
	tgz := os.Getenv("ONBOARD_NODE_SDK_TGZ")
	if tgz == "" {
		dir := t.TempDir()
		cmd := exec.Command("npm", "pack", "--silent", nodeSDK, "--pack-destination", dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("npm pack %s (needed for the contract test): %v\n%s", nodeSDK, err, out)
		}
		tgz = filepath.Join(dir, strings.TrimSpace(lastLine(string(out))))
	}
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatalf("open the Node SDK package: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	want := "package/tencentcloud/services/" + product + "/" + version + "/" + product + "_models.d.ts"
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not found in %s: %v", want, tgz, err)
		}
		if h.Name == want {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// modelFields parses `interface NAME { Field?: type; ... }` into field → TypeScript type.
func modelFields(t *testing.T, models, name string) map[string]string {
	t.Helper()
	start := regexp.MustCompile(`(?m)^export interface ` + name + ` \{$`).FindStringIndex(models)
	if start == nil {
		t.Fatalf("interface %s not in the models", name)
	}
	body := models[start[1]:]
	body = body[:strings.Index(body, "\n}")]
	fields := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+)\??: (.+);$`).FindAllStringSubmatch(body, -1) {
		fields[m[1]] = m[2]
	}
	return fields
}

// jsonKind is the JSON type a TypeScript model type stands for.
func jsonKind(ts string) string {
	switch {
	case ts == "string":
		return "string"
	case ts == "number":
		return "number"
	case ts == "boolean":
		return "boolean"
	case strings.HasPrefix(ts, "Array<"):
		return "array"
	}
	return "object"
}

func goKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // json.RawMessage items are checked separately
			return "object"
		}
		return "array"
	}
	return "object"
}

func valueKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// checkStruct: every JSON field of the Go struct exists in the model with the same JSON type.
func checkStruct(t *testing.T, what string, typ reflect.Type, model map[string]string) {
	t.Helper()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" {
			name = f.Name
		}
		ts, ok := model[name]
		if !ok {
			t.Errorf("%s: field %s is not in the official model", what, name)
			continue
		}
		if goKind(f.Type) != jsonKind(ts) && !(f.Type == reflect.TypeOf([]json.RawMessage{}) && jsonKind(ts) == "array") {
			t.Errorf("%s: field %s is %s here but %s (%s) in the model", what, name, goKind(f.Type), jsonKind(ts), ts)
		}
	}
}

// emulatorAnswer sends one action, signed with the emulator's root key, straight to the emulator at url
// and returns the Response object of its answer, failing the test on an error answer. An empty region
// sends no region header, as for the global products.
func emulatorAnswer(t *testing.T, url, id, key, service, version, region, action string, body []byte) map[string]any {
	t.Helper()
	r, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Action", action)
	r.Header.Set("X-TC-Version", version)
	if region != "" {
		r.Header.Set("X-TC-Region", region)
	}
	tcloud.Sign(r, body, id, key, service, time.Now())
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var env struct{ Response map[string]any }
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		t.Fatalf("%s: decode answer: %v", action, err)
	}
	if env.Response["Error"] != nil {
		t.Fatalf("%s: %v", action, env.Response["Error"])
	}
	return env.Response
}

// checkAnswer: every field of an emulator answer exists in the model with the same JSON type. A null
// stands for an optional field left out, which every model type allows.
func checkAnswer(t *testing.T, what string, answer map[string]any, model map[string]string) {
	t.Helper()
	for k, v := range answer {
		if ts, ok := model[k]; !ok || (v != nil && jsonKind(ts) != valueKind(v)) {
			t.Errorf("emulator %s field %s (%s) does not match the model (%q)", what, k, valueKind(v), ts)
		}
	}
}

// For the products reached through the SDK's generic client, the request fields the client sends, the
// response fields it reads, and every field the emulator answers exist in the official Node SDK models
// with the same JSON type.
func TestGenericClientStructsAndEmulatorMatchTheNodeModels(t *testing.T) {
	models := nodeModels(t, "lighthouse", "v20200324")
	req := modelFields(t, models, "DescribeInstancesRequest")
	resp := modelFields(t, models, "DescribeInstancesResponse")
	inst := modelFields(t, models, "Instance")
	tag := modelFields(t, models, "Tag")

	checkStruct(t, "lighthouse DescribeInstances request", reflect.TypeOf(lighthouseDescribeInstancesRequest{}), req)
	checkStruct(t, "lighthouse DescribeInstances response", reflect.TypeOf(lighthouseDescribeInstancesResponse{}.Response), resp)
	checkStruct(t, "lighthouse Instance", reflect.TypeOf(lighthouseInstance{}), inst)

	cvmModels := nodeModels(t, "cvm", "v20170312")
	cvmInstance := reflect.TypeOf(cvmInstance{})
	checkStruct(t, "cvm DescribeInstances request", reflect.TypeOf(cvmDescribeInstancesRequest{}), modelFields(t, cvmModels, "DescribeInstancesRequest"))
	checkStruct(t, "cvm DescribeInstances response", reflect.TypeOf(cvmDescribeInstancesResponse{}.Response), modelFields(t, cvmModels, "DescribeInstancesResponse"))
	checkStruct(t, "cvm Instance", cvmInstance, modelFields(t, cvmModels, "Instance"))
	placement, _ := cvmInstance.FieldByName("Placement")
	checkStruct(t, "cvm Placement", placement.Type, modelFields(t, cvmModels, "Placement"))
	vpc, _ := cvmInstance.FieldByName("VirtualPrivateCloud")
	checkStruct(t, "cvm VirtualPrivateCloud", vpc.Type, modelFields(t, cvmModels, "VirtualPrivateCloud"))

	// The listings of Resources: requests, answers and the fields read of each item.
	vpcModels := nodeModels(t, "vpc", "v20170312")
	for _, action := range []string{"DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups"} {
		checkStruct(t, "vpc "+action+" request", reflect.TypeOf(vpcPaging{}), modelFields(t, vpcModels, action+"Request"))
	}
	checkStruct(t, "vpc DescribeVpcs response", reflect.TypeOf(vpcDescribeVpcsResponse{}.Response), modelFields(t, vpcModels, "DescribeVpcsResponse"))
	checkStruct(t, "vpc Vpc", reflect.TypeOf(vpcVpc{}), modelFields(t, vpcModels, "Vpc"))
	checkStruct(t, "vpc DescribeSubnets response", reflect.TypeOf(vpcDescribeSubnetsResponse{}.Response), modelFields(t, vpcModels, "DescribeSubnetsResponse"))
	checkStruct(t, "vpc Subnet", reflect.TypeOf(vpcSubnet{}), modelFields(t, vpcModels, "Subnet"))
	checkStruct(t, "vpc DescribeSecurityGroups response", reflect.TypeOf(vpcDescribeSecurityGroupsResponse{}.Response), modelFields(t, vpcModels, "DescribeSecurityGroupsResponse"))
	checkStruct(t, "vpc SecurityGroup", reflect.TypeOf(vpcSecurityGroup{}), modelFields(t, vpcModels, "SecurityGroup"))

	cbsModels := nodeModels(t, "cbs", "v20170312")
	checkStruct(t, "cbs DescribeDisks request", reflect.TypeOf(numberPaging{}), modelFields(t, cbsModels, "DescribeDisksRequest"))
	checkStruct(t, "cbs DescribeDisks response", reflect.TypeOf(cbsDescribeDisksResponse{}.Response), modelFields(t, cbsModels, "DescribeDisksResponse"))
	checkStruct(t, "cbs Disk", reflect.TypeOf(cbsDisk{}), modelFields(t, cbsModels, "Disk"))
	diskPlacement, _ := reflect.TypeOf(cbsDisk{}).FieldByName("Placement")
	checkStruct(t, "cbs Placement", diskPlacement.Type, modelFields(t, cbsModels, "Placement"))

	clbModels := nodeModels(t, "clb", "v20180317")
	checkStruct(t, "clb DescribeLoadBalancers request", reflect.TypeOf(numberPaging{}), modelFields(t, clbModels, "DescribeLoadBalancersRequest"))
	checkStruct(t, "clb DescribeLoadBalancers response", reflect.TypeOf(clbDescribeLoadBalancersResponse{}.Response), modelFields(t, clbModels, "DescribeLoadBalancersResponse"))
	checkStruct(t, "clb LoadBalancer", reflect.TypeOf(clbLoadBalancer{}), modelFields(t, clbModels, "LoadBalancer"))

	cdbModels := nodeModels(t, "cdb", "v20170320")
	checkStruct(t, "cdb DescribeDBInstances request", reflect.TypeOf(numberPaging{}), modelFields(t, cdbModels, "DescribeDBInstancesRequest"))
	checkStruct(t, "cdb DescribeDBInstances response", reflect.TypeOf(cdbDescribeDBInstancesResponse{}.Response), modelFields(t, cdbModels, "DescribeDBInstancesResponse"))
	checkStruct(t, "cdb InstanceInfo", reflect.TypeOf(cdbInstanceInfo{}), modelFields(t, cdbModels, "InstanceInfo"))

	clsModels := nodeModels(t, "cls", "v20201016")
	checkStruct(t, "cls OpenKafkaConsumer request", reflect.TypeOf(clsKafkaConsumerRequest{}), modelFields(t, clsModels, "OpenKafkaConsumerRequest"))
	checkStruct(t, "cls ModifyKafkaConsumer request", reflect.TypeOf(clsKafkaConsumerRequest{}), modelFields(t, clsModels, "ModifyKafkaConsumerRequest"))
	checkStruct(t, "cls DescribeKafkaConsumer request", reflect.TypeOf(clsDescribeKafkaConsumerRequest{}), modelFields(t, clsModels, "DescribeKafkaConsumerRequest"))
	checkStruct(t, "cls KafkaConsumerContent", reflect.TypeOf(clsKafkaConsumerContent{}), modelFields(t, clsModels, "KafkaConsumerContent"))
	checkStruct(t, "cls OpenKafkaConsumer response", reflect.TypeOf(clsOpenKafkaConsumerResponse{}.Response), modelFields(t, clsModels, "OpenKafkaConsumerResponse"))
	checkStruct(t, "cls ModifyKafkaConsumer response", reflect.TypeOf(clsModifyKafkaConsumerResponse{}.Response), modelFields(t, clsModels, "ModifyKafkaConsumerResponse"))
	checkStruct(t, "cls DescribeKafkaConsumer response", reflect.TypeOf(clsDescribeKafkaConsumerResponse{}.Response), modelFields(t, clsModels, "DescribeKafkaConsumerResponse"))

	// The emulator's answer, field by field.
	emu := tcloud.New(tcloud.Options{})
	emu.SeedLighthouse("ap-guangzhou", 1)
	hs := httptest.NewServer(emu)
	defer hs.Close()
	id, key := emu.RootKey()
	answer := emulatorAnswer(t, hs.URL, id, key, "lighthouse", lighthouseVersion, "ap-guangzhou", "DescribeInstances", []byte(`{"Offset":0,"Limit":1}`))
	checkAnswer(t, "lighthouse DescribeInstances", answer, resp)
	items, _ := answer["InstanceSet"].([]any)
	if len(items) != 1 {
		t.Fatalf("emulator answered %v", answer)
	}
	instance := items[0].(map[string]any)
	checkAnswer(t, "lighthouse Instance", instance, inst)
	tags, _ := instance["Tags"].([]any)
	for _, tg := range tags {
		checkAnswer(t, "lighthouse Tag", tg.(map[string]any), tag)
	}
}
