package main

import (
	"flag"
	"strings"
	"testing"
)

// TestDecisions checks every engine against the expected outcome of every request of every
// workload (W4 scaled down), the same check the benchmark makes before timing anything.
func TestDecisions(t *testing.T) {
	for _, w := range []*Workload{w1(), w2(), w3(), w4(300, 600)} {
		for _, e := range engines() {
			t.Run(w.Name+"/"+e.Name(), func(t *testing.T) {
				if _, err := loadAndCheck(e, w); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestW4Mix checks that the random W4 requests cover all three outcomes.
func TestW4Mix(t *testing.T) {
	seen := map[Outcome]int{}
	for _, r := range w4(100, 500).Requests {
		seen[r.Want]++
	}
	for _, o := range []Outcome{Allowed, ExplicitDeny, ImplicitDeny} {
		if seen[o] == 0 {
			t.Errorf("no W4 request expects %v (got %v)", o, seen)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		name, pat, s string
		want         bool
	}{
		{"exact", "s3:getobject", "s3:getobject", true},
		{"exact mismatch", "s3:getobject", "s3:putobject", false},
		{"trailing star", "s3:get*", "s3:getobject", true},
		{"star matches empty", "s3:get*", "s3:get", true},
		{"inner star", "s3:*object", "s3:getobject", true},
		{"inner star mismatch", "s3:*object", "s3:getobjects", false},
		{"question mark", "s3:?etobject", "s3:getobject", true},
		{"question mark needs a character", "s3:get?", "s3:get", false},
		{"star only", "*", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := globMatch(tc.pat, tc.s); got != tc.want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
			}
		})
	}
}

func TestParseAWS(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
	}{
		{"scalars and lists", doc(stmt("Allow", "s3:Get*,s3:List*", "*", `"Bool":{"aws:SecureTransport":true}`)), ""},
		{"bad effect", `{"Statement":[{"Effect":"Maybe","Action":"a:b","Resource":"*"}]}`, "effect"},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"a:b"}]}`, "Action and Resource"},
		{"unknown field", `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Principal":"*"}]}`, "unknown field"},
		{"object value", `{"Statement":[{"Effect":"Allow","Action":{"x":1},"Resource":"*"}]}`, "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseAWS(tc.text)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("parseAWS(%s): %v", tc.text, err)
				}
				c := d.Statement[0].conditions()
				if len(c) != 1 || c[0].Values[0] != "true" {
					t.Errorf("conditions = %v, want one with value true", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseAWS(%s) error = %v, want one containing %q", tc.text, err, tc.wantErr)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestRun runs the whole program at a tiny size and checks that it prints every line.
func TestRun(t *testing.T) {
	old := flag.Lookup("test.benchtime").Value.String()
	if err := flag.Set("test.benchtime", "1x"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := flag.Set("test.benchtime", old); err != nil {
			t.Error(err)
		}
	})
	var out strings.Builder
	if err := run(&out, config{runs: 1, principals: 50, requests: 50, engines: map[string]bool{"iamd": true, "minio": true}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		for i, kv := range f[1:] {
			k, _, _ := strings.Cut(kv, "=")
			f[i+1] = k
		}
		got = append(got, strings.Join(f, " "))
	}
	want := []string{
		"W1 iamd_ns minio_ns", "W1 iamd_allocs minio_allocs",
		"W2 iamd_ns minio_ns", "W2 iamd_allocs minio_allocs",
		"W3 iamd_ns minio_ns", "W3 iamd_allocs minio_allocs",
		"W4 iamd_ns minio_ns", "W4 iamd_allocs minio_allocs",
		"W4 iamd_bytes_per_principal minio_bytes_per_principal",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("run printed\n%s\nwant lines with keys\n%s", out.String(), strings.Join(want, "\n"))
	}
	if err := run(&out, config{engines: map[string]bool{"none": true}}); err == nil {
		t.Error("run with no engine selected: no error")
	}
}

// wrongEngine allows everything.
type wrongEngine struct{}

func (wrongEngine) Name() string                  { return "wrong" }
func (wrongEngine) Load(*Workload) (State, error) { return wrongEngine{}, nil }
func (wrongEngine) Prepare(*Request) (func() Outcome, error) {
	return func() Outcome { return Allowed }, nil
}

func TestWrongDecisionFails(t *testing.T) {
	if _, err := loadAndCheck(wrongEngine{}, w3()); err == nil || !strings.Contains(err.Error(), "want ExplicitDeny") {
		t.Errorf("an engine allowing W3: error %v, want a wrong-decision error", err)
	}
}

func TestTranslationsRejectUnsupported(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		{"operator", doc(stmt("Allow", "s3:GetObject", "*", `"NumericLessThan":{"s3:max-keys":"10"}`))},
		{"single-character wildcard", doc(stmt("Allow", "s3:GetObject", "*", `"StringLike":{"s3:prefix":"a?"}`))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &Workload{Name: "bad", NumPrincipals: 1, Principal: func(int) Principal {
				return Principal{Name: "p", Policies: []string{tc.text}}
			}}
			if _, err := (cedarEngine{}).Load(w); err == nil {
				t.Errorf("cedar translated %s", tc.text)
			}
			if tc.name == "operator" {
				if _, err := (opaEngine{}).Load(w); err == nil {
					t.Errorf("opa translated %s", tc.text)
				}
			}
		})
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Allowed: "Allow", ExplicitDeny: "ExplicitDeny", ImplicitDeny: "ImplicitDeny", Denied: "Deny", 0: "Invalid(0)"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", o, got, want)
		}
	}
}
