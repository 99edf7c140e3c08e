// Package query is the AWS Query protocol codec that IAM (API version 2010-05-08) and STS
// (2011-06-15) speak: form-encoded requests in, XML responses out.
//
// The wire contract is the AWS SDK for Go v2 service types. A request decodes into the SDK's
// input struct (for example *iam.CreateUserInput) and a response encodes from the SDK's output
// struct (*iam.CreateUserOutput), by reflection over exported fields, so there is one codec and
// not an encoder per action. The package does not import the SDK: any struct of the same shape
// works. Per-type field plans are cached in the Codec.
//
// # Requests
//
// Member names on the wire are the Go field names, except where the SDK's serializers and
// deserializers use another (STS's PolicyDescriptorType.Arn is sent as "arn";
// ListDelegationRequests answers with <isTruncated>); sdk_gen.go lists these, generated from
// the SDK sources. Scalars are plain values:
// strings, enums (named string types), integers, booleans ("true"/"false", any case), blobs
// (standard base64) and timestamps (ISO 8601 / RFC 3339, as the SDK sends them). Lists are
// Name.member.N with N counting from 1 and contiguous; "Name=" alone is an empty list. Maps are
// Name.entry.N.key and Name.entry.N.value. Nested structures are Name.Field.
//
// Parameters that name no member are ignored (AWS documents no error for them, and clients
// built from newer SDK models may send members this server does not know); this also skips
// the protocol parameters (Action, Version, X-Amz-*). A repeated parameter takes its first
// value. A value that does not parse as its member's
// type, an enum value outside the type's Values(), or a malformed list or map index is reported
// as a ValidationError in AWS's "1 validation error detected: Value 'abc' at 'maxItems' failed
// to satisfy constraint: ..." form; the member path is lowerCamelCase with list elements as
// "tags.1.member.key". The constraint wording for type errors is iamd's own: AWS documents the
// format but not the text. Members the SDK's validators require (sdk_gen.go, generated from
// the SDK's validators.go) are reported when missing, with AWS's message: "Value null at
// 'userName' failed to satisfy constraint: Member must not be null"; all failures of a request
// come back together in one ValidationError, sorted.
//
// SDK unions (interfaces such as iam/types.PolicyIdentifier) travel as Name.<Member>...; the
// codec learns their members through WithUnion, since reflection cannot list the types that
// implement an interface. Exactly one member may be set.
//
// # Responses
//
// EncodeResponse writes <{Action}Response xmlns="..."><{Action}Result>...</{Action}Result>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></{Action}Response>. An output
// with no members (DeleteUser) has no Result element. Lists are <Name><member>...</member></Name>,
// maps <Name><entry><key/><value/></entry></Name>, timestamps ISO 8601 UTC with milliseconds only
// when non-zero (2026-01-02T03:04:05Z), booleans true/false. Nil pointers and nil slices are
// omitted; an empty non-nil slice is written as an empty element. The SDK's ResultMetadata and
// unexported fields are skipped.
//
// The codec checks types, enums and required members only. Length, range and pattern
// constraints (MaxItems 1..1000, name patterns) are not in the SDK's types and belong to the
// handlers, which report them with awserr.Validation and awserr.Constraint.
//
// Policy documents: IAM returns them URL-encoded (RFC 3986). Handlers return the document as
// stored, and the codec percent-encodes the members that IAM encodes on the wire:
// PolicyDocument, AssumeRolePolicyDocument and PolicyVersion's Document (see
// policyDocumentField). Requests carry policy documents as ordinary form values, which the form
// decoding has already unescaped.
//
// # Errors
//
// EncodeError writes <ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>...</Code>
// <Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse> from an
// *awserr.Error.
package query
