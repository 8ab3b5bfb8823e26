// Package sigalg is the one place that maps algorithm identifiers (the OIDs
// of package oid) to what computes them: digest OIDs to hash functions, a
// certificate's key to the digest and signatureAlgorithm to sign with, and
// a signatureAlgorithm and public key to a signature check.
//
// The signer package uses it for CMS signatures; certificate and CRL
// signatures (CheckCertificateSignature, VerifyMessage) use the same code,
// so every algorithm is known in one place.
//
// Conventions that real signers differ on, and that this package accepts:
// GOST signatures name either the key OID (OpenSSL's gost engine,
// CryptoPro) or the signwithdigest OID as signatureAlgorithm; RSA
// signatures in CMS name rsaEncryption (OpenSSL, RFC 5754 allows it) or
// shaNNNWithRSAEncryption; algorithm parameters may be NULL or absent.
package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"hash"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/gost341194"
	"github.com/podpis/podpis/internal/gost/streebog"
)

// Identifier is an AlgorithmIdentifier: the OID and its raw DER
// parameters (nil when absent).
type Identifier struct {
	OID    asn1.ObjectIdentifier
	Params []byte
}

// derNull is the DER of NULL, the parameters RSA algorithm identifiers carry.
var derNull = []byte{0x05, 0x00}

// NewHash returns a new hash for a digest algorithm OID: SHA-1, SHA-256,
// SHA-384, SHA-512, Streebog-256, Streebog-512 or GOST R 34.11-94 (with the
// CryptoPro parameter set, the one GOST R 34.10-2001 signatures use).
func NewHash(digest asn1.ObjectIdentifier) (hash.Hash, error) {
	switch {
	case digest.Equal(oid.Streebog256):
		return streebog.New256(), nil
	case digest.Equal(oid.Streebog512):
		return streebog.New512(), nil
	case digest.Equal(oid.SHA256):
		return sha256.New(), nil
	case digest.Equal(oid.SHA384):
		return sha512.New384(), nil
	case digest.Equal(oid.SHA512):
		return sha512.New(), nil
	case digest.Equal(oid.SHA1):
		return sha1.New(), nil
	case digest.Equal(oid.GOST3411_94):
		return gost341194.NewCryptoPro(), nil
	}
	return nil, &UnsupportedError{Role: RoleDigest, OID: digest}
}

// Sum returns the digest of data with the given algorithm.
func Sum(digest asn1.ObjectIdentifier, data []byte) ([]byte, error) {
	h, err := NewHash(digest)
	if err != nil {
		return nil, err
	}
	h.Write(data)
	return h.Sum(nil), nil
}

// cryptoHash is the crypto.Hash of the digests RSA and ECDSA sign with.
func cryptoHash(digest asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case digest.Equal(oid.SHA256):
		return crypto.SHA256, true
	case digest.Equal(oid.SHA384):
		return crypto.SHA384, true
	case digest.Equal(oid.SHA512):
		return crypto.SHA512, true
	case digest.Equal(oid.SHA1):
		return crypto.SHA1, true
	}
	return 0, false
}

// keyFamily says which kind of key a certificate holds, as far as
// signatures are concerned.
type keyFamily int

const (
	familyUnknown keyFamily = iota
	familyRSA
	familyECDSA
	familyGOST256
	familyGOST512
	familyGOST2001
)

func familyOf(keyAlgorithm asn1.ObjectIdentifier) keyFamily {
	switch {
	case keyAlgorithm.Equal(oid.RSAEncryption):
		return familyRSA
	case keyAlgorithm.Equal(oid.ECPublicKey):
		return familyECDSA
	case keyAlgorithm.Equal(oid.GOST2012_256):
		return familyGOST256
	case keyAlgorithm.Equal(oid.GOST2012_512):
		return familyGOST512
	case keyAlgorithm.Equal(oid.GOST2001):
		return familyGOST2001
	}
	return familyUnknown
}

// Choice is how to sign with a certificate's key: the digest of the content
// and of the signed attributes, and the signatureAlgorithm to write.
type Choice struct {
	Digest    Identifier
	Signature Identifier
}

// For returns the algorithms to sign with for the certificate's key:
// Streebog-256 / id-tc26-signwithdigest-gost3410-12-256 for GOST 256-bit
// keys, Streebog-512 / ...-512 for 512-bit keys, SHA-256 / rsaEncryption
// (what OpenSSL writes in CMS) for RSA, SHA-256 / ecdsa-with-SHA256 for
// P-256 and SHA-384 / ecdsa-with-SHA384 for P-384 (SHA-512 for P-521).
// GOST R 34.10-2001 keys are verify-only and give an *UnsupportedError.
func For(c *cert.Certificate) (Choice, error) {
	switch familyOf(c.PublicKeyAlgorithm) {
	case familyGOST256:
		return Choice{Identifier{OID: oid.Streebog256}, Identifier{OID: oid.GOST2012_256Streebog}}, nil
	case familyGOST512:
		return Choice{Identifier{OID: oid.Streebog512}, Identifier{OID: oid.GOST2012_512Streebog}}, nil
	case familyRSA:
		return Choice{Identifier{OID: oid.SHA256}, Identifier{OID: oid.RSAEncryption, Params: derNull}}, nil
	case familyECDSA:
		switch c.PublicKeyInfo().Bits {
		case 384:
			return Choice{Identifier{OID: oid.SHA384}, Identifier{OID: oid.ECDSAWithSHA384}}, nil
		case 521:
			return Choice{Identifier{OID: oid.SHA512}, Identifier{OID: oid.ECDSAWithSHA512}}, nil
		default:
			return Choice{Identifier{OID: oid.SHA256}, Identifier{OID: oid.ECDSAWithSHA256}}, nil
		}
	case familyGOST2001:
		return Choice{}, &UnsupportedError{Role: RoleSigningKey, OID: c.PublicKeyAlgorithm}
	}
	return Choice{}, &UnsupportedError{Role: RolePublicKey, OID: c.PublicKeyAlgorithm}
}

// PublicKey loads the certificate's public key: *rsa.PublicKey,
// *ecdsa.PublicKey or *gost3410.PublicKey.
func PublicKey(c *cert.Certificate) (crypto.PublicKey, error) {
	switch familyOf(c.PublicKeyAlgorithm) {
	case familyRSA, familyECDSA:
		pub, err := x509.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, &KeyError{Algorithm: c.PublicKeyAlgorithm, Err: err}
		}
		switch pub.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			return pub, nil
		}
		return nil, &KeyError{Algorithm: c.PublicKeyAlgorithm, Err: fmt.Errorf("unexpected key type %T", pub)}
	case familyGOST256, familyGOST512, familyGOST2001:
		pub, _, err := gost3410.ParseSPKI(c.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, &KeyError{Algorithm: c.PublicKeyAlgorithm, Err: err}
		}
		return pub, nil
	}
	return nil, &UnsupportedError{Role: RolePublicKey, OID: c.PublicKeyAlgorithm}
}
