package streebog

import (
	"encoding/binary"
	"errors"
	"hash"
)

const (
	// Size256 and Size512 are the digest sizes in bytes.
	Size256 = 32
	Size512 = 64
	// BlockSize is the block size of both variants in bytes.
	BlockSize = 64
)

// digest is the running state of section 8 of RFC 6986: the chaining value
// h, the number of message bits processed N, the sum of the blocks Sigma,
// and the bytes that do not fill a block yet.
type digest struct {
	h, n, sigma [8]uint64
	buf         [BlockSize]byte
	nbuf        int
	size        int // Size256 or Size512
}

// New256 returns a Streebog-256 hash (GOST R 34.11-2012, 256 bits).
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// New512 returns a Streebog-512 hash (GOST R 34.11-2012, 512 bits).
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:0])
	return out
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:0])
	return out
}

// Reset sets the initial state: IV is 0^512 for 512 bits and (00000001)^64
// (every byte 0x01) for 256 bits; N and Sigma are zero.
func (d *digest) Reset() {
	iv := uint64(0)
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.buf = [BlockSize]byte{}
	d.nbuf = 0
}

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

// Write adds p to the message. Whole blocks are hashed straight from p; only
// a partial block is copied, so Write never allocates.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.blocks(d.buf[:])
		d.nbuf = 0
	}
	if len(p) >= BlockSize {
		whole := len(p) &^ (BlockSize - 1)
		d.blocks(p[:whole])
		p = p[whole:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// Clone returns an independent copy of the state (hash.Cloner).
func (d *digest) Clone() (hash.Cloner, error) {
	c := *d
	return &c, nil
}

// Sum appends the digest to b without changing the state.
func (d *digest) Sum(b []byte) []byte {
	c := *d
	return c.checkSum(b)
}

// checkSum finishes the hash (section 8, stage 3) and appends the digest.
// It changes d, so Sum works on a copy.
func (d *digest) checkSum(b []byte) []byte {
	// The last, possibly empty, part of the message is padded to a block
	// with one byte 0x01 above it and zeros beyond (0^(511-|M|) || 1 || M).
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nbuf])
	last[d.nbuf] = 0x01
	var m, zero [8]uint64
	loadBlock(&m, last[:])
	compress(&d.h, &d.n, &m)
	addBits(&d.n, uint64(d.nbuf)*8)
	add512(&d.sigma, &m)
	compress(&d.h, &zero, &d.n)
	compress(&d.h, &zero, &d.sigma)

	// The 256-bit digest is the most significant half of h: words 4..7.
	var out [Size512]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return append(b, out[Size512-d.size:]...)
}

// The saved state: a magic naming the variant and the format's version,
// then the words of h, N and Sigma (least significant word first, each word
// big-endian as the standard library's hashes write theirs), the buffered
// bytes padded with zeros to a whole block, and their count.
const (
	magic256      = "stb256\x01"
	magic512      = "stb512\x01"
	marshaledSize = len(magic256) + 3*8*8 + BlockSize + 1
)

// UnmarshalBinary's errors, as the standard library's hashes word them.
var (
	errInvalidIdentifier = errors.New("streebog: invalid hash state identifier")
	errInvalidStateSize  = errors.New("streebog: invalid hash state size")
	errInvalidBuffered   = errors.New("streebog: invalid hash state: buffered byte count out of range")
)

func (d *digest) magic() string {
	if d.size == Size256 {
		return magic256
	}
	return magic512
}

// MarshalBinary saves the state, like the hashes of the standard library.
func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

// AppendBinary appends the saved state to b (encoding.BinaryAppender).
func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, d.magic()...)
	for _, words := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for _, w := range words {
			b = binary.BigEndian.AppendUint64(b, w)
		}
	}
	// A whole block, so the size is fixed; what lies past nbuf in buf is
	// left over from earlier blocks and saved as zeros.
	var zeros [BlockSize]byte
	b = append(b, d.buf[:d.nbuf]...)
	b = append(b, zeros[d.nbuf:]...)
	return append(b, byte(d.nbuf)), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary of the same
// variant. It rejects anything else without changing d.
func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) < len(d.magic()) || string(b[:len(d.magic())]) != d.magic() {
		return errInvalidIdentifier
	}
	if len(b) != marshaledSize {
		return errInvalidStateSize
	}
	nbuf := int(b[marshaledSize-1])
	if nbuf >= BlockSize {
		return errInvalidBuffered
	}
	b = b[len(d.magic()):]
	for _, words := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for i := range words {
			words[i] = binary.BigEndian.Uint64(b)
			b = b[8:]
		}
	}
	d.buf = [BlockSize]byte{}
	copy(d.buf[:], b[:nbuf])
	d.nbuf = nbuf
	return nil
}
