//go:build !linux

package sqlite

import "os"

// mapFile does not map the ring on this platform: the journal writes to its files directly.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) {}
