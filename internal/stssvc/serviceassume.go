package stssvc

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// Services are the service principals AssumeRoleForService acts as: the ones whose workloads
// iamd serves credentials to (EC2 instances through IMDS, ECS tasks through the container
// endpoint).
var Services = []string{"ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}

// AssumeRoleForServiceInput is the input of iamd's own STS action AssumeRoleForService. No AWS
// API lets a caller act as a service; the fields follow the SDK's conventions so that the Query
// codec treats it like an SDK input.
type AssumeRoleForServiceInput struct {
	// RoleArn is the role to pass to the service.
	RoleArn *string
	// ServiceName is the service principal that assumes the role (one of Services).
	ServiceName *string
	// RoleSessionName is the session name the service uses: EC2 uses the instance ID, ECS the
	// task ID.
	RoleSessionName *string
	// DurationSeconds is the session length (900 to the role's maximum; default 3600).
	DurationSeconds *int32
}

// AssumeRoleForServiceOutput is AssumeRoleForService's result: a role session like
// AssumeRole's.
type AssumeRoleForServiceOutput struct {
	Credentials     *types.Credentials
	AssumedRoleUser *types.AssumedRoleUser
}

// AssumeRoleForService is what happens in AWS when a caller hands a role to a service (an
// instance profile to EC2, a task role to ECS) and the service assumes it. The caller needs
// iam:PassRole on the role with iam:PassedToService equal to ServiceName; the role's trust
// policy must then allow the service principal to call sts:AssumeRole. Once the PassRole check
// has passed the request is the service's, and its audit record says so (userIdentity type
// AWSService, invokedBy and sourceIPAddress the service), as CloudTrail records the service's
// AssumeRole.
func (s *Service) AssumeRoleForService(ctx context.Context, c *authn.Caller, in *AssumeRoleForServiceInput) (*AssumeRoleForServiceOutput, error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"roleArn", in.RoleArn}, {"serviceName", in.ServiceName}, {"roleSessionName", in.RoleSessionName}} {
		if f.v == nil {
			return nil, validation(f.name, "null", "Member must not be null")
		}
	}
	roleARN, svc, session := *in.RoleArn, *in.ServiceName, *in.RoleSessionName
	if len(roleARN) < 20 {
		return nil, validation("roleArn", roleARN, "Member must have length greater than or equal to 20")
	}
	known := false
	for _, k := range Services {
		known = known || svc == k
	}
	if !known {
		return nil, validation("serviceName", svc, "Member must satisfy enum value set: [ec2.amazonaws.com, ecs-tasks.amazonaws.com]")
	}
	if err := checkSessionName(session); err != nil {
		return nil, err
	}
	dur := int32(3600)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
		if dur < 900 {
			return nil, validation("durationSeconds", strconv.Itoa(int(dur)), "Member must have value greater than or equal to 900")
		} else if dur > 43200 {
			return nil, validation("durationSeconds", strconv.Itoa(int(dur)), "Member must have value less than or equal to 43200")
		}
	}
	roleAcct, roleName, ok := roleARNParts(roleARN)
	if !ok {
		// As AssumeRole answers (there is no AWS API to compare with).
		return nil, badRoleARN(roleARN)
	}
	// A role can be passed only within the caller's own account.
	passDenied := iam.Errorf(iam.CodeAccessDenied, "User: %s is not authorized to perform: iam:PassRole on resource: %s", c.Principal.ARN, roleARN)
	if roleAcct != c.Principal.Account {
		return nil, passDenied
	}
	var role *iam.Role
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		role, err = decodeEntity[iam.Role](ctx, r, roleAcct, store.KindRole, roleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The role's tags are in the context (aws:ResourceTag/*), so that a tag guardrail on
	// iam:PassRole applies.
	passCtx := map[string][]string{"iam:PassedToService": {svc}}
	if role != nil {
		passCtx = authz.ResourceTagContext(role.Tags, true, passCtx)
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "iam:PassRole", Resource: roleARN, ResourceAccount: roleAcct,
		Context: passCtx}); err != nil {
		return nil, err
	}

	// From here on the service is the caller.
	sc := *c
	sc.Principal = policy.PrincipalInfo{Type: policy.PrincipalService, ARN: svc}
	sc.UserID, sc.UserName, sc.AccessKeyID, sc.Session, sc.SourceIP, sc.UserAgent = "", "", "", nil, "", svc
	if call := trail.FromContext(ctx); call != nil {
		call.Caller, call.Account = &sc, roleAcct
	}
	denied := iam.Errorf(iam.CodeAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", svc, roleARN)
	if role == nil || iam.RoleARN(roleAcct, role.Path, role.Name) != roleARN && iam.RoleARN(roleAcct, "/", role.Name) != roleARN {
		return nil, denied
	}
	if dur > max(role.MaxSessionDuration, 3600) {
		return nil, iam.Errorf(iam.CodeValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	trust := s.authz.Compile(role.TrustPolicy, policy.Trust, policy.PolicyRef{ARN: roleARN, Name: "trust"})
	d := policy.Evaluate(&policy.Input{Action: "sts:AssumeRole", Resource: roleARN, ResourceAccount: roleAcct, ResourcePolicy: trust,
		Principal: sc.Principal, Context: authz.RequestContext(&sc, nil, map[string][]string{"sts:RoleSessionName": {session}})})
	if !d.Allowed() {
		if s.authz.Enforcing() {
			return nil, denied
		}
		s.logger.Warn("would deny (enforce=log): trust policy", "request", c.RequestID, "role", roleARN, "service", svc)
	}

	now := s.now().UTC().Truncate(time.Second)
	sessionARN := iam.AssumedRoleARN(roleAcct, role.Name, session)
	t := &token{Expires: now.Add(time.Duration(dur) * time.Second), Type: uint8(policy.PrincipalRoleSession), ARN: sessionARN, Account: roleAcct,
		SourceARN: iam.RoleARN(roleAcct, role.Path, role.Name), UserID: role.ID + ":" + session, Issued: now}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	s.touchRole(roleAcct, role.Name, now, c.Region)
	return &AssumeRoleForServiceOutput{Credentials: cred, AssumedRoleUser: &types.AssumedRoleUser{Arn: ptr(sessionARN), AssumedRoleId: ptr(t.UserID)}}, nil
}
