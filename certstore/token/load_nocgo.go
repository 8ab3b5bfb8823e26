//go:build !cgo || !(unix || windows)

package token

import (
	"path/filepath"
	"runtime"
)

// Without cgo there is no way to call into a C library: the build still
// works (the CLI and the window need no token), and every module is
// reported as not loadable, after the same checks of the file that say
// what is wrong with it when something is.
func openModule(path string) (Module, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &LoadError{Path: path, Reason: LoadFailed, Detail: err.Error(), Err: err}
	}
	if le := checkFile(abs, runtime.GOOS, runtime.GOARCH); le != nil {
		le.Path = path
		return nil, le
	}
	return nil, &LoadError{Path: path, Reason: LoadFailed, Detail: "this build of Podpis cannot load PKCS#11 modules (built without cgo)"}
}
