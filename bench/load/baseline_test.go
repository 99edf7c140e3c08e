package main

import (
	"context"
	"net/http"
	"os"
	"slices"
	"testing"
)

// TestMain lets this test binary serve as the baseline's child process, as load does.
func TestMain(m *testing.M) {
	if i := slices.Index(os.Args, "-serve-baseline"); i >= 0 && i+1 < len(os.Args) {
		if err := serveBaseline(os.Args[i+1], os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSpawnBaseline starts the baseline in a child process and checks that it answers a request
// signed with its key and refuses one signed with another.
func TestSpawnBaseline(t *testing.T) {
	b, err := spawnBaseline()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	client := &http.Client{}
	o := options{endpoint: b.url, accessKey: baselineAccessKey, secretKey: baselineSecretKey, region: "us-east-1", action: "GetUser"}
	body, status, err := sendRead(context.Background(), client, o, form(o, "UserName=load-0"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("signed with the baseline's key: HTTP %d, %v, %s", status, err, body)
	}
	o.secretKey = "wrong" + baselineSecretKey[5:]
	if _, status, err := sendRead(context.Background(), client, o, form(o, "UserName=load-0")); err != nil || status != http.StatusForbidden {
		t.Fatalf("signed with a wrong secret: HTTP %d, %v; want 403", status, err)
	}
}
