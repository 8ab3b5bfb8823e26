// Package atomicfile writes files so that a reader, or a crash, sees either
// the old file or the whole new one, never a part: the data goes into a
// temporary file in the same folder, is fsynced, and is then moved into place,
// and the folder is fsynced so the move itself survives a power cut. The
// store, the CLI's outputs and the window's exports all write through it.
//
// Where the system allows (Linux, on ext4, xfs, btrfs, tmpfs and most local
// file systems), the temporary file has no name at all (O_TMPFILE) until it
// is linked into place, so a process killed while writing leaves nothing
// behind; elsewhere it is named TempPrefix+name+"-random" and a writer that
// dies leaves it for RemoveStaleTemps.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the name of every named temporary file, so readers can
// skip them and a writer can tidy what a crashed one left.
const TempPrefix = ".tmp-"

// Write replaces path with data, created with perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return writeFile(path, data, perm, true, true, true)
}

// WriteNew writes data to path only if no file of that name exists, even one
// that appears while it writes; it fails with an error matching os.ErrExist.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	return writeFile(path, data, perm, false, true, true)
}

// WriteUnsynced is Write (replace) or WriteNew (not replace) without the
// fsync of the folder: the data is durable before its name appears, so a
// crash never leaves a partial file, but after a power cut the name itself
// may be gone until SyncDir(folder) has run. Batch signing writes a
// thousand signatures into a few folders and syncs each folder once at the
// end instead of once per file (measured: a third of the run's system time).
func WriteUnsynced(path string, data []byte, perm os.FileMode, replace bool) error {
	return writeFile(path, data, perm, replace, false, true)
}

func writeFile(path string, data []byte, perm os.FileMode, replace, syncDir, unnamed bool) error {
	t, err := newTemp(path, perm, unnamed)
	if err != nil {
		return err
	}
	if _, err := t.f.Write(data); err != nil {
		t.discard()
		return fmt.Errorf("write %s: %w", t.f.Name(), err)
	}
	return t.commit(path, replace, syncDir)
}

// Unnamed reports whether temporary files in dir have no name until they
// are committed, so that a writer killed there leaves nothing behind.
func Unnamed(dir string) bool {
	t, err := newTemp(filepath.Join(dir, "probe"), 0o600, true)
	if err != nil {
		return false
	}
	defer t.discard()
	return t.name == ""
}

// temp is a temporary file being written for a target path: unnamed (name
// "") where openUnnamed could make one, else named in the target's folder.
type temp struct {
	f    *os.File
	name string
	perm os.FileMode
	// link names an unnamed file (linkUnnamed; tests make it fail).
	link func(f *os.File, path string) error
}

// newTemp starts a temporary file for path with permissions perm (set
// exactly, whatever the umask). Tests pass unnamed false to check the
// named way on systems that have the other.
func newTemp(path string, perm os.FileMode, unnamed bool) (*temp, error) {
	dir := filepath.Dir(path)
	var t *temp
	if unnamed {
		if f := openUnnamed(dir, path, perm); f != nil {
			t = &temp{f: f, perm: perm, link: linkUnnamed}
		}
	}
	if t == nil {
		f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-*")
		if err != nil {
			return nil, fmt.Errorf("create temporary file: %w", err)
		}
		t = &temp{f: f, name: f.Name(), perm: perm}
	}
	if err := t.f.Chmod(perm); err != nil {
		t.discard()
		return nil, fmt.Errorf("chmod %s: %w", t.f.Name(), err)
	}
	return t, nil
}

// errNoLink says an unnamed file could not be given a name for a reason
// other than the name being taken.
var errNoLink = errors.New("cannot name the unnamed file")

// commit fsyncs the data, then gives it path's name and closes it.
func (t *temp) commit(path string, replace, syncDir bool) error {
	if err := t.f.Sync(); err != nil {
		t.discard()
		return fmt.Errorf("fsync %s: %w", t.f.Name(), err)
	}
	if t.name == "" {
		// Linked while still open: an unnamed file is reached only
		// through its descriptor.
		defer t.f.Close()
		err := t.placeUnnamed(path, replace)
		if errors.Is(err, errNoLink) {
			// /proc hidden, or a file system that makes unnamed
			// files but refuses to link them: the data is not lost,
			// it goes the named way.
			return t.copyToNamed(path, replace, syncDir)
		}
		if err != nil {
			return fmt.Errorf("move into place %s: %w", path, err)
		}
		if !syncDir {
			return nil
		}
		return SyncDir(filepath.Dir(path))
	}
	// A no-op once the file is renamed; removes it after a failure or a link.
	defer os.Remove(t.name)
	if err := t.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", t.name, err)
	}
	return moveIntoPlace(t.name, path, replace, syncDir)
}

// placeUnnamed gives the unnamed file path's name. Without replace it is
// linked there directly, which, like a hard link from a name, fails if
// path is taken, even by a file created a moment ago. With replace it is
// linked under a temporary name that is renamed over path: rename is what
// replaces a file atomically, and only a kill between the two calls leaves
// the temporary name behind.
func (t *temp) placeUnnamed(path string, replace bool) error {
	if !replace {
		err := t.link(t.f, path)
		if err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %w", errNoLink, err)
		}
		return err
	}
	for range 10 {
		name, err := tempName(path)
		if err != nil {
			return err
		}
		err = t.link(t.f, name)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: %w", errNoLink, err)
		}
		if err := os.Rename(name, path); err != nil {
			os.Remove(name)
			return err
		}
		return nil
	}
	return errors.New("no free temporary name")
}

// copyToNamed writes the unnamed file's data into a named temporary file
// and commits that instead.
func (t *temp) copyToNamed(path string, replace, syncDir bool) error {
	named, err := newTemp(path, t.perm, false)
	if err != nil {
		return err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		named.discard()
		return fmt.Errorf("rewind %s: %w", t.f.Name(), err)
	}
	if _, err := io.Copy(named.f, t.f); err != nil {
		named.discard()
		return fmt.Errorf("write %s: %w", named.f.Name(), err)
	}
	return named.commit(path, replace, syncDir)
}

// tempName is a fresh name for a temporary file next to path.
func tempName(path string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-"+hex.EncodeToString(b[:])), nil
}

// discard closes the file and removes its name if it has one.
func (t *temp) discard() {
	t.f.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
}

// File is an output being written in pieces (a signature that carries a
// large document): it goes to a temporary file in the target's folder and
// appears under its name only on Commit. Abort, or a crash, leaves nothing
// under that name; Abort after Commit does nothing, so `defer f.Abort()` is
// the way to use it.
type File struct {
	t       *temp
	path    string
	replace bool
	done    bool
}

// Create starts writing path. With replace false, Commit fails with an
// error matching os.ErrExist if path exists by then (see WriteNew).
func Create(path string, perm os.FileMode, replace bool) (*File, error) {
	return create(path, perm, replace, true)
}

func create(path string, perm os.FileMode, replace, unnamed bool) (*File, error) {
	t, err := newTemp(path, perm, unnamed)
	if err != nil {
		return nil, err
	}
	return &File{t: t, path: path, replace: replace}, nil
}

// Write appends to the temporary file.
func (w *File) Write(p []byte) (int, error) { return w.t.f.Write(p) }

// Commit fsyncs the data and moves it into place.
func (w *File) Commit() error {
	if w.done {
		return errors.New("atomicfile: commit after commit or abort")
	}
	w.done = true
	return w.t.commit(w.path, w.replace, true)
}

// Abort throws the partial output away.
func (w *File) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.t.discard()
}

func moveIntoPlace(tmp, path string, replace, syncDir bool) error {
	var err error
	if replace {
		err = os.Rename(tmp, path)
	} else {
		// A hard link fails if the name is taken, so an existing file is
		// never replaced, not even one created a moment ago.
		err = os.Link(tmp, path)
		if err != nil && !errors.Is(err, os.ErrExist) {
			// Some file systems (FAT on a USB stick) have no hard links:
			// check, then rename, accepting the small race.
			if _, serr := os.Lstat(path); serr == nil {
				return fmt.Errorf("%s: %w", path, os.ErrExist)
			}
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		return fmt.Errorf("move into place %s: %w", path, err)
	}
	if !syncDir {
		return nil
	}
	return SyncDir(filepath.Dir(path))
}

// Remove deletes path and makes the deletion durable; a missing file is fine.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// RemoveStaleTemps deletes the temporary files in dir. Call it only while no
// writer can be active there (the store holds its lock).
func RemoveStaleTemps(dir string) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, n := range names {
		if strings.HasPrefix(n.Name(), TempPrefix) {
			os.Remove(filepath.Join(dir, n.Name()))
		}
	}
}
