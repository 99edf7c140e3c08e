package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// CheckBlocks checks every event block's lookup index against its records, for `iamd trail
// verify`: the postings must be exactly those the records' frames imply, and the block's
// counts, times, size and last hash those of its meta. The records themselves, and their
// frames' columns, are checked by the chain (Chain returns them). It returns an
// *audit.ChainError naming the block's first record and "event_postings" or "event_blocks".
func (db *DB) CheckBlocks(ctx context.Context) error {
	if err := db.catchUp(ctx); err != nil {
		return err
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: check blocks: %w", err)
	}
	defer tx.Rollback()
	// Postings waiting for a merge (postings.go) are those of the newest blocks, of blocks
	// that are there.
	if err := checkNone(ctx, tx, "event_postings", `SELECT min(first_seq) FROM event_block_postings WHERE first_seq NOT IN (SELECT first_seq FROM event_blocks)`,
		"lookup postings wait for a merge for a block of records from %d, which is not there"); err != nil {
		return err
	}
	// SQL compares a number stored as text or a blob unlike the number it scans as here.
	if err := checkNone(ctx, tx, "event_blocks", `SELECT min(first_seq) FROM event_blocks WHERE typeof(n) != 'integer' OR typeof(file) != 'integer'
		OR typeof(t_min) != 'integer' OR typeof(t_max) != 'integer' OR typeof(bytes) != 'integer'`,
		"the block of records %d on has a column of the wrong type"); err != nil {
		return err
	}
	waiting := false
	pr := &postingsReader{qr: tx}
	for after := int64(-1 << 62); ; {
		b := &block{}
		var tmin, tmax, bytes int64
		var last, meta []byte
		row := tx.QueryRowContext(ctx, `SELECT first_seq, n, file, t_min, t_max, bytes, last_hash, meta FROM event_blocks WHERE first_seq > ? ORDER BY first_seq LIMIT 1`, after)
		if err := row.Scan(&b.first, &b.n, &b.file, &tmin, &tmax, &bytes, &last, &meta); errors.Is(err, sql.ErrNoRows) {
			// The groups last: damage to a block is reported as the block's.
			return checkGroups(ctx, tx)
		} else if err != nil {
			return fmt.Errorf("sqlite: check blocks: %w", err)
		}
		after = b.first
		bad := func(field, format string, args ...any) error {
			return &audit.ChainError{Seq: b.first, Kind: audit.Edited, Field: field, Detail: fmt.Sprintf(format, args...)}
		}
		if b.recs, err = decodeMeta(meta, b.n); err != nil || b.n == 0 {
			return bad("event_blocks", "the block of records %d on does not decode (%d records)", b.first, b.n)
		}
		wmin, wmax, wbytes := span(b.recs)
		if tmin != wmin || tmax != wmax || bytes != wbytes || string(last) != string(b.recs[b.n-1].hash[:]) {
			return bad("event_blocks", "the block of records %d to %d says times %d–%d, %d bytes, last hash %x; its records say %d–%d, %d bytes, %x",
				b.first, b.first+int64(b.n)-1, tmin, tmax, bytes, last, wmin, wmax, wbytes, b.recs[b.n-1].hash[:])
		}
		idx := make([]int, b.n)
		for i := range idx {
			idx[i] = i
		}
		evs, err := db.blockEvents(b, idx)
		if err != nil {
			return err
		}
		plain := make([]*store.Event, len(evs))
		for i, e := range evs {
			plain[i] = &e.Event
			// The meta's time and length drive time windows, ID lookups and retention.
			if r := b.recs[i]; e.Time.UnixNano() != r.time || len(e.Record) != r.recLen {
				return &audit.ChainError{Seq: e.Seq, Kind: audit.Edited, Field: "event_blocks",
					Detail: fmt.Sprintf("the block says record %d is at %s and %d bytes long; its frame says %s and %d bytes",
						e.Seq, time.Unix(0, r.time).UTC().Format(time.RFC3339Nano), r.recLen, e.Time.UTC().Format(time.RFC3339Nano), len(e.Record))}
			}
		}
		want := map[postingKey]string{}
		for k, p := range blockPostings(plain) {
			want[k] = string(p.b)
		}
		posts, unmerged, err := pr.of(ctx, b.first)
		switch {
		case errors.Is(err, errBadPostings):
			return bad("event_postings", "the lookup postings of records %d to %d: %v", b.first, b.first+int64(b.n)-1, err)
		case err != nil:
			return fmt.Errorf("sqlite: check blocks: %w", err)
		case !unmerged && waiting:
			return bad("event_postings", "the lookup postings of records %d to %d do not wait for a merge, but those of an earlier block do",
				b.first, b.first+int64(b.n)-1)
		}
		waiting = waiting || unmerged
		got := map[postingKey]string{}
		for _, p := range posts {
			if _, twice := got[p.postingKey]; twice {
				// Lookups would read one of them, and this check another.
				return bad("event_postings", "the lookup postings of records %d to %d list %s %q of account %s twice",
					b.first, b.first+int64(b.n)-1, attrName(p.attr), p.value, p.account)
			}
			got[p.postingKey] = string(p.positions)
		}
		if !maps.Equal(got, want) {
			return bad("event_postings", "the lookup postings of records %d to %d differ from their records: %s",
				b.first, b.first+int64(b.n)-1, postingDiff(got, want))
		}
	}
}

// checkGroups checks the groups of merged postings (postings.go): every row's group is
// there, groups begin and end at blocks, do not overlap, come before every waiting block and
// span the times of their blocks (lookups by time read that span).
func checkGroups(ctx context.Context, tx *sql.Tx) error {
	for _, c := range []struct{ q, detail string }{
		{`SELECT min(first_seq) FROM event_postings WHERE first_seq NOT IN (SELECT first_seq FROM event_posting_groups)`,
			"lookup postings name a merge of blocks from %d, which is not recorded"},
		{`SELECT min(first_seq) FROM event_postings WHERE typeof(account) != 'text' OR typeof(attr) != 'integer' OR typeof(value) != 'text'`,
			"lookup postings of the merge of blocks from %d have a column of the wrong type"},
		{`SELECT min(first_seq) FROM event_posting_groups WHERE typeof(last_seq) != 'integer' OR typeof(t_min) != 'integer' OR typeof(t_max) != 'integer'`,
			"the merge of blocks from %d has a column of the wrong type"},
	} {
		if err := checkNone(ctx, tx, "event_postings", c.q, c.detail); err != nil {
			return err
		}
	}
	var firstWaiting sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(first_seq) FROM event_block_postings`).Scan(&firstWaiting); err != nil {
		return fmt.Errorf("sqlite: check blocks: %w", err)
	}
	type groupRow struct {
		group
		tmin, tmax int64
	}
	var groups []groupRow
	rows, err := tx.QueryContext(ctx, `SELECT first_seq, last_seq, t_min, t_max FROM event_posting_groups ORDER BY first_seq`)
	if err != nil {
		return fmt.Errorf("sqlite: check blocks: %w", err)
	}
	for rows.Next() {
		var g groupRow
		if err := rows.Scan(&g.first, &g.last, &g.tmin, &g.tmax); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: check blocks: %w", err)
		}
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: check blocks: %w", err)
	}
	prev := int64(-1 << 62)
	for _, g := range groups {
		var ends int
		var tmin, tmax sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(t_min), max(t_max), (SELECT count(*) FROM event_blocks WHERE first_seq IN (?, ?)) FROM event_blocks WHERE first_seq BETWEEN ? AND ?`,
			g.first, g.last, g.first, g.last).Scan(&tmin, &tmax, &ends); err != nil {
			return fmt.Errorf("sqlite: check blocks: %w", err)
		}
		var detail string
		switch {
		case g.first <= prev || g.last < g.first || firstWaiting.Valid && g.last >= firstWaiting.Int64:
			detail = fmt.Sprintf("the merge of blocks %d to %d overlaps another, or blocks whose postings wait", g.first, g.last)
		case ends != 1 && g.first == g.last || ends != 2 && g.first != g.last:
			detail = fmt.Sprintf("the merge of blocks %d to %d does not begin and end at blocks that are there", g.first, g.last)
		case tmin.Int64 != g.tmin || tmax.Int64 != g.tmax:
			detail = fmt.Sprintf("the merge of blocks %d to %d says times %d–%d; its blocks say %d–%d", g.first, g.last, g.tmin, g.tmax, tmin.Int64, tmax.Int64)
		}
		if detail != "" {
			return &audit.ChainError{Seq: g.first, Kind: audit.Edited, Field: "event_postings", Detail: detail}
		}
		prev = g.last
	}
	return nil
}

// checkNone reports rows that must not be there as an edited field: q selects the least first
// Seq of such rows (NULL: none), which detail describes.
func checkNone(ctx context.Context, tx *sql.Tx, field, q, detail string) error {
	var orphan sql.NullInt64
	if err := tx.QueryRowContext(ctx, q).Scan(&orphan); err != nil {
		return fmt.Errorf("sqlite: check blocks: %w", err)
	}
	if orphan.Valid {
		return &audit.ChainError{Seq: orphan.Int64, Kind: audit.Edited, Field: field, Detail: fmt.Sprintf(detail, orphan.Int64)}
	}
	return nil
}

// postingDiff names the first posting that is missing, extra or different.
func postingDiff(got, want map[postingKey]string) string {
	keys := slices.Collect(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b postingKey) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	for _, k := range keys {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			return fmt.Sprintf("missing %s %q of account %s", attrName(k.attr), k.value, k.account)
		case !wok:
			return fmt.Sprintf("extra %s %q of account %s", attrName(k.attr), k.value, k.account)
		case g != w:
			return fmt.Sprintf("%s %q of account %s lists other records", attrName(k.attr), k.value, k.account)
		}
	}
	return "none"
}

// attrName names a posting attribute as LookupEvents names it.
func attrName(attr int) string {
	names := [...]string{postAll: "event", postName: "EventName", postUsername: "Username", postAccessKey: "AccessKeyId",
		postResourceName: "ResourceName", postResourceType: "ResourceType", postSource: "EventSource", postReadOnly: "ReadOnly", postID: "EventId"}
	if attr < 0 || attr >= len(names) {
		return fmt.Sprintf("attribute %d", attr)
	}
	return names[attr]
}
