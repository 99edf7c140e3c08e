package audit

import (
	"encoding/json"
	"strings"
)

// secretNames lists, in lower case, the keys whose values Redact removes wherever they
// appear. CloudTrail leaves such values out of its records (a CreateAccessKey record's
// accessKey has no secretAccessKey; CreateLoginProfile's parameters have no password), so
// Redact drops the whole member rather than writing a placeholder.
//
// iamd also drops sessionToken, which CloudTrail does record in STS responses: iamd's
// session tokens are sealed blobs, and an audit reader has no business holding one.
// serialNumber (an MFA device ARN) is not a secret and stays.
func secretNames() [16]string {
	return [16]string{
		"secretaccesskey",         // CreateAccessKey, STS credentials
		"sessiontoken",            // STS credentials
		"password",                // CreateLoginProfile, UpdateLoginProfile
		"oldpassword",             // ChangePassword
		"newpassword",             // ChangePassword
		"privatekey",              // UploadServerCertificate
		"addprivatekey",           // CreateSAMLProvider, UpdateSAMLProvider
		"samlassertion",           // AssumeRoleWithSAML
		"webidentitytoken",        // AssumeRoleWithWebIdentity, GetWebIdentityToken
		"tokencode",               // one-time MFA code
		"authenticationcode1",     // EnableMFADevice, ResyncMFADevice
		"authenticationcode2",     // EnableMFADevice, ResyncMFADevice
		"base32stringseed",        // CreateVirtualMFADevice: the TOTP seed
		"qrcodepng",               // CreateVirtualMFADevice: the same seed as a picture
		"servicepassword",         // CreateServiceSpecificCredential
		"servicecredentialsecret", // CreateServiceSpecificCredential (API keys)
	}
}

// maxSecretLen is the length of the longest name in secretNames.
const maxSecretLen = len("servicecredentialsecret")

// Redact returns v without the members whose key names a secret (see secretNames),
// compared without regard to case and after JSON unescaping, at any depth of nesting,
// inside objects and arrays alike. Every other member and value is kept as it was.
//
// When nothing needs removing, Redact returns v itself. Otherwise it returns new, compact
// JSON. Empty input and input that is not valid JSON give nil (written as null): a value
// that cannot be parsed cannot be shown to be free of secrets.
func Redact(v json.RawMessage) json.RawMessage {
	if len(v) == 0 || !json.Valid(v) {
		return nil
	}
	r := redactor{src: v}
	r.value(r.space(0))
	if !r.found {
		return v
	}
	r.emit = true
	r.out = make([]byte, 0, len(v))
	r.value(r.space(0))
	return r.out
}

// redactor walks JSON already checked by json.Valid, so it does no error handling of its
// own. With emit unset it only notes whether a secret key occurs; with emit set it writes
// the input, compacted and without the secret members, to out.
type redactor struct {
	src   []byte
	out   []byte
	emit  bool
	found bool
}

func (r *redactor) put(b []byte) {
	if r.emit {
		r.out = append(r.out, b...)
	}
}

func (r *redactor) putByte(c byte) {
	if r.emit {
		r.out = append(r.out, c)
	}
}

func (r *redactor) space(i int) int {
	for i < len(r.src) {
		switch r.src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value copies the value starting at i and returns the index just past it.
func (r *redactor) value(i int) int {
	switch r.src[i] {
	case '{':
		return r.object(i)
	case '[':
		return r.array(i)
	case '"':
		end, _ := r.str(i)
		r.put(r.src[i:end])
		return end
	default: // number, true, false, null
		end := i
		for end < len(r.src) && !isDelim(r.src[end]) {
			end++
		}
		r.put(r.src[i:end])
		return end
	}
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// str returns the index just past the string starting at i and whether it has escapes.
func (r *redactor) str(i int) (int, bool) {
	escaped := false
	for j := i + 1; ; j++ {
		switch r.src[j] {
		case '"':
			return j + 1, escaped
		case '\\':
			escaped = true
			j++
		}
	}
}

func (r *redactor) object(i int) int {
	r.putByte('{')
	i = r.space(i + 1)
	first := true
	for r.src[i] != '}' {
		keyEnd, escaped := r.str(i)
		key := r.src[i:keyEnd]
		i = r.space(keyEnd) // at ':'
		i = r.space(i + 1)  // at the value
		if isSecretKey(key, escaped) {
			r.found = true
			emit := r.emit
			r.emit = false
			i = r.value(i)
			r.emit = emit
		} else {
			if !first {
				r.putByte(',')
			}
			first = false
			r.put(key)
			r.putByte(':')
			i = r.value(i)
		}
		i = r.space(i)
		if r.src[i] == ',' {
			i = r.space(i + 1)
		}
	}
	r.putByte('}')
	return i + 1
}

func (r *redactor) array(i int) int {
	r.putByte('[')
	i = r.space(i + 1)
	first := true
	for r.src[i] != ']' {
		if !first {
			r.putByte(',')
		}
		first = false
		i = r.space(r.value(i))
		if r.src[i] == ',' {
			i = r.space(i + 1)
		}
	}
	r.putByte(']')
	return i + 1
}

// isSecretKey reports whether the quoted key names a secret.
func isSecretKey(quoted []byte, escaped bool) bool {
	name := quoted[1 : len(quoted)-1]
	if escaped {
		var s string
		if err := json.Unmarshal(quoted, &s); err != nil {
			return true // unreachable for input json.Valid accepted; fail closed
		}
		return isSecretFold(s)
	}
	if len(name) > maxSecretLen {
		// A longer name can still fold to a secret name through multi-byte runes such as
		// U+017F (ſ) or U+212A (K).
		return hasNonASCII(name) && isSecretFold(string(name))
	}
	var buf [maxSecretLen]byte
	for k, c := range name {
		if c >= 0x80 {
			return isSecretFold(string(name))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	lower := buf[:len(name)]
	for _, s := range secretNames() {
		if string(lower) == s {
			return true
		}
	}
	return false
}

func isSecretFold(s string) bool {
	for _, n := range secretNames() {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return false
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// IsSecretName reports whether Redact drops a member with this (unescaped) key: whether it
// equals one of the secret names without regard to case. Encoders that build parameters
// themselves use it to leave such members out as Redact would.
func IsSecretName(key string) bool {
	if len(key) > maxSecretLen && !hasNonASCII([]byte(key)) {
		return false
	}
	return isSecretFold(key)
}
