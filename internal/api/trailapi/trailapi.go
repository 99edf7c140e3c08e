package trailapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/trailsvc"
)

// SigningName is CloudTrail's SigV4 service name; TargetPrefix the X-Amz-Target prefix of its
// API version 2013-11-01.
const (
	SigningName  = "cloudtrail"
	TargetPrefix = "CloudTrail_20131101"
)

// Service is the CloudTrail JSON service for s.
func Service(s *trailsvc.Service) middleware.JSONService { return service{s} }

type service struct{ s *trailsvc.Service }

// Call implements middleware.JSONService.
func (h service) Call(ctx context.Context, c *authn.Caller, target string, body []byte) (any, any, error) {
	// Older SDKs send "CloudTrail_20131101.Op", newer ones the Smithy shape ID
	// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Op".
	i := strings.LastIndexByte(target, '.')
	prefix, op := target[:max(i, 0)], target[i+1:]
	if (prefix != TargetPrefix && prefix != "com.amazonaws.cloudtrail.v20131101."+TargetPrefix) || op != "LookupEvents" {
		return nil, nil, awserr.New("UnknownOperationException", 400, awserr.Sender, "Unknown operation "+target+".")
	}
	in := new(trailsvc.LookupEventsInput)
	if err := decode(body, in); err != nil {
		return nil, nil, err
	}
	out, err := h.s.LookupEvents(ctx, c, in)
	if err != nil {
		return in, nil, err
	}
	return in, out, nil
}

// decode reads a JSON request body; an empty body is an empty input, as AWS JSON services
// accept. Unknown members are ignored, as the SDKs' forward compatibility expects.
func decode(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return awserr.New("SerializationException", 400, awserr.Sender, "The request body is not valid JSON for the operation's input.")
	}
	return nil
}
