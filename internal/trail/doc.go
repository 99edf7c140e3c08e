// Package trail turns API calls into CloudTrail records (package audit). The middleware puts a
// Call in each request's context; services fill in what they know. A mutation's record is
// appended inside the mutation's own transaction (so the change and its record commit together);
// every other record (reads, denials, failed authentication) goes through package recorder.
package trail
