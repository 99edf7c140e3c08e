package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestServeGCPercent: `iamd serve` sets its GOGC to serveGCPercent, unless the GOGC environment
// variable chose one (the runtime applied that at start; serve leaves it). The start fails on a
// busy port, after the setting.
func TestServeGCPercent(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	for _, tc := range []struct {
		name string
		gogc string
		want int
	}{
		{"default", "", serveGCPercent},
		{"GOGC set", "50", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			env := map[string]string{"HOME": t.TempDir(), "GOGC": tc.gogc}
			args := []string{"serve", "--data", filepath.Join(t.TempDir(), "d"), "--listen", busy.Addr().String(), "--aws-managed-policies=false"}
			if err := run(context.Background(), args, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
				t.Fatal("serve on a busy port succeeded")
			}
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GOGC env %q: GC percent after serve = %d, want %d", tc.gogc, got, tc.want)
			}
		})
	}
}
