//go:build linux

package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile sizes f to size bytes and maps it shared and writable, or returns nil (the
// journal then writes to its files directly).
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
