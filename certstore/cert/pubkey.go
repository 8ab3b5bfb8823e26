package cert

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/asn1read"
)

// Public-key families of PublicKeyInfo.Family. Each is also the key of the
// algorithm in the oid registry, so "alg."+Family names it in the
// translations.
const (
	FamilyRSA         = "rsa"
	FamilyECDSA       = "ecdsa"
	FamilyEd25519     = "ed25519"
	FamilyGOST2012256 = "gost2012-256"
	FamilyGOST2012512 = "gost2012-512"
	FamilyGOST2001    = "gost2001"
	FamilyUnknown     = "unknown"
)

// PublicKeyInfo summarises the subject's public key for people.
type PublicKeyInfo struct {
	Family string // one of the Family* constants
	Bits   int    // key size: RSA modulus bits, curve size, 256/512 for GOST; 0 when unknown
	// ParamSet is the named curve (ECDSA) or the GOST publicKeyParamSet;
	// nil when the key names none.
	ParamSet asn1.ObjectIdentifier
	// DigestParamSet is the GOST digestParamSet, when the key names one.
	DigestParamSet asn1.ObjectIdentifier
	// DescriptionKey is the translation key of the algorithm's name:
	// "alg.gost2012-256" ("ГОСТ Р 34.10-2012, 256 бит"), or "alg.unknown".
	DescriptionKey string
	// ParamSetKey is the translation key of ParamSet, e.g.
	// "paramset.tc26-256-a"; "" when there is none or it is not registered.
	ParamSetKey string
}

// PublicKeyInfo describes the subject public key. It never fails: what it
// cannot work out is left zero.
func (c *Certificate) PublicKeyInfo() PublicKeyInfo {
	info := PublicKeyInfo{Family: FamilyUnknown}
	switch alg := c.PublicKeyAlgorithm; {
	case alg.Equal(oid.RSAEncryption):
		info.Family, info.Bits = FamilyRSA, rsaModulusBits(c.PublicKey)
	case alg.Equal(oid.ECPublicKey):
		info.Family = FamilyECDSA
		info.ParamSet = namedCurve(c.PublicKeyParams)
		info.Bits = curveBits(info.ParamSet, c.PublicKey)
	case alg.Equal(oid.Ed25519):
		info.Family, info.Bits = FamilyEd25519, 256
	case alg.Equal(oid.GOST2012_256):
		info.Family, info.Bits = FamilyGOST2012256, 256
		info.ParamSet, info.DigestParamSet = gostParams(c.PublicKeyParams)
	case alg.Equal(oid.GOST2012_512):
		info.Family, info.Bits = FamilyGOST2012512, 512
		info.ParamSet, info.DigestParamSet = gostParams(c.PublicKeyParams)
	case alg.Equal(oid.GOST2001):
		info.Family, info.Bits = FamilyGOST2001, 256
		info.ParamSet, info.DigestParamSet = gostParams(c.PublicKeyParams)
	}
	info.DescriptionKey = "alg." + info.Family
	if known, ok := oid.Lookup(info.ParamSet); info.ParamSet != nil && ok {
		info.ParamSetKey = known.TranslationKey()
	}
	return info
}

// rsaModulusBits reads RSAPublicKey ::= SEQUENCE { modulus, publicExponent }.
func rsaModulusBits(key []byte) int {
	s := cryptobyte.String(key)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return 0
	}
	n, ok := asn1read.Integer(&seq)
	if !ok {
		return 0
	}
	return n.BitLen()
}

// namedCurve reads ECParameters when they are a namedCurve OID.
func namedCurve(params []byte) asn1.ObjectIdentifier {
	s := cryptobyte.String(params)
	var curve asn1.ObjectIdentifier
	if !s.ReadASN1ObjectIdentifier(&curve) {
		return nil
	}
	return curve
}

func curveBits(curve asn1.ObjectIdentifier, point []byte) int {
	switch {
	case curve.Equal(oid.CurveP224):
		return 224
	case curve.Equal(oid.CurveP256):
		return 256
	case curve.Equal(oid.CurveP384):
		return 384
	case curve.Equal(oid.CurveP521):
		return 521
	}
	// An unknown curve: an uncompressed point is 04 || X || Y.
	if len(point) > 1 && point[0] == 4 {
		return (len(point) - 1) / 2 * 8
	}
	return 0
}

// gostParams reads GostR3410-2012-PublicKeyParameters ::= SEQUENCE {
// publicKeyParamSet OID, digestParamSet OID OPTIONAL } (RFC 9215; the 2001
// form of RFC 4491 adds an encryptionParamSet, ignored here). A bare OID is
// taken as the publicKeyParamSet.
func gostParams(params []byte) (paramSet, digestParamSet asn1.ObjectIdentifier) {
	s := cryptobyte.String(params)
	if s.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		if !s.ReadASN1ObjectIdentifier(&paramSet) {
			return nil, nil
		}
		return paramSet, nil
	}
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&paramSet) {
		return nil, nil
	}
	if !seq.ReadASN1ObjectIdentifier(&digestParamSet) {
		digestParamSet = nil
	}
	return paramSet, digestParamSet
}
