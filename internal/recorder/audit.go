//go:build !iamd_noaudit

package recorder

// Disabled is false in every normal build; see noaudit.go.
const Disabled = false
