package trail

import (
	"encoding/json"

	"github.com/iamd-dev/iamd/internal/audit"
)

// EncodeFast is the record encoder alone (ok false when it does not model the value).
func EncodeFast(v any) (raw []byte, resources []string, ok bool) {
	var res []string
	b, empty, err := encodeTop(nil, v, &res)
	if err != nil {
		return nil, nil, false
	}
	if empty {
		return nil, res, true
	}
	return b, res, true
}

// EncodeLegacy is how Build encoded a value before the record encoder: a JSON round trip
// through camel, then audit.Redact, and resources from the round trip's output.
func EncodeLegacy(v any) (raw []byte, resources []string) {
	return audit.Redact(camelJSON(v)), resourcesOf(v)
}

// BuildLegacy is Build as it was before the record encoder and audit.Event.AppendJSON (with
// today's bound on parameters and response, MaxFieldSize), with the given event ID.
func BuildLegacy(call *Call, id string) ([]byte, error) {
	ev := event(call, id)
	if call.Params != nil {
		ev.RequestParameters, _ = bound(audit.Redact(camelJSON(call.Params)))
	}
	if call.Response != nil && call.ErrCode == "" && !ev.ReadOnly {
		ev.ResponseElements, _ = bound(audit.Redact(camelJSON(call.Response)))
	}
	return json.Marshal(ev)
}

// Truncate is truncate, the bound Build puts on strings a record copies from a request.
var Truncate = truncate
