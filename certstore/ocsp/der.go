package ocsp

import (
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
)

// Context-specific tags of RFC 6960 section 4.
var (
	tagExplicit0 = cbasn1.Tag(0).ContextSpecific().Constructed() // version, certs, nextUpdate, revocationReason
	tagExplicit1 = cbasn1.Tag(1).ContextSpecific().Constructed() // byName, responseExtensions, singleExtensions
	tagExplicit2 = cbasn1.Tag(2).ContextSpecific().Constructed() // byKey, requestExtensions
	tagGood      = cbasn1.Tag(0).ContextSpecific()               // good [0] IMPLICIT NULL
	tagRevoked   = cbasn1.Tag(1).ContextSpecific().Constructed() // revoked [1] IMPLICIT RevokedInfo
	tagUnknown   = cbasn1.Tag(2).ContextSpecific()               // unknown [2] IMPLICIT UnknownInfo (NULL)
)

// readAlgorithm reads an AlgorithmIdentifier: the OID and the raw DER of the
// parameters, nil when absent.
func readAlgorithm(s *cryptobyte.String, field string) (asn1.ObjectIdentifier, []byte, error) {
	var alg cryptobyte.String
	var id asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id) {
		return nil, nil, malformed(field, "an AlgorithmIdentifier")
	}
	if alg.Empty() {
		return id, nil, nil
	}
	var params cryptobyte.String
	if !alg.ReadAnyASN1Element(&params, nil) {
		return nil, nil, malformed(field, "the parameters of "+id.String())
	}
	if !alg.Empty() {
		return nil, nil, fieldError(field, fmt.Errorf("%w: after the parameters of %s", ErrTrailingData, id))
	}
	return id, params, nil
}

// readGeneralizedTime reads the GeneralizedTime of field. RFC 6960 times
// are GeneralizedTime only; their text is parsed by parseGeneralizedTime.
func readGeneralizedTime(s *cryptobyte.String, field string) (time.Time, error) {
	var text []byte
	if !s.ReadASN1Bytes(&text, cbasn1.GeneralizedTime) {
		return time.Time{}, malformed(field, "a GeneralizedTime")
	}
	t, err := parseGeneralizedTime(string(text))
	if err != nil {
		return time.Time{}, fieldError(field, err)
	}
	return t, nil
}

// parseGeneralizedTime parses a GeneralizedTime's text with the
// certificate parser's tolerant time parser: DER wants YYYYMMDDHHMMSSZ, which
// OpenSSL writes, but not every responder writes DER. The result is in UTC.
func parseGeneralizedTime(text string) (time.Time, error) {
	t, err := cert.ParseTime(text, 4)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: GeneralizedTime %q: %v", ErrBadValue, text, err)
	}
	return t, nil
}

// extension is one Extension (RFC 5280 4.1) of a response.
type extension struct {
	id       asn1.ObjectIdentifier
	critical bool
	value    []byte
}

// readExtensions reads the contents of an Extensions SEQUENCE.
func readExtensions(exts cryptobyte.String, field string) ([]extension, error) {
	var out []extension
	for n := 0; !exts.Empty(); n++ {
		var ext cryptobyte.String
		var e extension
		here := fmt.Sprintf("%s[%d]", field, n)
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.id) {
			return nil, malformed(here, "SEQUENCE { extnID, critical, extnValue }")
		}
		here = fmt.Sprintf("%s[%d] %s", field, n, e.id)
		// critical BOOLEAN DEFAULT FALSE: DER forbids writing FALSE, some
		// encoders do; any non-zero octet is TRUE, as for certificates.
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			var b []byte
			if !ext.ReadASN1Bytes(&b, cbasn1.BOOLEAN) || len(b) != 1 {
				return nil, malformed(here, "critical as a one-octet BOOLEAN")
			}
			e.critical = b[0] != 0
		}
		if !ext.ReadASN1Bytes(&e.value, cbasn1.OCTET_STRING) {
			return nil, malformed(here, "extnValue as an OCTET STRING")
		}
		if !ext.Empty() {
			return nil, fieldError(here, ErrTrailingData)
		}
		for _, prev := range out {
			if prev.id.Equal(e.id) {
				return nil, fieldError(here, ErrDuplicate)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// nonceValue is the nonce in an id-pkix-ocsp-nonce extnValue. RFC 8954 and
// OpenSSL make it an OCTET STRING inside the extnValue OCTET STRING; RFC
// 6960 did not say so, and some responders put the bare bytes there, which
// are returned as they are when they do not read as one OCTET STRING.
func nonceValue(extnValue []byte) []byte {
	s := cryptobyte.String(extnValue)
	var inner []byte
	if s.ReadASN1Bytes(&inner, cbasn1.OCTET_STRING) && s.Empty() {
		return inner
	}
	return extnValue
}
