package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestInstanceChild is the program iamd instance run runs in TestInstanceFollowsProfile: the
// test binary started with -test.run=TestInstanceChild and IAMD_TEST_INSTANCE_CHILD set. For
// each line on stdin it reads the endpoint the way an SDK does (a session token, the role
// listing, the role's credentials) and prints "ROLE ARN KEY" (the ARN from GetCallerIdentity
// with those credentials), "ROLE CODE" when the credentials document is a failure, or
// "none STATUS" when no role is listed. It reads the endpoint directly because the SDKs keep
// using credentials they hold when the endpoint stops offering them (static stability).
func TestInstanceChild(t *testing.T) {
	if os.Getenv("IAMD_TEST_INSTANCE_CHILD") == "" {
		t.Skip("only run as iamd instance run's child")
	}
	base := strings.TrimSuffix(os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), "/")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(probeIMDS(base))
	}
	os.Exit(0)
}

func probeIMDS(base string) string {
	get := func(method, path string, hdr map[string]string) (int, string) {
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			return 0, err.Error()
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, tok := get(http.MethodPut, "/latest/api/token", map[string]string{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": "60"})
	if code != http.StatusOK {
		return fmt.Sprintf("ERR token %d %s", code, tok)
	}
	auth := map[string]string{"X-Aws-Ec2-Metadata-Token": tok}
	code, role := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/", auth)
	if code != http.StatusOK {
		return fmt.Sprintf("none %d", code)
	}
	code, body := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/"+role, auth)
	var doc struct{ Code, AccessKeyId, SecretAccessKey, Token string }
	if err := json.Unmarshal([]byte(body), &doc); code != http.StatusOK || err != nil {
		return fmt.Sprintf("ERR %s %d %q", role, code, body)
	}
	if doc.Code != "Success" {
		return role + " " + doc.Code
	}
	client := sts.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION"), BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
		Credentials: credentials.NewStaticCredentialsProvider(doc.AccessKeyId, doc.SecretAccessKey, doc.Token)})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Sprintf("ERR %s GetCallerIdentity: %v", role, err)
	}
	return role + " " + aws.ToString(out.Arn) + " " + doc.AccessKeyId
}

// TestInstanceFollowsProfile: iamd instance run serves the role the instance profile holds at
// each refresh, as EC2 does: after RemoveRoleFromInstanceProfile the old role is served until
// the refresh and then no role is listed; a role added afterwards is served once the retry interval (10 s) has passed, one that
// replaces it at the next refresh, each session named after the same instance.
//
// Only iamd instance run's clock is fake (the server's is real), so its renewal points follow
// from what it sees: a 15-minute session issued at +0 is renewed at +7m30s (half its lifetime);
// the one issued at +8m, which expires at +15m, at +11m30s.
func TestInstanceFollowsProfile(t *testing.T) {
	f := newExecFixture(t)
	ctx := context.Background()
	root := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSecret, "")})
	profile := func(op, role string) func() error {
		return func() error {
			var err error
			if op == "add" {
				_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String(role)})
			} else {
				_, err = root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String(role)})
			}
			return err
		}
	}
	argv := []string{os.Args[0], "-test.run=^TestInstanceChild$"}
	environ := append(os.Environ(), "IAMD_TEST_INSTANCE_CHILD=1")
	clk := &fakeClock{t: time.Now()}
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	env := f.env(environ, stdinR, stdoutW, clk.now)
	done := make(chan error, 1)
	go func() {
		done <- instanceWith(ctx, append([]string{"run", "--instance-profile", "web", "--duration", "15m", "--"}, argv...), env)
		stdoutW.Close()
	}()
	lines := bufio.NewScanner(stdoutR)
	session := func(role string) *regexp.Regexp {
		return regexp.MustCompile(`^` + role + ` arn:aws:sts::` + execAccount + `:assumed-role/` + role + `/(i-[0-9a-f]{17}) (ASIA\w+)$`)
	}
	steps := []struct {
		name    string
		change  []func() error
		advance time.Duration
		want    *regexp.Regexp
		sameKey int // the step whose key this one must still use (-1: a new key)
	}{
		{name: "at start: the profile's role", want: session("web-role"), sameKey: -1},
		{name: "role removed: served until the refresh", change: []func() error{profile("remove", "web-role")}, advance: time.Minute, want: session("web-role"), sameKey: 0},
		{name: "the refresh finds no role: none listed", advance: 7 * time.Minute, want: regexp.MustCompile(`^none 404$`), sameKey: -1},
		{name: "role r added: served once the retry interval has passed", change: []func() error{profile("add", "r")}, advance: 10 * time.Second, want: session("r"), sameKey: -1},
		{name: "r replaced by web-role: r until the refresh", change: []func() error{profile("remove", "r"), profile("add", "web-role")}, advance: time.Minute, want: session("r"), sameKey: 3},
		{name: "the refresh serves web-role", advance: 3 * time.Minute, want: session("web-role"), sameKey: -1},
	}
	keys := make([]string, len(steps))
	var instance string
	for i, s := range steps {
		for _, c := range s.change {
			if err := c(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		clk.advance(s.advance)
		fmt.Fprintln(stdinW, "probe")
		if !lines.Scan() {
			t.Fatalf("%s: the child stopped: %v\n%s", s.name, lines.Err(), env.stderr.(*lockedBuffer).b.String())
		}
		got := lines.Text()
		m := s.want.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%s: child printed %q, want %s", s.name, got, s.want)
		}
		if len(m) < 3 {
			continue
		}
		keys[i] = m[2]
		if instance == "" {
			instance = m[1]
		} else if m[1] != instance {
			t.Errorf("%s: session %s, want the instance's %s", s.name, m[1], instance)
		}
		switch {
		case s.sameKey >= 0 && keys[i] != keys[s.sameKey]:
			t.Errorf("%s: key %s, want step %d's %s (no refresh yet)", s.name, keys[i], s.sameKey, keys[s.sameKey])
		case s.sameKey < 0:
			for j := range i {
				if keys[j] == keys[i] {
					t.Errorf("%s: key %s, as at step %d; want new credentials", s.name, keys[i], j)
				}
			}
		}
	}
	stdinW.Close()
	if err := <-done; err != nil {
		t.Fatalf("iamd instance run: %v", err)
	}
}
