package validate_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/testenv"
)

// The quirks of published Russian CA certificates (DESIGN "Certificates are
// parsed tolerantly") in chains built here byte by byte, since no
// certificate tool writes them: each chain is checked by Verify and by
// `openssl verify -engine gost`, and every difference is explained.

// quirkKey signs the test certificates.
type quirkKey struct {
	algID []byte // the AlgorithmIdentifier of its signatures
	spki  []byte // its SubjectPublicKeyInfo
	sign  func(t *testing.T, tbs []byte) []byte
}

// keyID is the key identifier its certificates carry (SKI and AKI).
func (k *quirkKey) keyID() []byte {
	sum := sha1.Sum(k.spki)
	return sum[:]
}

func quirkAlgID(id asn1.ObjectIdentifier, nullParams bool) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(id)
			if nullParams {
				b.AddASN1NULL()
			}
		})
	})
}

func gost2012QuirkKey(t *testing.T, curve *gost3410.Curve) *quirkKey {
	t.Helper()
	priv, err := gost3410.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := gost3410.MarshalSPKI(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	digest, sigOID := oid.Streebog256, oid.GOST2012_256Streebog
	if curve.Size() == 64 {
		digest, sigOID = oid.Streebog512, oid.GOST2012_512Streebog
	}
	return &quirkKey{algID: quirkAlgID(sigOID, false), spki: spki, sign: func(t *testing.T, tbs []byte) []byte {
		sum, err := sigalg.Sum(digest, tbs)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := sigalg.Sign(rand.Reader, priv, digest, sum)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}}
}

func rsaQuirkKey(t *testing.T) *quirkKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &quirkKey{algID: quirkAlgID(oid.SHA256WithRSA, true), spki: spki, sign: func(t *testing.T, tbs []byte) []byte {
		sum, _ := sigalg.Sum(oid.SHA256, tbs)
		sig, err := sigalg.Sign(rand.Reader, priv, oid.SHA256, sum)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}}
}

func ecdsaQuirkKey(t *testing.T) *quirkKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &quirkKey{algID: quirkAlgID(oid.ECDSAWithSHA256, false), spki: spki, sign: func(t *testing.T, tbs []byte) []byte {
		sum, _ := sigalg.Sum(oid.SHA256, tbs)
		sig, err := sigalg.Sign(rand.Reader, priv, oid.SHA256, sum)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}}
}

// gost2001QuirkKey is a GOST R 34.10-2001 key made and used by OpenSSL's
// gost engine: Podpis only verifies 2001 signatures. The digest is
// Podpis's own GOST R 34.11-94, so the chain also checks that the two
// hashes agree.
func gost2001QuirkKey(t *testing.T) *quirkKey {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pem")
	run := func(args ...string) []byte {
		out, err := exec.Command(openssl, args...).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	run("genpkey", "-engine", "gost", "-algorithm", "gost2001", "-pkeyopt", "paramset:A", "-out", keyFile)
	spki := run("pkey", "-engine", "gost", "-in", keyFile, "-pubout", "-outform", "DER")
	return &quirkKey{algID: quirkAlgID(oid.GOST2001WithGOST3411_94, false), spki: spki, sign: func(t *testing.T, tbs []byte) []byte {
		sum, err := sigalg.Sum(oid.GOST3411_94, tbs)
		if err != nil {
			t.Fatal(err)
		}
		in := filepath.Join(dir, "digest")
		if err := os.WriteFile(in, sum, 0o600); err != nil {
			t.Fatal(err)
		}
		return run("pkeyutl", "-engine", "gost", "-sign", "-inkey", keyFile, "-in", in)
	}}
}

func quirkDER(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

// quirkAttr is one attribute of a distinguished name: a string of the
// given tag, or raw, a whole value element (a non-string value).
type quirkAttr struct {
	id    asn1.ObjectIdentifier
	tag   cbasn1.Tag
	value string
	raw   []byte
}

func utf8Attr(id asn1.ObjectIdentifier, v string) quirkAttr {
	return quirkAttr{id: id, tag: cbasn1.UTF8String, value: v}
}
func printableAttr(id asn1.ObjectIdentifier, v string) quirkAttr {
	return quirkAttr{id: id, tag: cbasn1.PrintableString, value: v}
}
func numericAttr(id asn1.ObjectIdentifier, v string) quirkAttr {
	return quirkAttr{id: id, tag: cbasn1.Tag(18), value: v}
}

// bmpAttr is a BMPString (UTF-16BE), which old CryptoPro CAs wrote.
func bmpAttr(id asn1.ObjectIdentifier, v string) quirkAttr {
	var b []byte
	for _, u := range utf16.Encode([]rune(v)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return quirkAttr{id: id, raw: quirkDER(func(bb *cryptobyte.Builder) {
		bb.AddASN1(cbasn1.Tag(30), func(bb *cryptobyte.Builder) { bb.AddBytes(b) })
	})}
}

// quirkName is a Name with one attribute per RDN.
func quirkName(attrs ...quirkAttr) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, a := range attrs {
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(a.id)
						if a.raw != nil {
							b.AddBytes(a.raw)
							return
						}
						b.AddASN1(a.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.value)) })
					})
				})
			}
		})
	})
}

// BOOLEAN contents: DER's TRUE and FALSE, and the TRUE some CAs write.
var (
	boolTrue   = []byte{0xff}
	boolFalse  = []byte{0x00}
	boolTrue01 = []byte{0x01}
)

// quirkExt is an Extension; critical nil leaves the field out (DER's
// DEFAULT FALSE), otherwise it is written with those BOOLEAN contents.
func quirkExt(id asn1.ObjectIdentifier, critical, value []byte) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(id)
			if critical != nil {
				b.AddASN1(cbasn1.BOOLEAN, func(b *cryptobyte.Builder) { b.AddBytes(critical) })
			}
			b.AddASN1OctetString(value)
		})
	})
}

func basicConstraintsValue(cA []byte) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.BOOLEAN, func(b *cryptobyte.Builder) { b.AddBytes(cA) })
		})
	})
}

// keyUsage BIT STRINGs: keyCertSign+cRLSign, digitalSignature+nonRepudiation.
var (
	kuCA   = []byte{0x03, 0x02, 0x01, 0x06}
	kuSign = []byte{0x03, 0x02, 0x06, 0xc0}
)

func skiValue(k *quirkKey) []byte {
	return quirkDER(func(b *cryptobyte.Builder) { b.AddASN1OctetString(k.keyID()) })
}

// akiValue is { keyIdentifier } or, with issuerName, also
// { authorityCertIssuer, authorityCertSerialNumber }.
func akiValue(k *quirkKey, issuerName []byte, serial int64) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(k.keyID()) })
			if issuerName != nil {
				b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(4).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(issuerName) })
				})
				// [2] IMPLICIT INTEGER: the INTEGER's contents under the context tag.
				integer := cryptobyte.String(quirkDER(func(b *cryptobyte.Builder) { b.AddASN1Int64(serial) }))
				var contents cryptobyte.String
				integer.ReadASN1(&contents, cbasn1.INTEGER)
				b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(contents) })
			}
		})
	})
}

// pkupValue is a PrivateKeyUsagePeriod with the GeneralizedTime texts given
// as they are (fractional seconds included).
func pkupValue(notBefore, notAfter string) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(notBefore)) })
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(notAfter)) })
		})
	})
}

func gtime(t time.Time, fraction string) string {
	return t.UTC().Format("20060102150405") + fraction + "Z"
}

func policiesValue(ids ...asn1.ObjectIdentifier) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, id := range ids {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(id) })
			}
		})
	})
}

func utf8Value(s string) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	})
}

func issuerSignToolValue(tools ...string) []byte {
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range tools {
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
			}
		})
	})
}

// quirkCert is the content of one certificate to mint.
type quirkCert struct {
	version             int // 3 when 0; 1 writes no version and no extensions
	serial              int64
	issuer, subject     []byte
	key, signer         *quirkKey
	notBefore, notAfter time.Time
	exts                [][]byte
}

// mint writes the TBSCertificate, signs it with the signer's key and
// returns the certificate's DER.
func (q quirkCert) mint(t *testing.T) []byte {
	t.Helper()
	tbs := quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if q.version != 1 {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
			}
			b.AddASN1Int64(q.serial)
			b.AddBytes(q.signer.algID)
			b.AddBytes(q.issuer)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1UTCTime(q.notBefore.UTC())
				b.AddASN1UTCTime(q.notAfter.UTC())
			})
			b.AddBytes(q.subject)
			b.AddBytes(q.key.spki)
			if q.version != 1 && len(q.exts) > 0 {
				b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, e := range q.exts {
							b.AddBytes(e)
						}
					})
				})
			}
		})
	})
	sig := q.signer.sign(t, tbs)
	return quirkDER(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(tbs)
			b.AddBytes(q.signer.algID)
			b.AddASN1BitString(sig)
		})
	})
}

// quirkPKI holds the keys, names and times the cases share.
type quirkPKI struct {
	base                     time.Time // the time judged at
	rootKey, rootKey2, caKey *quirkKey // GOST 2012-256
	leafKey                  *quirkKey // GOST 2012-512
	rootName, caName         []byte
}

func newQuirkPKI(t *testing.T) *quirkPKI {
	return &quirkPKI{
		base:     time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
		rootKey:  gost2012QuirkKey(t, gost3410.CurveCryptoProA()),
		rootKey2: gost2012QuirkKey(t, gost3410.CurveCryptoProA()),
		caKey:    gost2012QuirkKey(t, gost3410.CurveCryptoProB()),
		leafKey:  gost2012QuirkKey(t, gost3410.CurveTC26_512A()),
		rootName: quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "Тестовое министерство"),
			utf8Attr(oid.CommonName, "Тестовый головной УЦ")),
		caName: quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "ООО «Тестовый УЦ»"),
			utf8Attr(oid.CommonName, "Тестовый УЦ")),
	}
}

var leafName = quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.CommonName, "Иванов Иван Иванович"))

// Validity of the three levels around base.
func (p *quirkPKI) rootSpan() (time.Time, time.Time) {
	return p.base.AddDate(-2, 0, 0), p.base.AddDate(10, 0, 0)
}
func (p *quirkPKI) caSpan() (time.Time, time.Time) {
	return p.base.AddDate(-1, 0, 0), p.base.AddDate(5, 0, 0)
}
func (p *quirkPKI) leafSpan() (time.Time, time.Time) {
	return p.base.AddDate(0, -1, 0), p.base.AddDate(1, 0, 0)
}

// caExts are a CA certificate's usual extensions; aki nil leaves AKI out.
func caExts(subject *quirkKey, aki []byte) [][]byte {
	exts := [][]byte{
		quirkExt(oid.ExtBasicConstraints, boolTrue, basicConstraintsValue(boolTrue)),
		quirkExt(oid.ExtKeyUsage, boolTrue, kuCA),
		quirkExt(oid.ExtSubjectKeyID, nil, skiValue(subject)),
	}
	if aki != nil {
		exts = append(exts, quirkExt(oid.ExtAuthorityKeyID, nil, aki))
	}
	return exts
}

// leafExts are a signer's certificate's usual extensions, with a
// PrivateKeyUsagePeriod of the first ten months.
func (p *quirkPKI) leafExts(subject *quirkKey, aki []byte) [][]byte {
	from, _ := p.leafSpan()
	exts := [][]byte{
		quirkExt(oid.ExtKeyUsage, boolTrue, kuSign),
		quirkExt(oid.ExtSubjectKeyID, nil, skiValue(subject)),
		quirkExt(oid.ExtPrivateKeyUsagePeriod, nil, pkupValue(gtime(from, ""), gtime(from.AddDate(0, 10, 0), ""))),
	}
	if aki != nil {
		exts = append(exts, quirkExt(oid.ExtAuthorityKeyID, nil, aki))
	}
	return exts
}

// quirkChain is what a case builds: trusted roots (in CAfile order),
// intermediates and the certificate checked.
type quirkChain struct {
	roots, intermediates [][]byte
	leaf                 []byte
	// at overrides the time judged at (pki.base).
	at time.Time
}

// standard builds root → CA → leaf from the certificates given, each
// defaulting to the usual one.
func (p *quirkPKI) standard(t *testing.T, root, ca, leaf *quirkCert) quirkChain {
	t.Helper()
	rf, rt := p.rootSpan()
	cf, ct := p.caSpan()
	lf, lt := p.leafSpan()
	if root == nil {
		root = &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey,
			notBefore: rf, notAfter: rt, exts: caExts(p.rootKey, nil)}
	}
	if ca == nil {
		ca = &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey,
			notBefore: cf, notAfter: ct, exts: caExts(p.caKey, akiValue(p.rootKey, nil, 0))}
	}
	if leaf == nil {
		leaf = &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey,
			notBefore: lf, notAfter: lt, exts: p.leafExts(p.leafKey, akiValue(p.caKey, nil, 0))}
	}
	return quirkChain{roots: [][]byte{root.mint(t)}, intermediates: [][]byte{ca.mint(t)}, leaf: leaf.mint(t)}
}

// quirkCase is one chain and both verdicts on it.
type quirkCase struct {
	name  string
	build func(t *testing.T, p *quirkPKI) quirkChain
	// problem is the error problem Verify must report; "" means valid.
	problem string
	// openssl is `openssl verify -engine gost`'s verdict: "OK" or "error N".
	openssl string
	// disagree says why Podpis and OpenSSL differ; "" when they agree.
	disagree string
}

func quirkCases() []quirkCase {
	return []quirkCase{
		{
			name: "basicConstraints cA written as BOOLEAN 01",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				cf, ct := p.caSpan()
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct,
					exts: [][]byte{
						quirkExt(oid.ExtBasicConstraints, boolTrue, basicConstraintsValue(boolTrue01)),
						quirkExt(oid.ExtKeyUsage, boolTrue, kuCA),
						quirkExt(oid.ExtSubjectKeyID, nil, skiValue(p.caKey)),
						quirkExt(oid.ExtAuthorityKeyID, nil, akiValue(p.rootKey, nil, 0)),
					}}
				return p.standard(t, nil, ca, nil)
			},
			openssl: "OK",
		},
		{
			name: "cA and critical both BOOLEAN 01, in the root too",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				rf, rt := p.rootSpan()
				cf, ct := p.caSpan()
				exts := func(k *quirkKey, aki []byte) [][]byte {
					e := [][]byte{
						quirkExt(oid.ExtBasicConstraints, boolTrue01, basicConstraintsValue(boolTrue01)),
						quirkExt(oid.ExtKeyUsage, boolTrue01, kuCA),
						quirkExt(oid.ExtSubjectKeyID, nil, skiValue(k)),
					}
					if aki != nil {
						e = append(e, quirkExt(oid.ExtAuthorityKeyID, nil, aki))
					}
					return e
				}
				root := &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt, exts: exts(p.rootKey, nil)}
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct, exts: exts(p.caKey, akiValue(p.rootKey, nil, 0))}
				return p.standard(t, root, ca, nil)
			},
			openssl: "OK",
		},
		{
			name: "explicit critical FALSE on every non-critical extension",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				rf, rt := p.rootSpan()
				cf, ct := p.caSpan()
				lf, lt := p.leafSpan()
				policies := policiesValue(asn1.ObjectIdentifier{1, 2, 643, 100, 113, 1})
				ca := func(k *quirkKey, aki []byte) [][]byte {
					e := [][]byte{
						quirkExt(oid.ExtBasicConstraints, boolTrue, basicConstraintsValue(boolTrue)),
						quirkExt(oid.ExtKeyUsage, boolTrue, kuCA),
						quirkExt(oid.ExtSubjectKeyID, boolFalse, skiValue(k)),
						quirkExt(oid.ExtCertificatePolicies, boolFalse, policies),
					}
					if aki != nil {
						e = append(e, quirkExt(oid.ExtAuthorityKeyID, boolFalse, aki))
					}
					return e
				}
				root := &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt, exts: ca(p.rootKey, nil)}
				mid := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct, exts: ca(p.caKey, akiValue(p.rootKey, nil, 0))}
				leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt,
					exts: [][]byte{
						quirkExt(oid.ExtKeyUsage, boolTrue, kuSign),
						quirkExt(oid.ExtSubjectKeyID, boolFalse, skiValue(p.leafKey)),
						quirkExt(oid.ExtAuthorityKeyID, boolFalse, akiValue(p.caKey, nil, 0)),
						quirkExt(oid.ExtCertificatePolicies, boolFalse, policies),
						quirkExt(oid.ExtPrivateKeyUsagePeriod, boolFalse, pkupValue(gtime(lf, ""), gtime(lt, ""))),
						quirkExt(oid.ExtSubjectSignTool, boolFalse, utf8Value("КриптоПро CSP")),
					}}
				return p.standard(t, root, mid, leaf)
			},
			openssl: "OK",
		},
		{
			name: "postalAddress of the CA's name as a SEQUENCE of strings",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				postal := quirkDER(func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, line := range []string{"125375", "г. Москва", "ул. Тверская, д. 7"} {
							b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(line)) })
						}
					})
				})
				name := quirkName(printableAttr(oid.Country, "RU"), quirkAttr{id: oid.PostalAddress, raw: postal},
					utf8Attr(oid.Organization, "ООО «Тестовый УЦ»"), utf8Attr(oid.CommonName, "Тестовый УЦ"))
				cf, ct := p.caSpan()
				lf, lt := p.leafSpan()
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: name, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct, exts: caExts(p.caKey, akiValue(p.rootKey, nil, 0))}
				leaf := &quirkCert{serial: 3, issuer: name, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt, exts: p.leafExts(p.leafKey, akiValue(p.caKey, nil, 0))}
				return p.standard(t, nil, ca, leaf)
			},
			openssl: "OK",
		},
		{
			name:    "PrivateKeyUsagePeriod with fractional seconds, inside it",
			build:   fractionalKeyPeriod(0),
			openssl: "OK",
		},
		{
			name:     "PrivateKeyUsagePeriod with fractional seconds, after it",
			build:    fractionalKeyPeriod(11),
			problem:  "key-period-expired",
			openssl:  "OK",
			disagree: "OpenSSL does not look at PrivateKeyUsagePeriod (2.5.29.16) at all; the issue asks for key-period-expired, the commonest silent failure of Russian certificates",
		},
		{
			name: "critical subjectSignTool and issuerSignTool",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				cf, ct := p.caSpan()
				lf, lt := p.leafSpan()
				tools := issuerSignToolValue("ПАКМ «КриптоПро HSM» версии 2.0", "ПАК «Головной удостоверяющий центр»",
					"Заключение № 149/3/2/2/23 от 02.03.2018", "Заключение № 149/7/6/105 от 27.06.2018")
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct,
					exts: append(caExts(p.caKey, akiValue(p.rootKey, nil, 0)),
						quirkExt(oid.ExtSubjectSignTool, boolTrue, utf8Value("ПАКМ «КриптоПро HSM» версии 2.0")),
						quirkExt(oid.ExtIssuerSignTool, boolTrue, tools))}
				leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt,
					exts: append(p.leafExts(p.leafKey, akiValue(p.caKey, nil, 0)),
						quirkExt(oid.ExtSubjectSignTool, boolTrue, utf8Value("СКЗИ «КриптоПро CSP» (версия 4.0)")),
						quirkExt(oid.ExtIssuerSignTool, boolTrue, tools))}
				return p.standard(t, nil, ca, leaf)
			},
			openssl: "error 34",
			disagree: "OpenSSL rejects any critical extension outside its fixed list (X509_supported_extension), " +
				"and the gost engine does not add subjectSignTool/issuerSignTool to it: \"unhandled critical " +
				"extension\". Podpis knows both (DESIGN: they are known to us, so they do not fail a chain)",
		},
		{
			name: "critical PrivateKeyUsagePeriod and authorityKeyIdentifier",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				lf, lt := p.leafSpan()
				leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt,
					exts: [][]byte{
						quirkExt(oid.ExtKeyUsage, boolTrue, kuSign),
						quirkExt(oid.ExtSubjectKeyID, nil, skiValue(p.leafKey)),
						quirkExt(oid.ExtAuthorityKeyID, boolTrue, akiValue(p.caKey, nil, 0)),
						quirkExt(oid.ExtPrivateKeyUsagePeriod, boolTrue, pkupValue(gtime(lf, ""), gtime(lf.AddDate(0, 10, 0), ""))),
					}}
				return p.standard(t, nil, nil, leaf)
			},
			openssl: "error 34",
			disagree: "OpenSSL's list of extensions it accepts as critical has neither authorityKeyIdentifier " +
				"nor subjectKeyIdentifier, authorityInfoAccess or PrivateKeyUsagePeriod; Podpis decodes and " +
				"uses all four, so they are not unknown to it",
		},
		{
			name: "GOST R 34.10-2001 with GOST R 34.11-94 throughout",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				root, ca, leaf := gost2001QuirkKey(t), gost2001QuirkKey(t), gost2001QuirkKey(t)
				return p.threeKeys(t, root, ca, leaf)
			},
			openssl: "OK",
		},
		{
			name: "a GOST 2001 root over GOST 2012 certificates (the 2012 ГУЦ root's era)",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				return p.threeKeys(t, gost2001QuirkKey(t), p.caKey, p.leafKey)
			},
			openssl: "OK",
		},
		{
			name: "RSA root, ECDSA CA, GOST 2012-512 signer",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				return p.threeKeys(t, rsaQuirkKey(t), ecdsaQuirkKey(t), p.leafKey)
			},
			openssl: "OK",
		},
		{
			name: "a root without subjectKeyIdentifier, children without authorityKeyIdentifier",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				rf, rt := p.rootSpan()
				cf, ct := p.caSpan()
				lf, lt := p.leafSpan()
				root := &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt,
					exts: [][]byte{quirkExt(oid.ExtBasicConstraints, boolTrue, basicConstraintsValue(boolTrue)), quirkExt(oid.ExtKeyUsage, boolTrue, kuCA)}}
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct, exts: caExts(p.caKey, nil)}
				leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt, exts: p.leafExts(p.leafKey, nil)}
				return p.standard(t, root, ca, leaf)
			},
			openssl: "OK",
		},
		{
			name: "a version 1 root (no extensions)",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				rf, rt := p.rootSpan()
				root := &quirkCert{version: 1, serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt}
				return p.standard(t, root, nil, nil)
			},
			openssl: "OK",
		},
		{
			name: "a version 1 intermediate",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				cf, ct := p.caSpan()
				ca := &quirkCert{version: 1, serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct}
				return p.standard(t, nil, ca, nil)
			},
			problem: "ca-constraints",
			openssl: "error 79",
		},
		{
			name: "issuer name in UTF8String, the root's subject in PrintableString",
			build: renamedIssuer(
				quirkName(printableAttr(oid.Country, "RU"), printableAttr(oid.Organization, "Test Ministry"), printableAttr(oid.CommonName, "Test Root CA")),
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "Test Ministry"), utf8Attr(oid.CommonName, "Test Root CA"))),
			openssl: "OK",
		},
		{
			name: "issuer name in UTF8String, the root's subject in BMPString",
			build: renamedIssuer(
				quirkName(printableAttr(oid.Country, "RU"), bmpAttr(oid.Organization, "Тестовое министерство"), bmpAttr(oid.CommonName, "Тестовый головной УЦ")),
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "Тестовое министерство"), utf8Attr(oid.CommonName, "Тестовый головной УЦ"))),
			openssl: "OK",
		},
		{
			name: "issuer name differing in Latin case and spaces",
			build: renamedIssuer(
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "Test Ministry"), utf8Attr(oid.CommonName, "Test Root CA")),
				quirkName(printableAttr(oid.Country, "ru"), utf8Attr(oid.Organization, "  TEST   ministry "), utf8Attr(oid.CommonName, "test root\tca"))),
			openssl: "OK",
		},
		{
			// OpenSSL's canonical name form (x509_name_canon) folds case only
			// in ASCII: Cyrillic letters of another case are another name.
			name: "issuer name differing in Cyrillic case",
			build: renamedIssuer(
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "Тестовое министерство"), utf8Attr(oid.CommonName, "Тестовый головной УЦ")),
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.Organization, "ТЕСТОВОЕ МИНИСТЕРСТВО"), utf8Attr(oid.CommonName, "ТЕСТОВЫЙ ГОЛОВНОЙ УЦ"))),
			problem: "chain-incomplete",
			openssl: "error 20",
		},
		{
			// ИНН and ОГРН are NumericString in Russian CA names. OpenSSL
			// converts only the text string types (Printable, UTF8, BMP,
			// Universal, T61, IA5, Visible) to a canonical UTF8String, so a
			// NumericString never equals the same digits in a UTF8String.
			name: "ИНН as NumericString in the root's subject, UTF8String in the issuer name",
			build: renamedIssuer(
				quirkName(printableAttr(oid.Country, "RU"), numericAttr(oid.INN, "007710474375"), utf8Attr(oid.CommonName, "Тестовый головной УЦ")),
				quirkName(printableAttr(oid.Country, "RU"), utf8Attr(oid.INN, "007710474375"), utf8Attr(oid.CommonName, "Тестовый головной УЦ"))),
			problem: "chain-incomplete",
			openssl: "error 20",
		},
		{
			name: "key rollover: two roots of one name, the CA certificate names its key",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				return p.rollover(t, akiValue(p.rootKey2, nil, 0))
			},
			openssl: "OK",
		},
		{
			name: "key rollover: two roots of one name, the CA certificate has no authorityKeyIdentifier",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				return p.rollover(t, nil)
			},
			openssl: "error 7",
			disagree: "OpenSSL 3.0 takes the first trusted certificate whose subject matches the issuer name " +
				"(X509_STORE_CTX_get1_issuer) without trying its key, so it checks the signature with the " +
				"old root's key: \"certificate signature failure\". Podpis tries every root of that name and " +
				"keeps the one whose key verifies the signature",
		},
		{
			name: "authorityKeyIdentifier names the issuer's key and an older certificate of it",
			build: func(t *testing.T, p *quirkPKI) quirkChain {
				cf, ct := p.caSpan()
				ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct,
					exts: caExts(p.caKey, akiValue(p.rootKey, p.rootName, 77))}
				return p.standard(t, nil, ca, nil)
			},
			openssl: "error 20",
			disagree: "the CA certificate's AKI gives the right key identifier but the serial number (77) of " +
				"another certificate of the same root key, as after a root is re-certified with the same " +
				"key; OpenSSL's X509_check_akid rejects the root on the serial and finds no issuer, Podpis " +
				"matches on the key identifier and the signature",
		},
	}
}

// threeKeys is root → CA → leaf with the keys given.
func (p *quirkPKI) threeKeys(t *testing.T, rootKey, caKey, leafKey *quirkKey) quirkChain {
	rf, rt := p.rootSpan()
	cf, ct := p.caSpan()
	lf, lt := p.leafSpan()
	root := &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: rootKey, signer: rootKey, notBefore: rf, notAfter: rt, exts: caExts(rootKey, nil)}
	ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: caKey, signer: rootKey, notBefore: cf, notAfter: ct, exts: caExts(caKey, akiValue(rootKey, nil, 0))}
	leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: leafKey, signer: caKey, notBefore: lf, notAfter: lt, exts: p.leafExts(leafKey, akiValue(caKey, nil, 0))}
	return p.standard(t, root, ca, leaf)
}

// rollover: the old root (rootKey) and the new one (rootKey2) have the
// same name; the CA certificate is signed by the new key, with aki (nil:
// none). The CAfile lists the old root first, as a store that has had it
// longer would.
func (p *quirkPKI) rollover(t *testing.T, aki []byte) quirkChain {
	rf, rt := p.rootSpan()
	cf, ct := p.caSpan()
	oldRoot := &quirkCert{serial: 1, issuer: p.rootName, subject: p.rootName, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt, exts: caExts(p.rootKey, nil)}
	newRoot := &quirkCert{serial: 10, issuer: p.rootName, subject: p.rootName, key: p.rootKey2, signer: p.rootKey2, notBefore: rf.AddDate(1, 0, 0), notAfter: rt, exts: caExts(p.rootKey2, nil)}
	ca := &quirkCert{serial: 2, issuer: p.rootName, subject: p.caName, key: p.caKey, signer: p.rootKey2, notBefore: cf, notAfter: ct, exts: caExts(p.caKey, aki)}
	ch := p.standard(t, oldRoot, ca, nil)
	ch.roots = append(ch.roots, newRoot.mint(t))
	return ch
}

// renamedIssuer: the root's subject is rootSubject; the CA certificate
// names its issuer issuerName, another encoding of (nearly) the same name.
func renamedIssuer(rootSubject, issuerName []byte) func(t *testing.T, p *quirkPKI) quirkChain {
	return func(t *testing.T, p *quirkPKI) quirkChain {
		rf, rt := p.rootSpan()
		cf, ct := p.caSpan()
		root := &quirkCert{serial: 1, issuer: rootSubject, subject: rootSubject, key: p.rootKey, signer: p.rootKey, notBefore: rf, notAfter: rt, exts: caExts(p.rootKey, nil)}
		// No AKI: the name alone links the CA certificate to the root.
		ca := &quirkCert{serial: 2, issuer: issuerName, subject: p.caName, key: p.caKey, signer: p.rootKey, notBefore: cf, notAfter: ct, exts: caExts(p.caKey, nil)}
		return p.standard(t, root, ca, nil)
	}
}

// fractionalKeyPeriod: the leaf's PrivateKeyUsagePeriod is written with
// fractional seconds (…00.876Z), as some Russian CAs do, and lasts ten
// months; the chain is judged monthsLater months after base.
func fractionalKeyPeriod(monthsLater int) func(t *testing.T, p *quirkPKI) quirkChain {
	return func(t *testing.T, p *quirkPKI) quirkChain {
		lf, lt := p.leafSpan()
		leaf := &quirkCert{serial: 3, issuer: p.caName, subject: leafName, key: p.leafKey, signer: p.caKey, notBefore: lf, notAfter: lt,
			exts: [][]byte{
				quirkExt(oid.ExtKeyUsage, boolTrue, kuSign),
				quirkExt(oid.ExtSubjectKeyID, nil, skiValue(p.leafKey)),
				quirkExt(oid.ExtAuthorityKeyID, nil, akiValue(p.caKey, nil, 0)),
				quirkExt(oid.ExtPrivateKeyUsagePeriod, nil, pkupValue(gtime(lf, ".876"), gtime(lf.AddDate(0, 10, 0), ".123"))),
			}}
		ch := p.standard(t, nil, nil, leaf)
		ch.at = p.base.AddDate(0, monthsLater, 0)
		return ch
	}
}

// TestQuirkChains checks each chain with Verify, then with OpenSSL (the
// OpenSSL half, and the GOST 2001 chains OpenSSL signs, need the gost
// engine: without it they fail in CI and are skipped elsewhere).
func TestQuirkChains(t *testing.T) {
	p := newQuirkPKI(t)
	for _, qc := range quirkCases() {
		t.Run(qc.name, func(t *testing.T) {
			ch := qc.build(t, p)
			at := ch.at
			if at.IsZero() {
				at = p.base
			}
			parse := func(ders [][]byte) []*cert.Certificate {
				var out []*cert.Certificate
				for _, d := range ders {
					c, err := cert.Parse(d)
					if err != nil {
						t.Fatalf("cert.Parse: %v", err)
					}
					out = append(out, c)
				}
				return out
			}
			leaf := parse([][]byte{ch.leaf})[0]
			res := validate.Verify(context.Background(), leaf, validate.Options{
				At:            at,
				Roots:         parse(ch.roots),
				Intermediates: parse(ch.intermediates),
				Revocation:    validate.RevocationOff,
			})
			var errs []string
			for _, pr := range res.Problems {
				if pr.Severity == validate.SeverityError {
					errs = append(errs, pr.Code+"/"+pr.Reason)
				}
			}
			if qc.problem == "" {
				if res.Status != validate.StatusValid || !res.Complete || len(res.Chain) != 3 {
					t.Errorf("want a valid chain of 3; got status=%s complete=%v errors=%v\n%s", res.Status, res.Complete, errs, realCAChainText(res))
				}
			} else if res.Status != validate.StatusInvalid || !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, qc.problem+"/") }) {
				t.Errorf("want problem %s; got status=%s errors=%v\n%s", qc.problem, res.Status, errs, realCAChainText(res))
			}

			openssl := testenv.OpenSSLGost(t)
			got := opensslVerify(t, openssl, at, ch.roots, ch.intermediates, ch.leaf)
			if got != qc.openssl {
				t.Errorf("openssl verify says %q, the table says %q", got, qc.openssl)
			}
			if (qc.problem == "") != (qc.openssl == "OK") && qc.disagree == "" {
				t.Errorf("the table has Podpis and OpenSSL disagree without saying why")
			}
		})
	}
}
