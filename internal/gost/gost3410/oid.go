package gost3410

import (
	"encoding/asn1"
	"slices"
)

// The one OID table of GOST R 34.10 (public key algorithms, signature
// algorithms, digests and parameter sets). Sources: RFC 9215 (2012
// algorithms in X.509), RFC 4491 and RFC 4357 (2001 algorithms and the
// CryptoPro parameter sets), RFC 7836 (TC26 parameter sets); each OID was
// also checked against OpenSSL's object table (`openssl asn1parse -genstr
// OID:...` names them all).
var (
	// Public key algorithms (SubjectPublicKeyInfo.algorithm).
	OIDPublicKey2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1} // id-tc26-gost3410-12-256
	OIDPublicKey2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2} // id-tc26-gost3410-12-512
	OIDPublicKey2001     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}      // id-GostR3410-2001

	// Signature algorithms (signatureAlgorithm in certificates and CMS).
	OIDSignWithDigest2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2} // id-tc26-signwithdigest-gost3410-12-256
	OIDSignWithDigest2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3} // id-tc26-signwithdigest-gost3410-12-512
	OIDSignWithDigest2001     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 3}       // id-GostR3411-94-with-GostR3410-2001

	// Digest algorithms; the same OIDs serve as digestParamSet in 2012 keys.
	OIDStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2} // id-tc26-gost3411-12-256
	OIDStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3} // id-tc26-gost3411-12-512
	OIDGOST341194  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 9}       // id-GostR3411-94
	// digestParamSet of GOST R 34.10-2001 keys (RFC 4357 section 11.2).
	OIDGOST341194CryptoProParamSet = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1}

	// Parameter sets (publicKeyParamSet).
	OIDParamSetTest256     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}
	OIDParamSetCryptoProA  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}
	OIDParamSetCryptoProB  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}
	OIDParamSetCryptoProC  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}
	OIDParamSetCryptoProXA = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}
	OIDParamSetCryptoProXB = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}
	OIDParamSetTC26_256A   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}
	OIDParamSetTC26_256B   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}
	OIDParamSetTC26_256C   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}
	OIDParamSetTC26_256D   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}
	OIDParamSetTest512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}
	OIDParamSetTC26_512A   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}
	OIDParamSetTC26_512B   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}
	OIDParamSetTC26_512C   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}
)

// curveIndex names the entries of the curve registry.
type curveIndex int

const (
	idxTest256 curveIndex = iota
	idxCryptoProA
	idxCryptoProB
	idxCryptoProC
	idxCryptoProXA
	idxCryptoProXB
	idxTC26256A
	idxTC26256B
	idxTC26256C
	idxTC26256D
	idxTest512
	idxTC26512A
	idxTC26512B
	idxTC26512C
	numCurves
)

// registry holds every parameter set. It is built once at package
// initialisation and never modified; the per-curve base point tables
// inside are filled lazily under sync.Once.
var registry = buildRegistry()

func buildRegistry() [numCurves]*Curve {
	test256 := newCurveParams(&defTest256, 32)
	cpA := newCurveParams(&defCryptoProA, 32)
	cpB := newCurveParams(&defCryptoProB, 32)
	cpC := newCurveParams(&defCryptoProC, 32)
	tcA := newCurveParams(&defTC26256A, 32)
	test512 := newCurveParams(&defTest512, 64)
	tc512A := newCurveParams(&defTC26512A, 64)
	tc512B := newCurveParams(&defTC26512B, 64)
	tc512C := newCurveParams(&defTC26512C, 64)
	return [numCurves]*Curve{
		idxTest256:     {name: "id-GostR3410-2001-TestParamSet", oid: OIDParamSetTest256, params: test256},
		idxCryptoProA:  {name: "id-GostR3410-2001-CryptoPro-A-ParamSet", oid: OIDParamSetCryptoProA, params: cpA},
		idxCryptoProB:  {name: "id-GostR3410-2001-CryptoPro-B-ParamSet", oid: OIDParamSetCryptoProB, params: cpB},
		idxCryptoProC:  {name: "id-GostR3410-2001-CryptoPro-C-ParamSet", oid: OIDParamSetCryptoProC, params: cpC},
		idxCryptoProXA: {name: "id-GostR3410-2001-CryptoPro-XchA-ParamSet", oid: OIDParamSetCryptoProXA, params: cpA},
		idxCryptoProXB: {name: "id-GostR3410-2001-CryptoPro-XchB-ParamSet", oid: OIDParamSetCryptoProXB, params: cpC},
		idxTC26256A:    {name: "id-tc26-gost-3410-2012-256-paramSetA", oid: OIDParamSetTC26_256A, params: tcA},
		idxTC26256B:    {name: "id-tc26-gost-3410-2012-256-paramSetB", oid: OIDParamSetTC26_256B, params: cpA},
		idxTC26256C:    {name: "id-tc26-gost-3410-2012-256-paramSetC", oid: OIDParamSetTC26_256C, params: cpB},
		idxTC26256D:    {name: "id-tc26-gost-3410-2012-256-paramSetD", oid: OIDParamSetTC26_256D, params: cpC},
		idxTest512:     {name: "id-tc26-gost-3410-2012-512-paramSetTest", oid: OIDParamSetTest512, params: test512},
		idxTC26512A:    {name: "id-tc26-gost-3410-12-512-paramSetA", oid: OIDParamSetTC26_512A, params: tc512A},
		idxTC26512B:    {name: "id-tc26-gost-3410-12-512-paramSetB", oid: OIDParamSetTC26_512B, params: tc512B},
		idxTC26512C:    {name: "id-tc26-gost-3410-2012-512-paramSetC", oid: OIDParamSetTC26_512C, params: tc512C},
	}
}

// Accessors for the parameter sets. Each returns the same *Curve every
// time, so curves can be compared with ==.
func CurveTest256() *Curve     { return registry[idxTest256] }
func CurveCryptoProA() *Curve  { return registry[idxCryptoProA] }
func CurveCryptoProB() *Curve  { return registry[idxCryptoProB] }
func CurveCryptoProC() *Curve  { return registry[idxCryptoProC] }
func CurveCryptoProXA() *Curve { return registry[idxCryptoProXA] }
func CurveCryptoProXB() *Curve { return registry[idxCryptoProXB] }
func CurveTC26_256A() *Curve   { return registry[idxTC26256A] }
func CurveTC26_256B() *Curve   { return registry[idxTC26256B] }
func CurveTC26_256C() *Curve   { return registry[idxTC26256C] }
func CurveTC26_256D() *Curve   { return registry[idxTC26256D] }
func CurveTest512() *Curve     { return registry[idxTest512] }
func CurveTC26_512A() *Curve   { return registry[idxTC26512A] }
func CurveTC26_512B() *Curve   { return registry[idxTC26512B] }
func CurveTC26_512C() *Curve   { return registry[idxTC26512C] }

// Curves returns every known parameter set, test sets included.
func Curves() []*Curve { return slices.Clone(registry[:]) }

// CurveByOID returns the parameter set with the given publicKeyParamSet
// OID, or nil.
func CurveByOID(oid asn1.ObjectIdentifier) *Curve {
	for _, c := range registry {
		if c.oid.Equal(oid) {
			return c
		}
	}
	return nil
}

// Digest names the hash a signature is computed over.
type Digest int

const (
	// DigestStreebog256 is GOST R 34.11-2012 with a 256-bit result, used
	// with 256-bit 2012 keys.
	DigestStreebog256 Digest = iota + 1
	// DigestStreebog512 is GOST R 34.11-2012 with a 512-bit result, used
	// with 512-bit keys.
	DigestStreebog512
	// DigestGOST341194 is the legacy GOST R 34.11-94 hash of GOST R
	// 34.10-2001 signatures (verification only).
	DigestGOST341194
)

// Size is the digest length in bytes.
func (d Digest) Size() int {
	switch d {
	case DigestStreebog256, DigestGOST341194:
		return 32
	case DigestStreebog512:
		return 64
	}
	return 0
}

// OID is the digest algorithm identifier.
func (d Digest) OID() asn1.ObjectIdentifier {
	switch d {
	case DigestStreebog256:
		return OIDStreebog256
	case DigestStreebog512:
		return OIDStreebog512
	case DigestGOST341194:
		return OIDGOST341194
	}
	return nil
}

func (d Digest) String() string {
	switch d {
	case DigestStreebog256:
		return "streebog256"
	case DigestStreebog512:
		return "streebog512"
	case DigestGOST341194:
		return "gost341194"
	}
	return "unknown digest"
}
