package exposure

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamd-dev/iamd/internal/policy"
)

// TestCorpusWitnesses runs Analyze over every resource and trust policy of the policy engine's
// scenario files (../policy/testdata/eval) for two owning accounts: it must not fail on any,
// and the engine must allow every witness it reports.
func TestCorpusWitnesses(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "policy", "testdata", "eval", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	analyzed, found := 0, 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			Policies []struct {
				Kind     string          `json:"kind"`
				Document json.RawMessage `json:"document"`
			} `json:"policies"`
		}
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, p := range sc.Policies {
			kind := map[string]policy.Kind{"Resource": policy.Resource, "Trust": policy.Trust}[p.Kind]
			if kind == 0 {
				continue
			}
			for _, acct := range []string{"123456789012", "111122223333"} {
				fs, err := Analyze(string(p.Document), kind, acct)
				if err != nil {
					t.Errorf("%s: Analyze(%s, %v, %s): %v", file, p.Document, kind, acct, err)
					continue
				}
				analyzed++
				for _, f := range fs {
					found++
					confirm(t, string(p.Document), kind, acct, f)
				}
			}
		}
	}
	if analyzed == 0 || found == 0 {
		t.Errorf("analyzed %d policies with %d findings; the corpus should yield some", analyzed, found)
	}
	t.Logf("analyzed %d policies, %d findings", analyzed, found)
}

// FuzzAnalyze checks that Analyze never panics and that the engine allows every witness it
// reports, whatever the document.
func FuzzAnalyze(f *testing.F) {
	f.Add(doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a"}}}`), true)
	f.Add(doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333","Federated":"accounts.google.com"},"Action":"sts:AssumeRole*","Condition":{"NumericLessThan":{"x:n":"3"}}}`), false)
	f.Add(doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}`,
		`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), true)
	f.Fuzz(func(t *testing.T, text string, resource bool) {
		kind := policy.Trust
		if resource {
			kind = policy.Resource
		}
		fs, err := Analyze(text, kind, own)
		if err != nil {
			return
		}
		for _, fd := range fs {
			confirm(t, text, kind, own, fd)
		}
	})
}
