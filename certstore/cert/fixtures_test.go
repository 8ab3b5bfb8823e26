package cert

import (
	"bytes"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// DER construction for hand-built fixtures. Everything is assembled with
// cryptobyte.Builder from elements, so a test can swap any one element for a
// broken or non-DER one and leave the rest intact.

func build(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

// tlv is one element with the given tag and contents.
func tlv(tag cbasn1.Tag, content []byte) []byte {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(tag, func(c *cryptobyte.Builder) { c.AddBytes(content) })
	})
}

func concat(elements ...[]byte) []byte { return bytes.Join(elements, nil) }

func seq(elements ...[]byte) []byte { return tlv(cbasn1.SEQUENCE, concat(elements...)) }
func set(elements ...[]byte) []byte { return tlv(cbasn1.SET, concat(elements...)) }

func oidElement(o asn1.ObjectIdentifier) []byte {
	return build(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(o) })
}

func intElement(v int64) []byte {
	return build(func(b *cryptobyte.Builder) { b.AddASN1Int64(v) })
}

func utf8Element(s string) []byte { return tlv(cbasn1.UTF8String, []byte(s)) }

func octets(b []byte) []byte { return tlv(cbasn1.OCTET_STRING, b) }

// bitString is a BIT STRING with no unused bits.
func bitString(b []byte) []byte { return tlv(cbasn1.BIT_STRING, concat([]byte{0}, b)) }

func boolElement(v byte) []byte { return tlv(cbasn1.BOOLEAN, []byte{v}) }

// atv is one AttributeTypeAndValue; rdn wraps atvs into one SET.
func atv(t asn1.ObjectIdentifier, value []byte) []byte { return seq(oidElement(t), value) }

func nameOf(rdns ...[]byte) []byte { return seq(rdns...) }

// rdnsOf makes one single-valued RDN per atv.
func rdnsOf(atvs ...[]byte) [][]byte {
	rdns := make([][]byte, len(atvs))
	for i, a := range atvs {
		rdns[i] = set(a)
	}
	return rdns
}

func algorithm(id asn1.ObjectIdentifier, params ...[]byte) []byte {
	return seq(append([][]byte{oidElement(id)}, params...)...)
}

// extension builds an Extension; critical is the raw BOOLEAN element or nil
// to leave it out (DEFAULT FALSE).
func extension(id asn1.ObjectIdentifier, critical []byte, value []byte) []byte {
	return seq(oidElement(id), critical, octets(value))
}

func generalizedTime(s string) []byte { return tlv(cbasn1.GeneralizedTime, []byte(s)) }
func utcTime(s string) []byte         { return tlv(cbasn1.UTCTime, []byte(s)) }

// certParts are the elements of a certificate; assemble joins them. Each
// holds a complete element, so tests can replace one with anything.
type certParts struct {
	version, serial, tbsSignature, issuer, validity, subject, spki []byte
	uniqueIDs                                                      []byte // issuer/subjectUniqueID, normally empty
	extensions                                                     []byte // the [3] wrapper, or nil
	tbsTrailer                                                     []byte // appended inside tbsCertificate
	signatureAlgorithm, signature                                  []byte
	certTrailer                                                    []byte // appended inside Certificate
}

func (p certParts) tbs() []byte {
	return seq(p.version, p.serial, p.tbsSignature, p.issuer, p.validity, p.subject, p.spki, p.uniqueIDs, p.extensions, p.tbsTrailer)
}

func (p certParts) assemble() []byte {
	return seq(p.tbs(), p.signatureAlgorithm, p.signature, p.certTrailer)
}

func extensionsOf(exts ...[]byte) []byte {
	return tlv(cbasn1.Tag(3).ContextSpecific().Constructed(), seq(exts...))
}

// GOST public keys as CAs issue them: the key is an OCTET STRING inside the
// BIT STRING, the parameters name the parameter set.
func gostSPKI(alg asn1.ObjectIdentifier, keyLen int, paramSets ...asn1.ObjectIdentifier) []byte {
	var params [][]byte
	for _, ps := range paramSets {
		params = append(params, oidElement(ps))
	}
	key := bytes.Repeat([]byte{0x5a}, keyLen)
	return seq(algorithm(alg, seq(params...)), bitString(octets(key)))
}

// Values of the Russian fixture, checked by the tests.
const (
	fixtureSubjectSignTool = "СКЗИ «КриптоПро CSP» (версия 5.0)"
	fixtureStreet          = "ул. Тверская, д. 1"
)

var fixtureIssuerSignTool = []string{
	"ПАК «КриптоПро HSM» версии 2.0",
	"ПАК «Удостоверяющий центр «КриптоПро УЦ» версии 2.0",
	"Сертификат соответствия № СФ/124-3966 от 15.01.2021",
	"Сертификат соответствия № СФ/128-3868 от 23.07.2020",
}

func tagged(tag int, content []byte) []byte {
	return tlv(cbasn1.Tag(tag).ContextSpecific(), content)
}

func taggedConstructed(tag int, content []byte) []byte {
	return tlv(cbasn1.Tag(tag).ContextSpecific().Constructed(), content)
}

// russianParts is a qualified certificate of the kind Russian accredited CAs
// issue, with every tolerance Parse promises in it at once: cA encoded as
// BOOLEAN 01, an explicit critical FALSE, a postalAddress SEQUENCE, a
// fractional GeneralizedTime in PrivateKeyUsagePeriod, a GOST 2012-256 key,
// critical subjectSignTool/issuerSignTool, INN/SNILS/OGRN as NumericString
// and UTF8String, and a serial number with a redundant leading zero.
func russianParts() certParts {
	issuer := nameOf(rdnsOf(
		atv(oid.Country, tlv(cbasn1.PrintableString, []byte("RU"))),
		atv(oid.StateOrProvince, utf8Element("77 г. Москва")),
		atv(oid.Organization, utf8Element("АО «Тестовый УЦ»")),
		atv(oid.CommonName, utf8Element("Тестовый УЦ")),
		atv(oid.INNLE, tlv(tagNumericString, []byte("7700000000"))),
		atv(oid.OGRN, tlv(tagNumericString, []byte("1027700000000"))),
		atv(oid.EmailAddress, tlv(cbasn1.IA5String, []byte("ca@example.ru"))),
	)...)
	subject := nameOf(append(rdnsOf(
		atv(oid.Country, tlv(cbasn1.PrintableString, []byte("RU"))),
		atv(oid.Street, utf8Element(fixtureStreet)),
		// postalAddress as a SEQUENCE OF strings, not a DirectoryString.
		atv(oid.PostalAddress, seq(utf8Element("101000"), utf8Element("г. Москва"), utf8Element(fixtureStreet))),
		atv(oid.Organization, utf8Element("ООО \"Ромашка\"")),
		atv(oid.Title, tlv(tagBMPString, []byte{0x04, 0x14, 0x04, 0x38, 0x04, 0x40, 0x04, 0x35, 0x04, 0x3a, 0x04, 0x42, 0x04, 0x3e, 0x04, 0x40})), // "Директор"
		atv(oid.Surname, utf8Element("Иванов")),
		atv(oid.GivenName, utf8Element("Иван Иванович")),
		atv(oid.CommonName, utf8Element("Иванов Иван Иванович")),
		atv(oid.SNILS, tlv(tagNumericString, []byte("12345678901"))),
		atv(oid.INN, tlv(tagNumericString, []byte("770123456789"))),
		atv(oid.OGRN, utf8Element("1027700123456")),
		atv(oid.INNLE, utf8Element("7701234567")),
		atv(oid.Locality, tlv(tagUniversalString, []byte{0, 0, 0x04, 0x1c, 0, 0, 0x04, 0x41, 0, 0, 0x04, 0x3a})), // "Мск"
	),
		// A multi-valued RDN.
		set(atv(oid.OrganizationalUnit, tlv(tagTeletexString, []byte("Caf\xe9"))), atv(oid.Pseudonym, tlv(cbasn1.PrintableString, []byte("ivanov")))),
	)...)

	falseCritical := boolElement(0x00)
	trueCritical := boolElement(0xff)
	exts := extensionsOf(
		// cA BOOLEAN encoded as 01, critical with DER TRUE.
		extension(oid.ExtBasicConstraints, trueCritical, seq(boolElement(0x01), intElement(0))),
		// An explicit critical FALSE.
		extension(oid.ExtKeyUsage, falseCritical, tlv(cbasn1.BIT_STRING, []byte{0x06, 0xc0})),
		extension(oid.ExtExtendedKeyUsage, nil, seq(oidElement(oid.EKUClientAuth), oidElement(oid.EKUEmailProtection))),
		extension(oid.ExtSubjectSignTool, boolElement(0x01), utf8Element(fixtureSubjectSignTool)),
		extension(oid.ExtIssuerSignTool, trueCritical, seq(
			utf8Element(fixtureIssuerSignTool[0]), utf8Element(fixtureIssuerSignTool[1]),
			utf8Element(fixtureIssuerSignTool[2]), utf8Element(fixtureIssuerSignTool[3]))),
		// The fractional seconds seen in real certificates.
		extension(oid.ExtPrivateKeyUsagePeriod, nil, seq(
			tagged(0, []byte("20240115093000.876Z")),
			tagged(1, []byte("20250415093000Z")))),
		extension(oid.ExtCertificatePolicies, nil, seq(
			seq(oidElement(oid.PolicyKC1)),
			seq(oidElement(oid.PolicyKC2), seq(seq(oidElement(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}), tlv(cbasn1.IA5String, []byte("http://ca.example.ru/cps"))))))),
		extension(oid.ExtSubjectKeyID, nil, octets([]byte{0xaa, 0xbb, 0xcc, 0xdd})),
		extension(oid.ExtAuthorityKeyID, nil, seq(
			tagged(0, []byte{0x11, 0x22, 0x33}),
			taggedConstructed(1, taggedConstructed(4, nameOf())),
			tagged(2, []byte{0x01}))),
		extension(oid.ExtCRLDistributionPoints, nil, seq(
			seq(taggedConstructed(0, taggedConstructed(0, concat(
				tagged(6, []byte("http://ca.example.ru/cdp/1.crl")),
				tagged(6, []byte("http://ca2.example.ru/cdp/1.crl")))))),
			seq(taggedConstructed(0, taggedConstructed(1, set(atv(oid.CommonName, utf8Element("CRL1")))))),
		)),
		extension(oid.ExtAuthorityInfoAccess, nil, seq(
			seq(oidElement(oid.AccessOCSP), tagged(6, []byte("http://ocsp.example.ru/ocsp.srf"))),
			seq(oidElement(oid.AccessCAIssuers), tagged(6, []byte("http://ca.example.ru/ca.crt"))),
			seq(oidElement(oid.AccessCAIssuers), taggedConstructed(4, nameOf())),
		)),
		extension(oid.ExtSubjectAltName, nil, seq(
			tagged(1, []byte("ivanov@example.ru")),
			tagged(2, []byte("example.ru")),
			tagged(7, []byte{127, 0, 0, 1}))),
		// identificationKind: known to the registry, not decoded.
		extension(oid.ExtIdentificationKind, nil, intElement(0)),
	)

	return certParts{
		version:      taggedConstructed(0, intElement(2)),
		serial:       tlv(cbasn1.INTEGER, []byte{0x00, 0x01, 0x23, 0x45}), // non-minimal
		tbsSignature: algorithm(oid.GOST2012_256Streebog),
		issuer:       issuer,
		validity:     seq(utcTime("240115093000Z"), generalizedTime("20250415093000Z")),
		subject:      subject,
		spki:         gostSPKI(oid.GOST2012_256, 64, oid.ParamSetTC26_256A),
		extensions:   exts,

		signatureAlgorithm: algorithm(oid.GOST2012_256Streebog),
		signature:          bitString(bytes.Repeat([]byte{0xa5}, 64)),
	}
}

// v1Parts is a minimal version 1 certificate: no version field, no
// extensions, an RSA-looking key that is not one.
func v1Parts() certParts {
	name := nameOf(rdnsOf(atv(oid.CommonName, tlv(cbasn1.PrintableString, []byte("v1"))))...)
	return certParts{
		serial:             intElement(1),
		tbsSignature:       algorithm(oid.SHA256WithRSA, tlv(cbasn1.NULL, nil)),
		issuer:             name,
		validity:           seq(utcTime("000101000000Z"), utcTime("491231235959Z")),
		subject:            name,
		spki:               seq(algorithm(asn1.ObjectIdentifier{1, 2, 3, 4}, tlv(cbasn1.NULL, nil)), bitString([]byte{1, 2, 3})),
		signatureAlgorithm: algorithm(oid.SHA256WithRSA, tlv(cbasn1.NULL, nil)),
		signature:          bitString([]byte{9, 9, 9}),
	}
}
