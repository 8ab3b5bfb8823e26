package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// scheme is how a signature value is checked.
type scheme int

const (
	schemeGOST scheme = iota + 1
	schemeRSAPKCS1
	schemeRSAPSS
	schemeECDSA
)

// method is a signatureAlgorithm resolved against a key: the scheme, the
// digest the signature is over and, for RSASSA-PSS, its options.
type method struct {
	scheme scheme
	digest asn1.ObjectIdentifier
	pss    *rsa.PSSOptions
}

// resolve works out how to check a signature named sigAlg by a key of the
// given family. digest is the digest algorithm the caller hashed with (the
// CMS SignerInfo digestAlgorithm), or nil to take it from sigAlg (a
// certificate or CRL signature).
func resolve(family keyFamily, keyAlg asn1.ObjectIdentifier, sigAlg Identifier, digest asn1.ObjectIdentifier) (method, error) {
	unsupported := func(detail string) (method, error) {
		return method{}, &UnsupportedError{Role: RoleSignature, OID: sigAlg.OID, Detail: detail}
	}
	// implied is the digest sigAlg itself names (nil when it names none).
	var m method
	var implied asn1.ObjectIdentifier
	switch family {
	case familyGOST256, familyGOST512, familyGOST2001:
		keyOID, withDigest, gostDigest := oid.GOST2012_256, oid.GOST2012_256Streebog, oid.Streebog256
		switch family {
		case familyGOST512:
			keyOID, withDigest, gostDigest = oid.GOST2012_512, oid.GOST2012_512Streebog, oid.Streebog512
		case familyGOST2001:
			keyOID, withDigest, gostDigest = oid.GOST2001, oid.GOST2001WithGOST3411_94, oid.GOST3411_94
		}
		// Either OID names the one digest a GOST key of this kind signs.
		if !sigAlg.OID.Equal(keyOID) && !sigAlg.OID.Equal(withDigest) {
			return unsupported("does not fit a " + oid.ShortName(keyAlg) + " key")
		}
		m.scheme, implied = schemeGOST, gostDigest
	case familyRSA:
		switch {
		case sigAlg.OID.Equal(oid.RSAEncryption):
			m.scheme = schemeRSAPKCS1
		case sigAlg.OID.Equal(oid.SHA256WithRSA):
			m.scheme, implied = schemeRSAPKCS1, oid.SHA256
		case sigAlg.OID.Equal(oid.SHA384WithRSA):
			m.scheme, implied = schemeRSAPKCS1, oid.SHA384
		case sigAlg.OID.Equal(oid.SHA512WithRSA):
			m.scheme, implied = schemeRSAPKCS1, oid.SHA512
		case sigAlg.OID.Equal(oid.SHA1WithRSA):
			m.scheme, implied = schemeRSAPKCS1, oid.SHA1
		case sigAlg.OID.Equal(oid.RSASSAPSS):
			pssDigest, opts, err := parsePSSParams(sigAlg.Params)
			if err != nil {
				return method{}, err
			}
			m.scheme, implied, m.pss = schemeRSAPSS, pssDigest, opts
		default:
			return unsupported("does not fit an RSA key")
		}
	case familyECDSA:
		switch {
		case sigAlg.OID.Equal(oid.ECDSAWithSHA256):
			implied = oid.SHA256
		case sigAlg.OID.Equal(oid.ECDSAWithSHA384):
			implied = oid.SHA384
		case sigAlg.OID.Equal(oid.ECDSAWithSHA512):
			implied = oid.SHA512
		case sigAlg.OID.Equal(oid.ECDSAWithSHA1):
			implied = oid.SHA1
		case sigAlg.OID.Equal(oid.ECPublicKey):
			// Some CMS writers name the key algorithm; the digest is then
			// the SignerInfo's.
		default:
			return unsupported("does not fit an ECDSA key")
		}
		m.scheme = schemeECDSA
	default:
		return method{}, &UnsupportedError{Role: RolePublicKey, OID: keyAlg}
	}
	switch {
	case implied == nil && digest == nil:
		return unsupported("names no digest algorithm")
	case implied == nil:
		m.digest = digest
	case digest != nil && !digest.Equal(implied):
		return unsupported(fmt.Sprintf("signs %s digests, but the digest algorithm is %s", oid.ShortName(implied), oid.ShortName(digest)))
	default:
		m.digest = implied
	}
	if m.scheme != schemeGOST {
		if _, ok := cryptoHash(m.digest); !ok {
			return method{}, &UnsupportedError{Role: RoleDigest, OID: m.digest, Detail: "not usable with " + oid.ShortName(keyAlg)}
		}
	}
	return m, nil
}

// parsePSSParams reads RSASSA-PSS-params (RFC 8017 A.2.3):
//
//	SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
//	mgf1SHA1, saltLength [2] INTEGER DEFAULT 20, trailerField [3] DEFAULT 1 }
//
// Go's rsa.VerifyPSS uses MGF1 with the message hash, so a different MGF1
// hash is refused as unsupported.
func parsePSSParams(params []byte) (asn1.ObjectIdentifier, *rsa.PSSOptions, error) {
	bad := func(field string) error {
		return fmt.Errorf("RSASSA-PSS-params %s: %w", field, ErrMalformedParams)
	}
	hashAlg, mgfHash := oid.SHA1, oid.SHA1
	salt := int64(20)
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, nil, bad("(not a SEQUENCE)")
	}
	var field cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, nil, bad("hashAlgorithm")
	}
	if present {
		alg, err := readAlgorithmOID(&field)
		if err != nil {
			return nil, nil, bad("hashAlgorithm")
		}
		hashAlg = alg
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, nil, bad("maskGenAlgorithm")
	}
	if present {
		var mgf cryptobyte.String
		var mgfOID asn1.ObjectIdentifier
		if !field.ReadASN1(&mgf, cbasn1.SEQUENCE) || !mgf.ReadASN1ObjectIdentifier(&mgfOID) {
			return nil, nil, bad("maskGenAlgorithm")
		}
		if !mgfOID.Equal(oid.MGF1) {
			return nil, nil, &UnsupportedError{Role: RoleSignature, OID: mgfOID, Detail: "RSASSA-PSS mask generation function"}
		}
		alg, err := readAlgorithmOID(&mgf)
		if err != nil {
			return nil, nil, bad("maskGenAlgorithm parameters")
		}
		mgfHash = alg
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return nil, nil, bad("saltLength")
	}
	if present && (!field.ReadASN1Int64WithTag(&salt, cbasn1.INTEGER) || salt < 0 || salt > 1<<16) {
		return nil, nil, bad("saltLength")
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, nil, bad("trailerField")
	}
	var trailer int64 = 1
	if present && !field.ReadASN1Int64WithTag(&trailer, cbasn1.INTEGER) {
		return nil, nil, bad("trailerField")
	}
	if trailer != 1 {
		return nil, nil, &UnsupportedError{Role: RoleSignature, OID: oid.RSASSAPSS, Detail: fmt.Sprintf("trailerField %d", trailer)}
	}
	if !mgfHash.Equal(hashAlg) {
		return nil, nil, &UnsupportedError{Role: RoleSignature, OID: oid.RSASSAPSS,
			Detail: fmt.Sprintf("MGF1 with %s but the message digest is %s", oid.ShortName(mgfHash), oid.ShortName(hashAlg))}
	}
	h, ok := cryptoHash(hashAlg)
	if !ok {
		return nil, nil, &UnsupportedError{Role: RoleDigest, OID: hashAlg, Detail: "in RSASSA-PSS"}
	}
	return hashAlg, &rsa.PSSOptions{SaltLength: int(salt), Hash: h}, nil
}

// readAlgorithmOID reads an AlgorithmIdentifier and returns its OID,
// ignoring parameters (NULL or absent for every digest).
func readAlgorithmOID(s *cryptobyte.String) (asn1.ObjectIdentifier, error) {
	var alg cryptobyte.String
	var id asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id) {
		return nil, ErrMalformedParams
	}
	return id, nil
}

// VerifyDigest checks sig, a signature value named by sigAlg, over digest
// (computed with digestAlg) with the public key of c. It returns nil when
// the signature verifies, an error wrapping ErrSignatureInvalid when it does
// not, and an *UnsupportedError or *KeyError when it cannot be checked.
//
// GOST signatures are s||r (RFC 9215 / RFC 4491 as written in CMS), RSA
// PKCS #1 v1.5 or RSASSA-PSS, ECDSA a DER Ecdsa-Sig-Value.
func VerifyDigest(c *cert.Certificate, sigAlg Identifier, digestAlg asn1.ObjectIdentifier, digest, sig []byte) error {
	m, err := resolve(familyOf(c.PublicKeyAlgorithm), c.PublicKeyAlgorithm, sigAlg, digestAlg)
	if err != nil {
		return err
	}
	return verifyWith(c, m, digest, sig)
}

func verifyWith(c *cert.Certificate, m method, digest, sig []byte) error {
	pub, err := PublicKey(c)
	if err != nil {
		return err
	}
	invalid := fmt.Errorf("%s signature by %s: %w", oid.ShortName(m.digest), c.Subject.String(), ErrSignatureInvalid)
	switch m.scheme {
	case schemeGOST:
		key, ok := pub.(*gost3410.PublicKey)
		if !ok || !gost3410.Verify(key, digest, sig) {
			return invalid
		}
	case schemeRSAPKCS1, schemeRSAPSS:
		key, ok := pub.(*rsa.PublicKey)
		if !ok {
			return invalid
		}
		h, _ := cryptoHash(m.digest)
		if m.scheme == schemeRSAPSS {
			err = rsa.VerifyPSS(key, h, digest, sig, m.pss)
		} else {
			err = rsa.VerifyPKCS1v15(key, h, digest, sig)
		}
		if err != nil {
			return invalid
		}
	case schemeECDSA:
		key, ok := pub.(*ecdsa.PublicKey)
		if !ok || !ecdsa.VerifyASN1(key, digest, sig) {
			return invalid
		}
	}
	return nil
}

// VerifyMessage checks sig, named by sigAlg, over message with the public
// key of c; the digest algorithm is the one sigAlg names (for the GOST key
// OIDs: the key's own digest). It is the check of certificate, CRL and
// OCSP signatures. Errors as VerifyDigest.
func VerifyMessage(c *cert.Certificate, sigAlg Identifier, message, sig []byte) error {
	m, err := resolve(familyOf(c.PublicKeyAlgorithm), c.PublicKeyAlgorithm, sigAlg, nil)
	if err != nil {
		return err
	}
	digest, err := Sum(m.digest, message)
	if err != nil {
		return err
	}
	return verifyWith(c, m, digest, sig)
}

// CheckCertificateSignature checks that issuer's key signed c: its
// signatureAlgorithm over its exact tbsCertificate bytes.
func CheckCertificateSignature(c, issuer *cert.Certificate) error {
	err := VerifyMessage(issuer, Identifier{OID: c.SignatureAlgorithm, Params: c.SignatureAlgorithmParams}, c.RawTBSCertificate, c.Signature)
	if err != nil {
		return fmt.Errorf("certificate %s (serial %s): %w", c.Subject.String(), c.SerialHex(), err)
	}
	return nil
}

// hashOf is the crypto.Hash for opts of RSA and ECDSA signers.
func hashOf(digestAlg asn1.ObjectIdentifier) (crypto.Hash, error) {
	h, ok := cryptoHash(digestAlg)
	if !ok {
		return 0, &UnsupportedError{Role: RoleDigest, OID: digestAlg}
	}
	return h, nil
}
