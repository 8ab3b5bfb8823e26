package gost3410

import (
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/gost/streebog"
)

// rfc9215Example512 is the self-signed example certificate for 512-bit keys
// published with RFC 9215's examples (CN=Example, serial 11, the 512-bit
// test parameter set, key and nonce of GOST R 34.10-2012 example A.2 —
// hence r equals that example's r). It is public data.
const rfc9215Example512 = "308201aa30820116a00302010202010b300a06082a8503070101030330123110300e" +
	"060355040313074578616d706c653020170d3031303130313030303030305a180f3230" +
	"3530313233313030303030305a30123110300e060355040313074578616d706c653081" +
	"a0301706082a85030701010102300b06092a850307010201020003818400048180e1ef" +
	"30d52c6133ddd99d1d5c41455cf7df4d8b4c925bbc69af1433d15658515add2146850c" +
	"325c5b81c133be655aa8c4d440e7b98a8d59487b0c7696bcc55d11ecbe7736a9ec357f" +
	"f2fd39931f4e114cb8cda359270ac7f0e7ff43d9419419ea61fd2ab77f5d9f63523d3b" +
	"50a04f63e2a0cf51b7c13adc21560f0bd40cc9c737a3133011300f0603551d130101ff" +
	"040530030101ff300a06082a8503070101030303818100415703d892f1a5f3f68c4353" +
	"189a7ee207b80b5631ef9d49529a4d6b542c2cfa15aa2eacf11f470fde7d954856903c" +
	"35fd8f955ef300d95c77534a724a0eee702f86fa60a081091a23dd795e1e3c689ee512" +
	"a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd" +
	"9c5c3317e19344e173ae36"

// TestRFC9215ExampleCertificate verifies a published certificate end to end:
// SubjectPublicKeyInfo parsing (short-form parameters, little-endian
// point), the Streebog-512 digest of the TBSCertificate read little-endian,
// and the s||r signature value.
func TestRFC9215ExampleCertificate(t *testing.T) {
	der, err := hex.DecodeString(rfc9215Example512)
	if err != nil {
		t.Fatal(err)
	}
	input := cryptobyte.String(der)
	var cert, tbs, spki, sigAlg, bits cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&sigAlg, cbasn1.SEQUENCE) {
		t.Fatal("certificate structure")
	}
	var sigOID asn1.ObjectIdentifier
	if !sigAlg.ReadASN1ObjectIdentifier(&sigOID) || !sigOID.Equal(OIDSignWithDigest2012_512) {
		t.Fatalf("signature algorithm %v", sigOID)
	}
	if !cert.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) < 1 || bits[0] != 0 {
		t.Fatal("signature BIT STRING")
	}
	sig := []byte(bits[1:])
	// Walk the TBSCertificate to its SubjectPublicKeyInfo.
	body := tbs
	var inner cryptobyte.String
	if !body.ReadASN1(&inner, cbasn1.SEQUENCE) {
		t.Fatal("TBSCertificate")
	}
	var skip cryptobyte.String
	if !inner.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!inner.ReadASN1(&skip, cbasn1.INTEGER) || // serial
		!inner.ReadASN1(&skip, cbasn1.SEQUENCE) || // signature
		!inner.ReadASN1(&skip, cbasn1.SEQUENCE) || // issuer
		!inner.ReadASN1(&skip, cbasn1.SEQUENCE) || // validity
		!inner.ReadASN1(&skip, cbasn1.SEQUENCE) || // subject
		!inner.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		t.Fatal("TBSCertificate fields")
	}
	pub, params, err := ParseSPKI(spki)
	if err != nil {
		t.Fatalf("ParseSPKI: %v", err)
	}
	if params.Curve != CurveTest512() || params.Digest != nil {
		t.Fatalf("parameters %v %v", params.Curve, params.Digest)
	}
	if want, _ := new(big.Int).SetString(katVectors[1].qx, 16); pub.X.Cmp(want) != 0 {
		t.Fatal("public key is not the A.2 example key")
	}
	digest := streebog.Sum512(tbs)
	if !Verify(pub, digest[:], sig) {
		t.Fatal("the example certificate's signature does not verify")
	}
	r, _, err := ParseSignature(pub.Curve, sig)
	if wantR, _ := new(big.Int).SetString(katVectors[1].r, 16); err != nil || r.Cmp(wantR) != 0 {
		t.Fatalf("r = %x, want the A.2 example's r (same key and nonce)", r)
	}
	tampered := []byte(string(tbs))
	tampered[len(tampered)-1] ^= 1
	d2 := streebog.Sum512(tampered)
	if Verify(pub, d2[:], sig) {
		t.Fatal("verifies a modified certificate")
	}
}
