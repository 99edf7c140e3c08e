package main

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/aws/smithy-go"

	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// TestCrashDuringReadLoad kills the server (SIGKILL) while clients read and fail (NoSuchEntity)
// with no write in between: their records are then in the record journal, not yet indexed
// (the test fails unless the kill left some). After the kill every acknowledged call has
// exactly one record, and iamd trail verify passes.
func TestCrashDuringReadLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cmd, endpoint := serve(t, dir)

	const clients, killAfter = 6, 400
	var (
		mu    sync.Mutex
		acked []string // request IDs of answered calls
		kill  = make(chan struct{})
		once  sync.Once
		wg    sync.WaitGroup
	)
	ack := func(id string) {
		mu.Lock()
		acked = append(acked, id)
		n := len(acked)
		mu.Unlock()
		if n >= killAfter {
			once.Do(func() { close(kill) })
		}
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := client(endpoint)
			for {
				if c%2 == 0 {
					out, err := cl.GetUser(ctx, &iam.GetUserInput{})
					if err != nil {
						return
					}
					id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
					ack(id)
					continue
				}
				_, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
				var re interface{ ServiceRequestID() string }
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || !errors.As(err, &re) {
					return // the server is gone
				}
				ack(re.ServiceRequestID())
			}
		}()
	}
	<-kill
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	pending := unindexedJournalBytes(t, dir)
	t.Logf("%d calls acknowledged before kill -9; %d journal bytes not yet indexed", len(acked), pending)
	if pending == 0 {
		t.Fatal("the kill left nothing in the record journal to replay: the test checked nothing")
	}

	db, err := sqlite.Config{Path: filepath.Join(dir, "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	records := map[string]int{}
	for after := int64(0); ; {
		evs, err := db.Chain(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var rec struct {
				RequestID string `json:"requestID"`
			}
			if err := json.Unmarshal(e.Record, &rec); err != nil {
				t.Fatalf("record %d: %v", e.Seq, err)
			}
			records[rec.RequestID]++
		}
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	for _, id := range acked {
		if n := records[id]; n != 1 {
			t.Errorf("acknowledged request %s has %d records, want 1", id, n)
		}
	}
	db.Close()
	verify := exec.Command(os.Args[0], "trail", "verify", "--data", dir)
	verify.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	if out, err := verify.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ok: ") {
		t.Errorf("iamd trail verify after kill -9: %v\n%s", err, out)
	}
}
