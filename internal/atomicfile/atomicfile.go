// Package atomicfile writes files so that a reader, or a crash, sees either
// the old file or the whole new one, never a part: the data goes into a
// temporary file in the same folder, is fsynced, and is then moved into place,
// and the folder is fsynced so the move itself survives a power cut. The
// store, the CLI's outputs and the window's exports all write through it.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the name of every temporary file, so readers can skip
// them and a writer can tidy what a crashed one left.
const TempPrefix = ".tmp-"

// Write replaces path with data, created with perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, true)
}

// WriteNew writes data to path only if no file of that name exists, even one
// that appears while it writes; it fails with an error matching os.ErrExist.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

// WriteUnsynced is Write (replace) or WriteNew (not replace) without the
// fsync of the folder: the data is durable before its name appears, so a
// crash never leaves a partial file, but after a power cut the name itself
// may be gone until SyncDir(folder) has run. Batch signing writes a
// thousand signatures into a few folders and syncs each folder once at the
// end instead of once per file (measured: a third of the run's system time).
func WriteUnsynced(path string, data []byte, perm os.FileMode, replace bool) error {
	return writeFile(path, data, perm, replace, false)
}

func write(path string, data []byte, perm os.FileMode, replace bool) error {
	return writeFile(path, data, perm, replace, true)
}

func writeFile(path string, data []byte, perm os.FileMode, replace, syncDir bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	// A no-op once the file is renamed; removes it after a failure or a link.
	defer os.Remove(tmp)
	if err := writeAndSync(f, data, perm); err != nil {
		return err
	}
	return moveIntoPlace(tmp, path, replace, syncDir)
}

// File is an output being written in pieces (a signature that carries a
// large document): it goes to a temporary file in the target's folder and
// appears under its name only on Commit. Abort, or a crash, leaves nothing
// under that name; Abort after Commit does nothing, so `defer f.Abort()` is
// the way to use it.
type File struct {
	f       *os.File
	path    string
	replace bool
	done    bool
}

// Create starts writing path. With replace false, Commit fails with an
// error matching os.ErrExist if path exists by then (see WriteNew).
func Create(path string, perm os.FileMode, replace bool) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	return &File{f: f, path: path, replace: replace}, nil
}

// Write appends to the temporary file.
func (w *File) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit fsyncs the data and moves it into place.
func (w *File) Commit() error {
	if w.done {
		return errors.New("atomicfile: commit after commit or abort")
	}
	w.done = true
	tmp := w.f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	return moveIntoPlace(tmp, w.path, w.replace, true)
}

// Abort throws the partial output away.
func (w *File) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
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

func writeAndSync(f *os.File, data []byte, perm os.FileMode) error {
	defer f.Close()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	return f.Close()
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
