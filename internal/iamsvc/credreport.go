package iamsvc

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// credentialReportColumns are AWS's credential report columns, in AWS's order.
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

const (
	credentialReportSetting = "credential-report"
	// credentialReportTTL: AWS regenerates a report at most every 4 hours; GetCredentialReport
	// answers ReportExpired for older ones.
	credentialReportTTL = 4 * time.Hour
)

// msgReportStarted is GenerateCredentialReport's Description when it starts a new report, in
// the API Reference example's words.
const msgReportStarted = "No report exists. Starting a new report generation task"

type storedReport struct {
	Generated time.Time `json:"generated"`
	CSV       []byte    `json:"csv"`
}

func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// keyColumns are the five columns of one access key slot.
func keyColumns(k *iam.AccessKey) []string {
	if k == nil {
		return []string{"false", "N/A", "N/A", "N/A", "N/A"}
	}
	used, region, service := "N/A", "N/A", "N/A"
	if !k.LastUsed.IsZero() {
		used, region, service = reportTime(k.LastUsed), k.LastUsedRegion, k.LastUsedService
	}
	return []string{strconv.FormatBool(k.Status == iam.StatusActive), reportTime(k.Created), used, region, service}
}

// credentialRow builds the report row of a user ("" = the root user).
func credentialRow(ctx context.Context, r store.Reader, acct string, u *iam.User, accountCreated time.Time, maxAge *int32) ([]string, error) {
	owner := ""
	row := []string{"<root_account>", iam.RootARN(acct), reportTime(accountCreated), "not_supported", "no_information", "not_supported", "not_supported"}
	if u != nil {
		owner = u.Name
		row = []string{u.Name, iam.UserARN(acct, u.Path, u.Name), reportTime(u.Created), "false", "N/A", "N/A", "N/A"}
		if u.Login != nil {
			row[3] = "true"
			row[4] = "no_information"
			if !u.PasswordLastUsed.IsZero() {
				row[4] = reportTime(u.PasswordLastUsed)
			}
			row[5] = reportTime(u.Login.Changed)
			if maxAge != nil && *maxAge > 0 {
				row[6] = reportTime(u.Login.Changed.AddDate(0, 0, int(*maxAge)))
			}
		}
	}
	devices, err := r.Links(ctx, acct, store.LinkUserMFA, owner)
	if err != nil {
		return nil, err
	}
	row = append(row, strconv.FormatBool(len(devices) > 0))
	ids, err := r.Links(ctx, acct, store.LinkUserKey, owner)
	if err != nil {
		return nil, err
	}
	var keys []*iam.AccessKey
	for _, id := range ids {
		k, _, err := load[iam.AccessKey](ctx, r, "", store.KindAccessKey, id, errors.New("gone"))
		if err == nil {
			keys = append(keys, k)
		}
	}
	// Slot 1 is the older key, as in AWS.
	if len(keys) == 2 && keys[1].Created.Before(keys[0].Created) {
		keys[0], keys[1] = keys[1], keys[0]
	}
	for i := range 2 {
		var k *iam.AccessKey
		if i < len(keys) {
			k = keys[i]
		}
		row = append(row, keyColumns(k)...)
	}
	return append(row, "false", "N/A", "false", "N/A"), nil
}

// GenerateCredentialReport builds the account's credential report. It answers as AWS does
// (IAM API Reference, GenerateCredentialReport, the example's response): a call that finds no
// report, or only one older than 4 hours, starts a new one and answers STARTED with "No report
// exists. Starting a new report generation task"; a call while a fresh report exists answers
// COMPLETE. iamd builds the report within the call, so GetCredentialReport serves it at once
// after STARTED (AWS's answer there may be ReportInProgress until its generation task ends).
func (s *Service) GenerateCredentialReport(ctx context.Context, c *authn.Caller, _ *sdk.GenerateCredentialReportInput) (*sdk.GenerateCredentialReportOutput, error) {
	if err := s.authorize(ctx, c, "iam:GenerateCredentialReport", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	now := s.nowUTC()
	return mutate(ctx, s, func(tx store.Tx) (*sdk.GenerateCredentialReportOutput, error) {
		if e, err := tx.Get(ctx, acct, store.KindSetting, credentialReportSetting); err == nil {
			var rep storedReport
			if json.Unmarshal(e.Data, &rep) == nil && now.Sub(rep.Generated) < credentialReportTTL {
				return &sdk.GenerateCredentialReportOutput{State: types.ReportStateTypeComplete}, nil
			}
		}
		var created time.Time
		if a, _, err := load[iam.Account](ctx, tx, acct, store.KindAccount, acct, errors.New("no account")); err == nil {
			created = a.Created
		}
		var maxAge *int32
		if p, err := policyFor(ctx, tx, acct); err == nil && p != nil {
			maxAge = p.MaxPasswordAge
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(credentialReportColumns)
		row, err := credentialRow(ctx, tx, acct, nil, created, maxAge)
		if err != nil {
			return nil, err
		}
		w.Write(row)
		es, _, err := tx.List(ctx, acct, store.KindUser, store.Page{})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			u, err := decode[iam.User](e)
			if err != nil {
				return nil, err
			}
			row, err := credentialRow(ctx, tx, acct, u, created, maxAge)
			if err != nil {
				return nil, err
			}
			w.Write(row)
		}
		w.Flush()
		data, err := json.Marshal(storedReport{Generated: now, CSV: buf.Bytes()})
		if err != nil {
			return nil, err
		}
		e := &store.Entity{Account: acct, Kind: store.KindSetting, Name: credentialReportSetting, Path: "/", Created: now, Data: data}
		if err := tx.Update(ctx, e); errors.Is(err, store.ErrNotFound) {
			err = tx.Create(ctx, e)
		} else if err != nil {
			return nil, err
		}
		return &sdk.GenerateCredentialReportOutput{State: types.ReportStateTypeStarted, Description: ptr(msgReportStarted)}, nil
	})
}

// GetCredentialReport returns the last generated report as CSV.
func (s *Service) GetCredentialReport(ctx context.Context, c *authn.Caller, _ *sdk.GetCredentialReportInput) (*sdk.GetCredentialReportOutput, error) {
	if err := s.authorize(ctx, c, "iam:GetCredentialReport", "*", nil); err != nil {
		return nil, err
	}
	rep, err := view(ctx, s, func(r store.Reader) (*storedReport, error) {
		rep, _, err := load[storedReport](ctx, r, account(c), store.KindSetting, credentialReportSetting,
			iam.Errorf("ReportNotPresent", "Credential report not present. Use GenerateCredentialReport to generate a report."))
		return rep, err
	})
	if err != nil {
		return nil, err
	}
	if s.now().Sub(rep.Generated) > credentialReportTTL {
		return nil, iam.Errorf("ReportExpired", "The credential report has expired. Use GenerateCredentialReport to generate a new report.")
	}
	return &sdk.GetCredentialReportOutput{Content: rep.CSV, ReportFormat: types.ReportFormatTypeTextCsv, GeneratedTime: ptr(rep.Generated)}, nil
}
