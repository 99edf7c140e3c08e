// Package analyzerapi is IAM Access Analyzer's restJson1 transport: the route table
// (method and path → package analyzersvc) and the mapping of errors to Access Analyzer's
// exceptions with their HTTP status. Requests signed for the SigV4 service "access-analyzer"
// reach it through middleware.API.REST.
package analyzerapi
