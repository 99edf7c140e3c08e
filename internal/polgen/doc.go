// Package polgen generates a least-privilege identity policy from activity: the CloudTrail
// records of one IAM user or role (every session of the role) over a window of time, from
// iamd's own trail or from real CloudTrail log files. It is the engine behind
// `iamd policy generate` and Access Analyzer's StartPolicyGeneration/GetGeneratedPolicy.
//
// A Generator is fed records one at a time ([Generator.Add]); records of other principals,
// other accounts, outside [From, To), and events that are not API calls are skipped cheaply.
// [Generator.Result] then builds the policy:
//
//   - Actions. A record's eventSource names the service ("iam.amazonaws.com" → iam; the few
//     sources whose first label is not the IAM prefix, such as monitoring → cloudwatch, are in
//     a table) and its eventName the action, which is nearly always the IAM action of the same
//     name. The exceptions are in tables (actions.go): Amazon S3 operations whose permission
//     has another name (ListObjectsV2 → s3:ListBucket, HeadObject → s3:GetObject, CopyObject →
//     s3:GetObject and s3:PutObject, …, as each operation's "Permissions" section in the
//     Amazon S3 API Reference states), Lambda's versioned event names (GetFunction20150331v2
//     → lambda:GetFunction, Invoke → lambda:InvokeFunction), CloudFront's dated ones, and API
//     Gateway's HTTP-verb actions. Every service the action catalog (internal/catalog) knows
//     is covered; a record whose action the catalog does not know is left out and counted in
//     a note.
//   - Resources. Where the record carries them: the ARNs in its "resources" field and in its
//     requestParameters that fit one of the action's resource types, else the catalog's ARN
//     format for the action's resource types with its variables filled from requestParameters
//     (${UserNameWithPath} from path and userName, ${BucketName} from bucketName, ${ObjectName}
//     from key, …; ${Partition} from the principal, ${Region} from awsRegion, ${Account} from
//     recipientAccountId). An IAM name whose path the record does not show gets the path
//     another record of the principal showed (CreateUser's path parameter, an ARN in
//     responseElements), else the one [Options.IAMPath] looks up, else the root path "/". A
//     format with no variable from the request (API Gateway's /account) is used only for an
//     action with one resource type. Characters IAM refuses in a document become "?". When
//     an action has no resource types, or a required one cannot be filled, the resource is
//     "*" and the statement's Sid says why (NoResourceLevelPermissions, ResourceNotInRecords);
//     other Sids name the service and resource type (S3Object, IamRole).
//   - Dependent actions from the catalog are added for every allowed call (iam:PassRole on the
//     role the call names, with an iam:PassedToService condition for the calling service).
//   - Statements group a service's actions that share the same resources. The document passes
//     [policy.Lint] without ERROR findings (checked) and fits [policy.SizeLimit] for the
//     target kind: when it does not, actions are merged into wildcards by their verb prefix
//     within a service (iam:Get*), then into service:*, then resources into wildcards, each
//     step only as far as needed and each recorded in a note.
//
// Calls of actions AWS performs without checking any policy ([NeedsNoPermission]:
// sts:GetCallerIdentity, sts:GetSessionToken, and AssumeRoleWithWebIdentity/WithSAML, which
// take no AWS credentials) are left out of the policy and counted in a note; in the [Diff] they
// count as granted and used, whatever the current policies say, and never as granted but
// unused.
//
// Calls that failed with an access-denied error (AccessDenied, Client.UnauthorizedOperation,
// or any code containing AccessDenied) are not granted; they are reported as "used but denied".
// Calls that failed otherwise (NoSuchEntity, throttling, …) did exercise the permission and are
// granted.
//
// With the principal's current policies ([Options.Current]), the result carries a [Diff]:
// actions granted and used, granted and never used in the window (expanded through the catalog,
// by service), used but denied, and used but not allowed by today's policies. Decisions use
// [policy.Evaluate] with no request context but iam:PassedToService, so other conditional
// grants count as not granted.
//
// Records are read with a small JSON scanner (scan.go) that skips what generation does not
// need; a record without the principal's ARN in it is not parsed at all.
//
// The package is pure: it reads no files and no clock; callers stream records in.
package polgen
