package gost3413

import (
	"crypto/cipher"
	"crypto/subtle"
)

// ECB (GOST R 34.13-2015 section 5.1).

type ecb struct {
	block   cipher.Block
	bs      int
	decrypt bool
}

// NewECBEncrypter returns electronic codebook encryption (section 5.1) as a
// cipher.BlockMode. ECB shows equal plaintext blocks as equal ciphertext
// blocks; it exists for interoperability only.
func NewECBEncrypter(b cipher.Block) cipher.BlockMode {
	return &ecb{block: b, bs: b.BlockSize()}
}

// NewECBDecrypter returns electronic codebook decryption (section 5.1).
func NewECBDecrypter(b cipher.Block) cipher.BlockMode {
	return &ecb{block: b, bs: b.BlockSize(), decrypt: true}
}

func (e *ecb) BlockSize() int { return e.bs }

func (e *ecb) CryptBlocks(dst, src []byte) {
	checkBlocks(e.bs, dst, src)
	for off := 0; off < len(src); off += e.bs {
		if e.decrypt {
			e.block.Decrypt(dst[off:off+e.bs], src[off:off+e.bs])
		} else {
			e.block.Encrypt(dst[off:off+e.bs], src[off:off+e.bs])
		}
	}
}

func checkBlocks(bs int, dst, src []byte) {
	if len(src)%bs != 0 {
		panic("gost3413: input not full blocks")
	}
	if len(dst) < len(src) {
		panic("gost3413: output smaller than input")
	}
}

// register is the m-bit shift register R of the OFB, CBC and CFB modes:
// each step uses its n leftmost bits and shifts in n new bits on the right.
type register struct {
	r  []byte
	bs int
}

func newRegister(iv []byte, bs int) register {
	return register{r: append([]byte(nil), iv...), bs: bs}
}

func (g *register) head() []byte { return g.r[:g.bs] }

// push sets R = LSB_{m-n}(R) || v.
func (g *register) push(v []byte) {
	copy(g.r, g.r[g.bs:])
	copy(g.r[len(g.r)-g.bs:], v)
}

// CBC (section 5.4).

type cbc struct {
	block   cipher.Block
	bs      int
	reg     register
	tmp     []byte
	decrypt bool
}

// NewCBCEncrypter returns cipher block chaining encryption (section 5.4)
// with an m-bit register initialized to iv; m = len(iv)*8 is a positive
// multiple of the block size (the standard's examples use m = 2n).
func NewCBCEncrypter(b cipher.Block, iv []byte) (cipher.BlockMode, error) {
	return newCBC(b, iv, false)
}

// NewCBCDecrypter returns cipher block chaining decryption (section 5.4).
func NewCBCDecrypter(b cipher.Block, iv []byte) (cipher.BlockMode, error) {
	return newCBC(b, iv, true)
}

func newCBC(b cipher.Block, iv []byte, decrypt bool) (cipher.BlockMode, error) {
	bs := b.BlockSize()
	if err := checkRegister("CBC", bs, iv); err != nil {
		return nil, err
	}
	return &cbc{block: b, bs: bs, reg: newRegister(iv, bs), tmp: make([]byte, bs), decrypt: decrypt}, nil
}

func (c *cbc) BlockSize() int { return c.bs }

func (c *cbc) CryptBlocks(dst, src []byte) {
	checkBlocks(c.bs, dst, src)
	for off := 0; off < len(src); off += c.bs {
		in, out := src[off:off+c.bs], dst[off:off+c.bs]
		if c.decrypt {
			// P_i = MSB_n(R) xor D(C_i); keep C_i first, out may be in.
			copy(c.tmp, in)
			c.block.Decrypt(out, in)
			subtle.XORBytes(out, out, c.reg.head())
			c.reg.push(c.tmp)
		} else {
			// C_i = E(P_i xor MSB_n(R)).
			subtle.XORBytes(c.tmp, in, c.reg.head())
			c.block.Encrypt(out, c.tmp)
			c.reg.push(out)
		}
	}
}

// Register stream modes: OFB (section 5.3) and CFB with s = n (section 5.5).

type registerStream struct {
	block   cipher.Block
	bs      int
	reg     register
	ks      []byte // keystream block E(MSB_n(R))
	used    int    // bytes of ks used
	segment []byte // CFB: ciphertext bytes of the current block
	started bool   // a keystream block has been made
	cfb     bool
	decrypt bool
}

// NewOFB returns output feedback mode (section 5.3) as a cipher.Stream with
// an m-bit register initialized to iv (m a positive multiple of n, s = n).
// Encryption and decryption are the same operation.
func NewOFB(b cipher.Block, iv []byte) (cipher.Stream, error) {
	return newRegisterStream("OFB", b, iv, false, false)
}

// NewCFBEncrypter returns cipher feedback encryption (section 5.5) with
// segments of s = n bits and an m-bit register initialized to iv (m a
// positive multiple of n). A final partial segment is allowed.
func NewCFBEncrypter(b cipher.Block, iv []byte) (cipher.Stream, error) {
	return newRegisterStream("CFB", b, iv, true, false)
}

// NewCFBDecrypter returns cipher feedback decryption (section 5.5).
func NewCFBDecrypter(b cipher.Block, iv []byte) (cipher.Stream, error) {
	return newRegisterStream("CFB", b, iv, true, true)
}

func newRegisterStream(mode string, b cipher.Block, iv []byte, cfb, decrypt bool) (cipher.Stream, error) {
	bs := b.BlockSize()
	if err := checkRegister(mode, bs, iv); err != nil {
		return nil, err
	}
	return &registerStream{
		block:   b,
		bs:      bs,
		reg:     newRegister(iv, bs),
		ks:      make([]byte, bs),
		used:    bs,
		segment: make([]byte, bs),
		cfb:     cfb,
		decrypt: decrypt,
	}, nil
}

func (s *registerStream) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost3413: output smaller than input")
	}
	for len(src) > 0 {
		if s.used == s.bs {
			if s.cfb && s.started {
				// The full ciphertext block of the previous step.
				s.reg.push(s.segment)
			}
			s.block.Encrypt(s.ks, s.reg.head())
			if !s.cfb {
				s.reg.push(s.ks)
			}
			s.used = 0
			s.started = true
		}
		n := min(len(src), s.bs-s.used)
		if s.cfb {
			if s.decrypt {
				copy(s.segment[s.used:], src[:n])
				subtle.XORBytes(dst, src[:n], s.ks[s.used:])
			} else {
				subtle.XORBytes(dst, src[:n], s.ks[s.used:])
				copy(s.segment[s.used:], dst[:n])
			}
		} else {
			subtle.XORBytes(dst, src[:n], s.ks[s.used:])
		}
		s.used += n
		dst, src = dst[n:], src[n:]
	}
}
