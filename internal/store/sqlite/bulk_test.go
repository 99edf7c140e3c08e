package sqlite

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/store"
)

func eventIndexes(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.r.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// TestDeferEventIndexes: deferred indexes are gone during a load, lookups still answer, and
// RestoreEventIndexes (now or after reopening) builds exactly the same ones again.
func TestDeferEventIndexes(t *testing.T) {
	ctx := context.Background()
	db := open(t).(*DB)
	want := eventIndexes(t, db)
	if diff := cmp.Diff([]string{"events_access_key", "events_id", "events_name", "events_username"}, want); diff != "" {
		t.Fatalf("events indexes (-want +got):\n%s", diff)
	}
	if err := db.DeferEventIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if got := eventIndexes(t, db); len(got) != 0 {
		t.Errorf("indexes while deferred: %v, want none", got)
	}
	appendResourceEvents(t, db, 5)
	evs, err := db.Events(ctx, store.EventFilter{Account: "123456789012", ID: "3"})
	if err != nil || len(evs) != 1 {
		t.Errorf("lookup by event ID while deferred = %d events, %v; want 1", len(evs), err)
	}
	if err := db.RestoreEventIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if got := eventIndexes(t, db); !cmp.Equal(got, want) {
		t.Errorf("indexes after restore = %v, want %v", got, want)
	}
	if err := db.RestoreEventIndexes(ctx); err != nil {
		t.Errorf("second restore: %v, want nothing to do", err)
	}
	present, err := db.EventIDsPresent(ctx, "123456789012", []string{"1", "4", "9", "x"})
	if err != nil || !cmp.Equal(present, map[string]bool{"1": true, "4": true}) {
		t.Errorf("EventIDsPresent = %v, %v; want 1 and 4", present, err)
	}
	if present, err := db.EventIDsPresent(ctx, "999999999999", []string{"1"}); err != nil || len(present) != 0 {
		t.Errorf("EventIDsPresent in another account = %v, %v; want none", present, err)
	}
}
