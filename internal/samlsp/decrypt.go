package samlsp

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// XML Encryption namespaces and the algorithms Decrypt accepts.
const (
	xencNS   = "http://www.w3.org/2001/04/xmlenc#"
	xenc11NS = "http://www.w3.org/2009/xmlenc11#"

	// AES128CBC, AES256CBC, AES128GCM and AES256GCM are the block ciphers of EncryptedData.
	AES128CBC = xencNS + "aes128-cbc"
	AES256CBC = xencNS + "aes256-cbc"
	AES128GCM = xenc11NS + "aes128-gcm"
	AES256GCM = xenc11NS + "aes256-gcm"
	// RSAOAEPMGF1P is RSA-OAEP with MGF1 over SHA-1 (XML Encryption 1.0); RSAOAEP is the XML
	// Encryption 1.1 form, whose digest and mask generation function are named by child elements
	// (SHA-1 when absent).
	RSAOAEPMGF1P = xencNS + "rsa-oaep-mgf1p"
	RSAOAEP      = xenc11NS + "rsa-oaep"

	// DigestSHA1, DigestSHA256 and DigestSHA512 name the OAEP digest (ds:DigestMethod).
	DigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	DigestSHA256 = xencNS + "sha256"
	DigestSHA512 = xencNS + "sha512"
	// MGF1SHA1, MGF1SHA256 and MGF1SHA512 name the mask generation function (xenc11:MGF).
	MGF1SHA1   = xenc11NS + "mgf1sha1"
	MGF1SHA256 = xenc11NS + "mgf1sha256"
	MGF1SHA512 = xenc11NS + "mgf1sha512"
)

// Messages of decryption refusals.
const (
	// MsgDecrypt is the refusal of an encrypted assertion that none of the provider's keys opens.
	MsgDecrypt = "Failed to decrypt the SAML assertion"
	// MsgNotEncrypted is the refusal of a plain assertion when the provider requires encryption.
	MsgNotEncrypted = "The SAML assertion must be encrypted"
)

// blockCipher describes an EncryptedData algorithm: its key size and whether it is GCM.
type blockCipher struct {
	keySize int
	gcm     bool
}

var blockCiphers = map[string]blockCipher{
	AES128CBC: {16, false},
	AES256CBC: {32, false},
	AES128GCM: {16, true},
	AES256GCM: {32, true},
}

// DecryptAssertion opens an EncryptedAssertion element with the first of keys that unwraps one of
// its EncryptedKeys (found in the EncryptedData's KeyInfo or beside the EncryptedData) and returns
// the decrypted saml:Assertion element. The element is not yet attached to any document; the
// caller puts it where the EncryptedAssertion was so that namespace prefixes declared on the
// Response resolve. Refusals are *Error values of kind KindInvalid with message MsgDecrypt.
func DecryptAssertion(ea *etree.Element, keys []*rsa.PrivateKey) (*etree.Element, error) {
	plain, err := decryptElement(ea, keys)
	if err != nil {
		return nil, invalid(MsgDecrypt, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(plain); err != nil {
		return nil, invalid(MsgDecrypt, err)
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return nil, invalid(MsgDecrypt, errors.New("DOCTYPE not allowed"))
		}
	}
	el := doc.Root()
	if el == nil || el.Tag != "Assertion" {
		return nil, invalid(MsgDecrypt, errors.New("decrypted content is not an Assertion"))
	}
	doc.RemoveChild(el)
	return el, nil
}

// decryptElement returns the plaintext of the EncryptedData under ea.
func decryptElement(ea *etree.Element, keys []*rsa.PrivateKey) ([]byte, error) {
	ed := child(ea, xencNS, "EncryptedData")
	if ed == nil {
		return nil, errors.New("no EncryptedData")
	}
	alg := algorithm(child(ed, xencNS, "EncryptionMethod"))
	bc, ok := blockCiphers[alg]
	if !ok {
		return nil, errors.New("unsupported data encryption algorithm " + alg)
	}
	ct, err := cipherValue(ed)
	if err != nil {
		return nil, err
	}
	eks := children(child(ed, dsig.Namespace, "KeyInfo"), xencNS, "EncryptedKey")
	eks = append(eks, children(ea, xencNS, "EncryptedKey")...)
	if len(eks) == 0 {
		return nil, errors.New("no EncryptedKey")
	}
	if len(keys) == 0 {
		return nil, errors.New("the provider has no private key")
	}
	var last error = errors.New("no private key opens the EncryptedKey")
	for _, ek := range eks {
		for _, k := range keys {
			cek, err := unwrapKey(ek, k)
			if err != nil {
				last = err
				continue
			}
			if len(cek) != bc.keySize {
				last = errors.New("content encryption key has the wrong size")
				continue
			}
			return decryptData(bc, cek, ct)
		}
	}
	return nil, last
}

// cipherValue reads CipherData/CipherValue (base64).
func cipherValue(el *etree.Element) ([]byte, error) {
	cv := child(child(el, xencNS, "CipherData"), xencNS, "CipherValue")
	if cv == nil {
		return nil, errors.New("no CipherData/CipherValue")
	}
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(cv.Text()), ""))
}

// oaepDigests and oaepMGFs map the names of RSA-OAEP's digest and mask generation function to
// hashes; absent elements mean SHA-1.
var (
	oaepDigests = map[string]crypto.Hash{"": crypto.SHA1, DigestSHA1: crypto.SHA1, DigestSHA256: crypto.SHA256, DigestSHA512: crypto.SHA512}
	oaepMGFs    = map[string]crypto.Hash{"": crypto.SHA1, MGF1SHA1: crypto.SHA1, MGF1SHA256: crypto.SHA256, MGF1SHA512: crypto.SHA512}
)

// unwrapKey decrypts an EncryptedKey's content encryption key with RSA-OAEP.
func unwrapKey(ek *etree.Element, k *rsa.PrivateKey) ([]byte, error) {
	m := child(ek, xencNS, "EncryptionMethod")
	opts := &rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}
	switch alg := algorithm(m); alg {
	case RSAOAEPMGF1P:
		if d := child(m, dsig.Namespace, "DigestMethod"); d != nil && algorithm(d) != DigestSHA1 {
			return nil, errors.New("rsa-oaep-mgf1p allows only the SHA-1 digest")
		}
	case RSAOAEP:
		var ok bool
		if opts.Hash, ok = oaepDigests[algorithm(child(m, dsig.Namespace, "DigestMethod"))]; !ok {
			return nil, errors.New("unsupported OAEP digest")
		}
		if opts.MGFHash, ok = oaepMGFs[algorithm(child(m, xenc11NS, "MGF"))]; !ok {
			return nil, errors.New("unsupported OAEP mask generation function")
		}
	default:
		return nil, errors.New("unsupported key transport algorithm " + alg)
	}
	if p := child(m, xencNS, "OAEPparams"); p != nil {
		var err error
		if opts.Label, err = base64.StdEncoding.DecodeString(text(p)); err != nil {
			return nil, err
		}
	}
	if !opts.Hash.Available() || !opts.MGFHash.Available() {
		return nil, errors.New("OAEP hash not linked into the binary")
	}
	wrapped, err := cipherValue(ek)
	if err != nil {
		return nil, err
	}
	return k.Decrypt(nil, wrapped, opts)
}

// decryptData decrypts EncryptedData's cipher value: for CBC a 16-byte IV followed by blocks
// with XML Encryption padding (the last byte counts the padding bytes); for GCM a 12-byte IV
// followed by the ciphertext and a 16-byte tag.
func decryptData(bc blockCipher, key, ct []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if bc.gcm {
		g, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		if len(ct) < g.NonceSize()+g.Overhead() {
			return nil, errors.New("ciphertext too short")
		}
		return g.Open(nil, ct[:g.NonceSize()], ct[g.NonceSize():], nil)
	}
	if len(ct) < 2*aes.BlockSize || len(ct)%aes.BlockSize != 0 {
		return nil, errors.New("ciphertext is not a whole number of blocks")
	}
	out := make([]byte, len(ct)-aes.BlockSize)
	cipher.NewCBCDecrypter(b, ct[:aes.BlockSize]).CryptBlocks(out, ct[aes.BlockSize:])
	n := int(out[len(out)-1])
	if subtle.ConstantTimeLessOrEq(1, n)&subtle.ConstantTimeLessOrEq(n, aes.BlockSize) == 0 {
		return nil, errors.New("bad padding")
	}
	return out[:len(out)-n], nil
}

// algorithm is el's Algorithm attribute ("" if el is nil).
func algorithm(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue("Algorithm", "")
}
