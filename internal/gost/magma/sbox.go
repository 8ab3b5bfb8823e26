package magma

import (
	"encoding/asn1"
	"math/bits"
	"strconv"
)

// SBox is the substitution table of GOST 28147-89 ("узлы замены"): eight
// 4-bit S-boxes K1..K8. SBox[i] is K(i+1); K1 substitutes the least
// significant nibble of the 32-bit round input and K8 the most significant
// one, the convention of GOST 28147-89 itself, RFC 5830 section 5 and of
// GOST R 34.12-2015 (where K1..K8 are called pi'_0..pi'_7).
type SBox [8][16]byte

// ParamSet names one of the S-box parameter sets registered with an OID.
type ParamSet int

// The S-box parameter sets. The first six are GOST 28147-89 encryption
// parameter sets (RFC 4357 section 11.2; TC26 Z from RFC 7836 section 7.1,
// the S-box of GOST R 34.12-2015 Magma, RFC 8891 section 4.1). The last two
// are the S-boxes of the GOST R 34.11-94 hash parameter sets (RFC 4357
// section 11.2, GostR3411-94-ParamSetParameters.hUZ); their starting hash
// value h0 is zero in both.
const (
	Gost28147TestParamSet      ParamSet = iota // id-Gost28147-89-TestParamSet
	CryptoProA                                 // id-Gost28147-89-CryptoPro-A-ParamSet
	CryptoProB                                 // id-Gost28147-89-CryptoPro-B-ParamSet
	CryptoProC                                 // id-Gost28147-89-CryptoPro-C-ParamSet
	CryptoProD                                 // id-Gost28147-89-CryptoPro-D-ParamSet
	TC26Z                                      // id-tc26-gost-28147-param-Z
	GostR3411TestParamSet                      // id-GostR3411-94-TestParamSet
	GostR3411CryptoProParamSet                 // id-GostR3411-94-CryptoProParamSet
	paramSetCount
)

type paramSetInfo struct {
	name string
	oid  []int
	sbox SBox
}

// paramSets is the one table of S-boxes and their OIDs. Values are
// transcribed from RFC 4357 section 11.2 (the ASN.1 module lists each set
// as 64 packed bytes; here they are unpacked into K1..K8 rows) and from
// RFC 7836 / RFC 8891 for Z; TestSBoxesMatchEngine compares every row with
// the tables exported by OpenSSL's gost engine, and the known-answer tests
// exercise them.
var paramSets = [paramSetCount]paramSetInfo{
	Gost28147TestParamSet: {"id-Gost28147-89-TestParamSet", []int{1, 2, 643, 2, 2, 31, 0}, SBox{
		{4, 2, 15, 5, 9, 1, 0, 8, 14, 3, 11, 12, 13, 7, 10, 6},
		{12, 9, 15, 14, 8, 1, 3, 10, 2, 7, 4, 13, 6, 0, 11, 5},
		{13, 8, 14, 12, 7, 3, 9, 10, 1, 5, 2, 4, 6, 15, 0, 11},
		{14, 9, 11, 2, 5, 15, 7, 1, 0, 13, 12, 6, 10, 4, 3, 8},
		{3, 14, 5, 9, 6, 8, 0, 13, 10, 11, 7, 12, 2, 1, 15, 4},
		{8, 15, 6, 11, 1, 9, 12, 5, 13, 3, 7, 10, 0, 14, 2, 4},
		{9, 11, 12, 0, 3, 6, 7, 5, 4, 8, 14, 15, 1, 10, 2, 13},
		{12, 6, 5, 2, 11, 0, 9, 13, 3, 14, 7, 10, 15, 4, 1, 8},
	}},
	CryptoProA: {"id-Gost28147-89-CryptoPro-A-ParamSet", []int{1, 2, 643, 2, 2, 31, 1}, SBox{
		{9, 6, 3, 2, 8, 11, 1, 7, 10, 4, 14, 15, 12, 0, 13, 5},
		{3, 7, 14, 9, 8, 10, 15, 0, 5, 2, 6, 12, 11, 4, 13, 1},
		{14, 4, 6, 2, 11, 3, 13, 8, 12, 15, 5, 10, 0, 7, 1, 9},
		{14, 7, 10, 12, 13, 1, 3, 9, 0, 2, 11, 4, 15, 8, 5, 6},
		{11, 5, 1, 9, 8, 13, 15, 0, 14, 4, 2, 3, 12, 7, 10, 6},
		{3, 10, 13, 12, 1, 2, 0, 11, 7, 5, 9, 4, 8, 15, 14, 6},
		{1, 13, 2, 9, 7, 10, 6, 0, 8, 12, 4, 5, 15, 3, 11, 14},
		{11, 10, 15, 5, 0, 12, 14, 8, 6, 2, 3, 9, 1, 7, 13, 4},
	}},
	CryptoProB: {"id-Gost28147-89-CryptoPro-B-ParamSet", []int{1, 2, 643, 2, 2, 31, 2}, SBox{
		{8, 4, 11, 1, 3, 5, 0, 9, 2, 14, 10, 12, 13, 6, 7, 15},
		{0, 1, 2, 10, 4, 13, 5, 12, 9, 7, 3, 15, 11, 8, 6, 14},
		{14, 12, 0, 10, 9, 2, 13, 11, 7, 5, 8, 15, 3, 6, 1, 4},
		{7, 5, 0, 13, 11, 6, 1, 2, 3, 10, 12, 15, 4, 14, 9, 8},
		{2, 7, 12, 15, 9, 5, 10, 11, 1, 4, 0, 13, 6, 8, 14, 3},
		{8, 3, 2, 6, 4, 13, 14, 11, 12, 1, 7, 15, 10, 0, 9, 5},
		{5, 2, 10, 11, 9, 1, 12, 3, 7, 4, 13, 0, 6, 15, 8, 14},
		{0, 4, 11, 14, 8, 3, 7, 1, 10, 2, 9, 6, 15, 13, 5, 12},
	}},
	CryptoProC: {"id-Gost28147-89-CryptoPro-C-ParamSet", []int{1, 2, 643, 2, 2, 31, 3}, SBox{
		{1, 11, 12, 2, 9, 13, 0, 15, 4, 5, 8, 14, 10, 7, 6, 3},
		{0, 1, 7, 13, 11, 4, 5, 2, 8, 14, 15, 12, 9, 10, 6, 3},
		{8, 2, 5, 0, 4, 9, 15, 10, 3, 7, 12, 13, 6, 14, 1, 11},
		{3, 6, 0, 1, 5, 13, 10, 8, 11, 2, 9, 7, 14, 15, 12, 4},
		{8, 13, 11, 0, 4, 5, 1, 2, 9, 3, 12, 14, 6, 15, 10, 7},
		{12, 9, 11, 1, 8, 14, 2, 4, 7, 3, 6, 5, 10, 0, 15, 13},
		{10, 9, 6, 8, 13, 14, 2, 0, 15, 3, 5, 11, 4, 1, 12, 7},
		{7, 4, 0, 5, 10, 2, 15, 14, 12, 6, 1, 11, 13, 9, 3, 8},
	}},
	CryptoProD: {"id-Gost28147-89-CryptoPro-D-ParamSet", []int{1, 2, 643, 2, 2, 31, 4}, SBox{
		{15, 12, 2, 10, 6, 4, 5, 0, 7, 9, 14, 13, 1, 11, 8, 3},
		{11, 6, 3, 4, 12, 15, 14, 2, 7, 13, 8, 0, 5, 10, 9, 1},
		{1, 12, 11, 0, 15, 14, 6, 5, 10, 13, 4, 8, 9, 3, 7, 2},
		{1, 5, 14, 12, 10, 7, 0, 13, 6, 2, 11, 4, 9, 3, 15, 8},
		{0, 12, 8, 9, 13, 2, 10, 11, 7, 3, 6, 5, 4, 14, 15, 1},
		{8, 0, 15, 3, 2, 5, 14, 11, 1, 10, 4, 7, 12, 9, 13, 6},
		{3, 0, 6, 15, 1, 14, 9, 2, 13, 8, 12, 4, 11, 10, 5, 7},
		{1, 10, 6, 8, 15, 11, 0, 4, 12, 3, 5, 9, 7, 13, 2, 14},
	}},
	TC26Z: {"id-tc26-gost-28147-param-Z", []int{1, 2, 643, 7, 1, 2, 5, 1, 1}, SBox{
		{12, 4, 6, 2, 10, 5, 11, 9, 14, 8, 13, 7, 0, 3, 15, 1},
		{6, 8, 2, 3, 9, 10, 5, 12, 1, 14, 4, 7, 11, 13, 0, 15},
		{11, 3, 5, 8, 2, 15, 10, 13, 14, 1, 7, 4, 12, 9, 6, 0},
		{12, 8, 2, 1, 13, 4, 15, 6, 7, 0, 10, 5, 3, 14, 9, 11},
		{7, 15, 5, 10, 8, 1, 6, 13, 0, 9, 3, 14, 11, 4, 2, 12},
		{5, 13, 15, 6, 9, 2, 12, 10, 11, 7, 8, 1, 4, 3, 14, 0},
		{8, 14, 2, 5, 6, 9, 1, 12, 15, 4, 11, 0, 13, 10, 3, 7},
		{1, 7, 14, 13, 0, 5, 8, 3, 4, 15, 10, 6, 9, 12, 11, 2},
	}},
	GostR3411TestParamSet: {"id-GostR3411-94-TestParamSet", []int{1, 2, 643, 2, 2, 30, 0}, SBox{
		{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
		{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
		{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
		{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
		{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
		{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
		{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
		{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12},
	}},
	GostR3411CryptoProParamSet: {"id-GostR3411-94-CryptoProParamSet", []int{1, 2, 643, 2, 2, 30, 1}, SBox{
		{10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15},
		{5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8},
		{7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13},
		{4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3},
		{7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5},
		{7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3},
		{13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11},
		{1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12},
	}},
}

// ParamSets lists every known parameter set, in OID table order.
func ParamSets() []ParamSet {
	out := make([]ParamSet, paramSetCount)
	for i := range out {
		out[i] = ParamSet(i)
	}
	return out
}

func (p ParamSet) valid() bool { return p >= 0 && p < paramSetCount }

// SBox returns a fresh copy of the parameter set's S-box (the table itself
// stays read-only), or nil for an unknown ParamSet.
func (p ParamSet) SBox() *SBox {
	if !p.valid() {
		return nil
	}
	s := paramSets[p].sbox
	return &s
}

// OID returns the parameter set's object identifier (a fresh copy).
func (p ParamSet) OID() asn1.ObjectIdentifier {
	if !p.valid() {
		return nil
	}
	return append(asn1.ObjectIdentifier(nil), paramSets[p].oid...)
}

// String returns the parameter set's ASN.1 name, e.g.
// "id-Gost28147-89-CryptoPro-A-ParamSet".
func (p ParamSet) String() string {
	if !p.valid() {
		return "magma.ParamSet(" + strconv.Itoa(int(p)) + ")"
	}
	return paramSets[p].name
}

// ParamSetByOID finds the parameter set registered under oid.
func ParamSetByOID(oid asn1.ObjectIdentifier) (ParamSet, bool) {
	for i := range paramSets {
		if oid.Equal(paramSets[i].oid) {
			return ParamSet(i), true
		}
	}
	return 0, false
}

// sboxTable is the S-box expanded for 8-bit lookups: t[j][b] is the
// substitution of byte j of the round input (two nibbles through K(2j+1)
// and K(2j+2)), already shifted into place and rotated left by 11 bits, so
// the round function is four lookups and three XORs. 4 KiB, derived from an
// SBox by expand.
type sboxTable [4][256]uint32

func (s *SBox) expand() *sboxTable {
	t := new(sboxTable)
	for j := 0; j < 4; j++ {
		lo, hi := &s[2*j], &s[2*j+1]
		for b := 0; b < 256; b++ {
			v := uint32(hi[b>>4]&15)<<4 | uint32(lo[b&15]&15)
			t[j][b] = bits.RotateLeft32(v<<(8*j), 11)
		}
	}
	return t
}
