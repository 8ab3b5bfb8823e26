package crl

import (
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// This file builds CRLs in Go for the tests: the cases OpenSSL cannot
// make (indirect CRLs, non-minimal serials, malformed fields), the fuzz
// seeds and the million-entry list of the benchmark.

// tlv is one DER element.
func tlv(tag cbasn1.Tag, content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func seq(parts ...[]byte) []byte { return tlv(cbasn1.SEQUENCE, concat(parts...)) }

func oidElement(id asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(id)
	return b.BytesOrPanic()
}

func intElement(n int64) []byte {
	var b cryptobyte.Builder
	b.AddASN1Int64(n)
	return b.BytesOrPanic()
}

func bigIntElement(n *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1BigInt(n)
	return b.BytesOrPanic()
}

// timeElement is a Time as RFC 5280 wants it: UTCTime up to 2049.
func timeElement(t time.Time) []byte {
	t = t.UTC()
	if t.Year() < 2050 {
		return tlv(cbasn1.UTCTime, []byte(t.Format("060102150405Z")))
	}
	return tlv(cbasn1.GeneralizedTime, []byte(t.Format("20060102150405Z")))
}

func genTimeElement(t time.Time) []byte {
	return tlv(cbasn1.GeneralizedTime, []byte(t.UTC().Format("20060102150405Z")))
}

// nameElement is a Name of one RDN per attribute, UTF8String values.
func nameElement(attrs ...string) []byte {
	types := map[string]asn1.ObjectIdentifier{"CN": oid.CommonName, "O": oid.Organization, "C": oid.Country}
	var rdns [][]byte
	for i := 0; i+1 < len(attrs); i += 2 {
		rdns = append(rdns, tlv(cbasn1.SET, seq(oidElement(types[attrs[i]]), tlv(cbasn1.UTF8String, []byte(attrs[i+1])))))
	}
	return seq(rdns...)
}

// extension is an Extension element; critical adds the BOOLEAN.
func extension(id asn1.ObjectIdentifier, critical bool, value []byte) []byte {
	var crit []byte
	if critical {
		crit = tlv(cbasn1.BOOLEAN, []byte{0xFF})
	}
	return seq(oidElement(id), crit, tlv(cbasn1.OCTET_STRING, value))
}

func uriName(u string) []byte { return tlv(tagContext6, []byte(u)) }

// distributionPointName is [0] { fullName [0] GeneralNames of URIs }.
func distributionPointName(urls ...string) []byte {
	var names [][]byte
	for _, u := range urls {
		names = append(names, uriName(u))
	}
	return tlv(tagExplicit0, tlv(tagExplicit0, concat(names...)))
}

// testEntry is one revokedCertificates entry to build.
type testEntry struct {
	serial     []byte // INTEGER content octets, as written
	revoked    time.Time
	reason     Reason // ReasonNone: no reasonCode
	invalidity time.Time
	issuer     []byte   // certificateIssuer: a Name, written as one directoryName
	extra      [][]byte // further extension elements
	raw        []byte   // when set, the whole entry element as is
}

func (e testEntry) element() []byte {
	if e.raw != nil {
		return e.raw
	}
	var exts [][]byte
	if e.reason != ReasonNone {
		exts = append(exts, extension(oid.ExtReasonCode, false, tlv(cbasn1.ENUM, []byte{byte(e.reason)})))
	}
	if !e.invalidity.IsZero() {
		exts = append(exts, extension(oid.ExtInvalidityDate, false, genTimeElement(e.invalidity)))
	}
	if e.issuer != nil {
		exts = append(exts, extension(oid.ExtCertificateIssuer, true, seq(tlv(tagExplicit4, e.issuer))))
	}
	exts = append(exts, e.extra...)
	var extSeq []byte
	if len(exts) > 0 {
		extSeq = seq(exts...)
	}
	return seq(tlv(cbasn1.INTEGER, e.serial), timeElement(e.revoked), extSeq)
}

// crlSpec describes a CRL to build. The raw* fields, when set, replace the
// element they name, for malformed inputs.
type crlSpec struct {
	version      []byte // the version element; nil: v2 (INTEGER 1)
	noVersion    bool
	issuer       []byte
	thisUpdate   time.Time
	nextUpdate   time.Time
	rawThis      []byte
	rawNext      []byte
	entries      []testEntry
	rawEntries   []byte // the whole revokedCertificates element
	extensions   [][]byte
	rawExts      []byte // the whole [0] crlExtensions element
	tbsTrailer   []byte // appended inside tbsCertList
	sigAlg       asn1.ObjectIdentifier
	rawSigAlg    []byte
	rawSignature []byte
}

func baseSpec() crlSpec {
	return crlSpec{
		issuer:     nameElement("C", "RU", "O", "ООО «Тестовый УЦ»", "CN", "Тестовый УЦ"),
		thisUpdate: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC),
		nextUpdate: time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC),
		sigAlg:     oid.GOST2012_256Streebog,
	}
}

func (s crlSpec) algorithm() []byte {
	if s.rawSigAlg != nil {
		return s.rawSigAlg
	}
	return seq(oidElement(s.sigAlg))
}

func (s crlSpec) tbs() []byte {
	version := s.version
	if version == nil && !s.noVersion {
		version = intElement(1)
	}
	this := s.rawThis
	if this == nil {
		this = timeElement(s.thisUpdate)
	}
	next := s.rawNext
	if next == nil && !s.nextUpdate.IsZero() {
		next = timeElement(s.nextUpdate)
	}
	entries := s.rawEntries
	if entries == nil && len(s.entries) > 0 {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, e := range s.entries {
				b.AddBytes(e.element())
			}
		})
		entries = b.BytesOrPanic()
	}
	exts := s.rawExts
	if exts == nil && len(s.extensions) > 0 {
		exts = tlv(tagExplicit0, seq(s.extensions...))
	}
	return seq(version, s.algorithm(), s.issuer, this, next, entries, exts, s.tbsTrailer)
}

// build assembles the CRL with a placeholder signature.
func (s crlSpec) build() []byte {
	sig := s.rawSignature
	if sig == nil {
		sig = tlv(cbasn1.BIT_STRING, append([]byte{0}, make([]byte, 64)...))
	}
	return seq(s.tbs(), s.algorithm(), sig)
}

// testCA is a GOST R 34.10-2012 256 CA made in Go: a key and a self-signed
// certificate, to sign CRLs that sigalg.VerifyMessage and OpenSSL check.
type testCA struct {
	key  *gost3410.PrivateKey
	cert *cert.Certificate
	name []byte
}

func newTestCA(tb testing.TB) *testCA {
	tb.Helper()
	key, err := gost3410.GenerateKey(gost3410.CurveCryptoProA(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	spki, err := gost3410.MarshalSPKI(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	name := nameElement("C", "RU", "O", "ООО «Тестовый УЦ»", "CN", "Тестовый УЦ ГОСТ")
	alg := seq(oidElement(oid.GOST2012_256Streebog))
	ext := tlv(tagExplicit3, seq(
		extension(oid.ExtBasicConstraints, true, seq(tlv(cbasn1.BOOLEAN, []byte{0xFF}))),
		extension(oid.ExtKeyUsage, true, tlv(cbasn1.BIT_STRING, []byte{1, 0x06})), // keyCertSign, cRLSign
		extension(oid.ExtSubjectKeyID, false, tlv(cbasn1.OCTET_STRING, []byte("test-ca-key-id-00001"))),
	))
	tbs := seq(
		tlv(tagExplicit0, intElement(2)),
		intElement(1),
		alg,
		name,
		seq(timeElement(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), timeElement(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))),
		name,
		spki,
		ext,
	)
	der := seq(tbs, alg, tlv(cbasn1.BIT_STRING, append([]byte{0}, signGOST(tb, key, tbs)...)))
	c, err := cert.Parse(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &testCA{key: key, cert: c, name: name}
}

var tagExplicit3 = cbasn1.Tag(3).ContextSpecific().Constructed()

func signGOST(tb testing.TB, key crypto.Signer, message []byte) []byte {
	tb.Helper()
	digest, err := sigalg.Sum(oid.Streebog256, message)
	if err != nil {
		tb.Fatal(err)
	}
	sig, err := sigalg.Sign(rand.Reader, key, oid.Streebog256, digest)
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

// sign builds s as ca's CRL, signed: issuer, algorithm and AKI are ca's.
func (ca *testCA) sign(tb testing.TB, s crlSpec) []byte {
	tb.Helper()
	s.issuer = ca.name
	s.sigAlg = oid.GOST2012_256Streebog
	tbs := s.tbs()
	return seq(tbs, s.algorithm(), tlv(cbasn1.BIT_STRING, append([]byte{0}, signGOST(tb, ca.key, tbs)...)))
}
