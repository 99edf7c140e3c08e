//go:build iamd_noaudit

package middleware

// recordingDisabled: the iamd_noaudit build (see the recorder package's disabled) does not build
// the records of calls outside a mutation either, so that it measures what building them costs.
const recordingDisabled = true
