package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/server"
)

// The CloudTrail SDK module is not a dependency: these tests sign raw JSON 1.1 requests with
// the SDK's SigV4 signer, as the CloudTrail client would send them.

type ctResource struct{ ResourceType, ResourceName string }

type ctEvent struct {
	EventId, EventName, ReadOnly, AccessKeyId, EventSource, Username, CloudTrailEvent string
	EventTime                                                                         float64
	Resources                                                                         []ctResource
}

type ctOutput struct {
	Events    []ctEvent
	NextToken string
	Type      string `json:"__type"`
	Message   string `json:"message"`
}

// lookupEvents sends LookupEvents with the body (a JSON value) and returns the HTTP status and
// the decoded answer.
func lookupEvents(t *testing.T, srv *server.Server, id, secret string, body any) (int, ctOutput) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return signedJSON(t, srv, id, secret, "CloudTrail_20131101.LookupEvents", b)
}

func signedJSON(t *testing.T, srv *server.Server, id, secret, target string, b []byte) (int, ctOutput) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(b)
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cloudtrail", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("%s: Content-Type = %q, want application/x-amz-json-1.1 (body %s)", target, ct, raw)
	}
	var out ctOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v: %s", target, err, raw)
	}
	return resp.StatusCode, out
}

// lookupOK runs a lookup that must succeed.
func lookupOK(t *testing.T, srv *server.Server, body any) ctOutput {
	t.Helper()
	status, out := lookupEvents(t, srv, rootKey, rootSecret, body)
	if status != http.StatusOK {
		t.Fatalf("LookupEvents %v: status %d, %s: %s", body, status, out.Type, out.Message)
	}
	return out
}

func attr(k, v string) map[string]any {
	return map[string]any{"LookupAttributes": []map[string]string{{"AttributeKey": k, "AttributeValue": v}}}
}

func names(evs []ctEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.EventName)
	}
	return out
}

// iamNames are the names of the events that are not lookups.
func iamNames(evs []ctEvent) []string {
	var out []string
	for _, n := range names(evs) {
		if n != "LookupEvents" {
			out = append(out, n)
		}
	}
	return out
}

func TestLookupEvents(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	before := time.Now().Add(-time.Second).Unix()
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	aliceID, aliceSecret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	_, err := root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nobody")})
	wantCode(t, "GetGroup", err, "NoSuchEntity", "")

	all := lookupOK(t, srv, map[string]any{})
	if got, want := names(all.Events), []string{"GetGroup", "CreateAccessKey", "GetUser", "CreateUser"}; !cmp.Equal(got, want) {
		t.Fatalf("all events, newest first: %v, want %v", got, want)
	}
	if all.NextToken != "" {
		t.Errorf("NextToken = %q with everything on one page", all.NextToken)
	}
	cu := all.Events[3]
	wantCU := ctEvent{EventId: cu.EventId, EventName: "CreateUser", ReadOnly: "false", AccessKeyId: rootKey, EventSource: "iam.amazonaws.com",
		Username: "root", Resources: []ctResource{{"AWS::IAM::User", "alice"}}, EventTime: cu.EventTime, CloudTrailEvent: cu.CloudTrailEvent}
	if diff := cmp.Diff(wantCU, cu); diff != "" {
		t.Errorf("CreateUser event (-want +got):\n%s", diff)
	}
	if now := time.Now().Unix(); int64(cu.EventTime) < before || int64(cu.EventTime) > now {
		t.Errorf("EventTime = %v, want between %d and %d", cu.EventTime, before, now)
	}
	var rec struct {
		EventID, EventName, EventSource string
		RequestParameters               map[string]any
		UserIdentity                    struct{ Type, AccessKeyID string }
	}
	if err := json.Unmarshal([]byte(cu.CloudTrailEvent), &rec); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v: %s", err, cu.CloudTrailEvent)
	}
	if rec.EventID != cu.EventId || rec.EventName != "CreateUser" || rec.UserIdentity.Type != "Root" || rec.RequestParameters["userName"] != "alice" {
		t.Errorf("CloudTrailEvent = %s, want the CreateUser record of event %s", cu.CloudTrailEvent, cu.EventId)
	}
	if all.Events[2].ReadOnly != "true" {
		t.Errorf("GetUser ReadOnly = %q, want \"true\"", all.Events[2].ReadOnly)
	}

	future := float64(time.Now().Add(time.Hour).Unix())
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"EventName", attr("EventName", "CreateUser"), []string{"CreateUser"}},
		{"EventId", attr("EventId", cu.EventId), []string{"CreateUser"}},
		{"ReadOnly true", attr("ReadOnly", "true"), []string{"GetGroup", "GetUser"}},
		{"ReadOnly false", attr("ReadOnly", "false"), []string{"CreateAccessKey", "CreateUser"}},
		{"Username", attr("Username", "root"), []string{"GetGroup", "CreateAccessKey", "GetUser", "CreateUser"}},
		{"Username nobody", attr("Username", "alice"), nil},
		{"ResourceName", attr("ResourceName", "alice"), []string{"CreateAccessKey", "GetUser", "CreateUser"}},
		{"ResourceType", attr("ResourceType", "AWS::IAM::Group"), []string{"GetGroup"}},
		{"EventSource", attr("EventSource", "iam.amazonaws.com"), []string{"GetGroup", "CreateAccessKey", "GetUser", "CreateUser"}},
		{"EventSource sts", attr("EventSource", "sts.amazonaws.com"), nil},
		{"AccessKeyId", attr("AccessKeyId", rootKey), []string{"GetGroup", "CreateAccessKey", "GetUser", "CreateUser"}},
		{"StartTime in the future", map[string]any{"StartTime": future}, nil},
		{"EndTime before", map[string]any{"EndTime": float64(before - 60)}, nil},
		{"time range around", map[string]any{"StartTime": float64(before), "EndTime": future, "LookupAttributes": attr("EventName", "GetUser")["LookupAttributes"]}, []string{"GetUser"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Lookups are recorded too (see "authorization"); these cases are about the rest.
			if got := iamNames(lookupOK(t, srv, tc.body).Events); !cmp.Equal(got, tc.want) {
				t.Errorf("LookupEvents %v = %v, want %v", tc.body, got, tc.want)
			}
		})
	}

	t.Run("pagination", func(t *testing.T) {
		// EventSource iam: the lookups themselves (cloudtrail) do not shift the pages.
		body := attr("EventSource", "iam.amazonaws.com")
		body["MaxResults"] = 1
		first := lookupOK(t, srv, body)
		if again := lookupOK(t, srv, body); again.NextToken != first.NextToken || first.NextToken == "" {
			t.Errorf("NextToken %q then %q, want the same non-empty token", first.NextToken, again.NextToken)
		}
		var got []string
		page := first
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			if len(page.Events) != 1 {
				t.Fatalf("page %d has %d events with MaxResults 1", pages, len(page.Events))
			}
			got = append(got, page.Events[0].EventId)
			if page.NextToken == "" {
				break
			}
			body["NextToken"] = page.NextToken
			page = lookupOK(t, srv, body)
		}
		var want []string
		for _, e := range all.Events {
			want = append(want, e.EventId)
		}
		if !cmp.Equal(got, want) {
			t.Errorf("pages of 1 gave %v, one page gave %v", got, want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		tok := lookupOK(t, srv, map[string]any{"MaxResults": 1}).NextToken
		two := []map[string]string{{"AttributeKey": "EventName", "AttributeValue": "GetUser"}, {"AttributeKey": "Username", "AttributeValue": "root"}}
		for _, tc := range []struct {
			name string
			body map[string]any
			code string
		}{
			{"two attributes", map[string]any{"LookupAttributes": two}, "InvalidLookupAttributesException"},
			{"unknown key", attr("Color", "blue"), "InvalidLookupAttributesException"},
			{"empty value", attr("EventName", ""), "InvalidLookupAttributesException"},
			{"ReadOnly not a bool", attr("ReadOnly", "yes"), "InvalidLookupAttributesException"},
			{"start after end", map[string]any{"StartTime": future, "EndTime": float64(before)}, "InvalidTimeRangeException"},
			{"MaxResults 0", map[string]any{"MaxResults": 0}, "InvalidMaxResultsException"},
			{"MaxResults 51", map[string]any{"MaxResults": 51}, "InvalidMaxResultsException"},
			{"NextToken garbage", map[string]any{"NextToken": "not a token"}, "InvalidNextTokenException"},
			{"NextToken of another lookup", map[string]any{"NextToken": tok, "LookupAttributes": two[:1]}, "InvalidNextTokenException"},
			{"EventCategory", map[string]any{"EventCategory": "data"}, "InvalidEventCategoryException"},
			{"not an object", map[string]any{"MaxResults": "many"}, "SerializationException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, out := lookupEvents(t, srv, rootKey, rootSecret, tc.body)
				if status != http.StatusBadRequest || out.Type != tc.code || out.Message == "" {
					t.Errorf("LookupEvents %v = %d %s %q, want 400 %s with a message", tc.body, status, out.Type, out.Message, tc.code)
				}
			})
		}
		status, out := signedJSON(t, srv, rootKey, rootSecret, "CloudTrail_20131101.DeleteTrail", []byte(`{"Name":"x"}`))
		if status != http.StatusBadRequest || out.Type != "UnknownOperationException" {
			t.Errorf("DeleteTrail = %d %s, want 400 UnknownOperationException", status, out.Type)
		}
		status, out = lookupEvents(t, srv, rootKey, "wrong"+rootSecret[5:], map[string]any{})
		if status != http.StatusForbidden || out.Type != "SignatureDoesNotMatch" {
			t.Errorf("bad signature = %d %s, want 403 SignatureDoesNotMatch as JSON", status, out.Type)
		}
	})

	t.Run("authorization", func(t *testing.T) {
		status, out := lookupEvents(t, srv, aliceID, aliceSecret, map[string]any{})
		want := "User: arn:aws:iam::" + testAccount + ":user/alice is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action"
		if status != http.StatusBadRequest || out.Type != "AccessDeniedException" || out.Message != want {
			t.Errorf("alice without policy = %d %s %q, want 400 AccessDeniedException %q", status, out.Type, out.Message, want)
		}
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("trail"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}`)}))
		status, out = lookupEvents(t, srv, aliceID, aliceSecret, attr("EventName", "CreateUser"))
		if status != http.StatusOK || len(out.Events) != 1 || out.Events[0].EventId != cu.EventId {
			t.Errorf("alice with policy = %d %s %+v, want the CreateUser event", status, out.Type, out.Events)
		}
		// Every lookup, allowed or denied, is in the trail under cloudtrail.amazonaws.com.
		mine := lookupOK(t, srv, attr("Username", "alice")).Events
		if got, want := names(mine), []string{"LookupEvents", "LookupEvents"}; !cmp.Equal(got, want) {
			t.Fatalf("alice's events = %v, want %v", got, want)
		}
		var denied struct{ EventSource, ErrorCode, EventName string }
		if err := json.Unmarshal([]byte(mine[1].CloudTrailEvent), &denied); err != nil {
			t.Fatal(err)
		}
		if want := (struct{ EventSource, ErrorCode, EventName string }{"cloudtrail.amazonaws.com", "AccessDeniedException", "LookupEvents"}); denied != want {
			t.Errorf("denied lookup's record = %+v, want %+v", denied, want)
		}
		if mine[0].EventSource != "cloudtrail.amazonaws.com" || mine[0].AccessKeyId != aliceID || mine[0].ReadOnly != "true" {
			t.Errorf("allowed lookup's event = %+v", mine[0])
		}
	})
}

// TestLookupEventsCLI drives `aws cloudtrail lookup-events` (skipped without the CLI, as in
// TestAWSCLI).
func TestLookupEventsCLI(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	if _, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, "iam", "create-user", "--user-name", "bob"); !ok {
		t.Fatalf("create-user: %s", errOut)
	}
	out, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=bob",
		"--start-time", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "--max-results", "5")
	if !ok {
		t.Fatalf("lookup-events: %s", errOut)
	}
	var got struct {
		Events []struct {
			EventName, Username string
			Resources           []ctResource
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("lookup-events output: %v: %s", err, out)
	}
	if len(got.Events) != 1 || got.Events[0].EventName != "CreateUser" || got.Events[0].Username != "root" ||
		!cmp.Equal(got.Events[0].Resources, []ctResource{{"AWS::IAM::User", "bob"}}) {
		t.Errorf("lookup-events = %s, want bob's CreateUser", out)
	}
	_, errOut, ok = awsCLI(t, srv, rootKey, rootSecret, "cloudtrail", "lookup-events", "--max-results", "51")
	if ok || !strings.Contains(errOut, "InvalidMaxResultsException") {
		t.Errorf("lookup-events --max-results 51: ok=%v stderr=%s", ok, errOut)
	}
}
