//go:build !iamd_noaudit

package recorder

// recordingDisabled is false in every normal build; see noaudit.go.
const recordingDisabled = false
