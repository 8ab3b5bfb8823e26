package ocsp

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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

// readInteger reads an INTEGER of any size. Like the certificate parser it
// accepts non-minimal encodings (a redundant leading 0x00 or 0xFF), which
// some CAs write in serial numbers and responders copy into CertIDs.
func readInteger(s *cryptobyte.String) (*big.Int, bool) {
	var b []byte
	if !s.ReadASN1Bytes(&b, cbasn1.INTEGER) || len(b) == 0 {
		return nil, false
	}
	n := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 { // negative: two's complement
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n, true
}

// readBitString reads a BIT STRING and returns its bytes without the
// unused-bits octet.
func readBitString(s *cryptobyte.String) ([]byte, bool) {
	var b []byte
	if !s.ReadASN1Bytes(&b, cbasn1.BIT_STRING) || len(b) == 0 || b[0] > 7 || (len(b) == 1 && b[0] != 0) {
		return nil, false
	}
	return b[1:], true
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

// parseGeneralizedTime parses YYYYMMDDHHMMSS[.fff][Z|+hhmm|-hhmm].
//
// DER (RFC 5280 4.1.2.5.2) wants YYYYMMDDHHMMSSZ, which is what OpenSSL
// writes; BER also allows fractional seconds and a zone offset, and not
// every responder writes DER (Russian CAs' certificates already carry
// "…00.876Z"), so those are accepted too, and no zone at all is taken as
// UTC. The result is in UTC.
func parseGeneralizedTime(text string) (time.Time, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: GeneralizedTime %q: %s", ErrBadValue, text, why)
	}
	pos := 0
	digits := func(n int) (int, bool) {
		if pos+n > len(text) {
			return 0, false
		}
		v := 0
		for _, c := range text[pos : pos+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		pos += n
		return v, true
	}
	var f [6]int // year, month, day, hour, minute, second
	for i, n := range [6]int{4, 2, 2, 2, 2, 2} {
		v, ok := digits(n)
		if !ok {
			return time.Time{}, bad("expected YYYYMMDDHHMMSS")
		}
		f[i] = v
	}
	nanos := 0
	if pos < len(text) && (text[pos] == '.' || text[pos] == ',') {
		pos++
		start := pos
		scale := 100000000
		for pos < len(text) && text[pos] >= '0' && text[pos] <= '9' {
			nanos += int(text[pos]-'0') * scale
			scale /= 10
			pos++
		}
		if pos == start {
			return time.Time{}, bad("no digits after the decimal sign")
		}
	}
	offset := 0
	switch {
	case pos == len(text):
	case text[pos] == 'Z':
		pos++
	case text[pos] == '+' || text[pos] == '-':
		sign := 1
		if text[pos] == '-' {
			sign = -1
		}
		pos++
		hh, ok1 := digits(2)
		mm, ok2 := digits(2)
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return time.Time{}, bad("bad zone offset")
		}
		offset = sign * (hh*3600 + mm*60)
	default:
		return time.Time{}, bad("unexpected text after the seconds")
	}
	if pos != len(text) {
		return time.Time{}, bad("unexpected text after the zone")
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nanos, time.UTC)
	// time.Date normalises 31 February into March: refuse what it changed.
	if t.Year() != f[0] || int(t.Month()) != f[1] || t.Day() != f[2] || t.Hour() != f[3] || t.Minute() != f[4] || t.Second() != f[5] {
		return time.Time{}, bad("no such date or time")
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
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
