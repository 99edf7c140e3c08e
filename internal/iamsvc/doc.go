// Package iamsvc implements the IAM API operations: each validates its input as AWS does,
// authorizes the caller with the policy engine (through authz), changes the store in one
// transaction together with the call's audit record, and returns the AWS SDK output type.
//
// Handlers have the shape func(ctx, *authn.Caller, *In) (*Out, error), where In and Out are the
// AWS SDK for Go v2 types of the operation (the wire contract). Errors are domain errors
// (*iam.Error and friends) that the API layer maps to AWS's wire errors.
package iamsvc
