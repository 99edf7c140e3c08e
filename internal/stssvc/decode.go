package stssvc

import (
	"context"
	"encoding/base64"
	"encoding/json"

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

type msgPrincipal struct {
	ID  string `json:"id"`
	ARN string `json:"arn"`
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
		MissingKeys: tr.MissingKeys,
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
	for k, vs := range context {
		cond := msgCondition{Key: k, Values: items[msgValue]{Items: []msgValue{}}}
		for _, v := range vs {
			cond.Values.Items = append(cond.Values.Items, msgValue{Value: v})
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, cond)
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

// authzMessageAD binds sealed authorization messages to their purpose: a session token (which
// carries a secret key) never opens as an authorization message, nor the reverse.
var authzMessageAD = []byte("iamd authorization message")

// DecodeAuthorizationMessage opens an encoded authorization failure message for a caller allowed
// sts:DecodeAuthorizationMessage.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, c *authn.Caller, in *sdk.DecodeAuthorizationMessageInput) (*sdk.DecodeAuthorizationMessageOutput, error) {
	msg := str(in.EncodedMessage)
	if len(msg) < 1 || len(msg) > 10240 {
		return nil, validation("encodedMessage", msg, "Member must have length between 1 and 10240")
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
