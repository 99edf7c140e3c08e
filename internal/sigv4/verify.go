package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// MaxSkew is how far X-Amz-Date may be from the server's clock, either way, as in AWS.
const MaxSkew = 15 * time.Minute

// Verify checks a request whose authentication Parse returned as a: the request time against
// now (15 minutes either way, or X-Amz-Expires for a presigned request), that the host is
// signed, that the credential scope ends in aws4_request and carries the date of X-Amz-Date,
// and finally the signature, computed with secret and compared in constant time. Failures
// are *Error with AWS's code and message.
func Verify(r *Request, a *Auth, secret string, now time.Time) error {
	var scratchArr [1024]byte
	key, scratch := deriveKey(scratchArr[:0], secret, a.Date, a.Region, a.Service)
	return verify(scratch, r, a, key, now)
}

// VerifyWithKey is Verify with the signing key SigningKey(secret, a.Date, a.Region,
// a.Service) instead of the secret, for callers that cache signing keys; it saves four of the
// five HMAC computations of a verification.
func VerifyWithKey(r *Request, a *Auth, signingKey []byte, now time.Time) error {
	var key [sha256.Size]byte
	if len(signingKey) != len(key) {
		return newError(CodeSignatureDoesNotMatch, msgMismatch)
	}
	copy(key[:], signingKey)
	var scratchArr [1024]byte
	return verify(scratchArr[:0], r, a, key, now)
}

func verify(scratch []byte, r *Request, a *Auth, key [sha256.Size]byte, now time.Time) error {
	if err := checkTime(a, now); err != nil {
		return err
	}
	if !signsHost(a.SignedHeaders) {
		return newError(CodeSignatureDoesNotMatch, msgHostUnsigned)
	}
	if msg := scopeProblems(a, "", ""); msg != "" {
		return newError(CodeSignatureDoesNotMatch, msg)
	}
	var want [sha256.Size]byte
	if !decodeSignature(&want, a.Signature) {
		return newError(CodeSignatureDoesNotMatch, msgMismatch)
	}

	var phArr [64]byte
	ph := appendPayloadHash(phArr[:0], r)
	uri := canonicalURI(r.Path)
	var ok bool
	if ok, scratch = signatureMatches(scratch, r, a, key, uri, ph, want); ok {
		return nil
	}
	// Other forms a correct signer may have used: the path botocore normalises, and an unsigned
	// payload on a request with no body (presigned, or saying so in X-Amz-Content-Sha256): it
	// covers nothing the request carries. Each is tried only after the first fails.
	uris, hashes := [2]string{uri}, [2][]byte{ph}
	nu, nh := 1, 1
	if n, changed := normalizedURI(r.Path); changed {
		uris[1], nu = n, 2
	}
	if len(r.Body) == 0 && (a.Presigned || slices.Contains(headerValues(r.Header, "x-amz-content-sha256"), unsignedPayload)) {
		var up [len(unsignedPayload)]byte
		copy(up[:], unsignedPayload)
		hashes[1], nh = up[:], 2
	}
	for i, u := range uris[:nu] {
		for j, h := range hashes[:nh] {
			if i == 0 && j == 0 {
				continue
			}
			if ok, scratch = signatureMatches(scratch, r, a, key, u, h, want); ok {
				return nil
			}
		}
	}
	return newError(CodeSignatureDoesNotMatch, msgMismatch)
}

// signatureMatches computes the signature of the canonical request for (uri, payloadHash) and
// compares it with want in constant time.
func signatureMatches(scratch []byte, r *Request, a *Auth, key [sha256.Size]byte, uri string, payloadHash []byte, want [sha256.Size]byte) (bool, []byte) {
	scratch = appendCanonicalRequest(scratch[:0], r, a, uri, payloadHash)
	crHash := sha256.Sum256(scratch)

	var stsArr [256]byte
	sts := append(stsArr[:0], Algorithm...)
	sts = append(sts, '\n')
	sts = a.Time.UTC().AppendFormat(sts, amzDateFormat)
	sts = append(sts, '\n')
	sts = append(sts, a.Date...)
	sts = append(sts, '/')
	sts = append(sts, a.Region...)
	sts = append(sts, '/')
	sts = append(sts, a.Service...)
	sts = append(sts, '/')
	sts = append(sts, a.terminator...)
	sts = append(sts, '\n')
	sts = hex.AppendEncode(sts, crHash[:])

	var got [sha256.Size]byte
	got, scratch = hmacSHA256(scratch, key[:], sts)
	return hmac.Equal(got[:], want[:]), scratch
}

// CheckScope checks the credential scope as AWS does before it looks the access key up:
// region (when region is not empty), service (when service is not empty), the aws4_request
// terminator and the date of X-Amz-Date. All problems are reported in one
// SignatureDoesNotMatch message, in AWS's order and wording.
func CheckScope(a *Auth, region, service string) error {
	if msg := scopeProblems(a, region, service); msg != "" {
		return newError(CodeSignatureDoesNotMatch, msg)
	}
	return nil
}

func scopeProblems(a *Auth, region, service string) string {
	var b strings.Builder
	if region != "" && a.Region != region {
		b.WriteString("Credential should be scoped to a valid region, not '" + a.Region + "'. ")
	}
	if service != "" && a.Service != service {
		b.WriteString("Credential should be scoped to correct service: '" + service + "'. ")
	}
	if a.terminator != terminator {
		b.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + a.terminator + "'. ")
	}
	var dayArr [16]byte
	if day := a.Time.UTC().AppendFormat(dayArr[:0], "20060102"); a.Date != string(day) {
		b.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.Date + "' != '" + string(day) + "', from '" + a.Time.UTC().Format(amzDateFormat) + "'.")
	}
	return b.String()
}

// checkTime applies the clock window: 15 minutes either side of now for a signed header or a
// presigned request without X-Amz-Expires; X-Amz-Expires after X-Amz-Date otherwise (and
// still no more than 15 minutes in the future).
func checkTime(a *Auth, now time.Time) error {
	t, now := a.Time.UTC(), now.UTC()
	if late := now.Add(MaxSkew); t.After(late) {
		return newError(CodeSignatureDoesNotMatch, "Signature not yet current: "+t.Format(amzDateFormat)+
			" is still later than "+late.Format(amzDateFormat)+" ("+now.Format(amzDateFormat)+" + 15 min.)")
	}
	if a.Presigned && a.Expires > 0 {
		if now.After(t.Add(a.Expires)) {
			return newError(CodeRequestExpired, msgExpired)
		}
		return nil
	}
	if early := now.Add(-MaxSkew); t.Before(early) {
		return newError(CodeSignatureDoesNotMatch, "Signature expired: "+t.Format(amzDateFormat)+
			" is now earlier than "+early.Format(amzDateFormat)+" ("+now.Format(amzDateFormat)+" - 15 min.)")
	}
	return nil
}

// decodeSignature decodes 64 lower-case hex digits, as every SDK sends them, without allocating.
func decodeSignature(dst *[sha256.Size]byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func signsHost(signed []string) bool {
	for _, h := range signed {
		if strings.EqualFold(h, "host") {
			return true
		}
	}
	return false
}

// SigningKey derives the SigV4 signing key of a secret for a scope date (YYYYMMDD), region
// and service. It is exported so that callers may cache it: it changes once a day.
func SigningKey(secret, date, region, service string) []byte {
	var scratch [256]byte
	key, _ := deriveKey(scratch[:0], secret, date, region, service)
	return key[:]
}

// deriveKey computes HMAC chains "AWS4"+secret → date → region → service → aws4_request.
func deriveKey(scratch []byte, secret, date, region, service string) ([sha256.Size]byte, []byte) {
	var secretArr [64]byte
	k := append(append(secretArr[:0], "AWS4"...), secret...)
	var key [sha256.Size]byte
	key, scratch = hmacSHA256(scratch, k, []byte(date))
	key, scratch = hmacSHA256(scratch, key[:], []byte(region))
	key, scratch = hmacSHA256(scratch, key[:], []byte(service))
	key, scratch = hmacSHA256(scratch, key[:], []byte(terminator))
	return key, scratch
}

// hmacSHA256 is HMAC-SHA256 (RFC 2104) over one message, computed with sha256.Sum256 in the
// scratch buffer so that a verification allocates nothing for it; crypto/hmac would allocate
// two digests per call, twenty per request. TestHMACMatchesStandard checks it against
// crypto/hmac.
func hmacSHA256(scratch, key, msg []byte) ([sha256.Size]byte, []byte) {
	const blockSize = 64
	var k [blockSize]byte
	if len(key) > blockSize {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	scratch = scratch[:0]
	for _, c := range k {
		scratch = append(scratch, c^0x36)
	}
	scratch = append(scratch, msg...)
	inner := sha256.Sum256(scratch)
	scratch = scratch[:0]
	for _, c := range k {
		scratch = append(scratch, c^0x5c)
	}
	scratch = append(scratch, inner[:]...)
	return sha256.Sum256(scratch), scratch
}
