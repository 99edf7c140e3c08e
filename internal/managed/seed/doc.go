// Package seed puts the AWS managed policies of package managed into a store, under account
// "aws", where the IAM service and the authorizer find arn:aws:iam::aws:policy/... ARNs.
//
// [Ensure] runs at every server start. It reads one setting, [SettingName] in account "aws",
// which records the data version of the stored set, and does nothing more when that version
// is the embedded one or newer; so later starts cost one read. Otherwise it decodes the
// embedded data and, in one transaction, creates the missing policies, replaces the stored
// ones (keeping their creation time and attachments, which are links to the ARN) and records
// the version. Policies that a newer data version no longer has are left in place: AWS keeps
// deprecated managed policies for the entities they are attached to.
package seed
