package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// FirstSeq is the sequence number of the first record of a trail. Sequence numbers then
// go up by one per record, with no gaps.
// The zero value of Verifier relies on FirstSeq-1 being 0.
const FirstSeq int64 = 1

// Link returns the chain hash of record given the hash of the record before it:
// SHA-256(prev || SHA-256(record)). The record before the first is the zero hash.
func Link(prev [32]byte, record []byte) [32]byte {
	var buf [64]byte
	copy(buf[:32], prev[:])
	sum := sha256.Sum256(record)
	copy(buf[32:], sum[:])
	return sha256.Sum256(buf[:])
}

// Stored is one chained record as the store keeps it: its sequence number, its JSON bytes
// exactly as hashed, and its chain hash.
type Stored struct {
	Seq    int64
	Record []byte
	Hash   [32]byte
}

// Kind classifies a break in the chain.
type Kind int

// The kinds of ChainError.
const (
	// Edited: a record's bytes or stored hash no longer match its chain hash.
	Edited Kind = iota + 1
	// Removed: one or more sequence numbers are missing; Seq is the first missing one.
	Removed
	// Reordered: a record is out of place. Either its Seq does not follow the record before
	// it, or (found only by Verify) its hash links from another record's hash.
	Reordered
	// Truncated: the chain checks out but does not end at the expected head, so records
	// are missing from its end (or the whole chain was rewritten). Seq is the first
	// sequence number after the last record.
	Truncated
)

// String returns the kind's name in lower case, as `iamd trail verify` prints it.
func (k Kind) String() string {
	switch k {
	case Edited:
		return "edited"
	case Removed:
		return "removed"
	case Reordered:
		return "reordered"
	case Truncated:
		return "truncated"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ChainError is the first problem Verify, a Verifier or CheckIndex found in a trail.
type ChainError struct {
	Seq  int64
	Kind Kind
	// Field is empty for a break in the chain itself. For an intact record whose lookup
	// columns disagree with it (CheckIndex) it names the column: Kind is then Edited.
	Field  string
	Detail string
}

// Error says which record and what kind of break; the text is safe to print to operators.
func (e *ChainError) Error() string {
	return fmt.Sprintf("audit trail: record %d %s: %s", e.Seq, e.Kind, e.Detail)
}

// Verifier checks a trail one record at a time, for trails too long to hold in memory.
// Its zero value expects the trail's first record (FirstSeq, after the zero hash). After
// it returns an error it keeps returning that error.
type Verifier struct {
	last int64    // Seq of the last record accepted; FirstSeq-1 (zero) when none
	head [32]byte // Hash of the last record accepted
	err  *ChainError
}

// ResumeVerifier returns a Verifier that continues a trail after a record already trusted:
// the next record it accepts is lastSeq+1, linked from head.
func ResumeVerifier(lastSeq int64, head [32]byte) *Verifier {
	return &Verifier{last: lastSeq, head: head}
}

// Add checks the next record: that its Seq follows the last one and that its hash links
// from the last hash. It returns a *ChainError for the first problem.
func (v *Verifier) Add(s Stored) error {
	if v.err != nil {
		return v.err
	}
	want := v.last + 1
	switch {
	case s.Seq < want:
		v.err = &ChainError{Seq: s.Seq, Kind: Reordered, Detail: fmt.Sprintf("comes after record %d", v.last)}
	case s.Seq > want:
		detail := fmt.Sprintf("missing before record %d", s.Seq)
		if s.Seq-want > 1 {
			detail = fmt.Sprintf("records %d to %d missing", want, s.Seq-1)
		}
		v.err = &ChainError{Seq: want, Kind: Removed, Detail: detail}
	default:
		if got := Link(v.head, s.Record); got != s.Hash {
			v.err = &ChainError{Seq: s.Seq, Kind: Edited, Detail: fmt.Sprintf("hash %s, stored %s", short(got), short(s.Hash))}
		}
	}
	if v.err != nil {
		return v.err
	}
	v.last, v.head = s.Seq, s.Hash
	return nil
}

// Head returns the hash of the last record accepted: the zero hash before the first.
func (v *Verifier) Head() [32]byte { return v.head }

// Seq returns the sequence number of the last record accepted, FirstSeq-1 before the first.
func (v *Verifier) Seq() int64 { return v.last }

// Finish compares the chain's end with an expected head hash, as Verify does at the end.
// It returns the Verifier's earlier error if it has one.
func (v *Verifier) Finish(head [32]byte) error {
	if v.err != nil {
		return v.err
	}
	if v.head != head {
		v.err = &ChainError{Seq: v.Seq() + 1, Kind: Truncated, Detail: fmt.Sprintf("trail ends at %s, expected head %s", short(v.head), short(head))}
		return v.err
	}
	return nil
}

// Verify checks a whole trail, given in Seq order from FirstSeq, and returns a
// *ChainError for the first problem: a record edited (its hash does not link), removed (a
// gap in Seq), reordered (Seq out of order, or a record that links from another record's
// hash), or, when head is not nil, a trail that does not end at *head (truncated).
//
// Verify reports what a Verifier fed the same records reports, except that, seeing the
// whole trail, it can tell a record out of place from one edited or removed: where the
// Verifier sees a gap at N that a later record fills, Verify reports Reordered at the
// record that came too early; where the Verifier sees a broken link from a record that
// links from another record's hash, Verify reports Reordered at that record.
func Verify(records []Stored, head *[32]byte) error {
	return VerifyResumed(FirstSeq-1, [32]byte{}, records, head)
}

// VerifyResumed is Verify for a trail whose records up to lastSeq were pruned: records
// start at lastSeq+1 and the first links from prev, the hash of the pruned record lastSeq.
func VerifyResumed(lastSeq int64, prev [32]byte, records []Stored, head *[32]byte) error {
	v := ResumeVerifier(lastSeq, prev)
	for i, s := range records {
		want := v.last + 1
		if err := v.Add(s); err != nil {
			switch {
			case v.err.Kind == Removed && seqLater(records[i+1:], want, s.Seq):
				return &ChainError{Seq: s.Seq, Kind: Reordered, Detail: fmt.Sprintf("comes before record %d", want)}
			case v.err.Kind == Edited && linksElsewhere(records, prev, s):
				return &ChainError{Seq: s.Seq, Kind: Reordered, Detail: "intact, but linked from another record"}
			}
			return err
		}
	}
	if head != nil {
		return v.Finish(*head)
	}
	return nil
}

// seqLater reports whether a record with a Seq in [lo, hi) comes later in the slice: then
// the gap before hi is a record out of order, not one removed.
func seqLater(rest []Stored, lo, hi int64) bool {
	for _, o := range rest {
		if lo <= o.Seq && o.Seq < hi {
			return true
		}
	}
	return false
}

// linksElsewhere reports whether s's hash links from the trail's starting hash (zero, or a
// checkpoint's) or from another stored record's hash: then its bytes are intact and it sits
// in the wrong place.
func linksElsewhere(records []Stored, start [32]byte, s Stored) bool {
	if Link(start, s.Record) == s.Hash {
		return true
	}
	for _, o := range records {
		if o.Seq != s.Seq && Link(o.Hash, s.Record) == s.Hash {
			return true
		}
	}
	return false
}

func short(h [32]byte) string { return hex.EncodeToString(h[:6]) }
