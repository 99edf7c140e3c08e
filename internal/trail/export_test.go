package trail

import (
	"encoding/json"
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

// EncodeLegacy is the general path (general.go), which Build takes for values the record
// encoder does not model: a JSON round trip shaped with the Go value beside it, and resources
// from its output.
func EncodeLegacy(v any) (raw []byte, resources []string) {
	raw = recordJSON(v)
	return raw, resourcesOf(raw)
}

// BuildLegacy is Build without the record encoder and audit.Event.AppendJSON: the general
// path and json.Marshal, with the given event ID.
func BuildLegacy(call *Call, id string) ([]byte, error) {
	ev := event(call, id)
	if call.Params != nil && paramsRecorded(call) {
		ev.RequestParameters, _ = bound(withIncomingTags(call, recordJSON(call.Params)))
	}
	if call.Response != nil && call.ErrCode == "" && keepsResponse(call, ev.ReadOnly) {
		ev.ResponseElements, _ = bound(recordJSON(call.Response))
	}
	return json.Marshal(ev)
}

// Truncate is truncate, the bound Build puts on strings a record copies from a request.
var Truncate = truncate
