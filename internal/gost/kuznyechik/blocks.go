package kuznyechik

import "encoding/binary"

// EncryptBlocks encrypts the whole blocks of src into dst (len(src) must be
// a multiple of BlockSize and dst at least as long; they may overlap
// exactly). It computes two blocks at a time: their table lookups are
// independent, so the processor overlaps the cache misses of one block
// with the work of the other (the tables are 64 KiB, larger than most L1
// caches). Package gost3413 uses it for the counter mode keystream.
func (c *kuznyechikCipher) EncryptBlocks(dst, src []byte) {
	if len(src)%BlockSize != 0 {
		panic("kuznyechik: input not full blocks")
	}
	if len(dst) < len(src) {
		panic("kuznyechik: output smaller than input")
	}
	for len(src) >= 2*BlockSize {
		c.encrypt2(dst[:2*BlockSize], src[:2*BlockSize])
		dst, src = dst[2*BlockSize:], src[2*BlockSize:]
	}
	if len(src) > 0 {
		c.Encrypt(dst, src)
	}
}

func (c *kuznyechikCipher) encrypt2(dst, src []byte) {
	_ = src[31]
	_ = dst[31]
	hi0 := binary.BigEndian.Uint64(src[0:8])
	lo0 := binary.BigEndian.Uint64(src[8:16])
	hi1 := binary.BigEndian.Uint64(src[16:24])
	lo1 := binary.BigEndian.Uint64(src[24:32])
	t := &lsTable
	for i := 0; i < rounds-1; i++ {
		k := c.enc[i]
		hi0 ^= k.hi
		lo0 ^= k.lo
		hi1 ^= k.hi
		lo1 ^= k.lo
		a0 := &t[0][byte(hi0>>56)]
		b0 := &t[0][byte(hi1>>56)]
		a1 := &t[1][byte(hi0>>48)]
		b1 := &t[1][byte(hi1>>48)]
		a2 := &t[2][byte(hi0>>40)]
		b2 := &t[2][byte(hi1>>40)]
		a3 := &t[3][byte(hi0>>32)]
		b3 := &t[3][byte(hi1>>32)]
		x0, y0 := a0[0]^a1[0]^a2[0]^a3[0], a0[1]^a1[1]^a2[1]^a3[1]
		x1, y1 := b0[0]^b1[0]^b2[0]^b3[0], b0[1]^b1[1]^b2[1]^b3[1]
		a0 = &t[4][byte(hi0>>24)]
		b0 = &t[4][byte(hi1>>24)]
		a1 = &t[5][byte(hi0>>16)]
		b1 = &t[5][byte(hi1>>16)]
		a2 = &t[6][byte(hi0>>8)]
		b2 = &t[6][byte(hi1>>8)]
		a3 = &t[7][byte(hi0)]
		b3 = &t[7][byte(hi1)]
		x0 ^= a0[0] ^ a1[0] ^ a2[0] ^ a3[0]
		y0 ^= a0[1] ^ a1[1] ^ a2[1] ^ a3[1]
		x1 ^= b0[0] ^ b1[0] ^ b2[0] ^ b3[0]
		y1 ^= b0[1] ^ b1[1] ^ b2[1] ^ b3[1]
		a0 = &t[8][byte(lo0>>56)]
		b0 = &t[8][byte(lo1>>56)]
		a1 = &t[9][byte(lo0>>48)]
		b1 = &t[9][byte(lo1>>48)]
		a2 = &t[10][byte(lo0>>40)]
		b2 = &t[10][byte(lo1>>40)]
		a3 = &t[11][byte(lo0>>32)]
		b3 = &t[11][byte(lo1>>32)]
		x0 ^= a0[0] ^ a1[0] ^ a2[0] ^ a3[0]
		y0 ^= a0[1] ^ a1[1] ^ a2[1] ^ a3[1]
		x1 ^= b0[0] ^ b1[0] ^ b2[0] ^ b3[0]
		y1 ^= b0[1] ^ b1[1] ^ b2[1] ^ b3[1]
		a0 = &t[12][byte(lo0>>24)]
		b0 = &t[12][byte(lo1>>24)]
		a1 = &t[13][byte(lo0>>16)]
		b1 = &t[13][byte(lo1>>16)]
		a2 = &t[14][byte(lo0>>8)]
		b2 = &t[14][byte(lo1>>8)]
		a3 = &t[15][byte(lo0)]
		b3 = &t[15][byte(lo1)]
		hi0 = x0 ^ a0[0] ^ a1[0] ^ a2[0] ^ a3[0]
		lo0 = y0 ^ a0[1] ^ a1[1] ^ a2[1] ^ a3[1]
		hi1 = x1 ^ b0[0] ^ b1[0] ^ b2[0] ^ b3[0]
		lo1 = y1 ^ b0[1] ^ b1[1] ^ b2[1] ^ b3[1]
	}
	k := c.enc[rounds-1]
	binary.BigEndian.PutUint64(dst[0:8], hi0^k.hi)
	binary.BigEndian.PutUint64(dst[8:16], lo0^k.lo)
	binary.BigEndian.PutUint64(dst[16:24], hi1^k.hi)
	binary.BigEndian.PutUint64(dst[24:32], lo1^k.lo)
}
