//go:build !iamd_noaudit

package middleware

// recordingDisabled is false in every normal build; see the recorder package's disabled.
const recordingDisabled = false
