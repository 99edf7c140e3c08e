package polgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// referenceRecord reads the same fields as parseRecord with encoding/json, the oracle.
func referenceRecord(b []byte) (record, bool) {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || m == nil {
		return record{}, false
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	obj := func(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }
	var r record
	r.EventTime, r.EventSource, r.EventName, r.EventType = str(m, "eventTime"), str(m, "eventSource"), str(m, "eventName"), str(m, "eventType")
	r.AWSRegion, r.ErrorCode, r.Recipient = str(m, "awsRegion"), str(m, "errorCode"), str(m, "recipientAccountId")
	if id := obj(m, "userIdentity"); id != nil {
		r.UserIdentity.Type, r.UserIdentity.ARN, r.UserIdentity.AccountID = str(id, "type"), str(id, "arn"), str(id, "accountId")
		r.UserIdentity.IssuerARN = str(obj(obj(id, "sessionContext"), "sessionIssuer"), "arn")
	}
	if rs, ok := m["resources"].([]any); ok {
		for _, e := range rs {
			if o, ok := e.(map[string]any); ok && str(o, "ARN") != "" {
				r.Resources = append(r.Resources, resource{ARN: str(o, "ARN"), Type: str(o, "type")})
			}
		}
	}
	return r, true
}

// FuzzParseRecord checks the record scanner against encoding/json: on any valid JSON object it
// must read the same fields (and it must never panic on anything).
func FuzzParseRecord(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*/input.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var in struct{ Records []json.RawMessage }
		if err := json.Unmarshal(b, &in); err != nil {
			f.Fatal(err)
		}
		for _, r := range in.Records {
			f.Add([]byte(r))
		}
	}
	f.Add([]byte(`{"eventName":"a\u00e9\ud83d\ude00\/","event\u004eame":"b","userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"x","arn":null}}},"resources":[1,{"ARN":"a"},{"type":"t"}]}`))
	f.Add([]byte(` {"eventName" : "x" , "n" : -1.5e+3 , "t" : [true,false,null,{}] } `))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got record
		err := parseRecord(b, &got)
		want, ok := referenceRecord(b)
		if !ok || !utf8.Valid(b) {
			return // not a JSON object: the scanner may accept or refuse it, but must not panic
		}
		if err != nil {
			t.Fatalf("parseRecord(%q) = %v, but encoding/json reads it", b, err)
		}
		got.RequestParameters, got.ResponseElements = nil, nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("parseRecord(%q) (-encoding/json +scanner):\n%s", b, diff)
		}
	})
}

// FuzzGenerate feeds one record, whatever it holds, to generators for the principals of the
// golden cases: Add may refuse it, but Result must always give a policy that validates.
func FuzzGenerate(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*/input.json")
	var principals []string
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var in struct {
			Principal string
			Records   []json.RawMessage
		}
		if err := json.Unmarshal(b, &in); err != nil {
			f.Fatal(err)
		}
		principals = append(principals, in.Principal)
		for _, r := range in.Records {
			f.Add([]byte(r))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range principals {
			g, err := New(Options{Principal: p, Catalog: fuzzCatalog(t), Lint: adaptFuzzCatalog()})
			if err != nil {
				t.Fatal(err)
			}
			_ = g.Add(b)
			if _, err := g.Result(); err != nil {
				t.Fatalf("Result after Add(%q): %v", b, err)
			}
		}
	})
}

// FuzzGenerateCall builds a record of the role from fuzzed event source, name, Region, request
// parameters and resources: Result must always give a policy that validates.
func FuzzGenerateCall(f *testing.F) {
	f.Add("iam.amazonaws.com", "CreateUser", "us-east-1", `{"userName":"bob","path":"/a/"}`, `[]`)
	f.Add("s3.amazonaws.com", "CopyObject", "eu-west-1", `{"bucketName":"b","key":"k","x-amz-copy-source":"b/%41?versionId=1"}`, `[{"ARN":"arn:aws:s3:::b/k","type":"AWS::S3::Object"}]`)
	f.Add("lambda.amazonaws.com", "CreateFunction20150331", "mars-1", `{"functionName":"f","role":"arn:aws:iam::111122223333:role/r"}`, `null`)
	f.Add("kms.amazonaws.com", "Decrypt", "", `null`, `[{"ARN":"arn:aws:kms:us-east-1:1:key/k"}]`)
	f.Add("secretsmanager.amazonaws.com", "GetSecretValue", "us-east-1", `{"secretId":"a*b"}`, `[]`)
	f.Fuzz(func(t *testing.T, source, name, region, params, resources string) {
		if !json.Valid([]byte(params)) || !json.Valid([]byte(resources)) {
			return
		}
		rec := map[string]any{
			"eventTime": "2024-06-01T12:00:00Z", "eventSource": source, "eventName": name, "awsRegion": region,
			"eventType": "AwsApiCall", "recipientAccountId": "111122223333",
			"userIdentity": map[string]any{"type": "AssumedRole", "accountId": "111122223333",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"arn": "arn:aws:iam::111122223333:role/AppRole"}}},
			"requestParameters": json.RawMessage(params), "resources": json.RawMessage(resources),
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return
		}
		g, err := New(Options{Principal: "arn:aws:iam::111122223333:role/AppRole", Catalog: fuzzCatalog(t), Lint: adaptFuzzCatalog()})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Add(b); err != nil {
			t.Fatalf("Add(%s): %v", b, err)
		}
		if _, err := g.Result(); err != nil {
			t.Fatalf("Result after Add(%s): %v", b, err)
		}
	})
}
