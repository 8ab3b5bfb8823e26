package crl

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entriesOf(t testing.TB, c *CRL) []Entry {
	t.Helper()
	var out []Entry
	if err := c.Entries(func(e Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatalf("Entries: %v", err)
	}
	if len(out) != c.Count {
		t.Fatalf("Entries gave %d entries, Count is %d", len(out), c.Count)
	}
	return out
}

// TestParseFields checks every field Parse decodes on a CRL that uses
// all the extensions, signed by a GOST CA and checked with sigalg.
func TestParseFields(t *testing.T) {
	ca := newTestCA(t)
	revoked := time.Date(2024, 2, 10, 8, 30, 0, 0, time.UTC)
	spec := baseSpec()
	spec.entries = []testEntry{
		{serial: []byte{0x0A}, revoked: revoked, reason: ReasonKeyCompromise, invalidity: revoked.Add(-48 * time.Hour)},
		{serial: []byte{0x00, 0x80}, revoked: revoked.Add(time.Hour), reason: ReasonNone},
		{serial: bytes.Repeat([]byte{0x7F}, 20), revoked: revoked.Add(2 * time.Hour), reason: ReasonCertificateHold},
	}
	spec.extensions = [][]byte{
		extension(oid.ExtAuthorityKeyID, false, seq(tlv(tagContext0, []byte("test-ca-key-id-00001")))),
		extension(oid.ExtCRLNumber, false, intElement(4242)),
		extension(oid.ExtFreshestCRL, false, seq(seq(distributionPointName("http://ca.example.ru/delta.crl", "ldap://ca.example.ru/cn=delta")))),
		extension(oid.ExtIssuingDistributionPoint, true, seq(
			distributionPointName("http://ca.example.ru/full.crl"),
			tlv(cbasn1.Tag(1).ContextSpecific(), []byte{0xFF}),
			tlv(cbasn1.Tag(3).ContextSpecific(), []byte{0x07, 0x80}),
		)),
	}
	der := ca.sign(t, spec)
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Raw, der) || !bytes.Equal(c.RawIssuer, ca.cert.RawSubject) {
		t.Error("Raw or RawIssuer is not the input's")
	}
	if c.Issuer.CommonName() != "Тестовый УЦ ГОСТ" || c.Issuer.Organization() != "ООО «Тестовый УЦ»" {
		t.Errorf("Issuer = %v", c.Issuer)
	}
	if got := c.Issuer.Attributes[0].RawValue; !bytes.Equal(got, tlv(cbasn1.UTF8String, []byte("RU"))) || !sameMemory(got, der) {
		t.Errorf("RawValue %x is not the CRL's own bytes", got)
	}
	if c.Version != 2 || !c.ThisUpdate.Equal(spec.thisUpdate) || !c.NextUpdate.Equal(spec.nextUpdate) {
		t.Errorf("Version %d ThisUpdate %v NextUpdate %v", c.Version, c.ThisUpdate, c.NextUpdate)
	}
	if c.Number == nil || c.Number.Int64() != 4242 || c.BaseCRLNumber != nil {
		t.Errorf("Number %v BaseCRLNumber %v", c.Number, c.BaseCRLNumber)
	}
	if string(c.AuthorityKeyID) != "test-ca-key-id-00001" {
		t.Errorf("AuthorityKeyID %q", c.AuthorityKeyID)
	}
	if !slices.Equal(c.FreshestCRL, []string{"http://ca.example.ru/delta.crl", "ldap://ca.example.ru/cn=delta"}) {
		t.Errorf("FreshestCRL %q", c.FreshestCRL)
	}
	wantIDP := IssuingDistributionPoint{URLs: []string{"http://ca.example.ru/full.crl"}, OnlyUserCerts: true, OnlySomeReasons: true}
	if c.IDP == nil || !slices.Equal(c.IDP.URLs, wantIDP.URLs) || c.IDP.OnlyUserCerts != true || !c.IDP.OnlySomeReasons ||
		c.IDP.OnlyCACerts || c.IDP.IndirectCRL || c.IDP.OnlyAttributeCerts {
		t.Errorf("IDP %+v, want %+v", c.IDP, wantIDP)
	}
	if len(c.Extensions) != 4 || len(c.UnhandledCritical) != 0 {
		t.Errorf("%d extensions, unhandled critical %v", len(c.Extensions), c.UnhandledCritical)
	}
	if c.Count != 3 {
		t.Fatalf("Count %d", c.Count)
	}
	entries := entriesOf(t, c)
	for i, want := range spec.entries {
		got := entries[i]
		if !bytes.Equal(got.Serial, want.serial) || !got.RevocationTime.Equal(want.revoked) || got.Reason != want.reason ||
			!got.InvalidityDate.Equal(want.invalidity) || got.CertificateIssuer {
			t.Errorf("entry %d = %+v, want %+v", i, got, want)
		}
	}
	if err := sigalg.VerifyMessage(ca.cert, sigalg.Identifier{OID: c.SignatureAlgorithm, Params: c.SignatureAlgorithmParams}, c.RawTBS, c.Signature); err != nil {
		t.Errorf("signature: %v", err)
	}
	tampered := bytes.Clone(c.RawTBS)
	tampered[len(tampered)-1] ^= 1
	if err := sigalg.VerifyMessage(ca.cert, sigalg.Identifier{OID: c.SignatureAlgorithm}, tampered, c.Signature); !errors.Is(err, sigalg.ErrSignatureInvalid) {
		t.Errorf("a changed tbsCertList verifies: %v", err)
	}
}

// sameMemory reports whether b lies inside whole's memory.
func sameMemory(b, whole []byte) bool {
	if len(b) == 0 || len(whole) == 0 {
		return false
	}
	for i := range len(whole) - len(b) + 1 {
		if &whole[i] == &b[0] {
			return true
		}
	}
	return false
}

// TestParseTolerance covers what real CAs write that is not strict DER,
// and the optional parts of the syntax.
func TestParseTolerance(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*crlSpec)
		check func(*testing.T, *CRL)
	}{
		{"v1 without version and extensions", func(s *crlSpec) { s.noVersion = true }, func(t *testing.T, c *CRL) {
			if c.Version != 1 || c.Count != 0 || c.Number != nil {
				t.Errorf("Version %d Count %d", c.Version, c.Count)
			}
		}},
		{"explicit v1", func(s *crlSpec) { s.version = intElement(0) }, func(t *testing.T, c *CRL) {
			if c.Version != 1 {
				t.Errorf("Version %d", c.Version)
			}
		}},
		{"no nextUpdate", func(s *crlSpec) { s.nextUpdate = time.Time{} }, func(t *testing.T, c *CRL) {
			if !c.NextUpdate.IsZero() {
				t.Errorf("NextUpdate %v", c.NextUpdate)
			}
		}},
		{"GeneralizedTime with fractional seconds", func(s *crlSpec) {
			s.rawThis = tlv(cbasn1.GeneralizedTime, []byte("20240301100000.876Z"))
			s.rawNext = tlv(cbasn1.GeneralizedTime, []byte("20240308130000+0300"))
		}, func(t *testing.T, c *CRL) {
			if want := time.Date(2024, 3, 1, 10, 0, 0, 876_000_000, time.UTC); !c.ThisUpdate.Equal(want) {
				t.Errorf("ThisUpdate %v, want %v", c.ThisUpdate, want)
			}
			if want := time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC); !c.NextUpdate.Equal(want) {
				t.Errorf("NextUpdate %v, want %v", c.NextUpdate, want)
			}
		}},
		{"UTCTime without seconds, 19YY", func(s *crlSpec) { s.rawThis = tlv(cbasn1.UTCTime, []byte("9912311200Z")) }, func(t *testing.T, c *CRL) {
			if want := time.Date(1999, 12, 31, 12, 0, 0, 0, time.UTC); !c.ThisUpdate.Equal(want) {
				t.Errorf("ThisUpdate %v", c.ThisUpdate)
			}
		}},
		{"empty revokedCertificates", func(s *crlSpec) { s.rawEntries = seq() }, func(t *testing.T, c *CRL) {
			if c.Count != 0 {
				t.Errorf("Count %d", c.Count)
			}
		}},
		{"BOOLEAN 01 and explicit FALSE", func(s *crlSpec) {
			s.extensions = [][]byte{
				seq(oidElement(oid.ExtCRLNumber), tlv(cbasn1.BOOLEAN, []byte{0}), tlv(cbasn1.OCTET_STRING, intElement(7))),
				seq(oidElement(oid.ExtIssuingDistributionPoint), tlv(cbasn1.BOOLEAN, []byte{1}), tlv(cbasn1.OCTET_STRING,
					seq(tlv(cbasn1.Tag(2).ContextSpecific(), []byte{0x01}), tlv(cbasn1.Tag(4).ContextSpecific(), []byte{0x01})))),
			}
		}, func(t *testing.T, c *CRL) {
			if c.Number.Int64() != 7 || c.Extensions[0].Critical || !c.Extensions[1].Critical {
				t.Errorf("Number %v extensions %+v", c.Number, c.Extensions)
			}
			if c.IDP == nil || !c.IDP.OnlyCACerts || !c.IDP.IndirectCRL || c.IDP.OnlyUserCerts || len(c.IDP.URLs) != 0 {
				t.Errorf("IDP %+v", c.IDP)
			}
		}},
		{"unknown critical CRL and entry extensions", func(s *crlSpec) {
			s.extensions = [][]byte{
				extension(asn1.ObjectIdentifier{1, 2, 3, 4}, true, []byte{0x05, 0x00}),
				extension(asn1.ObjectIdentifier{1, 2, 3, 5}, false, []byte{0x05, 0x00}),
				extension(oid.ExtIssuerAltName, false, seq(uriName("http://x"))),
			}
			crit := extension(asn1.ObjectIdentifier{2, 5, 29, 99}, true, []byte{0x05, 0x00})
			s.entries = []testEntry{
				{serial: []byte{1}, revoked: s.thisUpdate, reason: ReasonNone, extra: [][]byte{crit}},
				{serial: []byte{2}, revoked: s.thisUpdate, reason: ReasonNone, extra: [][]byte{crit}},
				{serial: []byte{3}, revoked: s.thisUpdate, reason: ReasonNone, extra: [][]byte{extension(asn1.ObjectIdentifier{1, 2, 3, 6}, false, nil)}},
			}
		}, func(t *testing.T, c *CRL) {
			want := []asn1.ObjectIdentifier{{1, 2, 3, 4}, {2, 5, 29, 99}}
			if !slices.EqualFunc(c.UnhandledCritical, want, asn1.ObjectIdentifier.Equal) {
				t.Errorf("UnhandledCritical %v, want %v", c.UnhandledCritical, want)
			}
		}},
		{"reason as INTEGER, unknown reason value", func(s *crlSpec) {
			s.entries = []testEntry{
				{serial: []byte{1}, revoked: s.thisUpdate, reason: ReasonNone, extra: [][]byte{extension(oid.ExtReasonCode, false, intElement(5))}},
				{serial: []byte{2}, revoked: s.thisUpdate, reason: ReasonNone, extra: [][]byte{extension(oid.ExtReasonCode, false, tlv(cbasn1.ENUM, []byte{0, 7}))}},
			}
		}, func(t *testing.T, c *CRL) {
			e := entriesOf(t, c)
			if e[0].Reason != ReasonCessationOfOperation || e[1].Reason != 7 || e[1].Reason.String() != "reason-7" {
				t.Errorf("reasons %v %v", e[0].Reason, e[1].Reason)
			}
		}},
		{"deltaCRLIndicator", func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, intElement(11)), extension(oid.ExtDeltaCRLIndicator, true, intElement(10))}
		}, func(t *testing.T, c *CRL) {
			if c.BaseCRLNumber == nil || c.BaseCRLNumber.Int64() != 10 || c.Number.Int64() != 11 || len(c.UnhandledCritical) != 0 {
				t.Errorf("BaseCRLNumber %v Number %v", c.BaseCRLNumber, c.Number)
			}
		}},
		{"huge CRL number", func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, tlv(cbasn1.INTEGER, bytes.Repeat([]byte{0x11}, 20)))}
		}, func(t *testing.T, c *CRL) {
			if want, _ := new(big.Int).SetString("1111111111111111111111111111111111111111", 16); c.Number.Cmp(want) != 0 {
				t.Errorf("Number %x", c.Number)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := baseSpec()
			tt.edit(&spec)
			c, err := Parse(spec.build())
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// TestParsePEM reads the PEM "X509 CRL" that `openssl ca -gencrl` writes
// and some CDPs serve, and refuses other PEM blocks by name.
func TestParsePEM(t *testing.T) {
	spec := baseSpec()
	spec.entries = []testEntry{{serial: []byte{5}, revoked: spec.thisUpdate, reason: ReasonSuperseded}}
	der := spec.build()
	for _, typ := range []string{"X509 CRL", "CRL"} {
		text := append([]byte("Certificate Revocation List (CRL):\n  Version 2 (0x1)\n"), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
		c, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !bytes.Equal(c.Raw, der) || c.Count != 1 {
			t.Errorf("%s: Raw is not the DER inside", typ)
		}
	}
	_, err := Parse(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Field != "pem" || !errors.Is(err, cert.ErrBadValue) {
		t.Errorf("a CERTIFICATE block: %v", err)
	}
}

// TestIndirectCRL: certificateIssuer applies to its entry and the ones
// after it (RFC 5280 5.3.3), and naming the CRL issuer again ends that.
func TestIndirectCRL(t *testing.T) {
	spec := baseSpec()
	other := nameElement("C", "RU", "CN", "Другой УЦ")
	at := spec.thisUpdate.Add(-time.Hour)
	spec.extensions = [][]byte{extension(oid.ExtIssuingDistributionPoint, true, seq(tlv(cbasn1.Tag(4).ContextSpecific(), []byte{0xFF})))}
	spec.entries = []testEntry{
		{serial: []byte{1}, revoked: at, reason: ReasonNone},
		{serial: []byte{2}, revoked: at, reason: ReasonNone, issuer: other},
		{serial: []byte{3}, revoked: at, reason: ReasonNone},
		{serial: []byte{4}, revoked: at, reason: ReasonNone, issuer: spec.issuer},
		{serial: []byte{5}, revoked: at, reason: ReasonNone},
	}
	c, err := Parse(spec.build())
	if err != nil {
		t.Fatal(err)
	}
	if !c.IDP.IndirectCRL {
		t.Error("indirectCRL not read")
	}
	var flags []bool
	for _, e := range entriesOf(t, c) {
		flags = append(flags, e.CertificateIssuer)
	}
	if want := []bool{false, true, true, false, false}; !slices.Equal(flags, want) {
		t.Errorf("CertificateIssuer %v, want %v", flags, want)
	}
}

func TestSerialBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "0080"}, {255, "00ff"}, {256, "0100"},
		{-1, "ff"}, {-128, "80"}, {-129, "ff7f"}, {-256, "ff00"},
	}
	for _, tt := range tests {
		got := SerialBytes(big.NewInt(tt.n))
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("SerialBytes(%d) = %x, want %s", tt.n, got, tt.want)
		}
		// The same octets DER gives.
		der, _ := asn1.Marshal(big.NewInt(tt.n))
		if !bytes.Equal(der[2:], got) {
			t.Errorf("SerialBytes(%d) = %x, encoding/asn1 writes %x", tt.n, got, der[2:])
		}
	}
	if SerialBytes(nil) != nil {
		t.Error("SerialBytes(nil) is not nil")
	}
	big20 := new(big.Int).SetBytes(bytes.Repeat([]byte{0xAB}, 20))
	if got := SerialBytes(big20); len(got) != 21 || got[0] != 0 {
		t.Errorf("a 20-octet serial with the top bit set: %x", got)
	}
}

func TestReasonString(t *testing.T) {
	for r, want := range map[Reason]string{
		ReasonNone: "", ReasonKeyCompromise: "keyCompromise", ReasonRemoveFromCRL: "removeFromCRL",
		ReasonAACompromise: "aACompromise", Reason(7): "reason-7",
	} {
		if r.String() != want {
			t.Errorf("%d: %q, want %q", int(r), r.String(), want)
		}
	}
}

// TestParseTime checks the calendar arithmetic against package time.
func TestParseTime(t *testing.T) {
	tests := []struct {
		text string
		tag  cbasn1.Tag
		want time.Time
	}{
		{"700101000000Z", cbasn1.UTCTime, time.Unix(0, 0)},
		{"491231235959Z", cbasn1.UTCTime, time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"500101000000Z", cbasn1.UTCTime, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"240229120000Z", cbasn1.UTCTime, time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"20000229000000Z", cbasn1.GeneralizedTime, time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"16001231235959Z", cbasn1.GeneralizedTime, time.Date(1600, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"00010101000000Z", cbasn1.GeneralizedTime, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"99991231235959Z", cbasn1.GeneralizedTime, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"20241231235960Z", cbasn1.GeneralizedTime, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"20240101000000,5Z", cbasn1.GeneralizedTime, time.Date(2024, 1, 1, 0, 0, 0, 500_000_000, time.UTC)},
		{"20240101000000.1234567891Z", cbasn1.GeneralizedTime, time.Date(2024, 1, 1, 0, 0, 0, 123_456_789, time.UTC)},
		{"20240101000000-0130", cbasn1.GeneralizedTime, time.Date(2024, 1, 1, 1, 30, 0, 0, time.UTC)},
		{"20240101000000", cbasn1.GeneralizedTime, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTimeTag([]byte(tt.text), tt.tag)
		if err != nil || !got.time().Equal(tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.text, got.time(), err, tt.want)
		}
	}
	for _, bad := range []string{"", "24022912", "240230120000Z", "230229120000Z", "241301000000Z", "240101240000Z",
		"240101006000Z", "240101000061Z", "240101000000.Z", "240101000000+2400", "240101000000Zx", "24010100000Z", "2401010000a0Z"} {
		if _, err := parseTimeTag([]byte(bad), cbasn1.UTCTime); !errors.Is(err, cert.ErrBadValue) {
			t.Errorf("%q: %v, want ErrBadValue", bad, err)
		}
	}
	if _, err := parseTimeTag([]byte("240101000000Z"), cbasn1.PrintableString); !errors.Is(err, cert.ErrBadValue) {
		t.Errorf("a PrintableString time: %v", err)
	}
}
