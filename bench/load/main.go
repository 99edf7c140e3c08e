// Command load sends SigV4-signed AWS Query requests to an iamd endpoint over loopback and reports
// requests per second and p50/p99 latency at several concurrency levels. With -baseline it first
// starts, in a process of its own, a bare net/http server that only verifies SigV4 and answers a
// constant, and measures that too: the floor against which iamd's figures are read
// (-baseline-inprocess: the same server in load's own process; see baseline.go).
//
//	go build -o /tmp/load ./bench/load
//	/tmp/load -endpoint http://127.0.0.1:8343 -c 1,8,32 -d 5s
//	/tmp/load -baseline -c 1,8,32 -d 5s
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type options struct {
	endpoint    string
	accessKey   string
	secretKey   string
	region      string
	action      string
	params      string
	concurrency []int
	duration    time.Duration
	baseline    bool
	inProcess   bool
	seedUsers   int
	seedWorkers int
	asUser      string
	role        string
	spread      int
}

// stsActions are the actions load signs for STS (version 2011-06-15) instead of IAM.
var stsActions = map[string]bool{"AssumeRole": true, "GetCallerIdentity": true, "GetSessionToken": true, "GetAccessKeyInfo": true}

// service is the signing name of the action.
func (o options) service() string {
	if stsActions[o.action] {
		return "sts"
	}
	return "iam"
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o options
	var conc string
	fs.StringVar(&o.endpoint, "endpoint", os.Getenv("AWS_ENDPOINT_URL"), "iamd endpoint URL")
	fs.StringVar(&o.accessKey, "access-key", os.Getenv("AWS_ACCESS_KEY_ID"), "access key ID")
	fs.StringVar(&o.secretKey, "secret-key", os.Getenv("AWS_SECRET_ACCESS_KEY"), "secret access key")
	fs.StringVar(&o.region, "region", "us-east-1", "signing region")
	fs.StringVar(&o.action, "action", "GetUser", "IAM Query action to send")
	fs.StringVar(&o.params, "params", "", "extra form parameters, e.g. UserName=load-0")
	fs.StringVar(&conc, "c", "1,8,32", "comma-separated concurrency levels")
	fs.DurationVar(&o.duration, "d", 5*time.Second, "duration per concurrency level")
	fs.BoolVar(&o.baseline, "baseline", false, "also measure a bare SigV4-verifying net/http server (the floor), run in a process of its own")
	fs.BoolVar(&o.inProcess, "baseline-inprocess", false, "also measure that server run in this process")
	serve := fs.String("serve-baseline", "", "only serve the baseline, on this address, until standard input closes")
	fs.IntVar(&o.seedUsers, "seed-users", 0, "create this many users (load-0 … load-N-1) before measuring")
	fs.IntVar(&o.seedWorkers, "seed-workers", 16, "concurrent CreateUser calls while seeding")
	fs.StringVar(&o.asUser, "as-user", "", "measure as this IAM user (created with an inline policy allowing iam:GetUser and sts:AssumeRole, and an access key) instead of the given key")
	fs.IntVar(&o.spread, "spread-users", 0, "name one of the users load-0 … load-N-1 in each call (UserName, set in turn by each worker from a place of its own) instead of -params' UserName alone")
	fs.StringVar(&o.role, "role", "", "create this role (trusting the account) and add RoleArn and RoleSessionName to the parameters (for -action AssumeRole)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serve != "" {
		return serveBaseline(*serve, out)
	}
	for _, s := range strings.Split(conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad concurrency %q", s)
		}
		o.concurrency = append(o.concurrency, n)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	for _, form := range []struct {
		on    bool
		mode  string
		start func() (*baseline, error)
	}{
		{o.baseline, "baseline", spawnBaseline},
		{o.inProcess, "baseline-inprocess", func() (*baseline, error) { return startBaseline("127.0.0.1:0") }},
	} {
		if !form.on {
			continue
		}
		srv, err := form.start()
		if err != nil {
			return err
		}
		bo := o
		bo.endpoint, bo.accessKey, bo.secretKey = srv.url, baselineAccessKey, baselineSecretKey
		for _, c := range o.concurrency {
			r := measure(ctx, client, bo, c)
			fmt.Fprintf(out, "mode=%s action=%s c=%d %s\n", form.mode, o.action, c, r)
		}
		srv.close()
		client.CloseIdleConnections()
	}
	if o.endpoint == "" {
		if o.baseline || o.inProcess {
			return nil
		}
		return fmt.Errorf("no -endpoint (or AWS_ENDPOINT_URL)")
	}
	if o.seedUsers > 0 {
		t0 := time.Now()
		if err := seed(ctx, client, o); err != nil {
			return err
		}
		fmt.Fprintf(out, "seeded %d users in %s\n", o.seedUsers, time.Since(t0).Round(time.Millisecond))
	}
	if o.role != "" {
		arn, err := makeRole(ctx, client, o, o.role)
		if err != nil {
			return err
		}
		o.params = strings.TrimPrefix(o.params+"&RoleArn="+url.QueryEscape(arn)+"&RoleSessionName=load", "&")
	}
	caller := "root"
	if o.asUser != "" {
		id, secret, err := makeCaller(ctx, client, o, o.asUser)
		if err != nil {
			return err
		}
		o.accessKey, o.secretKey, caller = id, secret, "user"
	}
	for _, c := range o.concurrency {
		r := measure(ctx, client, o, c)
		fmt.Fprintf(out, "mode=iamd caller=%s action=%s c=%d %s\n", caller, o.action, c, r)
	}
	return nil
}

type result struct {
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
}

func (r result) String() string {
	if len(r.lat) == 0 {
		return fmt.Sprintf("req_s=0 errors=%d", r.errors)
	}
	slices.Sort(r.lat)
	p := func(q float64) float64 {
		return float64(r.lat[int(q*float64(len(r.lat)-1))].Microseconds()) / 1000
	}
	return fmt.Sprintf("req_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d", float64(r.n)/r.elapsed.Seconds(), p(0.50), p(0.99), r.errors)
}

func form(o options, extra string) string {
	version := "2010-05-08"
	if o.service() == "sts" {
		version = "2011-06-15"
	}
	v := url.Values{"Action": {o.action}, "Version": {version}}
	for _, kv := range strings.Split(extra, "&") {
		if k, val, ok := strings.Cut(kv, "="); ok {
			if u, err := url.QueryUnescape(val); err == nil {
				val = u
			}
			v.Set(k, val)
		}
	}
	return v.Encode()
}

// send signs and sends one POST and reports its HTTP status.
func send(ctx context.Context, client *http.Client, o options, body string) (int, error) {
	_, status, err := do(ctx, client, o, body, io.Discard)
	return status, err
}

// sendRead is send that also returns the response body.
func sendRead(ctx context.Context, client *http.Client, o options, body string) ([]byte, int, error) {
	var buf bytes.Buffer
	_, status, err := do(ctx, client, o, body, &buf)
	return buf.Bytes(), status, err
}

func do(ctx context.Context, client *http.Client, o options, body string, out io.Writer) (int64, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpoint+"/", strings.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: o.accessKey, SecretAccessKey: o.secretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), o.service(), o.region, time.Now()); err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, _ := io.Copy(out, resp.Body)
	resp.Body.Close()
	return n, resp.StatusCode, nil
}

func measure(ctx context.Context, client *http.Client, o options, workers int) result {
	bodies := []string{form(o, o.params)}
	if o.spread > 0 {
		bodies = make([]string, o.spread)
		for i := range bodies {
			bodies[i] = form(o, o.params+"&UserName=load-"+strconv.Itoa(i))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var mu sync.Mutex
	var total result
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local result
			// Each worker walks the bodies from a place of its own, 31 at a step, so that
			// concurrent calls name different users.
			k := w * 7919
			for ctx.Err() == nil {
				body := bodies[k%len(bodies)]
				k += 31
				t0 := time.Now()
				status, err := send(ctx, client, o, body)
				if ctx.Err() != nil {
					break
				}
				local.lat = append(local.lat, time.Since(t0))
				local.n++
				if err != nil || status != http.StatusOK {
					local.errors++
				}
			}
			mu.Lock()
			total.n += local.n
			total.errors += local.errors
			total.lat = append(total.lat, local.lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

func seed(ctx context.Context, client *http.Client, o options) error {
	so := o
	so.action = "CreateUser"
	workers := max(1, o.seedWorkers)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < o.seedUsers; i += workers {
				body, status, err := sendRead(ctx, client, so, form(so, "UserName=load-"+strconv.Itoa(i)))
				// A user that exists already is seeded (runs may reuse a data directory); any
				// other refusal, LimitExceeded (also HTTP 409) among them, is an error.
				if err == nil && status != http.StatusOK && !(status == http.StatusConflict && bytes.Contains(body, []byte("<Code>EntityAlreadyExists</Code>"))) {
					err = fmt.Errorf("CreateUser load-%d: HTTP %d: %s", i, status, body)
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// setupCall sends one setup call and fails unless it succeeds (a Create* of an entity that
// exists already counts as success, so runs can reuse a data directory).
func setupCall(ctx context.Context, client *http.Client, o options, action, params string) ([]byte, error) {
	co := o
	co.action = action
	body, status, err := sendRead(ctx, client, co, form(co, params))
	if err == nil && status != http.StatusOK && !((action == "CreateUser" || action == "CreateRole") && status == http.StatusConflict) {
		err = fmt.Errorf("%s: HTTP %d: %s", action, status, body)
	}
	return body, err
}

// makeRole creates the role name trusting the caller's account and returns its ARN.
func makeRole(ctx context.Context, client *http.Client, o options, name string) (string, error) {
	call := func(action, params string) ([]byte, error) { return setupCall(ctx, client, o, action, params) }
	body, err := call("GetCallerIdentity", "")
	if err != nil {
		return "", err
	}
	var id struct {
		Account string `xml:"GetCallerIdentityResult>Account"`
	}
	if err := xml.Unmarshal(body, &id); err != nil || id.Account == "" {
		return "", fmt.Errorf("GetCallerIdentity: unexpected response %s", body)
	}
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + id.Account + `:root"},"Action":"sts:AssumeRole"}]}`)
	if _, err := call("CreateRole", "RoleName="+name+"&AssumeRolePolicyDocument="+trust); err != nil {
		return "", err
	}
	return "arn:aws:iam::" + id.Account + ":role/" + name, nil
}

// makeCaller creates the IAM user name with an inline policy allowing iam:GetUser and
// sts:AssumeRole and an access key, and returns the key.
func makeCaller(ctx context.Context, client *http.Client, o options, name string) (id, secret string, err error) {
	call := func(action, params string) ([]byte, error) { return setupCall(ctx, client, o, action, params) }
	doc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:AssumeRole"],"Resource":"*"}]}`)
	if _, err := call("CreateUser", "UserName="+name); err != nil {
		return "", "", err
	}
	if _, err := call("PutUserPolicy", "UserName="+name+"&PolicyName=get-user&PolicyDocument="+doc); err != nil {
		return "", "", err
	}
	body, err := call("CreateAccessKey", "UserName="+name)
	if err != nil {
		return "", "", err
	}
	var resp struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(body, &resp); err != nil || resp.ID == "" {
		return "", "", fmt.Errorf("CreateAccessKey: unexpected response %s", body)
	}
	return resp.ID, resp.Secret, nil
}
