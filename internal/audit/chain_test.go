package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// chain builds a clean trail of n records with Seq 1..n.
func chain(n int) []Stored {
	var out []Stored
	var prev [32]byte
	for i := 1; i <= n; i++ {
		rec := []byte(fmt.Sprintf(`{"eventID":"e-%d","eventName":"CreateUser"}`, i))
		h := Link(prev, rec)
		out = append(out, Stored{Seq: int64(i), Record: rec, Hash: h})
		prev = h
	}
	return out
}

// relink recomputes every hash from index i on, as an attacker with write access would.
func relink(recs []Stored, i int) {
	var prev [32]byte
	if i > 0 {
		prev = recs[i-1].Hash
	}
	for ; i < len(recs); i++ {
		recs[i].Hash = Link(prev, recs[i].Record)
		prev = recs[i].Hash
	}
}

func clone(recs []Stored) []Stored {
	out := make([]Stored, len(recs))
	for i, r := range recs {
		r.Record = append([]byte(nil), r.Record...)
		out[i] = r
	}
	return out
}

func TestLink(t *testing.T) {
	rec := []byte(`{"a":1}`)
	var prev [32]byte
	prev[0] = 0xAB
	inner := sha256.Sum256(rec)
	want := sha256.Sum256(append(prev[:], inner[:]...))
	if got := Link(prev, rec); got != want {
		t.Errorf("Link(%x, %s) = %x, want sha256(prev || sha256(record)) = %x", prev, rec, got, want)
	}
	if Link([32]byte{}, rec) == Link(prev, rec) {
		t.Error("Link ignores prev")
	}
	if Link(prev, rec) == Link(prev, []byte(`{"a":2}`)) {
		t.Error("Link ignores the record")
	}
}

func TestVerify(t *testing.T) {
	const n = 10
	clean := chain(n)
	head := clean[n-1].Hash
	var zero [32]byte
	otherHead := Link(head, []byte("x"))

	tests := []struct {
		name     string
		tamper   func([]Stored) []Stored
		head     *[32]byte
		wantKind Kind // 0: no error
		wantSeq  int64
	}{
		{name: "clean", tamper: nil},
		{name: "clean with head", head: &head},
		{name: "empty", tamper: func([]Stored) []Stored { return nil }},
		{name: "empty with zero head", tamper: func([]Stored) []Stored { return nil }, head: &zero},
		{name: "empty with a head", tamper: func([]Stored) []Stored { return nil }, head: &head, wantKind: Truncated, wantSeq: 1},
		{name: "record bytes edited", tamper: func(r []Stored) []Stored { r[4].Record[2] = 'E'; return r }, wantKind: Edited, wantSeq: 5},
		{name: "first record edited", tamper: func(r []Stored) []Stored { r[0].Record = []byte(`{}`); return r }, wantKind: Edited, wantSeq: 1},
		{name: "last record edited", tamper: func(r []Stored) []Stored { r[n-1].Record = []byte(`{}`); return r }, head: &head, wantKind: Edited, wantSeq: n},
		{name: "stored hash edited", tamper: func(r []Stored) []Stored { r[6].Hash[0] ^= 1; return r }, wantKind: Edited, wantSeq: 7},
		{name: "edited and its hash recomputed", tamper: func(r []Stored) []Stored {
			r[4].Record = []byte(`{"eventID":"forged"}`)
			r[4].Hash = Link(r[3].Hash, r[4].Record)
			return r
		}, wantKind: Edited, wantSeq: 6},
		{name: "edited and all later hashes recomputed", tamper: func(r []Stored) []Stored {
			r[4].Record = []byte(`{"eventID":"forged"}`)
			relink(r, 4)
			return r
		}, head: &head, wantKind: Truncated, wantSeq: n + 1},
		{name: "edited and relinked, no head", tamper: func(r []Stored) []Stored {
			r[4].Record = []byte(`{"eventID":"forged"}`)
			relink(r, 4)
			return r
		}},
		{name: "one removed", tamper: func(r []Stored) []Stored { return append(r[:4:4], r[5:]...) }, wantKind: Removed, wantSeq: 5},
		{name: "three removed", tamper: func(r []Stored) []Stored { return append(r[:4:4], r[7:]...) }, wantKind: Removed, wantSeq: 5},
		{name: "first removed", tamper: func(r []Stored) []Stored { return r[1:] }, wantKind: Removed, wantSeq: 1},
		{name: "removed and renumbered", tamper: func(r []Stored) []Stored {
			r = append(r[:4:4], r[5:]...)
			for i := range r {
				r[i].Seq = int64(i + 1)
			}
			return r
		}, wantKind: Edited, wantSeq: 5},
		{name: "tail removed", tamper: func(r []Stored) []Stored { return r[:7] }, head: &head, wantKind: Truncated, wantSeq: 8},
		{name: "tail removed, no head", tamper: func(r []Stored) []Stored { return r[:7] }},
		{name: "wrong head", head: &otherHead, wantKind: Truncated, wantSeq: n + 1},
		{name: "slice out of Seq order", tamper: func(r []Stored) []Stored { r[3], r[4] = r[4], r[3]; return r }, wantKind: Reordered, wantSeq: 5},
		{name: "duplicate Seq", tamper: func(r []Stored) []Stored {
			return append(r[:5:5], append([]Stored{r[4]}, r[5:]...)...)
		}, wantKind: Reordered, wantSeq: 5},
		{name: "rows swapped, Seq kept", tamper: func(r []Stored) []Stored {
			r[3].Record, r[4].Record = r[4].Record, r[3].Record
			r[3].Hash, r[4].Hash = r[4].Hash, r[3].Hash
			return r
		}, wantKind: Reordered, wantSeq: 4},
		{name: "first record moved later", tamper: func(r []Stored) []Stored {
			r[0].Record, r[5].Record = r[5].Record, r[0].Record
			r[0].Hash, r[5].Hash = r[5].Hash, r[0].Hash
			return r
		}, wantKind: Reordered, wantSeq: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := clone(clean)
			if tt.tamper != nil {
				recs = tt.tamper(recs)
			}
			err := Verify(recs, tt.head)
			checkChainErr(t, err, tt.wantKind, tt.wantSeq)
		})
	}
}

func checkChainErr(t *testing.T, err error, kind Kind, seq int64) {
	t.Helper()
	if kind == 0 {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var ce *ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *ChainError %s at %d", err, kind, seq)
	}
	if ce.Kind != kind || ce.Seq != seq {
		t.Errorf("got %s at %d (%v), want %s at %d", ce.Kind, ce.Seq, err, kind, seq)
	}
	if ce.Detail == "" {
		t.Errorf("%v has no detail", err)
	}
}

// TestVerifierMatchesVerify feeds every single-record tampering of a trail to both the
// batch and the streaming check. They must agree, except that only Verify can tell a moved
// record (Reordered) from an edited one.
func TestVerifierMatchesVerify(t *testing.T) {
	const n = 8
	clean := chain(n)
	head := clean[n-1].Hash
	type variant struct {
		name string
		recs []Stored
	}
	var variants []variant
	variants = append(variants, variant{"clean", clone(clean)})
	for i := 0; i < n; i++ {
		r := clone(clean)
		r[i].Record = append(r[i].Record, ' ')
		variants = append(variants, variant{fmt.Sprintf("edit %d", i+1), r})
		r = clone(clean)
		r[i].Hash[31] ^= 0x80
		variants = append(variants, variant{fmt.Sprintf("hash %d", i+1), r})
		r = clone(clean)
		variants = append(variants, variant{fmt.Sprintf("remove %d", i+1), append(r[:i:i], r[i+1:]...)})
		variants = append(variants, variant{fmt.Sprintf("truncate at %d", i+1), clone(clean)[:i]})
		if i+1 < n {
			r = clone(clean)
			r[i], r[i+1] = r[i+1], r[i]
			variants = append(variants, variant{fmt.Sprintf("swap slice %d", i+1), r})
			r = clone(clean)
			r[i].Record, r[i+1].Record = r[i+1].Record, r[i].Record
			r[i].Hash, r[i+1].Hash = r[i+1].Hash, r[i].Hash
			variants = append(variants, variant{fmt.Sprintf("swap rows %d", i+1), r})
		}
	}
	for _, v := range variants {
		for _, withHead := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s head=%v", v.name, withHead), func(t *testing.T) {
				var hp *[32]byte
				if withHead {
					hp = &head
				}
				batch := Verify(v.recs, hp)
				var ver Verifier
				var stream error
				for _, s := range v.recs {
					if stream = ver.Add(s); stream != nil {
						break
					}
				}
				if stream == nil && withHead {
					stream = ver.Finish(head)
				}
				if (batch == nil) != (stream == nil) {
					t.Fatalf("Verify = %v, Verifier = %v", batch, stream)
				}
				if batch == nil {
					if v.name != "clean" && withHead {
						t.Errorf("tampering %q not detected", v.name)
					}
					return
				}
				var b, s *ChainError
				if !errors.As(batch, &b) || !errors.As(stream, &s) {
					t.Fatalf("Verify = %v, Verifier = %v: want *ChainError", batch, stream)
				}
				if *b == *s {
					return
				}
				// The refinements Verify may make, seeing the whole trail.
				switch {
				case strings.HasPrefix(v.name, "swap rows") && s.Kind == Edited && b.Kind == Reordered && b.Seq == s.Seq:
				case strings.HasPrefix(v.name, "swap slice") && s.Kind == Removed && b.Kind == Reordered && b.Seq == s.Seq+1:
				default:
					t.Errorf("Verify = %v, Verifier = %v", b, s)
				}
			})
		}
	}
}

func TestVerifierStream(t *testing.T) {
	recs := chain(6)
	var v Verifier
	if v.Seq() != FirstSeq-1 || v.Head() != ([32]byte{}) {
		t.Fatalf("zero Verifier at Seq %d head %x, want %d and the zero hash", v.Seq(), v.Head(), FirstSeq-1)
	}
	for _, s := range recs[:3] {
		if err := v.Add(s); err != nil {
			t.Fatalf("Add(%d): %v", s.Seq, err)
		}
	}
	if v.Seq() != 3 || v.Head() != recs[2].Hash {
		t.Errorf("after 3 records: Seq %d head %x, want 3 and %x", v.Seq(), v.Head(), recs[2].Hash)
	}

	// A resumed Verifier picks up where a trusted checkpoint left off.
	r := ResumeVerifier(v.Seq(), v.Head())
	for _, s := range recs[3:] {
		if err := r.Add(s); err != nil {
			t.Fatalf("resumed Add(%d): %v", s.Seq, err)
		}
	}
	if err := r.Finish(recs[5].Hash); err != nil {
		t.Errorf("Finish at the right head: %v", err)
	}

	// Errors are sticky.
	bad := recs[3]
	bad.Record = []byte(`{}`)
	first := v.Add(bad)
	checkChainErr(t, first, Edited, 4)
	if err := v.Add(recs[3]); err != first {
		t.Errorf("Add after an error = %v, want the first error %v", err, first)
	}
	if err := v.Finish(recs[5].Hash); err != first {
		t.Errorf("Finish after an error = %v, want the first error %v", err, first)
	}
	if v.Seq() != 3 {
		t.Errorf("a rejected record moved the Verifier to Seq %d", v.Seq())
	}
}

func TestChainErrorText(t *testing.T) {
	tests := []struct {
		err  ChainError
		want string
	}{
		{ChainError{Seq: 5, Kind: Edited, Detail: "d"}, "audit trail: record 5 edited: d"},
		{ChainError{Seq: 5, Kind: Removed, Detail: "d"}, "audit trail: record 5 removed: d"},
		{ChainError{Seq: 5, Kind: Reordered, Detail: "d"}, "audit trail: record 5 reordered: d"},
		{ChainError{Seq: 5, Kind: Truncated, Detail: "d"}, "audit trail: record 5 truncated: d"},
		{ChainError{Seq: 5, Kind: 0, Detail: "d"}, "audit trail: record 5 Kind(0): d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRemovedDetail(t *testing.T) {
	recs := chain(6)
	tests := []struct {
		name string
		recs []Stored
		want string
	}{
		{"one", append(clone(recs)[:2:2], recs[3:]...), "missing before record 4"},
		{"several", append(clone(recs)[:1:1], recs[4:]...), "records 2 to 4 missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *ChainError
			if err := Verify(tt.recs, nil); !errors.As(err, &ce) {
				t.Fatalf("Verify = %v, want *ChainError", err)
			}
			if diff := cmp.Diff(tt.want, ce.Detail); diff != "" {
				t.Errorf("Detail (-want +got):\n%s", diff)
			}
		})
	}
}
