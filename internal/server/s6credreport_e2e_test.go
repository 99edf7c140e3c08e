package server_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestS6CredReportStates: GenerateCredentialReport answers as the IAM API Reference's example
// does: the first call (no report yet) is STARTED with "No report exists. Starting a new report
// generation task", and a call while that report is fresh is COMPLETE. GetCredentialReport
// serves the report right after the STARTED answer, and a later Generate does not rebuild it.
func TestS6CredReportStates(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	_, err := root.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantCode(t, "GetCredentialReport before any report", err, "ReportNotPresent", "")

	must[*iam.CreateUserOutput](t, "CreateUser ann")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}))
	must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey ann")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ann")}))

	type answer struct {
		State       types.ReportStateType
		Description string
	}
	generate := func(what string) answer {
		t.Helper()
		out := must[*iam.GenerateCredentialReportOutput](t, what)(root.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
		return answer{out.State, aws.ToString(out.Description)}
	}
	if d := cmp.Diff(answer{types.ReportStateTypeStarted, "No report exists. Starting a new report generation task"}, generate("first GenerateCredentialReport")); d != "" {
		t.Errorf("first GenerateCredentialReport (-want +got):\n%s", d)
	}

	// The report exists at once, with the root user and ann.
	rep := must[*iam.GetCredentialReportOutput](t, "GetCredentialReport after STARTED")(root.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil {
		t.Errorf("GetCredentialReport: format %q, generated %v; want text/csv and a time", rep.ReportFormat, rep.GeneratedTime)
	}
	users := reportUsers(t, rep.Content)
	if d := cmp.Diff([]string{"<root_account>", "ann"}, users); d != "" {
		t.Errorf("report users (-want +got):\n%s", d)
	}

	// A second call while the report is fresh: COMPLETE, and the report is the same one (a user
	// created since is not in it, and its generation time is unchanged).
	must[*iam.CreateUserOutput](t, "CreateUser bob")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	if d := cmp.Diff(answer{State: types.ReportStateTypeComplete}, generate("second GenerateCredentialReport")); d != "" {
		t.Errorf("second GenerateCredentialReport (-want +got):\n%s", d)
	}
	again := must[*iam.GetCredentialReportOutput](t, "GetCredentialReport after COMPLETE")(root.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	if d := cmp.Diff(users, reportUsers(t, again.Content)); d != "" {
		t.Errorf("report users after a COMPLETE answer (-first +now):\n%s", d)
	}
	if !aws.ToTime(again.GeneratedTime).Equal(aws.ToTime(rep.GeneratedTime)) {
		t.Errorf("GeneratedTime after a COMPLETE answer = %v, want the first report's %v", again.GeneratedTime, rep.GeneratedTime)
	}
	if d := cmp.Diff(answer{State: types.ReportStateTypeComplete}, generate("third GenerateCredentialReport")); d != "" {
		t.Errorf("third GenerateCredentialReport (-want +got):\n%s", d)
	}
}

// reportUsers parses a credential report and returns its user column, checking the header and
// that every row has as many columns.
func reportUsers(t *testing.T, content []byte) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(content))).ReadAll()
	if err != nil {
		t.Fatalf("credential report is not CSV: %v\n%s", err, content)
	}
	if len(rows) == 0 || len(rows[0]) != 22 || rows[0][0] != "user" || rows[0][1] != "arn" {
		t.Fatalf("credential report header = %v, want AWS's 22 columns beginning user,arn", rows)
	}
	var users []string
	for _, r := range rows[1:] {
		users = append(users, r[0])
	}
	return users
}
