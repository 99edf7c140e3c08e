package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

// Records indexed from the record journal are kept in blocks (migration 0010): the records
// one index transaction takes from one journal file, at most maxBlock of them, are one
// event_blocks row, and each lookup attribute value they hold (per account) is a posting
// listing which of the block's records have it: in event_block_postings until a merge, then
// part of an event_postings row of the value for a group of blocks (postings.go). A row per
// record, with its five lookup indexes and a row per resource name, cost 16–34 µs per record
// to write, more than the rest of a read; a block costs a few rows per thousand records.
//
// A block's meta holds, per record, where its frame is in the journal file (journal_codec.go),
// its record's length, its time and its chain hash; the frame holds the lookup columns and
// the record. LookupEvents reads an attribute's postings newest first and the frames of the
// records they name; event IDs need no postings: the recorder's IDs are UUIDv7 of the event's
// millisecond (trail.NewEventID), so the blocks of that millisecond hold it. An ID of another
// form gets a posting of its own (postID).
//
// Events written in transactions (mutations, and every event when another process holds the
// journal) stay rows of the events table. Both take Seqs from one sequence, and a block's
// Seqs are consecutive: an index transaction writes its blocks before any event of its own.

// maxBlock bounds a block's records (a prune that cuts a block rewrites the rest of it), and
// maxBlockSpan the time between its earliest and latest record, so that the blocks holding a
// given time are found from an index of their earliest (event IDs are found by time).
const (
	maxBlock     = 4096
	maxBlockSpan = time.Second
)

// The lookup attributes of event_postings.attr.
const (
	postAll          = 0 // every event of the account; value ""
	postName         = 1
	postUsername     = 2
	postAccessKey    = 3
	postResourceName = 4
	postResourceType = 5
	postSource       = 6
	postReadOnly     = 7 // "0" or "1"
	postID           = 8 // only IDs that are not a UUIDv7 of their event's millisecond
)

// blockRec is one record of a block, as the block's meta holds it.
type blockRec struct {
	frame    int64 // the frame's byte offset in the block's file
	frameLen int
	recLen   int   // the record's length: the frame's last recLen bytes
	time     int64 // Unix nanoseconds
	hash     [32]byte
}

// appendMeta encodes recs: per record the frame's offset after the previous frame's end
// (varint), the frame's length and its length without the record (uvarints), the time after
// the previous record's (varint) and the chain hash.
func appendMeta(b []byte, recs []blockRec) []byte {
	var end, t int64
	for _, r := range recs {
		b = binary.AppendVarint(b, r.frame-end)
		b = binary.AppendUvarint(b, uint64(r.frameLen))
		b = binary.AppendUvarint(b, uint64(r.frameLen-r.recLen))
		b = binary.AppendVarint(b, r.time-t)
		b = append(b, r.hash[:]...)
		end, t = r.frame+int64(r.frameLen), r.time
	}
	return b
}

var errBadMeta = errors.New("sqlite: damaged event block")

func decodeMeta(b []byte, n int) ([]blockRec, error) {
	if n <= 0 || n > maxBlock || len(b) < n*(32+4) { // each record takes at least 36 bytes
		return nil, errBadMeta
	}
	recs := make([]blockRec, n)
	r := payloadReader{b: b}
	var end, t int64
	for i := range recs {
		frame := end + r.varint()
		fl := r.uvarint()
		head := r.uvarint()
		t += r.varint()
		if r.bad || head > fl || fl > maxFramePayload+frameHeaderLen || len(r.b) < 32 {
			return nil, errBadMeta
		}
		recs[i] = blockRec{frame: frame, frameLen: int(fl), recLen: int(fl - head), time: t}
		copy(recs[i].hash[:], r.b)
		r.b = r.b[32:]
		end = frame + int64(fl)
	}
	if len(r.b) != 0 {
		return nil, errBadMeta
	}
	return recs, nil
}

// postingKey is the key of a posting: which records of a block have a value.
type postingKey struct {
	account string
	attr    int
	value   string
}

// postingList is the positions of a posting, uvarint deltas, and the last one added.
type postingList struct {
	b    []byte
	last int
}

// blockPostings returns the postings of a block of events.
func blockPostings(evs []*store.Event) map[postingKey]*postingList {
	var b postingBuilder
	return b.build(evs)
}

// build returns the postings of a block of events, in a map and lists that b's next build
// reuses: a block of reads of 1,000 users has some 2,000 postings, each a map entry, a list
// and its bytes, which made garbage for every block.
func (b *postingBuilder) build(evs []*store.Event) map[postingKey]*postingList {
	if b.post == nil {
		b.post = map[postingKey]*postingList{}
	}
	clear(b.post)
	b.last, b.used = [postID + 1]lastPosting{}, 0
	// A list holds at most a few KiB (a uvarint a record); a block of very many keys does
	// not keep all of its lists for the next.
	if len(b.lists) > maxKeptPostingLists {
		clear(b.lists[maxKeptPostingLists:])
		b.lists = b.lists[:maxKeptPostingLists]
	}
	for i, e := range evs {
		b.add(i, e.Account, postAll, "")
		for _, v := range [...]struct {
			attr  int
			value string
		}{{postName, e.Name}, {postUsername, e.Username}, {postAccessKey, e.AccessKey}, {postSource, e.Source}} {
			if v.value != "" {
				b.add(i, e.Account, v.attr, v.value)
			}
		}
		ro := "0"
		if e.ReadOnly {
			ro = "1"
		}
		b.add(i, e.Account, postReadOnly, ro)
		for _, r := range e.Resources {
			typ, name, _ := strings.Cut(r, "\x00")
			if typ != "" {
				b.add(i, e.Account, postResourceType, typ)
			}
			if name != "" {
				b.add(i, e.Account, postResourceName, name)
			}
		}
		if e.ID != "" && !idOfTime(e.ID, e.Time) {
			b.add(i, e.Account, postID, e.ID)
		}
	}
	return b.post
}

// postingBuilder collects a block's postings. Consecutive records mostly share their values
// (a busy caller repeating a call), so the list of the last key of each attribute is kept
// at hand: a string comparison instead of hashing the key into the map.
type postingBuilder struct {
	post  map[postingKey]*postingList
	last  [postID + 1]lastPosting
	lists []*postingList // the lists of the builds so far, for the next to reuse
	used  int            // how many of lists this build has taken
}

type lastPosting struct {
	key  postingKey
	list *postingList
}

func (b *postingBuilder) add(i int, account string, attr int, value string) {
	last := &b.last[attr]
	p := last.list
	if p == nil || last.key.value != value || last.key.account != account {
		k := postingKey{account, attr, value}
		if p = b.post[k]; p == nil {
			p = b.newList()
			b.post[k] = p
		}
		last.key, last.list = k, p
	}
	p.add(i)
}

const maxKeptPostingLists = 4096

// newList returns an empty posting list, one an earlier build used if there is one.
func (b *postingBuilder) newList() *postingList {
	if b.used == len(b.lists) {
		b.lists = append(b.lists, &postingList{})
	}
	p := b.lists[b.used]
	b.used++
	p.b, p.last = p.b[:0], -1
	return p
}

// add appends position i (not below the last): the first as it is, each later one as its
// distance from the one before; a position already last is not added again (a record with two
// resources of one type).
func (p *postingList) add(i int) {
	switch {
	case p.last < 0:
		p.b = binary.AppendUvarint(p.b, uint64(i))
	case p.last == i:
		return
	default:
		p.b = binary.AppendUvarint(p.b, uint64(i-p.last))
	}
	p.last = i
}

// decodePositions decodes a posting's positions, checking each against the block's length.
func decodePositions(b []byte, n int) ([]int, error) {
	var out []int
	r := payloadReader{b: b}
	pos := 0
	for len(r.b) > 0 {
		d := r.uvarint()
		if r.bad || (len(out) > 0 && d == 0) || d >= uint64(n) {
			return nil, errBadMeta
		}
		pos += int(d)
		if pos >= n {
			return nil, errBadMeta
		}
		out = append(out, pos)
	}
	return out, nil
}

// uuid7Millis returns the Unix milliseconds of a version 7 UUID in its 8-4-4-4-12 hex form.
func uuid7Millis[S string | []byte](id S) (int64, bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[14] != '7' {
		return 0, false
	}
	var ms int64
	for i := range 13 {
		if i == 8 {
			continue // the hyphen
		}
		var d int64
		switch c := id[i]; {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		default:
			return 0, false
		}
		ms = ms<<4 | d
	}
	return ms, true
}

// idOfTime reports that id is a UUIDv7 of t's millisecond, as trail.NewEventID makes them.
func idOfTime[S string | []byte](id S, t time.Time) bool {
	ms, ok := uuid7Millis(id)
	return ok && ms == t.UnixMilli()
}

// writeBlocks stores the records of p, in order, with their chain hashes, as blocks from Seq
// first: a block ends at a change of journal file, at maxBlock records and before a record
// that would make it span more than maxBlockSpan.
func (db *DB) writeBlocks(ctx context.Context, tx *sql.Tx, first int64, p *pendingRecords, hashes [][32]byte) error {
	clear(db.scratch.strs)
	for lo := 0; lo < len(p.recs); {
		recs := p.recs[lo:]
		n := 1
		tmin, tmax := recs[0].time, recs[0].time
		for ; n < len(recs) && n < maxBlock && recs[n].loc.gen == recs[0].loc.gen; n++ {
			t := recs[n].time
			if max(tmax, t)-min(tmin, t) > int64(maxBlockSpan) {
				break
			}
			tmin, tmax = min(tmin, t), max(tmax, t)
		}
		if err := db.writeBlock(ctx, tx, first+int64(lo), p, lo, lo+n, hashes[lo:lo+n]); err != nil {
			return err
		}
		lo += n
	}
	return nil
}

// writeBlock stores one block: p's records lo to hi, of one journal file.
func (db *DB) writeBlock(ctx context.Context, tx *sql.Tx, first int64, p *pendingRecords, lo, hi int, hashes [][32]byte) error {
	recs := grown(&db.scratch.recs, hi-lo)
	evs := db.scratch.events(hi - lo)
	for i := range recs {
		r := &p.recs[lo+i]
		recs[i] = blockRec{frame: r.loc.frame, frameLen: int(r.loc.at-r.loc.frame) + r.loc.n, recLen: r.loc.n, time: r.time, hash: hashes[i]}
		if err := p.event(lo+i, evs[i], db.scratch.str); err != nil {
			return fmt.Errorf("sqlite: record journal: the columns of the record at %d in file %d: %w", r.loc.frame, r.loc.gen, err)
		}
	}
	posts := db.scratch.posts[:0]
	for k, p := range db.scratch.postings.build(evs) {
		posts = append(posts, posting{k, p.b})
	}
	db.scratch.posts = posts
	if err := db.insertBlock(ctx, tx, first, p.recs[lo].loc.gen, recs); err != nil {
		return err
	}
	sortPostings(posts)
	return db.putUnmerged(ctx, tx, first, posts)
}

// indexScratch is what write transactions that store blocks reuse from one to the next (under
// DB.wmu), rather than allocate them for each batch of thousands of records (allocated anew,
// they made the heap swing, which this VM's page faults make costly: docs/benchmarks.md,
// session 16): the events a block's columns are read into, for its postings, and their strings;
// the batch's chain hashes; a block's records and their encoding; its postings.
type indexScratch struct {
	evs      []store.Event
	ptrs     []*store.Event
	strs     map[string]string // each distinct string of the columns of the transaction's records, once
	hashes   [][32]byte
	recs     []blockRec
	meta     []byte
	postings postingBuilder // a block's postings
	posts    []posting      // them, sorted
	encoded  []byte         // them, encoded
}

// grown returns (*s)[:n], reallocating *s if it holds fewer than n elements (what it held
// before is overwritten by the caller).
func grown[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	return (*s)[:n]
}

// metaOf returns recs encoded (appendMeta) in the reused buffer: valid until the next call. The
// statement it is bound to copies it.
func (s *indexScratch) metaOf(recs []blockRec) []byte {
	s.meta = appendMeta(s.meta[:0], recs)
	return s.meta
}

// events returns n events to read columns into (what they held before is overwritten).
func (s *indexScratch) events(n int) []*store.Event {
	if len(s.evs) < n {
		s.evs = make([]store.Event, n)
		s.ptrs = make([]*store.Event, n)
		for i := range s.evs {
			s.ptrs[i] = &s.evs[i]
		}
	}
	return s.ptrs[:n]
}

// str returns b as a string, the same string for the same bytes within a transaction (the
// columns of a busy caller's records repeat).
func (s *indexScratch) str(b []byte) string {
	if v, ok := s.strs[string(b)]; ok {
		return v
	}
	if s.strs == nil {
		s.strs = map[string]string{}
	}
	v := string(b)
	s.strs[v] = v
	return v
}

// posting is a block's postings of one key: the key and its positions.
type posting struct {
	postingKey
	positions []byte
}

// insertBlock inserts the event_blocks row of the block of recs, in file, from Seq first.
func (db *DB) insertBlock(ctx context.Context, tx *sql.Tx, first, file int64, recs []blockRec) error {
	tmin, tmax, bytes := span(recs)
	last := recs[len(recs)-1].hash
	_, err := tx.StmtContext(ctx, db.putBlock).ExecContext(ctx,
		first, len(recs), file, tmin, tmax, bytes, last[:], db.scratch.metaOf(recs))
	if err != nil {
		return fmt.Errorf("sqlite: event block %d: %w", first, err)
	}
	return nil
}

// span returns the earliest and latest time of recs and their records' total length: a
// block's t_min, t_max and bytes.
func span(recs []blockRec) (tmin, tmax, bytes int64) {
	tmin, tmax = recs[0].time, recs[0].time
	for _, r := range recs {
		tmin, tmax, bytes = min(tmin, r.time), max(tmax, r.time), bytes+int64(r.recLen)
	}
	return tmin, tmax, bytes
}

// block is an event_blocks row as read back.
type block struct {
	first int64
	n     int
	file  int64
	recs  []blockRec
}

// readBlock scans an event_blocks row of columns first_seq, n, file, meta, and into more
// any columns after those.
func readBlock(row interface{ Scan(...any) error }, more ...any) (*block, error) {
	var b block
	var meta []byte
	if err := row.Scan(append([]any{&b.first, &b.n, &b.file, &meta}, more...)...); err != nil {
		return nil, err
	}
	recs, err := decodeMeta(meta, b.n)
	if err != nil {
		return nil, fmt.Errorf("%w %d", err, b.first)
	}
	b.recs = recs
	return &b, nil
}

// events reads the block's records at the positions idx (in that order) from their journal
// file. A frame that no longer decodes (the file was edited) gives an event with no record,
// which the chain then reports as edited.
func (db *DB) blockEvents(b *block, idx []int) ([]*store.StoredEvent, error) {
	out := make([]*store.StoredEvent, len(idx))
	locs := make([]recordLoc, len(idx))
	for k, i := range idx {
		r := b.recs[i]
		out[k] = &store.StoredEvent{Seq: b.first + int64(i), Hash: r.hash}
		locs[k] = recordLoc{gen: b.file, at: r.frame, n: r.frameLen}
	}
	if err := db.recs.fill(out, locs); err != nil {
		return nil, err
	}
	for k, e := range out {
		frame := e.Record
		ev, err := decodePayload(frame[min(len(frame), frameHeaderLen):])
		if err != nil {
			ev = &store.Event{Time: time.Unix(0, b.recs[idx[k]].time).UTC()}
		}
		e.Event = *ev
	}
	return out, nil
}

// matches reports that e passes every filter set in f (the block path reads candidates by one
// attribute and checks the rest here, as the events table's query does in SQL).
func matches(f store.EventFilter, e *store.StoredEvent) bool {
	switch {
	case e.Account != f.Account,
		!f.Start.IsZero() && e.Time.Before(f.Start),
		!f.End.IsZero() && e.Time.After(f.End),
		f.Name != "" && e.Name != f.Name,
		f.ID != "" && e.ID != f.ID,
		f.Username != "" && e.Username != f.Username,
		f.AccessKey != "" && e.AccessKey != f.AccessKey,
		f.Source != "" && e.Source != f.Source,
		f.ReadOnly != nil && e.ReadOnly != *f.ReadOnly,
		f.BeforeSeq > 0 && e.Seq >= f.BeforeSeq:
		return false
	case f.Resource == "":
		return true
	}
	typ, name, _ := strings.Cut(f.Resource, "\x00")
	for _, r := range e.Resources {
		rt, rn, _ := strings.Cut(r, "\x00")
		if name != "" && rn == name && (typ == "" || rt == typ) || name == "" && rt == typ {
			return true
		}
	}
	return false
}

// driving returns the posting a filter reads its candidates from.
func driving(f store.EventFilter) (int, string) {
	if f.Resource != "" {
		typ, name, _ := strings.Cut(f.Resource, "\x00")
		if name != "" {
			return postResourceName, name
		}
		if typ != "" {
			return postResourceType, typ
		}
	}
	switch {
	case f.Name != "":
		return postName, f.Name
	case f.Username != "":
		return postUsername, f.Username
	case f.AccessKey != "":
		return postAccessKey, f.AccessKey
	case f.Source != "":
		return postSource, f.Source
	case f.ReadOnly != nil && *f.ReadOnly:
		return postReadOnly, "1"
	case f.ReadOnly != nil:
		return postReadOnly, "0"
	}
	return postAll, ""
}

// blockMatches returns the block records matching f, newest first, at most f.Limit (0: all),
// in qr, a read transaction of the readers (whose statements scanPostings runs).
func (db *DB) blockMatches(ctx context.Context, qr *sql.Tx, f store.EventFilter) ([]*store.StoredEvent, error) {
	var out []*store.StoredEvent
	if f.ID != "" {
		// IDs of other forms have postings; a UUIDv7 is in its millisecond's blocks. Both are
		// read whole (an ID is on one record, or on a few when imported twice or tampered
		// with) and cut to the limit, newest first.
		all := f
		all.Limit = 0
		if err := db.scanPostings(ctx, qr, all, postID, f.ID, &out); err != nil {
			return nil, err
		}
		if ms, ok := uuid7Millis(f.ID); ok {
			lo := time.UnixMilli(ms).UnixNano()
			hi := lo + int64(time.Millisecond) - 1
			// No block spans more than maxBlockSpan (writeBlocks), so the blocks holding a
			// time in [lo, hi] begin in [lo-maxBlockSpan, hi] (index event_blocks_time).
			q := `SELECT first_seq, n, file, meta, NULL FROM event_blocks WHERE t_min BETWEEN ? AND ? AND t_max >= ?`
			args := []any{lo - int64(maxBlockSpan), hi, lo}
			if f.BeforeSeq > 0 {
				q += ` AND first_seq < ?`
				args = append(args, f.BeforeSeq)
			}
			err := db.scanBlocks(ctx, qr, all, q, args, func(b *block, _ []byte) ([]int, error) {
				var idx []int
				for i := b.n - 1; i >= 0; i-- {
					if t := b.recs[i].time; t >= lo && t <= hi {
						idx = append(idx, i)
					}
				}
				return idx, nil
			}, &out)
			if err != nil {
				return nil, err
			}
		}
		slices.SortFunc(out, func(a, b *store.StoredEvent) int { return int(b.Seq - a.Seq) })
		if f.Limit > 0 && len(out) > f.Limit {
			out = out[:f.Limit]
		}
		return out, nil
	}
	attr, value := driving(f)
	err := db.scanPostings(ctx, qr, f, attr, value, &out)
	return out, err
}

// scanPostings adds to out the records of the posting (attr, value) matching f, newest first:
// those of the blocks whose postings wait for a merge, which are the newest, then the others,
// a group at a time.
func (db *DB) scanPostings(ctx context.Context, qr *sql.Tx, f store.EventFilter, attr int, value string, out *[]*store.StoredEvent) error {
	if done, err := db.scanUnmerged(ctx, qr, f, attr, value, out); err != nil || done {
		return err
	}
	lo, hi := timeBounds(f)
	before := int64(1<<63 - 1)
	if f.BeforeSeq > 0 {
		before = f.BeforeSeq
	}
	for {
		// A page of groups, read whole before their blocks are (a lookup stops early).
		type row struct {
			g group
			b []byte
		}
		var page []row
		rows, err := qr.StmtContext(ctx, db.groupPage).QueryContext(ctx, f.Account, attr, value, before, lo, hi, groupPageRows)
		if err != nil {
			return fmt.Errorf("sqlite: events: %w", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.g.first, &r.g.last, &r.b); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: events: %w", err)
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: events: %w", err)
		}
		for _, r := range page {
			if done, err := db.scanGroup(ctx, qr, f, r.g, r.b, out); err != nil || done {
				return err
			}
		}
		if len(page) < groupPageRows {
			return nil
		}
		before = page[len(page)-1].g.first
	}
}

// The statements of a lookup in merged postings (scanPostings): a page of a key's rows,
// newest first, whose groups may hold records of a time window; and the blocks of a group,
// of a JSON array of first Seqs, that may.
const (
	groupPageSQL = `SELECT g.first_seq, g.last_seq, p.positions FROM event_postings AS p JOIN event_posting_groups AS g ON g.first_seq = p.first_seq
		WHERE p.account = ? AND p.attr = ? AND p.value = ? AND p.first_seq < ? AND g.t_max >= ? AND g.t_min <= ? ORDER BY p.first_seq DESC LIMIT ?`
	groupBlocksSQL = `SELECT first_seq, n, file, meta, NULL FROM event_blocks
		WHERE first_seq IN (SELECT value FROM json_each(?)) AND t_max >= ? AND t_min <= ? ORDER BY first_seq DESC`
)

// A page of groups, and the blocks read at a time; tests lower them.
var (
	groupPageRows   = 8
	groupBlocksRead = 16
)

// timeBounds returns f's time window in Unix nanoseconds, the widest for a bound not set.
func timeBounds(f store.EventFilter) (lo, hi int64) {
	lo, hi = -1<<63, 1<<63-1
	if !f.Start.IsZero() {
		lo = f.Start.UTC().UnixNano()
	}
	if !f.End.IsZero() {
		hi = f.End.UTC().UnixNano()
	}
	return lo, hi
}

// scanGroup adds to out the records matching f of the blocks of group g that the posting row
// b names, newest first, reading a few blocks at a time (a lookup stops early); done reports
// that out holds f.Limit.
func (db *DB) scanGroup(ctx context.Context, qr *sql.Tx, f store.EventFilter, g group, b []byte, out *[]*store.StoredEvent) (done bool, err error) {
	var parts []blockPart
	if err := eachPart(b, g, func(p blockPart) bool {
		if f.BeforeSeq <= 0 || p.block < f.BeforeSeq {
			parts = append(parts, p)
		}
		return true
	}); err != nil {
		return false, fmt.Errorf("sqlite: events: %w: the blocks %d to %d", err, g.first, g.last)
	}
	slices.Reverse(parts)
	lo, hi := timeBounds(f)
	st := qr.StmtContext(ctx, db.groupBlocks)
	for len(parts) > 0 {
		chunk := parts[:min(len(parts), groupBlocksRead)]
		parts = parts[len(chunk):]
		firsts := []byte{'['}
		for i, p := range chunk {
			if i > 0 {
				firsts = append(firsts, ',')
			}
			firsts = strconv.AppendInt(firsts, p.block, 10)
		}
		rows, err := st.QueryContext(ctx, string(append(firsts, ']')), lo, hi)
		if err != nil {
			return false, fmt.Errorf("sqlite: events: %w", err)
		}
		err = db.scanRows(f, rows, func(b *block, _ []byte) ([]int, error) {
			i := slices.IndexFunc(chunk, func(p blockPart) bool { return p.block == b.first })
			if i < 0 {
				return nil, fmt.Errorf("%w: block %d read for a posting it has not", errBadPostings, b.first)
			}
			return newestFirst(b, chunk[i].positions)
		}, out)
		if done := f.Limit > 0 && len(*out) >= f.Limit; err != nil || done {
			return done, err
		}
	}
	return false, nil
}

// blockWindow returns the conditions, and args with their arguments, that keep the blocks
// (b, whose first Seq is the column seq) that may hold records f's BeforeSeq and time window
// allow.
func blockWindow(f store.EventFilter, seq string, args []any) (string, []any) {
	var where string
	if f.BeforeSeq > 0 {
		where += ` AND ` + seq + ` < ?`
		args = append(args, f.BeforeSeq)
	}
	if !f.Start.IsZero() {
		where += ` AND b.t_max >= ?`
		args = append(args, f.Start.UTC().UnixNano())
	}
	if !f.End.IsZero() {
		where += ` AND b.t_min <= ?`
		args = append(args, f.End.UTC().UnixNano())
	}
	return where, args
}

// newestFirst returns the positions of a posting of b, newest first.
func newestFirst(b *block, positions []byte) ([]int, error) {
	pos, err := decodePositions(positions, b.n)
	if err != nil {
		return nil, fmt.Errorf("posting of block %d: %w", b.first, err)
	}
	slices.Reverse(pos)
	return pos, nil
}

// scanBlocks adds to out the records matching f of the blocks q selects (columns first_seq,
// n, file, meta and a fifth the pick function reads, a posting's positions or NULL), at the
// positions pick returns for each, newest first.
func (db *DB) scanBlocks(ctx context.Context, qr querier, f store.EventFilter, q string, args []any, pick func(b *block, col []byte) ([]int, error), out *[]*store.StoredEvent) error {
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlite: events: %w", err)
	}
	return db.scanRows(f, rows, pick, out)
}

// scanRows is scanBlocks of the rows of a query it closes.
func (db *DB) scanRows(f store.EventFilter, rows *sql.Rows, pick func(b *block, col []byte) ([]int, error), out *[]*store.StoredEvent) error {
	defer rows.Close()
	for rows.Next() {
		var col []byte
		b, err := readBlock(rows, &col)
		if err != nil {
			return fmt.Errorf("sqlite: events: %w", err)
		}
		pos, err := pick(b, col)
		if err != nil {
			return fmt.Errorf("sqlite: events: %w", err)
		}
		done, err := db.addMatches(f, b, candidates(f, b, pos), out)
		if err != nil || done {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: events: %w", err)
	}
	return nil
}

// candidates keeps the positions whose Seq and time f allows.
func candidates(f store.EventFilter, b *block, pos []int) []int {
	lo, hi := timeBounds(f)
	out := pos[:0:0]
	for _, i := range pos {
		t := b.recs[i].time
		if (f.BeforeSeq <= 0 || b.first+int64(i) < f.BeforeSeq) && t >= lo && t <= hi {
			out = append(out, i)
		}
	}
	return out
}

// addMatches reads the candidate records of b (in the order given) and adds those matching
// f to out; done reports that out holds f.Limit.
func (db *DB) addMatches(f store.EventFilter, b *block, idx []int, out *[]*store.StoredEvent) (done bool, err error) {
	for len(idx) > 0 {
		// Read no more than the limit could still take, a chunk at a time.
		k := len(idx)
		if f.Limit > 0 {
			k = min(k, max(f.Limit-len(*out), 16))
		}
		evs, err := db.blockEvents(b, idx[:k])
		if err != nil {
			return false, err
		}
		idx = idx[k:]
		for _, e := range evs {
			if matches(f, e) {
				*out = append(*out, e)
				if f.Limit > 0 && len(*out) >= f.Limit {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// mergeBySeq merges two lists of events sorted by Seq, newest first or oldest first, keeping
// at most limit (0: all): the rows and the blocks of one read.
func mergeBySeq(a, b []*store.StoredEvent, limit int, newestFirst bool) []*store.StoredEvent {
	aFirst := func(x, y int64) bool { return x < y }
	if newestFirst {
		aFirst = func(x, y int64) bool { return x > y }
	}
	out := make([]*store.StoredEvent, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		if limit > 0 && len(out) == limit {
			break
		}
		if len(b) == 0 || len(a) > 0 && aFirst(a[0].Seq, b[0].Seq) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// blockChain returns the block records with Seq > after, in order, at most limit.
func (db *DB) blockChain(ctx context.Context, qr querier, after int64, limit int) ([]*store.StoredEvent, error) {
	rows, err := qr.QueryContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks
		WHERE first_seq >= coalesce((SELECT max(first_seq) FROM event_blocks WHERE first_seq <= ?), 0) ORDER BY first_seq`, after)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var out []*store.StoredEvent
	for rows.Next() && len(out) < limit {
		b, err := readBlock(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: events: %w", err)
		}
		var idx []int
		for i := max(0, after+1-b.first); i < int64(b.n) && len(out)+len(idx) < limit; i++ {
			idx = append(idx, int(i))
		}
		evs, err := db.blockEvents(b, idx)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	return out, nil
}

// chainEnd returns the Seq and hash of the last event, rows and blocks alike (ok false: none).
func (db *DB) chainEnd(ctx context.Context, tx *sql.Tx) (seq int64, hash [32]byte, ok bool, err error) {
	return db.lastBefore(ctx, tx, 1<<63-1)
}

// querier runs queries: a read transaction, so that what Events and Chain read from the
// events table and from the blocks is one snapshot.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
