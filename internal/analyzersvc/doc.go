// Package analyzersvc implements the part of IAM Access Analyzer's API that iamd serves:
// ValidatePolicy, and policy generation jobs (StartPolicyGeneration, GetGeneratedPolicy,
// ListPolicyGenerations, CancelPolicyGeneration) over iamd's own audit trail.
//
// Its inputs and outputs are the Access Analyzer SDK's types (the wire contract); its errors
// are the SDK's exception types (*types.ValidationException with reason and fieldList,
// *types.ResourceNotFoundException, *types.ConflictException,
// *types.ServiceQuotaExceededException), which the restJson1 transport (api/analyzerapi) writes
// with their HTTP status. Every operation first checks its input, then authorizes
// access-analyzer:<Operation> on "*" (the Service Authorization Reference lists no resource
// type for them) through authz, whose AccessDenied the transport answers as
// AccessDeniedException.
//
// ValidatePolicy runs policy.Lint with the embedded action catalog. Policy type
// RESOURCE_POLICY with validatePolicyResourceType AWS::IAM::AssumeRolePolicyDocument is a
// role trust policy; other resource types are checked as generic resource policies. Findings
// are English whatever the locale. Without maxResults every finding comes back in one page;
// nextToken is opaque and only valid for the same document, type and resource type.
//
// Policy generation: a job is a store.KindPolicyGeneration entity named by its UUID job ID.
// StartPolicyGeneration checks the principal (an IAM user or role ARN of the caller's
// account), the window (cloudTrailDetails startTime and endTime: start not after end, not in
// the future, at most 90 days apart; without cloudTrailDetails the 90 days before the
// request) and AWS's quotas (one job in progress per account, 50 jobs started per 24 hours,
// canceled ones included), stores the job IN_PROGRESS and runs it in the background: the
// account's audit records in the window are streamed through package polgen, and the job ends
// SUCCEEDED with the generated policy or FAILED with a JobError (RESOURCE_NOT_FOUND_ERROR when
// the principal does not exist, SERVICE_ERROR otherwise). A clientToken makes the start
// idempotent: the same token with the same request returns the first job's ID, with a
// different request ConflictException. CancelPolicyGeneration stops a job in progress
// (CANCELED); on a finished job it changes nothing. A job left IN_PROGRESS by a stopped
// server is reported FAILED (SERVICE_ERROR) when next read.
//
// GetGeneratedPolicy with includeResourcePlaceholders replaces the "*" resources polgen could not
// fill from the records by the ARN formats of the actions' resource types, with ${Partition}
// and ${Account} filled in ("arn:aws:s3:::${BucketName}/${ObjectName}").
//
// Differences from Access Analyzer: the trails and access role of cloudTrailDetails are
// echoed back but not read (iamd reads its own trail, every region); includeServiceLevelTemplate
// does not change the policy (polgen always generates action-level statements).
package analyzersvc
