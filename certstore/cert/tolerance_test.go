package cert

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"slices"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// sameMemory reports whether sub is a sub-slice of whole (aliases its memory).
func sameMemory(sub, whole []byte) bool {
	if len(sub) == 0 {
		return true
	}
	for i := 0; i+len(sub) <= len(whole); i++ {
		if &whole[i] == &sub[0] {
			return true
		}
	}
	return false
}

func TestParseRussianQualifiedCertificate(t *testing.T) {
	parts := russianParts()
	der := parts.assemble()
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}

	// The signed bytes are exactly what was built, and alias the input.
	if !bytes.Equal(c.RawTBSCertificate, parts.tbs()) {
		t.Error("RawTBSCertificate is not the exact tbsCertificate")
	}
	for name, raw := range map[string][]byte{
		"Raw": c.Raw, "RawTBSCertificate": c.RawTBSCertificate, "RawSubject": c.RawSubject,
		"RawIssuer": c.RawIssuer, "RawSubjectPublicKeyInfo": c.RawSubjectPublicKeyInfo, "PublicKey": c.PublicKey,
	} {
		if !sameMemory(raw, der) {
			t.Errorf("%s does not alias the input", name)
		}
	}
	if !bytes.Equal(c.RawSubject, parts.subject) || !bytes.Equal(c.RawIssuer, parts.issuer) || !bytes.Equal(c.RawSubjectPublicKeyInfo, parts.spki) {
		t.Error("raw subject, issuer or SPKI differ from the built elements")
	}

	if c.Version != 3 || c.SerialNumber.Cmp(big.NewInt(0x012345)) != 0 {
		t.Errorf("version %d serial %v", c.Version, c.SerialNumber)
	}
	if !c.SignatureAlgorithm.Equal(oid.GOST2012_256Streebog) || c.SignatureAlgorithmParams != nil || len(c.Signature) != 64 {
		t.Errorf("signature %v %x (%d bytes)", c.SignatureAlgorithm, c.SignatureAlgorithmParams, len(c.Signature))
	}
	if want := time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC); !c.NotBefore.Equal(want) {
		t.Errorf("NotBefore = %v", c.NotBefore)
	}
	if want := time.Date(2025, 4, 15, 9, 30, 0, 0, time.UTC); !c.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v", c.NotAfter)
	}

	subject := map[string]string{
		"INN": "770123456789", "SNILS": "12345678901", "OGRN": "1027700123456", "INNLE": "7701234567",
		"CN": "Иванов Иван Иванович", "SN": "Иванов", "GN": "Иван Иванович", "T": "Директор",
		"postalAddress": "101000, г. Москва, " + fixtureStreet, "O": "ООО \"Ромашка\"",
		"L": "Мск", "OU": "Café", "pseudonym": "ivanov", "C": "RU", "STREET": fixtureStreet,
	}
	for _, a := range c.Subject.Attributes {
		short := oid.ShortName(a.Type)
		if want, ok := subject[short]; !ok || a.Value != want {
			t.Errorf("subject %s = %q, want %q", short, a.Value, want)
		}
		delete(subject, short)
	}
	if len(subject) != 0 {
		t.Errorf("subject attributes missing: %v", subject)
	}
	const wantSubject = "OU=Café+pseudonym=ivanov, L=Мск, INNLE=7701234567, OGRN=1027700123456, INN=770123456789, " +
		"SNILS=12345678901, CN=Иванов Иван Иванович, GN=Иван Иванович, SN=Иванов, T=Директор, O=ООО \"Ромашка\", " +
		"postalAddress=101000, г. Москва, ул. Тверская, д. 1, STREET=ул. Тверская, д. 1, C=RU"
	if got := c.Subject.String(); got != wantSubject {
		t.Errorf("Subject.String() =\n%s\nwant\n%s", got, wantSubject)
	}
	if c.Issuer.Get(oid.INNLE) != "7700000000" || c.Issuer.Get(oid.OGRN) != "1027700000000" || c.Issuer.CommonName() != "Тестовый УЦ" {
		t.Errorf("issuer = %s", c.Issuer)
	}
	if c.IsSelfSigned() {
		t.Error("IsSelfSigned for a certificate with another issuer")
	}

	pk := c.PublicKeyInfo()
	if pk.Family != FamilyGOST2012256 || pk.Bits != 256 || !pk.ParamSet.Equal(oid.ParamSetTC26_256A) ||
		pk.DigestParamSet != nil || pk.DescriptionKey != "alg.gost2012-256" || pk.ParamSetKey != "paramset.tc26-256-a" {
		t.Errorf("PublicKeyInfo = %+v", pk)
	}
	if !bytes.Equal(c.PublicKey, octets(bytes.Repeat([]byte{0x5a}, 64))) {
		t.Errorf("PublicKey = %x", c.PublicKey)
	}

	if !c.BasicConstraintsValid || !c.IsCA || c.MaxPathLen != 0 {
		t.Errorf("basicConstraints valid %v cA %v pathLen %d", c.BasicConstraintsValid, c.IsCA, c.MaxPathLen)
	}
	if !c.HasKeyUsage || c.KeyUsage != KeyUsageDigitalSignature|KeyUsageContentCommitment {
		t.Errorf("KeyUsage = %b", c.KeyUsage)
	}
	if ext, ok := c.Extension(oid.ExtKeyUsage); !ok || ext.Critical {
		t.Error("keyUsage with explicit critical FALSE must read as not critical")
	}
	for _, id := range []asn1.ObjectIdentifier{oid.ExtBasicConstraints, oid.ExtSubjectSignTool, oid.ExtIssuerSignTool} {
		if ext, ok := c.Extension(id); !ok || !ext.Critical {
			t.Errorf("extension %v should be critical", id)
		}
	}
	if got := c.UnhandledCriticalExtensions(); len(got) != 0 {
		t.Errorf("UnhandledCriticalExtensions = %v; the Russian extensions are known", got)
	}
	if !slices.EqualFunc(c.ExtKeyUsage, []asn1.ObjectIdentifier{oid.EKUClientAuth, oid.EKUEmailProtection}, asn1.ObjectIdentifier.Equal) {
		t.Errorf("ExtKeyUsage = %v", c.ExtKeyUsage)
	}
	if c.SubjectSignTool != fixtureSubjectSignTool {
		t.Errorf("SubjectSignTool = %q", c.SubjectSignTool)
	}
	if !slices.Equal(c.IssuerSignTool, fixtureIssuerSignTool) {
		t.Errorf("IssuerSignTool = %q", c.IssuerSignTool)
	}
	if c.PrivateKeyNotBefore == nil || !c.PrivateKeyNotBefore.Equal(time.Date(2024, 1, 15, 9, 30, 0, 876_000_000, time.UTC)) {
		t.Errorf("PrivateKeyNotBefore = %v", c.PrivateKeyNotBefore)
	}
	if c.PrivateKeyNotAfter == nil || !c.PrivateKeyNotAfter.Equal(time.Date(2025, 4, 15, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("PrivateKeyNotAfter = %v", c.PrivateKeyNotAfter)
	}
	if !slices.EqualFunc(c.Policies, []asn1.ObjectIdentifier{oid.PolicyKC1, oid.PolicyKC2}, asn1.ObjectIdentifier.Equal) {
		t.Errorf("Policies = %v", c.Policies)
	}
	if !bytes.Equal(c.SubjectKeyID, []byte{0xaa, 0xbb, 0xcc, 0xdd}) || !bytes.Equal(c.AuthorityKeyID, []byte{0x11, 0x22, 0x33}) {
		t.Errorf("SKI %x AKI %x", c.SubjectKeyID, c.AuthorityKeyID)
	}
	lists := []struct {
		name      string
		got, want []string
	}{
		{"CRLDistributionPoints", c.CRLDistributionPoints, []string{"http://ca.example.ru/cdp/1.crl", "http://ca2.example.ru/cdp/1.crl"}},
		{"OCSPServers", c.OCSPServers, []string{"http://ocsp.example.ru/ocsp.srf"}},
		{"IssuingCertificateURL", c.IssuingCertificateURL, []string{"http://ca.example.ru/ca.crt"}},
		{"EmailAddresses", c.EmailAddresses, []string{"ivanov@example.ru"}},
		{"DNSNames", c.DNSNames, []string{"example.ru"}},
	}
	for _, l := range lists {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %q, want %q", l.name, l.got, l.want)
		}
	}
	if len(c.Extensions) != 13 {
		t.Errorf("%d extensions, want 13", len(c.Extensions))
	}
	if ext, ok := c.Extension(oid.ExtIdentificationKind); !ok || !bytes.Equal(ext.Value, intElement(0)) {
		t.Error("identificationKind not kept raw")
	}
}

// Each tolerance on its own, on top of the Russian fixture.
func TestParseTolerances(t *testing.T) {
	withExtension := func(ext []byte) func(*certParts) {
		return func(p *certParts) { p.extensions = extensionsOf(ext) }
	}
	withSubject := func(atvs ...[]byte) func(*certParts) {
		return func(p *certParts) { p.subject = nameOf(rdnsOf(atvs...)...) }
	}
	tests := []struct {
		name   string
		modify func(*certParts)
		check  func(t *testing.T, c *Certificate)
	}{
		{"cA BOOLEAN 01", withExtension(extension(oid.ExtBasicConstraints, nil, seq(boolElement(0x01)))), func(t *testing.T, c *Certificate) {
			if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != -1 {
				t.Errorf("cA %v valid %v pathLen %d", c.IsCA, c.BasicConstraintsValid, c.MaxPathLen)
			}
		}},
		{"cA BOOLEAN 7f", withExtension(extension(oid.ExtBasicConstraints, nil, seq(boolElement(0x7f), intElement(3)))), func(t *testing.T, c *Certificate) {
			if !c.IsCA || c.MaxPathLen != 3 {
				t.Errorf("cA %v pathLen %d", c.IsCA, c.MaxPathLen)
			}
		}},
		{"cA explicit FALSE", withExtension(extension(oid.ExtBasicConstraints, nil, seq(boolElement(0x00)))), func(t *testing.T, c *Certificate) {
			if c.IsCA || !c.BasicConstraintsValid {
				t.Errorf("cA %v valid %v", c.IsCA, c.BasicConstraintsValid)
			}
		}},
		{"empty basicConstraints", withExtension(extension(oid.ExtBasicConstraints, nil, seq())), func(t *testing.T, c *Certificate) {
			if c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != -1 {
				t.Errorf("cA %v valid %v pathLen %d", c.IsCA, c.BasicConstraintsValid, c.MaxPathLen)
			}
		}},
		{"critical FALSE explicit", withExtension(extension(asn1.ObjectIdentifier{1, 2, 3, 4}, boolElement(0x00), []byte{5, 0})), func(t *testing.T, c *Certificate) {
			if c.Extensions[0].Critical || len(c.UnhandledCriticalExtensions()) != 0 {
				t.Error("explicit FALSE read as critical")
			}
		}},
		{"critical BOOLEAN 01 on an unknown extension", withExtension(extension(asn1.ObjectIdentifier{1, 2, 3, 4}, boolElement(0x01), []byte{5, 0})), func(t *testing.T, c *Certificate) {
			if got := c.UnhandledCriticalExtensions(); len(got) != 1 || !got[0].Equal(asn1.ObjectIdentifier{1, 2, 3, 4}) {
				t.Errorf("UnhandledCriticalExtensions = %v", got)
			}
		}},
		{"postalAddress SEQUENCE OF strings", withSubject(atv(oid.PostalAddress, seq(utf8Element("a"), tlv(cbasn1.PrintableString, []byte("b")), utf8Element("")))), func(t *testing.T, c *Certificate) {
			if got := c.Subject.Get(oid.PostalAddress); got != "a, b" {
				t.Errorf("postalAddress = %q", got)
			}
		}},
		{"non-string attribute values", withSubject(
			atv(oid.CommonName, intElement(-42)),
			atv(oid.Organization, oidElement(oid.INN)),
			atv(oid.Title, octets([]byte{1, 2})),
			atv(oid.Description, seq(seq(seq(seq(seq(seq(seq(seq(seq(utf8Element("deep")))))))))))), func(t *testing.T, c *Certificate) {
			want := []string{"-42", "1.2.643.3.131.1.1", "#04020102"}
			got := []string{c.Subject.Get(oid.CommonName), c.Subject.Get(oid.Organization), c.Subject.Get(oid.Title)}
			if !slices.Equal(got, want) {
				t.Errorf("values = %q, want %q", got, want)
			}
			if d := c.Subject.Get(oid.Description); d == "" || d[0] != '#' {
				t.Errorf("deeply nested value = %q, want a hex rendering", d)
			}
		}},
		{"string types", withSubject(
			atv(oid.CommonName, tlv(tagTeletexString, []byte("Привет"))),      // UTF-8 in a TeletexString
			atv(oid.Organization, tlv(tagTeletexString, []byte("M\xfcller"))), // Latin-1
			atv(oid.Surname, tlv(cbasn1.IA5String, []byte("ivanov"))),
			atv(oid.GivenName, tlv(tagVisibleString, []byte("Ivan"))),
			atv(oid.Title, tlv(cbasn1.UTF8String, []byte("bad\xffutf8"))),
			atv(oid.Locality, tlv(tagBMPString, []byte{0xd8, 0x3d, 0xde, 0x00})),           // surrogate pair
			atv(oid.Street, tlv(tagUniversalString, []byte{0, 0x11, 0, 0, 0, 0, 0, 0x41})), // out of range, then "A"
		), func(t *testing.T, c *Certificate) {
			want := map[string]string{"CN": "Привет", "O": "Müller", "SN": "ivanov", "GN": "Ivan", "T": "bad\uFFFDutf8", "L": "😀", "STREET": "\uFFFDA"}
			for _, a := range c.Subject.Attributes {
				if short := oid.ShortName(a.Type); a.Value != want[short] {
					t.Errorf("%s = %q, want %q", short, a.Value, want[short])
				}
			}
		}},
		{"Russian attributes as NumericString and UTF8String", withSubject(
			atv(oid.INN, utf8Element("770123456789")),
			atv(oid.SNILS, tlv(tagNumericString, []byte("12345678901"))),
			atv(oid.OGRNIP, tlv(tagNumericString, []byte("304770000000000"))),
		), func(t *testing.T, c *Certificate) {
			if c.Subject.Get(oid.INN) != "770123456789" || c.Subject.Get(oid.SNILS) != "12345678901" || c.Subject.Get(oid.OGRNIP) != "304770000000000" {
				t.Errorf("subject = %s", c.Subject)
			}
			if got := c.Subject.String(); got != "OGRNIP=304770000000000, SNILS=12345678901, INN=770123456789" {
				t.Errorf("String() = %q", got)
			}
		}},
		{"fractional validity and offsets", func(p *certParts) {
			p.validity = seq(generalizedTime("20240115093000.5+0300"), utcTime("2504150930Z"))
		}, func(t *testing.T, c *Certificate) {
			if !c.NotBefore.Equal(time.Date(2024, 1, 15, 6, 30, 0, 500_000_000, time.UTC)) || !c.NotAfter.Equal(time.Date(2025, 4, 15, 9, 30, 0, 0, time.UTC)) {
				t.Errorf("validity %v .. %v", c.NotBefore, c.NotAfter)
			}
		}},
		{"PKUP with only notAfter, written as UTCTime", withExtension(extension(oid.ExtPrivateKeyUsagePeriod, nil, seq(tagged(1, []byte("250415093000Z"))))), func(t *testing.T, c *Certificate) {
			if c.PrivateKeyNotBefore != nil || c.PrivateKeyNotAfter == nil || !c.PrivateKeyNotAfter.Equal(time.Date(2025, 4, 15, 9, 30, 0, 0, time.UTC)) {
				t.Errorf("PKUP %v .. %v", c.PrivateKeyNotBefore, c.PrivateKeyNotAfter)
			}
		}},
		{"negative serial", func(p *certParts) { p.serial = tlv(cbasn1.INTEGER, []byte{0xff, 0x7f}) }, func(t *testing.T, c *Certificate) {
			if c.SerialNumber.Int64() != -129 {
				t.Errorf("serial = %v", c.SerialNumber)
			}
		}},
		{"GOST 2012-512 key", func(p *certParts) { p.spki = gostSPKI(oid.GOST2012_512, 128, oid.ParamSetTC26_512C) }, func(t *testing.T, c *Certificate) {
			pk := c.PublicKeyInfo()
			if pk.Family != FamilyGOST2012512 || pk.Bits != 512 || pk.ParamSetKey != "paramset.tc26-512-c" {
				t.Errorf("PublicKeyInfo = %+v", pk)
			}
		}},
		{"GOST 2001 key with digest parameters", func(p *certParts) {
			p.spki = gostSPKI(oid.GOST2001, 64, oid.ParamSetCryptoProXchA, oid.ParamSetGOST3411_94CryptoPro)
		}, func(t *testing.T, c *Certificate) {
			pk := c.PublicKeyInfo()
			if pk.Family != FamilyGOST2001 || pk.Bits != 256 || pk.ParamSetKey != "paramset.cryptopro-xcha" || !pk.DigestParamSet.Equal(oid.ParamSetGOST3411_94CryptoPro) {
				t.Errorf("PublicKeyInfo = %+v", pk)
			}
		}},
		{"GOST key with the parameter set as a bare OID", func(p *certParts) {
			p.spki = seq(algorithm(oid.GOST2012_256, oidElement(oid.ParamSetCryptoProB)), bitString(octets(make([]byte, 64))))
		}, func(t *testing.T, c *Certificate) {
			if pk := c.PublicKeyInfo(); pk.ParamSetKey != "paramset.cryptopro-b" {
				t.Errorf("PublicKeyInfo = %+v", pk)
			}
		}},
		{"unknown key algorithm", func(p *certParts) {
			p.spki = seq(algorithm(asn1.ObjectIdentifier{1, 2, 3, 99}, seq(intElement(5), octets([]byte{1}))), bitString([]byte{7}))
		}, func(t *testing.T, c *Certificate) {
			pk := c.PublicKeyInfo()
			if pk.Family != FamilyUnknown || pk.Bits != 0 || pk.DescriptionKey != "alg.unknown" || pk.ParamSet != nil {
				t.Errorf("PublicKeyInfo = %+v", pk)
			}
			if !bytes.Equal(c.PublicKeyParams, seq(intElement(5), octets([]byte{1}))) || !bytes.Equal(c.PublicKey, []byte{7}) {
				t.Errorf("raw key %x %x", c.PublicKeyParams, c.PublicKey)
			}
		}},
		{"issuerSignTool with other string types and count", withExtension(extension(oid.ExtIssuerSignTool, boolElement(0xff), seq(
			tlv(tagBMPString, []byte{0x04, 0x1a}), tlv(cbasn1.PrintableString, []byte("x"))))), func(t *testing.T, c *Certificate) {
			if !slices.Equal(c.IssuerSignTool, []string{"К", "x"}) {
				t.Errorf("IssuerSignTool = %q", c.IssuerSignTool)
			}
		}},
		{"unique IDs and empty extensions", func(p *certParts) {
			p.uniqueIDs = concat(tagged(1, []byte{0, 1}), tagged(2, []byte{0, 2}))
			p.extensions = extensionsOf()
		}, func(t *testing.T, c *Certificate) {
			if len(c.Extensions) != 0 || c.MaxPathLen != -1 || c.HasKeyUsage {
				t.Errorf("extensions %v", c.Extensions)
			}
		}},
		{"self-signed", func(p *certParts) { p.issuer = p.subject }, func(t *testing.T, c *Certificate) {
			if !c.IsSelfSigned() {
				t.Error("IsSelfSigned = false")
			}
		}},
		{"empty names", func(p *certParts) { p.issuer, p.subject = nameOf(), nameOf(set()) }, func(t *testing.T, c *Certificate) {
			if c.Subject.String() != "" || c.Issuer.CommonName() != "" || len(c.Subject.Attributes) != 0 {
				t.Errorf("subject %q", c.Subject)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := russianParts()
			tt.modify(&parts)
			der := parts.assemble()
			c, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.RawTBSCertificate, parts.tbs()) || !sameMemory(c.RawTBSCertificate, der) {
				t.Error("RawTBSCertificate is not the exact input slice")
			}
			tt.check(t, c)
		})
	}
}

func TestParseVersion1(t *testing.T) {
	parts := v1Parts()
	der := parts.assemble()
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || len(c.Extensions) != 0 || c.MaxPathLen != -1 || c.BasicConstraintsValid {
		t.Errorf("version %d, %d extensions, pathLen %d", c.Version, len(c.Extensions), c.MaxPathLen)
	}
	if !c.IsSelfSigned() || c.Subject.String() != "CN=v1" {
		t.Errorf("subject %q", c.Subject)
	}
	if !c.NotBefore.Equal(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) || !c.NotAfter.Equal(time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("validity %v .. %v", c.NotBefore, c.NotAfter)
	}
	if !bytes.Equal(c.SignatureAlgorithmParams, []byte{5, 0}) {
		t.Errorf("SignatureAlgorithmParams = %x, want the NULL", c.SignatureAlgorithmParams)
	}
	if x, err := c.ToX509(); err != nil || x.Version != 1 || x.PublicKey != nil {
		t.Errorf("ToX509 of a certificate with an unknown key: %v", err)
	}
}

// crypto/x509 rejects what real Russian certificates do; Parse does not.
func TestToX509RefusesWhatParseTolerates(t *testing.T) {
	c, err := Parse(russianParts().assemble())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ToX509(); err == nil {
		t.Error("crypto/x509 accepted a BOOLEAN 01 cA flag")
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		text       string
		yearDigits int
		want       time.Time
		ok         bool
	}{
		{"20240115093000Z", 4, time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC), true},
		{"20240115093000.876Z", 4, time.Date(2024, 1, 15, 9, 30, 0, 876_000_000, time.UTC), true},
		{"20240115093000,5Z", 4, time.Date(2024, 1, 15, 9, 30, 0, 500_000_000, time.UTC), true},
		{"20240115093000.1234567891234Z", 4, time.Date(2024, 1, 15, 9, 30, 0, 123_456_789, time.UTC), true},
		{"20240115093000", 4, time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC), true},
		{"202401150930Z", 4, time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC), true},
		{"20240115093000-0130", 4, time.Date(2024, 1, 15, 11, 0, 0, 0, time.UTC), true},
		{"20240229000000Z", 4, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"20161231235960Z", 4, time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), true}, // leap second
		{"491231235959Z", 2, time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{"500101000000Z", 2, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"240115093000.25Z", 2, time.Date(2024, 1, 15, 9, 30, 0, 250_000_000, time.UTC), true},
		{"20230229000000Z", 4, time.Time{}, false},
		{"20241301000000Z", 4, time.Time{}, false},
		{"20240100000000Z", 4, time.Time{}, false},
		{"20240115240000Z", 4, time.Time{}, false},
		{"20240115096000Z", 4, time.Time{}, false},
		{"20240115093061Z", 4, time.Time{}, false},
		{"20240115093000.Z", 4, time.Time{}, false},
		{"20240115093000ZZ", 4, time.Time{}, false},
		{"20240115093000+3", 4, time.Time{}, false},
		{"20240115093000+2400", 4, time.Time{}, false},
		{"2024011509", 4, time.Time{}, false},
		{"2024-01-15", 4, time.Time{}, false},
		{"", 2, time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.text, tt.yearDigits)
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("parseTime(%q) = %v, %v; want %v ok=%v", tt.text, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.Location() != time.UTC {
			t.Errorf("parseTime(%q) is not in UTC", tt.text)
		}
	}
}
