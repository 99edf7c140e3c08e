//go:build !linux

package sqlite

import "os"

// mapFile does not map journal files on this platform: the journal writes with WriteAt.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) {}
