//go:build linux

package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile sizes f to size bytes and maps it shared and writable, or returns nil (the
// journal then writes with WriteAt).
func mapFile(f *os.File, size int64) []byte {
	if err := f.Truncate(size); err != nil {
		return nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

func unmapFile(m []byte) { unix.Munmap(m) }

// populate faults m's pages in, writable (MADV_POPULATE_WRITE, Linux 5.14), so that the copies
// of records into them do not fault. It never changes what m holds. On an older kernel it
// fails (EINVAL) and the copies fault as before.
func populate(m []byte) error {
	if len(m) == 0 {
		return nil
	}
	return unix.Madvise(m, unix.MADV_POPULATE_WRITE)
}

// release unmaps m's pages from this process, keeping them (dirty) in the page cache
// (MADV_DONTNEED on a shared file mapping: the data stays in the file).
func release(m []byte) {
	if len(m) > 0 {
		unix.Madvise(m, unix.MADV_DONTNEED)
	}
}

// syncMapped writes m's dirty pages to disk and waits for them (msync MS_SYNC: on Linux,
// fdatasync of the file's range under m). m starts on a page.
func syncMapped(m []byte) error {
	if len(m) == 0 {
		return nil
	}
	return unix.Msync(m, unix.MS_SYNC)
}
