//go:build linux

package sqlite

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIndexLoopLowestPriority: the index loop runs on a thread of its own at nice 19 while
// the store is open, the threads serving calls keep their priority, and the loop's thread
// ends with the loop, so that no other goroutine is ever left running at that priority.
func TestIndexLoopLowestPriority(t *testing.T) {
	before := threadsAtNice(t, 19)
	db, _ := openRecorded(t, "a")
	var added []string
	waitUntil(t, "a thread at nice 19 for the index loop", func() bool {
		added = without(threadsAtNice(t, 19), before)
		return len(added) == 1
	})
	if self := threadNice(t, "self"); self != "0" {
		t.Errorf("the test's own thread is at nice %s, want 0", self)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the index loop's thread to end", func() bool {
		_, err := os.Stat(filepath.Join("/proc/self/task", added[0]))
		return os.IsNotExist(err)
	})
}

// threadsAtNice lists the IDs of this process's threads whose nice value is nice.
func threadsAtNice(t *testing.T, nice int) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	var out []string
	for _, e := range ents {
		if threadNice(t, e.Name()) == strconv.Itoa(nice) {
			out = append(out, e.Name())
		}
	}
	return out
}

// threadNice returns the nice value of thread tid ("self" for the calling one) as
// /proc/self/task/TID/stat gives it (field 19), or "" for a thread that has ended.
func threadNice(t *testing.T, tid string) string {
	t.Helper()
	p := filepath.Join("/proc/self/task", tid, "stat")
	if tid == "self" {
		p = "/proc/thread-self/stat"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	s := string(b)
	// The command name, field 2, is in parentheses and may hold spaces: count from after it.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 17 {
		t.Fatalf("%s: %d fields after the name", p, len(f))
	}
	return f[19-3]
}

// without returns the elements of a not in b.
func without(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// waitUntil polls cond for up to five seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s for %s", what)
		}
	}
}
