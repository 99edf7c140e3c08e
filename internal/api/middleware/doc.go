// Package middleware is the AWS Query API's HTTP chain, explicit and in order: request ID → body
// limit → recover → parse the form once → authenticate (SigV4) → route by the credential scope's
// service and the Action → decode the SDK input → handler → encode the SDK output or the AWS
// error XML → audit record. Services are tables of operations (Op) built with Handle.
package middleware
