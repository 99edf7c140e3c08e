package main

import (
	"testing"
)

// BenchmarkIamd times iamd alone on each workload (W4 at 5,000 principals), for profiling with
// go test -bench . -cpuprofile / -memprofile; the program itself compares the engines.
func BenchmarkIamd(b *testing.B) {
	for _, w := range []*Workload{w1(), w2(), w3(), w4(5000, 4096)} {
		b.Run(w.Name, func(b *testing.B) {
			ds, err := loadAndCheck(iamdEngine{}, w)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var sink Outcome
			for i := 0; b.Loop(); i++ {
				sink |= ds[i%len(ds)]()
			}
			_ = sink
		})
	}
}
