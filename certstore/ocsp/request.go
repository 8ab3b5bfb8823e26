package ocsp

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
)

// maxNonce is the longest nonce RFC 8954 section 2.1 lets a client send.
const maxNonce = 32

func newRequest(leaf, issuer *cert.Certificate, nonce []byte) (*Request, error) {
	if leaf == nil || issuer == nil {
		return nil, errors.New("ocsp request: the certificate and its issuer are both needed")
	}
	if leaf.SerialNumber == nil {
		return nil, errors.New("ocsp request: the certificate has no serial number")
	}
	if nonce != nil && (len(nonce) == 0 || len(nonce) > maxNonce) {
		return nil, fmt.Errorf("ocsp request: a nonce of %d bytes: RFC 8954 wants 1 to %d", len(nonce), maxNonce)
	}
	id := certIDFor(leaf, issuer)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(req *cryptobyte.Builder) { // OCSPRequest
		req.AddASN1(cbasn1.SEQUENCE, func(tbs *cryptobyte.Builder) { // TBSRequest; version v1 is the DEFAULT, so absent
			tbs.AddASN1(cbasn1.SEQUENCE, func(list *cryptobyte.Builder) { // requestList
				list.AddASN1(cbasn1.SEQUENCE, func(one *cryptobyte.Builder) { // Request
					addCertID(one, id)
				})
			})
			if nonce != nil {
				tbs.AddASN1(tagExplicit2, func(exts *cryptobyte.Builder) { // requestExtensions
					exts.AddASN1(cbasn1.SEQUENCE, func(exts *cryptobyte.Builder) {
						exts.AddASN1(cbasn1.SEQUENCE, func(ext *cryptobyte.Builder) {
							ext.AddASN1ObjectIdentifier(oid.OCSPNonce)
							// extnValue wraps the nonce OCTET STRING (RFC
							// 8954 2.1), as OpenSSL sends and checks it.
							ext.AddASN1(cbasn1.OCTET_STRING, func(v *cryptobyte.Builder) {
								v.AddASN1OctetString(nonce)
							})
						})
					})
				})
			}
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ocsp request: %w", err)
	}
	req := &Request{DER: der, CertID: id}
	if nonce != nil {
		req.Nonce = append([]byte(nil), nonce...)
	}
	return req, nil
}

// certIDFor is the SHA-1 CertID of leaf (RFC 6960 4.1.1): SHA-1 is the one
// hash every responder answers for. The name hash is over the issuer name
// as the leaf writes it (its DER, which is what the CA hashed when it
// indexed the certificate); the key hash is over the issuer's
// subjectPublicKey BIT STRING value, without the unused-bits octet.
func certIDFor(leaf, issuer *cert.Certificate) CertID {
	nameHash := sha1.Sum(leaf.RawIssuer)
	keyHash := sha1.Sum(issuer.PublicKey)
	return CertID{
		HashAlgorithm:  oid.SHA1,
		IssuerNameHash: nameHash[:],
		IssuerKeyHash:  keyHash[:],
		SerialNumber:   new(big.Int).Set(leaf.SerialNumber),
	}
}

// addCertID writes a CertID. The SHA-1 AlgorithmIdentifier carries NULL
// parameters, as `openssl ocsp` writes it, so our request is the one the
// responders already see from OpenSSL.
func addCertID(b *cryptobyte.Builder, id CertID) {
	b.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
		c.AddASN1(cbasn1.SEQUENCE, func(alg *cryptobyte.Builder) {
			alg.AddASN1ObjectIdentifier(id.HashAlgorithm)
			alg.AddASN1NULL()
		})
		c.AddASN1OctetString(id.IssuerNameHash)
		c.AddASN1OctetString(id.IssuerKeyHash)
		c.AddASN1BigInt(id.SerialNumber)
	})
}
