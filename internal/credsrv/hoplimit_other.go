//go:build !linux

package credsrv

import "net"

// setHopLimit does nothing where iamd does not know how to set the socket option.
func setHopLimit(*net.TCPConn, int) error { return nil }
