package trail_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/iamapi"
	"github.com/iamd-dev/iamd/internal/api/stsapi"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/trail"
)

// TestBuildColumnsMatchRecord: the indexed fields Build returns beside a record are the ones
// `iamd trail verify` and `iamd trail import` derive from the record's bytes (audit.Summarize),
// for random calls of every IAM and STS action by every kind of caller, failed or not. Build
// finds the parameters' resources while encoding them; this checks that it finds the ones the
// record names.
func TestBuildColumnsMatchRecord(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(7, 8))}
	type svc struct {
		name string
		ops  map[string]middlewareOp
	}
	role := "arn:aws:iam::123456789012:role/path/deploy"
	n := 0
	for _, s := range []svc{{"iam", opsOf(iamapi.Service(nil).Ops)}, {"sts", opsOf(stsapi.Service(nil).Ops)}} {
		for _, action := range slices.Sorted(func(yield func(string) bool) {
			for k := range s.ops {
				if !yield(k) {
					return
				}
			}
		}) {
			for j, c := range callers() {
				in := reflect.New(s.ops[action].InputType())
				g.fill(in.Elem(), 0)
				call := &trail.Call{Service: s.name, Action: action, Account: []string{"123456789012", ""}[n%7/6], RequestID: "req-1",
					Time:   time.Unix(1700000000+int64(n), int64(g.r.IntN(1e9))).In(time.FixedZone("y", 3600)),
					Caller: c, AccessKeyID: []string{"AKIACLAIM", "AKIA\xffBAD"}[g.r.IntN(2)], Params: in.Interface()}
				if a, ok := call.Params.(*stssdk.AssumeRoleInput); ok && n%2 == 0 {
					a.RoleArn = aws.String(role) // a successful assumption: the record names the role
				}
				if n%5 == 0 {
					call.ErrCode, call.ErrMsg = "AccessDenied", "no"
				}
				n++
				rec, err := trail.Build(call)
				if err != nil {
					t.Fatalf("%s: Build: %v", action, err)
				}
				want, err := audit.Summarize(rec.JSON)
				if err != nil {
					t.Fatalf("%s: Summarize(%s): %v", action, rec.JSON, err)
				}
				got := audit.Summary{Time: rec.Time, Account: rec.Account, Source: rec.Source, Name: rec.Name, ID: rec.ID,
					Username: rec.Username, AccessKey: rec.AccessKey, ReadOnly: rec.ReadOnly, Resources: rec.Resources}
				if !got.Time.Equal(call.Time) || !got.Time.Truncate(time.Second).Equal(want.Time) {
					t.Fatalf("%s: Build time %v for a call at %v; the record says %v", action, got.Time, call.Time, want.Time)
				}
				got.Time = want.Time
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s, caller %d: record %s\nBuild's fields (-Summarize +Build):\n%s", action, j, rec.JSON, diff)
				}
				if _, err := audit.CheckIndex(1, rec.JSON, got); err != nil {
					t.Fatalf("%s: CheckIndex of Build's own fields: %v", action, err)
				}
			}
		}
	}
}

// TestBuildAssumeRoleResources: a successful AssumeRole is found by the role's ARN and name; a
// denied one names no role, as AWS's record of it does not.
func TestBuildAssumeRoleResources(t *testing.T) {
	role := "arn:aws:iam::111122223333:role/deploy"
	for _, tc := range []struct {
		name    string
		errCode string
		want    []string
	}{
		{"success", "", []string{"AWS::IAM::Role\x00" + role, "AWS::IAM::Role\x00deploy"}},
		// AWS records a denied AssumeRole with "requestParameters":null and no resources.
		{"denied", "AccessDenied", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := trail.Build(&trail.Call{Service: "sts", Action: "AssumeRole", Account: "111122223333", Time: time.Unix(1700000000, 0),
				Params: &stssdk.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s")}, ErrCode: tc.errCode})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rec.Resources); diff != "" {
				t.Errorf("Build(AssumeRole %s).Resources (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}
