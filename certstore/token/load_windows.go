//go:build windows

package token

import (
	"errors"
	"syscall"
)

// probeLibrary loads the DLL on its own, the way the wrapper will
// (LoadLibrary with the full path), to learn why it cannot be used: the
// system error code tells a missing dependency (126) from a DLL built for
// another processor (193). A DLL without C_GetFunctionList is no PKCS#11
// module. It returns nil when the module can be handed to the wrapper.
//
// Windows does not name the missing dependency; Dependencies or
// "dumpbin /dependents" on the module does.
func probeLibrary(path string) *LoadError {
	handle, err := syscall.LoadLibrary(path)
	if err != nil {
		var code syscall.Errno
		if !errors.As(err, &code) {
			return &LoadError{Path: path, Reason: LoadFailed, Detail: err.Error(), Err: err}
		}
		reason, detail := classifyWindowsLoadError(uint32(code), code.Error())
		return &LoadError{Path: path, Reason: reason, Detail: detail, Err: err}
	}
	defer syscall.FreeLibrary(handle)
	if _, err := syscall.GetProcAddress(handle, "C_GetFunctionList"); err != nil {
		return &LoadError{Path: path, Reason: LoadNotPKCS11, Detail: "no C_GetFunctionList in the DLL", Err: err}
	}
	return nil
}
