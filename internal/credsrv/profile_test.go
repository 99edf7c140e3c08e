package credsrv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const profileAccount = "111122223333"

// fakeProfile is an instance profile whose role the test changes, and an STS that issues
// numbered credentials per role (ASIA-<role>-<n>) valid for an hour, refusing the roles in fail.
type fakeProfile struct {
	clk    *clock
	role   string // "": no role
	fail   map[string]bool
	reads  int
	issued map[string]int
}

func (f *fakeProfile) GetInstanceProfile(_ context.Context, in *iam.GetInstanceProfileInput, _ ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error) {
	f.reads++
	ip := &types.InstanceProfile{InstanceProfileName: in.InstanceProfileName}
	if f.role != "" {
		ip.Roles = []types.Role{{RoleName: aws.String(f.role), Arn: aws.String("arn:aws:iam::" + profileAccount + ":role/ops/" + f.role)}}
	}
	return &iam.GetInstanceProfileOutput{InstanceProfile: ip}, nil
}

func (f *fakeProfile) assume(_ context.Context, roleArn string) (Creds, error) {
	name := roleName(roleArn)
	if f.fail[name] {
		return Creds{}, fmt.Errorf("assume role %s: AccessDenied", roleArn)
	}
	f.issued[name]++
	return Creds{AccessKeyID: fmt.Sprintf("ASIA-%s-%d", name, f.issued[name]), SecretAccessKey: "s", SessionToken: "t",
		Expiration: f.clk.t.Add(time.Hour)}, nil
}

// TestProfileFollowsRole: the credentials IMDS serves for an instance profile follow the role the
// profile holds at each refresh (the Refresher's timer, at the renewal point 45 minutes into an
// hour's credentials, or a request that finds none cached): removing the role takes the
// credentials, the listing and iam/info away (404); adding or replacing a role serves the new
// one; a role that cannot be assumed is listed with the failure; a failure to renew the same
// role keeps its credentials.
func TestProfileFollowsRole(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t0}
	f := &fakeProfile{clk: clk, role: "app", fail: map[string]bool{}, issued: map[string]int{}}
	ts := newTimers(clk)
	src := NewRefresher(RefresherConfig{Obtain: ProfileSession{IAM: f, ProfileName: "web", Assume: f.assume}.Obtain,
		Now: clk.now, AfterFunc: ts.afterFunc, RetryAfter: 10 * time.Second})
	t.Cleanup(src.Close)
	m, err := NewIMDS(IMDSConfig{Source: src, InstanceProfileArn: "arn:aws:iam::" + profileAccount + ":instance-profile/web",
		InstanceProfileID: "AIPAEXAMPLE", InstanceID: "i-0123456789abcdef0", AccountID: profileAccount, Region: "eu-west-1",
		AllowV1: true, Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 32)), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Credentials(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		advance time.Duration
		role    string          // the profile's role from this step on
		fail    map[string]bool // roles that cannot be assumed from this step on
		listed  string          // iam/security-credentials/ ("": 404, and so iam/info)
		key     string          // the listed role's AccessKeyId ("": the document's Code is AssumeRoleUnauthorizedAccess)
		gone    string          // a role whose document must now be 404
	}{
		{name: "at start", role: "app", listed: "app", key: "ASIA-app-1"},
		{name: "role removed: still served until the next refresh", advance: 30 * time.Minute, listed: "app", key: "ASIA-app-1"},
		{name: "the refresh finds no role: nothing listed", advance: 15 * time.Minute, gone: "app"},
		{name: "role other added: taken once the retry interval has passed", advance: 10 * time.Second, role: "other", listed: "other", key: "ASIA-other-1", gone: "app"},
		{name: "replaced by third: other until the next refresh", advance: 30 * time.Minute, role: "third", listed: "other", key: "ASIA-other-1"},
		{name: "the refresh serves third", advance: 15 * time.Minute, role: "third", listed: "third", key: "ASIA-third-1", gone: "other"},
		{name: "renewing third fails: its credentials stay", advance: 45 * time.Minute, role: "third", fail: map[string]bool{"third": true}, listed: "third", key: "ASIA-third-1"},
		{name: "replaced by a role that cannot be assumed: listed with the failure", advance: 10 * time.Second, role: "denied", fail: map[string]bool{"denied": true}, listed: "denied", gone: "third"},
		{name: "the role becomes assumable", advance: 10 * time.Second, role: "denied", listed: "denied", key: "ASIA-denied-1", gone: "third"},
	}
	for i, s := range steps {
		if i > 0 {
			f.role = s.role
		}
		if s.fail != nil {
			f.fail = s.fail
		} else {
			f.fail = map[string]bool{}
		}
		clk.t = clk.t.Add(s.advance)
		ts.fire()
		code, body, _ := do(m, "GET", credsPrefix, nil)
		infoCode, _, _ := do(m, "GET", "/latest/meta-data/iam/info", nil)
		wantCode, wantBody := 200, s.listed
		if s.listed == "" {
			wantCode, wantBody = 404, "Not Found"
		}
		if code != wantCode || body != wantBody || infoCode != wantCode {
			t.Errorf("%s (+%s): listing %d %q, iam/info %d; want %d %q, iam/info %d", s.name, clk.t.Sub(t0), code, body, infoCode, wantCode, wantBody, wantCode)
		}
		if s.gone != "" {
			if code, body, _ := do(m, "GET", credsPrefix+s.gone, nil); code != 404 {
				t.Errorf("%s: GET %s = %d %q, want 404", s.name, credsPrefix+s.gone, code, body)
			}
		}
		if s.listed == "" {
			continue
		}
		code, body, _ = do(m, "GET", credsPrefix+s.listed, nil)
		var doc map[string]string
		if err := json.Unmarshal([]byte(body), &doc); code != 200 || err != nil {
			t.Fatalf("%s: GET %s = %d %q (%v)", s.name, credsPrefix+s.listed, code, body, err)
		}
		wantDoc := "Success"
		if s.key == "" {
			wantDoc = "AssumeRoleUnauthorizedAccess"
		}
		if doc["Code"] != wantDoc || doc["AccessKeyId"] != s.key {
			t.Errorf("%s (+%s): %s has Code %q, key %q; want %q, %q", s.name, clk.t.Sub(t0), s.listed, doc["Code"], doc["AccessKeyId"], wantDoc, s.key)
		}
	}
}

func TestProfileSessionObtain(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t0}
	f := &fakeProfile{clk: clk, fail: map[string]bool{"denied": true}, issued: map[string]int{}}
	p := ProfileSession{IAM: f, ProfileName: "web", Assume: f.assume}
	for _, tc := range []struct {
		role    string
		wantArn string // the credentials' role ("" for an error)
		noRole  bool   // ErrNoRole
		roleErr string // the *RoleError's role
	}{
		{role: "app", wantArn: "arn:aws:iam::" + profileAccount + ":role/ops/app"},
		{role: "", noRole: true},
		{role: "denied", roleErr: "arn:aws:iam::" + profileAccount + ":role/ops/denied"},
	} {
		f.role = tc.role
		c, err := p.Obtain(ctx)
		var re *RoleError
		switch {
		case tc.wantArn != "":
			if err != nil || c.RoleArn != tc.wantArn {
				t.Errorf("role %q: Obtain = %+v, %v; want credentials for %s", tc.role, c, err, tc.wantArn)
			}
		case tc.noRole:
			if !errors.Is(err, ErrNoRole) {
				t.Errorf("role %q: err = %v, want ErrNoRole", tc.role, err)
			}
		default:
			if !errors.As(err, &re) || re.RoleArn != tc.roleErr {
				t.Errorf("role %q: err = %v, want a RoleError for %s", tc.role, err, tc.roleErr)
			}
		}
	}
	if f.reads != 3 {
		t.Errorf("GetInstanceProfile called %d times for 3 Obtain calls, want 3", f.reads)
	}
}
