package credsrv

import (
	"net"
	"syscall"
)

// setHopLimit sets IP_TTL (IPV6_UNICAST_HOPS for IPv6) on the connection's socket.
func setHopLimit(c *net.TCPConn, n int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	level, opt := syscall.IPPROTO_IP, syscall.IP_TTL
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok && a.IP.To4() == nil {
		level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), level, opt, n) }); err != nil {
		return err
	}
	return serr
}
