package ocsp

import (
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/asn1read"
)

// parseResponse reads an OCSPResponse (RFC 6960 4.2.1):
//
//	OCSPResponse ::= SEQUENCE {
//	   responseStatus  OCSPResponseStatus,
//	   responseBytes   [0] EXPLICIT ResponseBytes OPTIONAL }
//	ResponseBytes ::= SEQUENCE {
//	   responseType    OBJECT IDENTIFIER,
//	   response        OCTET STRING }
func parseResponse(der []byte) (*Response, error) {
	input := cryptobyte.String(der)
	var outer cryptobyte.String
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, malformed("OCSPResponse", "a SEQUENCE")
	}
	if !input.Empty() {
		return nil, fieldError("OCSPResponse", ErrTrailingData)
	}
	r := &Response{Raw: der}
	var status int
	if !outer.ReadASN1Enum(&status) {
		return nil, malformed("responseStatus", "an ENUMERATED")
	}
	switch ResponseStatus(status) {
	case Successful, MalformedRequest, InternalError, TryLater, SigRequired, Unauthorized:
		r.Status = ResponseStatus(status)
	default:
		return nil, fieldError("responseStatus", fmt.Errorf("%w: %d is not an OCSPResponseStatus", ErrBadValue, status))
	}
	var explicit cryptobyte.String
	var present bool
	if !outer.ReadOptionalASN1(&explicit, &present, tagExplicit0) {
		return nil, malformed("responseBytes", "[0] EXPLICIT ResponseBytes")
	}
	if !outer.Empty() {
		return nil, fieldError("OCSPResponse", ErrTrailingData)
	}
	if r.Status != Successful {
		// An error answer has no responseBytes (4.2.1); whatever is
		// there is not signed for us and is not looked at.
		return r, nil
	}
	if !present {
		return nil, malformed("responseBytes", "ResponseBytes in a successful response")
	}
	var responseBytes cryptobyte.String
	if !explicit.ReadASN1(&responseBytes, cbasn1.SEQUENCE) || !explicit.Empty() {
		return nil, malformed("responseBytes", "a SEQUENCE")
	}
	var responseType asn1.ObjectIdentifier
	if !responseBytes.ReadASN1ObjectIdentifier(&responseType) {
		return nil, malformed("responseBytes.responseType", "an OBJECT IDENTIFIER")
	}
	if !responseType.Equal(oid.OCSPBasicResponse) {
		return nil, fieldError("responseBytes.responseType", fmt.Errorf("%w: %s is not id-pkix-ocsp-basic", ErrUnsupported, responseType))
	}
	var basic []byte
	if !responseBytes.ReadASN1Bytes(&basic, cbasn1.OCTET_STRING) {
		return nil, malformed("responseBytes.response", "an OCTET STRING")
	}
	if !responseBytes.Empty() {
		return nil, fieldError("responseBytes", ErrTrailingData)
	}
	if err := parseBasic(r, basic); err != nil {
		return nil, err
	}
	return r, nil
}

// parseBasic reads a BasicOCSPResponse (RFC 6960 4.2.1):
//
//	BasicOCSPResponse ::= SEQUENCE {
//	   tbsResponseData      ResponseData,
//	   signatureAlgorithm   AlgorithmIdentifier,
//	   signature            BIT STRING,
//	   certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
func parseBasic(r *Response, der []byte) error {
	input := cryptobyte.String(der)
	var basic cryptobyte.String
	if !input.ReadASN1(&basic, cbasn1.SEQUENCE) {
		return malformed("BasicOCSPResponse", "a SEQUENCE")
	}
	if !input.Empty() {
		return fieldError("BasicOCSPResponse", ErrTrailingData)
	}
	var tbs cryptobyte.String
	if !basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return malformed("tbsResponseData", "a SEQUENCE")
	}
	r.RawTBS = tbs
	if err := parseResponseData(r, tbs); err != nil {
		return err
	}
	var err error
	if r.SignatureAlgorithm, r.SignatureAlgorithmParams, err = readAlgorithm(&basic, "signatureAlgorithm"); err != nil {
		return err
	}
	var ok bool
	if r.Signature, ok = asn1read.BitString(&basic); !ok {
		return malformed("signature", "a BIT STRING")
	}
	var certs cryptobyte.String
	var present bool
	if !basic.ReadOptionalASN1(&certs, &present, tagExplicit0) {
		return malformed("certs", "[0] EXPLICIT SEQUENCE OF Certificate")
	}
	if present {
		var list cryptobyte.String
		if !certs.ReadASN1(&list, cbasn1.SEQUENCE) || !certs.Empty() {
			return malformed("certs", "a SEQUENCE OF Certificate")
		}
		for n := 0; !list.Empty(); n++ {
			var element cryptobyte.String
			if !list.ReadASN1Element(&element, cbasn1.SEQUENCE) {
				return malformed(fmt.Sprintf("certs[%d]", n), "a Certificate")
			}
			c, err := cert.Parse(element)
			if err != nil {
				return fieldError(fmt.Sprintf("certs[%d]", n), err)
			}
			r.Certificates = append(r.Certificates, c)
		}
	}
	if !basic.Empty() {
		return fieldError("BasicOCSPResponse", ErrTrailingData)
	}
	return nil
}

// parseResponseData reads tbsResponseData (RFC 6960 4.2.1):
//
//	ResponseData ::= SEQUENCE {
//	   version              [0] EXPLICIT Version DEFAULT v1,
//	   responderID              ResponderID,
//	   producedAt               GeneralizedTime,
//	   responses                SEQUENCE OF SingleResponse,
//	   responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//	ResponderID ::= CHOICE {
//	   byName   [1] Name,
//	   byKey    [2] KeyHash }
//
// ResponderID is EXPLICIT: the module's default tagging is EXPLICIT.
func parseResponseData(r *Response, element cryptobyte.String) error {
	var tbs cryptobyte.String
	element.ReadASN1(&tbs, cbasn1.SEQUENCE) // the caller read it as an element
	var version cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&version, &present, tagExplicit0) {
		return malformed("tbsResponseData.version", "[0] EXPLICIT INTEGER")
	}
	if present {
		var v int64
		if !version.ReadASN1Integer(&v) || !version.Empty() {
			return malformed("tbsResponseData.version", "an INTEGER")
		}
		if v != 0 {
			return fieldError("tbsResponseData.version", fmt.Errorf("%w: version %d, only v1 (0) exists", ErrUnsupported, v))
		}
	}
	var id cryptobyte.String
	var tag cbasn1.Tag
	if !tbs.ReadAnyASN1(&id, &tag) {
		return malformed("tbsResponseData.responderID", "byName [1] or byKey [2]")
	}
	switch tag {
	case tagExplicit1:
		var name cryptobyte.String
		if !id.ReadASN1Element(&name, cbasn1.SEQUENCE) || !id.Empty() {
			return malformed("tbsResponseData.responderID.byName", "a Name")
		}
		r.ResponderName = name
	case tagExplicit2:
		var hash []byte
		if !id.ReadASN1Bytes(&hash, cbasn1.OCTET_STRING) || !id.Empty() || len(hash) == 0 {
			return malformed("tbsResponseData.responderID.byKey", "a KeyHash OCTET STRING")
		}
		r.ResponderKeyHash = hash
	default:
		return fieldError("tbsResponseData.responderID", fmt.Errorf("%w: tag 0x%02x is neither byName [1] nor byKey [2]", ErrBadValue, uint8(tag)))
	}
	var err error
	if r.ProducedAt, err = readGeneralizedTime(&tbs, "tbsResponseData.producedAt"); err != nil {
		return err
	}
	var responses cryptobyte.String
	if !tbs.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return malformed("tbsResponseData.responses", "a SEQUENCE OF SingleResponse")
	}
	for n := 0; !responses.Empty(); n++ {
		single, err := parseSingle(&responses, fmt.Sprintf("tbsResponseData.responses[%d]", n))
		if err != nil {
			return err
		}
		r.Responses = append(r.Responses, single)
	}
	var exts cryptobyte.String
	if !tbs.ReadOptionalASN1(&exts, &present, tagExplicit1) {
		return malformed("tbsResponseData.responseExtensions", "[1] EXPLICIT Extensions")
	}
	if present {
		var list cryptobyte.String
		if !exts.ReadASN1(&list, cbasn1.SEQUENCE) || !exts.Empty() {
			return malformed("tbsResponseData.responseExtensions", "a SEQUENCE OF Extension")
		}
		extensions, err := readExtensions(list, "tbsResponseData.responseExtensions")
		if err != nil {
			return err
		}
		// Other extensions, critical or not, are not acted on, as OpenSSL
		// does not act on them: the verdicts must agree.
		for _, e := range extensions {
			if e.id.Equal(oid.OCSPNonce) {
				r.Nonce = nonceValue(e.value)
			}
		}
	}
	if !tbs.Empty() {
		return fieldError("tbsResponseData", ErrTrailingData)
	}
	return nil
}

// parseSingle reads one SingleResponse (RFC 6960 4.2.1):
//
//	SingleResponse ::= SEQUENCE {
//	   certID                       CertID,
//	   certStatus                   CertStatus,
//	   thisUpdate                   GeneralizedTime,
//	   nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//	   singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//	CertStatus ::= CHOICE {
//	   good        [0]     IMPLICIT NULL,
//	   revoked     [1]     IMPLICIT RevokedInfo,
//	   unknown     [2]     IMPLICIT UnknownInfo }
//	RevokedInfo ::= SEQUENCE {
//	   revocationTime              GeneralizedTime,
//	   revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
func parseSingle(s *cryptobyte.String, field string) (SingleResponse, error) {
	var out SingleResponse
	var single cryptobyte.String
	if !s.ReadASN1(&single, cbasn1.SEQUENCE) {
		return out, malformed(field, "a SingleResponse SEQUENCE")
	}
	var err error
	if out.CertID, err = readCertID(&single, field+".certID"); err != nil {
		return out, err
	}
	var status cryptobyte.String
	var tag cbasn1.Tag
	if !single.ReadAnyASN1(&status, &tag) {
		return out, malformed(field+".certStatus", "good [0], revoked [1] or unknown [2]")
	}
	out.Reason = -1
	switch tag {
	case tagGood:
		out.Status = Good
	case tagUnknown:
		out.Status = Unknown
	case tagRevoked:
		out.Status = Revoked
		if err := readRevokedInfo(&out, status, field+".certStatus.revoked"); err != nil {
			return out, err
		}
		status = nil
	default:
		return out, fieldError(field+".certStatus", fmt.Errorf("%w: tag 0x%02x is not good [0], revoked [1] or unknown [2]", ErrBadValue, uint8(tag)))
	}
	if !status.Empty() { // good and unknown are NULL: no contents
		return out, fieldError(field+".certStatus."+string(out.Status), fmt.Errorf("%w: a NULL with contents", ErrBadValue))
	}
	if out.ThisUpdate, err = readGeneralizedTime(&single, field+".thisUpdate"); err != nil {
		return out, err
	}
	var next cryptobyte.String
	var present bool
	if !single.ReadOptionalASN1(&next, &present, tagExplicit0) {
		return out, malformed(field+".nextUpdate", "[0] EXPLICIT GeneralizedTime")
	}
	if present {
		if out.NextUpdate, err = readGeneralizedTime(&next, field+".nextUpdate"); err != nil {
			return out, err
		}
		if !next.Empty() {
			return out, fieldError(field+".nextUpdate", ErrTrailingData)
		}
	}
	var exts cryptobyte.String
	if !single.ReadOptionalASN1(&exts, &present, tagExplicit1) {
		return out, malformed(field+".singleExtensions", "[1] EXPLICIT Extensions")
	}
	if present {
		// Read for well-formedness; none of them (CRL references,
		// archive cutoff...) changes the verdict, as in OpenSSL.
		var list cryptobyte.String
		if !exts.ReadASN1(&list, cbasn1.SEQUENCE) || !exts.Empty() {
			return out, malformed(field+".singleExtensions", "a SEQUENCE OF Extension")
		}
		if _, err := readExtensions(list, field+".singleExtensions"); err != nil {
			return out, err
		}
	}
	if !single.Empty() {
		return out, fieldError(field, ErrTrailingData)
	}
	return out, nil
}

// readCertID reads a CertID (RFC 6960 4.1.1):
//
//	CertID ::= SEQUENCE {
//	   hashAlgorithm       AlgorithmIdentifier,
//	   issuerNameHash      OCTET STRING,
//	   issuerKeyHash       OCTET STRING,
//	   serialNumber        CertificateSerialNumber }
func readCertID(s *cryptobyte.String, field string) (CertID, error) {
	var id CertID
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return id, malformed(field, "a CertID SEQUENCE")
	}
	var err error
	if id.HashAlgorithm, _, err = readAlgorithm(&seq, field+".hashAlgorithm"); err != nil {
		return id, err
	}
	if !seq.ReadASN1Bytes(&id.IssuerNameHash, cbasn1.OCTET_STRING) {
		return id, malformed(field+".issuerNameHash", "an OCTET STRING")
	}
	if !seq.ReadASN1Bytes(&id.IssuerKeyHash, cbasn1.OCTET_STRING) {
		return id, malformed(field+".issuerKeyHash", "an OCTET STRING")
	}
	var ok bool
	if id.SerialNumber, ok = asn1read.Integer(&seq); !ok {
		return id, malformed(field+".serialNumber", "an INTEGER")
	}
	if !seq.Empty() {
		return id, fieldError(field, ErrTrailingData)
	}
	return id, nil
}

// readRevokedInfo reads the contents of revoked [1] IMPLICIT RevokedInfo.
func readRevokedInfo(out *SingleResponse, info cryptobyte.String, field string) error {
	var err error
	if out.RevokedAt, err = readGeneralizedTime(&info, field+".revocationTime"); err != nil {
		return err
	}
	var reason cryptobyte.String
	var present bool
	if !info.ReadOptionalASN1(&reason, &present, tagExplicit0) {
		return malformed(field+".revocationReason", "[0] EXPLICIT CRLReason")
	}
	if present {
		var code int
		if !reason.ReadASN1Enum(&code) || !reason.Empty() {
			return malformed(field+".revocationReason", "an ENUMERATED CRLReason")
		}
		// A value outside RFC 5280 5.3.1 (0..10 but 7) is kept, as OpenSSL
		// keeps it: the certificate is revoked whatever the reason says.
		// Only a negative one cannot be told from "absent" (-1).
		if code < 0 {
			return fieldError(field+".revocationReason", fmt.Errorf("%w: %d is not a CRLReason", ErrBadValue, code))
		}
		out.Reason = code
	}
	if !info.Empty() {
		return fieldError(field, ErrTrailingData)
	}
	return nil
}
