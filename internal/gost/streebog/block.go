package streebog

import (
	"encoding/binary"
	"math/bits"
)

// A 512-bit value is kept as eight 64-bit words, least significant first;
// word w holds bytes 8w..8w+7 of the standard's numbering (byte 0 is the
// least significant), so a block of the message is eight little-endian
// loads.

// lpsXor sets out to L(P(S(a XOR b))) using the tables t (lpsTable). out
// may be a or b. The tables come as an argument so that one register holds
// their address and each lookup adds a constant offset to it.
//
// P moves byte k of word j to byte j of word k (it transposes the 8x8 matrix
// of bytes), and L is linear, so output word k is the XOR over j of
// l(pi'(byte k of word j) << 8j), which is lpsTable[j][byte k of word j].
//
// a XOR b goes to a byte array on the stack first: each lookup is then one
// byte load and one XOR with a table word, the fewest instructions Go can
// express (shifting bytes out of registers costs two more per lookup, and
// the compiler spills when it schedules them). The function is unrolled by
// hand; every index is a constant or a byte, so there are no bounds checks.
func lpsXor(t *[8][256]uint64, out, a, b *[8]uint64) {
	var x [64]byte

	binary.LittleEndian.PutUint64(x[0:], a[0]^b[0])
	binary.LittleEndian.PutUint64(x[8:], a[1]^b[1])
	binary.LittleEndian.PutUint64(x[16:], a[2]^b[2])
	binary.LittleEndian.PutUint64(x[24:], a[3]^b[3])
	binary.LittleEndian.PutUint64(x[32:], a[4]^b[4])
	binary.LittleEndian.PutUint64(x[40:], a[5]^b[5])
	binary.LittleEndian.PutUint64(x[48:], a[6]^b[6])
	binary.LittleEndian.PutUint64(x[56:], a[7]^b[7])
	out[0] = t[0][x[0]] ^ t[1][x[8]] ^ t[2][x[16]] ^ t[3][x[24]] ^
		t[4][x[32]] ^ t[5][x[40]] ^ t[6][x[48]] ^ t[7][x[56]]
	out[1] = t[0][x[1]] ^ t[1][x[9]] ^ t[2][x[17]] ^ t[3][x[25]] ^
		t[4][x[33]] ^ t[5][x[41]] ^ t[6][x[49]] ^ t[7][x[57]]
	out[2] = t[0][x[2]] ^ t[1][x[10]] ^ t[2][x[18]] ^ t[3][x[26]] ^
		t[4][x[34]] ^ t[5][x[42]] ^ t[6][x[50]] ^ t[7][x[58]]
	out[3] = t[0][x[3]] ^ t[1][x[11]] ^ t[2][x[19]] ^ t[3][x[27]] ^
		t[4][x[35]] ^ t[5][x[43]] ^ t[6][x[51]] ^ t[7][x[59]]
	out[4] = t[0][x[4]] ^ t[1][x[12]] ^ t[2][x[20]] ^ t[3][x[28]] ^
		t[4][x[36]] ^ t[5][x[44]] ^ t[6][x[52]] ^ t[7][x[60]]
	out[5] = t[0][x[5]] ^ t[1][x[13]] ^ t[2][x[21]] ^ t[3][x[29]] ^
		t[4][x[37]] ^ t[5][x[45]] ^ t[6][x[53]] ^ t[7][x[61]]
	out[6] = t[0][x[6]] ^ t[1][x[14]] ^ t[2][x[22]] ^ t[3][x[30]] ^
		t[4][x[38]] ^ t[5][x[46]] ^ t[6][x[54]] ^ t[7][x[62]]
	out[7] = t[0][x[7]] ^ t[1][x[15]] ^ t[2][x[23]] ^ t[3][x[31]] ^
		t[4][x[39]] ^ t[5][x[47]] ^ t[6][x[55]] ^ t[7][x[63]]
}

// compressGeneric is the compression function g_N(h, m) of section 7 (RFC
// 6986): h = E(LPS(h XOR N), m) XOR h XOR m, where E is the 12-round cipher
// whose round keys come from LPS(K XOR C_i). compress is this function, or
// the same in assembly where there is one (block_amd64.s).
func compressGeneric(h, n, m *[8]uint64) {
	var k, s [8]uint64
	lpsXor(&lpsTable, &k, h, n)
	s = *m
	for i := range roundConstants {
		lpsXor(&lpsTable, &s, &s, &k)
		lpsXor(&lpsTable, &k, &k, &roundConstants[i])
	}
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// loadBlock reads a 64-byte block as a little-endian 512-bit value.
func loadBlock(m *[8]uint64, p []byte) {
	_ = p[63]
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
}

// add512 sets x = x + y mod 2^512 (the standard's "+" on V_512).
func add512(x, y *[8]uint64) {
	var c uint64
	for i := range x {
		x[i], c = bits.Add64(x[i], y[i], c)
	}
}

// addBits adds a bit count below 2^64 to the 512-bit counter N.
func addBits(n *[8]uint64, v uint64) {
	var c uint64
	n[0], c = bits.Add64(n[0], v, 0)
	for i := 1; i < len(n) && c != 0; i++ {
		n[i], c = bits.Add64(n[i], 0, c)
	}
}

// blocks hashes whole 64-byte blocks of p (len(p) a multiple of 64): for
// each, h = g_N(h, m), N = N + 512, Sigma = Sigma + m (section 8, stage 2).
func (d *digest) blocks(p []byte) {
	var m [8]uint64
	for len(p) >= BlockSize {
		loadBlock(&m, p)
		compress(&d.h, &d.n, &m)
		addBits(&d.n, 512)
		add512(&d.sigma, &m)
		p = p[BlockSize:]
	}
}
