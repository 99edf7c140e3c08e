package stssvc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
)

// authorizationMessage is the decoded form of an encoded authorization failure message, in the
// shape DecodeAuthorizationMessage returns for AWS services, plus iamd's full trace.
type authorizationMessage struct {
	Allowed           bool           `json:"allowed"`
	ExplicitDeny      bool           `json:"explicitDeny"`
	MatchedStatements items[msgStmt] `json:"matchedStatements"`
	Failures          items[msgFail] `json:"failures"`
	Context           msgContext     `json:"context"`
	// NoAllow names the policy types that had no applicable Allow; MissingKeys the condition
	// keys the decision looked for and the request did not have (iamd's additions).
	NoAllow     []string `json:"noAllowIn,omitempty"`
	MissingKeys []string `json:"missingContextKeys,omitempty"`
}

type items[T any] struct {
	Items []T `json:"items"`
}

type msgStmt struct {
	StatementID string `json:"statementId,omitempty"`
	Effect      string `json:"effect"`
	PolicyType  string `json:"policyType"`
	PolicyARN   string `json:"policyArn,omitempty"`
	PolicyName  string `json:"policyName,omitempty"`
	VersionID   string `json:"versionId,omitempty"`
	Index       int    `json:"statementIndex"`
}

type msgFail struct {
	msgStmt
	Reason string `json:"reason"`
}

type msgValue struct {
	Value string `json:"value"`
}

type msgCondition struct {
	Key    string          `json:"key"`
	Values items[msgValue] `json:"values"`
}

type msgContext struct {
	Principal  msgPrincipal        `json:"principal"`
	Action     string              `json:"action"`
	Resource   string              `json:"resource"`
	Conditions items[msgCondition] `json:"conditions"`
}

// msgPrincipal is the caller; AWS's messages name an IAM user (and only a user) by its name.
type msgPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

func stmtOf(s policy.DecisionStatement) msgStmt {
	return msgStmt{StatementID: s.Sid, Effect: s.Effect.String(), PolicyType: s.Policy.Kind.String(), PolicyARN: s.Policy.ARN,
		PolicyName: s.Policy.Name, VersionID: s.Policy.VersionID, Index: s.Index}
}

// EncodeAuthorizationMessage seals the explanation of a denial so that only a caller allowed
// sts:DecodeAuthorizationMessage can read it; context is the request's condition keys.
func (s *Service) EncodeAuthorizationMessage(c *authn.Caller, in *policy.Input, tr policy.Trace, context map[string][]string) string {
	m := authorizationMessage{
		Allowed:           tr.Decision.Allowed(),
		ExplicitDeny:      tr.Decision.Effect == policy.DecisionExplicitDeny,
		MatchedStatements: items[msgStmt]{Items: []msgStmt{}},
		Failures:          items[msgFail]{Items: []msgFail{}},
		Context: msgContext{Principal: msgPrincipal{ID: c.UserID, ARN: c.Principal.ARN}, Action: in.Action, Resource: in.Resource,
			Conditions: items[msgCondition]{Items: []msgCondition{}}},
		MissingKeys: slices.Clone(tr.MissingKeys),
	}
	for _, st := range tr.Matched {
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, stmtOf(st))
	}
	for _, f := range tr.Failed {
		m.Failures.Items = append(m.Failures.Items, msgFail{msgStmt: stmtOf(f.Statement), Reason: f.Reason})
	}
	for _, k := range tr.NoAllow {
		m.NoAllow = append(m.NoAllow, k.String())
	}
	if c.Principal.Type == policy.PrincipalUser {
		m.Context.Principal.Name = c.UserName
	}
	m.Context.Conditions.Items = conditionItems(c, context)
	for i, k := range m.MissingKeys {
		m.MissingKeys[i] = canonicalKey(k, nil)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	sealed, err := s.keys.Seal(b, authzMessageAD, s.rand)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(sealed)
}

// conditionItems lists the request's condition keys under the names AWS spells them
// (aws:SecureTransport, not the lower-cased aws:securetransport the engine looks keys up by),
// sorted by name so that a message does not depend on map order.
func conditionItems(c *authn.Caller, context map[string][]string) []msgCondition {
	// Tag keys keep their case where the request still has it: a session's tags for
	// aws:PrincipalTag/, aws:TagKeys for aws:RequestTag/. (An IAM user's or role's own tags are
	// not in the caller, so their keys stay lower-cased.)
	tagKeys := map[string][]string{"aws:RequestTag/": context["aws:tagkeys"]}
	if c.Session != nil {
		for k := range c.Session.Tags {
			tagKeys["aws:PrincipalTag/"] = append(tagKeys["aws:PrincipalTag/"], k)
		}
	}
	out := make([]msgCondition, 0, len(context))
	for k, vs := range context {
		cond := msgCondition{Key: canonicalKey(k, tagKeys), Values: items[msgValue]{Items: make([]msgValue, 0, len(vs))}}
		for _, v := range vs {
			cond.Values.Items = append(cond.Values.Items, msgValue{Value: v})
		}
		out = append(out, cond)
	}
	slices.SortFunc(out, func(a, b msgCondition) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// canonicalKey is AWS's spelling of condition key k (any case): a name from conditionKeyNames, or
// for a tag key a prefix from it followed by the spelling in tagKeys[prefix] that equals the rest
// ignoring case. Keys iamd does not know, and tag keys without a spelling, are returned as they are.
func canonicalKey(k string, tagKeys map[string][]string) string {
	for _, name := range conditionKeyNames {
		if !strings.HasSuffix(name, "/") {
			if strings.EqualFold(k, name) {
				return name
			}
			continue
		}
		if len(k) <= len(name) || !strings.EqualFold(k[:len(name)], name) {
			continue
		}
		tag := k[len(name):]
		for _, t := range tagKeys[name] {
			if strings.EqualFold(t, tag) {
				return name + t
			}
		}
		return name + tag
	}
	return k
}

// conditionKeyNames are the condition keys as AWS spells them: the global keys (every one iamd
// sets, and the others AWS documents, which a policy may look for), IAM's and STS's own keys,
// and (ending in "/") the keys whose names end with a tag key. A test checks each against the
// action catalog.
var conditionKeyNames = [...]string{
	"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
	"aws:PrincipalType", "aws:userid", "aws:username", "aws:FederatedProvider", "aws:AssumedRoot",
	"aws:TokenIssueTime", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:SourceIdentity",
	"aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
	"aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpcSourceIp",
	"aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
	"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ViaAWSService",
	"aws:CurrentTime", "aws:EpochTime", "aws:referer", "aws:RequestedRegion", "aws:TagKeys",
	"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths",
	"aws:SourceOwner", "aws:UserAgent",
	"iam:AccountPropertyNamespaces", "iam:AssociatedResourceArn", "iam:AWSServiceName",
	"iam:DelegationDuration", "iam:DelegationRequestOwner", "iam:FIDO-certification",
	"iam:FIDO-FIPS-140-2-certification", "iam:FIDO-FIPS-140-3-certification", "iam:NotificationChannel",
	"iam:OrganizationsPolicyId", "iam:PassedToService", "iam:PermissionsBoundary", "iam:PolicyARN",
	"iam:RegisterSecurityKey", "iam:RoleTemplateARN", "iam:ServiceSpecificCredentialAgeDays",
	"iam:ServiceSpecificCredentialServiceName", "iam:TemplateArn",
	"sts:AWSServiceName", "sts:DurationSeconds", "sts:ExternalId", "sts:IdentityTokenAudience",
	"sts:RequestContextProviders", "sts:RoleAuthorizedByIdp", "sts:RoleSessionName",
	"sts:SigningAlgorithm", "sts:SourceIdentity", "sts:TaskPolicyArn", "sts:TransitiveTagKeys",
	"aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/", "iam:ResourceTag/", "sts:RequestContext/",
}

// authzMessageAD binds sealed authorization messages to their purpose: a session token (which
// carries a secret key) never opens as an authorization message, nor the reverse.
var authzMessageAD = []byte("iamd authorization message")

// DecodeAuthorizationMessage opens an encoded authorization failure message for a caller allowed
// sts:DecodeAuthorizationMessage.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, c *authn.Caller, in *sdk.DecodeAuthorizationMessageInput) (*sdk.DecodeAuthorizationMessageOutput, error) {
	msg := str(in.EncodedMessage)
	if len(msg) < 1 || len(msg) > 10240 {
		return nil, validation("encodedMessage", msg, iam.LengthConstraint(len(msg), 1, 10240))
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:DecodeAuthorizationMessage", Resource: "*"}); err != nil {
		return nil, err
	}
	sealed, err := base64.RawURLEncoding.DecodeString(msg)
	var b []byte
	if err == nil {
		b, err = s.keys.Open(sealed, authzMessageAD)
	}
	if err != nil || !json.Valid(b) {
		return nil, iam.Errorf(iam.CodeInvalidAuthMessage, "The encoded message is invalid or was not issued by this service.")
	}
	return &sdk.DecodeAuthorizationMessageOutput{DecodedMessage: ptr(string(b))}, nil
}
