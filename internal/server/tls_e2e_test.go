package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns their paths and a pool
// trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iamd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS: with --tls-cert/--tls-key the API is served over HTTPS, aws:SecureTransport is true
// and audit records carry tlsDetails.
func TestTLS(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	certFile, keyFile, pool := selfSigned(t)
	cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	srv := start(t, cfg)
	if !strings.HasPrefix(srv.Endpoint(), "https://") {
		t.Fatalf("endpoint = %s", srv.Endpoint())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	conf := func(id, secret string) aws.Config {
		c := awsConfig(srv.Endpoint(), id, secret, "")
		c.HTTPClient = client
		return c
	}
	root := iam.NewFromConfig(conf(rootKey, rootSecret))
	must[*iam.CreateUserOutput](t, "CreateUser over TLS")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tess")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("tess"), PolicyName: aws.String("tls-only"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("tess")}))
	tess := iam.NewFromConfig(conf(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)))
	must[*iam.GetUserOutput](t, "GetUser requiring aws:SecureTransport")(tess.GetUser(ctx, &iam.GetUserInput{}))
	must[*sts.GetCallerIdentityOutput](t, "STS over TLS")(sts.NewFromConfig(conf(rootKey, rootSecret)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	evs, err := srv.Store().Chain(ctx, 0, 1000)
	if err != nil || len(evs) == 0 {
		t.Fatalf("trail: %d records, %v", len(evs), err)
	}
	var rec struct {
		TLSDetails struct{ TLSVersion, CipherSuite, ClientProvidedHostHeader string } `json:"tlsDetails"`
	}
	if err := json.Unmarshal(evs[0].Record, &rec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.TLSDetails.TLSVersion, "TLSv1.") || rec.TLSDetails.CipherSuite == "" || rec.TLSDetails.ClientProvidedHostHeader == "" {
		t.Errorf("tlsDetails = %+v", rec.TLSDetails)
	}
}
