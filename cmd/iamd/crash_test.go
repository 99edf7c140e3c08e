package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	iamd "github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// write is one acknowledged write of the crash test's load.
type write struct {
	action, user, tag string // tag: the tag key TagUser set
}

// TestCrashDuringWriteLoad kills the server (SIGKILL) while concurrent clients create users
// and tag them and others read, then opens the store: every write that was acknowledged
// exists and has its record, every successful CreateUser or TagUser record describes a write
// that exists, every acknowledged read has its record (reads go through the record journal,
// so this is the journal's replay at work), and iamd trail verify passes.
func TestCrashDuringWriteLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cmd, endpoint := serve(t, dir)

	const clients, readers, killAfter = 8, 4, 200
	writes := newKillSwitch[write](killAfter)
	reads := newKillSwitch[string](1 << 30) // request IDs of acknowledged reads; they do not trigger the kill
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := client(endpoint)
			for i := 0; ; i++ {
				user := fmt.Sprintf("c%d-u%03d", c, i)
				if _, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
					return // the server is gone (or the write failed): stop this client
				}
				writes.ack(write{"CreateUser", user, ""})
				tag := fmt.Sprintf("k%d", i%3)
				if _, err := cl.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(user), Tags: []iamtypes.Tag{{Key: aws.String(tag), Value: aws.String("v")}}}); err != nil {
					return
				}
				writes.ack(write{"TagUser", user, tag})
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := client(endpoint)
			for {
				out, err := cl.GetUser(ctx, &iam.GetUserInput{})
				if err != nil {
					return
				}
				id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
				reads.ack(id)
			}
		}()
	}
	<-writes.kill
	if err := cmd.Process.Kill(); err != nil { // SIGKILL mid-load: requests in flight are cut off
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	acked, readsAckd := writes.acked, reads.acked
	t.Logf("%d writes and %d reads acknowledged before kill -9", len(acked), len(readsAckd))
	t.Logf("record journal: %d bytes not yet indexed when the server was killed", unindexedJournalBytes(t, dir))

	db, err := sqlite.Config{Path: filepath.Join(dir, "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// What the store holds: users with their tag keys, and the successful writes' records.
	users := map[string]map[string]bool{}
	err = db.View(ctx, func(r store.Reader) error {
		es, _, err := r.List(ctx, "111122223333", store.KindUser, store.Page{})
		for _, e := range es {
			var u iamd.User
			if err := json.Unmarshal(e.Data, &u); err != nil {
				return err
			}
			users[u.Name] = map[string]bool{}
			for _, tg := range u.Tags {
				users[u.Name][tg.Key] = true
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[write]bool{}
	readRecorded := map[string]int{}
	eachEvent(t, db, func(e *store.StoredEvent) {
		if e.Name == "GetUser" {
			readRecorded[requestID(t, e)]++
		}
		if e.Name != "CreateUser" && e.Name != "TagUser" {
			return
		}
		var rec struct {
			ErrorCode         string `json:"errorCode"`
			RequestParameters struct {
				UserName string `json:"userName"`
				Tags     []struct {
					Key string `json:"key"`
				} `json:"tags"`
			} `json:"requestParameters"`
		}
		if err := json.Unmarshal(e.Record, &rec); err != nil {
			t.Fatalf("record %d: %v", e.Seq, err)
		}
		if rec.ErrorCode != "" {
			return
		}
		w := write{action: e.Name, user: rec.RequestParameters.UserName}
		if len(rec.RequestParameters.Tags) > 0 {
			w.tag = rec.RequestParameters.Tags[0].Key
		}
		recorded[w] = true
	})

	// Every acknowledged write happened and has its record.
	for _, w := range acked {
		if tags, ok := users[w.user]; !ok || (w.tag != "" && !tags[w.tag]) {
			t.Errorf("acknowledged %s %s %s is not in the store", w.action, w.user, w.tag)
		}
		if !recorded[w] {
			t.Errorf("acknowledged %s %s %s has no record", w.action, w.user, w.tag)
		}
	}
	// No successful record describes a write that did not happen.
	for w := range recorded {
		if tags, ok := users[w.user]; !ok || (w.tag != "" && !tags[w.tag]) {
			t.Errorf("record of %s %s %s, but the store does not have it", w.action, w.user, w.tag)
		}
	}
	for _, id := range readsAckd {
		if n := readRecorded[id]; n != 1 {
			t.Errorf("acknowledged GetUser (request %s) has %d records, want 1", id, n)
		}
	}
	if len(readsAckd) == 0 {
		t.Error("no read was acknowledged before the kill: the test checked no journaled record")
	}
	if len(recorded) < len(acked) {
		t.Errorf("%d successful write records for %d acknowledged writes", len(recorded), len(acked))
	}
	db.Close()

	verifyTrail(t, dir, "after kill -9")
}

// verifyTrail runs iamd trail verify on the data directory and fails the test unless it passes.
func verifyTrail(t *testing.T, dir, when string) {
	t.Helper()
	verify := exec.Command(os.Args[0], "trail", "verify", "--data", dir)
	verify.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	if out, err := verify.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ok: ") {
		t.Errorf("iamd trail verify %s: %v\n%s", when, err, out)
	}
}

// eachEvent calls fn with every event of the trail, in chain order.
func eachEvent(t *testing.T, db *sqlite.DB, fn func(*store.StoredEvent)) {
	t.Helper()
	for after := int64(0); ; {
		evs, err := db.Chain(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			fn(e)
		}
		if len(evs) < 1000 {
			return
		}
		after = evs[len(evs)-1].Seq
	}
}

// requestID is the requestID of an event's record.
func requestID(t *testing.T, e *store.StoredEvent) string {
	t.Helper()
	var rec struct {
		RequestID string `json:"requestID"`
	}
	if err := json.Unmarshal(e.Record, &rec); err != nil {
		t.Fatalf("record %d: %v", e.Seq, err)
	}
	return rec.RequestID
}

// killSwitch collects acknowledged calls of a crash test's load and closes kill once `after`
// of them have come.
type killSwitch[T any] struct {
	mu    sync.Mutex
	acked []T
	after int
	kill  chan struct{}
	once  sync.Once
}

func newKillSwitch[T any](after int) *killSwitch[T] {
	return &killSwitch[T]{after: after, kill: make(chan struct{})}
}

func (k *killSwitch[T]) ack(v T) {
	k.mu.Lock()
	k.acked = append(k.acked, v)
	n := len(k.acked)
	k.mu.Unlock()
	if n >= k.after {
		k.once.Do(func() { close(k.kill) })
	}
}

// unindexedJournalBytes reads the record journal's indexed position straight from the database
// (before Open replays the journal) and returns how many bytes of records lie past it: in the
// journal files, and in the entries of the ring (internal/store/sqlite/journal_ring.go: a
// header of magic "ring", the frames' length, generation, offset and the CRC-32C of those 24
// bytes and the frames, then the frames) that the replay writes into them.
func unindexedJournalBytes(t *testing.T, dir string) int64 {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "iamd.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var gen, off int64
	if err := raw.QueryRow(`SELECT generation, byte_offset FROM record_journal WHERE id = 1`).Scan(&gen, &off); err != nil {
		t.Fatalf("record journal position: %v", err)
	}
	var n int64
	for g := gen; ; g++ {
		fi, err := os.Stat(filepath.Join(dir, fmt.Sprintf("iamd.db.records.%d", g)))
		if err != nil {
			break
		}
		if g == gen {
			n += fi.Size() - off
		} else {
			n += fi.Size() - int64(len("iamdrec1"))
		}
	}
	ring, err := os.ReadFile(filepath.Join(dir, "iamd.db.records.ring"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	for i := 0; i+32 <= len(ring); i++ {
		h, size := ring[i:], int(binary.LittleEndian.Uint32(ring[i+4:]))
		if string(h[:4]) != "ring" || size > len(h)-32 ||
			binary.LittleEndian.Uint32(h[24:]) != crc32.Update(crc32.Checksum(h[:24], castagnoli), castagnoli, h[32:32+size]) {
			continue
		}
		g, o := int64(binary.LittleEndian.Uint64(h[8:])), int64(binary.LittleEndian.Uint64(h[16:]))
		if g > gen || g == gen && o >= off {
			n += int64(size)
		}
	}
	return n
}

// TestServeRetentionKeepsTrailVerifiable: a server started with --trail-retention-bytes prunes an
// existing trail at start, and iamd trail verify then passes from the prune checkpoint.
func TestServeRetentionKeepsTrailVerifiable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cmd, endpoint := serve(t, dir)
	c := client(endpoint)
	for i := range 40 {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%02d", i))}); err != nil {
			t.Fatalf("CreateUser %d: %v", i, err)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()

	const limit = 10_000
	cmd = exec.Command(os.Args[0], "serve", "--data", dir, "--listen", "127.0.0.1:0", "--trail-retention-bytes", fmt.Sprint(limit))
	cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	pruned := ""
	for sc.Scan() {
		if strings.Contains(sc.Text(), "audit trail retention") {
			pruned = sc.Text()
			break
		}
	}
	if !strings.Contains(pruned, "pruned records") {
		t.Fatalf("the server did not log a prune at start (got %q, %v)", pruned, sc.Err())
	}
	cmd.Process.Kill()
	cmd.Wait()

	verify := exec.Command(os.Args[0], "trail", "verify", "--data", dir)
	verify.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "from the prune checkpoint") {
		t.Fatalf("iamd trail verify after retention: %v\n%s", err, out)
	}
	db, err := sqlite.Config{Path: filepath.Join(dir, "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.Chain(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range evs {
		total += len(e.Record)
	}
	if total > limit || len(evs) == 0 || evs[len(evs)-1].Name != "CreateUser" {
		t.Errorf("after retention: %d records, %d bytes; want the newest within %d bytes (log: %s)", len(evs), total, limit, pruned)
	}
}
