//go:build !iamd_noaudit

package middleware

// recordingDisabled is false in every normal build; see recorder.Disabled.
const recordingDisabled = false
