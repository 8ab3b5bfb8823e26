package gost3413

import (
	"crypto/cipher"
	"crypto/subtle"
	"hash"
	"strconv"
)

// omacRb returns the constant B_n of GOST R 34.13-2015 section 5.6 used
// when doubling the OMAC subkeys: B_64 = 0^59||11011, B_128 = 0^120||10000111.
func omacRb(bs int) (byte, bool) {
	switch bs {
	case 8:
		return 0x1b, true
	case 16:
		return 0x87, true
	}
	return 0, false
}

// double sets dst = src << 1, XORed with B_n when the top bit of src was set
// (section 5.6). The top bit becomes a mask, never a branch, because the
// subkeys are secret.
func double(dst, src []byte, rb byte) {
	mask := -(src[0] >> 7) // 0xff if the top bit is set, else 0
	last := len(src) - 1
	for i := 0; i < last; i++ {
		dst[i] = src[i]<<1 | src[i+1]>>7
	}
	dst[last] = src[last]<<1 ^ rb&mask
}

// omac is OMAC (GOST R 34.13-2015 section 5.6, the same construction as
// CMAC) and, when master is set, OMAC-ACPKM.
type omac struct {
	block  cipher.Block
	bs     int
	size   int
	rb     byte
	k1, k2 []byte
	chain  []byte // C_i, the CBC-MAC chaining value
	last   []byte // the newest, not yet processed block (may be full)
	nlast  int

	master *acpkmMaster // nil for plain OMAC
}

// NewOMAC returns OMAC (GOST R 34.13-2015 section 5.6) as a hash.Hash whose
// Sum is the size-byte MAC MSB_s(...). size is 1 to the block size; the
// cipher's block size must be 8 or 16 bytes (the standard's B constants).
func NewOMAC(b cipher.Block, size int) (hash.Hash, error) {
	bs := b.BlockSize()
	rb, ok := omacRb(bs)
	if !ok {
		return nil, &ParamError{Mode: "OMAC", Param: "block size", Reason: strconv.Itoa(bs) + " bytes, want 8 or 16"}
	}
	if size <= 0 || size > bs {
		return nil, &ParamError{Mode: "OMAC", Param: "MAC size", Reason: strconv.Itoa(size) + " bytes, want 1 to " + strconv.Itoa(bs)}
	}
	m := newOMACState(b, size, rb)
	m.setSubkeysFromCipher()
	return m, nil
}

func newOMACState(b cipher.Block, size int, rb byte) *omac {
	bs := b.BlockSize()
	return &omac{
		block: b,
		bs:    bs,
		size:  size,
		rb:    rb,
		k1:    make([]byte, bs),
		k2:    make([]byte, bs),
		chain: make([]byte, bs),
		last:  make([]byte, bs),
	}
}

// setSubkeysFromCipher derives K1 and K2 from R = E_K(0^n) (section 5.6).
func (m *omac) setSubkeysFromCipher() {
	r := make([]byte, m.bs)
	m.block.Encrypt(r, r)
	double(m.k1, r, m.rb)
	double(m.k2, m.k1, m.rb)
	clear(r)
}

func (m *omac) Size() int      { return m.size }
func (m *omac) BlockSize() int { return m.bs }

func (m *omac) Reset() {
	clear(m.chain)
	clear(m.last)
	m.nlast = 0
	if m.master != nil {
		m.master.reset(m)
	}
}

// processBlock absorbs one full block that is known not to be the last one.
func (m *omac) processBlock(p []byte) {
	if m.master != nil {
		m.master.beforeBlock(m)
	}
	subtle.XORBytes(m.chain, m.chain, p[:m.bs])
	m.block.Encrypt(m.chain, m.chain)
}

// Write absorbs p. The newest full block stays buffered until more data
// arrives, because the last block is treated differently.
func (m *omac) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if m.nlast == m.bs {
			m.processBlock(m.last)
			m.nlast = 0
		}
		if m.nlast == 0 {
			for len(p) > m.bs {
				m.processBlock(p[:m.bs])
				p = p[m.bs:]
			}
		}
		k := copy(m.last[m.nlast:], p)
		m.nlast += k
		p = p[k:]
	}
	return n, nil
}

// Sum appends the MAC of the data written so far to in; the state is not
// changed, so writing may continue.
func (m *omac) Sum(in []byte) []byte {
	s := m
	if m.master != nil && m.master.needsRekey() {
		// The last block opens a new section: derive its keys on a copy.
		s = m.clone()
		s.master.beforeBlock(s)
	}
	t := make([]byte, m.bs)
	copy(t, s.last[:s.nlast])
	if s.nlast == s.bs {
		subtle.XORBytes(t, t, s.k1)
	} else {
		// Padding procedure 3 (section 4.1.3): 1 then zeros.
		t[s.nlast] = 0x80
		subtle.XORBytes(t, t, s.k2)
	}
	subtle.XORBytes(t, t, s.chain)
	s.block.Encrypt(t, t)
	return append(in, t[:m.size]...)
}

func (m *omac) clone() *omac {
	d := *m
	d.k1 = append([]byte(nil), m.k1...)
	d.k2 = append([]byte(nil), m.k2...)
	d.chain = append([]byte(nil), m.chain...)
	d.last = append([]byte(nil), m.last...)
	if m.master != nil {
		d.master = m.master.clone()
	}
	return &d
}

// acpkmMaster is the re-keying state of OMAC-ACPKM (R 1323565.1.017-2018;
// OMAC-ACPKM-Master of RFC 8645 section 6.3.6): the message is cut into
// sections of N bits, and section i is authenticated under K^i, with K^i_1
// as the OMAC subkey K1, where K^1 || K^1_1 || K^2 || K^2_1 || ... is the
// key material ACPKM-Master(T*, K) = CTR-ACPKM(T*, K, IV = 1^{n/2}) applied
// to zeros (RFC 8645 section 6.3.1). The CBC chaining value runs on across
// sections. An empty message is one (padded) block in the first section.
type acpkmMaster struct {
	newCipher     NewCipherFunc
	masterKey     []byte
	masterSection int
	keyLen        int
	sectionBlocks int // N / n
	used          int // blocks absorbed under the current section key
	stream        *ctr
	material      []byte // K^i || K^i_1
}

// NewOMACACPKM returns OMAC-ACPKM (R 1323565.1.017-2018; OMAC-ACPKM-Master
// of RFC 8645 section 6.3.6) as a hash.Hash with a size-byte MAC.
// sectionSize is N/8, the bytes of message per section key;
// masterSectionSize is T*/8, the section size of the CTR-ACPKM key stream
// that derives the section keys. Both are positive multiples of the block
// size. RFC 8645's Kuznyechik example uses N = 32 bytes and T* = 96 bytes;
// OpenSSL's gost engine uses 4096 bytes for both.
func NewOMACACPKM(newCipher NewCipherFunc, key []byte, sectionSize, masterSectionSize, size int) (hash.Hash, error) {
	const mode = "OMAC-ACPKM"
	b, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	bs := b.BlockSize()
	rb, ok := omacRb(bs)
	if !ok {
		return nil, &ParamError{Mode: mode, Param: "block size", Reason: strconv.Itoa(bs) + " bytes, want 8 or 16"}
	}
	if size <= 0 || size > bs {
		return nil, &ParamError{Mode: mode, Param: "MAC size", Reason: strconv.Itoa(size) + " bytes, want 1 to " + strconv.Itoa(bs)}
	}
	if sectionSize <= 0 || sectionSize%bs != 0 {
		return nil, &ParamError{Mode: mode, Param: "section size",
			Reason: strconv.Itoa(sectionSize) + " bytes is not a positive multiple of the block size " + strconv.Itoa(bs)}
	}
	if masterSectionSize <= 0 || masterSectionSize%bs != 0 {
		return nil, &ParamError{Mode: mode, Param: "master section size (T*)",
			Reason: strconv.Itoa(masterSectionSize) + " bytes is not a positive multiple of the block size " + strconv.Itoa(bs)}
	}
	m := newOMACState(b, size, rb)
	m.master = &acpkmMaster{
		newCipher:     newCipher,
		masterKey:     append([]byte(nil), key...),
		masterSection: masterSectionSize,
		keyLen:        len(key),
		sectionBlocks: sectionSize / bs,
		material:      make([]byte, len(key)+bs),
	}
	// The key stream checks the key length.
	if err := m.master.start(m); err != nil {
		return nil, err
	}
	return m, nil
}

// masterIV is 1^{n/2}, the IV of ACPKM-Master.
func masterIV(bs int) []byte {
	iv := make([]byte, bs/2)
	for i := range iv {
		iv[i] = 0xff
	}
	return iv
}

// start (re)starts the key stream and takes the first section keys.
func (a *acpkmMaster) start(m *omac) error {
	stream, err := newCTRACPKM("OMAC-ACPKM", a.newCipher, a.masterKey, masterIV(m.bs), a.masterSection)
	if err != nil {
		return err
	}
	a.stream = stream
	a.nextSection(m)
	return nil
}

// reset restarts with parameters that were accepted once already.
func (a *acpkmMaster) reset(m *omac) {
	if err := a.start(m); err != nil {
		panic("gost3413: OMAC-ACPKM restart failed: " + err.Error())
	}
}

// nextSection takes K^i || K^i_1 from the key stream.
func (a *acpkmMaster) nextSection(m *omac) {
	clear(a.material)
	a.stream.XORKeyStream(a.material, a.material)
	b, err := a.newCipher(a.material[:a.keyLen])
	if err != nil {
		panic("gost3413: OMAC-ACPKM section key refused: " + err.Error())
	}
	m.block = b
	copy(m.k1, a.material[a.keyLen:])
	double(m.k2, m.k1, m.rb)
	a.used = 0
}

func (a *acpkmMaster) needsRekey() bool { return a.used == a.sectionBlocks }

// beforeBlock switches to the next section key when the current section is
// full, and counts the block about to be absorbed.
func (a *acpkmMaster) beforeBlock(m *omac) {
	if a.needsRekey() {
		a.nextSection(m)
	}
	a.used++
}

func (a *acpkmMaster) clone() *acpkmMaster {
	d := *a
	d.masterKey = append([]byte(nil), a.masterKey...)
	d.material = append([]byte(nil), a.material...)
	d.stream = a.stream.clone()
	return &d
}
