// Package storetest is the conformance suite every store backend runs unchanged:
// storetest.Run(t, open). Only tests import it.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// Run runs every conformance test; open returns a fresh, empty store for each.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CRUD", testCRUD},
		{"NamesIgnoreCase", testNamesIgnoreCase},
		{"Pagination", testPagination},
		{"PathPrefix", testPathPrefix},
		{"Links", testLinks},
		{"Rollback", testRollback},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"QuotaRace", testQuotaRace},
		{"UnicodeAndTime", testUnicodeAndTime},
		{"Count", testCount},
		{"Record", testRecord},
		{"RecordConcurrent", testRecordConcurrent},
		{"RecordCancelled", testRecordCancelled},
		{"RecordKeepsNothing", testRecordKeepsNothing},
	}
	// The trail tests run with the events appended in transactions, recorded, and by turns:
	// a backend may keep recorded events apart from appended ones (the SQLite backend does).
	for _, a := range []struct {
		name string
		add  adder
	}{{"", appended}, {"Recorded", recordedEvent}, {"ByTurns", byTurns}} {
		for _, tc := range []struct {
			name string
			fn   func(t *testing.T, s store.Store, add adder)
		}{{"Events", testEvents}, {"Prune", testPrune}, {"RetentionCut", testRetentionCut}, {"EventResources", testEventResources},
			{"EventResourceTwoTypes", testEventResourceTwoTypes}, {"CompactRecords", testCompactRecords}} {
			tests = append(tests, struct {
				name string
				fn   func(t *testing.T, s store.Store)
			}{tc.name + a.name, func(t *testing.T, s store.Store) { tc.fn(t, s, a.add) }})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// adder stores the i-th event of a trail test.
type adder func(ctx context.Context, s store.Store, i int, ev *store.Event) error

// appended appends the event in a transaction of its own.
func appended(ctx context.Context, s store.Store, _ int, ev *store.Event) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, ev) })
}

// recordedEvent records the event (Store.Record).
func recordedEvent(ctx context.Context, s store.Store, _ int, ev *store.Event) error {
	return s.Record(ctx, ev)
}

// byTurns records the even events and appends the odd ones.
func byTurns(ctx context.Context, s store.Store, i int, ev *store.Event) error {
	if i%2 == 0 {
		return s.Record(ctx, ev)
	}
	return appended(ctx, s, i, ev)
}

const acct = "123456789012"

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)

func ent(kind store.Kind, name string) *store.Entity {
	return &store.Entity{Account: acct, Kind: kind, Name: name, ID: "ID" + name, Path: "/", Created: t0, Data: []byte(`{"n":"` + name + `"}`)}
}

func create(t *testing.T, s store.Store, es ...*store.Entity) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, e := range es {
			if err := tx.Create(context.Background(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
}

func get(s store.Store, kind store.Kind, name string) (*store.Entity, error) {
	var e *store.Entity
	err := s.View(context.Background(), func(r store.Reader) error {
		var err error
		e, err = r.Get(context.Background(), acct, kind, name)
		return err
	})
	return e, err
}

func testCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, ent(store.KindUser, "alice"))
	got, err := get(s, store.KindUser, "alice")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if diff := cmp.Diff(ent(store.KindUser, "alice"), got); diff != "" {
		t.Errorf("get (-want +got):\n%s", diff)
	}
	err = s.View(ctx, func(r store.Reader) error {
		e, err := r.GetByID(ctx, acct, store.KindUser, "IDalice")
		if err == nil && e.Name != "alice" {
			return fmt.Errorf("GetByID name %q", e.Name)
		}
		return err
	})
	if err != nil {
		t.Errorf("GetByID: %v", err)
	}
	upd := ent(store.KindUser, "alice")
	upd.Data = []byte(`{"changed":true}`)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Update(ctx, upd) }); err != nil {
		t.Fatalf("update: %v", err)
	}
	if got, _ := get(s, store.KindUser, "alice"); string(got.Data) != `{"changed":true}` {
		t.Errorf("after update data = %s", got.Data)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Update(ctx, ent(store.KindUser, "bob")) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing: err = %v, want ErrNotFound", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, acct, store.KindUser, "alice") }); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := get(s, store.KindUser, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get deleted: err = %v, want ErrNotFound", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, acct, store.KindUser, "alice") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: err = %v, want ErrNotFound", err)
	}
	// Kinds and accounts are separate namespaces.
	create(t, s, ent(store.KindUser, "x"), ent(store.KindRole, "x"))
	other := ent(store.KindUser, "x")
	other.Account = "210987654321"
	create(t, s, other)
}

func testNamesIgnoreCase(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, ent(store.KindUser, "Alice"))
	err := s.Update(ctx, func(tx store.Tx) error { return tx.Create(ctx, ent(store.KindUser, "aLICE")) })
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("create aLICE after Alice: err = %v, want ErrExists", err)
	}
	got, err := get(s, store.KindUser, "ALICE")
	if err != nil || got.Name != "Alice" {
		t.Errorf("get ALICE = %v, %v; want the entity named Alice", got, err)
	}
}

func list(t *testing.T, s store.Store, kind store.Kind, p store.Page) ([]string, string) {
	t.Helper()
	var names []string
	var next string
	err := s.View(context.Background(), func(r store.Reader) error {
		es, n, err := r.List(context.Background(), acct, kind, p)
		for _, e := range es {
			names = append(names, e.Name)
		}
		next = n
		return err
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return names, next
}

func testPagination(t *testing.T, s store.Store) {
	var es []*store.Entity
	for _, n := range []string{"d", "B", "a", "e", "C"} {
		es = append(es, ent(store.KindGroup, n))
	}
	create(t, s, es...)
	var all []string
	marker := ""
	for i := 0; ; i++ {
		names, next := list(t, s, store.KindGroup, store.Page{Marker: marker, Limit: 2})
		all = append(all, names...)
		if i == 0 {
			// An insert before the marker must not shift later pages.
			create(t, s, ent(store.KindGroup, "A0"))
		}
		if next == "" {
			break
		}
		marker = next
		if i > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if diff := cmp.Diff([]string{"a", "B", "C", "d", "e"}, all); diff != "" {
		t.Errorf("paged names (-want +got):\n%s", diff)
	}
	names, next := list(t, s, store.KindGroup, store.Page{})
	if len(names) != 6 || next != "" {
		t.Errorf("unlimited list = %v, next %q", names, next)
	}
	if n, _ := list(t, s, store.KindGroup, store.Page{Limit: 6}); len(n) != 6 {
		t.Errorf("limit equal to count returned %d", len(n))
	}
	var count int
	s.View(context.Background(), func(r store.Reader) error {
		var err error
		count, err = r.Count(context.Background(), acct, store.KindGroup)
		return err
	})
	if count != 6 {
		t.Errorf("Count = %d, want 6", count)
	}
}

func testPathPrefix(t *testing.T, s store.Store) {
	a, b, c := ent(store.KindRole, "a"), ent(store.KindRole, "b"), ent(store.KindRole, "c")
	a.Path, b.Path, c.Path = "/eng/", "/eng/ops/", "/sales/"
	create(t, s, a, b, c)
	names, _ := list(t, s, store.KindRole, store.Page{PathPrefix: "/eng/"})
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("path /eng/ (-want +got):\n%s", diff)
	}
	names, _ = list(t, s, store.KindRole, store.Page{PathPrefix: "/"})
	if len(names) != 3 {
		t.Errorf("path / = %v", names)
	}
}

func testLinks(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, ent(store.KindGroup, "devs"), ent(store.KindUser, "Bob"), ent(store.KindUser, "alice"))
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, u := range []string{"Bob", "alice", "alice"} {
			if err := tx.Link(ctx, acct, store.LinkMember, "devs", u); err != nil {
				return err
			}
		}
		return tx.Link(ctx, acct, store.LinkUserPolicy, "alice", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	})
	if err != nil {
		t.Fatal(err)
	}
	var members, groups, holders []string
	s.View(ctx, func(r store.Reader) error {
		members, _ = r.Links(ctx, acct, store.LinkMember, "DEVS")
		groups, _ = r.LinksTo(ctx, acct, store.LinkMember, "Alice")
		holders, _ = r.LinksTo(ctx, acct, store.LinkUserPolicy, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		return nil
	})
	if diff := cmp.Diff([]string{"alice", "Bob"}, members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"devs"}, groups); diff != "" {
		t.Errorf("groups of alice (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"alice"}, holders); diff != "" {
		t.Errorf("policy holders (-want +got):\n%s", diff)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Unlink(ctx, acct, store.LinkMember, "devs", "nobody") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unlink missing: err = %v, want ErrNotFound", err)
	}
	// Deleting an entity removes its links in both directions.
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, acct, store.KindUser, "alice") }); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(r store.Reader) error {
		members, _ = r.Links(ctx, acct, store.LinkMember, "devs")
		holders, _ = r.LinksTo(ctx, acct, store.LinkUserPolicy, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		return nil
	})
	if diff := cmp.Diff([]string{"Bob"}, members); diff != "" {
		t.Errorf("members after delete (-want +got):\n%s", diff)
	}
	if len(holders) != 0 {
		t.Errorf("policy holders after delete = %v", holders)
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create(ctx, ent(store.KindUser, "ghost")); err != nil {
			return err
		}
		if err := tx.Append(ctx, &store.Event{Time: t0, Account: acct, Name: "CreateUser", Record: []byte(`{}`)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	if _, err := get(s, store.KindUser, "ghost"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back entity: err = %v, want ErrNotFound", err)
	}
	evs, err := s.Events(ctx, store.EventFilter{Account: acct})
	if err != nil || len(evs) != 0 {
		t.Errorf("rolled-back events = %d, %v; want none", len(evs), err)
	}
}

// testConcurrentUpdates: read-modify-write transactions never lose an update.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := ent(store.KindSetting, "counter")
	c.Data = []byte("0")
	create(t, s, c)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				e, err := tx.Get(ctx, acct, store.KindSetting, "counter")
				if err != nil {
					return err
				}
				var v int
				fmt.Sscan(string(e.Data), &v)
				e.Data = []byte(fmt.Sprint(v + 1))
				return tx.Update(ctx, e)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	e, _ := get(s, store.KindSetting, "counter")
	if string(e.Data) != fmt.Sprint(n) {
		t.Errorf("counter = %s after %d increments", e.Data, n)
	}
}

// testQuotaRace: a count-then-create quota check inside a transaction holds under concurrency.
func testQuotaRace(t *testing.T, s store.Store) {
	ctx := context.Background()
	const quota = 2
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Update(ctx, func(tx store.Tx) error {
				n, err := tx.Count(ctx, acct, store.KindAccessKey)
				if err != nil {
					return err
				}
				if n >= quota {
					return errors.New("quota")
				}
				return tx.Create(ctx, ent(store.KindAccessKey, fmt.Sprintf("KEY%02d", i)))
			})
		}()
	}
	wg.Wait()
	names, _ := list(t, s, store.KindAccessKey, store.Page{})
	if len(names) != quota {
		t.Errorf("%d keys created under a quota of %d: %v", len(names), quota, names)
	}
}

func testUnicodeAndTime(t *testing.T, s store.Store) {
	e := ent(store.KindPolicy, "pölicy-名前")
	e.Created = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 3600))
	create(t, s, e)
	got, err := get(s, store.KindPolicy, "PÖLICY-名前")
	if err != nil {
		// Case folding beyond ASCII is not required by IAM (names are ASCII); exact name must work.
		got, err = get(s, store.KindPolicy, "pölicy-名前")
	}
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "pölicy-名前" {
		t.Errorf("name = %q", got.Name)
	}
	if !got.Created.Equal(e.Created) || got.Created.Location() != time.UTC {
		t.Errorf("created = %v, want %v in UTC", got.Created, e.Created.UTC())
	}
}

func testEvents(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	ro := true
	for i := range 5 {
		ev := &store.Event{Time: t0.Add(time.Duration(i) * time.Minute), Account: acct, Source: "iam.amazonaws.com",
			Name: []string{"CreateUser", "GetUser"}[i%2], ID: fmt.Sprintf("ev%d", i), Username: "alice", AccessKey: "AKIA1",
			ReadOnly: i%2 == 1, Resources: []string{"AWS::IAM::User\x00u" + fmt.Sprint(i)}, Record: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		if err := add(ctx, s, i, ev); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Events(ctx, store.EventFilter{Account: acct})
	if err != nil || len(all) != 5 {
		t.Fatalf("events = %d, %v", len(all), err)
	}
	if all[0].ID != "ev4" || all[4].ID != "ev0" {
		t.Errorf("order = %s..%s, want newest first", all[0].ID, all[4].ID)
	}
	for name, f := range map[string]struct {
		f    store.EventFilter
		want int
	}{
		"name":     {store.EventFilter{Account: acct, Name: "GetUser"}, 2},
		"readonly": {store.EventFilter{Account: acct, ReadOnly: &ro}, 2},
		"time":     {store.EventFilter{Account: acct, Start: t0.Add(time.Minute), End: t0.Add(3 * time.Minute)}, 3},
		"resource": {store.EventFilter{Account: acct, Resource: "\x00u3"}, 1},
		"restype":  {store.EventFilter{Account: acct, Resource: "AWS::IAM::User\x00"}, 5},
		"limit":    {store.EventFilter{Account: acct, Limit: 2}, 2},
		"before":   {store.EventFilter{Account: acct, BeforeSeq: all[1].Seq}, 3},
		"id":       {store.EventFilter{Account: acct, ID: "ev2"}, 1},
		"other":    {store.EventFilter{Account: "999999999999"}, 0},
	} {
		got, err := s.Events(ctx, f.f)
		if err != nil || len(got) != f.want {
			t.Errorf("%s: %d events, %v; want %d", name, len(got), err, f.want)
		}
	}
	chain, err := s.Chain(ctx, 0, 100)
	if err != nil || len(chain) != 5 {
		t.Fatalf("chain = %d, %v", len(chain), err)
	}
	seen := map[[32]byte]bool{}
	for i, e := range chain {
		if i > 0 && e.Seq <= chain[i-1].Seq {
			t.Errorf("chain not in order at %d", i)
		}
		if seen[e.Hash] || e.Hash == ([32]byte{}) {
			t.Errorf("chain hash %d not unique", i)
		}
		seen[e.Hash] = true
	}
}

// testRecordCancelled: Record writes the records of a request whose context is cancelled
// (a client that hung up is recorded all the same).
func testRecordCancelled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ev := &store.Event{Time: t0, Account: acct, Source: "iam.amazonaws.com", Name: "GetUser", ID: "cancelled", Record: []byte(`{"eventID":"cancelled"}`)}
	if err := s.Record(ctx, ev); err != nil {
		t.Fatalf("Record with a cancelled context: %v", err)
	}
	got, err := s.Events(context.Background(), store.EventFilter{Account: acct, ID: "cancelled"})
	if err != nil || len(got) != 1 {
		t.Fatalf("events = %d, %v; want the record", len(got), err)
	}
}

// testCompactRecords: a record given in the compact form (audit.AppendCompact) is kept and
// hashed as given and read back as its JSON (Record), with the kept bytes in Stored; a JSON
// record is kept and read back as it is.
func testCompactRecords(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	var given [][]byte
	var events []*store.Event
	for i := range 4 {
		e := audit.Event{EventVersion: audit.EventVersion, EventTime: t0.Add(time.Duration(i) * time.Second), EventSource: "iam.amazonaws.com",
			EventName: "GetUser", EventID: fmt.Sprintf("ev%d", i), RecipientAccountID: acct, ReadOnly: true,
			UserIdentity:      audit.UserIdentity{Type: "IAMUser", UserName: "alice", AccessKeyID: "AKIA1"},
			RequestParameters: []byte(fmt.Sprintf(`{"userName":"u%d"}`, i))}
		rec := e.AppendJSON(nil)
		if i%2 == 0 {
			rec = e.AppendCompact(nil)
		}
		given = append(given, rec)
		// The columns the record implies (audit.SummarizeCompact), as Record requires of a
		// compact record: a store may keep only the record.
		ev := &store.Event{Time: e.EventTime, Account: acct, Source: e.EventSource, Name: e.EventName, ID: e.EventID, Username: "alice",
			AccessKey: "AKIA1", ReadOnly: true, Resources: []string{fmt.Sprintf("AWS::IAM::User\x00u%d", i)}, Record: rec}
		events = append(events, ev)
		if err := add(ctx, s, i, ev); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, evs []*store.StoredEvent) {
		t.Helper()
		if len(evs) != len(given) {
			t.Fatalf("%s: %d events, want %d", what, len(evs), len(given))
		}
		for _, e := range evs {
			i, _ := strconv.Atoi(strings.TrimPrefix(e.ID, "ev"))
			want, err := audit.RecordJSON(given[i])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.Record, want) {
				t.Errorf("%s: record %s reads back as %q, want %q", what, e.ID, e.Record, want)
			}
			if !bytes.Equal(e.Chained(), given[i]) || (e.Stored != nil) != audit.IsCompact(given[i]) {
				t.Errorf("%s: record %s kept as %q (Stored %v), given %q", what, e.ID, e.Chained(), e.Stored != nil, given[i])
			}
			w := events[i]
			if !e.Time.Equal(w.Time) || e.Account != w.Account || e.Source != w.Source || e.Name != w.Name || e.Username != w.Username ||
				e.AccessKey != w.AccessKey || e.ReadOnly != w.ReadOnly || !slices.Equal(e.Resources, w.Resources) {
				got, want := e.Event, *w
				got.Record, want.Record = nil, nil
				t.Errorf("%s: record %s reads back with columns %+v, want %+v", what, e.ID, got, want)
			}
		}
	}
	all, err := s.Events(ctx, store.EventFilter{Account: acct, Name: "GetUser"})
	if err != nil {
		t.Fatal(err)
	}
	check("Events", all)
	chain, err := s.Chain(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	check("Chain", chain)
	recs := make([]audit.Stored, len(chain))
	var prev [32]byte
	for i, e := range chain {
		recs[i] = audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}
		if prev = audit.Link(prev, given[i]); e.Hash != prev {
			t.Errorf("record %s: chain hash %x, want the hash over the record as given %x", e.ID, e.Hash[:6], prev[:6])
		}
	}
	if err := audit.Verify(recs, nil); err != nil {
		t.Error(err)
	}
}

// testPrune: Prune deletes the events before a Seq but never the last one, records the
// checkpoint the rest verifies from, and appends after a prune keep the chain.
func testPrune(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	if n, err := s.Prune(ctx, 10); err != nil || n != 0 {
		t.Errorf("prune of an empty trail = %d, %v; want 0, nil", n, err)
	}
	if cp, err := s.Checkpoint(ctx); err != nil || cp != (store.Checkpoint{}) {
		t.Errorf("checkpoint of an unpruned trail = %+v, %v; want the zero checkpoint", cp, err)
	}
	appendN := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			ev := &store.Event{Time: t0.Add(time.Duration(i) * time.Minute), Account: acct, Source: "iam.amazonaws.com", Name: "GetUser",
				ID: fmt.Sprintf("ev%d", i), Record: []byte(fmt.Sprintf(`{"i":%d}`, i))}
			if err := add(ctx, s, i, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	chain := func() []*store.StoredEvent {
		t.Helper()
		evs, err := s.Chain(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	// verify checks the remaining trail from the checkpoint and returns its Seqs.
	verify := func(what string) []int64 {
		t.Helper()
		cp, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v := audit.ResumeVerifier(cp.Seq, cp.Hash)
		var seqs []int64
		for _, e := range chain() {
			if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
				t.Errorf("%s: trail does not verify from checkpoint %d: %v", what, cp.Seq, err)
			}
			seqs = append(seqs, e.Seq)
		}
		return seqs
	}
	appendN(0, 5)
	all := chain()
	if len(all) != 5 {
		t.Fatalf("chain = %d events, want 5", len(all))
	}
	first := all[0].Seq
	for _, tc := range []struct {
		name      string
		before    int64
		appendTo  int
		wantN     int64
		wantFirst int64 // first remaining Seq, relative to the first event's
		wantCP    int64 // checkpoint Seq, relative; -1: none yet
	}{
		{"before the first event: nothing", first, 0, 0, 0, -1},
		{"first two", first + 2, 0, 2, 2, 1},
		{"again: nothing more", first + 2, 0, 0, 2, 1},
		{"past the end keeps the last event", first + 100, 0, 2, 4, 3},
		{"appends after a prune chain on", first + 5, 8, 1, 5, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.appendTo > 0 {
				appendN(5, tc.appendTo)
			}
			n, err := s.Prune(ctx, tc.before)
			if err != nil || n != tc.wantN {
				t.Fatalf("Prune(%d) = %d, %v; want %d", tc.before, n, err, tc.wantN)
			}
			seqs := verify(tc.name)
			if len(seqs) == 0 || seqs[0] != first+tc.wantFirst {
				t.Errorf("after Prune(%d) the trail is %v, want it to start at %d", tc.before, seqs, first+tc.wantFirst)
			}
			cp, err := s.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantCP < 0 {
				if cp != (store.Checkpoint{}) {
					t.Errorf("checkpoint %+v, want none", cp)
				}
				return
			}
			if want := all[tc.wantCP]; cp.Seq != first+tc.wantCP || (int(tc.wantCP) < len(all) && cp.Hash != want.Hash) {
				t.Errorf("checkpoint %d %x, want %d %x", cp.Seq, cp.Hash[:6], first+tc.wantCP, want.Hash[:6])
			}
		})
	}
}

// testRetentionCut: SeqAt and SeqFitting find where a retention prune by age or by size cuts
// the trail, and pruning there keeps exactly the events that are young or small enough.
func testRetentionCut(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	if seq, err := s.SeqAt(ctx, t0); err != nil || seq != 1 {
		t.Errorf("SeqAt on an empty trail = %d, %v; want 1 (the next Seq)", seq, err)
	}
	if seq, err := s.SeqFitting(ctx, 0); err != nil || seq != 0 {
		t.Errorf("SeqFitting(0) on an empty trail = %d, %v; want 0 (nothing to prune)", seq, err)
	}
	// Six events a minute apart; event i's record is 10*(i+1) bytes.
	var seqs []int64
	for i := range 6 {
		rec := `{"p":"` + strings.Repeat(fmt.Sprint(i), 10*(i+1)-8) + `"}` // 10*(i+1) bytes
		ev := &store.Event{Time: t0.Add(time.Duration(i) * time.Minute), Account: acct, Source: "iam.amazonaws.com", Name: "GetUser",
			ID: fmt.Sprintf("ev%d", i), Record: []byte(rec)}
		if err := add(ctx, s, i, ev); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Chain(ctx, 0, 100)
	if err != nil || len(all) != 6 {
		t.Fatalf("chain = %d, %v; want 6 events", len(all), err)
	}
	for _, e := range all {
		seqs = append(seqs, e.Seq)
	}
	last := seqs[5]
	for _, tc := range []struct {
		name string
		at   time.Time
		want int64
	}{
		{"before all", t0.Add(-time.Hour), seqs[0]},
		{"exactly the first", t0, seqs[0]},
		{"between the 2nd and 3rd", t0.Add(90 * time.Second), seqs[2]},
		{"exactly the last", t0.Add(5 * time.Minute), last},
		{"after all", t0.Add(time.Hour), last + 1},
		{"other zone, same instant", t0.Add(2 * time.Minute).In(time.FixedZone("X", 3600)), seqs[2]},
	} {
		t.Run("SeqAt/"+tc.name, func(t *testing.T) {
			if got, err := s.SeqAt(ctx, tc.at); err != nil || got != tc.want {
				t.Errorf("SeqAt(%s) = %d, %v; want %d", tc.at, got, err, tc.want)
			}
		})
	}
	// Sizes from the newest back: 60, 110, 150, 180, 200, 210.
	for _, tc := range []struct {
		name string
		max  int64
		want int64
	}{
		{"all fit", 210, 0},
		{"all fit with room", 1 << 20, 0},
		{"one byte short drops the oldest", 209, seqs[1]},
		{"newest three", 150, seqs[3]},
		{"between", 151, seqs[3]},
		{"newest only", 60, seqs[5]},
		{"not even the newest", 59, last + 1},
		{"zero", 0, last + 1},
	} {
		t.Run("SeqFitting/"+tc.name, func(t *testing.T) {
			if got, err := s.SeqFitting(ctx, tc.max); err != nil || got != tc.want {
				t.Errorf("SeqFitting(%d) = %d, %v; want %d", tc.max, got, err, tc.want)
			}
		})
	}
	// Pruning at a size cut keeps the newest three; at a cut past the end, still the newest.
	cut, err := s.SeqFitting(ctx, 150)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Prune(ctx, cut); err != nil || n != 3 {
		t.Fatalf("Prune(SeqFitting(150)) = %d, %v; want 3", n, err)
	}
	if got, err := s.SeqFitting(ctx, 150); err != nil || got != 0 {
		t.Errorf("SeqFitting(150) after pruning to it = %d, %v; want 0", got, err)
	}
	if got, err := s.SeqAt(ctx, t0); err != nil || got != seqs[3] {
		t.Errorf("SeqAt(first time) after the prune = %d, %v; want %d (the first kept)", got, err, seqs[3])
	}
	cut, err = s.SeqAt(ctx, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Prune(ctx, cut); err != nil || n != 2 {
		t.Fatalf("Prune(SeqAt(after all)) = %d, %v; want 2 (the newest is kept)", n, err)
	}
	rest, err := s.Chain(ctx, 0, 100)
	if err != nil || len(rest) != 1 || rest[0].Seq != last {
		t.Errorf("after pruning everything old: %d events, %v; want only Seq %d", len(rest), err, last)
	}
	if got, err := s.SeqAt(ctx, t0.Add(time.Hour)); err != nil || got != last+1 {
		t.Errorf("SeqAt(after all) after the prune = %d, %v; want %d", got, err, last+1)
	}
}

// testEventResources: lookups by resource name and type find every resource of an event,
// whatever characters the name holds, and stop finding pruned events.
func testEventResources(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	odd := `a\nb"c\u0000\\d` + "\t€"
	for i, res := range [][]string{
		{"AWS::IAM::User\x00alice", "AWS::IAM::Policy\x00arn:aws:iam::123456789012:policy/p"},
		{"AWS::IAM::Role\x00alice", "AWS::IAM::User\x00" + odd},
		nil,
		{"AWS::IAM::User\x00alice"},
	} {
		ev := &store.Event{Time: t0.Add(time.Duration(i) * time.Minute), Account: acct, Source: "iam.amazonaws.com", Name: "TagUser",
			ID: fmt.Sprintf("r%d", i), Resources: res, Record: []byte(fmt.Sprintf(`{"r":%d}`, i))}
		if err := add(ctx, s, i, ev); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(f store.EventFilter) []string {
		t.Helper()
		f.Account = acct
		evs, err := s.Events(ctx, f)
		if err != nil {
			t.Fatalf("Events(%+v): %v", f, err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.EventFilter
		want []string
	}{
		{"name in two events of two types", store.EventFilter{Resource: "\x00alice"}, []string{"r3", "r1", "r0"}},
		{"name and type", store.EventFilter{Resource: "AWS::IAM::User\x00alice"}, []string{"r3", "r0"}},
		{"second resource of an event", store.EventFilter{Resource: "\x00arn:aws:iam::123456789012:policy/p"}, []string{"r0"}},
		{"escapes and control characters", store.EventFilter{Resource: "\x00" + odd}, []string{"r1"}},
		{"type only", store.EventFilter{Resource: "AWS::IAM::Role\x00"}, []string{"r1"}},
		{"no such name", store.EventFilter{Resource: "\x00bob"}, nil},
		{"name is case-sensitive", store.EventFilter{Resource: "\x00Alice"}, nil},
		{"with another filter", store.EventFilter{Resource: "\x00alice", ID: "r1"}, []string{"r1"}},
		{"with a limit", store.EventFilter{Resource: "\x00alice", Limit: 2}, []string{"r3", "r1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.f); !cmp.Equal(got, tc.want) {
				t.Errorf("Events(resource %q) = %v, want %v", tc.f.Resource, got, tc.want)
			}
		})
	}
	all := ids(store.EventFilter{})
	before := ids(store.EventFilter{Resource: "\x00alice", Limit: 1})
	chain, err := s.Chain(ctx, 0, 10)
	if err != nil || len(chain) != 4 || len(all) != 4 {
		t.Fatalf("chain = %d, %v", len(chain), err)
	}
	if got := ids(store.EventFilter{Resource: "\x00alice", BeforeSeq: chain[3].Seq}); !cmp.Equal(got, []string{"r1", "r0"}) {
		t.Errorf("resource lookup before the last event = %v, want [r1 r0] (before %v)", got, before)
	}
	if _, err := s.Prune(ctx, chain[2].Seq); err != nil {
		t.Fatal(err)
	}
	if got := ids(store.EventFilter{Resource: "\x00alice"}); !cmp.Equal(got, []string{"r3"}) {
		t.Errorf("after pruning the first two events, resource lookup = %v, want [r3]", got)
	}
}

// testEventResourceTwoTypes: an event naming one resource name under two types (a user and a
// role named alike) is found once by that name.
func testEventResourceTwoTypes(t *testing.T, s store.Store, add adder) {
	ctx := context.Background()
	for i, res := range [][]string{{"AWS::IAM::User\x00alice", "AWS::IAM::Role\x00alice"}, {"AWS::IAM::User\x00alice"}} {
		ev := &store.Event{Time: t0.Add(time.Duration(i) * time.Minute), Account: acct, Source: "iam.amazonaws.com", Name: "TagUser",
			ID: fmt.Sprintf("t%d", i), Resources: res, Record: []byte(fmt.Sprintf(`{"t":%d}`, i))}
		if err := add(ctx, s, i, ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		f    store.EventFilter
		want []string
	}{
		{store.EventFilter{Account: acct, Resource: "\x00alice"}, []string{"t1", "t0"}},
		{store.EventFilter{Account: acct, Resource: "\x00alice", Limit: 2}, []string{"t1", "t0"}},
		{store.EventFilter{Account: acct, Resource: "AWS::IAM::Role\x00alice"}, []string{"t0"}},
	} {
		evs, err := s.Events(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.ID)
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("Events(resource %q, limit %d) = %v, want %v", tc.f.Resource, tc.f.Limit, got, tc.want)
		}
	}
}

// recorded is an event for Record tests: its ID and record name it.
func recorded(id string) *store.Event {
	return &store.Event{Time: t0, Account: acct, Source: "iam.amazonaws.com", Name: "GetUser", ID: id, Username: "alice",
		AccessKey: "AKIA1", ReadOnly: true, Resources: []string{"AWS::IAM::User\x00" + id}, Record: []byte(`{"eventID":"` + id + `"}`)}
}

// verifiedChain returns the IDs of the whole trail in chain order, failing unless it verifies.
func verifiedChain(t *testing.T, s store.Store) []string {
	t.Helper()
	ctx := context.Background()
	chain, err := s.Chain(ctx, 0, 100000)
	if err != nil {
		t.Fatalf("Chain: %v", err)
	}
	recs := make([]audit.Stored, len(chain))
	ids := make([]string, len(chain))
	for i, e := range chain {
		recs[i] = audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}
		ids[i] = e.ID
	}
	if err := audit.Verify(recs, nil); err != nil {
		t.Errorf("chain of %d events does not verify: %v", len(chain), err)
	}
	return ids
}

// testRecord: events given to Record are found by Events as soon as it returns, with every
// field, and come in the chain before the events of an Update begun after it returned.
func testRecord(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, id := range []string{"r0", "r1"} {
		if err := s.Record(ctx, recorded(id)); err != nil {
			t.Fatalf("Record(%s): %v", id, err)
		}
	}
	mut := &store.Event{Time: t0, Account: acct, Source: "iam.amazonaws.com", Name: "CreateUser", ID: "m0", Record: []byte(`{"eventID":"m0"}`)}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, mut) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, recorded("r2")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, store.EventFilter{Account: acct, ID: "r2"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Events(ID r2) right after Record = %d events, %v; want 1", len(got), err)
	}
	if diff := cmp.Diff(*recorded("r2"), got[0].Event, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("recorded event (-want +got):\n%s", diff)
	}
	if err := s.Record(ctx, recorded("r3")); err != nil {
		t.Fatal(err)
	}
	// A rolled-back Update leaves what was recorded before it in place.
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx store.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing Update = %v, want boom", err)
	}
	want := []string{"r0", "r1", "m0", "r2", "r3"}
	if diff := cmp.Diff(want, verifiedChain(t, s)); diff != "" {
		t.Errorf("chain order (-want +got):\n%s", diff)
	}
	if evs, err := s.Events(ctx, store.EventFilter{Account: acct, Resource: "\x00r2"}); err != nil || len(evs) != 1 {
		t.Errorf("Events(resource r2) = %d, %v; want 1", len(evs), err)
	}
}

// testRecordKeepsNothing: once Record has returned, the caller may overwrite the events it
// gave and their record bytes (a buffer reused for the next call): the trail keeps what was
// recorded, found by its own columns and not by the new ones.
func testRecordKeepsNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	e := recorded("k0")
	if err := s.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	copy(e.Record, `{"eventID":"XX"}`)
	e.ID, e.Username, e.Resources[0] = "XX", "mallory", "AWS::IAM::User\x00XX"
	if err := s.Update(ctx, func(store.Tx) error { return nil }); err != nil { // indexes what Record left pending
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"k0"}, verifiedChain(t, s)); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	for _, f := range []store.EventFilter{{ID: "k0"}, {Username: "alice"}, {Resource: "\x00k0"}} {
		f.Account = acct
		got, err := s.Events(ctx, f)
		if err != nil || len(got) != 1 || string(got[0].Record) != `{"eventID":"k0"}` {
			t.Errorf("Events(%+v) = %d events, %v; want the record of k0 as recorded", f, len(got), err)
		}
	}
	for _, f := range []store.EventFilter{{ID: "XX"}, {Username: "mallory"}, {Resource: "\x00XX"}} {
		f.Account = acct
		if got, err := s.Events(ctx, f); err != nil || len(got) != 0 {
			t.Errorf("Events(%+v) = %d events, %v; want none (the caller's later changes)", f, len(got), err)
		}
	}
}

// testRecordConcurrent: concurrent Record and Update calls lose nothing and keep one chain.
func testRecordConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				if w%4 == 0 {
					errs <- s.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, recorded(id)) })
				} else {
					errs <- s.Record(ctx, recorded(id))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := verifiedChain(t, s)
	if len(ids) != workers*each {
		t.Fatalf("chain has %d events, want %d", len(ids), workers*each)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("event %s twice", id)
		}
		seen[id] = true
	}
}

// testCount: Count follows creates and deletes per account and kind, and a rolled-back create
// does not count.
func testCount(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, ent(store.KindUser, "a"), ent(store.KindUser, "b"), ent(store.KindUser, "c"), ent(store.KindGroup, "g"))
	other := ent(store.KindUser, "a")
	other.Account = "999999999999"
	create(t, s, other)
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create(ctx, ent(store.KindUser, "rolled-back")); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, acct, store.KindUser, "b") }); err != nil {
		t.Fatal(err)
	}
	// A create of a taken name changes no count.
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Create(ctx, ent(store.KindUser, "A")) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("Create of a taken name = %v, want ErrExists", err)
	}
	for _, tc := range []struct {
		account string
		kind    store.Kind
		want    int
	}{{acct, store.KindUser, 2}, {acct, store.KindGroup, 1}, {acct, store.KindRole, 0}, {"999999999999", store.KindUser, 1}} {
		var n int
		err := s.View(ctx, func(r store.Reader) (err error) { n, err = r.Count(ctx, tc.account, tc.kind); return err })
		if err != nil || n != tc.want {
			t.Errorf("Count(%s, %s) = %d, %v; want %d", tc.account, tc.kind, n, err, tc.want)
		}
	}
}
