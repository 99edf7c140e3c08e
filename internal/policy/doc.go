// Package policy is the AWS policy language: parsing and validating policy documents, compiling
// them, and evaluating requests against them exactly as AWS's policy evaluation logic does.
//
// The package is pure: it does no I/O, reads no clock and uses no global randomness.
package policy
