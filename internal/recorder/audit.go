//go:build !iamd_noaudit

package recorder

// disabled is false in every normal build; see noaudit.go.
const disabled = false
