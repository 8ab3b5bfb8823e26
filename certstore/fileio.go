package certstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix marks files being written; readers ignore them and the next
// writer removes any a crashed process left behind.
const tempPrefix = ".tmp-"

// writeFileAtomic replaces path with data so that a reader (or a crash) sees
// either the old file or the whole new one: write a temporary file in the same
// folder, fsync it, rename it over path, then fsync the folder so the rename
// itself survives a power cut.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	ok = true
	return syncDir(dir)
}

// removeFile deletes path and makes the deletion durable; a missing file is fine.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// removeStaleTemps deletes temporary files a crashed writer left in dir. It is
// only called with the store lock held, so no live writer owns them.
func removeStaleTemps(dir string) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, n := range names {
		if strings.HasPrefix(n.Name(), tempPrefix) {
			os.Remove(filepath.Join(dir, n.Name()))
		}
	}
}
