package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doc wraps statements in a 2012-10-17 document.
func doc(statements string) string {
	return `{"Version":"2012-10-17","Statement":` + statements + `}`
}

// allow is a minimal identity statement with extra members appended.
func allow(extra string) string {
	s := `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"`
	if extra != "" {
		s += "," + extra
	}
	return doc(s + "}")
}

// trustStmt is a minimal trust statement with the given principal.
func trustStmt(principal string) string {
	return doc(`{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}`)
}

// resourceStmt is a minimal resource-based statement with the given principal.
func resourceStmt(principal string) string {
	return doc(`{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
}

const (
	wantSyntax = "Syntax errors in policy."
	wantLegacy = "The policy failed legacy parsing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		text string
		want string
	}{
		// JSON.
		{"InvalidJSON", Identity, `{"Version":`, wantSyntax},
		{"TrailingGarbage", Identity, allow("") + ` x`, wantSyntax},
		{"TrailingComma", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",}`), wantSyntax},
		{"TrailingCommaArray", Identity, doc(`{"Effect":"Allow","Action":["s3:GetObject",],"Resource":"*"}`), wantSyntax},
		{"MissingColon", Identity, `{"Version" "2012-10-17"}`, wantSyntax},
		{"MissingComma", Identity, `{"Version":"2012-10-17" "Id":"x"}`, wantSyntax},
		{"ArrayMissingComma", Identity, doc(`{"Effect":"Allow","Action":["a:b" "c:d"],"Resource":"*"}`), wantSyntax},
		{"UnclosedObject", Identity, `{"Version":"2012-10-17"`, wantSyntax},
		{"UnclosedArray", Identity, doc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"UnquotedKey", Identity, `{Version:"2012-10-17"}`, wantSyntax},
		{"SingleQuotes", Identity, `{'Version':'2012-10-17'}`, wantSyntax},
		{"DuplicateTopLevelKey", Identity, `{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},
		{"DuplicateStatementKey", Identity, doc(`{"Effect":"Allow","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"DuplicateConditionOperator", Identity, allow(`"Condition":{"Bool":{"aws:SecureTransport":"true"},"Bool":{"aws:ViaAWSService":"true"}}`), wantSyntax},
		{"DuplicateConditionKey", Identity, allow(`"Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}`), wantSyntax},
		{"NotObjectArray", Identity, `[]`, wantSyntax},
		{"NotObjectString", Identity, `"policy"`, wantSyntax},
		{"NotObjectNull", Identity, `null`, wantSyntax},
		{"EmptyDocument", Identity, ``, wantSyntax},
		{"WhitespaceOnly", Identity, " \n\t", wantSyntax},
		{"BadLiteral", Identity, `{"Version":tru}`, wantSyntax},
		{"BadEscape", Identity, `{"Id":"a\x"}`, wantSyntax},
		{"BadUnicodeEscape", Identity, `{"Id":"\u12G4"}`, wantSyntax},
		{"ShortUnicodeEscape", Identity, `{"Id":"\u12"}`, wantSyntax},
		{"EscapeAtEnd", Identity, `{"Id":"\`, wantSyntax},
		{"UnterminatedString", Identity, `{"Id":"abc`, wantSyntax},
		{"UnterminatedEscapedString", Identity, `{"Id":"a\nbc`, wantSyntax},
		{"RawTabInString", Identity, "{\"Id\":\"a\tb\"}", wantSyntax},
		{"RawNewlineInEscapedString", Identity, "{\"Id\":\"\\n\n\"}", wantSyntax},
		{"NumberMinusOnly", Identity, `{"Id":-}`, wantSyntax},
		{"NumberTrailingDot", Identity, `{"Id":1.}`, wantSyntax},
		{"NumberEmptyExponent", Identity, `{"Id":1e+}`, wantSyntax},
		{"NumberLeadingZero", Identity, `{"Id":01}`, wantSyntax},
		{"TooDeep", Identity, `{"Id":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, wantSyntax},
		{"TooDeepObjects", Identity, strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), wantSyntax},
		{"TrustInvalidJSON", Trust, `{"Version":"2012-10-17",}`, "This policy contains invalid Json"},

		// Characters.
		{"CharsetEmoji", Identity, allow(`"Sid":"😀"`), `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"CharsetControl", Identity, "{\x01}", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"CharsetInvalidUTF8", Identity, "{\"Id\":\"\xff\"}", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"CharsetAboveLatin1", Identity, allow(`"Sid":"Ā"`), `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},

		// Top level.
		{"UnknownTopLevelKey", Identity, `{"Version":"2012-10-17","Foo":1,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},
		{"TopLevelKeyWrongCase", Identity, `{"Version":"2012-10-17","statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},
		{"MissingStatement", Identity, `{"Version":"2012-10-17"}`, wantSyntax},
		{"StatementString", Identity, doc(`"Allow"`), wantSyntax},
		{"StatementNull", Identity, doc(`null`), wantSyntax},
		{"EmptyStatementArray", Identity, doc(`[]`), wantSyntax},
		{"StatementElementNotObject", Identity, doc(`["x"]`), wantSyntax},
		{"VersionUnknown", Identity, `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},
		{"VersionNumber", Identity, `{"Version":2012,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},
		{"IDNotString", Identity, `{"Version":"2012-10-17","Id":7,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, wantSyntax},

		// Statement elements.
		{"UnknownStatementKey", Identity, allow(`"Actions":"s3:*"`), wantSyntax},
		{"StatementKeyWrongCase", Identity, allow(`"condition":{}`), wantSyntax},
		{"SidNotString", Identity, allow(`"Sid":1`), wantSyntax},
		{"EffectMissing", Identity, doc(`{"Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"EffectUnknown", Identity, doc(`{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"EffectNotString", Identity, doc(`{"Effect":true,"Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"EffectWrongCase", Identity, doc(`{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}`), wantLegacy},
		{"EffectWrongCaseDeny", Identity, doc(`{"Effect":"denY","Action":"s3:GetObject","Resource":"*"}`), wantLegacy},
		{"ActionAndNotAction", Identity, allow(`"NotAction":"s3:PutObject"`), wantSyntax},
		{"ResourceAndNotResource", Identity, allow(`"NotResource":"*"`), wantSyntax},
		{"PrincipalAndNotPrincipal", Resource, doc(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"}`), wantSyntax},
		{"ActionNumber", Identity, doc(`{"Effect":"Allow","Action":1,"Resource":"*"}`), wantSyntax},
		{"ActionObject", Identity, doc(`{"Effect":"Allow","Action":{},"Resource":"*"}`), wantSyntax},
		{"ActionArrayWithNumber", Identity, doc(`{"Effect":"Allow","Action":["s3:GetObject",1],"Resource":"*"}`), wantSyntax},
		{"ResourceArrayWithNull", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["*",null]}`), wantSyntax},
		{"ActionMissing", Identity, doc(`{"Effect":"Allow","Resource":"*"}`), "Policy statement must contain actions."},
		{"ActionEmptyArray", Identity, doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Policy statement must contain actions."},
		{"NotActionEmptyArray", Identity, doc(`{"Effect":"Allow","NotAction":[],"Resource":"*"}`), "Policy statement must contain actions."},
		{"ResourceMissing", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject"}`), "Policy statement must contain resources."},
		{"ResourceEmptyArray", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[]}`), "Policy statement must contain resources."},
		{"ResourceMissingBoundary", Boundary, doc(`{"Effect":"Allow","Action":"s3:GetObject"}`), "Policy statement must contain resources."},
		{"ResourceMissingSession", Session, doc(`{"Effect":"Allow","Action":"s3:GetObject"}`), "Policy statement must contain resources."},
		{"ResourceMissingResourcePolicy", Resource, doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), "Policy statement must contain resources."},
		{"ResourceEmptyArraySCP", SCP, doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":[]}`), "Policy statement must contain resources."},

		// Sids.
		{"SidDuplicate", Identity, doc(`[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]`), "Statement IDs (SID) in a single policy must be unique."},
		{"SidDuplicateBeforeMissingAction", Identity, doc(`[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]`), "Statement IDs (SID) in a single policy must be unique."},
		{"SidNotAlphanumeric", Identity, allow(`"Sid":"allow-read"`), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
		{"SidSpaceTrust", Trust, doc(`{"Sid":"a b","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
		{"SidUnderscoreBoundary", Boundary, allow(`"Sid":"a_b"`), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},

		// Actions.
		{"ActionNoVendor", Identity, doc(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"ActionEmpty", Identity, doc(`{"Effect":"Allow","Action":"","Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"ActionTwoColons", Identity, doc(`{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}`), "Actions/Condition can contain only one colon."},
		{"ActionWildcardVendor", Identity, doc(`{"Effect":"Allow","Action":"*:Untag*","Resource":"*"}`), "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"},
		{"ActionBadVendor", Identity, doc(`{"Effect":"Allow","Action":"a a:GetObject","Resource":"*"}`), "Vendor a a is not valid"},
		{"NotActionNoVendor", Identity, doc(`{"Effect":"Allow","NotAction":["s3:GetObject","Get"],"Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"TrustActionNoVendor", Trust, doc(`{"Effect":"Allow","Principal":"*","Action":"AssumeRole"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},

		// Resources.
		{"ResourceNotARN", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"adf"}`), `Resource adf must be in ARN format or "*".`},
		{"ResourceEmptyString", Identity, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":""}`), `Resource  must be in ARN format or "*".`},
		{"ResourceFormatAfterMissingActions", Identity, doc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"adf"},{"Effect":"Allow","Resource":"*"}]`), "Policy statement must contain actions."},
		{"ResourceTooFewParts", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}`), wantLegacy},
		{"NotResourceTooFewParts", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}`), wantLegacy},
		{"ResourceEmptyService", Identity, doc(`{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}`), wantLegacy},
		{"ResourceLegacyBeforeMissingAction", Identity, doc(`{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}`), wantLegacy},
		{"ResourcePartition", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket"}`), `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},
		{"ResourcePartitionShort", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:b:cadfsdf"}`), `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
		{"ResourcePartitionOnly", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:bsdfdsafsad"}`), `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
		{"ResourcePartitionLong", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:b:c:d:e:f:g:h"}`), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
		{"ResourcePartitionMissingService", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:s3:::example_bucket"}`), `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
		{"ResourceNoVendor", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}`), "Resource vendor must be fully qualified and cannot contain regexes."},
		{"ResourceIAMRegion", Identity, doc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1::example_bucket"}`), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"ResourceS3Region", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}`), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"ResourceIAMPath", Identity, doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}`), `IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`},
		{"ResourceFormatSkipsLaterLegacy", Identity, doc(`[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"adf"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::x"}]`), `Resource adf must be in ARN format or "*".`},
		{"TrustResource", Trust, doc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}`), "Has prohibited field Resource"},
		{"TrustNotResource", Trust, doc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}`), "Has prohibited field Resource"},

		// Principals.
		{"IdentityPrincipal", Identity, allow(`"Principal":"*"`), "Policy document should not specify a principal."},
		{"IdentityNotPrincipal", Identity, allow(`"NotPrincipal":{"AWS":"123456789012"}`), "Policy document should not specify a principal."},
		{"BoundaryPrincipal", Boundary, allow(`"Principal":"*"`), "Policy document should not specify a principal."},
		{"SessionPrincipal", Session, allow(`"Principal":"*"`), "Policy document should not specify a principal."},
		{"SCPPrincipal", SCP, allow(`"Principal":"*"`), "Policy document should not specify a principal."},
		{"TrustMissingPrincipal", Trust, doc(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"},
		{"ResourceMissingPrincipal", Resource, doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Missing required field Principal"},
		{"RCPMissingPrincipal", RCP, doc(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`), "Missing required field Principal"},
		{"PrincipalStringNotStar", Resource, resourceStmt(`"123456789012"`), wantSyntax},
		{"PrincipalNumber", Resource, resourceStmt(`1`), wantSyntax},
		{"PrincipalEmptyObject", Trust, trustStmt(`{}`), wantSyntax},
		{"PrincipalUnknownType", Trust, trustStmt(`{"User":"arn:aws:iam::123456789012:user/bob"}`), wantSyntax},
		{"PrincipalTypeWrongCase", Trust, trustStmt(`{"aws":"123456789012"}`), wantSyntax},
		{"PrincipalEmptyArray", Trust, trustStmt(`{"AWS":[]}`), wantSyntax},
		{"PrincipalArrayWithNumber", Trust, trustStmt(`{"AWS":["123456789012",1]}`), wantSyntax},
		{"PrincipalObjectValue", Trust, trustStmt(`{"Service":{}}`), wantSyntax},
		{"TrustInvalidAWS", Trust, trustStmt(`{"AWS":"bob"}`), `Invalid principal in policy: "AWS":"bob"`},
		{"TrustWildcardARN", Trust, trustStmt(`{"AWS":"arn:aws:iam::123456789012:role/*"}`), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/*"`},
		{"TrustShortAccount", Trust, trustStmt(`{"AWS":"12345678901"}`), `Invalid principal in policy: "AWS":"12345678901"`},
		{"TrustAccountLetters", Trust, trustStmt(`{"AWS":"12345678901a"}`), `Invalid principal in policy: "AWS":"12345678901a"`},
		{"TrustGroupARN", Trust, trustStmt(`{"AWS":"arn:aws:iam::123456789012:group/admins"}`), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/admins"`},
		{"TrustARNWithRegion", Trust, trustStmt(`{"AWS":"arn:aws:iam:us-east-1:123456789012:root"}`), `Invalid principal in policy: "AWS":"arn:aws:iam:us-east-1:123456789012:root"`},
		{"TrustARNBadPartition", Trust, trustStmt(`{"AWS":"arn:moon:iam::123456789012:root"}`), `Invalid principal in policy: "AWS":"arn:moon:iam::123456789012:root"`},
		{"TrustARNNoResource", Trust, trustStmt(`{"AWS":"arn:aws:iam::123456789012:"}`), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:"`},
		{"TrustS3ARN", Trust, trustStmt(`{"AWS":"arn:aws:s3::123456789012:bucket"}`), `Invalid principal in policy: "AWS":"arn:aws:s3::123456789012:bucket"`},
		{"TrustSessionNoName", Trust, trustStmt(`{"AWS":"arn:aws:sts::123456789012:assumed-role/"}`), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/"`},
		{"TrustSecondValueInvalid", Trust, trustStmt(`{"AWS":["123456789012","x"]}`), `Invalid principal in policy: "AWS":"x"`},
		{"TrustGroupID", Trust, trustStmt(`{"AWS":"AGPAJQABLZS4A3QDU576Q"}`), `Invalid principal in policy: "AWS":"AGPAJQABLZS4A3QDU576Q"`},
		{"TrustUserIDLowerCase", Trust, trustStmt(`{"AWS":"AIDAjqablzs4a3qdu576q"}`), `Invalid principal in policy: "AWS":"AIDAjqablzs4a3qdu576q"`},
		{"TrustUserIDShort", Trust, trustStmt(`{"AWS":"AIDAJQABLZS4A3QDU576"}`), `Invalid principal in policy: "AWS":"AIDAJQABLZS4A3QDU576"`},
		{"TrustInvalidService", Trust, trustStmt(`{"Service":"ec2"}`), `Invalid principal in policy: "Service":"ec2"`},
		{"TrustServiceSuffixOnly", Trust, trustStmt(`{"Service":".amazonaws.com"}`), `Invalid principal in policy: "Service":".amazonaws.com"`},
		{"TrustServiceBadChars", Trust, trustStmt(`{"Service":"ec2 x.amazonaws.com"}`), `Invalid principal in policy: "Service":"ec2 x.amazonaws.com"`},
		{"TrustInvalidFederated", Trust, trustStmt(`{"Federated":"example.com"}`), `Invalid principal in policy: "Federated":"example.com"`},
		{"TrustFederatedRoleARN", Trust, trustStmt(`{"Federated":"arn:aws:iam::123456789012:role/x"}`), `Invalid principal in policy: "Federated":"arn:aws:iam::123456789012:role/x"`},
		{"TrustInvalidCanonicalUser", Trust, trustStmt(`{"CanonicalUser":"abc"}`), `Invalid principal in policy: "CanonicalUser":"abc"`},
		{"TrustCanonicalUserUppercase", Trust, trustStmt(`{"CanonicalUser":"` + strings.Repeat("A", 64) + `"}`), `Invalid principal in policy: "CanonicalUser":"` + strings.Repeat("A", 64) + `"`},
		{"ResourceInvalidAWS", Resource, resourceStmt(`{"AWS":"bob"}`), "Invalid principal in policy"},
		{"ResourceInvalidNotPrincipal", Resource, doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"bob"},"Action":"s3:GetObject","Resource":"*"}`), "Invalid principal in policy"},

		// Conditions.
		{"ConditionNotObject", Identity, allow(`"Condition":"x"`), wantSyntax},
		{"ConditionUnknownOperator", Identity, allow(`"Condition":{"StringEqual":{"aws:username":"bob"}}`), wantSyntax},
		{"ConditionOperatorWrongCase", Identity, allow(`"Condition":{"stringEquals":{"aws:username":"bob"}}`), wantSyntax},
		{"ConditionOperatorNotObject", Identity, allow(`"Condition":{"StringEquals":"bob"}`), wantSyntax},
		{"ConditionValueNull", Identity, allow(`"Condition":{"StringEquals":{"aws:username":null}}`), wantSyntax},
		{"ConditionValueObject", Identity, allow(`"Condition":{"StringEquals":{"aws:username":{}}}`), wantSyntax},
		{"ConditionArrayWithNull", Identity, allow(`"Condition":{"StringEquals":{"aws:username":["bob",null]}}`), wantSyntax},
		{"ConditionArrayWithArray", Identity, allow(`"Condition":{"StringEquals":{"aws:username":[["bob"]]}}`), wantSyntax},
		{"ConditionKeyNoVendor", Identity, allow(`"Condition":{"StringEquals":{"username":"bob"}}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"DateNotADate", Identity, allow(`"Condition":{"DateGreaterThan":{"a:b":"sdfdsf"}}`), wantLegacy},
		{"DateBadMonth", Identity, allow(`"Condition":{"DateLessThanEquals":{"a:b":"234-13"}}`), wantLegacy},
		{"DateBadZone", Identity, allow(`"Condition":{"DateLessThanEquals":{"a:b":"2016-12-13t2:00:00.593194+1"}}`), wantLegacy},
		{"DateLongFraction", Identity, allow(`"Condition":{"DateLessThanEquals":{"a:b":"2016-12-13t2:00:00.1999999999+10:59"}}`), wantLegacy},
		{"DateEmptyFraction", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13T02:00:00."}}`), wantLegacy},
		{"DateBadHour", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13T24:00"}}`), wantLegacy},
		{"DateBadZoneMinutes", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13T02:00Z00"}}`), wantLegacy},
		{"DateZoneMinutesRange", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13T02:00+01:60"}}`), wantLegacy},
		{"DateTooManyParts", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13-01"}}`), wantLegacy},
		{"DateTooManyClockParts", Identity, allow(`"Condition":{"DateEquals":{"a:b":"2016-12-13T01:02:03:04"}}`), wantLegacy},
		{"DateNoYear", Identity, allow(`"Condition":{"DateEquals":{"a:b":"T01:02"}}`), wantLegacy},
		{"DateFloat", Identity, allow(`"Condition":{"DateEquals":{"a:b":1.5}}`), wantLegacy},
		{"DateEpochOverflow", Identity, allow(`"Condition":{"DateEquals":{"a:b":"9223372036854775808"}}`), wantLegacy},
		{"DateInArray", Identity, allow(`"Condition":{"ForAnyValue:DateEqualsIfExists":{"a:b":["2020-01-01","x"]}}`), wantLegacy},
		{"DateVariableIn2008", Identity, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateEquals":{"a:b":"${aws:CurrentTime}"}}}}`, wantLegacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text, tt.kind)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q, %v) = %+v, %v; want SyntaxError %q", tt.text, tt.kind, got, err, tt.want)
			}
			if se.Message != tt.want || se.Error() != tt.want {
				t.Errorf("Parse(%q, %v) message = %q, want %q", tt.text, tt.kind, se.Message, tt.want)
			}
			if wantCharset := strings.HasPrefix(tt.want, "Member must"); se.Charset != wantCharset {
				t.Errorf("Parse(%q, %v) Charset = %v, want %v", tt.text, tt.kind, se.Charset, wantCharset)
			}
		})
	}
}

func TestParseErrorPosition(t *testing.T) {
	tests := []struct {
		name       string
		kind       Kind
		text       string
		line, col  int
		wantPrefix string
	}{
		{"TrailingGarbage", Identity, "{\"Version\":\"2012-10-17\"}\n  x", 2, 3, "Syntax"},
		{"DuplicateKeyPointsAtSecondKey", Identity, "{\n \"Id\":\"a\",\n \"Id\":\"b\"}", 3, 2, "Syntax"},
		{"UnknownStatementKey", Identity, "{\"Statement\":{\n\t\"Foo\":1}}", 2, 2, "Syntax"},
		{"CharsetColumnCountsCharacters", Identity, "{\"Id\":\"é😀\"}", 1, 9, "Member"},
		{"EffectWrongCase", Identity, "{\"Statement\":{\"Effect\":\"allow\",\"Action\":\"a:b\",\"Resource\":\"*\"}}", 1, 24, "The policy"},
		{"MissingActionPointsAtStatement", Identity, "{\"Statement\":[\n  {\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", 2, 3, "Policy statement"},
		{"ActionValue", Identity, "{\"Statement\":{\"Effect\":\"Allow\",\n\"Action\":\"bad\",\"Resource\":\"*\"}}", 2, 10, "Actions"},
		{"UnexpectedEnd", Identity, "{\"Id\":", 1, 7, "Syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text, tt.kind)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want SyntaxError", tt.text, err)
			}
			if se.Line != tt.line || se.Column != tt.col || !strings.HasPrefix(se.Message, tt.wantPrefix) {
				t.Errorf("Parse(%q) = %q at %d:%d, want %q... at %d:%d", tt.text, se.Message, se.Line, se.Column, tt.wantPrefix, tt.line, tt.col)
			}
		})
	}
}

func TestParseMissingElementHasPosition(t *testing.T) {
	// Missing elements point at the statement that lacks them; Statement itself missing points at
	// the document.
	_, err := Parse(`{"Version":"2012-10-17"}`, Identity)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 1 || se.Column != 1 {
		t.Errorf("Parse(no Statement) = %#v, want SyntaxError at 1:1", err)
	}
}

func TestParseValid(t *testing.T) {
	star := []string{"*"}
	tests := []struct {
		name string
		kind Kind
		text string
		want *Document
	}{
		{
			name: "SingleStatementObject", kind: Identity,
			text: `{"Version":"2012-10-17","Id":"café","Statement":{"Sid":"S1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			want: &Document{Version: "2012-10-17", ID: "café", Statements: []Statement{
				{Sid: "S1", Effect: Allow, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"}},
			}},
		},
		{
			name: "VersionAbsentIs2008Rules", kind: Identity,
			text: `{"Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::123456789012:user/${aws:username}"}]}`,
			want: &Document{Statements: []Statement{
				{Effect: Deny, NotAction: []string{"iam:*", "sts:*"}, NotResource: []string{"arn:aws:iam::123456789012:user/${aws:username}"}},
			}},
		},
		{
			name: "Version2008", kind: Identity,
			text: `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
			want: &Document{Version: "2008-10-17", Statements: []Statement{{Effect: Allow, Action: star, Resource: star}}},
		},
		{
			name: "IndexesAndEmptySids", kind: Identity,
			text: doc(`[{"Sid":"","Effect":"Allow","Action":"a:b","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"a:c","Resource":"*"},{"Sid":"X1","Effect":"Deny","Action":"a:d","Resource":"*"}]`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{
				{Index: 0, Effect: Allow, Action: []string{"a:b"}, Resource: star},
				{Index: 1, Effect: Allow, Action: []string{"a:c"}, Resource: star},
				{Index: 2, Sid: "X1", Effect: Deny, Action: []string{"a:d"}, Resource: star},
			}},
		},
		{
			name: "ConditionsSortedLiteralsKept", kind: Identity,
			text: allow(`"Condition":{"StringLike":{"s3:prefix":["a/*",""],"aws:userid":"AIDA*"},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":1.50e2},"ForAnyValue:StringEquals":{"aws:TagKeys":[]},"Null":{"aws:TokenIssueTime":false},"StringEquals":{}}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Action: []string{"s3:GetObject"}, Resource: star,
				Conditions: []Condition{
					{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
					{Operator: "ForAnyValue:StringEquals", Key: "aws:TagKeys", Values: []string{}},
					{Operator: "Null", Key: "aws:TokenIssueTime", Values: []string{"false"}},
					{Operator: "NumericLessThan", Key: "s3:max-keys", Values: []string{"1.50e2"}},
					{Operator: "StringLike", Key: "aws:userid", Values: []string{"AIDA*"}},
					{Operator: "StringLike", Key: "s3:prefix", Values: []string{"a/*", ""}},
				},
			}}},
		},
		{
			name: "EmptyCondition", kind: Identity, text: allow(`"Condition":{}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"s3:GetObject"}, Resource: star}}},
		},
		{
			name: "Dates", kind: Identity,
			text: allow(`"Condition":{"DateGreaterThan":{"aws:CurrentTime":["2020-01-01","2020-01-01T10:00:00Z","2020-01-01t10:00:00.123+01:00","2020-06","-2020-01-01T10","2020-01-01T10:30-05","2020-01-01T","1700000000",1700000000,"${aws:TokenIssueTime}"]}}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Action: []string{"s3:GetObject"}, Resource: star,
				Conditions: []Condition{{Operator: "DateGreaterThan", Key: "aws:CurrentTime", Values: []string{
					"2020-01-01", "2020-01-01T10:00:00Z", "2020-01-01t10:00:00.123+01:00", "2020-06", "-2020-01-01T10",
					"2020-01-01T10:30-05", "2020-01-01T", "1700000000", "1700000000", "${aws:TokenIssueTime}",
				}}},
			}}},
		},
		{
			name: "Escapes", kind: Identity,
			text: `{"Version":"2012-10-17","Id":"\u00e9\n\t\"\\\/\b\f\r\ud83d\ude00\ud800x","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			want: &Document{Version: "2012-10-17", ID: "é\n\t\"\\/\b\f\r😀\uFFFDx", Statements: []Statement{{Effect: Allow, Action: []string{"s3:GetObject"}, Resource: star}}},
		},
		{
			name: "WhitespaceAndLatin1", kind: Identity,
			text: "\r\n\t{ \"Version\" : \"2012-10-17\" , \"Id\":\"ÿ\u0080\", \"Statement\" : [ { \"Effect\" : \"Allow\" , \"Action\" : [ ] , \"NotAction\":\"a:b\" } ] } \n",
			want: nil, // NotAction after an empty Action is a syntax error; checked below
		},
		{
			name: "SCPWithoutResource", kind: SCP,
			text: doc(`{"Effect":"Allow","Action":"*"}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: star}}},
		},
		{
			name: "ResourceSidWithSpaces", kind: Resource,
			text: doc(`{"Sid":"Public read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Sid: "Public read", Effect: Allow, Principal: &Principal{Wildcard: true}, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"},
			}}},
		},
		{
			name: "TrustPrincipalForms", kind: Trust,
			text: trustStmt(`{"AWS":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/path/bob","arn:aws-cn:iam::123456789012:role/r","arn:aws:sts::123456789012:assumed-role/r/s","arn:aws:sts::123456789012:federated-user/f"],"Service":["ec2.amazonaws.com","ec2.amazonaws.com.cn"],"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"` + strings.Repeat("0a", 32) + `"}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Action: []string{"sts:AssumeRole"},
				Principal: &Principal{
					AWS:           []string{"*", "123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/path/bob", "arn:aws-cn:iam::123456789012:role/r", "arn:aws:sts::123456789012:assumed-role/r/s", "arn:aws:sts::123456789012:federated-user/f"},
					Service:       []string{"ec2.amazonaws.com", "ec2.amazonaws.com.cn"},
					Federated:     []string{"cognito-identity.amazonaws.com"},
					CanonicalUser: []string{strings.Repeat("0a", 32)},
				},
			}}},
		},
		{
			name: "TrustDeletedPrincipalIDs", kind: Trust,
			text: trustStmt(`{"AWS":["AIDAJQABLZS4A3QDU576Q","AROA1234567890EXAMPLE"]}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"sts:AssumeRole"},
				Principal: &Principal{AWS: []string{"AIDAJQABLZS4A3QDU576Q", "AROA1234567890EXAMPLE"}}}}},
		},
		{
			name: "TrustWildcardPrincipal", kind: Trust, text: trustStmt(`"*"`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"sts:AssumeRole"}, Principal: &Principal{Wildcard: true}}}},
		},
		{
			name: "TrustSAMLAndOIDCProviders", kind: Trust,
			text: trustStmt(`{"Federated":["arn:aws:iam::123456789012:saml-provider/corp","arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com","accounts.google.com"]}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"sts:AssumeRole"}, Principal: &Principal{
				Federated: []string{"arn:aws:iam::123456789012:saml-provider/corp", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "accounts.google.com"},
			}}}},
		},
		{
			name: "ResourceNotPrincipal", kind: Resource,
			text: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Deny, NotPrincipal: &Principal{AWS: []string{"arn:aws:iam::123456789012:root"}}, Action: []string{"s3:*"}, Resource: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
			}}},
		},
		{
			name: "ResourceForms", kind: Identity,
			text: doc(`{"Effect":"Allow","Action":["iam:*","s3:*","ec2:*","execute-api:Invoke","a.b-c:D"],"Resource":["*","arn:aws:iam::123456789012:*","arn:aws:iam::123456789012:role/x","arn:aws:s3:us-east-1:123456789012:accesspoint/ap","arn:*:ec2:*:*:instance/*","arn:aws:s3","arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"]}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Allow, Action: []string{"iam:*", "s3:*", "ec2:*", "execute-api:Invoke", "a.b-c:D"},
				Resource: []string{"*", "arn:aws:iam::123456789012:*", "arn:aws:iam::123456789012:role/x", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "arn:*:ec2:*:*:instance/*", "arn:aws:s3", "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"},
			}}},
		},
		{
			name: "SessionAndBoundary", kind: Session,
			text: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"s3:*"}, Resource: star}}},
		},
		{
			name: "RCP", kind: RCP,
			text: doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Deny, Principal: &Principal{Wildcard: true}, Action: []string{"s3:*"}, Resource: star,
				Conditions: []Condition{{Operator: "BoolIfExists", Key: "aws:SecureTransport", Values: []string{"false"}}},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text, tt.kind)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want an error", tt.text, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q, %v) error = %v", tt.text, tt.kind, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q, %v) mismatch (-want +got):\n%s", tt.text, tt.kind, diff)
			}
		})
	}
}

// testdataKinds gives the kind of each document under testdata/parse; the rest are identity policies.
var testdataKinds = map[string]Kind{"trust.json": Trust, "resource.json": Resource, "session.json": Session}

func readTestdata(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	out := make(map[string]string, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

func kindOf(name string) Kind {
	if k, ok := testdataKinds[name]; ok {
		return k
	}
	return Identity
}

func TestParseTestdata(t *testing.T) {
	for name, text := range readTestdata(t) {
		t.Run(name, func(t *testing.T) {
			d, err := Parse(text, kindOf(name))
			if err != nil {
				t.Fatalf("Parse(%s) error = %v", name, err)
			}
			if len(d.Statements) == 0 {
				t.Errorf("Parse(%s) has no statements", name)
			}
		})
	}
}

func TestParseTestdataTrust(t *testing.T) {
	text := readTestdata(t)["trust.json"]
	got, err := Parse(text, Trust)
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{Version: "2012-10-17", Statements: []Statement{
		{Index: 0, Effect: Allow, Action: []string{"sts:AssumeRole"},
			Principal:  &Principal{AWS: []string{"arn:aws:iam::123456789012:root", "210987654321"}},
			Conditions: []Condition{{Operator: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"}}}},
		{Index: 1, Effect: Allow, Action: []string{"sts:AssumeRole", "sts:TagSession"},
			Principal: &Principal{Service: []string{"ec2.amazonaws.com"}}},
		{Index: 2, Effect: Allow, Action: []string{"sts:AssumeRoleWithWebIdentity"},
			Principal: &Principal{Federated: []string{"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
			Conditions: []Condition{
				{Operator: "StringEquals", Key: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}},
				{Operator: "StringLike", Key: "token.actions.githubusercontent.com:sub", Values: []string{"repo:example/*"}},
			}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trust.json mismatch (-want +got):\n%s", diff)
	}
	// The same document is not a valid identity policy.
	if _, err := Parse(text, Identity); err == nil || err.Error() != "Policy document should not specify a principal." {
		t.Errorf("Parse(trust.json, Identity) error = %v, want the principal message", err)
	}
}

func TestParseInvalidKind(t *testing.T) {
	for _, k := range []Kind{0, RCP + 1} {
		_, err := Parse(allow(""), k)
		var se *SyntaxError
		if err == nil || errors.As(err, &se) {
			t.Errorf("Parse(kind %d) error = %v, want a non-syntax error", k, err)
		}
	}
}

func TestParseRequireCurrentVersion(t *testing.T) {
	tests := []struct {
		version string
		want    string
	}{
		{"2012-10-17", ""},
		{"2008-10-17", "Policy document must be version 2012-10-17 or greater."},
		{"", "Policy document must be version 2012-10-17 or greater."},
	}
	for _, tt := range tests {
		err := RequireCurrentVersion(&Document{Version: tt.version})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("RequireCurrentVersion(%q) = %q, want %q", tt.version, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"WhitespaceOnly", " \t\r\n", 0},
		{"Compact", `{"a":"b"}`, 9},
		{"WhitespaceOutsideStrings", "{ \"a\" :\n\t\"b\" }", 9},
		{"WhitespaceInsideStringCounts", `{"a":"b c"}`, 11},
		{"EscapedQuoteKeepsStringOpen", `{"a":"b\" c"}`, 13},
		{"EscapedBackslashClosesString", `{"a":"b\\" , "c":1}`, 17},
		{"CharactersNotBytes", `{"é":"ÿ"}`, 9},
		{"FormFeedIsNotWhitespace", "{\f}", 3},
		{"UnterminatedString", `"a b`, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Size(tt.text); got != tt.want {
				t.Errorf("Size(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	text := readTestdata(b)["bench.json"]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text, Identity); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseAcceptsRealAWSManagedPolicyResources: resource forms found in AWS managed policies.
func TestParseAcceptsRealAWSManagedPolicyResources(t *testing.T) {
	for _, r := range []string{
		"arn:aws:iam::*:root",
		"arn:aws:iam::123456789012:root",
		"arn:aws:s3:*:*:access-grants/default",
		"arn:aws:s3:us-east-1:123456789012:storage-lens/config",
		"arn:aws:s3:us-west-2:123456789012:accesspoint/ap",
	} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"` + r + `"}]}`
		if _, err := Parse(doc, Identity); err != nil {
			t.Errorf("Parse with Resource %s: %v", r, err)
		}
	}
	for _, r := range []string{"arn:aws:s3:us-east-1::bucket", "arn:aws:iam:us-east-1:123456789012:root"} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"` + r + `"}]}`
		if _, err := Parse(doc, Identity); err == nil {
			t.Errorf("Parse with Resource %s accepted; AWS rejects a region there", r)
		}
	}
}

// TestParseRejectsHugeInputUnread: the size cap holds before any parsing.
func TestParseRejectsHugeInputUnread(t *testing.T) {
	huge := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + strings.Repeat("a", MaxDocumentBytes) + `"}]}`
	var se *SyntaxError
	if _, err := Parse(huge, Identity); !errors.As(err, &se) {
		t.Fatalf("Parse of %d bytes = %v, want a SyntaxError", len(huge), err)
	}
	ok := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("a", 100000) + `"}]}`
	if _, err := Parse(ok, Identity); err != nil {
		t.Errorf("Parse of a 100 kB document: %v", err)
	}
}

func TestSizeLimit(t *testing.T) {
	for kind, want := range map[Kind]int{Identity: 6144, Boundary: 6144, Trust: 2048, Session: 2048, SCP: 5120, RCP: 5120, Resource: 0} {
		if got := SizeLimit(kind); got != want {
			t.Errorf("SizeLimit(%v) = %d, want %d", kind, got, want)
		}
	}
}
