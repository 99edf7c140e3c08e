//go:build !linux

package sqlite

import (
	"errors"
	"os"
)

// mapFile does not map journal files on this platform: the journal writes with WriteAt.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) {}

func populate([]byte) error { return nil }

func release([]byte) {}

// syncMapped is never called here (no file is mapped).
func syncMapped([]byte) error { return errors.ErrUnsupported }
