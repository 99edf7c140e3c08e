//go:build iamd_noaudit

package recorder

// disabled is set by the iamd_noaudit build tag, for measuring what recording costs:
// `go build -tags iamd_noaudit ./cmd/iamd` gives a server that neither builds nor writes the
// records of calls outside a mutation (reads, denials, failures): the API skips trail.BuildCompact and
// the Recorder drops what reaches it. Mutations still append theirs in their own transactions.
// Never ship such a build. internal/api/middleware's recordingDisabled must say the same.
const disabled = true
