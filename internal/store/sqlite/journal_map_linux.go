//go:build linux

package sqlite

import (
	"os"
	"syscall"
)

// mapFile sizes f to size bytes and maps it shared and writable, or returns nil (the
// journal then writes with WriteAt).
func mapFile(f *os.File, size int64) []byte {
	if err := f.Truncate(size); err != nil {
		return nil
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

func unmapFile(m []byte) { syscall.Munmap(m) }
