//go:build !linux

package sqlite

// lowerPriority does nothing where a thread's priority is not its own to set (see
// priority_linux.go).
func lowerPriority() {}
