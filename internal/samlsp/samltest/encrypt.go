package samltest

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/iamd-dev/iamd/internal/samlsp"
)

const xencNS = "http://www.w3.org/2001/04/xmlenc#"

// Encryption says how to encrypt an assertion for a service provider.
type Encryption struct {
	// Key is the service provider's public key.
	Key *rsa.PublicKey
	// Block is the EncryptedData algorithm (samlsp.AES128CBC, …); empty means AES256GCM.
	Block string
	// KeyTransport is samlsp.RSAOAEPMGF1P (the default when empty) or samlsp.RSAOAEP.
	KeyTransport string
	// Digest and MGF name RSAOAEP's digest and mask generation function (omitted when empty:
	// SHA-1).
	Digest, MGF string
	// KeyBeside puts the EncryptedKey beside the EncryptedData (in the EncryptedAssertion)
	// instead of inside the EncryptedData's KeyInfo.
	KeyBeside bool
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
}

// NewEncryptionKey makes a 2048-bit RSA key and returns it with its PKCS #8 PEM form (what
// CreateSAMLProvider's AddPrivateKey takes).
func NewEncryptionKey() (*rsa.PrivateKey, string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, "", err
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

var hashes = map[string]crypto.Hash{"": crypto.SHA1, samlsp.DigestSHA1: crypto.SHA1, samlsp.DigestSHA256: crypto.SHA256,
	samlsp.DigestSHA512: crypto.SHA512, samlsp.MGF1SHA1: crypto.SHA1, samlsp.MGF1SHA256: crypto.SHA256, samlsp.MGF1SHA512: crypto.SHA512}

// EncryptAssertion encrypts an Assertion element as XML Encryption describes and returns the
// saml:EncryptedAssertion that replaces it.
func EncryptAssertion(a *etree.Element, e Encryption) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.SetRoot(a.Copy())
	plain, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	return EncryptData(plain, e)
}

// EncryptData is EncryptAssertion for any plaintext (tests of what a decrypted assertion may
// not contain).
func EncryptData(plain []byte, e Encryption) (*etree.Element, error) {
	rnd := e.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if e.Block == "" {
		e.Block = samlsp.AES256GCM
	}
	if e.KeyTransport == "" {
		e.KeyTransport = samlsp.RSAOAEPMGF1P
	}
	size := map[string]int{samlsp.AES128CBC: 16, samlsp.AES256CBC: 32, samlsp.AES128GCM: 16, samlsp.AES256GCM: 32}[e.Block]
	if size == 0 {
		size = 16 // an unknown algorithm: encrypt with AES-128-GCM and name it anyway
	}
	cek := make([]byte, size)
	if _, err := io.ReadFull(rnd, cek); err != nil {
		return nil, err
	}
	ct, err := seal(e.Block, cek, plain, rnd)
	if err != nil {
		return nil, err
	}
	h, mgf := hashes[e.Digest], hashes[e.MGF]
	if h == 0 || mgf == 0 { // an unknown name: encrypt with SHA-1 and name it anyway
		h, mgf = crypto.SHA1, crypto.SHA1
	}
	wrapped, err := rsa.EncryptOAEPWithOptions(rnd, e.Key, cek, &rsa.OAEPOptions{Hash: h, MGFHash: mgf})
	if err != nil {
		return nil, err
	}

	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	ed := ea.CreateElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", xencNS)
	ed.CreateAttr("Type", xencNS+"Element")
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", e.Block)
	ki := ed.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", dsig.Namespace)
	var ek *etree.Element
	if e.KeyBeside {
		ek = ea.CreateElement("xenc:EncryptedKey")
		ek.CreateAttr("xmlns:xenc", xencNS)
	} else {
		ek = ki.CreateElement("xenc:EncryptedKey")
	}
	em := ek.CreateElement("xenc:EncryptionMethod")
	em.CreateAttr("Algorithm", e.KeyTransport)
	if e.Digest != "" {
		dm := em.CreateElement("ds:DigestMethod")
		dm.CreateAttr("xmlns:ds", dsig.Namespace)
		dm.CreateAttr("Algorithm", e.Digest)
	}
	if e.MGF != "" {
		m := em.CreateElement("xenc11:MGF")
		m.CreateAttr("xmlns:xenc11", "http://www.w3.org/2009/xmlenc11#")
		m.CreateAttr("Algorithm", e.MGF)
	}
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(wrapped))
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(ct))
	return ea, nil
}

// seal encrypts plain: CBC with a random IV and XML Encryption padding, or GCM with a random
// 12-byte IV; the IV comes first.
func seal(alg string, key, plain []byte, rnd io.Reader) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	switch alg {
	case samlsp.AES128CBC, samlsp.AES256CBC:
		n := aes.BlockSize - len(plain)%aes.BlockSize
		padded := append(append([]byte{}, plain...), make([]byte, n)...)
		padded[len(padded)-1] = byte(n)
		out := make([]byte, aes.BlockSize+len(padded))
		if _, err := io.ReadFull(rnd, out[:aes.BlockSize]); err != nil {
			return nil, err
		}
		cipher.NewCBCEncrypter(b, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], padded)
		return out, nil
	default:
		g, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		iv := make([]byte, g.NonceSize())
		if _, err := io.ReadFull(rnd, iv); err != nil {
			return nil, err
		}
		return g.Seal(iv, iv, plain, nil), nil
	}
}
