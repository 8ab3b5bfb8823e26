package format

import (
	"bytes"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cryptobyte_asn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parsePKCS7 returns the certificates of a PKCS#7 / CMS ContentInfo holding
// SignedData, in DER or BER. It is what Sniff does for a bundle, without the
// guessing around it.
func parsePKCS7(data []byte) ([][]byte, *Error) {
	el, err := readTop(data, 0)
	if err != nil {
		return nil, err
	}
	if !el.isUniversal(tagSequence) {
		return nil, &Error{Reason: ReasonUnknown, Detail: "ContentInfo is not a SEQUENCE"}
	}
	kids, cerr := el.children()
	if cerr != nil {
		return nil, &Error{Reason: ReasonUnknown, Detail: cerr.Error(), Err: cerr}
	}
	if len(kids) == 0 || !kids[0].isUniversal(tagOID) {
		return nil, &Error{Reason: ReasonUnknown, Detail: "ContentInfo has no contentType"}
	}
	if oid, ok := readOID(kids[0]); !ok || !oid.Equal(oidSignedData) {
		return nil, &Error{Reason: ReasonUnknown, Detail: "ContentInfo contentType is not signedData"}
	}
	return signedDataCertificates(kids)
}

// signedDataCertificates takes the fields of ContentInfo ::= SEQUENCE {
// contentType (signedData), [0] EXPLICIT SignedData } and returns the
// certificates of
//
//	SignedData ::= SEQUENCE {
//	  version INTEGER, digestAlgorithms SET, encapContentInfo SEQUENCE,
//	  certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
//	  crls [1] IMPLICIT SET OPTIONAL, signerInfos SET }
//
// Both certs-only bundles (.p7b/.p7c) and signatures (.p7s/.sig) have this
// shape. Attribute certificates and other CertificateChoices are skipped:
// they are not X.509 certificates anyone can import.
func signedDataCertificates(contentInfo []berElement) ([][]byte, *Error) {
	malformed := func(what string) *Error {
		return &Error{Reason: ReasonUnknown, Detail: "PKCS#7 SignedData: " + what}
	}
	if len(contentInfo) != 2 || !contentInfo[1].isContext(0) {
		return nil, malformed("ContentInfo has no [0] content")
	}
	explicit, err := contentInfo[1].children()
	if err != nil {
		return nil, malformed(err.Error())
	}
	if len(explicit) != 1 || !explicit[0].isUniversal(tagSequence) {
		return nil, malformed("content is not one SEQUENCE")
	}
	fields, err := explicit[0].children()
	if err != nil {
		return nil, malformed(err.Error())
	}
	switch {
	case len(fields) < 3:
		return nil, malformed(fmt.Sprintf("%d fields, at least 3 expected", len(fields)))
	case !fields[0].isUniversal(tagInteger):
		return nil, malformed("version is not an INTEGER")
	case !fields[1].isUniversal(tagSet):
		return nil, malformed("digestAlgorithms is not a SET")
	case !fields[2].isUniversal(tagSequence):
		return nil, malformed("encapContentInfo is not a SEQUENCE")
	}

	var certs [][]byte
	crls := 0
	for _, field := range fields[3:] {
		switch {
		case field.isContext(0):
			choices, err := field.children()
			if err != nil {
				return nil, malformed("certificates: " + err.Error())
			}
			for i, choice := range choices {
				if !choice.isUniversal(tagSequence) {
					continue // extendedCertificate, attribute certificate or other
				}
				if err := checkCertificate(choice); err != nil {
					return nil, &Error{
						Reason: ReasonUnknown,
						Detail: fmt.Sprintf("PKCS#7 SignedData: certificate %d: %v", i+1, err),
						Err:    err,
					}
				}
				certs = append(certs, bytes.Clone(choice.raw))
			}
		case field.isContext(1):
			if list, err := field.children(); err == nil {
				crls += len(list)
			}
		}
	}
	if len(certs) == 0 {
		return nil, &Error{Reason: ReasonNoCertificates, Detail: fmt.Sprintf("PKCS#7 SignedData with no certificates and %d CRLs", crls)}
	}
	return certs, nil
}

// EncodePKCS7 returns a DER PKCS#7 certs-only bundle (.p7b): a ContentInfo
// holding SignedData version 1 with no digest algorithms, an empty data
// content, the certificates and no signers, as `openssl crl2pkcs7 -nocrl`
// writes it. Each element of certs must be one DER certificate.
//
// The certificates keep the order they are given in instead of the sorted
// order DER asks of a SET OF: people read a chain leaf first, and OpenSSL
// and Windows write and read bundles the same way.
func EncodePKCS7(certs [][]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cryptobyte_asn1.SEQUENCE, func(contentInfo *cryptobyte.Builder) {
		contentInfo.AddASN1ObjectIdentifier(oidSignedData)
		contentInfo.AddASN1(cryptobyte_asn1.Tag(0).Constructed().ContextSpecific(), func(explicit *cryptobyte.Builder) {
			explicit.AddASN1(cryptobyte_asn1.SEQUENCE, func(signedData *cryptobyte.Builder) {
				signedData.AddASN1Int64(1)
				signedData.AddASN1(cryptobyte_asn1.SET, func(*cryptobyte.Builder) {}) // digestAlgorithms
				signedData.AddASN1(cryptobyte_asn1.SEQUENCE, func(encap *cryptobyte.Builder) {
					encap.AddASN1ObjectIdentifier(oidData)
				})
				if len(certs) > 0 {
					signedData.AddASN1(cryptobyte_asn1.Tag(0).Constructed().ContextSpecific(), func(set *cryptobyte.Builder) {
						for _, cert := range certs {
							set.AddBytes(cert)
						}
					})
				}
				signedData.AddASN1(cryptobyte_asn1.SET, func(*cryptobyte.Builder) {}) // signerInfos
			})
		})
	})
	// The builder fails only for contents over 4 GiB, which no bundle of
	// certificates reaches.
	return b.BytesOrPanic()
}

// EncodePEM returns one PEM block of type blockType (e.g. "CERTIFICATE",
// "PKCS7") for each DER blob, one after another.
func EncodePEM(blockType string, der [][]byte) []byte {
	var out bytes.Buffer
	for _, blob := range der {
		// Writing to a bytes.Buffer cannot fail and there are no headers.
		_ = pem.Encode(&out, &pem.Block{Type: blockType, Bytes: blob})
	}
	return out.Bytes()
}
