// Package trailsvc implements CloudTrail's LookupEvents over iamd's own audit trail: it
// authorizes cloudtrail:LookupEvents, validates the lookup the way CloudTrail does (one lookup
// attribute, a start time not after the end time, 1 to 50 results, a NextToken from the same
// lookup), reads the matching records from the store newest first, and returns them in
// CloudTrail's response shape with each record's JSON as CloudTrailEvent.
//
// Its input and output types mirror the CloudTrail API's LookupEventsRequest and
// LookupEventsResponse members (the CloudTrail SDK module is not a dependency). Errors are
// *awserr.Error values with CloudTrail's exception codes, which the JSON transport writes as
// {"__type": code, "message": text}.
//
// NextToken is opaque to clients but stable: it names the sequence number the next page starts
// below and a hash of the lookup it belongs to, so the same page always gives the same token, a
// token stays valid while new records are appended, and a token used with a different lookup
// is refused with InvalidNextTokenException. Known differences from CloudTrail: there is no
// 90-day window (every stored record can be looked up), records of every region are returned,
// and EventCategory "insight" returns no events (iamd has no Insights).
package trailsvc
