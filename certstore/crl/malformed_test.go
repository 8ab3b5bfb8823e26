package crl

import (
	"errors"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
)

// TestParseMalformed: each damaged field gives a *ParseError naming it,
// wrapping the reason (errors.Is), with the code of the translations.
func TestParseMalformed(t *testing.T) {
	at := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	good := func(serial byte) testEntry { return testEntry{serial: []byte{serial}, revoked: at, reason: ReasonNone} }
	withEntry := func(i int, e testEntry) func(*crlSpec) {
		return func(s *crlSpec) {
			s.entries = []testEntry{good(1), good(2), good(3), good(4)}
			s.entries[i] = e
		}
	}
	reasonExt := extension(oid.ExtReasonCode, false, tlv(cbasn1.ENUM, []byte{1}))
	tests := []struct {
		name   string
		input  []byte // when set, parsed as is
		edit   func(*crlSpec)
		field  string
		reason error
	}{
		{name: "empty input", input: []byte{}, field: "certificateList", reason: cert.ErrTruncated},
		{name: "not a SEQUENCE", input: []byte{0x04, 0x01, 0x00}, field: "certificateList", reason: cert.ErrTruncated},
		{name: "truncated", input: baseSpec().build()[:40], field: "certificateList", reason: cert.ErrTruncated},
		{name: "data after the CRL", input: append(baseSpec().build(), 0), field: "certificateList", reason: cert.ErrTrailingData},
		{name: "tbsCertList not a SEQUENCE", input: seq(intElement(1)), field: "tbsCertList", reason: cert.ErrTruncated},
		{name: "version 3", edit: func(s *crlSpec) { s.version = intElement(2) }, field: "tbsCertList.version", reason: cert.ErrBadValue},
		{name: "version too big", edit: func(s *crlSpec) { s.version = tlv(cbasn1.INTEGER, make([]byte, 9)) }, field: "tbsCertList.version", reason: cert.ErrTruncated},
		{name: "signature not an AlgorithmIdentifier", edit: func(s *crlSpec) { s.rawSigAlg = seq(intElement(1)) }, field: "tbsCertList.signature", reason: cert.ErrTruncated},
		{name: "issuer missing", edit: func(s *crlSpec) { s.issuer = timeElement(at) }, field: "tbsCertList.issuer", reason: cert.ErrTruncated},
		{name: "issuer RDN not a SET", edit: func(s *crlSpec) { s.issuer = seq(seq(oidElement(oid.CommonName))) }, field: "tbsCertList.issuer", reason: cert.ErrTruncated},
		{name: "thisUpdate month 13", edit: func(s *crlSpec) { s.rawThis = tlv(cbasn1.UTCTime, []byte("241301000000Z")) }, field: "tbsCertList.thisUpdate", reason: cert.ErrBadValue},
		{name: "thisUpdate not a time", edit: func(s *crlSpec) { s.rawThis = intElement(5) }, field: "tbsCertList.thisUpdate", reason: cert.ErrBadValue},
		{name: "nextUpdate bad", edit: func(s *crlSpec) { s.rawNext = tlv(cbasn1.GeneralizedTime, []byte("20240230000000Z")) }, field: "tbsCertList.nextUpdate", reason: cert.ErrBadValue},
		{name: "revokedCertificates truncated", edit: func(s *crlSpec) { s.rawEntries = []byte{0x30, 0x05, 0x30} }, field: "tbsCertList.revokedCertificates", reason: cert.ErrTruncated},
		{name: "entry not a SEQUENCE", edit: withEntry(1, testEntry{raw: intElement(5)}), field: "revokedCertificates[1]", reason: cert.ErrTruncated},
		{name: "serial not an INTEGER", edit: withEntry(2, testEntry{raw: seq(tlv(cbasn1.OCTET_STRING, []byte{1}), timeElement(at))}), field: "revokedCertificates[2].userCertificate", reason: cert.ErrTruncated},
		{name: "empty serial", edit: withEntry(3, testEntry{raw: seq(tlv(cbasn1.INTEGER, nil), timeElement(at))}), field: "revokedCertificates[3].userCertificate", reason: cert.ErrTruncated},
		{name: "revocationDate missing", edit: withEntry(0, testEntry{raw: seq(intElement(9))}), field: "revokedCertificates[0].revocationDate", reason: cert.ErrTruncated},
		{name: "revocationDate bad", edit: withEntry(1, testEntry{raw: seq(intElement(9), tlv(cbasn1.UTCTime, []byte("24010100000Z")))}), field: "revokedCertificates[1].revocationDate", reason: cert.ErrBadValue},
		{name: "entry extensions not a SEQUENCE", edit: withEntry(0, testEntry{raw: seq(intElement(9), timeElement(at), intElement(1))}), field: "revokedCertificates[0].crlEntryExtensions", reason: cert.ErrTruncated},
		{name: "data after entry extensions", edit: withEntry(0, testEntry{raw: seq(intElement(9), timeElement(at), seq(reasonExt), intElement(1))}), field: "revokedCertificates[0]", reason: cert.ErrTrailingData},
		{name: "entry extension without value", edit: withEntry(2, testEntry{raw: seq(intElement(9), timeElement(at), seq(seq(oidElement(oid.ExtReasonCode))))}), field: "revokedCertificates[2].crlEntryExtensions", reason: cert.ErrTruncated},
		{name: "entry extension critical not a BOOLEAN", edit: withEntry(2, testEntry{raw: seq(intElement(9), timeElement(at), seq(seq(oidElement(oid.ExtReasonCode), tlv(cbasn1.BOOLEAN, []byte{1, 1}), tlv(cbasn1.OCTET_STRING, nil))))}), field: "revokedCertificates[2].crlEntryExtensions", reason: cert.ErrBadValue},
		{name: "reasonCode not ENUMERATED", edit: withEntry(3, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtReasonCode, false, tlv(cbasn1.OCTET_STRING, []byte{1}))}}), field: "revokedCertificates[3].crlEntryExtensions.reasonCode", reason: cert.ErrTruncated},
		{name: "reasonCode out of range", edit: withEntry(3, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtReasonCode, false, tlv(cbasn1.ENUM, []byte{1, 0}))}}), field: "revokedCertificates[3].crlEntryExtensions.reasonCode", reason: cert.ErrBadValue},
		{name: "reasonCode twice", edit: withEntry(1, testEntry{serial: []byte{4}, revoked: at, reason: ReasonKeyCompromise, extra: [][]byte{reasonExt}}), field: "revokedCertificates[1].crlEntryExtensions.reasonCode", reason: cert.ErrDuplicate},
		{name: "invalidityDate bad", edit: withEntry(2, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtInvalidityDate, false, tlv(cbasn1.GeneralizedTime, []byte("2024")))}}), field: "revokedCertificates[2].crlEntryExtensions.invalidityDate", reason: cert.ErrBadValue},
		{name: "invalidityDate trailing", edit: withEntry(2, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtInvalidityDate, false, concat(genTimeElement(at), intElement(0)))}}), field: "revokedCertificates[2].crlEntryExtensions.invalidityDate", reason: cert.ErrTrailingData},
		{name: "certificateIssuer empty", edit: withEntry(0, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtCertificateIssuer, true, seq())}}), field: "revokedCertificates[0].crlEntryExtensions.certificateIssuer", reason: cert.ErrBadValue},
		{name: "certificateIssuer truncated name", edit: withEntry(0, testEntry{serial: []byte{4}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtCertificateIssuer, true, seq([]byte{0xA4, 0x05, 0x30}))}}), field: "revokedCertificates[0].crlEntryExtensions.certificateIssuer", reason: cert.ErrTruncated},
		{name: "crlExtensions not [0] SEQUENCE", edit: func(s *crlSpec) { s.rawExts = tlv(tagExplicit0, intElement(1)) }, field: "tbsCertList.crlExtensions", reason: cert.ErrTruncated},
		{name: "crlExtensions trailing", edit: func(s *crlSpec) { s.rawExts = tlv(tagExplicit0, concat(seq(), intElement(1))) }, field: "tbsCertList.crlExtensions", reason: cert.ErrTrailingData},
		{name: "extension without OID", edit: func(s *crlSpec) { s.extensions = [][]byte{seq(intElement(1))} }, field: "tbsCertList.crlExtensions[0]", reason: cert.ErrTruncated},
		{name: "extension value not OCTET STRING", edit: func(s *crlSpec) {
			s.extensions = [][]byte{seq(oidElement(oid.ExtCRLNumber), intElement(1))}
		}, field: "tbsCertList.crlExtensions.cRLNumber", reason: cert.ErrTruncated},
		{name: "cRLNumber not INTEGER", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, tlv(cbasn1.OCTET_STRING, []byte{1}))}
		}, field: "tbsCertList.crlExtensions.cRLNumber", reason: cert.ErrTruncated},
		{name: "cRLNumber negative", edit: func(s *crlSpec) { s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, intElement(-3))} }, field: "tbsCertList.crlExtensions.cRLNumber", reason: cert.ErrBadValue},
		{name: "cRLNumber trailing", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, concat(intElement(3), intElement(3)))}
		}, field: "tbsCertList.crlExtensions.cRLNumber", reason: cert.ErrTrailingData},
		{name: "cRLNumber twice", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtCRLNumber, false, intElement(3)), extension(oid.ExtCRLNumber, false, intElement(4))}
		}, field: "tbsCertList.crlExtensions.cRLNumber", reason: cert.ErrDuplicate},
		{name: "deltaCRLIndicator bad", edit: func(s *crlSpec) { s.extensions = [][]byte{extension(oid.ExtDeltaCRLIndicator, true, nil)} }, field: "tbsCertList.crlExtensions.deltaCRLIndicator", reason: cert.ErrTruncated},
		{name: "authorityKeyIdentifier not a SEQUENCE", edit: func(s *crlSpec) { s.extensions = [][]byte{extension(oid.ExtAuthorityKeyID, false, intElement(1))} }, field: "tbsCertList.crlExtensions.authorityKeyIdentifier", reason: cert.ErrTruncated},
		{name: "freshestCRL point not a SEQUENCE", edit: func(s *crlSpec) { s.extensions = [][]byte{extension(oid.ExtFreshestCRL, false, seq(intElement(1)))} }, field: "tbsCertList.crlExtensions.freshestCRL", reason: cert.ErrBadValue},
		{name: "freshestCRL bad name", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtFreshestCRL, false, seq(seq(tlv(tagExplicit0, concat(tlv(tagExplicit0, nil), intElement(1))))))}
		}, field: "tbsCertList.crlExtensions.freshestCRL", reason: cert.ErrBadValue},
		{name: "issuingDistributionPoint bad BOOLEAN", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtIssuingDistributionPoint, true, seq(tlv(cbasn1.Tag(1).ContextSpecific(), []byte{1, 1})))}
		}, field: "tbsCertList.crlExtensions.issuingDistributionPoint", reason: cert.ErrBadValue},
		{name: "issuingDistributionPoint bad reasons", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtIssuingDistributionPoint, true, seq(tlv(cbasn1.Tag(3).ContextSpecific(), []byte{9, 1})))}
		}, field: "tbsCertList.crlExtensions.issuingDistributionPoint", reason: cert.ErrBadValue},
		{name: "issuingDistributionPoint misordered", edit: func(s *crlSpec) {
			s.extensions = [][]byte{extension(oid.ExtIssuingDistributionPoint, true, seq(tlv(cbasn1.Tag(4).ContextSpecific(), []byte{0xFF}), tlv(cbasn1.Tag(1).ContextSpecific(), []byte{0xFF})))}
		}, field: "tbsCertList.crlExtensions.issuingDistributionPoint", reason: cert.ErrTrailingData},
		{name: "data after crlExtensions", edit: func(s *crlSpec) { s.tbsTrailer = intElement(0) }, field: "tbsCertList", reason: cert.ErrTrailingData},
		{name: "signatureAlgorithm missing", input: seq(baseSpec().tbs()), field: "signatureAlgorithm", reason: cert.ErrTruncated},
		{name: "signatureAlgorithm trailing", input: seq(baseSpec().tbs(), seq(oidElement(oid.SHA256WithRSA), tlv(cbasn1.NULL, nil), tlv(cbasn1.NULL, nil))), field: "signatureAlgorithm", reason: cert.ErrTrailingData},
		{name: "signatureValue not a BIT STRING", edit: func(s *crlSpec) { s.rawSignature = tlv(cbasn1.OCTET_STRING, []byte{0, 1}) }, field: "signatureValue", reason: cert.ErrTruncated},
		{name: "signatureValue bad unused bits", edit: func(s *crlSpec) { s.rawSignature = tlv(cbasn1.BIT_STRING, []byte{8, 1}) }, field: "signatureValue", reason: cert.ErrTruncated},
		{name: "data after signatureValue", input: seq(baseSpec().tbs(), seq(oidElement(oid.SHA256WithRSA)), tlv(cbasn1.BIT_STRING, []byte{0}), intElement(1)), field: "certificateList", reason: cert.ErrTrailingData},
		{name: "damaged PEM", input: []byte("-----BEGIN X509 CRL-----\nMII=\n"), field: "pem", reason: cert.ErrBadValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.input
			if input == nil {
				spec := baseSpec()
				tt.edit(&spec)
				input = spec.build()
			}
			c, err := Parse(input)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, %v; want a *ParseError", c, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Field %q, want %q (%v)", pe.Field, tt.field, err)
			}
			if !errors.Is(err, tt.reason) {
				t.Errorf("%v does not wrap %v", err, tt.reason)
			}
			if pe.Code() != "crl-malformed" || pe.Params()["Field"] != tt.field || pe.Params()["Detail"] == "" {
				t.Errorf("Code %q Params %v", pe.Code(), pe.Params())
			}
		})
	}
}
