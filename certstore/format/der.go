package format

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cryptobyte_asn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers the sniffer compares against.
var (
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidPKCS5      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}     // PBES1/PBES2 (encrypted PKCS#8)
	oidPKCS12PBE  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1} // PKCS#12 PBE (encrypted PKCS#8)
)

// contentTypeName names the PKCS#7/CMS content types people actually send,
// so the detail for support staff says what the file is instead of an OID.
func contentTypeName(oid asn1.ObjectIdentifier) string {
	pkcs7 := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7}
	if len(oid) == len(pkcs7)+1 && oid[:len(pkcs7)].Equal(pkcs7) {
		switch oid[len(pkcs7)] {
		case 1:
			return "data"
		case 2:
			return "signedData"
		case 3:
			return "envelopedData (an encrypted message)"
		case 4:
			return "signedAndEnvelopedData"
		case 5:
			return "digestedData"
		case 6:
			return "encryptedData"
		}
	}
	return oid.String()
}

// readTop reads the element at data[off:] and turns BER reader errors into
// *Error values with the reason a user can act on.
func readTop(data []byte, off int) (berElement, *Error) {
	el, err := readBER(data, off, 0)
	if err != nil {
		var truncated *truncatedError
		if errors.As(err, &truncated) {
			return berElement{}, &Error{Reason: ReasonTruncatedDER, Detail: truncated.Error()}
		}
		return berElement{}, &Error{Reason: ReasonUnknown, Detail: err.Error(), Err: err}
	}
	return el, nil
}

// sniffDER says what binary ASN.1 data is. Several DER certificates written
// one after another (cat a.cer b.cer) are accepted as a chain; trailing zero
// bytes or white space (padding some tools add) are ignored.
func sniffDER(data []byte, enc Encoding) (*Result, *Error) {
	if len(data) == 0 || data[0] != 0x30 {
		return nil, &Error{Reason: ReasonUnknown, Detail: describeBinary(data)}
	}
	el, err := readTop(data, 0)
	if err != nil {
		return nil, err
	}
	res, err := classify(el)
	if err != nil {
		return nil, err
	}
	for off := len(el.raw); !isPadding(data[off:]); {
		if res.Kind != KindCertificates || res.PKCS7 {
			return nil, trailingData(data, off)
		}
		next, err := readTop(data, off)
		if err != nil {
			if err.Reason == ReasonTruncatedDER {
				return nil, err
			}
			return nil, trailingData(data, off)
		}
		more, err := classify(next)
		if err != nil || more.Kind != KindCertificates || more.PKCS7 {
			return nil, trailingData(data, off)
		}
		res.Certificates = append(res.Certificates, more.Certificates...)
		off += len(next.raw)
	}
	res.Encoding = enc
	return res, nil
}

func trailingData(data []byte, off int) *Error {
	return &Error{Reason: ReasonUnknown, Detail: fmt.Sprintf("%d bytes of unrecognised data after the first %d bytes", len(data)-off, off)}
}

// isPadding reports whether b is only zero bytes and white space.
func isPadding(b []byte) bool {
	for _, c := range b {
		switch c {
		case 0, ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// describeBinary names common non-ASN.1 files people pick by mistake.
func describeBinary(data []byte) string {
	switch {
	case len(data) == 0:
		return "no data"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "a ZIP archive"
	case bytes.HasPrefix(data, []byte("Rar!")):
		return "a RAR archive"
	case bytes.HasPrefix(data, []byte("7z\xbc\xaf\x27\x1c")):
		return "a 7-Zip archive"
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return "a Microsoft Office document"
	}
	return fmt.Sprintf("starts with byte 0x%02x, not an ASN.1 SEQUENCE", data[0])
}

// classify says what one complete top-level ASN.1 element is.
func classify(el berElement) (*Result, *Error) {
	if !el.isUniversal(tagSequence) {
		return nil, &Error{Reason: ReasonUnknown, Detail: "not an ASN.1 SEQUENCE"}
	}
	kids, err := el.children()
	if err != nil {
		return nil, &Error{Reason: ReasonUnknown, Detail: err.Error(), Err: err}
	}
	switch {
	case len(kids) >= 1 && kids[0].isUniversal(tagOID):
		// ContentInfo: PKCS#7 / CMS.
		oid, ok := readOID(kids[0])
		if !ok {
			return nil, &Error{Reason: ReasonUnknown, Detail: "ContentInfo contentType is not a valid OID"}
		}
		if !oid.Equal(oidSignedData) {
			return nil, &Error{Reason: ReasonUnknown, Detail: "PKCS#7 content type " + contentTypeName(oid)}
		}
		certs, err := signedDataCertificates(kids)
		if err != nil {
			return nil, err
		}
		return &Result{Kind: KindCertificates, Certificates: certs, PKCS7: true}, nil

	case isPFX(kids):
		return &Result{Kind: KindPKCS12, PKCS12: bytes.Clone(el.raw)}, nil

	case len(kids) == 3 && kids[0].isUniversal(tagSequence) && kids[1].isUniversal(tagSequence) && kids[2].isUniversal(tagBitString):
		// SEQUENCE { to-be-signed, signatureAlgorithm, signature }: a
		// certificate, a PKCS#10 request or a CRL, told apart by the
		// to-be-signed part.
		kind := signedObjectKind(kids[0])
		if kind == signedUnknown && checkCertificate(el) == nil {
			// signedObjectKind reads every field of the to-be-signed part;
			// checkCertificate, which also vets the certificates of a
			// .p7b, only its leading ones. A certificate damaged after its
			// public key must be the same thing alone as inside a .p7b (the
			// certificate parser then names the damaged field).
			kind = signedCertificate
		}
		switch kind {
		case signedCertificate:
			if err := checkCertificate(el); err != nil {
				return nil, &Error{Reason: ReasonUnknown, Detail: err.Error(), Err: err}
			}
			return &Result{Kind: KindCertificates, Certificates: [][]byte{bytes.Clone(el.raw)}}, nil
		case signedRequest:
			return nil, &Error{Reason: ReasonRequest, Detail: "PKCS#10 certificate request"}
		case signedCRL:
			return nil, &Error{Reason: ReasonCRL, Detail: "X.509 CRL"}
		}
		return nil, &Error{Reason: ReasonUnknown, Detail: "a signed ASN.1 object that is not a certificate, request or CRL"}

	case isPrivateKey(kids):
		return nil, &Error{Reason: ReasonPrivateKeyOnly, Detail: "DER private key"}
	}
	return nil, &Error{Reason: ReasonUnknown, Detail: "an ASN.1 SEQUENCE of no known kind"}
}

func readOID(el berElement) (asn1.ObjectIdentifier, bool) {
	var oid asn1.ObjectIdentifier
	s := cryptobyte.String(el.raw)
	if !s.ReadASN1ObjectIdentifier(&oid) || !s.Empty() {
		return nil, false
	}
	return oid, true
}

// isPFX recognises PFX ::= SEQUENCE { version INTEGER (3), authSafe
// ContentInfo (data or signedData), macData MacData OPTIONAL }.
func isPFX(kids []berElement) bool {
	if len(kids) != 2 && len(kids) != 3 {
		return false
	}
	if v, ok := kids[0].smallInt(); !ok || v != 3 || !kids[1].isUniversal(tagSequence) {
		return false
	}
	if len(kids) == 3 && !kids[2].isUniversal(tagSequence) {
		return false
	}
	authSafe, err := kids[1].children()
	if err != nil || len(authSafe) == 0 {
		return false
	}
	oid, ok := readOID(authSafe[0])
	return ok && (oid.Equal(oidData) || oid.Equal(oidSignedData))
}

type signedKind int

const (
	signedUnknown signedKind = iota
	signedCertificate
	signedRequest
	signedCRL
)

// signedObjectKind tells the three signed X.509 structures apart by the
// first fields of their to-be-signed part:
//
//	TBSCertificate:           [0] version OPTIONAL, INTEGER serial, SEQUENCE alg,
//	                          Name issuer, Validity, Name subject, SubjectPublicKeyInfo
//	CertificationRequestInfo: INTEGER version, Name subject, SubjectPublicKeyInfo, [0] attributes
//	TBSCertList:              INTEGER version OPTIONAL, SEQUENCE alg, Name issuer, Time thisUpdate
func signedObjectKind(tbs berElement) signedKind {
	kids, err := tbs.children()
	if err != nil {
		return signedUnknown
	}
	seq := func(i int) bool { return i < len(kids) && kids[i].isUniversal(tagSequence) }
	integer := func(i int) bool { return i < len(kids) && kids[i].isUniversal(tagInteger) }

	first := 0
	if len(kids) > 0 && kids[0].isContext(0) {
		first = 1
	}
	if integer(first) && seq(first+1) && seq(first+2) && seq(first+3) && seq(first+4) && seq(first+5) {
		return signedCertificate
	}
	if first == 0 && integer(0) && seq(1) && seq(2) && len(kids) > 3 && kids[3].isContext(0) {
		return signedRequest
	}
	first = 0
	if integer(0) {
		first = 1
	}
	if seq(first) && seq(first+1) && first+2 < len(kids) &&
		(kids[first+2].isUniversal(tagUTCTime) || kids[first+2].isUniversal(tagGeneralizedTime)) {
		return signedCRL
	}
	return signedUnknown
}

// certificateError says why a blob is not a plausible certificate.
type certificateError struct {
	field string
}

func (e *certificateError) Error() string {
	return "certificate: " + e.field
}

// checkCertificate checks that a certificate is one complete DER element
// shaped like Certificate ::= SEQUENCE { TBSCertificate, AlgorithmIdentifier,
// BIT STRING } with a TBSCertificate that starts as one should. It does not
// parse the certificate (package certstore/cert does), but it is strict DER:
// the signature covers these exact bytes, so a BER-encoded certificate could
// never verify and must not be passed on.
func checkCertificate(el berElement) error {
	if el.indefinite {
		return &certificateError{"uses BER indefinite length, not DER"}
	}
	input := cryptobyte.String(el.raw)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cryptobyte_asn1.SEQUENCE) || !input.Empty() {
		return &certificateError{"not one complete DER SEQUENCE"}
	}
	if !cert.ReadASN1(&tbs, cryptobyte_asn1.SEQUENCE) {
		return &certificateError{"tbsCertificate is not a DER SEQUENCE"}
	}
	if !cert.SkipASN1(cryptobyte_asn1.SEQUENCE) {
		return &certificateError{"signatureAlgorithm is not a DER SEQUENCE"}
	}
	if !cert.SkipASN1(cryptobyte_asn1.BIT_STRING) {
		return &certificateError{"signatureValue is not a DER BIT STRING"}
	}
	if !cert.Empty() {
		return &certificateError{"data after signatureValue"}
	}
	if !tbs.SkipOptionalASN1(cryptobyte_asn1.Tag(0).Constructed().ContextSpecific()) {
		return &certificateError{"version is not valid DER"}
	}
	if !tbs.SkipASN1(cryptobyte_asn1.INTEGER) {
		return &certificateError{"serialNumber is not a DER INTEGER"}
	}
	for _, field := range []string{"signature", "issuer", "validity", "subject", "subjectPublicKeyInfo"} {
		if !tbs.SkipASN1(cryptobyte_asn1.SEQUENCE) {
			return &certificateError{field + " is not a DER SEQUENCE"}
		}
	}
	return nil
}

// isPrivateKey recognises the DER private key formats people export by
// mistake instead of a certificate.
func isPrivateKey(kids []berElement) bool {
	if len(kids) < 2 {
		return false
	}
	version, hasVersion := kids[0].smallInt()
	switch {
	case hasVersion && (version == 0 || version == 1) && len(kids) >= 3 &&
		kids[1].isUniversal(tagSequence) && kids[2].is(classUniversal, tagOctetString):
		// PKCS#8 PrivateKeyInfo / OneAsymmetricKey.
		return true
	case len(kids) == 2 && kids[0].isUniversal(tagSequence) && kids[1].is(classUniversal, tagOctetString):
		// PKCS#8 EncryptedPrivateKeyInfo; the algorithm tells it from a
		// DigestInfo, which has the same shape.
		alg, err := kids[0].children()
		if err != nil || len(alg) == 0 {
			return false
		}
		oid, ok := readOID(alg[0])
		return ok && (hasOIDPrefix(oid, oidPKCS5) || hasOIDPrefix(oid, oidPKCS12PBE))
	case hasVersion && version == 1 && len(kids) <= 4 && kids[1].is(classUniversal, tagOctetString):
		// SEC 1 ECPrivateKey: version 1, privateKey, [0] parameters, [1] publicKey.
		for _, k := range kids[2:] {
			if k.class != classContextSpecific {
				return false
			}
		}
		return true
	case hasVersion && (version == 0 || version == 1) && len(kids) >= 6:
		// PKCS#1 RSAPrivateKey (9 or more INTEGERs) and OpenSSL's DSA key (6).
		for _, k := range kids {
			if !k.isUniversal(tagInteger) {
				return false
			}
		}
		return true
	}
	return false
}

func hasOIDPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) > len(prefix) && oid[:len(prefix)].Equal(prefix)
}
