package credsrv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// ServiceSession obtains credentials for a role the way a service does in AWS: the operator
// passes the role to the service (iam:PassRole with iam:PassedToService) and the service
// assumes it, so the session is the service's and the audit trail records it as the service's
// call. It calls iamd's own STS action AssumeRoleForService, which no AWS SDK knows, so it signs
// the Query request itself.
type ServiceSession struct {
	// Config holds the operator's credentials, the region, the endpoint (BaseEndpoint, required)
	// and optionally the HTTP client.
	Config aws.Config
	// RoleArn is the role passed to the service.
	RoleArn string
	// ServiceName is the service principal: "ec2.amazonaws.com" (iamd instance run) or
	// "ecs-tasks.amazonaws.com" (iamd exec).
	ServiceName string
	// SessionName is the role session name: EC2 uses the instance ID, ECS the task ID.
	SessionName string
	// Duration is the session length (zero: the role's default, one hour).
	Duration time.Duration
}

// STSError is an error answer from STS.
type STSError struct {
	Status  int
	Code    string
	Message string
}

func (e *STSError) Error() string { return e.Code + ": " + e.Message }

// Assume calls AssumeRoleForService once. It has the signature of RefresherConfig.Obtain.
func (s ServiceSession) Assume(ctx context.Context) (Creds, error) {
	c, err := s.assume(ctx)
	if err != nil {
		return Creds{}, fmt.Errorf("assume role %s as %s: %w", s.RoleArn, s.ServiceName, err)
	}
	return c, nil
}

type serviceResponse struct {
	Credentials struct {
		AccessKeyID     string    `xml:"AccessKeyId"`
		SecretAccessKey string    `xml:"SecretAccessKey"`
		SessionToken    string    `xml:"SessionToken"`
		Expiration      time.Time `xml:"Expiration"`
	} `xml:"AssumeRoleForServiceResult>Credentials"`
}

type errorResponse struct {
	Code    string `xml:"Error>Code"`
	Message string `xml:"Error>Message"`
}

func (s ServiceSession) assume(ctx context.Context) (Creds, error) {
	if s.Config.BaseEndpoint == nil || s.Config.Credentials == nil {
		return Creds{}, errors.New("no endpoint or credentials")
	}
	form := url.Values{"Action": {"AssumeRoleForService"}, "Version": {"2011-06-15"}, "RoleArn": {s.RoleArn},
		"ServiceName": {s.ServiceName}, "RoleSessionName": {s.SessionName}}
	if s.Duration > 0 {
		form.Set("DurationSeconds", strconv.Itoa(int(s.Duration/time.Second)))
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(*s.Config.BaseEndpoint, "/")+"/", strings.NewReader(body))
	if err != nil {
		return Creds{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := s.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return Creds{}, err
	}
	region := s.Config.Region
	if region == "" {
		region = "us-east-1"
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", region, time.Now()); err != nil {
		return Creds{}, err
	}
	var client aws.HTTPClient = http.DefaultClient
	if s.Config.HTTPClient != nil {
		client = s.Config.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Creds{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Creds{}, err
	}
	if resp.StatusCode != http.StatusOK {
		var e errorResponse
		if xml.Unmarshal(raw, &e) != nil || e.Code == "" {
			return Creds{}, &STSError{Status: resp.StatusCode, Code: http.StatusText(resp.StatusCode), Message: strings.TrimSpace(string(raw))}
		}
		return Creds{}, &STSError{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	var out serviceResponse
	if err := xml.Unmarshal(raw, &out); err != nil {
		return Creds{}, fmt.Errorf("response: %w", err)
	}
	c := out.Credentials
	if c.AccessKeyID == "" || c.Expiration.IsZero() {
		return Creds{}, errors.New("response has no credentials")
	}
	return Creds{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: c.Expiration.UTC(), RoleArn: s.RoleArn}, nil
}
