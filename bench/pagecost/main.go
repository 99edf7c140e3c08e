//go:build linux

// Command pagecost measures what memory new to a process costs on this machine: the first write
// to each page of a fresh anonymous mapping (a page fault), the same after MADV_DONTNEED (what
// the Go runtime's scavenger leaves behind), the first write to pages of a shared file mapping
// that MADV_POPULATE_WRITE has already faulted in (what the record journal's pages were before
// the ring), a second write to each, and pwrite(2) of 1 MiB batches to a new file's end and over
// what it wrote (how the journal files are written now). On a machine where each figure is below
// a microsecond a page, memory new to the process is cheap; in the VM of docs/benchmarks.md
// (sessions 16 and 17) it is not, and that decides what recording a read costs.
//
//	go run ./bench/pagecost [-mib 16] [-dir /tmp]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	mib := flag.Int("mib", 16, "MiB to touch in each measurement")
	dir := flag.String("dir", os.TempDir(), "directory of the file mapped (on the disk the journal would be on)")
	flag.Parse()
	if err := run(*mib<<20, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "pagecost:", err)
		os.Exit(1)
	}
}

func run(size int, dir string) error {
	anon, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return err
	}
	defer unix.Munmap(anon)
	report("anonymous, first write (page fault)", touch(anon))
	report("anonymous, second write", touch(anon))
	if err := unix.Madvise(anon, unix.MADV_DONTNEED); err != nil {
		return err
	}
	report("anonymous, after MADV_DONTNEED", touch(anon))

	f, err := os.CreateTemp(dir, "pagecost")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		return err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return err
	}
	defer unix.Munmap(m)
	start := time.Now()
	if err := unix.Madvise(m, unix.MADV_POPULATE_WRITE); err != nil {
		return fmt.Errorf("MADV_POPULATE_WRITE (Linux 5.14): %w", err)
	}
	report("file "+filepath.Base(dir)+", MADV_POPULATE_WRITE itself", time.Since(start)/time.Duration(size/pageSize))
	report("file, first write after populating", touch(m))
	report("file, second write", touch(m))

	// What a journal written with pwrite(2) in large batches would cost instead: the kernel
	// copies into page-cache pages new to the file, which no user mapping has to fault in.
	g, err := os.CreateTemp(dir, "pagecost")
	if err != nil {
		return err
	}
	defer os.Remove(g.Name())
	defer g.Close()
	batch := make([]byte, 1<<20)
	for i := range batch {
		batch[i] = byte(i)
	}
	report("file, pwrite of 1 MiB batches to its end", pwrite(g, batch, size))
	report("file, pwrite of 1 MiB batches over them", pwrite(g, batch, size))
	return nil
}

// pwrite writes size bytes to f from its start, batch after batch, and returns the time a page.
func pwrite(f *os.File, batch []byte, size int) time.Duration {
	start := time.Now()
	for off := 0; off < size; off += len(batch) {
		if _, err := f.WriteAt(batch, int64(off)); err != nil {
			panic(err)
		}
	}
	return time.Since(start) / time.Duration(size/pageSize)
}

const pageSize = 4096

// touch writes one byte of each page of m and returns the time a page.
func touch(m []byte) time.Duration {
	start := time.Now()
	for i := 0; i < len(m); i += pageSize {
		m[i]++
	}
	return time.Since(start) / time.Duration(len(m)/pageSize)
}

func report(what string, perPage time.Duration) {
	fmt.Printf("%-45s %8.0f ns a page\n", what, float64(perPage.Nanoseconds()))
}
