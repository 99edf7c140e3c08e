package sigv4_test

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// The worked example of the AWS documentation ("Create a signed AWS API request"): GET
// https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08 signed on 2015-08-30 with
// the documentation's example key.
const (
	docSecret     = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	docSigningKey = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
)

func docRequest() *sigv4.Request {
	r := headerReq("Authorization", goodAuth, "X-Amz-Date", "20150830T123600Z",
		"Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.RawQuery = "Action=ListUsers&Version=2010-05-08"
	return r
}

var docTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func TestAWSDocumentationExample(t *testing.T) {
	if got := hex.EncodeToString(sigv4.SigningKey(docSecret, "20150830", "us-east-1", "iam")); got != docSigningKey {
		t.Errorf("SigningKey = %s, want %s", got, docSigningKey)
	}
	r := docRequest()
	a := mustParse(t, r)
	if err := sigv4.Verify(r, a, docSecret, docTime); err != nil {
		t.Errorf("Verify(AWS example) = %v, want nil", err)
	}
	if err := sigv4.Verify(r, a, testSecret, docTime); err == nil {
		t.Error("Verify(AWS example, wrong secret) = nil, want error")
	}
	if err := sigv4.VerifyWithKey(r, a, sigv4.SigningKey(docSecret, "20150830", "us-east-1", "iam"), docTime); err != nil {
		t.Errorf("VerifyWithKey(AWS example) = %v, want nil", err)
	}
	for _, key := range [][]byte{nil, sigv4.SigningKey(docSecret, "20150831", "us-east-1", "iam"), make([]byte, 31)} {
		wantCode(t, sigv4.VerifyWithKey(r, a, key, docTime), sigv4.CodeSignatureDoesNotMatch)
	}
}

func TestClockWindow(t *testing.T) {
	c := sdkCases()[0]
	r := c.signed(t)
	a := mustParse(t, r)
	cases := []struct {
		name string
		now  time.Time
		want *sigv4.Error
	}{
		{"same time", signTime, nil},
		{"exactly 15 min later", signTime.Add(15 * time.Minute), nil},
		{"exactly 15 min earlier", signTime.Add(-15 * time.Minute), nil},
		{"just over 15 min later", signTime.Add(15*time.Minute + time.Second), &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch,
			Message: "Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T121501Z - 15 min.)"}},
		{"just over 15 min earlier", signTime.Add(-15*time.Minute - time.Second), &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch,
			Message: "Signature not yet current: 20240501T120000Z is still later than 20240501T115959Z (20240501T114459Z + 15 min.)"}},
		{"a day later, other zone", signTime.Add(24 * time.Hour).In(time.FixedZone("X", 3600)), &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch,
			Message: "Signature expired: 20240501T120000Z is now earlier than 20240502T114500Z (20240502T120000Z - 15 min.)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, sigv4.Verify(r, a, testSecret, c.now), c.want)
		})
	}
}

func checkErr(t *testing.T, err error, want *sigv4.Error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("Verify = %v, want nil", err)
		}
		return
	}
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify = %v, want %v", err, want)
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("Verify error mismatch (-want +got):\n%s", diff)
	}
}

func TestPresignedExpiry(t *testing.T) {
	c := sdkCase{method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts"}
	expired := &sigv4.Error{Code: sigv4.CodeRequestExpired, Message: "Request has expired."}
	t.Run("with X-Amz-Expires", func(t *testing.T) {
		r := c.presigned(t, "60")
		a := mustParse(t, r)
		for _, tc := range []struct {
			name string
			now  time.Time
			want *sigv4.Error
		}{
			{"at signing", signTime, nil},
			{"at expiry", signTime.Add(time.Minute), nil},
			{"a second after expiry", signTime.Add(time.Minute + time.Second), expired},
			{"15 min before signing", signTime.Add(-15 * time.Minute), nil},
			{"just over 15 min before signing", signTime.Add(-15*time.Minute - time.Second), &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch,
				Message: "Signature not yet current: 20240501T120000Z is still later than 20240501T115959Z (20240501T114459Z + 15 min.)"}},
		} {
			t.Run(tc.name, func(t *testing.T) { checkErr(t, sigv4.Verify(r, a, testSecret, tc.now), tc.want) })
		}
	})
	t.Run("a week", func(t *testing.T) {
		r := c.presigned(t, "604800")
		a := mustParse(t, r)
		checkErr(t, sigv4.Verify(r, a, testSecret, signTime.Add(7*24*time.Hour)), nil)
		checkErr(t, sigv4.Verify(r, a, testSecret, signTime.Add(7*24*time.Hour+time.Second)), expired)
	})
	t.Run("without X-Amz-Expires", func(t *testing.T) {
		r := c.presigned(t, "")
		a := mustParse(t, r)
		checkErr(t, sigv4.Verify(r, a, testSecret, signTime.Add(15*time.Minute)), nil)
		checkErr(t, sigv4.Verify(r, a, testSecret, signTime.Add(15*time.Minute+time.Second)), &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch,
			Message: "Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T121501Z - 15 min.)"})
	})
}

func TestCheckScope(t *testing.T) {
	r := docRequest()
	a := mustParse(t, r)
	cases := []struct {
		name            string
		auth            string
		region, service string
		want            string
	}{
		{"all good", goodAuth, "us-east-1", "iam", ""},
		{"any region", goodAuth, "", "iam", ""},
		{"wrong region", goodAuth, "eu-west-1", "iam", "Credential should be scoped to a valid region, not 'us-east-1'. "},
		{"wrong service", goodAuth, "us-east-1", "sts", "Credential should be scoped to correct service: 'sts'. "},
		{"everything wrong", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "us-east-1", "iam",
			"Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'iam'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20150830', from '20150830T123600Z'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.Header.Set("Authorization", c.auth)
			a = mustParse(t, r)
			err := sigv4.CheckScope(a, c.region, c.service)
			if c.want == "" {
				if err != nil {
					t.Errorf("CheckScope(%q, %q, %q) = %v, want nil", c.auth, c.region, c.service, err)
				}
				return
			}
			checkErr(t, err, &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch, Message: c.want})
		})
	}
}
