package server_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/server"
)

// TestSecondServerRefused: a second server on a data directory another one serves refuses to
// start (their caches would miss each other's changes, as a new-user trial found), changing
// nothing; once the first stops, it starts on the same data.
func TestSecondServerRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := server.Start(ctx, testConfig(t, dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(iamClient(first, rootKey, rootSecret, "").CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}))
	second, err := server.Start(ctx, testConfig(t, dir), slog.New(slog.DiscardHandler))
	if err == nil {
		second.Close()
		t.Fatal("a second server started on a data directory in use")
	}
	if !strings.Contains(err.Error(), "in use by another iamd process") {
		t.Errorf("second server's error = %v, want it to say the directory is in use", err)
	}
	must[*iam.GetUserOutput](t, "GetUser on the first server")(iamClient(first, rootKey, rootSecret, "").GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ann")}))
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again := start(t, testConfig(t, dir))
	must[*iam.GetUserOutput](t, "GetUser after the first stopped")(iamClient(again, rootKey, rootSecret, "").GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ann")}))
}
