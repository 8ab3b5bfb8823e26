package gost3410

import (
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const (
	structPublicKey  = "public key"
	structParams     = "SubjectPublicKeyInfo parameters"
	structSPKI       = "SubjectPublicKeyInfo"
	structPKCS8      = "PKCS#8 private key"
	structSignature  = "signature"
	fieldParamSet    = "publicKeyParamSet"
	fieldDigestSet   = "digestParamSet"
	fieldEncryptSet  = "encryptionParamSet"
	fieldPrivateKey  = "privateKey"
	fieldAlgorithm   = "algorithm"
	fieldKeyBits     = "subjectPublicKey"
	reasonTrailing   = "is followed by unexpected data"
	reasonNotOID     = "is not an OBJECT IDENTIFIER"
	reasonNotSeq     = "is not a SEQUENCE"
	reasonNotOctet   = "is not an OCTET STRING"
	reasonNotInteger = "is not an INTEGER"
)

// MarshalPublicKey returns the contents of the SubjectPublicKeyInfo BIT
// STRING: an OCTET STRING holding little-endian X || little-endian Y
// (RFC 9215 section 3.3 / RFC 4491 section 2.3.2).
func MarshalPublicKey(pub *PublicKey) ([]byte, error) {
	if _, err := pub.point(); err != nil {
		return nil, err
	}
	size := pub.Curve.Size()
	raw := make([]byte, 2*size)
	x, y := feFromBig(pub.X), feFromBig(pub.Y)
	x.putLE(raw[:size])
	y.putLE(raw[size:])
	var b cryptobyte.Builder
	b.AddASN1OctetString(raw)
	return b.Bytes()
}

// ParsePublicKey parses the contents of the SubjectPublicKeyInfo BIT
// STRING of a key on curve c (named by the SPKI parameters) and checks the
// point is on the curve.
func ParsePublicKey(c *Curve, der []byte) (*PublicKey, error) {
	if !c.valid() {
		return nil, parseErr(structPublicKey, "", "has no curve", ErrUnknownParamSet)
	}
	s := cryptobyte.String(der)
	var raw cryptobyte.String
	if !s.ReadASN1(&raw, cbasn1.OCTET_STRING) {
		return nil, parseErr(structPublicKey, "", reasonNotOctet, ErrMalformed)
	}
	if !s.Empty() {
		return nil, parseErr(structPublicKey, "", reasonTrailing, ErrMalformed)
	}
	size := c.Size()
	if len(raw) != 2*size {
		return nil, parseErr(structPublicKey, "", fmt.Sprintf("is %d bytes, a %d-bit key has %d", len(raw), size*8, 2*size), ErrInvalidPublicKey)
	}
	pub := &PublicKey{Curve: c, X: leToBig(raw[:size]), Y: leToBig(raw[size:])}
	pt, err := pub.point()
	if err != nil {
		return nil, parseErr(structPublicKey, "", "is not a point of "+c.Name(), ErrInvalidPublicKey)
	}
	if !c.params.inSubgroup(&pt) {
		return nil, parseErr(structPublicKey, "", "is not in the subgroup of order q of "+c.Name(), ErrInvalidPublicKey)
	}
	return pub, nil
}

func leToBig(le []byte) *big.Int {
	be := make([]byte, len(le))
	for i := range le {
		be[len(le)-1-i] = le[i]
	}
	return new(big.Int).SetBytes(be)
}

// SPKIParams are the GOST public key parameters (RFC 9215 section 3.2,
// RFC 4491 section 2.3.1):
//
//	GostR3410-2012-PublicKeyParameters ::= SEQUENCE {
//	    publicKeyParamSet  OBJECT IDENTIFIER,
//	    digestParamSet     OBJECT IDENTIFIER OPTIONAL }
//
// The 2001 form adds encryptionParamSet OBJECT IDENTIFIER OPTIONAL. The
// short form (publicKeyParamSet only) is used by 512-bit and TC26 256-A
// keys; the long form with digestParamSet by the other 256-bit keys and by
// all 2001 keys.
type SPKIParams struct {
	Curve      *Curve
	Digest     asn1.ObjectIdentifier // digestParamSet, nil when absent
	Encryption asn1.ObjectIdentifier // encryptionParamSet, nil when absent
}

// DefaultSPKIParams returns the parameters RFC 9215 section 3.2
// prescribes for a 2012 key on c, which are also what OpenSSL's gost engine
// writes: digestParamSet is omitted for the parameter sets defined by TC26
// (256-bit A-D, 512-bit C) and present for the older ones — Streebog-256
// for the CryptoPro sets, Streebog-512 for 512-bit A and B (and the test
// sets).
func DefaultSPKIParams(c *Curve) SPKIParams {
	p := SPKIParams{Curve: c}
	switch c {
	case CurveTest256(), CurveCryptoProA(), CurveCryptoProB(), CurveCryptoProC(),
		CurveCryptoProXA(), CurveCryptoProXB():
		p.Digest = OIDStreebog256
	case CurveTest512(), CurveTC26_512A(), CurveTC26_512B():
		p.Digest = OIDStreebog512
	}
	return p
}

// ParseSPKIParams parses the AlgorithmIdentifier parameters of a GOST
// public key. Absent parameters and NULL give ErrParamsAbsent: a GOST key
// cannot be used without knowing its curve.
func ParseSPKIParams(der []byte) (*SPKIParams, error) {
	if len(der) == 0 || (len(der) == 2 && der[0] == 0x05 && der[1] == 0) {
		return nil, parseErr(structParams, "", "are absent or NULL; a GOST key needs publicKeyParamSet", ErrParamsAbsent)
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, parseErr(structParams, "", reasonNotSeq, ErrMalformed)
	}
	if !s.Empty() {
		return nil, parseErr(structParams, "", reasonTrailing, ErrMalformed)
	}
	var paramSet asn1.ObjectIdentifier
	if !seq.ReadASN1ObjectIdentifier(&paramSet) {
		return nil, parseErr(structParams, fieldParamSet, reasonNotOID, ErrMalformed)
	}
	c := CurveByOID(paramSet)
	if c == nil {
		return nil, parseErr(structParams, fieldParamSet, "names unknown parameter set "+paramSet.String(), ErrUnknownParamSet)
	}
	p := &SPKIParams{Curve: c}
	if !seq.Empty() {
		if !seq.ReadASN1ObjectIdentifier(&p.Digest) {
			return nil, parseErr(structParams, fieldDigestSet, reasonNotOID, ErrMalformed)
		}
	}
	if !seq.Empty() {
		if !seq.ReadASN1ObjectIdentifier(&p.Encryption) {
			return nil, parseErr(structParams, fieldEncryptSet, reasonNotOID, ErrMalformed)
		}
	}
	if !seq.Empty() {
		return nil, parseErr(structParams, fieldEncryptSet, reasonTrailing, ErrMalformed)
	}
	return p, nil
}

// MarshalSPKIParams encodes p (short form when p.Digest is nil).
func MarshalSPKIParams(p SPKIParams) ([]byte, error) {
	if !p.Curve.valid() {
		return nil, fmt.Errorf("gost3410: SPKI parameters without a curve: %w", ErrUnknownParamSet)
	}
	if p.Digest == nil && p.Encryption != nil {
		return nil, fmt.Errorf("gost3410: encryptionParamSet needs digestParamSet: %w", ErrMalformed)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(p.Curve.OID())
		if p.Digest != nil {
			b.AddASN1ObjectIdentifier(p.Digest)
		}
		if p.Encryption != nil {
			b.AddASN1ObjectIdentifier(p.Encryption)
		}
	})
	return b.Bytes()
}

// keyAlgorithm returns the public key algorithm OID of 2012 keys on c.
func keyAlgorithm(c *Curve) asn1.ObjectIdentifier {
	if c.Size() == 64 {
		return OIDPublicKey2012_512
	}
	return OIDPublicKey2012_256
}

// checkAlgorithm checks that the key algorithm OID fits the curve size.
// legacy reports a GOST R 34.10-2001 key.
func checkAlgorithm(structure string, alg asn1.ObjectIdentifier, c *Curve) (legacy bool, err error) {
	switch {
	case alg.Equal(OIDPublicKey2012_256):
		if c.Size() != 32 {
			return false, parseErr(structure, fieldAlgorithm, "is GOST R 34.10-2012 256-bit but the parameter set "+c.Name()+" is 512-bit", ErrMalformed)
		}
	case alg.Equal(OIDPublicKey2012_512):
		if c.Size() != 64 {
			return false, parseErr(structure, fieldAlgorithm, "is GOST R 34.10-2012 512-bit but the parameter set "+c.Name()+" is 256-bit", ErrMalformed)
		}
	case alg.Equal(OIDPublicKey2001):
		if c.Size() != 32 {
			return false, parseErr(structure, fieldAlgorithm, "is GOST R 34.10-2001 but the parameter set "+c.Name()+" is 512-bit", ErrMalformed)
		}
		return true, nil
	default:
		return false, parseErr(structure, fieldAlgorithm, "is "+alg.String()+", not a GOST R 34.10 key", ErrUnsupportedKey)
	}
	return false, nil
}

// readAlgorithmIdentifier reads SEQUENCE { OID, params ANY OPTIONAL }.
func readAlgorithmIdentifier(structure string, s *cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	var algID cryptobyte.String
	if !s.ReadASN1(&algID, cbasn1.SEQUENCE) {
		return nil, nil, parseErr(structure, fieldAlgorithm, reasonNotSeq, ErrMalformed)
	}
	var alg asn1.ObjectIdentifier
	if !algID.ReadASN1ObjectIdentifier(&alg) {
		return nil, nil, parseErr(structure, fieldAlgorithm, reasonNotOID, ErrMalformed)
	}
	var params cryptobyte.String
	if !algID.Empty() {
		if !algID.ReadAnyASN1Element(&params, nil) || !algID.Empty() {
			return nil, nil, parseErr(structure, "parameters", "are not one DER element", ErrMalformed)
		}
	}
	return alg, params, nil
}

// ParseSPKI parses a whole DER SubjectPublicKeyInfo with a GOST R
// 34.10-2012 or 2001 key (as `openssl pkey -pubout -outform DER` writes).
func ParseSPKI(der []byte) (*PublicKey, *SPKIParams, error) {
	s := cryptobyte.String(der)
	var spki cryptobyte.String
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) {
		return nil, nil, parseErr(structSPKI, "", reasonNotSeq, ErrMalformed)
	}
	if !s.Empty() {
		return nil, nil, parseErr(structSPKI, "", reasonTrailing, ErrMalformed)
	}
	alg, rawParams, err := readAlgorithmIdentifier(structSPKI, &spki)
	if err != nil {
		return nil, nil, err
	}
	params, err := ParseSPKIParams(rawParams)
	if err != nil {
		return nil, nil, err
	}
	if _, err := checkAlgorithm(structSPKI, alg, params.Curve); err != nil {
		return nil, nil, err
	}
	var bits asn1.BitString
	if !spki.ReadASN1BitString(&bits) || bits.BitLength%8 != 0 {
		return nil, nil, parseErr(structSPKI, fieldKeyBits, "is not a BIT STRING of whole bytes", ErrMalformed)
	}
	if !spki.Empty() {
		return nil, nil, parseErr(structSPKI, "", reasonTrailing, ErrMalformed)
	}
	pub, err := ParsePublicKey(params.Curve, bits.Bytes)
	if err != nil {
		return nil, nil, err
	}
	return pub, params, nil
}

// MarshalSPKI returns the DER SubjectPublicKeyInfo of a 2012 key with the
// default parameters (DefaultSPKIParams).
func MarshalSPKI(pub *PublicKey) ([]byte, error) {
	key, err := MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	params, err := MarshalSPKIParams(DefaultSPKIParams(pub.Curve))
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(keyAlgorithm(pub.Curve))
			b.AddBytes(params)
		})
		b.AddASN1BitString(key)
	})
	return b.Bytes()
}

// MarshalPKCS8 encodes priv as PKCS#8 PrivateKeyInfo the way OpenSSL's
// gost engine writes it: the 2012 key algorithm with the default SPKI
// parameters, and privateKey holding the scalar as Curve.Size()
// little-endian bytes.
func MarshalPKCS8(priv *PrivateKey) ([]byte, error) {
	if priv == nil || !priv.Curve.valid() {
		return nil, ErrInvalidPrivateKey
	}
	params, err := MarshalSPKIParams(DefaultSPKIParams(priv.Curve))
	if err != nil {
		return nil, err
	}
	raw := make([]byte, priv.Curve.Size())
	defer clear(raw)
	priv.d.putLE(raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(keyAlgorithm(priv.Curve))
			b.AddBytes(params)
		})
		b.AddASN1OctetString(raw)
	})
	return b.Bytes()
}

// ParsePKCS8 parses a DER PKCS#8 PrivateKeyInfo holding a GOST R
// 34.10-2012 key. The privateKey OCTET STRING may contain, as different
// versions of OpenSSL's gost engine and other tools write it:
//
//   - the scalar as Curve.Size() little-endian bytes (current engine),
//
//   - an OCTET STRING of those bytes (older engine versions),
//
//   - an INTEGER (big-endian, as in the earliest versions).
//
//   - a masked key, as CryptoPro CSP exports it and the gost engine reads it:
//     Curve.Size() little-endian bytes of the masked scalar followed by one
//     or more masks of the same size; the key is their product mod q.
//
// GOST R 34.10-2001 keys (verify-only here) give ErrUnsupportedKey. The
// public key is recomputed from the scalar.
func ParsePKCS8(der []byte) (*PrivateKey, error) {
	s := cryptobyte.String(der)
	var info cryptobyte.String
	if !s.ReadASN1(&info, cbasn1.SEQUENCE) {
		return nil, parseErr(structPKCS8, "", reasonNotSeq, ErrMalformed)
	}
	if !s.Empty() {
		return nil, parseErr(structPKCS8, "", reasonTrailing, ErrMalformed)
	}
	var version int64
	if !info.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return nil, parseErr(structPKCS8, "version", reasonNotInteger, ErrMalformed)
	}
	if version != 0 && version != 1 {
		return nil, parseErr(structPKCS8, "version", fmt.Sprintf("is %d, want 0 or 1", version), ErrMalformed)
	}
	alg, rawParams, err := readAlgorithmIdentifier(structPKCS8, &info)
	if err != nil {
		return nil, err
	}
	params, err := ParseSPKIParams(rawParams)
	if err != nil {
		return nil, err
	}
	c := params.Curve
	legacy, err := checkAlgorithm(structPKCS8, alg, c)
	if err != nil {
		return nil, err
	}
	if legacy {
		return nil, parseErr(structPKCS8, fieldAlgorithm, "is a GOST R 34.10-2001 key, which is supported for verification only", ErrUnsupportedKey)
	}
	var keyBytes cryptobyte.String
	if !info.ReadASN1(&keyBytes, cbasn1.OCTET_STRING) {
		return nil, parseErr(structPKCS8, fieldPrivateKey, reasonNotOctet, ErrMalformed)
	}
	// Attributes [0] and publicKey [1] (PKCS#8 v2) may follow; they are not
	// needed (the public key is recomputed), anything else is an error.
	for _, tag := range []cbasn1.Tag{cbasn1.Tag(0).Constructed().ContextSpecific(), cbasn1.Tag(1).ContextSpecific()} {
		if !info.SkipOptionalASN1(tag) {
			return nil, parseErr(structPKCS8, "attributes", "are malformed", ErrMalformed)
		}
	}
	if !info.Empty() {
		return nil, parseErr(structPKCS8, fieldPrivateKey, reasonTrailing, ErrMalformed)
	}
	d, err := parsePrivateScalar(c, keyBytes)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func parsePrivateScalar(c *Curve, keyBytes cryptobyte.String) (*PrivateKey, error) {
	size := c.Size()
	var le []byte
	switch {
	case len(keyBytes) == size:
		le = keyBytes
	case len(keyBytes) > 0 && keyBytes[0] == byte(cbasn1.OCTET_STRING):
		var inner cryptobyte.String
		rest := keyBytes
		if !rest.ReadASN1(&inner, cbasn1.OCTET_STRING) || !rest.Empty() {
			return nil, parseErr(structPKCS8, fieldPrivateKey, "holds a malformed OCTET STRING", ErrMalformed)
		}
		if len(inner) != size {
			return nil, parseErr(structPKCS8, fieldPrivateKey, fmt.Sprintf("holds %d bytes, a %d-bit key has %d", len(inner), size*8, size), ErrInvalidPrivateKey)
		}
		le = inner
	case len(keyBytes) > 0 && keyBytes[0] == byte(cbasn1.INTEGER):
		var v big.Int
		rest := keyBytes
		if !rest.ReadASN1Integer(&v) || !rest.Empty() {
			return nil, parseErr(structPKCS8, fieldPrivateKey, "holds a malformed INTEGER", ErrMalformed)
		}
		if v.Sign() <= 0 || v.Cmp(c.params.qBig) >= 0 {
			return nil, parseErr(structPKCS8, fieldPrivateKey, "is not in [1, q-1]", ErrInvalidPrivateKey)
		}
		return newPrivateKey(c, feFromBig(&v)), nil
	case len(keyBytes) > size && len(keyBytes)%size == 0:
		d := unmask(c, keyBytes)
		if c.params.fq.isZero(&d) == 1 {
			return nil, parseErr(structPKCS8, fieldPrivateKey, "is a masked key that unmasks to zero", ErrInvalidPrivateKey)
		}
		return newPrivateKey(c, d), nil
	default:
		return nil, parseErr(structPKCS8, fieldPrivateKey, fmt.Sprintf("is %d bytes, a %d-bit key has %d", len(keyBytes), size*8, size), ErrInvalidPrivateKey)
	}
	d := feFromLE(le)
	fq := c.params.fq
	if fq.isZero(&d) == 1 || fq.lessThanM(&d) == 0 {
		return nil, parseErr(structPKCS8, fieldPrivateKey, "is not in [1, q-1]", ErrInvalidPrivateKey)
	}
	return newPrivateKey(c, d), nil
}

// unmask returns the product mod q of the masked scalar and every mask in
// keyBytes (each c.Size() little-endian bytes): CryptoPro keeps a key as
// d·m1^-1·…·mk^-1 next to m1…mk so the plain scalar never sits in memory,
// and the gost engine unmasks exactly so (gost_ameth.c, unmask_priv_key).
// The arithmetic is the constant-time Montgomery field of q.
func unmask(c *Curve, keyBytes []byte) fe {
	size := c.Size()
	fq := c.params.fq
	var acc fe
	first := feFromLE(keyBytes[:size])
	fq.reduce(&acc, &first) // Montgomery form of the masked scalar mod q
	for off := size; off < len(keyBytes); off += size {
		var m fe
		plain := feFromLE(keyBytes[off : off+size])
		fq.reduce(&m, &plain)
		fq.mul(&acc, &acc, &m)
	}
	var d fe
	fq.fromMont(&d, &acc)
	return d
}

// ParseSignature splits a signature value s||r for curve c into r and s,
// checking the length and 0 < r, s < q.
func ParseSignature(c *Curve, sig []byte) (r, s *big.Int, err error) {
	if !c.valid() {
		return nil, nil, errNoCurve
	}
	size := c.Size()
	if len(sig) != 2*size {
		return nil, nil, parseErr(structSignature, "", fmt.Sprintf("is %d bytes, a %d-bit signature has %d", len(sig), size*8, 2*size), ErrMalformed)
	}
	s = new(big.Int).SetBytes(sig[:size])
	r = new(big.Int).SetBytes(sig[size:])
	q := c.params.qBig
	if s.Sign() == 0 || s.Cmp(q) >= 0 {
		return nil, nil, parseErr(structSignature, "s", "is not in [1, q-1]", ErrMalformed)
	}
	if r.Sign() == 0 || r.Cmp(q) >= 0 {
		return nil, nil, parseErr(structSignature, "r", "is not in [1, q-1]", ErrMalformed)
	}
	return r, s, nil
}

// MarshalSignature encodes r and s for curve c as s||r, each half
// big-endian and Curve.Size() bytes.
func MarshalSignature(c *Curve, r, s *big.Int) ([]byte, error) {
	if !c.valid() {
		return nil, errNoCurve
	}
	q := c.params.qBig
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(q) >= 0 || s.Cmp(q) >= 0 {
		return nil, fmt.Errorf("gost3410: signature values not in [1, q-1]: %w", ErrMalformed)
	}
	size := c.Size()
	sig := make([]byte, 2*size)
	s.FillBytes(sig[:size])
	r.FillBytes(sig[size:])
	return sig, nil
}
