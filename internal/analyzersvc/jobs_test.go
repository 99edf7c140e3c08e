package analyzersvc

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const acct = "123456789012"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testService is a Service on a fresh store with a fixed clock, seeded randomness, and gen in
// place of polgen.
func testService(t testing.TB, gen generateFunc) (*Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	db, err := sqlite.Config{Path: filepath.Join(t.TempDir(), "iamd.db")}.Open(ctx, logger)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Store: db, Authz: authz.New(db, logger, true), Rand: rand.NewChaCha8([32]byte{1}),
		Now: func() time.Time { return t0 }, Logger: logger})
	s.generate = gen
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	// The principal the jobs are for.
	err = db.Update(ctx, func(tx store.Tx) error {
		return tx.Create(ctx, &store.Entity{Account: acct, Kind: store.KindUser, Name: "bob", Path: "/", Created: t0, Data: []byte(`{"name":"bob","path":"/"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

var root = &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoot, Account: acct, ARN: "arn:aws:iam::" + acct + ":root"}}

func startFor(principal string) *sdk.StartPolicyGenerationInput {
	return &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: &principal}}
}

const bob = "arn:aws:iam::" + acct + ":user/bob"

// blocking is a generation that runs until it is canceled, telling started when it begins.
func blocking(started chan<- string) generateFunc {
	return func(ctx context.Context, _, principal string, _ *job) (*outcome, error) {
		started <- principal
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

func status(t *testing.T, s *Service, id string) *types.JobDetails {
	t.Helper()
	out, err := s.GetGeneratedPolicy(context.Background(), root, &sdk.GetGeneratedPolicyInput{JobId: &id})
	if err != nil {
		t.Fatalf("GetGeneratedPolicy %s: %v", id, err)
	}
	return out.JobDetails
}

func TestCancelInProgress(t *testing.T) {
	ctx := context.Background()
	started := make(chan string, 1)
	s, _ := testService(t, blocking(started))
	out, err := s.StartPolicyGeneration(ctx, root, startFor(bob))
	if err != nil {
		t.Fatal(err)
	}
	id := *out.JobId
	if got := <-started; got != bob {
		t.Errorf("generation for %s, want %s", got, bob)
	}
	if d := status(t, s, id); d.Status != types.JobStatusInProgress || d.CompletedOn != nil {
		t.Fatalf("running job: %+v, want IN_PROGRESS without completion", d)
	}
	// One job at a time.
	_, err = s.StartPolicyGeneration(ctx, root, startFor(bob))
	var q *types.ServiceQuotaExceededException
	if !errors.As(err, &q) {
		t.Errorf("second job while one runs: err = %v, want ServiceQuotaExceededException", err)
	}
	if _, err := s.CancelPolicyGeneration(ctx, root, &sdk.CancelPolicyGenerationInput{JobId: &id}); err != nil {
		t.Fatal(err)
	}
	s.wg.Wait() // the generation goroutine saw the cancel and stopped
	d := status(t, s, id)
	if d.Status != types.JobStatusCanceled || d.CompletedOn == nil || !d.CompletedOn.Equal(t0) {
		t.Errorf("canceled job: %+v, want CANCELED, completed at %v", d, t0)
	}
	// The slot is free again.
	if _, err := s.StartPolicyGeneration(ctx, root, startFor(bob)); err != nil {
		t.Errorf("job after cancel: %v", err)
	}
	<-started
}

func TestOutcomes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		principal string
		gen       generateFunc
		want      types.JobStatus
		wantErr   types.JobErrorCode
		policies  []string
	}{
		{"succeeded", bob, func(context.Context, string, string, *job) (*outcome, error) {
			return &outcome{Policies: []string{`{"Version":"2012-10-17","Statement":[]}`}, Complete: true}, nil
		}, types.JobStatusSucceeded, "", []string{`{"Version":"2012-10-17","Statement":[]}`}},
		{"generator failed", bob, func(context.Context, string, string, *job) (*outcome, error) {
			return nil, errors.New("boom")
		}, types.JobStatusFailed, types.JobErrorCodeServiceError, nil},
		{"no such principal", "arn:aws:iam::" + acct + ":user/ghost", func(context.Context, string, string, *job) (*outcome, error) {
			t.Error("generation ran for a principal that does not exist")
			return nil, nil
		}, types.JobStatusFailed, types.JobErrorCodeResourceNotFoundError, nil},
		{"wrong path", "arn:aws:iam::" + acct + ":user/eng/bob", func(context.Context, string, string, *job) (*outcome, error) {
			t.Error("generation ran for a principal on another path")
			return nil, nil
		}, types.JobStatusFailed, types.JobErrorCodeResourceNotFoundError, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := testService(t, tc.gen)
			out, err := s.StartPolicyGeneration(ctx, root, startFor(tc.principal))
			if err != nil {
				t.Fatal(err)
			}
			s.wg.Wait()
			got, err := s.GetGeneratedPolicy(ctx, root, &sdk.GetGeneratedPolicyInput{JobId: out.JobId})
			if err != nil {
				t.Fatal(err)
			}
			d := got.JobDetails
			var code types.JobErrorCode
			if d.JobError != nil {
				code = d.JobError.Code
			}
			if d.Status != tc.want || code != tc.wantErr {
				t.Errorf("%s: status %s, error %q; want %s, %q", tc.principal, d.Status, code, tc.want, tc.wantErr)
			}
			var policies []string
			for _, p := range got.GeneratedPolicyResult.GeneratedPolicies {
				policies = append(policies, *p.Policy)
			}
			if diff := cmp.Diff(tc.policies, policies); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOrphan: a job a stopped server left IN_PROGRESS reads as FAILED and frees its slot.
func TestOrphan(t *testing.T) {
	ctx := context.Background()
	started := make(chan string, 1)
	s, db := testService(t, blocking(started))
	orphan := &job{ID: "11111111-1111-4111-8111-111111111111", Principal: bob, Status: types.JobStatusInProgress, Started: t0.Add(-time.Hour)}
	if err := db.Update(ctx, func(tx store.Tx) error { return createJob(ctx, tx, acct, orphan) }); err != nil {
		t.Fatal(err)
	}
	d := status(t, s, orphan.ID)
	if d.Status != types.JobStatusFailed || d.JobError == nil || d.JobError.Code != types.JobErrorCodeServiceError {
		t.Errorf("orphaned job: %+v, want FAILED with SERVICE_ERROR", d)
	}
	if _, err := s.StartPolicyGeneration(ctx, root, startFor(bob)); err != nil {
		t.Errorf("start after an orphan: %v", err)
	}
	<-started
}

// TestDailyQuota: 50 jobs in 24 hours, canceled ones included; older ones do not count.
func TestDailyQuota(t *testing.T) {
	ctx := context.Background()
	s, db := testService(t, func(context.Context, string, string, *job) (*outcome, error) { return &outcome{}, nil })
	err := db.Update(ctx, func(tx store.Tx) error {
		for i := range MaxJobsPerDay {
			st := types.JobStatusSucceeded
			if i%2 == 0 {
				st = types.JobStatusCanceled
			}
			j := &job{ID: "00000000-0000-4000-8000-0000000000" + strconv.Itoa(10+i), Principal: bob, Status: st, Started: t0.Add(-time.Duration(i+1) * 20 * time.Minute)}
			if err := createJob(ctx, tx, acct, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The oldest job started 50 × 20 min = 16h40 ago: all 50 count.
	_, err = s.StartPolicyGeneration(ctx, root, startFor(bob))
	var q *types.ServiceQuotaExceededException
	if !errors.As(err, &q) {
		t.Fatalf("51st job in a day: err = %v, want ServiceQuotaExceededException", err)
	}
	// Eight hours later the oldest ones have aged out.
	s.now = func() time.Time { return t0.Add(8 * time.Hour) }
	if _, err := s.StartPolicyGeneration(ctx, root, startFor(bob)); err != nil {
		t.Errorf("job after the oldest aged out: %v", err)
	}
	s.wg.Wait()
}

func TestStartValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := testService(t, nil)
	past := func(d time.Duration) *time.Time { v := t0.Add(-d); return &v }
	role := "arn:aws:iam::" + acct + ":role/reader"
	trail := []types.Trail{{CloudTrailArn: ptr("arn:aws:cloudtrail:us-east-1:" + acct + ":trail/t")}}
	for _, tc := range []struct {
		name   string
		in     *sdk.StartPolicyGenerationInput
		reason types.ValidationExceptionReason
		fields []string
	}{
		{"no details", &sdk.StartPolicyGenerationInput{}, types.ValidationExceptionReasonFieldValidationFailed, []string{"policyGenerationDetails"}},
		{"no principal", &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{}}, types.ValidationExceptionReasonFieldValidationFailed, []string{"policyGenerationDetails.principalArn"}},
		{"trail details incomplete", &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: ptr(bob)}, CloudTrailDetails: &types.CloudTrailDetails{}},
			types.ValidationExceptionReasonFieldValidationFailed, []string{"cloudTrailDetails.startTime", "cloudTrailDetails.accessRole", "cloudTrailDetails.trails"}},
		{"not an ARN", startFor("bob"), types.ValidationExceptionReasonFieldValidationFailed, nil},
		{"a group", startFor("arn:aws:iam::" + acct + ":group/g"), types.ValidationExceptionReasonFieldValidationFailed, nil},
		{"another account", startFor("arn:aws:iam::111122223333:user/bob"), types.ValidationExceptionReasonNotSupported, nil},
		{"start in the future", &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: ptr(bob)},
			CloudTrailDetails: &types.CloudTrailDetails{StartTime: past(-time.Hour), AccessRole: &role, Trails: trail}}, types.ValidationExceptionReasonOther, nil},
		{"start after end", &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: ptr(bob)},
			CloudTrailDetails: &types.CloudTrailDetails{StartTime: past(time.Hour), EndTime: past(2 * time.Hour), AccessRole: &role, Trails: trail}}, types.ValidationExceptionReasonOther, nil},
		{"91 days", &sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: ptr(bob)},
			CloudTrailDetails: &types.CloudTrailDetails{StartTime: past(91 * 24 * time.Hour), AccessRole: &role, Trails: trail}}, types.ValidationExceptionReasonOther, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.StartPolicyGeneration(ctx, root, tc.in)
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want ValidationException", err)
			}
			var fields []string
			for _, f := range ve.FieldList {
				fields = append(fields, *f.Name)
			}
			if ve.Reason != tc.reason || !cmp.Equal(fields, tc.fields) {
				t.Errorf("reason %q, fields %v; want %q, %v (%s)", ve.Reason, fields, tc.reason, tc.fields, *ve.Message)
			}
		})
	}
}
