package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesAndWriteNewRefuses(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pem")
	if err := WriteNew(p, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(p, []byte("second"), 0o644); !errors.Is(err, os.ErrExist) {
		t.Fatalf("WriteNew over an existing file: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "first" {
		t.Fatalf("existing file changed to %q", got)
	}
	if err := Write(p, []byte("third"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != "third" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("after Write: %q mode %v", got, fi.Mode().Perm())
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	// Renaming a file over a folder fails; the folder and no temp remain.
	target := filepath.Join(dir, "d")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(target, []byte("x"), 0o600); err == nil {
		t.Fatal("replaced a folder")
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 || names[0].Name() != "d" {
		t.Fatalf("left behind: %v", names)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{TempPrefix + "a", TempPrefix + "b", "keep.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStaleTemps(dir)
	names, _ := os.ReadDir(dir)
	if len(names) != 1 || names[0].Name() != "keep.json" {
		t.Fatalf("after tidying: %v", names)
	}
	if err := Remove(filepath.Join(dir, "keep.json")); err != nil {
		t.Fatal(err)
	}
	if err := Remove(filepath.Join(dir, "keep.json")); err != nil {
		t.Fatalf("removing a missing file: %v", err)
	}
}
