// Command engines benchmarks iamd's policy evaluator against three other policy engines
// (cedar-go, OPA and MinIO's policy package) on the same workloads, after checking that every
// engine returns the expected decision for every request. See README.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

type config struct {
	runs       int
	benchtime  time.Duration
	principals int
	requests   int
	engines    map[string]bool // nil means all
}

func main() {
	testing.Init() // testing.Benchmark reads -test.benchtime
	quick := flag.Bool("quick", false, "short run: fewer repetitions, shorter benchmarks, fewer W4 principals")
	runs := flag.Int("runs", 0, "benchmark repetitions per engine and workload; the median is printed (default 7, -quick 3)")
	benchtime := flag.Duration("benchtime", 0, "duration of one repetition (default 1s, -quick 150ms)")
	principals := flag.Int("principals", 0, "W4 principal count (default 100000, -quick 20000)")
	requests := flag.Int("requests", 4096, "W4 request count")
	only := flag.String("engines", "", "comma-separated engines to run (default all)")
	flag.Parse()

	c := config{runs: 7, benchtime: time.Second, principals: 100000, requests: *requests}
	if *quick {
		c.runs, c.benchtime, c.principals = 3, 150*time.Millisecond, 20000
	}
	if *runs > 0 {
		c.runs = *runs
	}
	if *benchtime > 0 {
		c.benchtime = *benchtime
	}
	if *principals > 0 {
		c.principals = *principals
	}
	if *only != "" {
		c.engines = map[string]bool{}
		for _, e := range strings.Split(*only, ",") {
			c.engines[e] = true
		}
	}
	if err := flag.Set("test.benchtime", c.benchtime.String()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	if err := run(os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "engines:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, c config) error {
	var es []Engine
	for _, e := range engines() {
		if c.engines == nil || c.engines[e.Name()] {
			es = append(es, e)
		}
	}
	if len(es) == 0 {
		return fmt.Errorf("no engine selected")
	}
	fmt.Fprintf(out, "# GOMAXPROCS=1 runs=%d benchtime=%v; ns and allocs are medians per decision\n", c.runs, c.benchtime)
	for _, w := range []*Workload{w1(), w2(), w3()} {
		deciders := make([][]func() Outcome, len(es))
		for i, e := range es {
			d, err := loadAndCheck(e, w)
			if err != nil {
				return err
			}
			deciders[i] = d
		}
		// Repetitions go round-robin over the engines so that drift in machine load is shared.
		ns := make([][]float64, len(es))
		allocs := make([][]float64, len(es))
		for range c.runs {
			for i := range es {
				n, a := bench(deciders[i])
				ns[i] = append(ns[i], n)
				allocs[i] = append(allocs[i], a)
			}
		}
		printLine(out, w.Name, es, "ns", ns)
		printLine(out, w.Name, es, "allocs", allocs)
	}
	return runW4(out, c, es)
}

// runW4 loads one engine at a time, measuring the live heap its state adds, then checks and
// times the random requests against it.
func runW4(out io.Writer, c config, es []Engine) error {
	w := w4(c.principals, c.requests)
	fmt.Fprintf(out, "# W4: %d principals, %d requests\n", c.principals, len(w.Requests))
	ns := make([][]float64, len(es))
	allocs := make([][]float64, len(es))
	perPrincipal := make([][]float64, len(es))
	for i, e := range es {
		before := liveHeap()
		st, err := e.Load(w)
		if err != nil {
			return err
		}
		after := liveHeap()
		perPrincipal[i] = []float64{float64(after-before) / float64(w.NumPrincipals)}
		d, err := prepareAndCheck(e, st, w)
		if err != nil {
			return err
		}
		for range c.runs {
			n, a := bench(d)
			ns[i] = append(ns[i], n)
			allocs[i] = append(allocs[i], a)
		}
		runtime.KeepAlive(st)
	}
	printLine(out, w.Name, es, "ns", ns)
	printLine(out, w.Name, es, "allocs", allocs)
	printLine(out, w.Name, es, "bytes_per_principal", perPrincipal)
	return nil
}

func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func loadAndCheck(e Engine, w *Workload) ([]func() Outcome, error) {
	st, err := e.Load(w)
	if err != nil {
		return nil, err
	}
	return prepareAndCheck(e, st, w)
}

// prepareAndCheck prepares every request of w and fails unless the engine decides each one as
// expected.
func prepareAndCheck(e Engine, st State, w *Workload) ([]func() Outcome, error) {
	ds := make([]func() Outcome, len(w.Requests))
	var wrong []string
	for i := range w.Requests {
		r := &w.Requests[i]
		d, err := st.Prepare(r)
		if err != nil {
			return nil, err
		}
		if got := d(); !agrees(got, r.Want) {
			wrong = append(wrong, fmt.Sprintf("request %d (%s %s %s): got %v, want %v",
				i, w.Principal(r.Principal).Name, r.Action, r.Resource, got, r.Want))
		}
		ds[i] = d
	}
	if len(wrong) > 0 {
		if len(wrong) > 5 {
			wrong = append(wrong[:5], fmt.Sprintf("... and %d more", len(wrong)-5))
		}
		return nil, fmt.Errorf("%s: %s: wrong decisions:\n  %s", w.Name, e.Name(), strings.Join(wrong, "\n  "))
	}
	return ds, nil
}

// bench times the deciders, cycling through them, and returns ns and allocations per decision.
func bench(ds []func() Outcome) (nsPerOp, allocsPerOp float64) {
	var sink Outcome
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		n := len(ds)
		for i := 0; b.Loop(); i++ {
			sink |= ds[i%n]()
		}
	})
	_ = sink
	if r.N == 0 {
		return 0, 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N), float64(r.MemAllocs) / float64(r.N)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printLine(out io.Writer, workload string, es []Engine, metric string, vals [][]float64) {
	var b strings.Builder
	b.WriteString(workload)
	for i, e := range es {
		m := median(vals[i])
		switch {
		case m >= 100:
			fmt.Fprintf(&b, " %s_%s=%.0f", e.Name(), metric, m)
		default:
			fmt.Fprintf(&b, " %s_%s=%.1f", e.Name(), metric, m)
		}
	}
	fmt.Fprintln(out, b.String())
}
