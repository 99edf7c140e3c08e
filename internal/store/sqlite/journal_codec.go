package sqlite

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// The record journal's file format. A file starts with journalMagic; then come frames, each a
// little-endian uint32 payload length, the payload's CRC-32C (Castagnoli) and the payload, in
// one of two formats, named by its first byte:
//
//   - 1: the event time in Unix nanoseconds (varint), the account, source, name, event ID, user
//     name and access key ID (each a uvarint length and the bytes), read-only (one byte), the
//     number of resources and each resource, and the record as given (a uvarint length and
//     the bytes);
//   - 2 (migration 0014): a record in the compact form of audit.AppendCompact (the server
//     records reads and denials so), the rest of the payload. Its lookup columns are not
//     written: they are what the record implies (audit.SummarizeCompact, as store.Store.Record
//     requires), derived when the frame is read. They were a third of such a frame.
const (
	journalMagic    = "iamdrec1"
	frameHeaderLen  = 8
	frameFormat     = 1
	frameCompact    = 2
	maxFramePayload = 16 << 20 // no record comes near this; a larger length is damage
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBadFrame: a frame that is cut short, fails its checksum or does not decode. At the end of
// a file it is a write that never completed (power loss); the frames before it are whole.
var errBadFrame = errors.New("sqlite: damaged record journal frame")

// appendFrame appends e's frame to b: a compact record's in format 2, any other in format 1.
func appendFrame(b []byte, e *store.Event) []byte {
	start := len(b)
	b = append(b, make([]byte, frameHeaderLen)...)
	if audit.IsCompact(e.Record) {
		b = append(b, frameCompact)
		b = append(b, e.Record...)
		return sealFrame(b, start)
	}
	b = append(b, frameFormat)
	b = appendColumns(b, e)
	b = binary.AppendUvarint(b, uint64(len(e.Record)))
	b = append(b, e.Record...)
	return sealFrame(b, start)
}

// appendColumns appends e's lookup columns as a format 1 frame holds them: the time, the
// strings, read-only and the resources. The journal also keeps them so for the records it
// has not indexed yet (pendingRecords).
func appendColumns(b []byte, e *store.Event) []byte {
	b = binary.AppendVarint(b, e.Time.UnixNano())
	for _, s := range [...]string{e.Account, e.Source, e.Name, e.ID, e.Username, e.AccessKey} {
		b = appendString(b, s)
	}
	ro := byte(0)
	if e.ReadOnly {
		ro = 1
	}
	b = append(b, ro)
	b = binary.AppendUvarint(b, uint64(len(e.Resources)))
	for _, r := range e.Resources {
		b = appendString(b, r)
	}
	return b
}

// readColumns reads into e the columns appendColumns wrote, each string made by str (a
// conversion, or one that returns strings already made) and the event ID by id, given the
// event's time too. The resources go into e.Resources' backing array.
func readColumns(r *payloadReader, e *store.Event, str func([]byte) string, id func(b []byte, t time.Time) string) {
	e.Time = time.Unix(0, r.varint()).UTC()
	e.Account = str(r.bytes())
	e.Source = str(r.bytes())
	e.Name = str(r.bytes())
	e.ID = id(r.bytes(), e.Time)
	e.Username = str(r.bytes())
	e.AccessKey = str(r.bytes())
	switch r.byte() {
	case 0:
		e.ReadOnly = false
	case 1:
		e.ReadOnly = true
	default:
		r.bad = true
	}
	nres := r.uvarint()
	if nres > uint64(len(r.b)) { // each resource takes at least one byte
		r.bad = true
	}
	e.Resources = e.Resources[:0]
	for i := uint64(0); i < nres && !r.bad; i++ {
		e.Resources = append(e.Resources, str(r.bytes()))
	}
}

// sealFrame writes the header of the frame that begins at b[start:]: its length and checksum.
func sealFrame(b []byte, start int) []byte {
	payload := b[start+frameHeaderLen:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// readFrame decodes the frame at the start of b and returns its event and length, or
// errBadFrame when b does not start with a whole, intact frame.
func readFrame(b []byte) (*store.Event, int, error) {
	if len(b) < frameHeaderLen {
		return nil, 0, errBadFrame
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxFramePayload || uint64(len(b)-frameHeaderLen) < uint64(n) {
		return nil, 0, errBadFrame
	}
	payload := b[frameHeaderLen : frameHeaderLen+int(n)]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, 0, errBadFrame
	}
	e, err := decodePayload(payload)
	if err != nil {
		return nil, 0, err
	}
	return e, frameHeaderLen + int(n), nil
}

// payloadReader reads a frame's fields, remembering the first failure.
type payloadReader struct {
	b   []byte
	bad bool
}

func (r *payloadReader) uvarint() uint64 { return readVarint(r, binary.Uvarint) }

func (r *payloadReader) varint() int64 { return readVarint(r, binary.Varint) }

// readVarint reads one value with decode (binary.Uvarint or binary.Varint).
func readVarint[T uint64 | int64](r *payloadReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *payloadReader) bytes() []byte {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *payloadReader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func decodePayload(p []byte) (*store.Event, error) {
	r := &payloadReader{b: p}
	switch r.byte() {
	case frameFormat:
	case frameCompact:
		return decodeCompact(r.b)
	default:
		return nil, errBadFrame
	}
	e := &store.Event{}
	str := func(b []byte) string { return string(b) }
	readColumns(r, e, str, func(b []byte, _ time.Time) string { return str(b) })
	e.Record = append([]byte(nil), r.bytes()...)
	if r.bad || len(r.b) != 0 {
		return nil, errBadFrame
	}
	return e, nil
}

// decodeCompact returns the event of a format 2 frame's record, its columns derived from it.
func decodeCompact(b []byte) (*store.Event, error) {
	rec := append([]byte(nil), b...)
	s, err := audit.SummarizeCompact(rec)
	if err != nil {
		return nil, errBadFrame
	}
	return store.SummarizedEvent(s, rec), nil
}

// nextFrame returns the offset of the first intact frame in b, or -1. A frame's checksum makes
// a false find vanishingly unlikely; lengths past the end and payloads without the format byte
// are passed over before any checksum is computed.
func nextFrame(b []byte) int {
	for i := 0; i+frameHeaderLen < len(b); i++ {
		n := binary.LittleEndian.Uint32(b[i:])
		if f := b[i+frameHeaderLen]; n == 0 || n > maxFramePayload || uint64(n) > uint64(len(b)-i-frameHeaderLen) || f != frameFormat && f != frameCompact {
			continue
		}
		if _, _, err := readFrame(b[i:]); err == nil {
			return i
		}
	}
	return -1
}
