package sqlite

import "os"

// The system calls a sync makes, replaced by tests to see what a sync writes, or to make it
// fail.
var sys = struct {
	fsync   func(*os.File) error
	writeAt func(*os.File, []byte, int64) (int, error)
}{(*os.File).Sync, (*os.File).WriteAt}

// closeRotated closes the files that are not nil.
func closeRotated(fs []genFile) {
	for _, g := range fs {
		if g.f != nil {
			g.f.Close()
		}
	}
}

// allZero reports that b holds only zero bytes: the unwritten end of a mapped journal file.
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
