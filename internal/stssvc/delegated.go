package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// delegated is what GetDelegatedAccessToken reads of a delegation request (iamsvc/delegation.go
// writes it; the JSON names are the same).
type delegated struct {
	ID               string    `json:"id"`
	RequestorAccount string    `json:"requestor"`
	PermissionPolicy string    `json:"policy"`
	SessionDuration  int32     `json:"duration"`
	State            string    `json:"state"`
	Finalized        time.Time `json:"finalized,omitzero"`
	Redeemed         bool      `json:"redeemed,omitempty"`
	Approver         *struct {
		Type      uint8  `json:"pt"`
		ARN       string `json:"arn"`
		Account   string `json:"acct"`
		SourceARN string `json:"src,omitempty"`
		UserID    string `json:"uid"`
		UserName  string `json:"un,omitempty"`
	} `json:"approver,omitempty"`
}

const (
	msgTradeInInvalid = "The trade-in token is not valid."
	msgTradeInExpired = "The trade-in token has expired. Ask the customer to approve a new delegation request."
)

var errTradeIn = errors.New("trade-in token refused")

// GetDelegatedAccessToken trades the exchange token of a FINALIZED delegation request for
// credentials of the identity that accepted it, limited by the request's permission policy (a
// session policy), until SessionDuration after the token's release. In iamd the trade-in token
// is the delegation request's ID (iamd has no notification channel to send a separate token
// through): only the requestor's account can redeem it, once.
func (s *Service) GetDelegatedAccessToken(ctx context.Context, c *authn.Caller, in *sdk.GetDelegatedAccessTokenInput) (*sdk.GetDelegatedAccessTokenOutput, error) {
	id := str(in.TradeInToken)
	if len(id) < 1 || len(id) > 2048 {
		return nil, validation("tradeInToken", id, iam.LengthConstraint(len(id), 1, 2048))
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:GetDelegatedAccessToken", Resource: "*"}); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	var d delegated
	err := s.store.Update(ctx, func(tx store.Tx) error {
		e, err := tx.Get(ctx, "", store.KindDelegationRequest, id)
		if errors.Is(err, store.ErrNotFound) {
			return errTradeIn
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if d.ID != id || d.RequestorAccount != c.Principal.Account || d.Approver == nil || d.Redeemed {
			return errTradeIn
		}
		if d.State != "FINALIZED" || !now.Before(d.Finalized.Add(time.Duration(d.SessionDuration)*time.Second)) {
			return nil // answered below, nothing to record
		}
		// Mark it redeemed, keeping every other field as stored.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(e.Data, &m); err != nil {
			return err
		}
		m["redeemed"] = json.RawMessage("true")
		if e.Data, err = json.Marshal(m); err != nil {
			return err
		}
		return tx.Update(ctx, e)
	})
	if errors.Is(err, errTradeIn) {
		return nil, iam.Errorf(iam.CodeAccessDenied, msgTradeInInvalid)
	}
	if err != nil {
		return nil, err
	}
	if d.State != "FINALIZED" {
		return nil, iam.Errorf(iam.CodeAccessDenied, msgTradeInInvalid)
	}
	expires := d.Finalized.Add(time.Duration(d.SessionDuration) * time.Second)
	if !now.Before(expires) {
		return nil, iam.Errorf("ExpiredTradeInTokenException", msgTradeInExpired)
	}
	a := d.Approver
	t := &token{
		Expires: expires, Type: a.Type, ARN: a.ARN, Account: a.Account, SourceARN: a.SourceARN, UserID: a.UserID, UserName: a.UserName,
		Policies: []string{d.PermissionPolicy}, Issued: now,
	}
	cred, err := s.issue(t)
	if err != nil {
		return nil, err
	}
	return &sdk.GetDelegatedAccessTokenOutput{Credentials: cred, AssumedPrincipal: ptr(a.ARN)}, nil
}
