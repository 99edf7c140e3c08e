// Package iam is IAM's entity model: users, groups, roles, managed policies, access keys and
// instance profiles as iamd stores them, with AWS's rules for names, paths, descriptions and
// tags and AWS's ARN forms. It is pure: no I/O, no clock, no randomness.
package iam
