package sas

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A request signed by another official Alibaba Cloud library (the Node.js POP core, HMAC-SHA1), as a GET
// query and as a POST form, is accepted, and refused once a byte of the secret changes. CI installs node
// and npm; elsewhere the test skips without them.
func TestRequestsSignedByTheNodePOPCore(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI is set but %s is missing", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	install := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "@alicloud/pop-core@1.8.0")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install @alicloud/pop-core@1.8.0: %v\n%s", err, out)
	}
	script, _ := filepath.Abs("testdata/node_popcore_call.js")
	_, hs, _, _ := newTestServer(t)

	type result struct {
		OK    bool
		Code  string
		Count int
	}
	call := func(secret string) (get, post result) {
		cmd := exec.Command("node", script, hs.URL)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"),
			"ALIBABA_CLOUD_ACCESS_KEY_ID="+testKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+secret)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		var res struct{ Get, Post result }
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("node printed %q", out)
		}
		return res.Get, res.Post
	}
	get, post := call(testSecret)
	if !get.OK || get.Count != len(tencentRegions) || !post.OK || post.Count != len(tencentRegions) {
		t.Fatalf("requests signed by the POP core refused: GET %+v, POST %+v", get, post)
	}
	wrong := []byte(testSecret)
	wrong[len(wrong)/2] ^= 1
	get, post = call(string(wrong))
	if get.OK || get.Code != "SignatureDoesNotMatch" || post.OK || post.Code != "SignatureDoesNotMatch" {
		t.Fatalf("with a changed secret byte: GET %+v, POST %+v; want SignatureDoesNotMatch", get, post)
	}
}
