// Package seed puts the AWS managed policies of package managed into a store, under account
// "aws", where the IAM service and the authorizer find arn:aws:iam::aws:policy/... ARNs.
//
// [Ensure] runs at every server start. It reads one setting, [SettingName] in account "aws",
// which records the data version of the stored set, and does nothing more when that version
// is the embedded one or newer; so later starts cost one read. Otherwise it streams the
// policies' stored form into one transaction, which creates the missing policies, replaces
// the stored ones (keeping their creation time and attachments, which are links to the ARN)
// and records the version. The stored form is precomputed in rows.bin.gz, so a first start
// does not decode and re-encode 13 MB of JSON; when that file is not of the data's version,
// Ensure decodes package managed's data instead. Policies that a newer data version no longer
// has are left in place: AWS keeps deprecated managed policies for the entities they are
// attached to.
package seed
