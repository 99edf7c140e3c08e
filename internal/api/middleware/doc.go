// Package middleware is the API listener's HTTP chain, explicit and in order: request ID → body
// limit → recover → parse the form once → authenticate (SigV4) → route by the credential scope's
// service and the Action → decode the SDK input → handler → encode the SDK output or the AWS
// error XML → audit record. Services are tables of operations (Op) built with Handle.
//
// Two other AWS protocols share the listener, chosen by the SigV4 signing name: AWS JSON 1.1
// services (JSONService, routed by X-Amz-Target: CloudTrail) and restJson1 services
// (RESTService, routed by method and path: IAM Access Analyzer). A restJson1 input is bound
// from path labels, declared query parameters and the JSON body with the codec of restjson.go
// (SDK types ↔ lowerCamelCase JSON); errors are written as the status, the X-Amzn-ErrorType
// header and a {"message": …} body with the exception's other members.
package middleware
