package cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/oid"
)

type generatedKey struct {
	name     string
	signer   crypto.Signer
	family   string
	bits     int
	paramSet asn1.ObjectIdentifier
	sigAlg   asn1.ObjectIdentifier // what a certificate signed by this key carries
}

func generateKeys(t testing.TB) []generatedKey {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return []generatedKey{
		{"rsa2048", rsaKey, FamilyRSA, 2048, nil, oid.SHA256WithRSA},
		{"ecdsa-p256", p256, FamilyECDSA, 256, oid.CurveP256, oid.ECDSAWithSHA256},
		{"ecdsa-p384", p384, FamilyECDSA, 384, oid.CurveP384, oid.ECDSAWithSHA384},
		{"ed25519", edKey, FamilyEd25519, 256, nil, oid.Ed25519},
	}
}

// generatedChain makes a CA certificate and a leaf it issues, both with the
// given key (the leaf is signed by the CA's key, so the same algorithm).
func generatedChain(t testing.TB, key crypto.Signer) (ca, leaf []byte) {
	t.Helper()
	notBefore := time.Date(2024, 2, 29, 12, 30, 45, 0, time.UTC)
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(0x0102030405),
		Subject: pkix.Name{
			CommonName:   "Тестовый УЦ",
			Organization: []string{"ООО «Ромашка»"},
			Country:      []string{"RU"},
			Locality:     []string{"Москва"},
		},
		NotBefore:             notBefore,
		NotAfter:              notBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
		SubjectKeyId:          []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
	}
	ca, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(ca)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := new(big.Int).SetString("7fa1b2c3d4e5f60718293a4b5c6d7e8f90", 16)
	leafTemplate := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "Иванов Иван Иванович",
			Organization:       []string{"ООО Ромашка"},
			OrganizationalUnit: []string{"Бухгалтерия"},
			Country:            []string{"RU"},
			Province:           []string{"77 г. Москва"},
			StreetAddress:      []string{"ул. Ленина, д. 1"},
			SerialNumber:       "12345",
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: oid.INN, Value: "770123456789"},
				{Type: oid.SNILS, Value: "12345678901"},
				{Type: oid.EmailAddress, Value: "ivanov@example.ru"},
			},
		},
		NotBefore:             notBefore.Add(time.Hour),
		NotAfter:              notBefore.AddDate(1, 3, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment | x509.KeyUsageDecipherOnly,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 2, 643, 2, 2, 34, 6}},
		BasicConstraintsValid: true,
		IsCA:                  false,
		MaxPathLen:            -1,
		PolicyIdentifiers:     []asn1.ObjectIdentifier{oid.PolicyKC1, oid.PolicyKC2},
		CRLDistributionPoints: []string{"http://ca.example.ru/crl/1.crl", "http://ca2.example.ru/crl/1.crl"},
		OCSPServer:            []string{"http://ocsp.example.ru/ocsp"},
		IssuingCertificateURL: []string{"http://ca.example.ru/ca.cer"},
		DNSNames:              []string{"example.ru", "www.example.ru"},
		EmailAddresses:        []string{"ivanov@example.ru"},
		ExtraExtensions: []pkix.Extension{
			// subjectSignTool, critical as some CAs mark it.
			{Id: oid.ExtSubjectSignTool, Critical: true, Value: mustMarshalUTF8("СКЗИ «КриптоПро CSP» (версия 5.0)")},
		},
	}
	leaf, err = x509.CreateCertificate(rand.Reader, leafTemplate, caCert, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ca, leaf
}

func mustMarshalUTF8(s string) []byte {
	b, err := asn1.MarshalWithParams(s, "utf8")
	if err != nil {
		panic(err)
	}
	return b
}

// TestParseMatchesCryptoX509 parses certificates made by crypto/x509 and
// checks every field Podpis decodes against what crypto/x509 reads.
func TestParseMatchesCryptoX509(t *testing.T) {
	for _, key := range generateKeys(t) {
		ca, leaf := generatedChain(t, key.signer)
		for _, tc := range []struct {
			name string
			der  []byte
		}{{"ca", ca}, {"leaf", leaf}} {
			t.Run(key.name+"/"+tc.name, func(t *testing.T) {
				want, err := x509.ParseCertificate(tc.der)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Parse(tc.der)
				if err != nil {
					t.Fatal(err)
				}
				compareWithX509(t, got, want)
				if !got.SignatureAlgorithm.Equal(key.sigAlg) || !got.TBSSignatureAlgorithm.Equal(key.sigAlg) {
					t.Errorf("signature algorithm %v / %v, want %v", got.SignatureAlgorithm, got.TBSSignatureAlgorithm, key.sigAlg)
				}
				pk := got.PublicKeyInfo()
				if pk.Family != key.family || pk.Bits != key.bits || !pk.ParamSet.Equal(key.paramSet) {
					t.Errorf("PublicKeyInfo = %+v, want %s %d %v", pk, key.family, key.bits, key.paramSet)
				}
				if pk.DescriptionKey != "alg."+key.family {
					t.Errorf("DescriptionKey = %q", pk.DescriptionKey)
				}
				if key.paramSet != nil && pk.ParamSetKey == "" {
					t.Errorf("curve %v has no ParamSetKey", key.paramSet)
				}
				x, err := got.ToX509()
				if err != nil || !x.Equal(want) {
					t.Errorf("ToX509: %v", err)
				}
				if !want.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.signer.Public()) {
					t.Error("generated key mismatch")
				}
			})
		}
	}
}

func compareWithX509(t *testing.T, got *Certificate, want *x509.Certificate) {
	t.Helper()
	for _, raw := range []struct {
		name      string
		got, want []byte
	}{
		{"Raw", got.Raw, want.Raw},
		{"RawTBSCertificate", got.RawTBSCertificate, want.RawTBSCertificate},
		{"RawSubject", got.RawSubject, want.RawSubject},
		{"RawIssuer", got.RawIssuer, want.RawIssuer},
		{"RawSubjectPublicKeyInfo", got.RawSubjectPublicKeyInfo, want.RawSubjectPublicKeyInfo},
		{"Signature", got.Signature, want.Signature},
		{"SubjectKeyID", got.SubjectKeyID, want.SubjectKeyId},
		{"AuthorityKeyID", got.AuthorityKeyID, want.AuthorityKeyId},
	} {
		if !bytes.Equal(raw.got, raw.want) {
			t.Errorf("%s differs:\n got %x\nwant %x", raw.name, raw.got, raw.want)
		}
	}
	if got.Version != want.Version {
		t.Errorf("Version = %d, want %d", got.Version, want.Version)
	}
	if got.SerialNumber.Cmp(want.SerialNumber) != 0 {
		t.Errorf("SerialNumber = %v, want %v", got.SerialNumber, want.SerialNumber)
	}
	if !got.NotBefore.Equal(want.NotBefore) || !got.NotAfter.Equal(want.NotAfter) {
		t.Errorf("validity %v..%v, want %v..%v", got.NotBefore, got.NotAfter, want.NotBefore, want.NotAfter)
	}
	compareName(t, "Subject", got.Subject, want.Subject)
	compareName(t, "Issuer", got.Issuer, want.Issuer)
	if got.Subject.CommonName() != want.Subject.CommonName {
		t.Errorf("CommonName = %q, want %q", got.Subject.CommonName(), want.Subject.CommonName)
	}
	if got.IsSelfSigned() != bytes.Equal(want.RawIssuer, want.RawSubject) {
		t.Errorf("IsSelfSigned = %v", got.IsSelfSigned())
	}

	if got.HasKeyUsage != (want.KeyUsage != 0) || int(got.KeyUsage) != int(want.KeyUsage) {
		t.Errorf("KeyUsage = %b (%v), want %b", got.KeyUsage, got.HasKeyUsage, want.KeyUsage)
	}
	if got.BasicConstraintsValid != want.BasicConstraintsValid || got.IsCA != want.IsCA {
		t.Errorf("basicConstraints %v/%v, want %v/%v", got.BasicConstraintsValid, got.IsCA, want.BasicConstraintsValid, want.IsCA)
	}
	wantPathLen := want.MaxPathLen
	if want.MaxPathLen == 0 && !want.MaxPathLenZero {
		wantPathLen = -1
	}
	if got.MaxPathLen != wantPathLen {
		t.Errorf("MaxPathLen = %d, want %d", got.MaxPathLen, wantPathLen)
	}
	if !slices.EqualFunc(got.Policies, want.PolicyIdentifiers, asn1.ObjectIdentifier.Equal) {
		t.Errorf("Policies = %v, want %v", got.Policies, want.PolicyIdentifiers)
	}
	stringLists := []struct {
		name      string
		got, want []string
	}{
		{"CRLDistributionPoints", got.CRLDistributionPoints, want.CRLDistributionPoints},
		{"OCSPServers", got.OCSPServers, want.OCSPServer},
		{"IssuingCertificateURL", got.IssuingCertificateURL, want.IssuingCertificateURL},
		{"DNSNames", got.DNSNames, want.DNSNames},
		{"EmailAddresses", got.EmailAddresses, want.EmailAddresses},
	}
	for _, l := range stringLists {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %q, want %q", l.name, l.got, l.want)
		}
	}

	if len(got.Extensions) != len(want.Extensions) {
		t.Fatalf("%d extensions, want %d", len(got.Extensions), len(want.Extensions))
	}
	for i, e := range want.Extensions {
		g := got.Extensions[i]
		if !g.ID.Equal(e.Id) || g.Critical != e.Critical || !bytes.Equal(g.Value, e.Value) {
			t.Errorf("extension %d = %v %v %x, want %v %v %x", i, g.ID, g.Critical, g.Value, e.Id, e.Critical, e.Value)
		}
		if e.Id.Equal(oid.ExtExtendedKeyUsage) {
			// crypto/x509 maps the purposes to an enum; decode the
			// extension independently with encoding/asn1 instead.
			var purposes []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(e.Value, &purposes); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got.ExtKeyUsage, purposes, asn1.ObjectIdentifier.Equal) {
				t.Errorf("ExtKeyUsage = %v, want %v", got.ExtKeyUsage, purposes)
			}
		}
	}
	if len(want.UnhandledCriticalExtensions) == 0 && len(got.UnhandledCriticalExtensions()) != 0 {
		t.Errorf("UnhandledCriticalExtensions = %v", got.UnhandledCriticalExtensions())
	}
}

func compareName(t *testing.T, which string, got Name, want pkix.Name) {
	t.Helper()
	if len(got.Attributes) != len(want.Names) {
		t.Fatalf("%s has %d attributes, want %d", which, len(got.Attributes), len(want.Names))
	}
	for i, atv := range want.Names {
		a := got.Attributes[i]
		if !a.Type.Equal(atv.Type) || a.Value != atv.Value {
			t.Errorf("%s attribute %d = %v %q, want %v %q", which, i, a.Type, a.Value, atv.Type, atv.Value)
		}
	}
}

// The one-line form is most specific first, with registry short names.
func TestNameStringOfGeneratedCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, leaf := generatedChain(t, key)
	c, err := Parse(leaf)
	if err != nil {
		t.Fatal(err)
	}
	// crypto/x509 writes C, ST, STREET, O, OU, CN, SERIALNUMBER, then
	// ExtraNames; String reverses that.
	const wantSubject = "E=ivanov@example.ru, SNILS=12345678901, INN=770123456789, SERIALNUMBER=12345, " +
		"CN=Иванов Иван Иванович, OU=Бухгалтерия, O=ООО Ромашка, STREET=ул. Ленина, д. 1, ST=77 г. Москва, C=RU"
	if got := c.Subject.String(); got != wantSubject {
		t.Errorf("Subject.String() =\n %q\nwant\n %q", got, wantSubject)
	}
	if got, want := c.Issuer.String(), "CN=Тестовый УЦ, O=ООО «Ромашка», L=Москва, C=RU"; got != want {
		t.Errorf("Issuer.String() = %q, want %q", got, want)
	}
	if got := c.Subject.Organization(); got != "ООО Ромашка" {
		t.Errorf("Organization() = %q", got)
	}
	if got := c.Subject.Get(oid.INN); got != "770123456789" {
		t.Errorf("Get(INN) = %q", got)
	}
	if c.SubjectSignTool != "СКЗИ «КриптоПро CSP» (версия 5.0)" {
		t.Errorf("SubjectSignTool = %q", c.SubjectSignTool)
	}
}
