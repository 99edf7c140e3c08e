package polgen

import (
	"strings"

	"github.com/iamd-dev/iamd/internal/catalog"
)

// eventKey is a record's eventSource and eventName.
type eventKey struct{ source, name string }

// mapping is the IAM actions one kind of event needs; none when the catalog knows no action
// for it.
type mapping struct {
	actions []*catalog.Action
	// free are the event's actions that need no permission (see noPermission): kept out of
	// actions, so that they are neither granted nor compared.
	free    []string
	service string // the service's eventSource host, for iam:PassedToService
}

// noPermission are the actions AWS performs whatever the caller's policies say, so that a
// policy granting them grants nothing and one denying them denies nothing:
//   - sts:GetCallerIdentity: "No permissions are required to perform this operation", even
//     with an explicit deny, since the same information is returned when access is denied
//     (STS API Reference, GetCallerIdentity);
//   - sts:GetSessionToken: "No permissions are required for a user to get a session token …
//     You cannot use policies to control authentication operations" (IAM User Guide,
//     Permissions for GetSessionToken);
//   - sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML are called without AWS
//     credentials: only the role's trust policy decides (STS API Reference).
var noPermission = map[string]bool{
	"sts:GetCallerIdentity":         true,
	"sts:GetSessionToken":           true,
	"sts:AssumeRoleWithWebIdentity": true,
	"sts:AssumeRoleWithSAML":        true,
}

// NeedsNoPermission reports whether AWS performs action (as the catalog spells it,
// "sts:GetCallerIdentity") without checking the caller's policies: such actions are left out
// of generated policies and of the comparison with the current policies.
func NeedsNoPermission(action string) bool { return noPermission[action] }

// sourcePrefixes maps the eventSource hosts whose first label is not the service's IAM prefix.
var sourcePrefixes = map[string]string{
	"monitoring.amazonaws.com": "cloudwatch",
	"email.amazonaws.com":      "ses",
	"tagging.amazonaws.com":    "tag",
}

// eventActions maps "prefix:eventName" to the IAM actions the operation needs where these are
// not the action of the same name. Amazon S3: the "Permissions" section of each operation in
// the Amazon S3 API Reference; Lambda: Invoke is the InvokeFunction permission.
var eventActions = map[string][]string{
	"s3:ListObjects":                                 {"ListBucket"},
	"s3:ListObjectsV2":                               {"ListBucket"},
	"s3:HeadBucket":                                  {"ListBucket"},
	"s3:ListObjectVersions":                          {"ListBucketVersions"},
	"s3:ListMultipartUploads":                        {"ListBucketMultipartUploads"},
	"s3:ListParts":                                   {"ListMultipartUploadParts"},
	"s3:ListBuckets":                                 {"ListAllMyBuckets"},
	"s3:HeadObject":                                  {"GetObject"},
	"s3:SelectObjectContent":                         {"GetObject"},
	"s3:CopyObject":                                  {"GetObject", "PutObject"},
	"s3:UploadPartCopy":                              {"GetObject", "PutObject"},
	"s3:UploadPart":                                  {"PutObject"},
	"s3:CreateMultipartUpload":                       {"PutObject"},
	"s3:CompleteMultipartUpload":                     {"PutObject"},
	"s3:DeleteObjects":                               {"DeleteObject"},
	"s3:GetBucketEncryption":                         {"GetEncryptionConfiguration"},
	"s3:PutBucketEncryption":                         {"PutEncryptionConfiguration"},
	"s3:DeleteBucketEncryption":                      {"PutEncryptionConfiguration"},
	"s3:GetBucketLifecycle":                          {"GetLifecycleConfiguration"},
	"s3:GetBucketLifecycleConfiguration":             {"GetLifecycleConfiguration"},
	"s3:PutBucketLifecycle":                          {"PutLifecycleConfiguration"},
	"s3:PutBucketLifecycleConfiguration":             {"PutLifecycleConfiguration"},
	"s3:DeleteBucketLifecycle":                       {"PutLifecycleConfiguration"},
	"s3:GetBucketCors":                               {"GetBucketCORS"},
	"s3:PutBucketCors":                               {"PutBucketCORS"},
	"s3:DeleteBucketCors":                            {"PutBucketCORS"},
	"s3:GetBucketReplication":                        {"GetReplicationConfiguration"},
	"s3:PutBucketReplication":                        {"PutReplicationConfiguration"},
	"s3:DeleteBucketReplication":                     {"PutReplicationConfiguration"},
	"s3:DeleteBucketTagging":                         {"PutBucketTagging"},
	"s3:GetBucketNotificationConfiguration":          {"GetBucketNotification"},
	"s3:PutBucketNotificationConfiguration":          {"PutBucketNotification"},
	"s3:GetBucketAnalyticsConfiguration":             {"GetAnalyticsConfiguration"},
	"s3:ListBucketAnalyticsConfigurations":           {"GetAnalyticsConfiguration"},
	"s3:PutBucketAnalyticsConfiguration":             {"PutAnalyticsConfiguration"},
	"s3:DeleteBucketAnalyticsConfiguration":          {"PutAnalyticsConfiguration"},
	"s3:GetBucketMetricsConfiguration":               {"GetMetricsConfiguration"},
	"s3:ListBucketMetricsConfigurations":             {"GetMetricsConfiguration"},
	"s3:PutBucketMetricsConfiguration":               {"PutMetricsConfiguration"},
	"s3:DeleteBucketMetricsConfiguration":            {"PutMetricsConfiguration"},
	"s3:GetBucketInventoryConfiguration":             {"GetInventoryConfiguration"},
	"s3:ListBucketInventoryConfigurations":           {"GetInventoryConfiguration"},
	"s3:PutBucketInventoryConfiguration":             {"PutInventoryConfiguration"},
	"s3:DeleteBucketInventoryConfiguration":          {"PutInventoryConfiguration"},
	"s3:GetBucketIntelligentTieringConfiguration":    {"GetIntelligentTieringConfiguration"},
	"s3:ListBucketIntelligentTieringConfigurations":  {"GetIntelligentTieringConfiguration"},
	"s3:PutBucketIntelligentTieringConfiguration":    {"PutIntelligentTieringConfiguration"},
	"s3:DeleteBucketIntelligentTieringConfiguration": {"PutIntelligentTieringConfiguration"},
	"s3:GetBucketAccelerateConfiguration":            {"GetAccelerateConfiguration"},
	"s3:PutBucketAccelerateConfiguration":            {"PutAccelerateConfiguration"},
	"s3:GetPublicAccessBlock":                        {"GetBucketPublicAccessBlock"},
	"s3:PutPublicAccessBlock":                        {"PutBucketPublicAccessBlock"},
	"s3:DeletePublicAccessBlock":                     {"PutBucketPublicAccessBlock"},
	"s3:DeleteBucketOwnershipControls":               {"PutBucketOwnershipControls"},
	"s3:GetObjectLockConfiguration":                  {"GetBucketObjectLockConfiguration"},
	"s3:PutObjectLockConfiguration":                  {"PutBucketObjectLockConfiguration"},
	"lambda:Invoke":                                  {"InvokeFunction"},
	"lambda:InvokeWithResponseStream":                {"InvokeFunction"},
}

// mapEvent returns the actions an event needs, from the cache or worked out once.
func (g *Generator) mapEvent(source, name string) mapping {
	k := eventKey{source, name}
	if m, ok := g.actions[k]; ok {
		return m
	}
	m := g.lookup(source, name)
	g.actions[k] = m
	return m
}

func (g *Generator) lookup(source, name string) mapping {
	svc := g.service(source)
	if svc == nil {
		return mapping{}
	}
	m := mapping{service: source}
	for _, n := range actionNames(svc.Prefix, name) {
		a, ok := svc.Action(n)
		if !ok {
			a, ok = svc.Action(stripVersion(n))
		}
		switch {
		case !ok:
		case noPermission[a.String()]:
			m.free = append(m.free, a.String())
		default:
			m.actions = append(m.actions, a)
		}
	}
	return m
}

// service finds the catalog service of an eventSource: the table above, else the first label
// of the host that is a service prefix ("models.lex.amazonaws.com" → lex).
func (g *Generator) service(source string) *catalog.Service {
	if p, ok := sourcePrefixes[source]; ok {
		s, _ := g.cat.Service(p)
		return s
	}
	host, ok := strings.CutSuffix(source, ".amazonaws.com")
	if !ok {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if s, ok := g.cat.Service(label); ok {
			return s
		}
	}
	return nil
}

// actionNames returns the candidate action names of an event of a service.
func actionNames(prefix, name string) []string {
	if as, ok := eventActions[prefix+":"+name]; ok {
		return as
	}
	if prefix == "apigateway" {
		// API Gateway's management permissions are HTTP verbs on resource paths.
		for _, v := range [...]struct{ verb, action string }{{"Get", "GET"}, {"List", "GET"}, {"Create", "POST"},
			{"Import", "PUT"}, {"Put", "PUT"}, {"Update", "PATCH"}, {"Delete", "DELETE"}} {
			if strings.HasPrefix(name, v.verb) {
				return []string{v.action}
			}
		}
	}
	return []string{name}
}

// stripVersion removes the API version some services append to eventName: Lambda's
// "20150331" or "20150331v2", CloudFront's "2020_05_31".
func stripVersion(name string) string {
	i := len(name)
	if j := strings.LastIndexByte(name, 'v'); j > 0 && j < len(name)-1 && allDigits(name[j+1:]) {
		i = j
	}
	s := name[:i]
	switch {
	case len(s) > 8 && allDigits(s[len(s)-8:]):
		return s[:len(s)-8]
	case len(s) > 10 && allDigits(s[len(s)-10:len(s)-6]) && s[len(s)-6] == '_' && s[len(s)-3] == '_' &&
		allDigits(s[len(s)-5:len(s)-3]) && allDigits(s[len(s)-2:]):
		return s[:len(s)-10]
	}
	return name
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// passedToService is the service a role passed with an action goes to (iam:PassedToService):
// the calling service, except where IAM's own action hands the role to another service.
func passedToService(action, source string) string {
	if action == "iam:AddRoleToInstanceProfile" {
		return "ec2.amazonaws.com"
	}
	if source == "iam.amazonaws.com" || source == "sts.amazonaws.com" {
		return ""
	}
	return source
}
