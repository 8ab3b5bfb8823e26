package gost3413

import (
	"crypto/cipher"
	"crypto/subtle"
	"strconv"
)

// ctrBufferBlocks is how many keystream blocks one refill computes; a larger
// buffer amortizes the per-call overhead of the cipher.Block interface.
const ctrBufferBlocks = 32

// acpkmD is the constant D = 0x80 || 0x81 || ... || 0x9F of the ACPKM key
// update (R 1323565.1.017-2018; RFC 8645 section 6.2.1): the
// new key is the first k bits of E_K(D_1) || E_K(D_2) || ...
var acpkmD = [32]byte{
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
}

// multiBlockEncrypter is implemented by block ciphers that encrypt several
// independent blocks faster together than one by one (package kuznyechik
// does); the counter mode keystream is such a batch.
type multiBlockEncrypter interface {
	EncryptBlocks(dst, src []byte)
}

// ctr is the counter mode of GOST R 34.13-2015 section 5.2 and, when
// sectionBlocks > 0, CTR-ACPKM (RFC 8645 section 6.2.2).
type ctr struct {
	block   cipher.Block
	bs      int
	counter []byte // CTR_i, a big-endian n-bit integer
	stream  []byte // computed keystream; cap is ctrBufferBlocks blocks
	pos     int    // bytes of stream already used

	// ACPKM state. newCipher is nil for plain CTR.
	newCipher     NewCipherFunc
	key           []byte // current section key
	sectionBlocks int    // N / n
	sectionUsed   int    // keystream blocks made under the current key
}

// NewCTR returns the counter mode (GOST R 34.13-2015 section 5.2) as a
// cipher.Stream. The iv is n/2 bits (8 bytes for Kuznyechik, 4 for Magma);
// the first counter is iv || 0^{n/2}, and the counter is incremented modulo
// 2^n. Encryption and decryption are the same operation.
func NewCTR(b cipher.Block, iv []byte) (cipher.Stream, error) {
	bs := b.BlockSize()
	if len(iv) != bs/2 {
		return nil, lengthError("CTR", "iv", len(iv), strconv.Itoa(bs/2)+" (half the block size)")
	}
	return newCTR(b, iv), nil
}

func newCTR(b cipher.Block, iv []byte) *ctr {
	bs := b.BlockSize()
	c := &ctr{
		block:   b,
		bs:      bs,
		counter: make([]byte, bs),
		stream:  make([]byte, 0, ctrBufferBlocks*bs),
	}
	copy(c.counter, iv)
	return c
}

// NewCTRACPKM returns CTR-ACPKM (R 1323565.1.017-2018; RFC 8645
// section 6.2.2) as a cipher.Stream: counter mode as NewCTR, where after
// every section of sectionSize bytes (N/8) the key K is replaced by
// ACPKM(K) = MSB_k(E_K(D_1) || ... ). The counter runs on across sections.
// sectionSize must be a positive multiple of the block size; the key length
// a multiple of the block size of at most 32 bytes (the length of D).
func NewCTRACPKM(newCipher NewCipherFunc, key, iv []byte, sectionSize int) (cipher.Stream, error) {
	return newCTRACPKM("CTR-ACPKM", newCipher, key, iv, sectionSize)
}

func newCTRACPKM(mode string, newCipher NewCipherFunc, key, iv []byte, sectionSize int) (*ctr, error) {
	b, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	bs := b.BlockSize()
	if len(key)%bs != 0 || len(key) > len(acpkmD) {
		return nil, lengthError(mode, "key", len(key), "a multiple of the block size of at most 32")
	}
	if sectionSize <= 0 || sectionSize%bs != 0 {
		return nil, &ParamError{Mode: mode, Param: "section size",
			Reason: strconv.Itoa(sectionSize) + " bytes is not a positive multiple of the block size " + strconv.Itoa(bs)}
	}
	if len(iv) != bs/2 {
		return nil, lengthError(mode, "iv", len(iv), strconv.Itoa(bs/2)+" (half the block size)")
	}
	c := newCTR(b, iv)
	c.newCipher = newCipher
	c.key = append([]byte(nil), key...)
	c.sectionBlocks = sectionSize / bs
	return c, nil
}

// incCounter adds 1 to the big-endian counter modulo 2^n. The loop length
// depends on the (public) counter value only.
func incCounter(c []byte) {
	for i := len(c) - 1; i >= 0; i-- {
		c[i]++
		if c[i] != 0 {
			return
		}
	}
}

// acpkmNext replaces key with ACPKM(key) = E_K(D_1) || E_K(D_2) || ...
// truncated to len(key), where b is the cipher under key.
func acpkmNext(b cipher.Block, key []byte) {
	bs := b.BlockSize()
	for i := 0; i < len(key); i += bs {
		b.Encrypt(key[i:i+bs], acpkmD[i:i+bs])
	}
}

func (c *ctr) rekey() {
	acpkmNext(c.block, c.key)
	b, err := c.newCipher(c.key)
	if err != nil {
		// The first key of this length was accepted, so the cipher
		// cannot refuse a key of the same length now.
		panic("gost3413: ACPKM re-keying failed: " + err.Error())
	}
	c.block = b
	c.sectionUsed = 0
}

// refill computes the next keystream blocks, never crossing a section
// boundary, so that a re-keying always happens between two blocks.
func (c *ctr) refill() {
	n := ctrBufferBlocks
	if c.newCipher != nil {
		if c.sectionUsed == c.sectionBlocks {
			c.rekey()
		}
		n = min(n, c.sectionBlocks-c.sectionUsed)
	}
	buf := c.stream[:n*c.bs]
	if mb, ok := c.block.(multiBlockEncrypter); ok {
		for off := 0; off < len(buf); off += c.bs {
			copy(buf[off:off+c.bs], c.counter)
			incCounter(c.counter)
		}
		mb.EncryptBlocks(buf, buf)
	} else {
		for off := 0; off < len(buf); off += c.bs {
			c.block.Encrypt(buf[off:off+c.bs], c.counter)
			incCounter(c.counter)
		}
	}
	c.sectionUsed += n
	c.stream = buf
	c.pos = 0
}

// XORKeyStream XORs src with the keystream into dst. dst and src may
// overlap entirely or not at all.
func (c *ctr) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost3413: output smaller than input")
	}
	for len(src) > 0 {
		if c.pos == len(c.stream) {
			c.refill()
		}
		n := subtle.XORBytes(dst, src, c.stream[c.pos:])
		c.pos += n
		dst, src = dst[n:], src[n:]
	}
}

// clone returns an independent copy; cipher.Block values are not modified
// after creation and are shared.
func (c *ctr) clone() *ctr {
	d := *c
	d.counter = append([]byte(nil), c.counter...)
	d.stream = append(make([]byte, 0, cap(c.stream)), c.stream...)
	d.key = append([]byte(nil), c.key...)
	return &d
}
