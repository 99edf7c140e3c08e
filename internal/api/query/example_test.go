package query_test

import (
	"fmt"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/api/query"
)

// An API handler decodes the form into the SDK input, calls the service and encodes the SDK
// output, or the error.
func Example() {
	codec := query.NewCodec(query.WithUnion[iamtypes.PolicyIdentifier](
		&iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier{},
		&iamtypes.PolicyIdentifierMemberPolicyArn{},
		&iamtypes.PolicyIdentifierMemberPolicyType{},
	))
	form, _ := url.ParseQuery("Action=GetUser&Version=2010-05-08&UserName=bob")

	var in iam.GetUserInput
	if err := codec.DecodeForm(form, &in); err != nil {
		e, _ := awserr.As(err) // a ValidationError; anything else is a programmer error
		_ = codec.EncodeError(os.Stdout, query.IAMNamespace, "req-1", e)
		return
	}
	out := &iam.GetUserOutput{User: &iamtypes.User{UserName: in.UserName, Path: aws.String("/")}}
	_ = codec.EncodeResponse(os.Stdout, "GetUser", query.IAMNamespace, "req-1", out)
	fmt.Println()

	err := codec.DecodeForm(url.Values{"Action": {"GetUserPolicy"}}, &iam.GetUserPolicyInput{})
	e, _ := awserr.As(err)
	_ = codec.EncodeError(os.Stdout, query.IAMNamespace, "req-2", e)
	// Output:
	// <GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>bob</UserName></User></GetUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>
	// <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>2 validation errors detected: Value null at 'policyName' failed to satisfy constraint: Member must not be null; Value null at 'userName' failed to satisfy constraint: Member must not be null</Message></Error><RequestId>req-2</RequestId></ErrorResponse>
}
