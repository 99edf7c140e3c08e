package iamsvc

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// Delegation requests (temporary delegation to AWS partners, IAM User Guide "Temporary
// delegation"): a partner (the requestor) asks for time-limited access to a customer account
// with a policy; the customer associates the request with an identity of theirs, may forward it
// for approval (UpdateDelegationRequest), accepts or rejects it, and releases the exchange token
// (SendDelegationToken); the partner trades the token for credentials with STS
// GetDelegatedAccessToken (stssvc/delegated.go): the accepting identity's permissions,
// narrowed by the request's policy, for SessionDuration from the release.
//
// States: UNASSIGNED → ASSIGNED (Associate) → PENDING_APPROVAL (Update) → ACCEPTED (Accept) →
// FINALIZED (SendDelegationToken); ASSIGNED, PENDING_APPROVAL and ACCEPTED → REJECTED (Reject).
// A request that sees no action expires: a day after creation while UNASSIGNED, seven days after
// its last change otherwise (FINALIZED and REJECTED included), as the User Guide's lifecycle
// says; iamd computes EXPIRED when a request is read.
//
// Where AWS relies on partner infrastructure iamd cannot have (docs/compatibility.md):
//   - Any caller allowed iam:CreateDelegationRequest is a partner (no onboarding); the policy
//     template is a managed policy (PolicyTemplateArn), used as the permission policy with
//     {{name}} placeholders replaced by the request's parameter values.
//   - Nothing is published to NotificationChannel and there is no console (no ConsoleDeepLink).
//     The exchange token is the request ID: once the request is FINALIZED, the requestor's
//     account (and only it) can redeem it, once, with GetDelegatedAccessToken.

// Delegation request lifetimes (User Guide, "Understanding the Request Lifecycle").
const (
	unassignedLifetime = 24 * time.Hour
	delegationLifetime = 7 * 24 * time.Hour
)

// Session durations of a delegated session: the model's sessionDurationType (300-43200).
const (
	minDelegationSeconds = 300
	maxDelegationSeconds = 43200
)

// delegationRequest is the stored form (stssvc/delegated.go reads the fields it needs by the
// same JSON names).
type delegationRequest struct {
	ID                  string               `json:"id"`
	RequestorAccount    string               `json:"requestor"`
	RequestorName       string               `json:"requestorName"`
	WorkflowID          string               `json:"workflow"`
	Description         string               `json:"description"`
	RequestMessage      string               `json:"message,omitempty"`
	RedirectURL         string               `json:"redirect,omitempty"`
	NotificationChannel string               `json:"channel"`
	OwnerAccount        string               `json:"ownerAccount,omitempty"`
	OwnerID             string               `json:"owner,omitempty"`
	TemplateARN         string               `json:"template"`
	Parameters          []delegationParam    `json:"params,omitempty"`
	PermissionPolicy    string               `json:"policy"`
	SessionDuration     int32                `json:"duration"`
	OnlySendByOwner     bool                 `json:"onlyOwner,omitempty"`
	State               types.StateType      `json:"state"`
	Notes               string               `json:"notes,omitempty"`
	RejectionReason     string               `json:"rejection,omitempty"`
	Approver            *delegationPrincipal `json:"approver,omitempty"`
	Created             time.Time            `json:"created"`
	Updated             time.Time            `json:"updated"`
	Finalized           time.Time            `json:"finalized,omitzero"`
	Redeemed            bool                 `json:"redeemed,omitempty"`
}

type delegationParam struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// delegationPrincipal is the accepting identity as authn saw it, which the delegated session
// becomes.
type delegationPrincipal struct {
	Type      uint8  `json:"pt"`
	ARN       string `json:"arn"`
	Account   string `json:"acct"`
	SourceARN string `json:"src,omitempty"`
	UserID    string `json:"uid"`
	UserName  string `json:"un,omitempty"`
}

// expiry is when the request expires unless it changes.
func (d *delegationRequest) expiry() time.Time {
	if d.State == types.StateTypeUnassigned {
		return d.Created.Add(unassignedLifetime)
	}
	return d.Updated.Add(delegationLifetime)
}

// stateAt is the request's state at now, EXPIRED once its time is up.
func (d *delegationRequest) stateAt(now time.Time) types.StateType {
	if d.State != types.StateTypeExpired && !now.Before(d.expiry()) {
		return types.StateTypeExpired
	}
	return d.State
}

func (d *delegationRequest) out(now time.Time) *types.DelegationRequest {
	o := &types.DelegationRequest{
		DelegationRequestId: ptr(d.ID), CreateDate: ptr(d.Created), UpdatedTime: ptr(d.Updated), ExpirationTime: ptr(d.expiry()),
		Description: ptr(d.Description), RequestorId: ptr(d.RequestorAccount), RequestorName: ptr(d.RequestorName),
		PermissionPolicy: ptr(d.PermissionPolicy), SessionDuration: ptr(d.SessionDuration), OnlySendByOwner: d.OnlySendByOwner,
		State: d.stateAt(now), Permissions: &types.DelegationPermission{PolicyTemplateArn: ptr(d.TemplateARN)},
	}
	for _, p := range d.Parameters {
		o.Permissions.Parameters = append(o.Permissions.Parameters, types.PolicyParameter{Name: ptr(p.Name), Type: types.PolicyParameterTypeEnum(p.Type), Values: p.Values})
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return ptr(s)
	}
	o.RequestMessage, o.RedirectUrl, o.Notes, o.RejectionReason = opt(d.RequestMessage), opt(d.RedirectURL), opt(d.Notes), opt(d.RejectionReason)
	o.OwnerAccountId, o.OwnerId = opt(d.OwnerAccount), opt(d.OwnerID)
	if d.Approver != nil {
		o.ApproverId = ptr(d.Approver.ARN)
	}
	return o
}

// delegationARN is the request's ARN as the Service Authorization Reference forms it, in the
// account of the caller acting on it.
func delegationARN(acct, id string) string {
	return "arn:aws:iam::" + acct + ":delegation-request/" + id
}

// delegationWorkflowClaim names the setting that keeps a requestor's workflow IDs unique.
func delegationWorkflowClaim(id string) string { return "delegation-workflow/" + id }

func noSuchDelegation(id string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The delegation request with ID %s cannot be found.", id)
}

func checkDelegationID(id string) error {
	if len(id) < 16 {
		return &iam.FieldError{Field: "delegationRequestId", Value: id, Constraint: "Member must have length greater than or equal to 16"}
	}
	if len(id) > 128 {
		return &iam.FieldError{Field: "delegationRequestId", Value: id, Constraint: "Member must have length less than or equal to 128"}
	}
	for _, r := range id {
		if !(r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return &iam.FieldError{Field: "delegationRequestId", Value: id, Constraint: `Member must satisfy regular expression pattern: [\w-]+`}
		}
	}
	return nil
}

// checkText checks a free-text member: length and AWS's printable-Latin-1 pattern.
func checkText(field, v string, minLen, maxLen int) error {
	if len(v) < minLen {
		return &iam.FieldError{Field: field, Value: v, Constraint: "Member must have length greater than or equal to " + strconv.Itoa(minLen)}
	}
	if len(v) > maxLen {
		return &iam.FieldError{Field: field, Value: v, Constraint: "Member must have length less than or equal to " + strconv.Itoa(maxLen)}
	}
	for _, r := range v {
		if !(r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0x7e || 0xa1 <= r && r <= 0xff) {
			return &iam.FieldError{Field: field, Value: v, Constraint: `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`}
		}
	}
	return nil
}

func (s *Service) newDelegationID() (string, error) {
	b := make([]byte, 12)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return "dr-" + hex.EncodeToString(b), nil
}

// applyParameters fills a template's {{name}} placeholders: a string parameter's value, a
// stringList parameter's values as a JSON array's elements ("a","b" inside the template's
// brackets).
func applyParameters(doc string, params []delegationParam) string {
	for _, p := range params {
		quoted := make([]string, len(p.Values))
		for i, v := range p.Values {
			quoted[i] = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)
		}
		doc = strings.ReplaceAll(doc, "{{"+p.Name+"}}", strings.Join(quoted, `","`))
	}
	return doc
}

// CreateDelegationRequest files a request for access to OwnerAccountId (any account when
// omitted), with the permissions of a policy template and a session length.
func (s *Service) CreateDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.CreateDelegationRequestInput) (*sdk.CreateDelegationRequestOutput, error) {
	desc, channel, workflow := str(in.Description), str(in.NotificationChannel), str(in.RequestorWorkflowId)
	if err := checkText("description", desc, 0, 1000); err != nil {
		return nil, err
	}
	if err := checkText("requestMessage", str(in.RequestMessage), 0, 1000); err != nil {
		return nil, err
	}
	if len(channel) < 2 || len(channel) > 400 || strings.Trim(channel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.-") != "" {
		return nil, &iam.FieldError{Field: "notificationChannel", Value: channel, Constraint: "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:_.-]+$"}
	}
	if !strings.HasPrefix(channel, "arn:aws:sns:") {
		return nil, iam.Errorf(iam.CodeInvalidInput, "NotificationChannel %s is not an SNS topic ARN.", channel)
	}
	if err := checkText("requestorWorkflowId", workflow, 5, 400); err != nil { // the model's requestorWorkflowIdType
		return nil, err
	}
	if o := str(in.OwnerAccountId); in.OwnerAccountId != nil && (len(o) != 12 || strings.Trim(o, "0123456789") != "") {
		return nil, &iam.FieldError{Field: "ownerAccountId", Value: o, Constraint: "Member must satisfy regular expression pattern: ^\\d{12}$"}
	}
	if in.SessionDuration == nil {
		return nil, &iam.FieldError{Field: "sessionDuration", Value: "null", Constraint: "Member must not be null"}
	}
	dur := *in.SessionDuration
	if dur < minDelegationSeconds {
		return nil, &iam.FieldError{Field: "sessionDuration", Value: strconv.Itoa(int(dur)), Constraint: "Member must have value greater than or equal to " + strconv.Itoa(minDelegationSeconds)}
	}
	if dur > maxDelegationSeconds {
		return nil, &iam.FieldError{Field: "sessionDuration", Value: strconv.Itoa(int(dur)), Constraint: "Member must have value less than or equal to 43200"}
	}
	if in.Permissions == nil || str(in.Permissions.PolicyTemplateArn) == "" {
		return nil, &iam.FieldError{Field: "permissions.policyTemplateArn", Value: "null", Constraint: "Member must not be null"}
	}
	template := str(in.Permissions.PolicyTemplateArn)
	var params []delegationParam
	for _, p := range in.Permissions.Parameters {
		typ := string(p.Type)
		if typ != string(types.PolicyParameterTypeEnumString) && typ != string(types.PolicyParameterTypeEnumStringList) {
			return nil, &iam.FieldError{Field: "permissions.parameters.member.type", Value: typ, Constraint: "Member must satisfy enum value set: [string, stringList]"}
		}
		if typ == string(types.PolicyParameterTypeEnumString) && len(p.Values) != 1 {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Parameter %s of type string takes exactly one value.", str(p.Name))
		}
		params = append(params, delegationParam{Name: str(p.Name), Type: typ, Values: p.Values})
	}
	acct := account(c)
	id, err := s.newDelegationID()
	if err != nil {
		return nil, err
	}
	extra := map[string][]string{
		"iam:DelegationDuration":  {strconv.Itoa(int(dur))},
		"iam:NotificationChannel": {channel},
		"iam:TemplateArn":         {template},
	}
	if err := s.authorize(ctx, c, "iam:CreateDelegationRequest", delegationARN(acct, id), extra); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateDelegationRequestOutput, error) {
		p, _, err := policyByARN(ctx, tx, template)
		if err != nil {
			return nil, err
		}
		doc := applyParameters(p.Default().Document, params)
		if _, err := parsePolicy(doc, policy.Identity); err != nil {
			return nil, err
		}
		now := s.nowUTC()
		claim := &store.Entity{Account: acct, Kind: store.KindSetting, Name: delegationWorkflowClaim(workflow), Path: "/", Created: now, Data: []byte(id)}
		if err := tx.Create(ctx, claim); errors.Is(err, store.ErrExists) {
			return nil, iam.Errorf(iam.CodeEntityAlreadyExists, "A delegation request with workflow ID %s already exists.", workflow)
		} else if err != nil {
			return nil, err
		}
		d := &delegationRequest{
			ID: id, RequestorAccount: acct, RequestorName: c.Principal.ARN, WorkflowID: workflow, Description: desc,
			RequestMessage: str(in.RequestMessage), RedirectURL: str(in.RedirectUrl), NotificationChannel: channel,
			OwnerAccount: str(in.OwnerAccountId), TemplateARN: template, Parameters: params, PermissionPolicy: doc,
			SessionDuration: dur, OnlySendByOwner: in.OnlySendByOwner, State: types.StateTypeUnassigned, Created: now, Updated: now,
		}
		if err := create(ctx, tx, &store.Entity{Kind: store.KindDelegationRequest, Name: id, ID: id, Path: "/", Created: now}, d,
			iam.Errorf(iam.CodeEntityAlreadyExists, "A delegation request with ID %s already exists.", id)); err != nil {
			return nil, err
		}
		return &sdk.CreateDelegationRequestOutput{DelegationRequestId: ptr(id)}, nil
	})
}

// visible reports whether the caller's account may see the request at all: the requestor's
// account, the owner account, or any account while the request has no owner account.
func (d *delegationRequest) visible(acct string) bool {
	return d.RequestorAccount == acct || d.OwnerAccount == "" || d.OwnerAccount == acct
}

// loadDelegation reads a request the caller may see (others do not exist for it).
func loadDelegation(ctx context.Context, r store.Reader, c *authn.Caller, id string) (*delegationRequest, *store.Entity, error) {
	d, e, err := load[delegationRequest](ctx, r, "", store.KindDelegationRequest, id, noSuchDelegation(id))
	if err != nil {
		return nil, nil, err
	}
	if !d.visible(account(c)) {
		return nil, nil, noSuchDelegation(id)
	}
	return d, e, nil
}

// authorizeDelegation checks action on the request for the caller. The request's owner has it
// by default for the actions AWS grants owners (ownerDefault).
func (s *Service) authorizeDelegation(ctx context.Context, c *authn.Caller, action string, d *delegationRequest, ownerDefault bool) error {
	if ownerDefault && d.OwnerID != "" && d.OwnerID == c.Principal.ARN {
		return nil
	}
	var extra map[string][]string
	if d.OwnerID != "" {
		extra = map[string][]string{"iam:DelegationRequestOwner": {d.OwnerID}}
	}
	return s.authorize(ctx, c, action, delegationARN(account(c), d.ID), extra)
}

func wrongState(d *delegationRequest, state types.StateType, action string) error {
	return iam.Errorf(iam.CodeInvalidInput, "Delegation request %s is %s; %s is not possible in that state.", d.ID, state, action)
}

// changeDelegation runs one owner-side transition: it loads the request, checks the caller's
// account and permission and the state, applies fn, and saves.
func (s *Service) changeDelegation(ctx context.Context, c *authn.Caller, id, action string, ownerDefault bool, from []types.StateType, fn func(d *delegationRequest, now time.Time) error) error {
	if err := checkDelegationID(id); err != nil {
		return err
	}
	d, err := view(ctx, s, func(r store.Reader) (*delegationRequest, error) {
		d, _, err := loadDelegation(ctx, r, c, id)
		return d, err
	})
	if err != nil {
		return err
	}
	if err := s.authorizeDelegation(ctx, c, "iam:"+action, d, ownerDefault); err != nil {
		return err
	}
	_, err = mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		d, e, err := loadDelegation(ctx, tx, c, id)
		if err != nil {
			return nil, err
		}
		now := s.nowUTC()
		st := d.stateAt(now)
		if action != "AssociateDelegationRequest" && d.OwnerAccount != account(c) {
			return nil, iam.Errorf(iam.CodeAccessDenied, "Delegation request %s is not associated with account %s.", id, account(c))
		}
		ok := false
		for _, f := range from {
			ok = ok || st == f
		}
		if !ok {
			return nil, wrongState(d, st, action)
		}
		if err := fn(d, now); err != nil {
			return nil, err
		}
		d.Updated = now
		return &struct{}{}, save(ctx, tx, e, d)
	})
	return err
}

// AssociateDelegationRequest makes the caller the request's owner (and its account the owner
// account, when the partner named none).
func (s *Service) AssociateDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.AssociateDelegationRequestInput) (*sdk.AssociateDelegationRequestOutput, error) {
	err := s.changeDelegation(ctx, c, str(in.DelegationRequestId), "AssociateDelegationRequest", false, []types.StateType{types.StateTypeUnassigned},
		func(d *delegationRequest, now time.Time) error {
			if d.OwnerAccount != "" && d.OwnerAccount != account(c) {
				return noSuchDelegation(d.ID)
			}
			d.OwnerAccount, d.OwnerID, d.State = account(c), c.Principal.ARN, types.StateTypeAssigned
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.AssociateDelegationRequestOutput{}, nil
}

// UpdateDelegationRequest adds notes and forwards the request for approval (PENDING_APPROVAL).
func (s *Service) UpdateDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.UpdateDelegationRequestInput) (*sdk.UpdateDelegationRequestOutput, error) {
	if err := checkText("notes", str(in.Notes), 0, 1000); err != nil {
		return nil, err
	}
	err := s.changeDelegation(ctx, c, str(in.DelegationRequestId), "UpdateDelegationRequest", true, []types.StateType{types.StateTypeAssigned, types.StateTypePendingApproval},
		func(d *delegationRequest, now time.Time) error {
			if in.Notes != nil {
				d.Notes = *in.Notes
			}
			d.State = types.StateTypePendingApproval
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.UpdateDelegationRequestOutput{}, nil
}

// AcceptDelegationRequest approves the request and records the caller as the identity the
// delegated session will act as. The root user cannot accept: the root user is allowed
// everything regardless of session policies, so its delegated session could not be limited to
// the request's policy (iamd refuses rather than hand that out).
func (s *Service) AcceptDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.AcceptDelegationRequestInput) (*sdk.AcceptDelegationRequestOutput, error) {
	if c.IsRoot() {
		return nil, iam.Errorf(iam.CodeAccessDenied, "The root user cannot accept delegation requests; accept as an IAM user or role.")
	}
	if c.Session != nil && len(c.Session.Policies) > 0 {
		// The delegated session's one session policy is the request's; this session's own
		// session policies could not be kept as well.
		return nil, iam.Errorf(iam.CodeAccessDenied, "A session with session policies cannot accept delegation requests.")
	}
	err := s.changeDelegation(ctx, c, str(in.DelegationRequestId), "AcceptDelegationRequest", false, []types.StateType{types.StateTypeAssigned, types.StateTypePendingApproval},
		func(d *delegationRequest, now time.Time) error {
			d.Approver = &delegationPrincipal{Type: uint8(c.Principal.Type), ARN: c.Principal.ARN, Account: c.Principal.Account, SourceARN: c.Principal.SourceARN,
				UserID: c.UserID, UserName: c.UserName}
			d.State = types.StateTypeAccepted
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.AcceptDelegationRequestOutput{}, nil
}

// RejectDelegationRequest refuses the request, with optional notes as the rejection reason.
func (s *Service) RejectDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.RejectDelegationRequestInput) (*sdk.RejectDelegationRequestOutput, error) {
	if err := checkText("notes", str(in.Notes), 0, 1000); err != nil {
		return nil, err
	}
	err := s.changeDelegation(ctx, c, str(in.DelegationRequestId), "RejectDelegationRequest", false,
		[]types.StateType{types.StateTypeAssigned, types.StateTypePendingApproval, types.StateTypeAccepted},
		func(d *delegationRequest, now time.Time) error {
			d.RejectionReason, d.State = str(in.Notes), types.StateTypeRejected
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.RejectDelegationRequestOutput{}, nil
}

// SendDelegationToken releases the exchange token of an accepted request (FINALIZED): the
// delegated session's time starts now.
func (s *Service) SendDelegationToken(ctx context.Context, c *authn.Caller, in *sdk.SendDelegationTokenInput) (*sdk.SendDelegationTokenOutput, error) {
	err := s.changeDelegation(ctx, c, str(in.DelegationRequestId), "SendDelegationToken", true, []types.StateType{types.StateTypeAccepted},
		func(d *delegationRequest, now time.Time) error {
			if d.OnlySendByOwner && d.OwnerID != c.Principal.ARN {
				return iam.Errorf(iam.CodeAccessDenied, "Only the owner of delegation request %s can send its token.", d.ID)
			}
			d.State, d.Finalized = types.StateTypeFinalized, now
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.SendDelegationTokenOutput{}, nil
}

// readDelegation checks the request ID, reads the request and authorizes the caller's read of it
// with action.
func (s *Service) readDelegation(ctx context.Context, c *authn.Caller, id, action string) (*delegationRequest, error) {
	if err := checkDelegationID(id); err != nil {
		return nil, err
	}
	d, err := view(ctx, s, func(r store.Reader) (*delegationRequest, error) {
		d, _, err := loadDelegation(ctx, r, c, id)
		return d, err
	})
	if err != nil {
		return nil, err
	}
	if err := s.authorizeDelegation(ctx, c, action, d, true); err != nil {
		return nil, err
	}
	return d, nil
}

// GetDelegationRequest returns a request; with DelegationPermissionCheck it also checks, at
// once, whether the caller's own permissions cover the request's policy.
func (s *Service) GetDelegationRequest(ctx context.Context, c *authn.Caller, in *sdk.GetDelegationRequestInput) (*sdk.GetDelegationRequestOutput, error) {
	d, err := s.readDelegation(ctx, c, str(in.DelegationRequestId), "iam:GetDelegationRequest")
	if err != nil {
		return nil, err
	}
	out := &sdk.GetDelegationRequestOutput{DelegationRequest: d.out(s.now().UTC())}
	if in.DelegationPermissionCheck {
		res, err := s.permissionCheck(ctx, c, d.PermissionPolicy)
		if err != nil {
			return nil, err
		}
		out.PermissionCheckStatus, out.PermissionCheckResult = types.PermissionCheckStatusTypeComplete, res
	}
	return out, nil
}

// permissionCheck decides each action and resource the policy allows for the caller: DENIED
// when any is denied, UNSURE when the policy has wildcards, NotAction/NotResource or conditions
// (which a check of literal requests cannot cover), ALLOWED otherwise.
func (s *Service) permissionCheck(ctx context.Context, c *authn.Caller, doc string) (types.PermissionCheckResultType, error) {
	parsed, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		return types.PermissionCheckResultTypeUnsure, nil
	}
	sure := true
	for _, st := range parsed.Statements {
		if st.Effect != policy.Allow {
			continue
		}
		if st.NotAction != nil || st.NotResource != nil || len(st.Conditions) > 0 {
			sure = false
		}
		for _, a := range st.Action {
			for _, r := range st.Resource {
				if strings.ContainsAny(a, "*?") || strings.ContainsAny(r, "*?") {
					sure = false
					continue
				}
				err := s.authorize(ctx, c, a, r, nil)
				var ie *iam.Error
				if errors.As(err, &ie) && ie.Code == iam.CodeAccessDenied {
					return types.PermissionCheckResultTypeDenied, nil
				}
				if err != nil {
					return "", err
				}
			}
		}
	}
	if !sure {
		return types.PermissionCheckResultTypeUnsure, nil
	}
	return types.PermissionCheckResultTypeAllowed, nil
}

// ListDelegationRequests lists the requests of the caller's account (as owner account or as
// requestor), newest first, optionally only those of one owner.
func (s *Service) ListDelegationRequests(ctx context.Context, c *authn.Caller, in *sdk.ListDelegationRequestsInput) (*sdk.ListDelegationRequestsOutput, error) {
	var extra map[string][]string
	if in.OwnerId != nil {
		// ownerIdType: 20–2048 characters of [a-zA-Z0-9:/+=,.@_-].
		o := *in.OwnerId
		if err := lengthErrField("ownerId", o, 20, 2048); err != nil {
			return nil, err
		}
		if strings.IndexFunc(o, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(":/+=,.@_-", r))
		}) >= 0 {
			return nil, &iam.FieldError{Field: "ownerId", Value: o, Constraint: "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/+=,.@_-]+$"}
		}
		extra = map[string][]string{"iam:DelegationRequestOwner": {o}}
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:ListDelegationRequests", "*", extra); err != nil {
		return nil, err
	}
	acct := account(c)
	all, err := view(ctx, s, func(r store.Reader) (*[]*delegationRequest, error) {
		var list []*delegationRequest
		p := store.Page{Limit: 1000}
		for {
			es, next, err := r.List(ctx, "", store.KindDelegationRequest, p)
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				d, err := decode[delegationRequest](e)
				if err != nil {
					return nil, err
				}
				if (d.OwnerAccount == acct || d.RequestorAccount == acct) && (in.OwnerId == nil || d.OwnerID == *in.OwnerId) {
					list = append(list, d)
				}
			}
			if next == "" {
				return &list, nil
			}
			p.Marker = next
		}
	})
	if err != nil {
		return nil, err
	}
	list := *all
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].Created.Equal(list[j].Created) {
			return list[i].Created.After(list[j].Created)
		}
		return list[i].ID < list[j].ID
	})
	start, end, next, err := slicePage(len(list), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	out := &sdk.ListDelegationRequestsOutput{Marker: next, IsTruncated: next != nil}
	for _, d := range list[start:end] {
		out.DelegationRequests = append(out.DelegationRequests, *d.out(now))
	}
	return out, nil
}
