//go:build !unix

package atomicfile

// SyncDir is a no-op where folders cannot be fsynced (Windows: NTFS journals
// the rename itself).
func SyncDir(string) error { return nil }
