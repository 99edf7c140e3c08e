package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/iamd-dev/iamd/internal/store"
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
	calls := newKillSwitch[string](killAfter) // request IDs of answered calls
	var wg sync.WaitGroup
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
					calls.ack(id)
					continue
				}
				_, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
				var re interface{ ServiceRequestID() string }
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || !errors.As(err, &re) {
					return // the server is gone
				}
				calls.ack(re.ServiceRequestID())
			}
		}()
	}
	<-calls.kill
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	acked := calls.acked
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
	eachEvent(t, db, func(e *store.StoredEvent) { records[requestID(t, e)]++ })
	for _, id := range acked {
		if n := records[id]; n != 1 {
			t.Errorf("acknowledged request %s has %d records, want 1", id, n)
		}
	}
	db.Close()
	verifyTrail(t, dir, "after kill -9")
}
