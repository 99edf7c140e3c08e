// Package query is the AWS Query protocol codec that IAM (API version 2010-05-08) and STS
// (2011-06-15) speak: form-encoded requests in, XML responses out.
//
// The wire contract is the AWS SDK for Go v2 service types. A request decodes into the SDK's
// input struct (for example *iam.CreateUserInput) and a response encodes from the SDK's output
// struct (*iam.CreateUserOutput), by reflection over exported fields, so there is one codec and
// not an encoder per action. The package does not import the SDK: any struct of the same shape
// works. Per-type plans are cached in the Codec. What reflection cannot see (required members,
// the few wire names that differ from Go names, which outputs need an empty Result element) is
// in sdk_gen.go, generated from the SDK's own validators, serializers and deserializers by
// TestGeneratedTables.
//
// # Requests
//
// DecodeForm takes the parsed form (the caller reads and limits the body). Member names are
// the Go field names, except where the SDK uses another (STS's PolicyDescriptorType.Arn is
// sent as "arn"). Scalars are plain values: strings, enums (named string types), integers,
// booleans ("true"/"false", any case), blobs (standard base64) and timestamps (ISO 8601 /
// RFC 3339). Lists are Name.member.N with N counting from 1 and contiguous; "Name=" alone is
// an empty list. Maps are Name.entry.N.key and Name.entry.N.value. Nested structures are
// Name.Field. SDK unions (interfaces such as iam/types.PolicyIdentifier) are Name.<Member>…,
// with exactly one member set; the codec learns their members through WithUnion, since
// reflection cannot list the types that implement an interface.
//
// Parameters that name no member are ignored (AWS documents no error for them, and clients
// built from newer SDK models may send members this server does not know); this also skips
// the protocol parameters (Action, Version, X-Amz-*). A repeated parameter takes its first
// value.
//
// Failures come back together as one *awserr.Error with code ValidationError, in AWS's form:
// "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member
// must not be null; Value 'abc' at 'maxItems' failed to satisfy constraint: …", sorted. Member
// paths are lowerCamelCase with list elements as "tags.1.member.key". A member the SDK's
// validators require and the request lacks gets AWS's "Member must not be null"; a value
// outside an enum gets AWS's "Member must satisfy enum value set: [Active, Inactive,
// Expired]". The constraint text for values that do not parse as their type ("Member must be
// an integer") and for malformed list indexes is iamd's own wording. The codec checks types,
// enums, required members and one length rule: a string member sent empty ("UserName=") where
// the service model sets a minimum length (model_gen.go, generated from botocore's models)
// gets AWS's failure "… at 'userName' failed to satisfy constraint: Member must have length
// greater than or equal to 1" (an empty value is a value, not an absent member; "Name=" for a
// list is still the empty list). Other length, range and pattern constraints (MaxItems
// 1..1000, name patterns) belong to the handlers, which report them with awserr.Validation and
// awserr.Constraint.
//
// # Responses
//
// EncodeResponse writes <{Action}Response xmlns="…"><{Action}Result>…</{Action}Result>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>. The Result
// element is left out for outputs with no members that the SDK does not expect one for
// (DeleteUser); UpdateRole, whose output is empty too, gets an empty one. Lists are
// <Name><member>…</member></Name>, maps <Name><entry><key/><value/></entry></Name>, timestamps
// ISO 8601 UTC with milliseconds only when non-zero (2026-01-02T03:04:05Z,
// 2026-01-02T03:04:05.5Z), booleans true/false. Nil pointers, slices and maps are omitted; an
// empty non-nil slice is written as an empty element, which the SDK reads back as an empty
// slice. The SDK's ResultMetadata and unexported fields are skipped.
//
// Policy documents: IAM returns them URL-encoded (RFC 3986). Handlers return the document as
// stored, and the codec percent-encodes the members that IAM encodes on the wire:
// PolicyDocument, AssumeRolePolicyDocument and PolicyVersion's Document in IAM types (see
// policyDocumentField). Requests carry policy documents as ordinary form values, which the form
// parsing has already unescaped.
//
// # Errors
//
// EncodeError writes <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code>
// <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse> from an *awserr.Error;
// the caller sets the HTTP status from its Status and the Content-Type to ContentType.
package query
