// Package secrets seals stored secrets, encodes session tokens, mints AWS-style identifiers
// and hashes console passwords.
//
// A Keyring holds AES-256-GCM keys read from a key file (one "id:base64(32 bytes)" a line,
// '#' starts a comment; the id is a decimal number from 0 to 4294967295). The first key seals;
// every key opens, so a key is rotated by putting a new line first and keeping the old ones
// until every secret sealed with them has been sealed again. A sealed secret is
//
//	1 byte version (1) | 4 byte key id (big endian) | 12 byte nonce | ciphertext and GCM tag
//
// and the associated data authenticated with it is the 5 byte header followed by the
// caller's associated data, which binds a secret to its owner (for a secret access key, the
// access key ID): a sealed secret copied to another owner does not open.
//
// A session token is a sealed payload the caller chooses (STS puts the session's principal,
// secret, expiry, policies and tags in it), sealed with the associated data "iamd session
// token" so that a stored secret can never pass for a token, and written in standard base64
// after the marker bytes 0x21 0x0a 0x09, so that tokens start with "IQoJ" as AWS's do.
//
// The package is pure: randomness is an io.Reader parameter and nothing is read from the
// clock or the file system. Open and OpenToken fail with ErrOpen whatever went wrong, so that
// a caller cannot tell a wrong key from tampering.
package secrets
