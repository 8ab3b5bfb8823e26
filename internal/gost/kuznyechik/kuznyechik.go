// Package kuznyechik implements the 128-bit block cipher "Kuznyechik" of
// GOST R 34.12-2015 (RFC 7801).
//
// Blocks and keys are byte strings in the order the standard prints them:
// the first byte is the most significant one (a_15 of a_15||...||a_0), so the
// hexadecimal examples of the standard and of RFC 7801 can be used as they are.
//
// Modes of operation (GOST R 34.13-2015, CTR-ACPKM, OMAC-ACPKM) live in
// package gost3413, which takes any cipher.Block.
//
// # Constant time
//
// The round function is computed with lookup tables indexed by key- and
// data-dependent bytes, exactly like the classic AES T-table implementations.
// On hardware with data caches this leaks timing information to an attacker
// who shares the machine. Podpis uses Kuznyechik to decrypt key containers
// and PFX files on the user's own machine, where this is the accepted
// trade-off (OpenSSL's gost engine makes the same one); do not use this
// package where an attacker can measure cache timing of many encryptions
// under one key.
package kuznyechik

//go:generate go run gen.go

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"
)

const (
	// BlockSize is the Kuznyechik block size in bytes (n = 128 bits).
	BlockSize = 16
	// KeySize is the Kuznyechik key size in bytes (k = 256 bits).
	KeySize = 32
	// rounds is the number of round keys K_1..K_10.
	rounds = 10
)

// KeySizeError reports a key of the wrong length; Kuznyechik takes exactly
// KeySize bytes.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "kuznyechik: invalid key size " + strconv.Itoa(int(k)) + " (want 32 bytes)"
}

// block128 is a 128-bit block as two big-endian halves: hi holds bytes 0..7
// of the printed block, lo holds bytes 8..15.
type block128 struct{ hi, lo uint64 }

type kuznyechikCipher struct {
	// enc holds K_1..K_10.
	enc [rounds]block128
	// dec holds K_1 and L^-1(K_2)..L^-1(K_10): decryption applies L^-1 to
	// the state before adding the key, so the keys are moved through L^-1
	// once here (L^-1 is linear).
	dec [rounds]block128
}

// NewCipher returns Kuznyechik with the given 32-byte key as a cipher.Block.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	c := new(kuznyechikCipher)
	c.expandKey(key)
	return c, nil
}

func (c *kuznyechikCipher) BlockSize() int { return BlockSize }

func load(b []byte) block128 {
	return block128{binary.BigEndian.Uint64(b[0:8]), binary.BigEndian.Uint64(b[8:16])}
}

func store(b []byte, x block128) {
	binary.BigEndian.PutUint64(b[0:8], x.hi)
	binary.BigEndian.PutUint64(b[8:16], x.lo)
}

// ls computes L(S(x)) with lsTable: one table per byte position, each entry
// the image of that byte alone (L is linear over GF(2)).
func ls(x block128) block128 {
	t := &lsTable
	a0 := &t[0][byte(x.hi>>56)]
	a1 := &t[1][byte(x.hi>>48)]
	a2 := &t[2][byte(x.hi>>40)]
	a3 := &t[3][byte(x.hi>>32)]
	a4 := &t[4][byte(x.hi>>24)]
	a5 := &t[5][byte(x.hi>>16)]
	a6 := &t[6][byte(x.hi>>8)]
	a7 := &t[7][byte(x.hi)]
	a8 := &t[8][byte(x.lo>>56)]
	a9 := &t[9][byte(x.lo>>48)]
	a10 := &t[10][byte(x.lo>>40)]
	a11 := &t[11][byte(x.lo>>32)]
	a12 := &t[12][byte(x.lo>>24)]
	a13 := &t[13][byte(x.lo>>16)]
	a14 := &t[14][byte(x.lo>>8)]
	a15 := &t[15][byte(x.lo)]
	return block128{
		a0[0] ^ a1[0] ^ a2[0] ^ a3[0] ^ a4[0] ^ a5[0] ^ a6[0] ^ a7[0] ^
			a8[0] ^ a9[0] ^ a10[0] ^ a11[0] ^ a12[0] ^ a13[0] ^ a14[0] ^ a15[0],
		a0[1] ^ a1[1] ^ a2[1] ^ a3[1] ^ a4[1] ^ a5[1] ^ a6[1] ^ a7[1] ^
			a8[1] ^ a9[1] ^ a10[1] ^ a11[1] ^ a12[1] ^ a13[1] ^ a14[1] ^ a15[1],
	}
}

// lsInv computes L^-1(S^-1(x)) with lsInvTable.
func lsInv(x block128) block128 {
	t := &lsInvTable
	a0 := &t[0][byte(x.hi>>56)]
	a1 := &t[1][byte(x.hi>>48)]
	a2 := &t[2][byte(x.hi>>40)]
	a3 := &t[3][byte(x.hi>>32)]
	a4 := &t[4][byte(x.hi>>24)]
	a5 := &t[5][byte(x.hi>>16)]
	a6 := &t[6][byte(x.hi>>8)]
	a7 := &t[7][byte(x.hi)]
	a8 := &t[8][byte(x.lo>>56)]
	a9 := &t[9][byte(x.lo>>48)]
	a10 := &t[10][byte(x.lo>>40)]
	a11 := &t[11][byte(x.lo>>32)]
	a12 := &t[12][byte(x.lo>>24)]
	a13 := &t[13][byte(x.lo>>16)]
	a14 := &t[14][byte(x.lo>>8)]
	a15 := &t[15][byte(x.lo)]
	return block128{
		a0[0] ^ a1[0] ^ a2[0] ^ a3[0] ^ a4[0] ^ a5[0] ^ a6[0] ^ a7[0] ^
			a8[0] ^ a9[0] ^ a10[0] ^ a11[0] ^ a12[0] ^ a13[0] ^ a14[0] ^ a15[0],
		a0[1] ^ a1[1] ^ a2[1] ^ a3[1] ^ a4[1] ^ a5[1] ^ a6[1] ^ a7[1] ^
			a8[1] ^ a9[1] ^ a10[1] ^ a11[1] ^ a12[1] ^ a13[1] ^ a14[1] ^ a15[1],
	}
}

// subBytes applies the byte substitution s bytewise to one 64-bit half.
func subBytes(s *[256]byte, w uint64) uint64 {
	return uint64(s[byte(w>>56)])<<56 | uint64(s[byte(w>>48)])<<48 |
		uint64(s[byte(w>>40)])<<40 | uint64(s[byte(w>>32)])<<32 |
		uint64(s[byte(w>>24)])<<24 | uint64(s[byte(w>>16)])<<16 |
		uint64(s[byte(w>>8)])<<8 | uint64(s[byte(w)])
}

// lInv computes L^-1(x): S^-1(S(x)) = x, so L^-1(x) = lsInv(S(x)).
func lInv(x block128) block128 {
	return lsInv(block128{subBytes(&pi, x.hi), subBytes(&pi, x.lo)})
}

func xor(a, b block128) block128 { return block128{a.hi ^ b.hi, a.lo ^ b.lo} }

// expandKey is the key schedule of GOST R 34.12-2015 section 4.3:
// (K_{2i+1}, K_{2i+2}) = F[C_{8i}]...F[C_{8i-7}](K_{2i-1}, K_{2i}) with the
// Feistel step F[C](a1, a0) = (LSX[C](a1) xor a0, a1).
func (c *kuznyechikCipher) expandKey(key []byte) {
	a1, a0 := load(key[0:16]), load(key[16:32])
	c.enc[0], c.enc[1] = a1, a0
	for i := 0; i < 4; i++ {
		for j := 0; j < 8; j++ {
			rc := &roundConstants[8*i+j]
			a1, a0 = xor(ls(xor(a1, block128{rc[0], rc[1]})), a0), a1
		}
		c.enc[2*i+2], c.enc[2*i+3] = a1, a0
	}
	c.dec[0] = c.enc[0]
	for i := 1; i < rounds; i++ {
		c.dec[i] = lInv(c.enc[i])
	}
}

// Encrypt encrypts one block: E = X[K_10] LSX[K_9] ... LSX[K_1].
func (c *kuznyechikCipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	if len(dst) < BlockSize {
		panic("kuznyechik: output not full block")
	}
	hi := binary.BigEndian.Uint64(src[0:8])
	lo := binary.BigEndian.Uint64(src[8:16])
	t := &lsTable
	// The body of ls, written out: the compiler does not inline ls, and the
	// call costs a noticeable share of a round.
	for i := 0; i < rounds-1; i++ {
		hi ^= c.enc[i].hi
		lo ^= c.enc[i].lo
		a0 := &t[0][byte(hi>>56)]
		a1 := &t[1][byte(hi>>48)]
		a2 := &t[2][byte(hi>>40)]
		a3 := &t[3][byte(hi>>32)]
		a4 := &t[4][byte(hi>>24)]
		a5 := &t[5][byte(hi>>16)]
		a6 := &t[6][byte(hi>>8)]
		a7 := &t[7][byte(hi)]
		a8 := &t[8][byte(lo>>56)]
		a9 := &t[9][byte(lo>>48)]
		a10 := &t[10][byte(lo>>40)]
		a11 := &t[11][byte(lo>>32)]
		a12 := &t[12][byte(lo>>24)]
		a13 := &t[13][byte(lo>>16)]
		a14 := &t[14][byte(lo>>8)]
		a15 := &t[15][byte(lo)]
		hi = a0[0] ^ a1[0] ^ a2[0] ^ a3[0] ^ a4[0] ^ a5[0] ^ a6[0] ^ a7[0] ^
			a8[0] ^ a9[0] ^ a10[0] ^ a11[0] ^ a12[0] ^ a13[0] ^ a14[0] ^ a15[0]
		lo = a0[1] ^ a1[1] ^ a2[1] ^ a3[1] ^ a4[1] ^ a5[1] ^ a6[1] ^ a7[1] ^
			a8[1] ^ a9[1] ^ a10[1] ^ a11[1] ^ a12[1] ^ a13[1] ^ a14[1] ^ a15[1]
	}
	binary.BigEndian.PutUint64(dst[0:8], hi^c.enc[rounds-1].hi)
	binary.BigEndian.PutUint64(dst[8:16], lo^c.enc[rounds-1].lo)
}

// Decrypt decrypts one block: D = X[K_1] S^-1 L^-1 X[K_2] ... S^-1 L^-1 X[K_10].
// Since L^-1(x xor K) = L^-1(x) xor L^-1(K), each round is one lsInv lookup
// pass followed by adding the pre-transformed key dec[i].
func (c *kuznyechikCipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	if len(dst) < BlockSize {
		panic("kuznyechik: output not full block")
	}
	x := xor(lInv(load(src)), c.dec[rounds-1])
	hi, lo := x.hi, x.lo
	t := &lsInvTable
	// The body of lsInv, written out as in Encrypt.
	for i := rounds - 2; i > 0; i-- {
		a0 := &t[0][byte(hi>>56)]
		a1 := &t[1][byte(hi>>48)]
		a2 := &t[2][byte(hi>>40)]
		a3 := &t[3][byte(hi>>32)]
		a4 := &t[4][byte(hi>>24)]
		a5 := &t[5][byte(hi>>16)]
		a6 := &t[6][byte(hi>>8)]
		a7 := &t[7][byte(hi)]
		a8 := &t[8][byte(lo>>56)]
		a9 := &t[9][byte(lo>>48)]
		a10 := &t[10][byte(lo>>40)]
		a11 := &t[11][byte(lo>>32)]
		a12 := &t[12][byte(lo>>24)]
		a13 := &t[13][byte(lo>>16)]
		a14 := &t[14][byte(lo>>8)]
		a15 := &t[15][byte(lo)]
		hi = a0[0] ^ a1[0] ^ a2[0] ^ a3[0] ^ a4[0] ^ a5[0] ^ a6[0] ^ a7[0] ^
			a8[0] ^ a9[0] ^ a10[0] ^ a11[0] ^ a12[0] ^ a13[0] ^ a14[0] ^ a15[0] ^ c.dec[i].hi
		lo = a0[1] ^ a1[1] ^ a2[1] ^ a3[1] ^ a4[1] ^ a5[1] ^ a6[1] ^ a7[1] ^
			a8[1] ^ a9[1] ^ a10[1] ^ a11[1] ^ a12[1] ^ a13[1] ^ a14[1] ^ a15[1] ^ c.dec[i].lo
	}
	binary.BigEndian.PutUint64(dst[0:8], subBytes(&piInv, hi)^c.dec[0].hi)
	binary.BigEndian.PutUint64(dst[8:16], subBytes(&piInv, lo)^c.dec[0].lo)
}
