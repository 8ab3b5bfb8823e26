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

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.sig")

	w, err := Create(path, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("part one, "))
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the name exists before Commit: %v", err)
	}
	w.Write([]byte("part two"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Abort() // after Commit: nothing happens
	if got, _ := os.ReadFile(path); string(got) != "part one, part two" {
		t.Fatalf("content %q", got)
	}

	// Not replacing: Commit refuses when the name is taken.
	w, err = Create(path, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("other"))
	if err := w.Commit(); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Commit over an existing file: %v", err)
	}
	// Replacing, then aborting: the old file stays and no temp is left.
	w, err = Create(path, 0o644, true)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("abandoned"))
	w.Abort()
	if got, _ := os.ReadFile(path); string(got) != "part one, part two" {
		t.Fatalf("content after abort %q", got)
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 {
		t.Fatalf("left in the folder: %v", names)
	}
}
