package audit

import (
	"errors"
	"fmt"
	"testing"
)

// TestVerifyResumed: a trail pruned up to a checkpoint verifies from the checkpoint's hash,
// and Verify's classification (removed, reordered) still works on it.
func TestVerifyResumed(t *testing.T) {
	var full []Stored
	var h [32]byte
	for i := int64(1); i <= 8; i++ {
		rec := []byte(fmt.Sprintf(`{"i":%d}`, i))
		h = Link(h, rec)
		full = append(full, Stored{Seq: i, Record: rec, Hash: h})
	}
	cp := full[2] // records 1-3 pruned
	rest := full[3:]
	swapped := append([]Stored(nil), rest...)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	for _, tc := range []struct {
		name     string
		cpSeq    int64
		cpHash   [32]byte
		records  []Stored
		wantSeq  int64
		wantKind Kind
	}{
		{"intact", cp.Seq, cp.Hash, rest, 0, 0},
		{"wrong checkpoint hash", cp.Seq, full[1].Hash, rest, 4, Edited},
		{"without the checkpoint", 0, [32]byte{}, rest, 1, Removed},
		{"first remaining record removed", cp.Seq, cp.Hash, rest[1:], 4, Removed},
		{"records swapped", cp.Seq, cp.Hash, swapped, 6, Reordered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyResumed(tc.cpSeq, tc.cpHash, tc.records, &h)
			if tc.wantKind == 0 {
				if err != nil {
					t.Fatalf("VerifyResumed = %v, want nil", err)
				}
				return
			}
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Seq != tc.wantSeq || ce.Kind != tc.wantKind {
				t.Errorf("VerifyResumed = %v, want record %d %s", err, tc.wantSeq, tc.wantKind)
			}
		})
	}
}
