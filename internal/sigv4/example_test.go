package sigv4_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// ExampleVerify checks the request of the AWS documentation's signing example, as a server
// does once it has read the body: parse, check the scope, look up the secret of
// a.AccessKeyID, verify.
func ExampleVerify() {
	h := http.Header{}
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	h.Set("X-Amz-Date", "20150830T123600Z")
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r := &sigv4.Request{Method: "GET", Path: "/", RawQuery: "Action=ListUsers&Version=2010-05-08", Host: "iam.amazonaws.com", Header: h}

	a, err := sigv4.Parse(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := sigv4.CheckScope(a, "us-east-1", "iam"); err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC)
	fmt.Println(a.AccessKeyID, sigv4.Verify(r, a, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", now))

	// An hour later the same request is refused with AWS's code and message.
	err = sigv4.Verify(r, a, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", now.Add(time.Hour))
	var e *sigv4.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
		fmt.Println(e.Message)
	}
	// Output:
	// AKIDEXAMPLE <nil>
	// SignatureDoesNotMatch
	// Signature expired: 20150830T123600Z is now earlier than 20150830T132500Z (20150830T134000Z - 15 min.)
}
