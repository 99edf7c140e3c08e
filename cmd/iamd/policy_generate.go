package main

import (
	"context"
	"errors"
	"io"
)

// policyGenerateUsage is the usage of `iamd policy generate`.
const policyGenerateUsage = ``

// policyGenerate runs `iamd policy generate`: not built yet.
func policyGenerate(_ context.Context, _ []string, _ func(string) string, _, _ io.Writer) error {
	return errors.New("policy generate: not built yet")
}
