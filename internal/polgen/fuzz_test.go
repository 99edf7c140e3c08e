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
