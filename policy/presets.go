package policy

import (
	"embed"
	"sort"
)

// presetFiles holds documents for Tencent's preset (system) policies, for the emulator to seed and for
// tests to evaluate grants against. Only QcloudCVMReadOnlyAccess and QcloudCVMInnerReadOnlyAccess follow
// documents Tencent publishes; the others are read-only (or full-access) approximations built from
// their descriptions, as listed in presets/README.md. Live documents may differ: CAM's GetPolicy
// returns the current one.
//
//go:embed presets/*.json
var presetFiles embed.FS

// PresetInfo describes one preset document this package carries.
type PresetInfo struct {
	Name string
	// Approximation is true when the document is built from the preset's description rather than
	// from a document Tencent publishes.
	Approximation bool
}

// documentedPresets are the presets whose documents follow Tencent's own documentation.
var documentedPresets = map[string]bool{
	"QcloudCVMReadOnlyAccess":      true,
	"QcloudCVMInnerReadOnlyAccess": true,
	"AdministratorAccess":          true,
}

// Presets lists the preset documents this package carries, sorted by name.
func Presets() []PresetInfo {
	entries, _ := presetFiles.ReadDir("presets")
	out := make([]PresetInfo, 0, len(entries))
	for _, e := range entries {
		name := e.Name()[:len(e.Name())-len(".json")]
		out = append(out, PresetInfo{Name: name, Approximation: !documentedPresets[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Preset returns the document of the named preset policy, and false when this package has none.
func Preset(name string) ([]byte, bool) {
	if !validPresetName(name) {
		return nil, false
	}
	b, err := presetFiles.ReadFile("presets/" + name + ".json")
	return b, err == nil
}

func validPresetName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// PresetFallback returns the documented alternative for a preset that may not exist. Security Center
// names CloudResourceReadOnlyAccess, which no Tencent page confirms; ReadOnlyAccess is the documented
// read-only preset ("read-only access to all cloud service assets that support API-level or
// resource-level authentication"), wider than the CSPM need.
func PresetFallback(name string) (string, bool) {
	if name == PresetCloudResourceReadOnly {
		return PresetReadOnly, true
	}
	return "", false
}
