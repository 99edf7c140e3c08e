//go:build !linux

package sqlite

import "os"

// mapFile does not map the ring on this platform: the journal writes to its files directly.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) {}

func mapRead(*os.File, int64) []byte { return nil }

func dataRanges(_ *os.File, size int64) [][2]int64 { return [][2]int64{{0, size}} }
