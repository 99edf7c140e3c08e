// Package trailapi is CloudTrail's AWS JSON 1.1 transport: it routes X-Amz-Target
// "CloudTrail_20131101.<Operation>" to package trailsvc, decoding the JSON request body into the
// operation's input type. Only LookupEvents is served; other operations answer
// UnknownOperationException, and a body that is not the operation's JSON shape answers
// SerializationException, as AWS JSON services do.
package trailapi
