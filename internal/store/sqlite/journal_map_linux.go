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

// mapRead maps f's first size bytes read-only, or returns nil.
func mapRead(f *os.File, size int64) []byte {
	if size == 0 {
		return nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

// dataRanges returns the ranges of f's first size bytes that hold data, passing over holes
// (SEEK_DATA, SEEK_HOLE): a ring not yet gone round is mostly holes. Where the file system
// cannot say, the whole of it.
func dataRanges(f *os.File, size int64) [][2]int64 {
	var out [][2]int64
	fd := int(f.Fd())
	for off := int64(0); off < size; {
		from, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break // no data past off
		}
		if err != nil {
			return [][2]int64{{0, size}}
		}
		to, err := unix.Seek(fd, from, unix.SEEK_HOLE)
		if err != nil {
			return [][2]int64{{0, size}}
		}
		to = min(to, size)
		if from < to {
			out = append(out, [2]int64{from, to})
		}
		off = to
	}
	return out
}
