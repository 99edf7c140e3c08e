//go:build linux

package sqlite

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowerPriority moves the calling goroutine to a thread of its own, for as long as it runs,
// and gives that thread the lowest scheduling priority (nice 19; on Linux a thread's nice
// value is its own). The index loop calls it: its bursts of work (an index transaction every
// 250 ms) then wait while the threads serving requests want the CPU, instead of taking a core
// from them, and run in the gaps between requests. The goroutine never unlocks the thread,
// so the runtime ends the thread when the goroutine returns and no other goroutine ever runs
// at this priority. Index transactions run by callers (an Update, a lookup, a Record call
// that found the journal full) keep their callers' priority. Raising one's own nice value
// needs no privilege; should it fail, the loop runs as before.
func lowerPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
}
