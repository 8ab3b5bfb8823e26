package diagnose

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testPKI is a root, an intermediate and a leaf made at test time.
type testPKI struct {
	root, inter, leaf *x509.Certificate
	leafKey           crypto.Signer
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestPKI(t testing.TB, leafCN string) *testPKI {
	t.Helper()
	rootKey, interKey, leafKey := newKey(t), newKey(t), newKey(t)
	ca := func(serial int64, cn string) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: testNow.AddDate(-5, 0, 0), NotAfter: testNow.AddDate(5, 0, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
	}
	p := &testPKI{leafKey: leafKey}
	rootTmpl := ca(1, "Diag Root")
	p.root = issue(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	p.inter = issue(t, ca(2, "Diag Intermediate"), p.root, interKey.Public(), rootKey)
	p.leaf = issue(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x1234abcd), Subject: pkix.Name{CommonName: leafCN},
		NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}, p.inter, leafKey.Public(), interKey)
	return p
}

func pemCerts(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

func bareBase64(der []byte) []byte {
	s := base64.StdEncoding.EncodeToString(der)
	var b bytes.Buffer
	for len(s) > 64 {
		b.WriteString(s[:64] + "\r\n")
		s = s[64:]
	}
	b.WriteString(s + "\r\n")
	return b.Bytes()
}

var (
	oidSignedDataTest = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	oidDataTest       = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}
)

// signedData builds a ContentInfo SignedData with the certificates and, if
// withSigner, one (dummy) SignerInfo: enough to tell a signature from a
// bundle, which is all Open does with it.
func signedData(t testing.TB, withSigner bool, certs ...*x509.Certificate) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(ci *cryptobyte.Builder) {
		ci.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(o *cryptobyte.Builder) { o.AddBytes(oidSignedDataTest) })
		ci.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(ex *cryptobyte.Builder) {
			ex.AddASN1(cbasn1.SEQUENCE, func(sd *cryptobyte.Builder) {
				sd.AddASN1Int64(1)
				sd.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
				sd.AddASN1(cbasn1.SEQUENCE, func(eci *cryptobyte.Builder) {
					eci.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(o *cryptobyte.Builder) { o.AddBytes(oidDataTest) })
				})
				if len(certs) > 0 {
					sd.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(cs *cryptobyte.Builder) {
						for _, c := range certs {
							cs.AddBytes(c.Raw)
						}
					})
				}
				sd.AddASN1(cbasn1.SET, func(sis *cryptobyte.Builder) {
					if withSigner {
						sis.AddASN1(cbasn1.SEQUENCE, func(si *cryptobyte.Builder) { si.AddASN1Int64(1) })
					}
				})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// berIndefinite re-wraps a ContentInfo's outer SEQUENCE with an
// indefinite length, as streaming signers write it.
func berIndefinite(t testing.TB, der []byte) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("not a SEQUENCE")
	}
	out := append([]byte{0x30, 0x80}, body...)
	return append(out, 0, 0)
}
