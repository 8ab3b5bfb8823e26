package ocsp_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/ocsp"
)

// DER pieces for malformed responses.
func tlv(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	n := len(body)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, body...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, body...)
	default:
		return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, body...)
	}
}

func seq(parts ...[]byte) []byte { return tlv(0x30, parts...) }

var (
	derSHA1      = seq([]byte{0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, []byte{0x05, 0x00})
	derBasicOID  = []byte{0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01}
	derNonceOID  = []byte{0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02}
	derECDSA256  = seq([]byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02})
	derName      = seq(tlv(0x31, seq([]byte{0x06, 0x03, 0x55, 0x04, 0x03}, tlv(0x0c, []byte("Responder")))))
	derHash20    = tlv(0x04, make([]byte, 20))
	derProduced  = tlv(0x18, []byte("20250102030405Z"))
	derThis      = tlv(0x18, []byte("20250102030000Z"))
	derNext      = tlv(0xa0, tlv(0x18, []byte("20250109030000Z")))
	derCertID    = seq(derSHA1, derHash20, derHash20, []byte{0x02, 0x02, 0x10, 0x01})
	derGood      = []byte{0x80, 0x00}
	derSignature = tlv(0x03, []byte{0x00, 0x01, 0x02, 0x03})
)

// parts of a BasicOCSPResponse, each replaceable by a test.
type parts struct {
	status, responseType                          []byte
	version, responderID, producedAt, singles     []byte
	extensions, sigAlg, signature, certs, trailer []byte
	tbsTrailer                                    []byte
}

func validParts() parts {
	return parts{
		status:       []byte{0x0a, 0x01, 0x00},
		responseType: derBasicOID,
		responderID:  tlv(0xa1, derName),
		producedAt:   derProduced,
		singles:      seq(seq(derCertID, derGood, derThis, derNext)),
		extensions:   tlv(0xa1, seq(seq(derNonceOID, tlv(0x04, tlv(0x04, []byte("nonce-nonce-1234")))))),
		sigAlg:       derECDSA256,
		signature:    derSignature,
	}
}

func (p parts) der() []byte {
	tbs := seq(p.version, p.responderID, p.producedAt, p.singles, p.extensions, p.tbsTrailer)
	basic := seq(tbs, p.sigAlg, p.signature, p.certs, p.trailer)
	return seq(p.status, tlv(0xa0, seq(p.responseType, tlv(0x04, basic))))
}

func TestOCSPParseHandBuilt(t *testing.T) {
	p := validParts()
	p.version = tlv(0xa0, []byte{0x02, 0x01, 0x00}) // v1 written out, as DER forbids and some do
	p.producedAt = tlv(0x18, []byte("20250102030405.123Z"))
	der := p.der()
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ocsp.Successful || !bytes.Equal(r.Raw, der) {
		t.Errorf("status %v, Raw %d bytes of %d", r.Status, len(r.Raw), len(der))
	}
	if !bytes.Equal(r.ResponderName, derName) || r.ResponderKeyHash != nil {
		t.Errorf("responder name % x key %x", r.ResponderName, r.ResponderKeyHash)
	}
	if want := time.Date(2025, 1, 2, 3, 4, 5, 123e6, time.UTC); !r.ProducedAt.Equal(want) {
		t.Errorf("producedAt %s, want %s", r.ProducedAt, want)
	}
	if string(r.Nonce) != "nonce-nonce-1234" {
		t.Errorf("nonce %q", r.Nonce)
	}
	if len(r.Responses) != 1 {
		t.Fatalf("%d responses", len(r.Responses))
	}
	s := r.Responses[0]
	if s.Status != ocsp.Good || s.Reason != -1 || s.CertID.SerialNumber.Int64() != 0x1001 || !s.CertID.HashAlgorithm.Equal([]int{1, 3, 14, 3, 2, 26}) {
		t.Errorf("single %+v", s)
	}
	if !s.ThisUpdate.Equal(time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)) || !s.NextUpdate.Equal(time.Date(2025, 1, 9, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("this %s next %s", s.ThisUpdate, s.NextUpdate)
	}
	if !bytes.Equal(r.Signature, []byte{1, 2, 3}) || r.SignatureAlgorithmParams != nil || len(r.Certificates) != 0 {
		t.Errorf("signature % x params % x certs %d", r.Signature, r.SignatureAlgorithmParams, len(r.Certificates))
	}
	if !bytes.Contains(der, r.RawTBS) || r.RawTBS[0] != 0x30 {
		t.Errorf("RawTBS is not the tbsResponseData element")
	}

	// byKey, revoked with a reason, unknown, no nextUpdate, a
	// non-critical unknown extension and a bare nonce.
	p = validParts()
	p.responderID = tlv(0xa2, derHash20)
	revoked := tlv(0xa1, tlv(0x18, []byte("20240101000000Z")), tlv(0xa0, []byte{0x0a, 0x01, 0x01}))
	p.singles = seq(seq(derCertID, revoked, derThis), seq(derCertID, []byte{0x82, 0x00}, derThis))
	p.extensions = tlv(0xa1, seq(
		seq([]byte{0x06, 0x03, 0x2a, 0x03, 0x04}, []byte{0x01, 0x01, 0x00}, tlv(0x04, []byte{0x05, 0x00})),
		seq(derNonceOID, tlv(0x04, []byte("bare")))))
	r, err = ocsp.ParseResponse(p.der())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ResponderKeyHash) != 20 || r.ResponderName != nil || string(r.Nonce) != "bare" {
		t.Errorf("key hash %x name %x nonce %q", r.ResponderKeyHash, r.ResponderName, r.Nonce)
	}
	if s := r.Responses[0]; s.Status != ocsp.Revoked || s.Reason != 1 || !s.RevokedAt.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || !s.NextUpdate.IsZero() {
		t.Errorf("revoked single %+v", s)
	}
	if s := r.Responses[1]; s.Status != ocsp.Unknown || s.Reason != -1 {
		t.Errorf("unknown single %+v", s)
	}

	// An error status: nothing but the status.
	for status, want := range map[byte]ocsp.ResponseStatus{1: ocsp.MalformedRequest, 2: ocsp.InternalError, 3: ocsp.TryLater, 5: ocsp.SigRequired, 6: ocsp.Unauthorized} {
		r, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, status})
		if err != nil || r.Status != want || r.RawTBS != nil {
			t.Errorf("status %d: %v %+v", status, err, r)
		}
	}
}

func TestOCSPParseErrorsNameTheField(t *testing.T) {
	with := func(change func(p *parts)) []byte {
		p := validParts()
		change(&p)
		return p.der()
	}
	single := func(status, rest []byte) []byte { return seq(seq(derCertID, status, derThis, rest)) }
	tests := []struct {
		name  string
		der   []byte
		field string
		err   error
	}{
		{"empty", nil, "OCSPResponse", ocsp.ErrTruncated},
		{"trailing", append(validParts().der(), 0), "OCSPResponse", ocsp.ErrTrailingData},
		{"status not ENUMERATED", with(func(p *parts) { p.status = []byte{0x02, 0x01, 0x00} }), "responseStatus", ocsp.ErrTruncated},
		{"status 4", []byte{0x30, 0x03, 0x0a, 0x01, 0x04}, "responseStatus", ocsp.ErrBadValue},
		{"successful without bytes", []byte{0x30, 0x03, 0x0a, 0x01, 0x00}, "responseBytes", ocsp.ErrTruncated},
		{"not basic", with(func(p *parts) { p.responseType = []byte{0x06, 0x03, 0x2a, 0x03, 0x04} }), "responseBytes.responseType", ocsp.ErrUnsupported},
		{"response not OCTET STRING", seq([]byte{0x0a, 0x01, 0x00}, tlv(0xa0, seq(derBasicOID, tlv(0x03, []byte{0})))), "responseBytes.response", ocsp.ErrTruncated},
		{"basic not SEQUENCE", seq([]byte{0x0a, 0x01, 0x00}, tlv(0xa0, seq(derBasicOID, tlv(0x04, []byte{0x31, 0x00})))), "BasicOCSPResponse", ocsp.ErrTruncated},
		{"version 2", with(func(p *parts) { p.version = tlv(0xa0, []byte{0x02, 0x01, 0x01}) }), "tbsResponseData.version", ocsp.ErrUnsupported},
		{"responderID [3]", with(func(p *parts) { p.responderID = tlv(0xa3, derName) }), "tbsResponseData.responderID", ocsp.ErrBadValue},
		{"byKey empty", with(func(p *parts) { p.responderID = tlv(0xa2, tlv(0x04)) }), "tbsResponseData.responderID.byKey", ocsp.ErrTruncated},
		{"byName not a Name", with(func(p *parts) { p.responderID = tlv(0xa1, tlv(0x04)) }), "tbsResponseData.responderID.byName", ocsp.ErrTruncated},
		{"producedAt UTCTime", with(func(p *parts) { p.producedAt = tlv(0x17, []byte("250102030405Z")) }), "tbsResponseData.producedAt", ocsp.ErrTruncated},
		{"producedAt 31 February", with(func(p *parts) { p.producedAt = tlv(0x18, []byte("20250231030405Z")) }), "tbsResponseData.producedAt", ocsp.ErrBadValue},
		{"responses missing", with(func(p *parts) { p.singles = nil }), "tbsResponseData.responses", ocsp.ErrTruncated},
		{"certID not SEQUENCE", with(func(p *parts) { p.singles = seq(seq(tlv(0x04), derGood, derThis)) }), "tbsResponseData.responses[0].certID", ocsp.ErrTruncated},
		{"serial missing", with(func(p *parts) { p.singles = seq(seq(seq(derSHA1, derHash20, derHash20), derGood, derThis)) }), "tbsResponseData.responses[0].certID.serialNumber", ocsp.ErrTruncated},
		{"certStatus [3]", with(func(p *parts) { p.singles = single([]byte{0x83, 0x00}, nil) }), "tbsResponseData.responses[0].certStatus", ocsp.ErrBadValue},
		{"good with contents", with(func(p *parts) { p.singles = single([]byte{0x80, 0x01, 0x00}, nil) }), "tbsResponseData.responses[0].certStatus.good", ocsp.ErrBadValue},
		{"revoked without time", with(func(p *parts) { p.singles = single(tlv(0xa1), nil) }), "tbsResponseData.responses[0].certStatus.revoked.revocationTime", ocsp.ErrTruncated},
		{"negative reason", with(func(p *parts) {
			p.singles = single(tlv(0xa1, derThis, tlv(0xa0, []byte{0x0a, 0x01, 0xff})), nil)
		}), "tbsResponseData.responses[0].certStatus.revoked.revocationReason", ocsp.ErrBadValue},
		{"reason not ENUMERATED", with(func(p *parts) {
			p.singles = single(tlv(0xa1, derThis, tlv(0xa0, []byte{0x02, 0x01, 0x01})), nil)
		}), "tbsResponseData.responses[0].certStatus.revoked.revocationReason", ocsp.ErrTruncated},
		{"nextUpdate not a time", with(func(p *parts) { p.singles = single(derGood, tlv(0xa0, []byte{0x05, 0x00})) }), "tbsResponseData.responses[0].nextUpdate", ocsp.ErrTruncated},
		{"single trailing", with(func(p *parts) { p.singles = single(derGood, []byte{0x05, 0x00}) }), "tbsResponseData.responses[0]", ocsp.ErrTrailingData},
		{"singleExtensions bad", with(func(p *parts) { p.singles = single(derGood, tlv(0xa1, seq(seq(derNonceOID)))) }), "tbsResponseData.responses[0].singleExtensions[0] 1.3.6.1.5.5.7.48.1.2", ocsp.ErrTruncated},
		{"two nonces", with(func(p *parts) {
			n := seq(derNonceOID, tlv(0x04, tlv(0x04, []byte("x"))))
			p.extensions = tlv(0xa1, seq(n, n))
		}), "tbsResponseData.responseExtensions[1] 1.3.6.1.5.5.7.48.1.2", ocsp.ErrDuplicate},
		{"critical not BOOLEAN", with(func(p *parts) {
			p.extensions = tlv(0xa1, seq(seq(derNonceOID, []byte{0x01, 0x02, 0xff, 0xff}, tlv(0x04))))
		}), "tbsResponseData.responseExtensions[0] 1.3.6.1.5.5.7.48.1.2", ocsp.ErrTruncated},
		{"tbs trailing", with(func(p *parts) { p.tbsTrailer = []byte{0x05, 0x00} }), "tbsResponseData", ocsp.ErrTrailingData},
		{"signatureAlgorithm missing", with(func(p *parts) { p.sigAlg = nil }), "signatureAlgorithm", ocsp.ErrTruncated},
		{"signature not BIT STRING", with(func(p *parts) { p.signature = tlv(0x04, []byte{1}) }), "signature", ocsp.ErrTruncated},
		{"signature bad unused bits", with(func(p *parts) { p.signature = tlv(0x03, []byte{9, 1}) }), "signature", ocsp.ErrTruncated},
		{"certs not a list", with(func(p *parts) { p.certs = tlv(0xa0, tlv(0x04)) }), "certs", ocsp.ErrTruncated},
		{"certs[0] not a certificate", with(func(p *parts) { p.certs = tlv(0xa0, seq(seq(tlv(0x04)))) }), "certs[0]", nil},
		{"basic trailing", with(func(p *parts) { p.trailer = []byte{0x05, 0x00} }), "BasicOCSPResponse", ocsp.ErrTrailingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ocsp.ParseResponse(tt.der)
			var pe *ocsp.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", pe.Field, tt.field, err)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
			if pe.Code() != "ocsp-bad-response" || pe.Params()["Field"] != tt.field {
				t.Errorf("Code %q Params %v", pe.Code(), pe.Params())
			}
		})
	}
}
