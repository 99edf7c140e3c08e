package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/store"
)

// TestReindexLegacyColumns: a trail whose lookup columns were derived by an older rule (a web
// identity user without user name; a resource the record does not name) gets, on the next
// Open, the columns its records imply; rows that already agree are not touched, and the chain
// still verifies.
func TestReindexLegacyColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	webIdentity := `{"eventVersion":"1.08","userIdentity":{"type":"WebIdentityUser","userName":"repo:octo/app","principalId":"x"},"eventTime":"2026-11-30T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","eventID":"e1","readOnly":true,"recipientAccountId":"123456789012"}`
	getUser := `{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012","accessKeyId":"AKIAROOT"},"eventTime":"2026-11-30T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","eventID":"e2","readOnly":true,"requestParameters":{"userName":"bob"},"recipientAccountId":"123456789012"}`
	legacy := &store.Event{Time: at, Account: "123456789012", Source: "sts.amazonaws.com", Name: "AssumeRoleWithWebIdentity", ID: "e1",
		ReadOnly: true, Resources: []string{"AWS::IAM::Role\x00stale"}, Record: []byte(webIdentity)}
	current := &store.Event{Time: at.Add(123), Account: "123456789012", Source: "iam.amazonaws.com", Name: "GetUser", ID: "e2",
		Username: "root", AccessKey: "AKIAROOT", ReadOnly: true, Resources: []string{"AWS::IAM::User\x00bob"}, Record: []byte(getUser)}
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, legacy, current) }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`DELETE FROM schema_migrations WHERE version = ?`, reindexVersion); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openAt(t, path)
	evs, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Username: "repo:octo/app"})
	if err != nil || len(evs) != 1 || evs[0].ID != "e1" {
		t.Fatalf("Events(username of the web identity user) = %d, %v; want e1", len(evs), err)
	}
	if len(evs[0].Resources) != 0 {
		t.Errorf("e1 resources = %q, want none (its record names none)", evs[0].Resources)
	}
	if stale, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Resource: "\x00stale"}); err != nil || len(stale) != 0 {
		t.Errorf("Events(resource stale) = %d, %v; want none", len(stale), err)
	}
	got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", ID: "e2"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Events(e2) = %d, %v", len(got), err)
	}
	if diff := cmp.Diff(*current, got[0].Event); diff != "" {
		t.Errorf("e2, whose columns agreed, changed (-before +after):\n%s", diff)
	}
	if ids := trailIDs(t, db); !cmp.Equal(ids, []string{"e1", "e2"}) {
		t.Errorf("trail = %v", ids)
	}
}
