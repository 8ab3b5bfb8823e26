// Package version says which Podpis this is, for `podpis version`, the
// window and the diagnosis reports alike.
package version

import (
	"runtime/debug"
	"strings"
)

// fallback is the version of a build from a source tree, which carries no
// module version; keep it equal to FyneApp.toml's.
const fallback = "0.1.0"

// String is the module version the binary was built with, else fallback.
func String() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return fallback
}
