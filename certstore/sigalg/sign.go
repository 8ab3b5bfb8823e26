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

// Sign signs digest (computed with digestAlg) with key, driving each kind
// of crypto.Signer the way it expects: GOST keys with *gost3410.SignerOpts
// naming the Streebog digest (the value is s||r), RSA keys with the
// crypto.Hash (PKCS #1 v1.5, as rsaEncryption in CMS means), ECDSA keys
// with the crypto.Hash (a DER Ecdsa-Sig-Value). random nil means
// crypto/rand. Token keys that serialise themselves work the same way.
func Sign(random io.Reader, key crypto.Signer, digestAlg asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	var opts crypto.SignerOpts
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
		opts = &gost3410.SignerOpts{Hash: d}
	case *rsa.PublicKey, *ecdsa.PublicKey:
		h, err := hashOf(digestAlg)
		if err != nil {
			return nil, err
		}
		opts = h
	default:
		return nil, fmt.Errorf("sigalg: cannot sign with a %T key", pub)
	}
	sig, err := key.Sign(random, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("signing with the %s key: %w", keyName(key), err)
	}
	return sig, nil
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
