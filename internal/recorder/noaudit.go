//go:build iamd_noaudit

package recorder

// recordingDisabled is set by the iamd_noaudit build tag, for measuring what recording costs:
// `go build -tags iamd_noaudit ./cmd/iamd` gives a server whose Recorder drops every record
// (mutations still append theirs in their own transactions). Never ship such a build.
const recordingDisabled = true
