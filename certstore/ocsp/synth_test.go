package ocsp_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/certstore/oid"
)

// Object identifiers the hand-built responses need (RFC 6960 4.4).
var (
	oidBasic    = oid.OCSPBasicResponse
	oidECDSA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// goPKI is an ECDSA CA made with crypto/x509 and what the hand-built
// responses need: quick, and free to set any time or extension.
type goPKI struct {
	caKey  *ecdsa.PrivateKey
	ca     *cert.Certificate
	caX509 *x509.Certificate
	leaf   *cert.Certificate
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func parsed(t testing.TB, der []byte) *cert.Certificate {
	t.Helper()
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newGoPKI(t testing.TB, name string) *goPKI {
	t.Helper()
	p := &goPKI{caKey: newKey(t)}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name, Country: []string{"RU"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, p.caKey.Public(), p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.caX509, _ = x509.ParseCertificate(der)
	p.ca = parsed(t, der)
	p.leaf = p.issue(t, leafTemplate(big.NewInt(0x4242)), newKey(t).Public())
	return p
}

func leafTemplate(serial *big.Int) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "leaf " + serial.Text(16)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// issue makes a certificate of tmpl signed by the CA.
func (p *goPKI) issue(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey) *cert.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caX509, pub, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return parsed(t, der)
}

// responderTemplate is a delegated responder's certificate: EKU
// OCSPSigning and id-pkix-ocsp-nocheck, valid from notBefore to notAfter.
func responderTemplate(name string, notBefore, notAfter time.Time, eku bool, critical []pkix.Extension) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(time.Now().UnixNano()),
		Subject:         pkix.Name{CommonName: name},
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: append([]pkix.Extension{{Id: oid.OCSPNoCheck, Value: []byte{0x05, 0x00}}}, critical...),
	}
	if eku {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	return tmpl
}

// single is one SingleResponse of a hand-built response.
type single struct {
	id                     ocsp.CertID
	status                 ocsp.CertStatus
	revokedAt              time.Time
	reason                 int // -1: none
	thisUpdate, nextUpdate time.Time
}

// response is a hand-built BasicOCSPResponse, signed with ECDSA-SHA256.
type response struct {
	signer     crypto.Signer
	signerCert *cert.Certificate // names the responder (byName or byKey)
	byKey      bool
	producedAt time.Time
	singles    []single
	nonceExt   []byte // extnValue of the nonce extension; nil: none
	certs      []*cert.Certificate
}

func (r response) tbs() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if r.byKey {
			sum := sha1.Sum(r.signerCert.PublicKey)
			b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(sum[:]) })
		} else {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(r.signerCert.RawSubject) })
		}
		b.AddASN1GeneralizedTime(r.producedAt.UTC())
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range r.singles {
				addSingle(b, s)
			}
		})
		if r.nonceExt != nil {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oid.OCSPNonce)
						b.AddASN1OctetString(r.nonceExt)
					})
				})
			})
		}
	})
	return b.BytesOrPanic()
}

func addSingle(b *cryptobyte.Builder, s single) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(s.id.HashAlgorithm)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(s.id.IssuerNameHash)
			b.AddASN1OctetString(s.id.IssuerKeyHash)
			b.AddASN1BigInt(s.id.SerialNumber)
		})
		switch s.status {
		case ocsp.Good:
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
		case ocsp.Unknown:
			b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
		case ocsp.Revoked:
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1GeneralizedTime(s.revokedAt.UTC())
				if s.reason >= 0 {
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1Enum(int64(s.reason))
					})
				}
			})
		}
		b.AddASN1GeneralizedTime(s.thisUpdate.UTC())
		if !s.nextUpdate.IsZero() {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1GeneralizedTime(s.nextUpdate.UTC())
			})
		}
	})
}

// der signs the response and wraps it in an OCSPResponse.
func (r response) der(t testing.TB) []byte {
	t.Helper()
	tbs := r.tbs()
	digest := sha256.Sum256(tbs)
	sig, err := r.signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return wrapBasic(tbs, oidECDSA256, sig, r.certs)
}

// wrapBasic assembles a successful OCSPResponse around tbs.
func wrapBasic(tbs []byte, sigAlg asn1.ObjectIdentifier, sig []byte, certs []*cert.Certificate) []byte {
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(sigAlg) })
		b.AddASN1BitString(sig)
		if len(certs) > 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c.Raw)
					}
				})
			})
		}
	})
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidBasic)
				b.AddASN1OctetString(basic.BytesOrPanic())
			})
		})
	})
	return out.BytesOrPanic()
}

// octetString is the DER of an OCTET STRING holding b: the nonce
// extnValue as RFC 8954 wants it.
func octetString(b []byte) []byte {
	var out cryptobyte.Builder
	out.AddASN1OctetString(b)
	return out.BytesOrPanic()
}

// goodFor is a "good" answer about req's certificate, current now.
func goodFor(req *ocsp.Request, now time.Time) single {
	return single{id: req.CertID, status: ocsp.Good, reason: -1, thisUpdate: now.Add(-time.Minute), nextUpdate: now.Add(time.Hour)}
}

// byCA is a response signed by the CA itself about req, with req's nonce.
func (p *goPKI) byCA(req *ocsp.Request, now time.Time) response {
	r := response{signer: p.caKey, signerCert: p.ca, producedAt: now, singles: []single{goodFor(req, now)}}
	if req.Nonce != nil {
		r.nonceExt = octetString(req.Nonce)
	}
	return r
}

func mustRequest(t testing.TB, leaf, issuer *cert.Certificate, nonce []byte) *ocsp.Request {
	t.Helper()
	req, err := ocsp.NewRequest(leaf, issuer, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func mustParse(t testing.TB, der []byte) *ocsp.Response {
	t.Helper()
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
