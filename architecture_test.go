package onboard_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// The package boundaries of design.md, checked on the real import graph: which packages may import the
// cloud SDKs, the keyring, SQLite and the terminal UI libraries, and which project packages each may use.
func TestPackageBoundaries(t *testing.T) {
	pkgs := listPackages(t)

	owners := []struct {
		prefix string // import path prefix of the guarded dependency
		owner  string // the only project package allowed to import it directly
	}{
		{"github.com/tencentcloud/tencentcloud-sdk-go", "onboard/tencent"},
		{"github.com/alibabacloud-go/", "onboard/securitycenter"},
		{"github.com/aliyun/", "onboard/securitycenter"},
		{"github.com/zalando/go-keyring", "onboard/store"},
		{"modernc.org/sqlite", "onboard/store"},
		{"charm.land/bubbletea", "onboard/wizard"},
		{"charm.land/bubbles", "onboard/wizard"},
		{"charm.land/huh", "onboard/wizard"},
	}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			for _, o := range owners {
				if strings.HasPrefix(imp, o.prefix) && p.ImportPath != o.owner {
					t.Errorf("%s imports %s; only %s may", p.ImportPath, imp, o.owner)
				}
			}
		}
	}

	// forbidden lists, per project package, the project packages it must never depend on, even indirectly.
	forbidden := map[string][]string{
		"onboard/tencent":        {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/securitycenter", "onboard/store", "onboard/emulator"},
		"onboard/securitycenter": {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/tencent", "onboard/store", "onboard/emulator"},
		"onboard/store":          {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/tencent", "onboard/securitycenter", "onboard/emulator"},
		"onboard/policy":         {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/tencent", "onboard/securitycenter", "onboard/store", "onboard/emulator"},
		"onboard/emulator":       {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/tencent", "onboard/securitycenter", "onboard/store"},
		"onboard/inventory":      {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "github.com/charmbracelet", "charm.land", "github.com/spf13/cobra"},
		"onboard/onboarding":     {"onboard/cmd", "onboard/wizard", "github.com/charmbracelet", "charm.land", "github.com/spf13/cobra"},
		"onboard/wizard":         {"onboard/cmd"},
		"onboard/retry":          {"onboard/cmd", "onboard/wizard", "onboard/onboarding", "onboard/inventory", "onboard/tencent", "onboard/securitycenter", "onboard/policy", "onboard/store", "onboard/emulator"},
	}
	// The wizard is a face on the engine: it imports onboarding (and through it the clouds' packages), but
	// never the SDKs or the store itself.
	direct := map[string][]string{
		"onboard/wizard": {"onboard/store", "github.com/tencentcloud", "github.com/alibabacloud-go", "github.com/aliyun"},
	}
	for _, p := range pkgs {
		for guarded, bad := range direct {
			if p.ImportPath != guarded && !strings.HasPrefix(p.ImportPath, guarded+"/") {
				continue
			}
			for _, imp := range p.Imports {
				for _, b := range bad {
					if dependsOn(imp, b) {
						t.Errorf("%s imports %s; design.md forbids it", p.ImportPath, imp)
					}
				}
			}
		}
	}
	for _, p := range pkgs {
		for guarded, bad := range forbidden {
			if p.ImportPath != guarded && !strings.HasPrefix(p.ImportPath, guarded+"/") {
				continue
			}
			for _, dep := range p.Deps {
				for _, b := range bad {
					if dependsOn(dep, b) {
						t.Errorf("%s depends on %s; design.md forbids it", p.ImportPath, dep)
					}
				}
			}
		}
	}
}

// dependsOn reports whether the dependency dep is the package b or inside it; a third-party b names a
// module prefix.
func dependsOn(dep, b string) bool {
	if !strings.HasPrefix(b, "onboard/") {
		return strings.HasPrefix(dep, b)
	}
	return dep == b || strings.HasPrefix(dep, b+"/")
}

type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p goPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 2 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	return pkgs
}
