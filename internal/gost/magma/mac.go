package magma

import (
	"encoding/binary"
	"hash"
)

// MACSize is the size of the GOST 28147-89 MAC value used by RFC 4357 and
// OpenSSL's gost-mac: 32 bits.
const MACSize = 4

// mac is the GOST 28147-89 MAC ("imitovstavka", RFC 5830 section 7).
type mac struct {
	key    core // key chain start, to Reset
	c      core
	iv     [8]byte
	n1, n2 uint32
	buf    [8]byte
	nbuf   int
	blocks uint64
	mesh   bool
}

// NewMAC returns the GOST 28147-89 MAC (RFC 5830 section 7) as a hash.Hash
// whose Sum is the 4-byte MAC value. The message is split into 64-bit
// blocks, the last one padded with zero bytes; a message of a single block
// is followed by one all-zero block (the standard asks for at least two
// blocks; this is how CryptoPro and OpenSSL's gost-mac complete it); the
// empty message gives the initial state, zero. With CryptoProKeyMeshing the
// key is meshed every 1024 bytes as in RFC 4357 section 2.3.2, but the MAC
// state is left as it is (CryptoPro does not treat it as an IV).
// CryptoProA with meshing is OpenSSL's "gost-mac", TC26Z with meshing is
// "gost-mac-12".
func NewMAC(key []byte, sbox *SBox, meshing KeyMeshing) (hash.Hash, error) {
	return NewMACWithIV(key, make([]byte, BlockSize), sbox, meshing)
}

// NewMACWithIV is NewMAC with a non-zero initial state, the
// gost28147IMIT(IV, K, M) of RFC 4357 section 6 used by the key wraps.
func NewMACWithIV(key, iv []byte, sbox *SBox, meshing KeyMeshing) (hash.Hash, error) {
	c, err := newCore(key, sbox)
	if err != nil {
		return nil, err
	}
	if len(iv) != BlockSize {
		return nil, &SizeError{"MAC IV", len(iv), BlockSize}
	}
	m := &mac{key: c, mesh: meshing == CryptoProKeyMeshing}
	copy(m.iv[:], iv)
	m.Reset()
	return m, nil
}

func (m *mac) Size() int      { return MACSize }
func (m *mac) BlockSize() int { return BlockSize }

func (m *mac) Reset() {
	m.c = m.key
	m.n1 = binary.LittleEndian.Uint32(m.iv[0:])
	m.n2 = binary.LittleEndian.Uint32(m.iv[4:])
	clear(m.buf[:])
	m.nbuf = 0
	m.blocks = 0
}

// block absorbs one 8-byte block: XOR into the state, 16 rounds.
func (m *mac) block(b []byte) {
	if m.mesh && m.blocks != 0 && m.blocks%(meshingInterval/BlockSize) == 0 {
		m.c.meshKey()
	}
	m.n1, m.n2 = m.c.mac16(m.n1^binary.LittleEndian.Uint32(b[0:]), m.n2^binary.LittleEndian.Uint32(b[4:]))
	m.blocks++
}

func (m *mac) Write(p []byte) (int, error) {
	n := len(p)
	if m.nbuf > 0 {
		k := copy(m.buf[m.nbuf:], p)
		m.nbuf += k
		p = p[k:]
		if m.nbuf < BlockSize {
			return n, nil
		}
		m.block(m.buf[:])
		m.nbuf = 0
	}
	for len(p) >= BlockSize {
		m.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	m.nbuf = copy(m.buf[:], p)
	return n, nil
}

func (m *mac) Sum(in []byte) []byte {
	d := *m // finishing must not disturb the running state
	if d.nbuf > 0 {
		clear(d.buf[d.nbuf:])
		d.block(d.buf[:])
	}
	if d.blocks == 1 {
		var zero [8]byte
		d.block(zero[:])
	}
	var out [MACSize]byte
	binary.LittleEndian.PutUint32(out[:], d.n1)
	return append(in, out[:]...)
}
