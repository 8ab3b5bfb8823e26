// Package asn1read holds the tolerant readers the certificate, CRL and OCSP
// parsers share: they accept what real Russian CAs and responders write
// where DER is stricter, the way OpenSSL and CryptoPro do.
package asn1read

import (
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Boolean reads a BOOLEAN with the given tag (BOOLEAN, or an implicit
// context tag) the way OpenSSL and CryptoPro do: DER wants 0xFF for TRUE,
// but published CA certificates write the cA flag as 0x01, so any non-zero
// octet is TRUE.
func Boolean(s *cryptobyte.String, tag cbasn1.Tag, out *bool) bool {
	var b []byte
	if !s.ReadASN1Bytes(&b, tag) || len(b) != 1 {
		return false
	}
	*out = b[0] != 0
	return true
}

// Integer reads an INTEGER of any size. Unlike cryptobyte it accepts
// non-minimal encodings (a redundant leading 0x00 or 0xFF), which some CAs
// write in serial numbers and responders copy into CertIDs; an empty
// INTEGER is still an error.
func Integer(s *cryptobyte.String) (*big.Int, bool) {
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

// BitString reads a BIT STRING and returns its bytes without the
// unused-bits octet. The unused bits themselves are not checked to be zero.
func BitString(s *cryptobyte.String) ([]byte, bool) {
	var b []byte
	if !s.ReadASN1Bytes(&b, cbasn1.BIT_STRING) || len(b) == 0 || b[0] > 7 || (len(b) == 1 && b[0] != 0) {
		return nil, false
	}
	return b[1:], true
}
