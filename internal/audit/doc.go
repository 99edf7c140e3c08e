// Package audit defines iamd's audit record, the hash chain that makes the trail
// tamper-evident, and the CloudTrail export formats. It is pure: it reads no clock, draws
// no randomness, and its only I/O is writing to an io.Writer it is given.
//
// # Records
//
// Every API request, allowed or denied, becomes one Event: a CloudTrail record (eventVersion
// 1.11) with CloudTrail's field names in CloudTrail's order, so tools written for CloudTrail
// logs read iamd's. Times are UTC with whole seconds ("2014-03-24T21:11:59Z"). errorCode,
// errorMessage, resources and tlsDetails are left out when empty; requestParameters and
// responseElements are written as null when absent, as CloudTrail does. iamd records only
// API calls, so eventType is always "AwsApiCall" and eventCategory "Management".
//
// Parameters and responses go into a record without any member whose key names a secret
// (IsSecretName: secretAccessKey, sessionToken, password, the MFA seed and codes, private
// keys, SAML assertions, web identity tokens), the way CloudTrail leaves a CreateAccessKey
// record without its secret. internal/trail leaves them out while encoding, where it can tell
// a struct member from a map key (a tag named "Password" is kept); Redact does the same to
// JSON that has no Go value behind it, at the price of dropping such map keys too. One difference
// from CloudTrail: CloudTrail records the session token STS returns; iamd does not.
//
// # The chain
//
// The store keeps each record as the exact bytes it was given: the JSON json.Marshal (or
// AppendJSON) gave for its Event, or, for reads and denials, the Event's compact form
// (AppendCompact, read back as the same JSON by RecordJSON). With it go a sequence number
// (from FirstSeq, one more per record, no gaps) and a chain hash over the bytes as kept:
//
//	hash(n) = SHA-256( hash(n-1) || SHA-256(record(n)) ),  hash(0) = 32 zero bytes
//
// (Link). The store writes a record in the same transaction as the change it describes.
//
// Verify, or a Verifier for a trail read as a stream, recomputes the chain and reports the
// first problem as a *ChainError naming a sequence number and a Kind:
//
//   - Edited at N: record N's bytes, or a stored hash, changed. A record whose hash was
//     recomputed after an edit shows up at the next record, whose link then breaks.
//   - Removed at N: sequence numbers from N on are missing before the next record present.
//   - Reordered at N: record N does not follow its predecessor's sequence number, or
//     (Verify only) it is intact but links from a different record's hash.
//   - Truncated at N: the records check out but do not end at the head hash the caller
//     expected, so records from N on are gone, or the whole trail was rewritten.
//
// What the chain proves: with the last head hash kept somewhere the attacker cannot write
// (printed by `iamd trail verify`, shipped to a log sink, exported), any change, removal,
// reordering or truncation of the records before it is detected. Without an independent
// head, someone able to write the database can recompute every hash after the record they
// change; the chain then only shows that the trail is internally consistent. The chain
// holds no key: it detects tampering, it does not authenticate who wrote the records.
//
// # Lookup columns
//
// A store keeps, beside each record, columns that LookupEvents searches (time, account,
// eventSource, eventName, eventID, user name, access key, readOnly, resource names). The chain
// covers only the record, so those columns are derived from it by one rule, Summary: Summarize
// applies it to a record's bytes (`iamd trail import`), Event.Summary to an Event being written
// (package trail). CheckIndex re-derives them when the trail is verified and reports a column
// that differs as an Edited *ChainError naming the column (Field): editing the username column
// of an intact record, so that lookups by user name list it under someone else, is tampering
// like editing the record.
//
// # Export
//
// JSONLines writes records one per line for log sinks. LogFileName and WriteLogFile produce
// CloudTrail's S3 delivery layout and gzip-compressed {"Records":[...]} log files, with the
// record bytes copied unchanged.
//
// Digest, DigestFileName, SignDigest and VerifyDigest produce and check CloudTrail digest
// files: SHA256withRSA (PKCS #1 v1.5) over the string CloudTrail documents for custom
// validation (digest end time, bucket/object, hex SHA-256 of the uncompressed digest, the
// previous digest's hex signature or "null"); PublicKeyFingerprint is the hex MD5 of the
// key's PKCS #1 DER. The caller holds the key; PKCS #1 v1.5 signing needs no randomness.
package audit
