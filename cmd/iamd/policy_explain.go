package main

import (
	"errors"
	"io"
)

// policyExplainUsage is the usage of `iamd policy explain`.
const policyExplainUsage = ``

// policyExplain runs `iamd policy explain`: not built yet.
func policyExplain(_ []string, _ io.Reader, _, _ io.Writer) error {
	return errors.New("policy explain: not built yet")
}
