package policy_test

import (
	"fmt"

	"github.com/iamd-dev/iamd/internal/policy"
)

func ExampleParse() {
	doc, err := policy.Parse(`{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "ReadReports",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": "arn:aws:s3:::reports/${aws:username}/*",
    "Condition": {"Bool": {"aws:SecureTransport": true}}
  }
}`, policy.Identity)
	if err != nil {
		fmt.Println(err)
		return
	}
	st := doc.Statements[0]
	fmt.Println(doc.Version, st.Sid, st.Effect, st.Action, st.Resource)
	fmt.Printf("%s %s %q\n", st.Conditions[0].Operator, st.Conditions[0].Key, st.Conditions[0].Values)

	// A principal is not allowed in an identity policy; the error carries AWS's message.
	_, err = policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, policy.Identity)
	fmt.Println(err)
	// Output:
	// 2012-10-17 ReadReports Allow [s3:GetObject s3:ListBucket] [arn:aws:s3:::reports/${aws:username}/*]
	// Bool aws:SecureTransport ["true"]
	// Policy document should not specify a principal.
}

func ExampleSize() {
	fmt.Println(policy.Size("{\n  \"Effect\": \"Allow\"\n}"))
	// Output: 18
}
