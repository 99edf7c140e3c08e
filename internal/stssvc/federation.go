package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// maxSessionPolicy is the longest inline session policy GetFederationToken,
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML accept (their model's
// sessionPolicyDocumentType; AssumeRole's is unrestricted and only the packed size limits it).
const maxSessionPolicy = 2048

// boundedSessionPolicies is sessionPolicies for the operations whose inline session policy is at
// most maxSessionPolicy characters long (whitespace included), as their input model says.
func (s *Service) boundedSessionPolicies(ctx context.Context, inline *string, arns []types.PolicyDescriptorType) ([]string, int, error) {
	if inline != nil && utf8.RuneCountInString(*inline) > maxSessionPolicy {
		return nil, 0, validation("policy", *inline, "Member must have length less than or equal to 2048")
	}
	return s.sessionPolicies(ctx, inline, arns)
}

// sessionPolicies validates an inline session policy and loads the documents of managed session
// policies, returning the documents and their packed size in characters.
func (s *Service) sessionPolicies(ctx context.Context, inline *string, arns []types.PolicyDescriptorType) ([]string, int, error) {
	var docs []string
	size := 0
	if inline != nil {
		if _, err := policy.Parse(*inline, policy.Session); err != nil {
			var se *policy.SyntaxError
			if errors.As(err, &se) {
				return nil, 0, iam.Errorf(iam.CodeMalformedPolicyDocument, "%s", se.Message)
			}
			return nil, 0, iam.Errorf(iam.CodeMalformedPolicyDocument, "Syntax errors in policy.")
		}
		docs = append(docs, *inline)
		size += policy.Size(*inline)
	}
	if len(arns) > 10 {
		return nil, 0, validation("policyArns", strconv.Itoa(len(arns)), "Member must have length less than or equal to 10")
	}
	if len(arns) == 0 {
		return docs, size, nil // no read transaction: most calls name no managed session policy
	}
	managed, n, err := s.managedSessionPolicies(ctx, arns)
	return append(docs, managed...), size + n, err
}

// managedSessionPolicies reads the default versions of the managed policies arns names, returning
// the documents and their packed size (their ARNs' length). It is apart from sessionPolicies so
// that the variables its transaction's closure captures live on the heap only when it runs.
func (s *Service) managedSessionPolicies(ctx context.Context, arns []types.PolicyDescriptorType) ([]string, int, error) {
	var docs []string
	size := 0
	err := s.store.View(ctx, func(r store.Reader) error {
		for _, pa := range arns {
			arn := str(pa.Arn)
			pacct, pname, ok := authz.PolicyARNParts(arn)
			if !ok {
				return iam.Errorf(iam.CodeInvalidParameterValue, "Invalid policy ARN %s", arn)
			}
			pe, err := r.Get(ctx, pacct, store.KindPolicy, pname)
			if err != nil {
				return iam.Errorf(iam.CodeInvalidParameterValue, "Policy %s does not exist or is not attachable.", arn)
			}
			var mp iam.ManagedPolicy
			if err := json.Unmarshal(pe.Data, &mp); err != nil {
				return err
			}
			if v := mp.Default(); v != nil {
				docs = append(docs, v.Document)
				size += len(arn)
			}
		}
		return nil
	})
	return docs, size, err
}

// GetFederationToken issues federated user credentials to an IAM user (or the root user). The
// session can do only what both the user's policies and the session policies allow; without a
// session policy it can do nothing. Whatever they allow, the session cannot call IAM through the
// API nor STS but GetCallerIdentity (SessionTokenLimit), so it cannot assume a role, which is why
// its tags cannot be transitive (IAM User Guide, "Passing session tags using GetFederationToken").
func (s *Service) GetFederationToken(ctx context.Context, c *authn.Caller, in *sdk.GetFederationTokenInput) (*sdk.GetFederationTokenOutput, error) {
	name := str(in.Name)
	if len(name) < 2 || len(name) > 32 {
		return nil, validation("name", name, iam.LengthConstraint(len(name), 2, 32))
	}
	for _, r := range name {
		if !isSessionNameChar(r) {
			return nil, validation("name", name, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
		}
	}
	if c.Session != nil {
		return nil, iam.Errorf(iam.CodeAccessDenied, "Cannot call GetFederationToken with session credentials")
	}
	d, err := longTermDuration(c, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	docs, size, err := s.boundedSessionPolicies(ctx, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	// Session tags as AssumeRole checks them: at most 50 (the model's tagListType), each a valid
	// tag, no two keys equal ignoring case. There are no transitive keys (nor a calling session).
	reqTags, n, err := requestTags(in.Tags)
	if err != nil {
		return nil, err
	}
	size += n
	tags, err := sessionTags(reqTags, nil, nil)
	if err != nil {
		return nil, err
	}
	packed := size * 100 / packedLimit
	if packed > 100 {
		return nil, iam.Errorf(iam.CodePackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	acct := c.Principal.Account
	fedARN := iam.FederatedUserARN(acct, name)
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:GetFederationToken", Resource: fedARN}); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	t := &token{Expires: now.Add(time.Duration(d) * time.Second), Type: uint8(policy.PrincipalFederatedUser), ARN: fedARN, Account: acct,
		SourceARN: c.Principal.ARN, UserID: acct + ":" + name, UserName: c.UserName, Policies: docs, Issued: now}
	if c.Principal.Type == policy.PrincipalUser {
		// The audit record names the issuing user by its unique ID (sessionIssuer.principalId);
		// the root user's is its account, which the record knows already.
		t.IssuerID = c.UserID
	}
	if len(tags) > 0 {
		t.Tags = tags
	}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	out := &sdk.GetFederationTokenOutput{Credentials: cred, FederatedUser: &types.FederatedUser{Arn: ptr(fedARN), FederatedUserId: ptr(t.UserID)}}
	if len(docs) > 0 || len(tags) > 0 {
		out.PackedPolicySize = ptr(int32(packed))
	}
	return out, nil
}
