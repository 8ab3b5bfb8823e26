package cert

import (
	"encoding/asn1"
	"fmt"

	"github.com/podpis/podpis/internal/asn1read"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Parse parses one DER certificate. der must hold exactly the certificate:
// data after it is an error.
//
// Parse does not copy der: the Raw* fields and other byte slices of the
// result are sub-slices of it (RawTBSCertificate is exactly the signed
// bytes), so the caller must not modify der afterwards.
//
// Parse is tolerant where real Russian CA certificates are not strict DER
// (see DESIGN "Certificates are parsed tolerantly"): BOOLEAN TRUE encoded as
// any non-zero octet, an explicit critical FALSE, non-string name attribute
// values, times with fractional seconds or offsets, non-minimal INTEGERs, and
// public keys of any algorithm. Anything else that is malformed gives a
// *ParseError naming the field.
func Parse(der []byte) (*Certificate, error) {
	input := cryptobyte.String(der)
	var certElement cryptobyte.String
	if !input.ReadASN1Element(&certElement, cbasn1.SEQUENCE) {
		return nil, malformed("certificate", "a complete SEQUENCE")
	}
	if !input.Empty() {
		return nil, fieldError("certificate", fmt.Errorf("%w: %d bytes after the certificate", ErrTrailingData, len(input)))
	}
	c := &Certificate{Raw: certElement, MaxPathLen: -1}

	var body cryptobyte.String
	certElement.ReadASN1(&body, cbasn1.SEQUENCE) // checked by ReadASN1Element above
	var tbs cryptobyte.String
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, malformed("tbsCertificate", "a SEQUENCE")
	}
	c.RawTBSCertificate = tbs
	if err := parseTBS(c, tbs); err != nil {
		return nil, err
	}

	var err error
	c.SignatureAlgorithm, c.SignatureAlgorithmParams, err = readAlgorithm(&body)
	if err != nil {
		return nil, fieldError("signatureAlgorithm", err)
	}
	var ok bool
	if c.Signature, ok = asn1read.BitString(&body); !ok {
		return nil, malformed("signatureValue", "a BIT STRING")
	}
	if !body.Empty() {
		return nil, fieldError("certificate", fmt.Errorf("%w: after signatureValue", ErrTrailingData))
	}
	return c, nil
}

func parseTBS(c *Certificate, element cryptobyte.String) error {
	var tbs cryptobyte.String
	element.ReadASN1(&tbs, cbasn1.SEQUENCE) // checked by the caller

	// version [0] EXPLICIT Version DEFAULT v1
	c.Version = 1
	if tbs.PeekASN1Tag(tagExplicit0) {
		var wrapper cryptobyte.String
		if !tbs.ReadASN1(&wrapper, tagExplicit0) {
			return malformed("tbsCertificate.version", "[0] EXPLICIT INTEGER")
		}
		v, ok := asn1read.Integer(&wrapper)
		if !ok || !wrapper.Empty() {
			return malformed("tbsCertificate.version", "[0] EXPLICIT INTEGER")
		}
		if !v.IsInt64() || v.Int64() < 0 || v.Int64() > 2 {
			return fieldError("tbsCertificate.version", fmt.Errorf("%w: version %s is not v1, v2 or v3", ErrBadValue, v))
		}
		c.Version = int(v.Int64()) + 1
	}

	var ok bool
	if c.SerialNumber, ok = asn1read.Integer(&tbs); !ok {
		return malformed("tbsCertificate.serialNumber", "an INTEGER")
	}

	var err error
	if c.TBSSignatureAlgorithm, _, err = readAlgorithm(&tbs); err != nil {
		return fieldError("tbsCertificate.signature", err)
	}

	var issuer cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return malformed("tbsCertificate.issuer", "a Name (SEQUENCE)")
	}
	c.RawIssuer = issuer
	if c.Issuer, err = parseName(issuer); err != nil {
		return fieldError("tbsCertificate.issuer", err)
	}

	if err := parseValidity(c, &tbs); err != nil {
		return err
	}

	var subject cryptobyte.String
	if !tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return malformed("tbsCertificate.subject", "a Name (SEQUENCE)")
	}
	c.RawSubject = subject
	if c.Subject, err = parseName(subject); err != nil {
		return fieldError("tbsCertificate.subject", err)
	}

	if err := parseSPKI(c, &tbs); err != nil {
		return err
	}

	// issuerUniqueID [1] and subjectUniqueID [2] IMPLICIT BIT STRING: only in
	// v2/v3 certificates, and nothing uses them; skip them.
	for _, u := range []struct {
		tag   cbasn1.Tag
		field string
	}{{tagContext1, "tbsCertificate.issuerUniqueID"}, {tagContext2, "tbsCertificate.subjectUniqueID"}} {
		if tbs.PeekASN1Tag(u.tag) && !tbs.SkipASN1(u.tag) {
			return malformed(u.field, "an IMPLICIT BIT STRING")
		}
	}

	// extensions [3] EXPLICIT Extensions OPTIONAL
	if tbs.PeekASN1Tag(tagExplicit3) {
		var wrapper, extensions cryptobyte.String
		if !tbs.ReadASN1(&wrapper, tagExplicit3) || !wrapper.ReadASN1(&extensions, cbasn1.SEQUENCE) {
			return malformed("tbsCertificate.extensions", "[3] EXPLICIT SEQUENCE OF Extension")
		}
		if !wrapper.Empty() {
			return fieldError("tbsCertificate.extensions", ErrTrailingData)
		}
		if err := parseExtensions(c, extensions); err != nil {
			return err
		}
	}

	if !tbs.Empty() {
		return fieldError("tbsCertificate", fmt.Errorf("%w: after the last field", ErrTrailingData))
	}
	return nil
}

func parseValidity(c *Certificate, tbs *cryptobyte.String) error {
	var validity cryptobyte.String
	if !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return malformed("tbsCertificate.validity", "a SEQUENCE")
	}
	var err error
	if c.NotBefore, err = readTime(&validity); err != nil {
		return fieldError("tbsCertificate.validity.notBefore", err)
	}
	if c.NotAfter, err = readTime(&validity); err != nil {
		return fieldError("tbsCertificate.validity.notAfter", err)
	}
	if !validity.Empty() {
		return fieldError("tbsCertificate.validity", ErrTrailingData)
	}
	return nil
}

func parseSPKI(c *Certificate, tbs *cryptobyte.String) error {
	const field = "tbsCertificate.subjectPublicKeyInfo"
	var element cryptobyte.String
	if !tbs.ReadASN1Element(&element, cbasn1.SEQUENCE) {
		return malformed(field, "a SEQUENCE")
	}
	c.RawSubjectPublicKeyInfo = element
	var spki cryptobyte.String
	element.ReadASN1(&spki, cbasn1.SEQUENCE)
	var err error
	// Any algorithm is accepted: GOST keys, and keys nobody here knows yet,
	// are kept as raw parameters and bytes.
	if c.PublicKeyAlgorithm, c.PublicKeyParams, err = readAlgorithm(&spki); err != nil {
		return fieldError(field+".algorithm", err)
	}
	var ok bool
	if c.PublicKey, ok = asn1read.BitString(&spki); !ok {
		return malformed(field+".subjectPublicKey", "a BIT STRING")
	}
	if !spki.Empty() {
		return fieldError(field, ErrTrailingData)
	}
	return nil
}

// readAlgorithm reads an AlgorithmIdentifier: the OID and the raw DER of the
// parameters, nil when absent.
func readAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	var alg cryptobyte.String
	var id asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id) {
		return nil, nil, fmt.Errorf("%w: expected an AlgorithmIdentifier", ErrTruncated)
	}
	if alg.Empty() {
		return id, nil, nil
	}
	var params cryptobyte.String
	if !alg.ReadAnyASN1Element(&params, nil) {
		return nil, nil, fmt.Errorf("%w: parameters of %s", ErrTruncated, id)
	}
	if !alg.Empty() {
		return nil, nil, fmt.Errorf("%w: after the parameters of %s", ErrTrailingData, id)
	}
	return id, params, nil
}
