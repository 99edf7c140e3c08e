package server_test

import (
	"io"
	"sync"
	"time"
)

// syncWriter serializes writes from concurrent goroutines (log handlers in the server).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// timeNow is the test's wall clock (the server uses the real clock too).
func timeNow() time.Time { return time.Now() }
