//go:build !linux

package atomicfile

import "os"

// openUnnamed: only Linux has unnamed files (O_TMPFILE); elsewhere the
// temporary file is named.
func openUnnamed(dir, path string, perm os.FileMode) *os.File { return nil }

func linkUnnamed(f *os.File, path string) error {
	return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: os.ErrInvalid}
}
