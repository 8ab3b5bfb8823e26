//go:build unix

package signer_test

import (
	"path/filepath"
	"syscall"
	"testing"
)

// makeFIFO makes a named pipe in dir: opening it for reading would wait for
// a writer forever, so a batch must refuse it without opening it.
func makeFIFO(t *testing.T, dir string) (string, bool) {
	t.Helper()
	p := filepath.Join(dir, "pipe.xml")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
		return "", false
	}
	return p, true
}
