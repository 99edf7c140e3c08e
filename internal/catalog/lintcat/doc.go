// Package lintcat adapts the AWS action catalog (package catalog) to the lookups that
// policy.Lint and policy.Summarize take (policy.Catalog). It sits apart from package catalog,
// which is pure and does not import the policy package, so that the offline `iamd policy`
// commands and the Access Analyzer service share one adapter.
package lintcat
