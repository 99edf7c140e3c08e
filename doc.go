// Package iamd is the root of the iamd module: an AWS-compatible identity and access management
// server in one Go binary. The binary lives in cmd/iamd; all other code is under internal/.
// This package holds only repository-wide tests (package docs, layering rules).
package iamd
