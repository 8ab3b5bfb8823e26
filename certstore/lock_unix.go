//go:build unix

package certstore

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// fileLock is an exclusive advisory lock on a file, held across processes:
// flock locks belong to the open file description, so two Store values in one
// process exclude each other too.
type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() error {
	// Closing the descriptor releases the flock.
	return l.f.Close()
}
