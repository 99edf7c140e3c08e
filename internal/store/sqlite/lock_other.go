//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import "io"

// lockFile cannot lock where flock(2) is missing: without a way to keep a second process from
// replaying the same records, the record journal is not used (Record writes transactions).
func lockFile(string) (io.Closer, bool, error) { return nil, false, errNoFileLock }
