// Package magma implements the 64-bit block cipher of GOST 28147-89
// (RFC 5830) with every S-box parameter set of RFC 4357, and the same cipher
// as "Magma" of GOST R 34.12-2015 (RFC 8891), together with the legacy modes
// that GOST .pfx files and key containers use: ECB, CFB and the counter
// ("gamma") mode of GOST 28147-89 with and without CryptoPro key meshing
// (RFC 4357 section 2.3.2), the GOST 28147-89 MAC ("imitovstavka",
// RFC 5830 section 7) and the key wrap of RFC 4357 section 6.
//
// # Two byte orders
//
// The algorithm is one Feistel network, but the two standards serialise it
// differently, and both are in use:
//
//   - GOST 28147-89 as RFC 5830, OpenSSL's gost engine and CryptoPro CSP use
//     it (NewCipher): the 32-byte key is eight little-endian 32-bit words
//     K0..K7 and a block is two little-endian words N1 (bytes 0..3) and N2
//     (bytes 4..7).
//   - GOST R 34.12-2015 Magma (NewMagma): key and block are big-endian byte
//     strings exactly as the standard prints them, so its hexadecimal
//     examples can be used as they are. The S-box is fixed (TC26 Z).
//
// # Constant time
//
// The round function substitutes through lookup tables indexed by key- and
// data-dependent bytes, as every practical GOST 28147-89 implementation
// (OpenSSL's engine included) does. This is not cache-timing safe: an
// attacker who shares the CPU cache and observes many operations under one
// key may learn about it. Podpis uses this package to decrypt PFX files and
// key containers on the user's own machine and to verify legacy data, where
// that is the accepted trade-off. Everything around the block function (key
// meshing, KEK diversification, MAC comparison) is free of secret-dependent
// branches and indexes.
package magma

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"
)

const (
	// BlockSize is the block size in bytes (64 bits).
	BlockSize = 8
	// KeySize is the key size in bytes (256 bits).
	KeySize = 32
)

// SizeError reports an input of the wrong length: What names it ("key",
// "IV", "UKM", "wrapped key"...).
type SizeError struct {
	What      string
	Got, Want int
}

func (e *SizeError) Error() string {
	return "magma: invalid " + e.What + " size " + strconv.Itoa(e.Got) +
		" (want " + strconv.Itoa(e.Want) + " bytes)"
}

// NilSBoxError reports a nil S-box argument.
type NilSBoxError struct{}

func (NilSBoxError) Error() string { return "magma: S-box is nil" }

// core is the keyed Feistel network shared by both byte orders, the modes
// and GOST R 34.11-94. Its methods work on the two 32-bit halves named as in
// GOST 28147-89: n1 is the half the first round key is added to.
type core struct {
	k [8]uint32
	t *sboxTable
}

// g is the round function: S-box substitution of x (already key-added) and
// rotation left by 11, both folded into the expanded table.
func (t *sboxTable) g(x uint32) uint32 {
	return t[0][uint8(x)] ^ t[1][uint8(x>>8)] ^ t[2][uint8(x>>16)] ^ t[3][uint8(x>>24)]
}

// setKeyLE loads a 32-byte key as GOST 28147-89 does: eight little-endian
// words.
func (c *core) setKeyLE(key []byte) {
	_ = key[31]
	for i := range c.k {
		c.k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
}

// encrypt runs the 32 rounds (cycle 32-З of GOST 28147-89) on (n1, n2).
// Instead of swapping halves every round the halves swap names; the last
// round does not swap, so the result is returned as (first, second): the
// words GOST 28147-89 stores at bytes 0..3 and 4..7.
func (c *core) encrypt(n1, n2 uint32) (uint32, uint32) {
	// Keys and the table in locals: the compiler keeps them in registers
	// instead of reloading them through c in every round.
	t := c.t
	k0, k1, k2, k3, k4, k5, k6, k7 := c.k[0], c.k[1], c.k[2], c.k[3], c.k[4], c.k[5], c.k[6], c.k[7]
	for i := 0; i < 3; i++ {
		n2 ^= t.g(n1 + k0)
		n1 ^= t.g(n2 + k1)
		n2 ^= t.g(n1 + k2)
		n1 ^= t.g(n2 + k3)
		n2 ^= t.g(n1 + k4)
		n1 ^= t.g(n2 + k5)
		n2 ^= t.g(n1 + k6)
		n1 ^= t.g(n2 + k7)
	}
	n2 ^= t.g(n1 + k7)
	n1 ^= t.g(n2 + k6)
	n2 ^= t.g(n1 + k5)
	n1 ^= t.g(n2 + k4)
	n2 ^= t.g(n1 + k3)
	n1 ^= t.g(n2 + k2)
	n2 ^= t.g(n1 + k1)
	n1 ^= t.g(n2 + k0)
	return n2, n1
}

// encrypt2 encrypts two independent blocks, (a1, a2) under key ka and
// (b1, b2) under key kb (which may be the same), with the rounds
// interleaved. One block is a chain of dependent table lookups, bound by
// load latency; two chains in flight keep the CPU busy, so the modes and
// the hash that have independent blocks gain much of a factor two.
func encrypt2(t *sboxTable, ka, kb *[8]uint32, a1, a2, b1, b2 uint32) (uint32, uint32, uint32, uint32) {
	for i := 0; i < 3; i++ {
		for j := 0; j < 8; j += 2 {
			a2 ^= t.g(a1 + ka[j])
			b2 ^= t.g(b1 + kb[j])
			a1 ^= t.g(a2 + ka[j+1])
			b1 ^= t.g(b2 + kb[j+1])
		}
	}
	for j := 7; j > 0; j -= 2 {
		a2 ^= t.g(a1 + ka[j])
		b2 ^= t.g(b1 + kb[j])
		a1 ^= t.g(a2 + ka[j-1])
		b1 ^= t.g(b2 + kb[j-1])
	}
	return a2, a1, b2, b1
}

// decrypt runs cycle 32-Р: keys K0..K7 once, then K7..K0 three times.
func (c *core) decrypt(n1, n2 uint32) (uint32, uint32) {
	t := c.t
	k0, k1, k2, k3, k4, k5, k6, k7 := c.k[0], c.k[1], c.k[2], c.k[3], c.k[4], c.k[5], c.k[6], c.k[7]
	n2 ^= t.g(n1 + k0)
	n1 ^= t.g(n2 + k1)
	n2 ^= t.g(n1 + k2)
	n1 ^= t.g(n2 + k3)
	n2 ^= t.g(n1 + k4)
	n1 ^= t.g(n2 + k5)
	n2 ^= t.g(n1 + k6)
	n1 ^= t.g(n2 + k7)
	for i := 0; i < 3; i++ {
		n2 ^= t.g(n1 + k7)
		n1 ^= t.g(n2 + k6)
		n2 ^= t.g(n1 + k5)
		n1 ^= t.g(n2 + k4)
		n2 ^= t.g(n1 + k3)
		n1 ^= t.g(n2 + k2)
		n2 ^= t.g(n1 + k1)
		n1 ^= t.g(n2 + k0)
	}
	return n2, n1
}

// mac16 runs cycle 16-З of the MAC (RFC 5830 section 7): the first 16
// encryption rounds, after which the state is (N1, N2) in storage order.
func (c *core) mac16(n1, n2 uint32) (uint32, uint32) {
	t := c.t
	k0, k1, k2, k3, k4, k5, k6, k7 := c.k[0], c.k[1], c.k[2], c.k[3], c.k[4], c.k[5], c.k[6], c.k[7]
	for i := 0; i < 2; i++ {
		n2 ^= t.g(n1 + k0)
		n1 ^= t.g(n2 + k1)
		n2 ^= t.g(n1 + k2)
		n1 ^= t.g(n2 + k3)
		n2 ^= t.g(n1 + k4)
		n1 ^= t.g(n2 + k5)
		n2 ^= t.g(n1 + k6)
		n1 ^= t.g(n2 + k7)
	}
	return n1, n2
}

// encryptLE encrypts one block in GOST 28147-89 byte order.
func (c *core) encryptLE(dst, src []byte) {
	_, _ = src[7], dst[7]
	a, b := c.encrypt(binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]))
	binary.LittleEndian.PutUint32(dst[0:], a)
	binary.LittleEndian.PutUint32(dst[4:], b)
}

// decryptLE decrypts one block in GOST 28147-89 byte order.
func (c *core) decryptLE(dst, src []byte) {
	_, _ = src[7], dst[7]
	a, b := c.decrypt(binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]))
	binary.LittleEndian.PutUint32(dst[0:], a)
	binary.LittleEndian.PutUint32(dst[4:], b)
}

// gost28147 is GOST 28147-89 in its own (little-endian) byte order.
type gost28147 struct{ c core }

// NewCipher returns GOST 28147-89 with the given 32-byte key and S-box as a
// cipher.Block, in the byte order of RFC 5830, OpenSSL's gost engine and
// CryptoPro (little-endian key words and block halves). For GOST R
// 34.12-2015 Magma use NewMagma.
func NewCipher(key []byte, sbox *SBox) (cipher.Block, error) {
	c, err := newCore(key, sbox)
	if err != nil {
		return nil, err
	}
	return &gost28147{c}, nil
}

func newCore(key []byte, sbox *SBox) (core, error) {
	if len(key) != KeySize {
		return core{}, &SizeError{"key", len(key), KeySize}
	}
	if sbox == nil {
		return core{}, NilSBoxError{}
	}
	c := core{t: sbox.expand()}
	c.setKeyLE(key)
	return c, nil
}

func (g *gost28147) BlockSize() int { return BlockSize }

func (g *gost28147) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input or output not a full block")
	}
	g.c.encryptLE(dst, src)
}

func (g *gost28147) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input or output not a full block")
	}
	g.c.decryptLE(dst, src)
}

// magma34122015 is GOST R 34.12-2015 Magma (big-endian byte strings).
type magma34122015 struct{ c core }

// NewMagma returns GOST R 34.12-2015 Magma (RFC 8891) with the given 32-byte
// key as a cipher.Block. Key and blocks are byte strings in the order the
// standard prints them (most significant byte first); the S-box is TC26 Z.
func NewMagma(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, &SizeError{"key", len(key), KeySize}
	}
	m := &magma34122015{core{t: paramSets[TC26Z].sbox.expand()}}
	// K1 (the first round key) is the first 32 bits of the key string.
	for i := range m.c.k {
		m.c.k[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	return m, nil
}

func (m *magma34122015) BlockSize() int { return BlockSize }

// Encrypt maps the block a = a1||a0 (a1 = bytes 0..3) to the Feistel halves:
// a0 is the half the first round key is added to (n1 of GOST 28147-89).
func (m *magma34122015) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input or output not a full block")
	}
	a, b := m.c.encrypt(binary.BigEndian.Uint32(src[4:]), binary.BigEndian.Uint32(src[0:]))
	binary.BigEndian.PutUint32(dst[4:], a)
	binary.BigEndian.PutUint32(dst[0:], b)
}

func (m *magma34122015) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input or output not a full block")
	}
	a, b := m.c.decrypt(binary.BigEndian.Uint32(src[4:]), binary.BigEndian.Uint32(src[0:]))
	binary.BigEndian.PutUint32(dst[4:], a)
	binary.BigEndian.PutUint32(dst[0:], b)
}
