package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// Sign signs digest (made with digestAlg) with key: the SignerOpts each
// key type needs are chosen here, so callers never mention algorithms.
func Sign(random io.Reader, key crypto.Signer, digestAlg asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	opts, err := signerOpts(key, digestAlg)
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(random, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("signing with the %s key: %w", keyName(key), err)
	}
	return sig, nil
}

// SignMessage signs msg, hashed with digestAlg. A key that implements
// crypto.MessageSigner gets the message itself: a token that hashes on
// board (CKM_GOSTR3410_WITH_GOSTR3411_12_256, CKM_SHA256_RSA_PKCS) then
// makes the whole signature. Any other key signs the digest made here.
func SignMessage(random io.Reader, key crypto.Signer, digestAlg asn1.ObjectIdentifier, msg []byte) ([]byte, error) {
	ms, ok := key.(crypto.MessageSigner)
	if !ok {
		digest, err := Sum(digestAlg, msg)
		if err != nil {
			return nil, err
		}
		return Sign(random, key, digestAlg, digest)
	}
	if random == nil {
		random = rand.Reader
	}
	opts, err := signerOpts(key, digestAlg)
	if err != nil {
		return nil, err
	}
	sig, err := ms.SignMessage(random, msg, opts)
	if err != nil {
		return nil, fmt.Errorf("signing with the %s key: %w", keyName(key), err)
	}
	return sig, nil
}

func signerOpts(key crypto.Signer, digestAlg asn1.ObjectIdentifier) (crypto.SignerOpts, error) {
	switch pub := key.Public().(type) {
	case *gost3410.PublicKey:
		var d gost3410.Digest
		switch {
		case digestAlg.Equal(oid.Streebog256):
			d = gost3410.DigestStreebog256
		case digestAlg.Equal(oid.Streebog512):
			d = gost3410.DigestStreebog512
		default:
			return nil, &UnsupportedError{Role: RoleDigest, OID: digestAlg, Detail: "a GOST R 34.10-2012 key signs Streebog digests"}
		}
		if d.Size() != pub.Curve.Size() {
			return nil, &UnsupportedError{Role: RoleDigest, OID: digestAlg, Detail: fmt.Sprintf("does not fit a %d-bit GOST key", pub.Curve.BitSize())}
		}
		return &gost3410.SignerOpts{Hash: d}, nil
	case *rsa.PublicKey, *ecdsa.PublicKey:
		h, err := hashOf(digestAlg)
		if err != nil {
			return nil, err
		}
		return h, nil
	default:
		return nil, fmt.Errorf("sigalg: cannot sign with a %T key", pub)
	}
}

func keyName(key crypto.Signer) string {
	switch key.Public().(type) {
	case *gost3410.PublicKey:
		return "GOST R 34.10-2012"
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA"
	}
	return "unknown"
}
