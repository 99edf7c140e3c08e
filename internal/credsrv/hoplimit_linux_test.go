package credsrv

import (
	"context"
	"net"
	"syscall"
	"testing"
)

func TestListenSetsHopLimit(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			ln, err := Listen(context.Background(), addr)
			if err != nil {
				t.Skipf("listen %s: %v", addr, err)
			}
			defer ln.Close()
			go func() {
				if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
					defer c.Close()
					c.Read(make([]byte, 1))
				}
			}()
			c, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rc, err := c.(*net.TCPConn).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			level, opt := syscall.IPPROTO_IP, syscall.IP_TTL
			if addr[0] == '[' {
				level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS
			}
			var got int
			var gerr error
			rc.Control(func(fd uintptr) { got, gerr = syscall.GetsockoptInt(int(fd), level, opt) })
			if gerr != nil || got != 1 {
				t.Errorf("accepted connection on %s: hop limit %d (%v), want 1", addr, got, gerr)
			}
		})
	}
}
