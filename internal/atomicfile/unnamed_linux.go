package atomicfile

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens an unnamed file in dir (O_TMPFILE), or returns nil
// where the file system or the kernel has none (FAT, NFS, kernels before
// 3.11), and then the caller names its temporary file. It needs /proc to
// give the file a name later: linkat with AT_EMPTY_PATH would need a
// capability that ordinary users lack. The file is opened for reading too,
// so that its data can still be copied out if linking fails.
func openUnnamed(dir, path string, perm os.FileMode) *os.File {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return nil
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(fd), path+" (temporary)")
}

// linkUnnamed gives the unnamed file f the name path; it fails with an
// error matching os.ErrExist when the name is taken.
func linkUnnamed(f *os.File, path string) error {
	proc := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: err}
	}
	return nil
}
