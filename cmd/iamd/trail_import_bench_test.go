package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkTrailImport times `iamd trail import` of real-format CloudTrail log files (issue 7:
// 10⁶ records in < 60 s on 2 cores). It only runs with -bench. The files (AWSLogs layout,
// 1,000 records per .json.gz file, IAMD_BENCH_IMPORT_RECORDS records in all, default 10⁶) are
// generated once into IAMD_BENCH_TRAIL_DIR (kept for later runs) or a temporary directory:
//
//	IAMD_BENCH_TRAIL_DIR=/tmp/awslogs-1m go test ./cmd/iamd -run '^$' -bench TrailImport -benchtime 1x
//
// The same directory can then be timed with the binary: time iamd trail import /tmp/awslogs-1m --to /tmp/import.db
func BenchmarkTrailImport(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("IAMD_BENCH_IMPORT_RECORDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("IAMD_BENCH_IMPORT_RECORDS=%q", s)
		}
	}
	dir := os.Getenv("IAMD_BENCH_TRAIL_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, "AWSLogs")); err != nil {
		start := time.Now()
		if err := writeBenchLogs(dir, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d records in %s", n, time.Since(start).Round(time.Millisecond))
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		to := filepath.Join(b.TempDir(), "import.db")
		b.StartTimer()
		start, cpu := time.Now(), cpuSeconds()
		var out bytes.Buffer
		if err := run(context.Background(), []string{"trail", "import", dir, "--to", to}, func(string) string { return "" }, &out, io.Discard); err != nil {
			b.Fatalf("trail import: %v\n%s", err, out.String())
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
		b.ReportMetric(cpuSeconds()-cpu, "cpu-s/op")
		b.Logf("%s", bytes.TrimSpace(out.Bytes()))
	}
}

// writeBenchLogs writes n CloudTrail records as AWS delivers them: gzipped JSON files of 1,000
// records under AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, one file per five minutes.
func writeBenchLogs(dir string, n int) error {
	const account, perFile = "111122223333", 1000
	r := rand.New(rand.NewPCG(3, 5))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for f := 0; f*perFile < n; f++ {
		at := t0.Add(time.Duration(f) * 5 * time.Minute)
		var recs []map[string]any
		for i := f * perFile; i < min((f+1)*perFile, n); i++ {
			recs = append(recs, benchRecord(r, account, at.Add(time.Duration(i%perFile)*300*time.Millisecond)))
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(map[string]any{"Records": recs}); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		sub := filepath.Join(dir, "AWSLogs", account, "CloudTrail", "us-east-1", at.Format("2006"), at.Format("01"), at.Format("02"))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		name := fmt.Sprintf("%s_CloudTrail_us-east-1_%s_%016X.json.gz", account, at.Add(5*time.Minute).Format("20060102T1504Z"), r.Uint64())
		if err := os.WriteFile(filepath.Join(sub, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// benchRecord is one management event in CloudTrail's format, from an IAM user, a role session
// or an AWS service, on IAM, STS, S3 or EC2, about 1 KB of JSON.
func benchRecord(r *rand.Rand, account string, at time.Time) map[string]any {
	u := r.IntN(300)
	user := fmt.Sprintf("dev-%03d", u)
	id := fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	rec := map[string]any{
		"eventVersion": "1.09", "eventTime": at.Format(time.RFC3339), "awsRegion": "us-east-1",
		"sourceIPAddress": fmt.Sprintf("198.51.100.%d", u%250),
		"userAgent":       "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0-18-cloud-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard",
		"requestID":       id[:24] + "0123456789ab", "eventID": id, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": account, "eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "iam.amazonaws.com"},
	}
	switch k := r.IntN(10); {
	case k < 5:
		rec["userIdentity"] = map[string]any{"type": "IAMUser", "principalId": fmt.Sprintf("AIDA%017d", u), "arn": "arn:aws:iam::" + account + ":user/" + user,
			"accountId": account, "accessKeyId": fmt.Sprintf("AKIA%016d", u), "userName": user}
	case k < 9:
		role := fmt.Sprintf("deploy-%02d", u%40)
		rec["userIdentity"] = map[string]any{"type": "AssumedRole", "principalId": fmt.Sprintf("AROA%017d:%s", u%40, user),
			"arn": "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + user, "accountId": account, "accessKeyId": fmt.Sprintf("ASIA%016d", r.IntN(1e6)),
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": fmt.Sprintf("AROA%017d", u%40), "arn": "arn:aws:iam::" + account + ":role/" + role, "accountId": account, "userName": role},
				"attributes":    map[string]any{"creationDate": at.Add(-10 * time.Minute).Format(time.RFC3339), "mfaAuthenticated": "false"}}}
	default:
		rec["userIdentity"] = map[string]any{"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}
	}
	target := fmt.Sprintf("svc-%04d", r.IntN(3000))
	switch k := r.IntN(4); k {
	case 0:
		rec["eventSource"], rec["eventName"], rec["readOnly"] = "iam.amazonaws.com", []string{"GetUser", "ListRoles", "GetRole", "CreateRole", "AttachRolePolicy", "PutRolePolicy"}[r.IntN(6)], false
		rec["requestParameters"] = map[string]any{"roleName": target, "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
		rec["resources"] = []map[string]any{{"ARN": "arn:aws:iam::" + account + ":role/" + target, "accountId": account, "type": "AWS::IAM::Role"}}
	case 1:
		rec["eventSource"], rec["eventName"], rec["readOnly"] = "sts.amazonaws.com", "AssumeRole", false
		rec["requestParameters"] = map[string]any{"roleArn": "arn:aws:iam::" + account + ":role/" + target, "roleSessionName": user, "durationSeconds": 3600}
		rec["responseElements"] = map[string]any{"credentials": map[string]any{"accessKeyId": fmt.Sprintf("ASIA%016d", r.IntN(1e6)), "expiration": at.Add(time.Hour).Format("Jan 2, 2006 3:04:05 PM")},
			"assumedRoleUser": map[string]any{"assumedRoleId": "AROA00000000000000001:" + user, "arn": "arn:aws:sts::" + account + ":assumed-role/" + target + "/" + user}}
		rec["resources"] = []map[string]any{{"ARN": "arn:aws:iam::" + account + ":role/" + target, "accountId": account, "type": "AWS::IAM::Role"}}
	case 2:
		rec["eventSource"], rec["eventName"], rec["readOnly"] = "s3.amazonaws.com", "ListBuckets", true
		rec["requestParameters"] = map[string]any{"Host": "s3.us-east-1.amazonaws.com"}
	default:
		rec["eventSource"], rec["eventName"], rec["readOnly"] = "ec2.amazonaws.com", "DescribeInstances", true
		rec["requestParameters"] = map[string]any{"instancesSet": map[string]any{"items": []map[string]any{{"instanceId": fmt.Sprintf("i-%017x", r.Uint64()>>4)}}},
			"filterSet": map[string]any{"items": []map[string]any{{"name": "tag:team", "valueSet": map[string]any{"items": []map[string]any{{"value": target}}}}}}}
	}
	return rec
}
