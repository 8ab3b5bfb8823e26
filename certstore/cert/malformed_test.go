package cert

import (
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

func TestParseMalformed(t *testing.T) {
	const (
		bc   = "extension 2.5.29.19 (basicConstraints)"
		pkup = "extension 2.5.29.16 (privateKeyUsagePeriod)"
		spki = "tbsCertificate.subjectPublicKeyInfo"
	)
	withExtensions := func(exts ...[]byte) func(*certParts) {
		return func(p *certParts) { p.extensions = extensionsOf(exts...) }
	}
	tests := []struct {
		name   string
		modify func(*certParts)
		field  string
		reason error
	}{
		{"trailing data inside Certificate", func(p *certParts) { p.certTrailer = intElement(1) }, "certificate", ErrTrailingData},
		{"trailing data inside tbsCertificate", func(p *certParts) { p.tbsTrailer = intElement(1) }, "tbsCertificate", ErrTrailingData},
		{"version 4", func(p *certParts) { p.version = taggedConstructed(0, intElement(3)) }, "tbsCertificate.version", ErrBadValue},
		{"version -1", func(p *certParts) { p.version = taggedConstructed(0, intElement(-1)) }, "tbsCertificate.version", ErrBadValue},
		{"version not an INTEGER", func(p *certParts) { p.version = taggedConstructed(0, octets([]byte{2})) }, "tbsCertificate.version", ErrTruncated},
		{"version with extra data", func(p *certParts) { p.version = taggedConstructed(0, concat(intElement(2), intElement(2))) }, "tbsCertificate.version", ErrTruncated},
		{"serial as OCTET STRING", func(p *certParts) { p.serial = octets([]byte{1}) }, "tbsCertificate.serialNumber", ErrTruncated},
		{"empty serial", func(p *certParts) { p.serial = tlv(cbasn1.INTEGER, nil) }, "tbsCertificate.serialNumber", ErrTruncated},
		{"signature without OID", func(p *certParts) { p.tbsSignature = seq(intElement(1)) }, "tbsCertificate.signature", ErrTruncated},
		{"signature with two parameters", func(p *certParts) {
			p.tbsSignature = algorithm(oid.GOST2012_256Streebog, tlv(cbasn1.NULL, nil), tlv(cbasn1.NULL, nil))
		}, "tbsCertificate.signature", ErrTrailingData},
		{"issuer as SET", func(p *certParts) { p.issuer = set() }, "tbsCertificate.issuer", ErrTruncated},
		{"issuer RDN not a SET", func(p *certParts) { p.issuer = nameOf(seq(atv(oid.CommonName, utf8Element("x")))) }, "tbsCertificate.issuer", ErrTruncated},
		{"issuer attribute without value", func(p *certParts) { p.issuer = nameOf(set(seq(oidElement(oid.CommonName)))) }, "tbsCertificate.issuer", ErrTruncated},
		{"subject attribute with two values", func(p *certParts) {
			p.subject = nameOf(set(seq(oidElement(oid.CommonName), utf8Element("a"), utf8Element("b"))))
		}, "tbsCertificate.subject", ErrTrailingData},
		{"subject BMPString of odd length", func(p *certParts) {
			p.subject = nameOf(set(atv(oid.CommonName, tlv(tagBMPString, []byte{0x04, 0x1a, 0x04}))))
		}, "tbsCertificate.subject", ErrBadValue},
		{"subject UniversalString of bad length", func(p *certParts) {
			p.subject = nameOf(set(atv(oid.CommonName, tlv(tagUniversalString, []byte{0, 0, 0x41}))))
		}, "tbsCertificate.subject", ErrBadValue},
		{"subject postalAddress with a broken BMPString", func(p *certParts) {
			p.subject = nameOf(set(atv(oid.PostalAddress, seq(utf8Element("a"), tlv(tagBMPString, []byte{1})))))
		}, "tbsCertificate.subject", ErrBadValue},
		{"validity not a SEQUENCE", func(p *certParts) { p.validity = set() }, "tbsCertificate.validity", ErrTruncated},
		{"notBefore month 13", func(p *certParts) {
			p.validity = seq(utcTime("241315093000Z"), generalizedTime("20250415093000Z"))
		}, "tbsCertificate.validity.notBefore", ErrBadValue},
		{"notAfter 30 February", func(p *certParts) {
			p.validity = seq(utcTime("240115093000Z"), generalizedTime("20250230093000Z"))
		}, "tbsCertificate.validity.notAfter", ErrBadValue},
		{"notAfter with letters", func(p *certParts) {
			p.validity = seq(utcTime("240115093000Z"), generalizedTime("2025O415093000Z"))
		}, "tbsCertificate.validity.notAfter", ErrBadValue},
		{"notAfter as OCTET STRING", func(p *certParts) {
			p.validity = seq(utcTime("240115093000Z"), octets([]byte("20250415093000Z")))
		}, "tbsCertificate.validity.notAfter", ErrBadValue},
		{"notAfter missing", func(p *certParts) { p.validity = seq(utcTime("240115093000Z")) }, "tbsCertificate.validity.notAfter", ErrTruncated},
		{"three times in validity", func(p *certParts) {
			p.validity = seq(utcTime("240115093000Z"), utcTime("250115093000Z"), utcTime("260115093000Z"))
		}, "tbsCertificate.validity", ErrTrailingData},
		{"SPKI missing", func(p *certParts) { p.spki = nil }, spki, ErrTruncated},
		{"SPKI algorithm not a SEQUENCE", func(p *certParts) {
			p.spki = seq(oidElement(oid.GOST2012_256), bitString([]byte{1}))
		}, spki + ".algorithm", ErrTruncated},
		{"SPKI key as OCTET STRING", func(p *certParts) {
			p.spki = seq(algorithm(oid.GOST2012_256), octets([]byte{1}))
		}, spki + ".subjectPublicKey", ErrTruncated},
		{"SPKI key with 8 unused bits", func(p *certParts) {
			p.spki = seq(algorithm(oid.GOST2012_256), tlv(cbasn1.BIT_STRING, []byte{8, 0}))
		}, spki + ".subjectPublicKey", ErrTruncated},
		{"SPKI with extra element", func(p *certParts) {
			p.spki = seq(algorithm(oid.GOST2012_256), bitString([]byte{1}), intElement(0))
		}, spki, ErrTrailingData},
		{"issuerUniqueID constructed", func(p *certParts) { p.uniqueIDs = taggedConstructed(1, nil) }, "tbsCertificate", ErrTrailingData},
		{"extensions not a SEQUENCE", func(p *certParts) {
			p.extensions = taggedConstructed(3, set())
		}, "tbsCertificate.extensions", ErrTruncated},
		{"extensions wrapper with two SEQUENCEs", func(p *certParts) {
			p.extensions = taggedConstructed(3, concat(seq(), seq()))
		}, "tbsCertificate.extensions", ErrTrailingData},
		{"extension without OID", withExtensions(seq(octets(nil))), "tbsCertificate.extensions", ErrTruncated},
		{"extension without value", withExtensions(seq(oidElement(asn1.ObjectIdentifier{1, 2, 3, 4}))), "extension 1.2.3.4", ErrTruncated},
		{"extension critical of two octets", withExtensions(seq(oidElement(oid.ExtBasicConstraints), tlv(cbasn1.BOOLEAN, []byte{1, 1}), octets(seq()))), bc, ErrTruncated},
		{"extension with extra field", withExtensions(seq(oidElement(oid.ExtBasicConstraints), octets(seq()), intElement(1))), bc, ErrTrailingData},
		{"duplicate extension", withExtensions(
			extension(oid.ExtBasicConstraints, nil, seq()),
			extension(oid.ExtBasicConstraints, nil, seq(boolElement(0xff)))), bc, ErrDuplicate},
		{"basicConstraints negative pathLen", withExtensions(extension(oid.ExtBasicConstraints, nil, seq(boolElement(1), intElement(-1)))), bc, ErrBadValue},
		{"basicConstraints huge pathLen", withExtensions(extension(oid.ExtBasicConstraints, nil, seq(intElement(1<<40)))), bc, ErrBadValue},
		{"basicConstraints cA of two octets", withExtensions(extension(oid.ExtBasicConstraints, nil, seq(tlv(cbasn1.BOOLEAN, []byte{0, 0})))), bc, ErrBadValue},
		{"basicConstraints with data after it", withExtensions(extension(oid.ExtBasicConstraints, nil, concat(seq(), seq()))), bc, ErrTrailingData},
		{"keyUsage not a BIT STRING", withExtensions(extension(oid.ExtKeyUsage, nil, octets([]byte{0x80}))), "extension 2.5.29.15 (keyUsage)", ErrTruncated},
		{"extKeyUsage with an INTEGER", withExtensions(extension(oid.ExtExtendedKeyUsage, nil, seq(intElement(1)))), "extension 2.5.29.37 (extKeyUsage)", ErrBadValue},
		{"policy without OID", withExtensions(extension(oid.ExtCertificatePolicies, nil, seq(seq()))), "extension 2.5.29.32 (certificatePolicies)", ErrBadValue},
		{"policy qualifiers not a SEQUENCE", withExtensions(extension(oid.ExtCertificatePolicies, nil, seq(seq(oidElement(oid.PolicyKC1), intElement(1))))), "extension 2.5.29.32 (certificatePolicies)", ErrBadValue},
		{"CDP not a SEQUENCE OF SEQUENCE", withExtensions(extension(oid.ExtCRLDistributionPoints, nil, seq(intElement(1)))), "extension 2.5.29.31 (cRLDistributionPoints)", ErrBadValue},
		{"AIA without location", withExtensions(extension(oid.ExtAuthorityInfoAccess, nil, seq(seq(oidElement(oid.AccessOCSP))))), "extension 1.3.6.1.5.5.7.1.1 (authorityInfoAccess)", ErrBadValue},
		{"SKI not an OCTET STRING", withExtensions(extension(oid.ExtSubjectKeyID, nil, bitString([]byte{1}))), "extension 2.5.29.14 (subjectKeyIdentifier)", ErrTruncated},
		{"AKI not a SEQUENCE", withExtensions(extension(oid.ExtAuthorityKeyID, nil, octets([]byte{1}))), "extension 2.5.29.35 (authorityKeyIdentifier)", ErrTruncated},
		{"SAN not a SEQUENCE", withExtensions(extension(oid.ExtSubjectAltName, nil, tagged(2, []byte("x")))), "extension 2.5.29.17 (subjectAltName)", ErrTruncated},
		{"PKUP bad time", withExtensions(extension(oid.ExtPrivateKeyUsagePeriod, nil, seq(tagged(0, []byte("20241340000000Z"))))), pkup, ErrBadValue},
		{"PKUP bounds in the wrong order", withExtensions(extension(oid.ExtPrivateKeyUsagePeriod, nil, seq(
			tagged(1, []byte("20250101000000Z")), tagged(0, []byte("20240101000000Z"))))), pkup, ErrTrailingData},
		{"subjectSignTool not a string", withExtensions(extension(oid.ExtSubjectSignTool, nil, intElement(5))), "extension 1.2.643.100.111 (subjectSignTool)", ErrBadValue},
		{"subjectSignTool followed by data", withExtensions(extension(oid.ExtSubjectSignTool, nil, concat(utf8Element("a"), utf8Element("b")))), "extension 1.2.643.100.111 (subjectSignTool)", ErrTrailingData},
		{"issuerSignTool with an INTEGER", withExtensions(extension(oid.ExtIssuerSignTool, boolElement(0xff), seq(utf8Element("a"), intElement(1)))), "extension 1.2.643.100.112 (issuerSignTool)", ErrBadValue},
		{"issuerSignTool not a SEQUENCE", withExtensions(extension(oid.ExtIssuerSignTool, nil, utf8Element("a"))), "extension 1.2.643.100.112 (issuerSignTool)", ErrTruncated},
		{"signatureAlgorithm missing", func(p *certParts) { p.signatureAlgorithm = nil }, "signatureAlgorithm", ErrTruncated},
		{"signatureValue as OCTET STRING", func(p *certParts) { p.signature = octets([]byte{1}) }, "signatureValue", ErrTruncated},
		{"signatureValue empty BIT STRING", func(p *certParts) { p.signature = tlv(cbasn1.BIT_STRING, nil) }, "signatureValue", ErrTruncated},
		{"signatureValue unused bits without data", func(p *certParts) { p.signature = tlv(cbasn1.BIT_STRING, []byte{3}) }, "signatureValue", ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := russianParts()
			tt.modify(&parts)
			expectParseError(t, parts.assemble(), tt.field, tt.reason)
		})
	}
}

func expectParseError(t *testing.T, der []byte, field string, reason error) {
	t.Helper()
	c, err := Parse(der)
	if err == nil {
		t.Fatalf("Parse succeeded (subject %q), want an error in %s", c.Subject, field)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is not a *ParseError", err, err)
	}
	if pe.Field != field {
		t.Errorf("Field = %q, want %q (%v)", pe.Field, field, err)
	}
	if reason != nil && !errors.Is(err, reason) {
		t.Errorf("error %q is not %q", err, reason)
	}
	if pe.Code() != "bad-certificate" || pe.Params()["Field"] != field {
		t.Errorf("Code %q Params %v", pe.Code(), pe.Params())
	}
	if !strings.Contains(err.Error(), field) {
		t.Errorf("message %q does not name the field", err)
	}
}

func TestParseTruncatedAndWrapped(t *testing.T) {
	der := russianParts().assemble()
	// Every truncation: the outer SEQUENCE then declares more than is there.
	for n := range len(der) {
		_, err := Parse(der[:n])
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != "certificate" || !errors.Is(err, ErrTruncated) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	tests := []struct {
		name   string
		der    []byte
		field  string
		reason error
	}{
		{"trailing byte", concat(der, []byte{0}), "certificate", ErrTrailingData},
		{"two certificates", concat(der, der), "certificate", ErrTrailingData},
		{"outer SET", concat([]byte{0x31}, der[1:]), "certificate", ErrTruncated},
		{"PEM text", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), "certificate", ErrTruncated},
		{"tbsCertificate as SET", seq(set(), algorithm(oid.SHA256WithRSA), bitString(nil)), "tbsCertificate", ErrTruncated},
		{"indefinite length", concat([]byte{0x30, 0x80}, der[4:], []byte{0, 0}), "certificate", ErrTruncated},
		{"length beyond 4 GiB", []byte{0x30, 0x85, 1, 0, 0, 0, 0}, "certificate", ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectParseError(t, tt.der, tt.field, tt.reason) })
	}
}

// cutInside re-encodes element with the last n bytes of its contents cut
// off, so that its own header is right and the damage is inside it.
func cutInside(element []byte, n int) []byte {
	s := cryptobyte.String(element)
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		panic("cutInside: not an element")
	}
	return tlv(tag, content[:len(content)-n])
}

// A field truncated inside, with the enclosing lengths right, fails on
// that field rather than on the certificate as a whole.
func TestParseTruncatedFields(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*certParts)
		field  string
	}{
		{"issuer cut", func(p *certParts) { p.issuer = cutInside(p.issuer, 3) }, "tbsCertificate.issuer"},
		{"subject cut", func(p *certParts) { p.subject = cutInside(p.subject, 1) }, "tbsCertificate.subject"},
		{"validity cut", func(p *certParts) { p.validity = cutInside(p.validity, 2) }, "tbsCertificate.validity.notAfter"},
		{"spki cut", func(p *certParts) { p.spki = cutInside(p.spki, len(p.spki)-12) }, "tbsCertificate.subjectPublicKeyInfo.algorithm"},
		{"spki key cut", func(p *certParts) { p.spki = cutInside(p.spki, 1) }, "tbsCertificate.subjectPublicKeyInfo.subjectPublicKey"},
		{"extensions cut", func(p *certParts) {
			ext := cryptobyte.String(p.extensions)
			var list cryptobyte.String
			ext.ReadASN1(&list, cbasn1.Tag(3).ContextSpecific().Constructed())
			p.extensions = taggedConstructed(3, cutInside(list, 5))
		}, "tbsCertificate.extensions"},
		{"version cut", func(p *certParts) { p.version = taggedConstructed(0, nil) }, "tbsCertificate.version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := russianParts()
			tt.modify(&parts)
			expectParseError(t, parts.assemble(), tt.field, ErrTruncated)
		})
	}
}
