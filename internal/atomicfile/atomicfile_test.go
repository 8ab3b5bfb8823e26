package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// ways are the two kinds of temporary file: every behaviour must hold for
// both, whichever one this system gives (see Unnamed).
var ways = []struct {
	name    string
	unnamed bool
}{{"named", false}, {"unnamed", true}}

func TestWriteReplacesAndWriteNewRefuses(t *testing.T) {
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out.pem")
			writeNew := func(data string) error { return writeFile(p, []byte(data), 0o644, false, true, way.unnamed) }
			if err := writeNew("first"); err != nil {
				t.Fatal(err)
			}
			if err := writeNew("second"); !errors.Is(err, os.ErrExist) {
				t.Fatalf("WriteNew over an existing file: %v", err)
			}
			if got, _ := os.ReadFile(p); string(got) != "first" {
				t.Fatalf("existing file changed to %q", got)
			}
			if err := writeFile(p, []byte("third"), 0o600, true, true, way.unnamed); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); string(got) != "third" || fi.Mode().Perm() != 0o600 {
				t.Fatalf("after Write: %q mode %v", got, fi.Mode().Perm())
			}
			// Unsynced, as a batch writes: the same outcomes.
			q := filepath.Join(dir, "b.sig")
			if err := writeFile(q, []byte("b"), 0o644, false, false, way.unnamed); err != nil {
				t.Fatal(err)
			}
			if err := writeFile(q, []byte("c"), 0o644, false, false, way.unnamed); !errors.Is(err, os.ErrExist) {
				t.Fatalf("unsynced WriteNew over an existing file: %v", err)
			}
			if err := writeFile(q, []byte("d"), 0o644, true, false, way.unnamed); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(q); string(got) != "d" {
				t.Fatalf("after unsynced Write: %q", got)
			}
			names, _ := os.ReadDir(dir)
			if len(names) != 2 {
				t.Fatalf("temporary files left: %v", names)
			}
		})
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := writeFile(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600, true, true, way.unnamed); err == nil {
				t.Fatal("write into a missing folder succeeded")
			}
			// Renaming a file over a folder fails; the folder and no temp remain.
			target := filepath.Join(dir, "d")
			if err := os.Mkdir(target, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := writeFile(target, []byte("x"), 0o600, true, true, way.unnamed); err == nil {
				t.Fatal("replaced a folder")
			}
			if err := writeFile(target, []byte("x"), 0o600, false, true, way.unnamed); !errors.Is(err, os.ErrExist) {
				t.Fatalf("WriteNew over a folder: %v", err)
			}
			names, _ := os.ReadDir(dir)
			if len(names) != 1 || names[0].Name() != "d" {
				t.Fatalf("left behind: %v", names)
			}
		})
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
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.sig")

			w, err := create(path, 0o644, false, way.unnamed)
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
			if err := w.Commit(); err == nil {
				t.Fatal("a second Commit succeeded")
			}

			// Not replacing: Commit refuses when the name is taken.
			w, err = create(path, 0o644, false, way.unnamed)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("other"))
			if err := w.Commit(); !errors.Is(err, os.ErrExist) {
				t.Fatalf("Commit over an existing file: %v", err)
			}
			// Replacing, then aborting: the old file stays and no temp is left.
			w, err = create(path, 0o644, true, way.unnamed)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("abandoned"))
			w.Abort()
			if got, _ := os.ReadFile(path); string(got) != "part one, part two" {
				t.Fatalf("content after abort %q", got)
			}
			// Replacing and committing.
			w, err = create(path, 0o600, true, way.unnamed)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("new"))
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != "new" || fi.Mode().Perm() != 0o600 {
				t.Fatalf("after a replacing Commit: %q mode %v", got, fi.Mode().Perm())
			}
			names, _ := os.ReadDir(dir)
			if len(names) != 1 {
				t.Fatalf("left in the folder: %v", names)
			}
		})
	}
}

// On Linux a file being written has no name at all until Commit, so that
// a writer killed meanwhile leaves nothing in the user's folder.
func TestUnnamedWhileWriting(t *testing.T) {
	dir := t.TempDir()
	requireUnnamed(t, dir)
	w, err := Create(filepath.Join(dir, "big.sig"), 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, 1<<20))
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Fatalf("while writing, the folder holds %v", names)
	}
	w.Abort()
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Fatalf("after Abort, the folder holds %v", names)
	}
}

// Where an unnamed file cannot be linked (a hidden /proc, a file system that
// refuses), its data still reaches the target, the named way.
func TestUnnamedThatCannotBeLinked(t *testing.T) {
	dir := t.TempDir()
	requireUnnamed(t, dir)
	refuse := func(f *os.File, path string) error {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: os.ErrPermission}
	}
	path := filepath.Join(dir, "doc.sig")
	for _, tc := range []struct {
		replace bool
		data    string
	}{{false, "first"}, {true, "second"}} {
		w, err := Create(path, 0o640, tc.replace)
		if err != nil {
			t.Fatal(err)
		}
		w.t.link = refuse
		w.Write([]byte(tc.data))
		if err := w.Commit(); err != nil {
			t.Fatalf("replace=%v: %v", tc.replace, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != tc.data || fi.Mode().Perm() != 0o640 {
			t.Fatalf("replace=%v: %q mode %v", tc.replace, got, fi.Mode().Perm())
		}
	}
	// Still not over an existing file.
	w, err := Create(path, 0o640, false)
	if err != nil {
		t.Fatal(err)
	}
	w.t.link = refuse
	w.Write([]byte("third"))
	if err := w.Commit(); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Commit over an existing file: %v", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Fatalf("left in the folder: %v", names)
	}
}

// requireUnnamed stops a test of unnamed files where there are none: a
// failure on Linux under CI (every file system it runs on has them), a
// skip on other systems, which always name their temporary files.
func requireUnnamed(t *testing.T, dir string) {
	t.Helper()
	if Unnamed(dir) {
		return
	}
	if runtime.GOOS == "linux" {
		testenv.Missing(t, "the file system of %s has no unnamed files (O_TMPFILE), or /proc is not mounted", dir)
	}
	t.Skipf("%s has no unnamed files: temporary files are named", runtime.GOOS)
}
