package magma

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"math/bits"
)

// KeyMeshing selects the key meshing algorithm of RFC 4357 section 2.3
// applied by the CFB and counter modes and the MAC.
type KeyMeshing int

const (
	// NoKeyMeshing is the null key meshing of RFC 4357 section 2.3.1.
	NoKeyMeshing KeyMeshing = iota
	// CryptoProKeyMeshing is RFC 4357 section 2.3.2: after every 1024 bytes
	// processed under one key, the key becomes the ECB decryption of the
	// constant C under the current key and the IV (the mode's 8-byte state)
	// is encrypted under the new key. It is what the CryptoPro parameter
	// sets, CryptoPro CSP and OpenSSL's gost89/gost89-cnt/gost-mac use.
	CryptoProKeyMeshing
)

// meshingInterval is the number of bytes processed under one key before
// CryptoPro key meshing (RFC 4357 section 2.3.2).
const meshingInterval = 1024

// keyMeshingConstant is C of RFC 4357 section 2.3.2.
var keyMeshingConstant = [32]byte{
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23,
	0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12,
	0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
}

// meshKey replaces the key with D_K(C) (RFC 4357 section 2.3.2); the
// caller then encrypts its IV under the new key.
func (c *core) meshKey() {
	var newKey [32]byte
	for i := 0; i < 32; i += BlockSize {
		c.decryptLE(newKey[i:], keyMeshingConstant[i:])
	}
	c.setKeyLE(newKey[:])
	clear(newKey[:])
}

// EncryptECB encrypts src (a whole number of blocks) into dst with the
// block cipher b, block by block (simple replacement mode of GOST 28147-89,
// RFC 5830 section 5; ECB of GOST R 34.13-2015). dst and src may be the same
// slice.
func EncryptECB(b cipher.Block, dst, src []byte) error {
	return ecb(b.Encrypt, b.BlockSize(), dst, src)
}

// DecryptECB is the inverse of EncryptECB.
func DecryptECB(b cipher.Block, dst, src []byte) error {
	return ecb(b.Decrypt, b.BlockSize(), dst, src)
}

func ecb(f func(dst, src []byte), bs int, dst, src []byte) error {
	if len(src)%bs != 0 {
		return &SizeError{"ECB input (not a whole number of blocks)", len(src), len(src) - len(src)%bs}
	}
	if len(dst) < len(src) {
		return &SizeError{"ECB output", len(dst), len(src)}
	}
	for i := 0; i < len(src); i += bs {
		f(dst[i:i+bs], src[i:i+bs])
	}
	return nil
}

// cfb is GOST 28147-89 cipher feedback ("гаммирование с обратной связью",
// RFC 5830 section 6) with optional CryptoPro key meshing, byte-granular
// like OpenSSL's gost89 cipher.
type cfb struct {
	c       core
	iv      [8]byte // feedback register: previous ciphertext block
	gamma   [8]byte
	used    int    // bytes of gamma consumed; 8 means a new block is needed
	blocks  uint64 // gamma blocks produced under the current key chain
	mesh    bool
	decrypt bool
}

// NewCFBEncrypter returns a GOST 28147-89 CFB encrypting stream (RFC 5830
// section 6, little-endian byte order) with the 8-byte IV and optional
// CryptoPro key meshing. With CryptoProA and CryptoProKeyMeshing it is
// OpenSSL's "gost89" cipher and the GOST 28147-89 mode of CryptoPro PFX
// files.
func NewCFBEncrypter(key, iv []byte, sbox *SBox, meshing KeyMeshing) (cipher.Stream, error) {
	return newCFB(key, iv, sbox, meshing, false)
}

// NewCFBDecrypter returns the CFB decrypting stream matching
// NewCFBEncrypter.
func NewCFBDecrypter(key, iv []byte, sbox *SBox, meshing KeyMeshing) (cipher.Stream, error) {
	return newCFB(key, iv, sbox, meshing, true)
}

func newCFB(key, iv []byte, sbox *SBox, meshing KeyMeshing, decrypt bool) (*cfb, error) {
	c, err := newCore(key, sbox)
	if err != nil {
		return nil, err
	}
	if len(iv) != BlockSize {
		return nil, &SizeError{"IV", len(iv), BlockSize}
	}
	s := &cfb{c: c, used: BlockSize, mesh: meshing == CryptoProKeyMeshing, decrypt: decrypt}
	copy(s.iv[:], iv)
	return s, nil
}

// meshesAt reports whether the key is meshed before gamma block b.
func (s *cfb) meshesAt(b uint64) bool {
	return s.mesh && b != 0 && b%(meshingInterval/BlockSize) == 0
}

// decryptPair decrypts two whole blocks at once: in decryption both
// feedback blocks (the previous ciphertext blocks) are known up front, so
// both gamma blocks are computed together (see encrypt2). The caller
// ensures no key meshing falls on either block.
func (s *cfb) decryptPair(dst, src []byte) {
	_, _ = dst[15], src[15]
	g0, g1, g2, g3 := encrypt2(s.c.t, &s.c.k, &s.c.k,
		binary.LittleEndian.Uint32(s.iv[0:]), binary.LittleEndian.Uint32(s.iv[4:]),
		binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]))
	copy(s.iv[:], src[8:16]) // before dst (which may be src) is written
	c0 := binary.LittleEndian.Uint64(src[0:])
	c1 := binary.LittleEndian.Uint64(src[8:])
	binary.LittleEndian.PutUint64(dst[0:], c0^(uint64(g0)|uint64(g1)<<32))
	binary.LittleEndian.PutUint64(dst[8:], c1^(uint64(g2)|uint64(g3)<<32))
	s.blocks += 2
}

// next produces the next gamma block from the feedback register, meshing
// the key first when 1024 bytes have been processed under it.
func (s *cfb) next() {
	if s.meshesAt(s.blocks) {
		s.c.meshKey()
		s.c.encryptLE(s.iv[:], s.iv[:])
	}
	s.c.encryptLE(s.gamma[:], s.iv[:])
	s.blocks++
	s.used = 0
}

func (s *cfb) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("magma: output smaller than input")
	}
	for len(src) > 0 {
		if s.used == BlockSize {
			if s.decrypt && len(src) >= 2*BlockSize && !s.meshesAt(s.blocks) && !s.meshesAt(s.blocks+1) {
				s.decryptPair(dst, src)
				dst, src = dst[2*BlockSize:], src[2*BlockSize:]
				continue
			}
			s.next()
		}
		if s.used == 0 && len(src) >= BlockSize {
			// Whole block: the ciphertext block becomes the next register.
			var ct [8]byte
			if s.decrypt {
				copy(ct[:], src[:BlockSize])
			}
			subtle.XORBytes(dst[:BlockSize], src[:BlockSize], s.gamma[:])
			if !s.decrypt {
				copy(ct[:], dst[:BlockSize])
			}
			s.iv = ct
			s.used = BlockSize
			dst, src = dst[BlockSize:], src[BlockSize:]
			continue
		}
		// Partial block: the register byte at the same position is replaced
		// by the ciphertext byte as soon as it is known (its gamma byte has
		// already been produced from the old register).
		in := src[0]
		out := in ^ s.gamma[s.used]
		if s.decrypt {
			s.iv[s.used] = in
		} else {
			s.iv[s.used] = out
		}
		dst[0] = out
		s.used++
		dst, src = dst[1:], src[1:]
	}
}

// Counter mode constants C2 and C1 of GOST 28147-89 (RFC 5830 section 6).
const (
	cntC2 = 0x01010101 // added to N3 modulo 2^32
	cntC1 = 0x01010104 // added to N4 modulo 2^32 - 1
)

// cnt is the GOST 28147-89 counter ("гаммирование") mode, RFC 5830 section 6.
type cnt struct {
	c      core
	reg    [8]byte // N3 || N4, little-endian
	gamma  [8]byte
	used   int
	blocks uint64
	mesh   bool
}

// NewCTR returns the GOST 28147-89 counter mode stream (RFC 5830 section 6:
// the IV is encrypted once to get N3||N4, then N3 += C2 mod 2^32 and
// N4 += C1 mod 2^32-1 before each gamma block) with optional CryptoPro key
// meshing, in which the counter register is encrypted under the new key
// every 1024 bytes, as OpenSSL's gost89-cnt (CryptoProA) and gost89-cnt-12
// (TC26Z) do. Encryption and decryption are the same operation.
func NewCTR(key, iv []byte, sbox *SBox, meshing KeyMeshing) (cipher.Stream, error) {
	c, err := newCore(key, sbox)
	if err != nil {
		return nil, err
	}
	if len(iv) != BlockSize {
		return nil, &SizeError{"IV", len(iv), BlockSize}
	}
	s := &cnt{c: c, used: BlockSize, mesh: meshing == CryptoProKeyMeshing}
	copy(s.reg[:], iv)
	return s, nil
}

// special reports whether gamma block b needs more than a counter step:
// the first block encrypts the IV, and meshing re-encrypts the register.
func (s *cnt) special(b uint64) bool {
	return b == 0 || s.mesh && b%(meshingInterval/BlockSize) == 0
}

// step advances the counter register N3||N4 by one block.
func step(n3, n4 uint32) (uint32, uint32) {
	// N4 is added modulo 2^32-1 as implementations do it: add the
	// end-around carry (a computed bit, not a branch).
	sum, carry := bits.Add32(n4, cntC1, 0)
	return n3 + cntC2, sum + carry
}

func (s *cnt) next() {
	if s.blocks == 0 {
		s.c.encryptLE(s.reg[:], s.reg[:])
	} else if s.special(s.blocks) {
		s.c.meshKey()
		s.c.encryptLE(s.reg[:], s.reg[:])
	}
	n3, n4 := step(binary.LittleEndian.Uint32(s.reg[0:]), binary.LittleEndian.Uint32(s.reg[4:]))
	binary.LittleEndian.PutUint32(s.reg[0:], n3)
	binary.LittleEndian.PutUint32(s.reg[4:], n4)
	s.c.encryptLE(s.gamma[:], s.reg[:])
	s.blocks++
	s.used = 0
}

// pair encrypts two whole blocks with two counter values at once (see
// encrypt2); the caller ensures neither block is special.
func (s *cnt) pair(dst, src []byte) {
	_, _ = dst[15], src[15]
	a3, a4 := step(binary.LittleEndian.Uint32(s.reg[0:]), binary.LittleEndian.Uint32(s.reg[4:]))
	b3, b4 := step(a3, a4)
	binary.LittleEndian.PutUint32(s.reg[0:], b3)
	binary.LittleEndian.PutUint32(s.reg[4:], b4)
	g0, g1, g2, g3 := encrypt2(s.c.t, &s.c.k, &s.c.k, a3, a4, b3, b4)
	p0 := binary.LittleEndian.Uint64(src[0:])
	p1 := binary.LittleEndian.Uint64(src[8:])
	binary.LittleEndian.PutUint64(dst[0:], p0^(uint64(g0)|uint64(g1)<<32))
	binary.LittleEndian.PutUint64(dst[8:], p1^(uint64(g2)|uint64(g3)<<32))
	s.blocks += 2
}

func (s *cnt) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("magma: output smaller than input")
	}
	for len(src) > 0 {
		if s.used == BlockSize {
			if len(src) >= 2*BlockSize && !s.special(s.blocks) && !s.special(s.blocks+1) {
				s.pair(dst, src)
				dst, src = dst[2*BlockSize:], src[2*BlockSize:]
				continue
			}
			s.next()
		}
		n := subtle.XORBytes(dst, src, s.gamma[s.used:])
		s.used += n
		dst, src = dst[n:], src[n:]
	}
}
