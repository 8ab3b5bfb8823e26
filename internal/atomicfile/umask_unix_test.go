//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A file gets exactly the permissions asked for, whatever the umask: an
// unnamed file is created through the umask like any other, and only the
// explicit chmod makes it so. (Not parallel: the umask is the process's.)
func TestPermissionsIgnoreUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "doc.sig")
			if err := writeFile(p, []byte("x"), 0o644, false, true, way.unnamed); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Fatalf("mode %v, want 0644", fi.Mode().Perm())
			}
		})
	}
}
