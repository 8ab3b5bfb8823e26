// Package gost341194 implements the legacy hash function GOST R 34.11-94
// (RFC 5831), parameterised by the S-box of its GOST 28147-89 step
// function. Podpis needs it only to verify GOST R 34.10-2001 signatures
// on older certificates and archived documents (with the CryptoPro
// parameter set, id-GostR3411-94-CryptoProParamSet) and for HMAC via
// crypto/hmac in old key containers.
//
// The digest bytes are the chaining value H as a little-endian 256-bit
// string, the order OpenSSL's md_gost94 outputs; RFC 5831 section 7.3
// prints the same values as big-endian numbers (byte-reversed).
//
// The empty message follows the standard literally (RFC 5831 section 6,
// steps 2.3-2.5 hash M' = 0^256 even when |M| = 0), as OpenSSL's gost
// engine does; its maintainers report that the commercial implementation
// agrees (gost-engine issue #142). Some other implementations (rhash,
// libgcrypt) skip that block and publish 981e5f3c... for the empty message
// with the CryptoPro set; this package gives 3f25bc1f..., the engine's
// value. Non-empty messages hash the same in all of them (for the same
// parameter set and byte order).
//
// GOST 28147-89 inside the step function uses table lookups indexed by
// message-dependent bytes; the hash processes public data (documents and
// certificates), and for HMAC keys see the note in package magma.
package gost341194

import (
	"encoding/binary"
	"errors"
	"hash"
	"math/bits"

	"github.com/podpis/podpis/internal/gost/magma"
)

const (
	// Size is the digest size in bytes.
	Size = 32
	// BlockSize is the message block size in bytes.
	BlockSize = 32
)

type digest struct {
	sbox   magma.SBox
	cipher *magma.StepCipher
	h      [4]uint64 // chaining value H, little-endian 64-bit words
	sigma  [4]uint64 // checksum Σ (sum of blocks mod 2^256)
	n      uint64    // message bytes written
	buf    [BlockSize]byte
	nbuf   int
}

// New returns GOST R 34.11-94 with the given S-box (h0 = 0, as in both
// registered parameter sets). It panics if sbox is nil.
func New(sbox *magma.SBox) hash.Hash {
	c, err := magma.NewStepCipher(sbox)
	if err != nil {
		panic("gost341194: " + err.Error())
	}
	return &digest{sbox: *sbox, cipher: c}
}

// NewCryptoPro returns GOST R 34.11-94 with id-GostR3411-94-CryptoProParamSet
// (1.2.643.2.2.30.1), the set used with GOST R 34.10-2001 and by OpenSSL's
// md_gost94.
func NewCryptoPro() hash.Hash { return New(magma.GostR3411CryptoProParamSet.SBox()) }

// NewTest returns GOST R 34.11-94 with id-GostR3411-94-TestParamSet
// (1.2.643.2.2.30.0), the set of the standard's own examples.
func NewTest() hash.Hash { return New(magma.GostR3411TestParamSet.SBox()) }

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Reset() {
	d.h = [4]uint64{}
	d.sigma = [4]uint64{}
	d.n = 0
	d.buf = [BlockSize]byte{}
	d.nbuf = 0
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.n += uint64(n)
	if d.nbuf > 0 {
		k := copy(d.buf[d.nbuf:], p)
		d.nbuf += k
		p = p[k:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func load(b []byte) [4]uint64 {
	_ = b[31]
	return [4]uint64{
		binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:]),
		binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:]),
	}
}

// block absorbs one 32-byte message block: H := χ(M, H), Σ := Σ + M.
func (d *digest) block(b []byte) {
	m := load(b)
	d.h = d.step(d.h, m)
	d.addSigma(m)
}

func (d *digest) addSigma(m [4]uint64) {
	var c uint64
	d.sigma[0], c = bits.Add64(d.sigma[0], m[0], 0)
	d.sigma[1], c = bits.Add64(d.sigma[1], m[1], c)
	d.sigma[2], c = bits.Add64(d.sigma[2], m[2], c)
	d.sigma[3], _ = bits.Add64(d.sigma[3], m[3], c)
}

// c3 is the constant C3 of the key generation, as little-endian words
// (RFC 5831 section 5.1: C3 = 0xff00ffff000000ffff0000ff00ffff00
// 00ff00ff00ff00ffff00ff00ff00ff00 as a big-endian number).
var c3 = [4]uint64{0xff00ff00ff00ff00, 0x00ff00ff00ff00ff, 0xff0000ff00ffff00, 0xff00ffff000000ff}

// permuteKey is the transformation P of RFC 5831 section 5.1: key byte
// i + 1 + 4(k-1) is byte 8i + k of w (1-based), i.e. the 4x8 byte matrix is
// transposed; the result comes out as the eight little-endian key words.
func permuteKey(w [4]uint64) [8]uint32 {
	var k [8]uint32
	for j := 0; j < 8; j++ {
		s := 8 * uint(j)
		k[j] = uint32(w[0]>>s&0xff) | uint32(w[1]>>s&0xff)<<8 |
			uint32(w[2]>>s&0xff)<<16 | uint32(w[3]>>s&0xff)<<24
	}
	return k
}

// a is the transformation A: (y4||y3||y2||y1) -> (y1^y2)||y4||y3||y2,
// y1 being the least significant 64 bits.
func a(y [4]uint64) [4]uint64 { return [4]uint64{y[1], y[2], y[3], y[0] ^ y[1]} }

func xor(x, y [4]uint64) [4]uint64 {
	return [4]uint64{x[0] ^ y[0], x[1] ^ y[1], x[2] ^ y[2], x[3] ^ y[3]}
}

// step is the step function χ(M, H) of RFC 5831 section 5: key generation,
// encryption of the four 64-bit parts of H, and the mixing
// H' = ψ^61(H ^ ψ(M ^ ψ^12(S))).
func (d *digest) step(h, m [4]uint64) [4]uint64 {
	var keys [4][8]uint32
	u, v := h, m
	for j := 0; j < 4; j++ {
		if j > 0 {
			u = a(u)
			if j == 2 {
				u = xor(u, c3)
			}
			v = a(a(v))
		}
		keys[j] = permuteKey(xor(u, v))
	}
	var s [4]uint64
	s[0], s[1] = d.cipher.Encrypt2(&keys[0], h[0], &keys[1], h[1])
	s[2], s[3] = d.cipher.Encrypt2(&keys[2], h[2], &keys[3], h[3])

	// ψ shifts the sixteen 16-bit words y16..y1 down by one and puts
	// y1^y2^y3^y4^y13^y16 on top. Writing the words into one long
	// little-endian array, every application appends one word and the
	// current value is the sixteen-word window ending at the newest one:
	// ψ^12 after 12 appends, then M is mixed in, one more ψ, H is mixed in,
	// and 61 more.
	var w [2 * (16 + 12 + 1 + 61 + 3)]byte // +3 words: slack for 4-word stores
	for i := range s {
		binary.LittleEndian.PutUint64(w[8*i:], s[i])
	}
	psi4(&w, 0)
	psi4(&w, 4)
	psi4(&w, 8)
	for i := range m {
		binary.LittleEndian.PutUint64(w[24+8*i:], binary.LittleEndian.Uint64(w[24+8*i:])^m[i])
	}
	psi1(&w, 12)
	for i := range h {
		binary.LittleEndian.PutUint64(w[26+8*i:], binary.LittleEndian.Uint64(w[26+8*i:])^h[i])
	}
	for t := 13; t < 13+60; t += 4 {
		psi4(&w, t)
	}
	psi1(&w, 73)
	var out [4]uint64
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(w[2*74+8*i:])
	}
	return out
}

// psi1 appends word t+16 = w[t]^w[t+1]^w[t+2]^w[t+3]^w[t+12]^w[t+15].
func psi1(w *[186]byte, t int) {
	x := binary.LittleEndian.Uint64(w[2*t:]) // words t..t+3
	f := uint16(x) ^ uint16(x>>16) ^ uint16(x>>32) ^ uint16(x>>48) ^
		binary.LittleEndian.Uint16(w[2*(t+12):]) ^ binary.LittleEndian.Uint16(w[2*(t+15):])
	binary.LittleEndian.PutUint16(w[2*(t+16):], f)
}

// psi4 appends words t+16..t+19 at once, in 16-bit lanes of a uint64: the
// terms w[t+l..t+l+3] and w[t+l+12] exist already for all four lanes; only
// w[t+l+15] is the previous lane's new word for l > 0, so after adding
// w[t+15] to lane 0 a prefix XOR across the lanes finishes the four words.
func psi4(w *[186]byte, t int) {
	o := 2 * t
	x := binary.LittleEndian.Uint64(w[o:]) ^ binary.LittleEndian.Uint64(w[o+2:]) ^
		binary.LittleEndian.Uint64(w[o+4:]) ^ binary.LittleEndian.Uint64(w[o+6:]) ^
		binary.LittleEndian.Uint64(w[o+24:]) ^ uint64(binary.LittleEndian.Uint16(w[o+30:]))
	x ^= x << 16
	x ^= x << 32
	binary.LittleEndian.PutUint64(w[o+32:], x)
}

func (d *digest) Sum(in []byte) []byte {
	f := *d // finishing must not disturb the running state
	if f.nbuf > 0 || f.n == 0 {
		// M' = 0^(256-|M|) || M: the remaining bytes at the low end.
		clear(f.buf[f.nbuf:])
		f.block(f.buf[:])
	}
	length := [4]uint64{f.n << 3, f.n >> 61, 0, 0} // L in bits
	f.h = f.step(f.h, length)
	f.h = f.step(f.h, f.sigma)
	var out [Size]byte
	for i, w := range f.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return append(in, out[:]...)
}

const (
	marshalMagic = "gost94\x01"
	marshalSize  = len(marshalMagic) + 8*16 + 32 + 32 + 8 + BlockSize
)

// ErrMarshalSBox reports a marshalled state made with another S-box than
// the hash it is restored into.
var ErrMarshalSBox = errors.New("gost341194: marshalled state uses a different S-box")

// ErrMarshalFormat reports bytes that are not a marshalled GOST R 34.11-94
// state.
var ErrMarshalFormat = errors.New("gost341194: invalid marshalled state")

// MarshalBinary saves the running state, like the standard library hashes.
// The S-box is part of the state, so a state only restores into a hash with
// the same parameter set.
func (d *digest) MarshalBinary() ([]byte, error) { return d.AppendBinary(make([]byte, 0, marshalSize)) }

func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, marshalMagic...)
	for i := range d.sbox {
		b = append(b, d.sbox[i][:]...)
	}
	for _, w := range d.h {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	for _, w := range d.sigma {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	b = binary.LittleEndian.AppendUint64(b, d.n)
	b = append(b, d.buf[:d.nbuf]...)
	b = append(b, make([]byte, BlockSize-d.nbuf)...)
	return b, nil
}

func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) != marshalSize || string(b[:len(marshalMagic)]) != marshalMagic {
		return ErrMarshalFormat
	}
	b = b[len(marshalMagic):]
	var sb magma.SBox
	for i := range sb {
		copy(sb[i][:], b[16*i:])
	}
	if sb != d.sbox {
		return ErrMarshalSBox
	}
	b = b[128:]
	for i := range d.h {
		d.h[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	b = b[32:]
	for i := range d.sigma {
		d.sigma[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	b = b[32:]
	d.n = binary.LittleEndian.Uint64(b)
	d.nbuf = int(d.n % BlockSize)
	copy(d.buf[:], b[8:])
	clear(d.buf[d.nbuf:])
	return nil
}
