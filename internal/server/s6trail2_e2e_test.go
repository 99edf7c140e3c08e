package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/trail"
)

// TestS6TrailLargeParamsOmitted: a call whose requestParameters would be over CloudTrail's
// 100 KB (trail.MaxFieldSize) is recorded with requestParameters {"omitted":true}, as the
// CloudTrail User Guide's record contents describe truncated fields, so that an unsigned
// AssumeRoleWithWebIdentity carrying a 500 KB RoleSessionName makes a record of a few KB, not
// of 500 KB. The record still verifies, its lookup columns are the ones it implies, and it no
// longer names the resources of the parameters it leaves out.
func TestS6TrailLargeParamsOmitted(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	big := strings.Repeat("s", 500<<10)

	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::" + testAccount + ":role/web"}, "RoleSessionName": {big}, "WebIdentityToken": {"eyJ"}}
	resp, err := http.Post(srv.Endpoint()+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>ValidationError</Code>") {
		t.Fatalf("unsigned AssumeRoleWithWebIdentity with a 500 KB RoleSessionName: %d %.300s, want 400 ValidationError", resp.StatusCode, body)
	}
	// A signed call that names a user and carries a 300 KB policy document.
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[],"Pad":"` + strings.Repeat("p", 300<<10) + `"}`)})
	if err == nil {
		t.Fatalf("PutUserPolicy with a 300 KB document succeeded")
	}
	// And one whose parameters are small: recorded whole.
	must[*iam.CreateUserOutput](t, "CreateUser bob")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))

	for _, tc := range []struct {
		event      string
		params     string // requestParameters; "" for the parameters sent
		user       string // the resource lookup that finds the record, "" for none
		notFoundBy string // a resource lookup that must not find it
	}{
		{event: "AssumeRoleWithWebIdentity", params: `{"omitted":true}`},
		{event: "PutUserPolicy", params: `{"omitted":true}`, notFoundBy: "bob"},
		{event: "CreateUser", user: "bob"},
	} {
		t.Run(tc.event, func(t *testing.T) {
			evs := lookupOK(t, srv, attr("EventName", tc.event)).Events
			if len(evs) != 1 {
				t.Fatalf("LookupEvents EventName %s: %d events, want 1", tc.event, len(evs))
			}
			raw := evs[0].CloudTrailEvent
			if len(raw) > 4<<10 {
				t.Errorf("the record is %d bytes, want at most 4 KiB", len(raw))
			}
			var rec struct {
				RequestParameters json.RawMessage `json:"requestParameters"`
				ErrorCode         string          `json:"errorCode"`
			}
			if err := json.Unmarshal([]byte(raw), &rec); err != nil {
				t.Fatalf("the record is not JSON: %v: %.300s", err, raw)
			}
			if tc.params != "" && string(rec.RequestParameters) != tc.params {
				t.Errorf("requestParameters = %.100s (%d bytes), want %s", rec.RequestParameters, len(rec.RequestParameters), tc.params)
			}
			if tc.params == "" && string(rec.RequestParameters) != `{"userName":"bob"}` {
				t.Errorf("requestParameters = %s, want {\"userName\":\"bob\"}", rec.RequestParameters)
			}
			var found []string
			for _, r := range evs[0].Resources {
				found = append(found, r.ResourceType+" "+r.ResourceName)
			}
			if want := tc.user != ""; want != (len(found) > 0) {
				t.Errorf("LookupEvents resources of the %s record = %v, want them only when it names a user (%q)", tc.event, found, tc.user)
			}
			if tc.notFoundBy != "" {
				for _, ev := range lookupOK(t, srv, attr("ResourceName", tc.notFoundBy)).Events {
					if ev.EventName == tc.event {
						t.Errorf("LookupEvents ResourceName %s finds the %s record, whose requestParameters were omitted", tc.notFoundBy, tc.event)
					}
				}
			}
		})
	}
	verifyTrail(t, srv)
}

// verifyTrail checks what iamd trail verify checks: the chain from the checkpoint, and each
// record's lookup columns against the record.
func verifyTrail(t *testing.T, srv *server.Server) {
	t.Helper()
	_, evs := trailOf(t, srv.Store())
	if len(evs) == 0 {
		t.Fatalf("the trail is empty")
	}
	for _, e := range evs {
		if len(e.Record) > trail.MaxFieldSize {
			t.Errorf("record %d (%s) is %d bytes", e.Seq, e.Name, len(e.Record))
		}
		if _, err := audit.CheckIndex(e.Seq, e.Record, audit.Summary{Time: e.Time, Account: e.Account, Source: e.Source, Name: e.Name, ID: e.ID,
			Username: e.Username, AccessKey: e.AccessKey, ReadOnly: e.ReadOnly, Resources: e.Resources}); err != nil {
			t.Errorf("record %d (%s): %v", e.Seq, e.Name, err)
		}
	}
}

// TestS6TrailMapKeysAsGiven: map keys in a record are user data and CloudTrail keeps them as
// given: AssumeRoleWithWebIdentity's principalTags show the token's tag keys ("CostCenter", not
// "costCenter"), a tag named "Password" included, and PutAccountProperties' properties their
// "Namespace/Name" keys; the members of the parameters' structs still have lowerCamel names and
// the web identity token stays out.
func TestS6TrailMapKeysAsGiven(t *testing.T) {
	ctx := context.Background()
	w := startWebIdentity(t)
	is, key, srv, root, anon, provARN := w.is, w.key, w.srv, w.root, w.anon, w.provARN
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]}]}`, provARN)
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)}))
	tok := oidctest.Sign(t, key, webIdentityClaims(is.URL, func(c map[string]any) {
		c["https://aws.amazon.com/tags"] = map[string]any{
			"principal_tags":      map[string][]string{"CostCenter": {"987654"}, "Password": {"not-a-secret"}, "project": {"Automation"}},
			"transitive_tag_keys": []string{"CostCenter"},
		}
	}))
	must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity")(anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/web"), RoleSessionName: aws.String("tagged"), WebIdentityToken: aws.String(tok)}))
	must[*iam.PutAccountPropertiesOutput](t, "PutAccountProperties")(root.PutAccountProperties(ctx, &iam.PutAccountPropertiesInput{
		Properties: map[string]string{"RoleManager/Enabled": "true", "RoleManager/Mode": "audit"}}))

	for _, tc := range []struct {
		event string
		want  map[string]any
	}{
		{"AssumeRoleWithWebIdentity", map[string]any{
			"roleArn": "arn:aws:iam::" + testAccount + ":role/web", "roleSessionName": "tagged",
			"principalTags":     map[string]any{"CostCenter": "987654", "Password": "not-a-secret", "project": "Automation"},
			"transitiveTagKeys": []any{"CostCenter"},
		}},
		{"PutAccountProperties", map[string]any{"properties": map[string]any{"RoleManager/Enabled": "true", "RoleManager/Mode": "audit"}}},
	} {
		t.Run(tc.event, func(t *testing.T) {
			evs := lookupOK(t, srv, attr("EventName", tc.event)).Events
			if len(evs) != 1 {
				t.Fatalf("LookupEvents EventName %s: %d events, want 1", tc.event, len(evs))
			}
			var rec struct {
				RequestParameters map[string]any `json:"requestParameters"`
			}
			if err := json.Unmarshal([]byte(evs[0].CloudTrailEvent), &rec); err != nil {
				t.Fatalf("record %s: %v", evs[0].CloudTrailEvent, err)
			}
			if d := cmp.Diff(tc.want, rec.RequestParameters); d != "" {
				t.Errorf("requestParameters of the %s record (-want +got):\n%s", tc.event, d)
			}
		})
	}
	verifyTrail(t, srv)
}
