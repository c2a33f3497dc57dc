package cmd

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version is the release of this build when set with -ldflags "-X onboard/cmd.Version=..."; otherwise the
// module version from the build info is shown.
var Version = ""

// buildInfo is what `onboard version` prints: read from the build info the Go toolchain embeds, so a
// `go install onboard/cmd/onboard@v1.2.3` or a build from a git checkout says what it is.
type buildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"time,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

func currentBuildInfo() buildInfo {
	b := buildInfo{Version: Version}
	info, ok := readBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "unknown"
		}
		return b
	}
	b.GoVersion = info.GoVersion
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b buildInfo) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "onboard %s", b.Version)
	if b.Revision != "" {
		fmt.Fprintf(&s, " (revision %s", b.Revision)
		if b.Time != "" {
			fmt.Fprintf(&s, ", %s", b.Time)
		}
		if b.Modified {
			s.WriteString(", with local changes")
		}
		s.WriteString(")")
	}
	if b.GoVersion != "" {
		fmt.Fprintf(&s, ", built with %s", b.GoVersion)
	}
	return s.String()
}

func newCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of onboard, its revision and the Go version that built it",
		Example: "  onboard version\n  onboard --version\n  onboard version --output json",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return writeVersion(f)
		},
	}
}

func writeVersion(f *Factory) error {
	b := currentBuildInfo()
	if f.JSON() {
		return writeJSON(f.IO.Out, b)
	}
	_, err := fmt.Fprintln(f.IO.Out, b)
	return err
}
