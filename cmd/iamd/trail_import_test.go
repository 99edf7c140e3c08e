package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// testdata/trail holds CloudTrail log files in AWS's delivery layout, written after the
// examples in the CloudTrail documentation: a gzipped file (CreateUser, AssumeRole,
// GetCallerIdentity), a plain one (ConsoleLogin, ListBuckets, a denied DeleteUser, and the
// GetCallerIdentity record again, as CloudTrail may deliver a record twice), a truncated
// file, a gzipped file whose second record has no eventTime, and a digest file.
const (
	importDir       = "testdata/trail"
	logPrefix       = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_"
	truncatedFile   = logPrefix + "20240501T1215Z_TruncatedFile001.json"
	noEventTimeFile = logPrefix + "20240501T1220Z_NoEventTime00001.json.gz"
	eventPrefix     = "0a2b6a72-6bd6-4b3e-9b2c-1f0e9c0d000"
)

func importedEvents(t *testing.T, path string) []*store.StoredEvent {
	t.Helper()
	db, err := sqlite.Config{Path: path}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.Chain(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var recs []audit.Stored
	for _, e := range evs {
		recs = append(recs, audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash})
	}
	if err := audit.Verify(recs, nil); err != nil {
		t.Errorf("imported store's chain: %v", err)
	}
	return evs
}

func TestTrailImport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "import.db")
	stdout, stderr, err := runIamd("trail", "import", importDir, "--to", db)
	if err == nil || !strings.Contains(err.Error(), "2 malformed files skipped, first "+truncatedFile) {
		t.Errorf("import: err = %v, want the two malformed files reported", err)
	}
	for _, f := range []string{truncatedFile, noEventTimeFile} {
		if !strings.Contains(stderr, "skipped "+f+": ") {
			t.Errorf("stderr %q does not name malformed file %s", stderr, f)
		}
	}
	if want := "imported 6 records from 2 log files into " + db + " (1 already imported); 2 malformed files skipped\n"; stdout != want {
		t.Errorf("import printed %q, want %q", stdout, want)
	}
	evs := importedEvents(t, db)
	var ids []string
	byName := map[string]*store.StoredEvent{}
	for _, e := range evs {
		ids = append(ids, strings.TrimPrefix(e.ID, eventPrefix))
		byName[e.Name] = e
	}
	// Record 7 is in the file with a record without eventTime: nothing of that file is imported.
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5", "6"}, ids); diff != "" {
		t.Errorf("imported event IDs (-want +got):\n%s", diff)
	}
	cu := byName["CreateUser"]
	if cu == nil {
		t.Fatal("CreateUser not imported")
	}
	got := store.Event{Time: cu.Time, Account: cu.Account, Source: cu.Source, Name: cu.Name, ID: cu.ID, Username: cu.Username,
		AccessKey: cu.AccessKey, ReadOnly: cu.ReadOnly, Resources: cu.Resources}
	sort.Strings(got.Resources)
	want := store.Event{Time: got.Time, Account: "111122223333", Source: "iam.amazonaws.com", Name: "CreateUser", ID: eventPrefix + "1",
		Username: "Alice", AccessKey: "AKIAIOSFODNN7EXAMPLE",
		Resources: []string{"AWS::IAM::User\x00Bob", "AWS::IAM::User\x00arn:aws:iam::111122223333:user/Bob"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateUser event (-want +got):\n%s", diff)
	}
	if ts := cu.Time.Format("2006-01-02T15:04:05Z"); ts != "2024-05-01T12:00:01Z" {
		t.Errorf("CreateUser time %s, want 2024-05-01T12:00:01Z", ts)
	}
	for name, wantUser := range map[string]string{"GetCallerIdentity": "MySessionName", "ConsoleLogin": "root", "DeleteUser": "MySessionName"} {
		if e := byName[name]; e == nil || e.Username != wantUser {
			t.Errorf("%s: event %+v, want username %s", name, e, wantUser)
		}
	}
	if e := byName["ListBuckets"]; e == nil || !e.ReadOnly {
		t.Errorf("ListBuckets: %+v, want readOnly", e)
	}
	if e := byName["GetCallerIdentity"]; e == nil || !strings.Contains(string(e.Record), `"sessionIssuer"`) {
		t.Errorf("GetCallerIdentity record not kept byte for byte: %+v", e)
	}

	// Importing again adds nothing: every record is already there.
	stdout, _, _ = runIamd("trail", "import", "--to", db, importDir)
	if want := "imported 0 records from 2 log files into " + db + " (7 already imported); 2 malformed files skipped\n"; stdout != want {
		t.Errorf("second import printed %q, want %q", stdout, want)
	}
	if n := len(importedEvents(t, db)); n != 6 {
		t.Errorf("after a second import the store holds %d records, want 6", n)
	}
}

func TestTrailImportFlat(t *testing.T) {
	flat := t.TempDir()
	for _, f := range []string{logPrefix + "20240501T1205Z_4hEvNLdrcZm1fKx2.json.gz", logPrefix + "20240501T1210Z_Q8bTqv0XYvYk3NwP.json", noEventTimeFile} {
		b, err := os.ReadFile(filepath.Join(importDir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(flat, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(flat, "notes.txt"), []byte("not a log file"), 0o600)
	db := filepath.Join(t.TempDir(), "import.db")
	stdout, _, err := runIamd("trail", "import", flat, "--to", db)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(noEventTimeFile)) {
		t.Errorf("import of a flat directory: err = %v, want %s reported", err, filepath.Base(noEventTimeFile))
	}
	if !strings.HasPrefix(stdout, "imported 6 records from 2 log files") {
		t.Errorf("import printed %q", stdout)
	}
	if n := len(importedEvents(t, db)); n != 6 {
		t.Errorf("store holds %d records, want 6", n)
	}
}

func TestTrailImportUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --to", []string{"trail", "import", importDir}, "usage: iamd trail import"},
		{"no dir", []string{"trail", "import", "--to", "x.db"}, "usage: iamd trail import"},
		{"not a directory", []string{"trail", "import", filepath.Join(t.TempDir(), "none"), "--to", filepath.Join(t.TempDir(), "x.db")}, "is not a directory"},
		{"two dirs", []string{"trail", "import", importDir, importDir, "--to", "x.db"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runIamd(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("iamd %v: err = %v, want one containing %q", tc.args, err, tc.want)
			}
		})
	}
}
