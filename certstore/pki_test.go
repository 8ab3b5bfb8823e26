package certstore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Test PKIs are made at test time; nothing here is a real person's data.

type testCert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

func randomSerial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type certSpec struct {
	CN        string
	CA        bool
	NotBefore time.Time
	NotAfter  time.Time
	RSA       bool
}

func makeCert(t testing.TB, spec certSpec, parent *testCert) *testCert {
	t.Helper()
	var key crypto.Signer
	var err error
	if spec.RSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	if spec.NotBefore.IsZero() {
		spec.NotBefore = time.Now().Add(-time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(t),
		Subject:               pkix.Name{CommonName: spec.CN, Country: []string{"RU"}},
		NotBefore:             spec.NotBefore,
		NotAfter:              spec.NotAfter,
		BasicConstraintsValid: true,
		IsCA:                  spec.CA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	if spec.CA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{Cert: c, Key: key}
}

// testChain is root → intermediate → leaf.
type testChain struct{ Root, CA, Leaf *testCert }

func makeChain(t testing.TB, leafCN string, rsaLeaf bool) *testChain {
	root := makeCert(t, certSpec{CN: "Test Root CA", CA: true}, nil)
	ca := makeCert(t, certSpec{CN: "Test Issuing CA", CA: true}, root)
	leaf := makeCert(t, certSpec{CN: leafCN, RSA: rsaLeaf}, ca)
	return &testChain{Root: root, CA: ca, Leaf: leaf}
}

func (c *testChain) pfx(t testing.TB, enc *pkcs12.Encoder, password string) []byte {
	t.Helper()
	data, err := enc.Encode(c.Leaf.Key, c.Leaf.Cert, []*x509.Certificate{c.CA.Cert, c.Root.Cert}, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newMemKeyring is an in-memory keyring for tests of the store's own logic;
// the real Secret Service is exercised by TestOSKeyring.
func newMemKeyring() *MemoryKeyring { return &MemoryKeyring{} }

func openTestStore(t testing.TB, kr Keyring) *Store {
	t.Helper()
	if kr == nil {
		kr = newMemKeyring()
	}
	s, err := Open(Options{Dir: filepath.Join(t.TempDir(), "store"), Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fixedPassword(pw string) PasswordFunc {
	return func(PasswordRequest) (string, error) { return pw, nil }
}
