package main

import (
	"context"
	"errors"
	"io"
)

// runAudit runs `iamd audit`: not built yet.
func runAudit(_ context.Context, _ []string, _ func(string) string, _, _ io.Writer) error {
	return errors.New("audit: not built yet")
}
