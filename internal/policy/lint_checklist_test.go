package policy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/policy"
)

// lintCase is one document checked as one policy type (attached to rt, when set).
type lintCase struct {
	kind policy.Kind
	doc  string
	rt   string
}

// bucket is a bucket policy: a resource-based policy attached to an S3 bucket.
func bucket(statements ...string) lintCase {
	return lintCase{kind: policy.Resource, doc: stmt(statements...), rt: "AWS::S3::Bucket"}
}

// check is one entry of AWS's "IAM policy validation check reference" (IAM User Guide,
// access-analyzer-reference-policy-checks.html, read 2026-12): the issue code, the finding type
// (GENERAL_WARNING is ValidatePolicy's WARNING), a document that fires it and a close one that
// does not, or why the check cannot be decided from a document, its policy type and the action
// catalog.
type check struct {
	code, typ  string
	fire, pass lintCase
	offline    string
}

const (
	tE  = policy.FindingError
	tW  = policy.FindingWarning
	tSW = policy.FindingSecurityWarning
	tS  = policy.FindingSuggestion
)

func raw(kind policy.Kind, doc string) lintCase { return lintCase{kind: kind, doc: doc} }

func id(statements ...string) lintCase {
	return lintCase{kind: policy.Identity, doc: stmt(statements...)}
}
func res(statements ...string) lintCase {
	return lintCase{kind: policy.Resource, doc: stmt(statements...)}
}
func tr(statements ...string) lintCase  { return lintCase{kind: policy.Trust, doc: stmt(statements...)} }
func scp(statements ...string) lintCase { return lintCase{kind: policy.SCP, doc: stmt(statements...)} }
func rcp(statements ...string) lintCase { return lintCase{kind: policy.RCP, doc: stmt(statements...)} }

// allowCond is an identity Allow statement on action with a condition block.
func allowCond(action, cond string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"*","Condition":{` + cond + `}}`
}

// allowRes is an identity Allow statement on action and resources.
func allowRes(action string, resources ...string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":["` + strings.Join(resources, `","`) + `"]}`
}

// trustStmt is a trust policy Allow statement.
func trustStmt(principal, action, cond string) string {
	s := `{"Effect":"Allow","Principal":` + principal + `,"Action":` + action
	if cond != "" {
		s += `,"Condition":{` + cond + `}`
	}
	return s + "}"
}

// rcpDeny is an RCP Deny statement on s3:* with a condition block.
func rcpDeny(cond string) string {
	return `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{` + cond + `}}`
}

// arns returns n distinct S3 object ARNs as a JSON array body.
func arns(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`"arn:aws:s3:::bucket-%04d/*"`, i)
	}
	return strings.Join(out, ",")
}

func roles(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`"arn:aws:iam::111122223333:role/r%04d"`, i)
	}
	return strings.Join(out, ",")
}

const (
	github    = `{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}`
	google    = `{"Federated":"accounts.google.com"}`
	eks       = `{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}`
	saml      = `{"Federated":"arn:aws:iam::111122223333:saml-provider/corp"}`
	acct      = `{"AWS":"arn:aws:iam::111122223333:root"}`
	webID     = `"sts:AssumeRoleWithWebIdentity"`
	s3Get     = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
	queue     = `"arn:aws:sqs:us-east-1:111122223333:q"`
	snsToSQS  = `{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":` + queue
	untagged  = "s3:ListAllMyBuckets" // an action no aws:ResourceTag condition applies to
	tagged    = "lambda:GetFunction"  // one it applies to
	tagCond   = `"StringEquals":{"aws:ResourceTag/team":"a"}`
	s3Allow   = `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
	passrole  = `"iam:PassRole"`
	createSLR = `"iam:CreateServiceLinkedRole"`
)

func allowAct(action, rest string) string {
	return `{"Effect":"Allow","Action":` + action + `,` + rest + `}`
}

var checklist = []check{
	// Errors.
	{"ARN_ACCOUNT_NOT_ALLOWED", tE, id(allowRes("s3:GetObject", "arn:aws:s3::111122223333:b/*")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/*")), ""},
	{"ARN_REGION_NOT_ALLOWED", tE, id(allowRes("iam:GetRole", "arn:aws:iam:us-east-1:111122223333:role/x")), id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:role/x")), ""},
	{"DATA_TYPE_MISMATCH", tE, id(`{"Sid":1,"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), id(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), ""},
	{"DUPLICATE_KEYS_WITH_DIFFERENT_CASE", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a","aws:UserName":"b"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a","aws:userid":"b"}`)), ""},
	{"INVALID_ACTION", tE, id(allowRes("s3:GetObjekt", "*")), id(allowRes("s3:GetObject", "*")), ""},
	{"INVALID_ARN_ACCOUNT", tE, id(allowRes("iam:GetRole", "arn:aws:iam::1234:role/x")), id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:role/x")), ""},
	{"INVALID_ARN_PREFIX", tE, id(allowRes("s3:GetObject", "s3:::b/*")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/*")), ""},
	{"INVALID_ARN_REGION", tE, id(allowRes("lambda:GetFunction", "arn:aws:lambda:us-nowhere-1:111122223333:function:f")), id(allowRes("lambda:GetFunction", "arn:aws:lambda:us-east-1:111122223333:function:f")), ""},
	{"INVALID_ARN_RESOURCE", tE, id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:bogus/x")), id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:role/x")), ""},
	{"INVALID_ARN_SERVICE_CASE", tE, id(allowRes("s3:GetObject", "arn:aws:S3:::b/*")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/*")), ""},
	{"INVALID_CONDITION_DATA_TYPE", tE, id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":["3600",7200]}`)), id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":["3600","7200"]}`)), ""},
	{"INVALID_CONDITION_KEY_FORMAT", tE, id(allowCond("s3:GetObject", `"StringEquals":{"username":"a"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a"}`)), ""},
	{"INVALID_CONDITION_MULTIPLE_BOOLEAN", tE, id(allowCond("s3:GetObject", `"Bool":{"aws:SecureTransport":["true","false"]}`)), id(allowCond("s3:GetObject", `"Bool":{"aws:SecureTransport":"true"}`)), ""},
	{"INVALID_CONDITION_OPERATOR", tE, id(allowCond("s3:GetObject", `"StringEqualz":{"aws:username":"a"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a"}`)), ""},
	{"INVALID_EFFECT", tE, id(`{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}`), id(s3Get), ""},
	{"INVALID_GLOBAL_CONDITION_KEY", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:NoSuchKey":"a"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a"}`)), ""},
	{"INVALID_PARTITION", tE, id(allowRes("s3:GetObject", "arn:aws-moon:s3:::b/*")), id(allowRes("s3:GetObject", "arn:aws-cn:s3:::b/*")), ""},
	{"INVALID_POLICY_ELEMENT", tE, id(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Bogus":"x"}`), id(s3Get), ""},
	{"INVALID_PRINCIPAL_FORMAT", tE, res(`{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":` + acct + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"INVALID_PRINCIPAL_KEY", tE, res(`{"Effect":"Allow","Principal":{"Users":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":` + acct + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"INVALID_REGION", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:RequestedRegion":"us-nowhere-1"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:RequestedRegion":"eu-west-1"}`)), ""},
	{"INVALID_SERVICE", tE, id(allowCond("s3:ListBucket", `"StringEquals":{"nosuchsvc:key":"a"}`)), id(allowCond("s3:ListBucket", `"StringEquals":{"s3:prefix":"a"}`)), ""},
	{"INVALID_SERVICE_CONDITION_KEY", tE, id(allowCond("s3:ListBucket", `"StringEquals":{"s3:nosuchkey":"a"}`)), id(allowCond("s3:ListBucket", `"StringEquals":{"s3:prefix":"a"}`)), ""},
	{"INVALID_SERVICE_IN_ACTION", tE, id(allowRes("nosuchsvc:Get", "*")), id(allowRes("s3:GetObject", "*")), ""},
	{"INVALID_VARIABLE_FOR_OPERATOR", tE, id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":"${aws:username}"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"}`)), ""},
	{"INVALID_VERSION", tE, raw(policy.Identity, `{"Version":"2020-01-01","Statement":`+s3Get+`}`), raw(policy.Identity, `{"Version":"2012-10-17","Statement":`+s3Get+`}`), ""},
	{"JSON_SYNTAX_ERROR", tE, raw(policy.Identity, `{"Version":"2012-10-17","Statement":`), id(s3Get), ""},
	{"MISSING_ACTION", tE, id(`{"Effect":"Allow","Resource":"*"}`), id(s3Get), ""},
	{"MISSING_ARN_FIELD", tE, id(allowRes("s3:GetObject", "arn:aws:s3")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/*")), ""},
	{"MISSING_ARN_REGION", tE, id(allowRes("lambda:GetFunction", "arn:aws:lambda::111122223333:function:f")), id(allowRes("lambda:GetFunction", "arn:aws:lambda:us-east-1:111122223333:function:f")), ""},
	{"MISSING_EFFECT", tE, id(`{"Action":"s3:GetObject","Resource":"*"}`), id(s3Get), ""},
	{"MISSING_PRINCIPAL", tE, res(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(s3Allow + "}"), ""},
	{"MISSING_QUALIFIER", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:TagKeys":"a"}`)), id(allowCond("s3:GetObject", `"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}`)), ""},
	{"MISSING_RESOURCE", tE, id(`{"Effect":"Allow","Action":"s3:GetObject"}`), id(s3Get), ""},
	{"MISSING_STATEMENT", tE, raw(policy.Identity, `{"Version":"2012-10-17"}`), id(s3Get), ""},
	{"NULL_WITH_IF_EXISTS", tE, id(allowCond("s3:GetObject", `"NullIfExists":{"aws:username":"true"}`)), id(allowCond("s3:GetObject", `"Null":{"aws:username":"true"}`)), ""},
	{"SCP_SYNTAX_ERROR_ACTION_WILDCARD", tE, scp(`{"Effect":"Deny","Action":"iam:*Role","Resource":"*"}`), scp(`{"Effect":"Deny","Action":"iam:Create*","Resource":"*"}`), ""},
	{"SCP_SYNTAX_ERROR_PRINCIPAL", tE, scp(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`), scp(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`), ""},
	{"UNIQUE_SIDS_REQUIRED", tE, id(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), id(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"B","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), ""},
	{"UNSUPPORTED_ACTION_IN_POLICY", tE, bucket(`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::b/*"}`), bucket(s3Allow + "}"), ""},
	{"UNSUPPORTED_ELEMENT_COMBINATION", tE, id(`{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`), id(s3Get), ""},
	{"UNSUPPORTED_GLOBAL_CONDITION_KEY", tE, res(s3Allow + `,"Condition":{"StringEquals":{"aws:ARN":"arn:aws:iam::111122223333:root"}}}`), id(allowCond("s3:GetObject", `"StringEquals":{"aws:ARN":"arn:aws:iam::111122223333:root"}`)), ""},
	{"UNSUPPORTED_PRINCIPAL", tE, id(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), id(s3Get), ""},
	{"UNSUPPORTED_RESOURCE_ARN_IN_POLICY", tE, bucket(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:kms:us-east-1:111122223333:key/k"}`), bucket(s3Allow + "}"), ""},
	{"UNSUPPORTED_SID", tE, id(`{"Sid":"a b","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), id(`{"Sid":"ab","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), ""},
	{"UNSUPPORTED_WILDCARD_IN_PRINCIPAL", tE, res(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"MISSING_BRACE_IN_VARIABLE", tE, id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")), ""},
	{"MISSING_QUOTE_IN_VARIABLE", tE, id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, none}")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}")), ""},
	{"UNSUPPORTED_SPACE_IN_VARIABLE", tE, id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:user name}")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")), ""},
	{"EMPTY_VARIABLE", tE, id(allowRes("s3:GetObject", "arn:aws:s3:::b/${ }")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")), ""},
	{"VARIABLE_UNSUPPORTED_IN_ELEMENT", tE, id(allowRes("s3:Get${aws:username}", "*")), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")), ""},
	{"VARIABLE_UNSUPPORTED_IN_VERSION", tE, raw(policy.Identity, `{"Version":"2008-10-17","Statement":`+allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")+`}`), id(allowRes("s3:GetObject", "arn:aws:s3:::b/${aws:username}")), ""},
	{"PRIVATE_IP_ADDRESS", tE, id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`)), ""},
	{"PRIVATE_NOT_IP_ADDRESS", tE, id(allowCond("s3:GetObject", `"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}`)), id(allowCond("s3:GetObject", `"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}`)), ""},
	{"POLICY_SIZE_EXCEEDS_SCP_QUOTA", tE, scp(`{"Effect":"Deny","Action":"s3:*","Resource":[` + arns(200) + `]}`), scp(`{"Effect":"Deny","Action":"s3:*","Resource":[` + arns(10) + `]}`), ""},
	{"INVALID_SERVICE_PRINCIPAL_FORMAT", tE, res(`{"Effect":"Allow","Principal":{"Service":"sns"},"Action":"sqs:SendMessage","Resource":` + queue + `}`), res(snsToSQS + `,"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}}`), ""},
	{"MISSING_TAG_KEY_IN_CONDITION", tE, id(allowCond(tagged, `"StringEquals":{"aws:ResourceTag":"a"}`)), id(allowCond(tagged, tagCond)), ""},
	{"INVALID_VPC_FORMAT", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:SourceVpc":"vpc-123"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}`)), ""},
	{"INVALID_VPCE_FORMAT", tE, id(allowCond("s3:GetObject", `"StringEquals":{"aws:SourceVpce":"vpce-1"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}`)), ""},
	{"FEDERATED_PRINCIPAL_NOT_SUPPORTED", tE, res(`{"Effect":"Allow","Principal":` + google + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), tr(trustStmt(google, webID, `"StringEquals":{"accounts.google.com:aud":"app"}`)), ""},
	{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY", tE, id(`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"*","Condition":{"StringLike":{"s3:prefix":"p/*"}}}`), id(allowCond("s3:ListBucket", `"StringLike":{"s3:prefix":"p/*"}`)), ""},
	{"UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", tE, res(snsToSQS + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`), res(snsToSQS + `,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}`), ""},
	{"ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", tE, tr(`{"Effect":"Deny","NotPrincipal":` + acct + `,"Action":"sts:AssumeRole"}`), tr(`{"Effect":"Deny","Principal":` + acct + `,"Action":"sts:AssumeRole"}`), ""},
	{"ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", tE, tr(trustStmt(`"*"`, `"sts:AssumeRole"`, "")), tr(trustStmt(acct, `"sts:AssumeRole"`, "")), ""},
	{"ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", tE, tr(`{"Effect":"Allow","Principal":` + acct + `,"Action":"sts:AssumeRole","Resource":"*"}`), tr(trustStmt(acct, `"sts:AssumeRole"`, "")), ""},
	{"TYPE_MISMATCH_IP_RANGE", tE, id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"not-an-ip"}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`)), ""},
	{"MISSING_ACTION_FOR_CONDITION_KEY", tE, tr(trustStmt(acct, `"sts:AssumeRole"`, `"StringEquals":{"sts:SourceIdentity":"x"}`)), tr(trustStmt(acct, `["sts:AssumeRole","sts:SetSourceIdentity"]`, `"StringEquals":{"sts:SourceIdentity":"x"}`)), ""},
	{"INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", tE, tr(trustStmt(`{"Federated":"not a provider"}`, webID, "")), tr(trustStmt(google, webID, `"StringEquals":{"accounts.google.com:aud":"app"}`)), ""},
	{"MISMATCHED_ACTION_FOR_PRINCIPAL", tE, tr(trustStmt(saml, webID, "")), tr(trustStmt(saml, `"sts:AssumeRoleWithSAML"`, "")), ""},
	{"MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", tE, tr(trustStmt(`{"Service":"rolesanywhere.amazonaws.com"}`, `"sts:AssumeRole"`, "")), tr(trustStmt(`{"Service":"rolesanywhere.amazonaws.com"}`, `["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]`, "")), ""},
	{"POLICY_SIZE_EXCEEDS_RCP_QUOTA", tE, rcp(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[` + arns(200) + `]}`), rcp(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[` + arns(10) + `]}`), ""},
	{"RCP_SYNTAX_ERROR_PRINCIPAL", tE, rcp(`{"Effect":"Deny","Principal":` + acct + `,"Action":"s3:*","Resource":"*"}`), rcp(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`), ""},
	{"RCP_SYNTAX_ERROR_ALLOW", tE, rcp(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::b"}`), rcp(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), ""},
	{"RCP_SYNTAX_ERROR_NOTACTION", tE, rcp(`{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}`), rcp(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), ""},
	{"RCP_SYNTAX_ERROR_ACTION", tE, rcp(`{"Effect":"Deny","Principal":"*","Action":"ec2:RunInstances","Resource":"*"}`), rcp(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), ""},
	{"MISSING_ARN_ACCOUNT", tE, id(allowRes("lambda:GetFunction", "arn:aws:lambda:us-east-1::function:f")), id(allowRes("lambda:GetFunction", "arn:aws:lambda:us-east-1:111122223333:function:f")), ""},
	{"INVALID_KMS_KEY_VALUE", tE, id(allowCond("s3:PutObject", `"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"alias/x"}`)), id(allowCond("s3:PutObject", `"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/1234abcd"}`)), ""},
	{"VARIABLE_USAGE_TOO_PERMISSIVE", tE, id(allowCond("s3:GetObject", `"ArnLike":{"aws:SourceArn":"${aws:PrincipalTag/src}"}`)), id(allowCond("s3:GetObject", `"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:${aws:PrincipalTag/topic}"}`)), ""},
	{"WILDCARD_USAGE_TOO_PERMISSIVE", tE, id(allowCond("s3:GetObject", `"ArnLike":{"aws:SourceArn":"arn*"}`)), id(allowCond("s3:GetObject", `"ArnLike":{"aws:SourceArn":"arn:aws:sns:*"}`)), ""},

	// General warnings.
	{"CREATE_SLR_WITH_NOT_RESOURCE", tW, id(allowAct(createSLR, `"NotResource":"arn:aws:iam::111122223333:role/x"`)), id(allowAct(createSLR, `"Resource":"arn:aws:iam::111122223333:role/aws-service-role/x"`)), ""},
	{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", tW, id(allowAct(`"iam:*"`, `"NotResource":"arn:aws:iam::111122223333:role/x"`)), id(allowAct(`"iam:*"`, `"Resource":"arn:aws:iam::111122223333:role/x"`)), ""},
	{"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", tW, id(`{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}`), id(`{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::b"}`), ""},
	{"CREATE_SLR_WITH_STAR_IN_RESOURCE", tW, id(allowAct(createSLR, `"Resource":"*"`)), id(allowAct(createSLR, `"Resource":"arn:aws:iam::111122223333:role/aws-service-role/x"`)), ""},
	{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", tW, id(allowAct(`"iam:Create*"`, `"Resource":"*"`)), id(allowAct(`"iam:Create*"`, `"Resource":"arn:aws:iam::111122223333:user/x"`)), ""},
	{"CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", tW, id(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`), id(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), ""},
	{"DEPRECATED_GLOBAL_CONDITION_KEY", tW, id(allowCond("s3:GetObject", `"StringEquals":{"aws:ARN":"arn:aws:iam::111122223333:root"}`)), id(allowCond("s3:GetObject", `"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:root"}`)), ""},
	{"INVALID_DATE_VALUE", tW, id(allowCond("s3:GetObject", `"DateGreaterThan":{"aws:CurrentTime":"1577836800"}`)), id(allowCond("s3:GetObject", `"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}`)), ""},
	{"INVALID_ROLE_REFERENCE", tW, res(`{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID12345678"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"INVALID_USER_REFERENCE", tW, res(`{"Effect":"Allow","Principal":{"AWS":"AIDAEXAMPLEID12345678"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/u"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"MISSING_VERSION", tW, raw(policy.Identity, `{"Statement":`+s3Get+`}`), id(s3Get), ""},
	{"UNIQUE_SIDS_RECOMMENDED", tW, res(`{"Sid":"A",`+s3Allow[1:]+"}", `{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Sid":"A",`+s3Allow[1:]+"}", `{"Sid":"B","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"WILDCARD_WITHOUT_LIKE_OPERATOR", tW, id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a*"}`)), id(allowCond("s3:GetObject", `"StringLike":{"aws:username":"a*"}`)), ""},
	{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", tW, id(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[` + arns(250) + `]}`), id(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[` + arns(200) + `]}`), ""},
	{"POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", tW, res(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[` + arns(800) + `]}`), res(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[` + arns(700) + `]}`), ""},
	{"TYPE_MISMATCH", tW, id(allowCond("s3:GetObject", `"IpAddress":{"aws:username":"203.0.113.0/24"}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`)), ""},
	{"TYPE_MISMATCH_BOOLEAN", tW, id(allowCond("s3:GetObject", `"Bool":{"aws:SecureTransport":"yes"}`)), id(allowCond("s3:GetObject", `"Bool":{"aws:SecureTransport":"true"}`)), ""},
	{"TYPE_MISMATCH_DATE", tW, id(allowCond("s3:GetObject", `"DateGreaterThan":{"aws:CurrentTime":"tomorrow"}`)), id(allowCond("s3:GetObject", `"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}`)), ""},
	{"TYPE_MISMATCH_NUMBER", tW, id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":"one"}`)), id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}`)), ""},
	{"TYPE_MISMATCH_STRING", tW, id(allowCond("s3:GetObject", `"BinaryEquals":{"aws:username":"!!!"}`)), id(allowCond("s3:GetObject", `"BinaryEquals":{"aws:username":"QmluYXJ5"}`)), ""},
	{"SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", tW, tr(trustStmt(github, webID, `"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/*"}`)), tr(trustStmt(github, webID, `"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:org/app:ref:refs/heads/main"}`)), ""},
	{"POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", tW, tr(trustStmt(`{"AWS":[`+roles(60)+`]}`, `"sts:AssumeRole"`, "")), tr(trustStmt(`{"AWS":[`+roles(40)+`]}`, `"sts:AssumeRole"`, "")), ""},
	{"RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY", tW, rcp(rcpDeny(`"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}`)), rcp(rcpDeny(`"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}`)), ""},
	{"RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY", tW, rcp(rcpDeny(`"StringNotEquals":{"aws:SourceAccount":"111122223333"},"Null":{"aws:SourceAccount":"false"}`)), rcp(rcpDeny(`"StringNotEquals":{"aws:SourceAccount":"111122223333"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}`)), ""},
	{"RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK", tW, rcp(rcpDeny(`"StringNotEqualsIfExists":{"aws:SourceAccount":"111122223333"},"Bool":{"aws:PrincipalIsAWSService":"true"}`)), rcp(rcpDeny(`"StringNotEqualsIfExists":{"aws:SourceAccount":"111122223333"},"Bool":{"aws:PrincipalIsAWSService":"true"},"Null":{"aws:SourceAccount":"false"}`)), ""},
	{"USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES", tW, id(allowCond("*", `"StringEquals":{"aws:VpceAccount":"111122223333"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:VpceAccount":"111122223333"}`)), ""},

	// Security warnings.
	{"UNTRUSTWORTHY_CONDITION_KEY", tSW, id(allowCond("s3:GetObject", `"StringLike":{"aws:Referer":"https://example.com/*"}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}`)), ""},
	{"ALLOW_WITH_NOT_PRINCIPAL", tSW, res(`{"Effect":"Allow","NotPrincipal":` + acct + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Deny","NotPrincipal":` + acct + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"FORALLVALUES_WITH_SINGLE_VALUED_KEY", tSW, id(allowCond("s3:GetObject", `"ForAllValues:StringEquals":{"aws:username":["a","b"]}`)), id(allowCond("s3:GetObject", `"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}`)), ""},
	{"PASS_ROLE_WITH_NOT_RESOURCE", tSW, id(allowAct(passrole, `"NotResource":"arn:aws:iam::111122223333:role/admin"`)), id(allowAct(passrole, `"Resource":"arn:aws:iam::111122223333:role/app"`)), ""},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", tSW, id(allowAct(`"iam:Pass*"`, `"NotResource":"arn:aws:iam::111122223333:role/admin"`)), id(allowAct(`"iam:Pass*"`, `"Resource":"arn:aws:iam::111122223333:role/app"`)), ""},
	{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", tSW, id(`{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}`), id(`{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::b"}`), ""},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", tSW, id(allowAct(passrole, `"Resource":"*"`)), id(allowAct(passrole, `"Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`)), ""},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", tSW, id(allowAct(`"iam:*"`, `"Resource":"*"`)), id(allowAct(`"iam:*"`, `"Resource":"arn:aws:iam::111122223333:role/Service*"`)), ""},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", tSW, id(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`), id(`{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`), ""},
	{"MISSING_PAIRED_CONDITION_KEYS", tSW, id(allowCond("s3:GetObject", `"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/8"}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/8"},"StringEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}`)), ""},
	{"DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", tSW, id(`{"Effect":"Deny","Action":"` + untagged + `","Resource":"*","Condition":{` + tagCond + `}}`), id(`{"Effect":"Deny","Action":"` + tagged + `","Resource":"*","Condition":{` + tagCond + `}}`), ""},
	{"DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", tSW, id(`{"Effect":"Deny","NotAction":"s3:*","Resource":"*","Condition":{` + tagCond + `}}`), id(`{"Effect":"Deny","Action":"` + tagged + `","Resource":"*","Condition":{` + tagCond + `}}`), ""},
	{"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", tSW, res(snsToSQS + "}"), res(snsToSQS + `,"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}}`), ""},
	{"MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", tSW, tr(trustStmt(eks, webID, "")), tr(trustStmt(eks, webID, `"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:ns:sa"}`)), ""},
	{"MISSING_GITHUB_REPO_CONDITION_KEY", tSW, tr(trustStmt(github, webID, `"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`)), tr(trustStmt(github, webID, `"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:org/app:ref:refs/heads/main"}`)), ""},
	{"STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", tSW, id(allowCond("s3:GetObject", `"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}`)), id(allowCond("s3:GetObject", `"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}`)), ""},
	{"DYNAMODB_ATTRIBUTES_WITHOUT_SELECT", tSW, id(allowCond("dynamodb:GetItem", `"ForAllValues:StringEquals":{"dynamodb:Attributes":["a"]}`)), id(allowCond("dynamodb:GetItem", `"ForAllValues:StringEquals":{"dynamodb:Attributes":["a"]},"StringEquals":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES"}`)), ""},
	{"S3_PREFIX_IN_NEGATIVE_CONTEXT", tSW, id(`{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"private/*"}}}`), id(`{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotLike":{"s3:prefix":"public/*"}}}`), ""},
	{"FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE", tSW, tr(trustStmt(google, webID, `"ForAnyValue:StringEquals":{"accounts.google.com:aud":"app"}`)), tr(trustStmt(google, webID, `"StringEquals":{"accounts.google.com:aud":"app"}`)), ""},

	// Suggestions.
	{"EMPTY_ARRAY_ACTION", tS, id(`{"Effect":"Allow","Action":[],"Resource":"*"}`), id(s3Get), ""},
	{"EMPTY_ARRAY_CONDITION", tS, id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":[]}`)), id(allowCond("s3:GetObject", `"StringEquals":{"aws:username":["a"]}`)), ""},
	{"EMPTY_ARRAY_CONDITION_FORALLVALUES", tS, id(allowCond("s3:GetObject", `"ForAllValues:StringEquals":{"aws:TagKeys":[]}`)), id(allowCond("s3:GetObject", `"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}`)), ""},
	{"EMPTY_ARRAY_CONDITION_FORANYVALUE", tS, id(allowCond("s3:GetObject", `"ForAnyValue:StringEquals":{"aws:TagKeys":[]}`)), id(allowCond("s3:GetObject", `"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}`)), ""},
	{"EMPTY_ARRAY_CONDITION_IFEXISTS", tS, id(allowCond("s3:GetObject", `"StringEqualsIfExists":{"aws:username":[]}`)), id(allowCond("s3:GetObject", `"StringEqualsIfExists":{"aws:username":["a"]}`)), ""},
	{"EMPTY_ARRAY_PRINCIPAL", tS, res(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
	{"EMPTY_ARRAY_RESOURCE", tS, id(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[]}`), id(s3Get), ""},
	{"EMPTY_OBJECT_CONDITION", tS, id(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{}}`), id(s3Get), ""},
	{"EMPTY_OBJECT_PRINCIPAL", tS, res(`{"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), res(s3Allow + "}"), ""},
	{"EMPTY_SID_VALUE", tS, id(`{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), id(s3Get), ""},
	{"EQUIVALENT_TO_NULL_FALSE", tS, id(allowCond(tagged, `"StringLike":{"aws:ResourceTag/team":"*"}`)), id(allowCond(tagged, `"StringLike":{"aws:ResourceTag/team":"a*"}`)), ""},
	{"EQUIVALENT_TO_NULL_TRUE", tS, id(allowCond(tagged, `"StringNotLike":{"aws:ResourceTag/team":"*"}`)), id(allowCond(tagged, `"StringNotLike":{"aws:ResourceTag/team":"a*"}`)), ""},
	{"IMPROVE_IP_RANGE", tS, id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"203.0.113.5/24"}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`)), ""},
	{"NULL_WITH_QUALIFIER", tS, id(allowCond("s3:GetObject", `"ForAllValues:Null":{"aws:TagKeys":"true"}`)), id(allowCond("s3:GetObject", `"Null":{"aws:TagKeys":"true"}`)), ""},
	{"PRIVATE_IP_ADDRESS_SUBSET", tS, id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}`)), id(allowCond("s3:GetObject", `"IpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}`)), ""},
	{"PRIVATE_NOT_IP_ADDRESS_SUBSET", tS, id(allowCond("s3:GetObject", `"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}`)), id(allowCond("s3:GetObject", `"NotIpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}`)), ""},
	{"REDUNDANT_ACTION", tS, id(`{"Effect":"Allow","Action":["iam:Get*","iam:GetUser"],"Resource":"*"}`), id(`{"Effect":"Allow","Action":["iam:Get*","iam:ListUsers"],"Resource":"*"}`), ""},
	{"REDUNDANT_CONDITION_VALUE_NUM", tS, id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":["2700","3600"]}`)), id(allowCond("s3:GetObject", `"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}`)), ""},
	{"REDUNDANT_RESOURCE", tS, id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:role/jane-admin", "arn:aws:iam::111122223333:role/jane*")), id(allowRes("iam:GetRole", "arn:aws:iam::111122223333:role/jane-admin", "arn:aws:iam::111122223333:role/joe*")), ""},
	{"REDUNDANT_STATEMENT", tS, id(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), id(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"B","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), ""},
	{"WILDCARD_IN_SERVICE_NAME", tS, id(allowRes("codecommit:GitPull", "arn:aws:*code*:us-east-1:111122223333:*")), id(allowRes("codecommit:GitPull", "arn:aws:codecommit:us-east-1:111122223333:*")), ""},
	{"ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", tS, id(allowCond(untagged, tagCond)), id(allowCond(tagged, tagCond)), ""},
	{"ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", tS, id(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*","Condition":{` + tagCond + `}}`), id(allowCond(tagged, tagCond)), ""},
	{"RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", tS, res(snsToSQS + `,"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`), res(snsToSQS + `,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}`), ""},
	{"IRRELEVANT_CONDITION_KEY_IN_POLICY", tS, res(s3Allow + `,"Condition":{"StringEquals":{"s3:ResourceAccount":"111122223333"}}}`), id(allowCond("s3:GetObject", `"StringEquals":{"s3:ResourceAccount":"111122223333"}`)), ""},
	{"REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION", tS, id(allowCond("s3:GetObject", `"ForAllValues:StringLike":{"aws:TagKeys":"*"}`)), id(allowCond("s3:GetObject", `"ForAllValues:StringLike":{"aws:TagKeys":"team*"}`)), ""},
	{"REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", tS, tr(trustStmt(`{"AWS":["arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s"]}`, `"sts:AssumeRole"`, "")), tr(trustStmt(`{"AWS":["arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/q/s"]}`, `"sts:AssumeRole"`, "")), ""},
	{"REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION", tS, id(allowCond("s3:GetObject", `"ForAnyValue:StringNotLike":{"aws:TagKeys":"*"}`)), id(allowCond("s3:GetObject", `"ForAnyValue:StringNotLike":{"aws:TagKeys":"team*"}`)), ""},
	{"CONFIRM_AUDIENCE_CLAIM_TYPE", tS, tr(trustStmt(google, webID, `"ForAllValues:StringEquals":{"accounts.google.com:aud":"app"}`)), tr(trustStmt(google, webID, `"StringEquals":{"accounts.google.com:aud":"app"}`)), ""},
}

// TestLintChecklist runs every check of AWS's reference: its firing document must yield the
// issue code with the finding type, its passing document must not yield the code. A check
// without both documents must say why it cannot be decided offline.
func TestLintChecklist(t *testing.T) {
	cat, _ := lintCatalog(t)
	seen := map[string]bool{}
	for _, c := range checklist {
		t.Run(c.code, func(t *testing.T) {
			if seen[c.code] {
				t.Fatalf("%s listed twice", c.code)
			}
			seen[c.code] = true
			if c.offline != "" {
				if c.fire.doc != "" || c.pass.doc != "" {
					t.Fatalf("%s is marked not decidable offline (%s) but has cases", c.code, c.offline)
				}
				return
			}
			if c.fire.doc == "" || c.pass.doc == "" {
				t.Fatalf("%s has no firing or no passing case", c.code)
			}
			got, err := policy.LintWith(c.fire.doc, c.fire.kind, cat, policy.LintOptions{ResourceType: c.fire.rt})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range got {
				if f.Code == c.code {
					found = true
					if f.Type != c.typ {
						t.Errorf("Lint(%s, %v): %s is %s, want %s", c.fire.doc, c.fire.kind, c.code, f.Type, c.typ)
					}
					if f.Message == "" {
						t.Errorf("Lint(%s, %v): %s has no message", c.fire.doc, c.fire.kind, c.code)
					}
				}
			}
			if !found {
				t.Errorf("Lint(%s, %v) = %v, want a %s finding", c.fire.doc, c.fire.kind, briefs(got), c.code)
			}
			got, err = policy.LintWith(c.pass.doc, c.pass.kind, cat, policy.LintOptions{ResourceType: c.pass.rt})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got {
				if f.Code == c.code {
					t.Errorf("Lint(%s, %v) = %v, want no %s finding", c.pass.doc, c.pass.kind, briefs(got), c.code)
				}
			}
		})
	}
	if len(checklist) != 153 {
		t.Errorf("checklist has %d checks, AWS's reference lists 153 issue codes", len(checklist))
	}
}
