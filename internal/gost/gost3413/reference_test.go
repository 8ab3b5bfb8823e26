package gost3413

import "crypto/cipher"

// Straightforward block-at-a-time transcriptions of the modes, written from
// the standards' formulas without buffering, to compare the streaming code
// against in property and fuzz tests.

// refCTRACPKM is CTR-ACPKM (RFC 8645 section 6.2.2); sectionBlocks = 0
// means plain CTR (GOST R 34.13-2015 section 4.2).
func refCTRACPKM(newCipher NewCipherFunc, key, iv []byte, sectionBlocks int, data []byte) []byte {
	k := append([]byte(nil), key...)
	b, err := newCipher(k)
	if err != nil {
		panic(err)
	}
	bs := b.BlockSize()
	ctr := make([]byte, bs)
	copy(ctr, iv)
	out := make([]byte, len(data))
	ks := make([]byte, bs)
	for i := 0; i*bs < len(data); i++ {
		if sectionBlocks > 0 && i > 0 && i%sectionBlocks == 0 {
			// K = MSB_k(E_K(D_1) || E_K(D_2) || ...), D = 80 81 ... 9F.
			d := make([]byte, len(k))
			for j := range d {
				d[j] = byte(0x80 + j)
			}
			for j := 0; j < len(k); j += bs {
				b.Encrypt(k[j:j+bs], d[j:j+bs])
			}
			if b, err = newCipher(k); err != nil {
				panic(err)
			}
		}
		b.Encrypt(ks, ctr)
		for j := 0; j < bs && i*bs+j < len(data); j++ {
			out[i*bs+j] = data[i*bs+j] ^ ks[j]
		}
		for j := bs - 1; j >= 0; j-- {
			ctr[j]++
			if ctr[j] != 0 {
				break
			}
		}
	}
	return out
}

// refShift is the subkey doubling of GOST R 34.13-2015 section 5.4.1.
func refShift(r []byte) []byte {
	out := make([]byte, len(r))
	for i := range r {
		out[i] = r[i] << 1
		if i+1 < len(r) {
			out[i] |= r[i+1] >> 7
		}
	}
	if r[0]&0x80 != 0 {
		if len(r) == 16 {
			out[15] ^= 0x87
		} else {
			out[7] ^= 0x1b
		}
	}
	return out
}

// refOMAC is OMAC (GOST R 34.13-2015 section 4.6) computed on the whole
// message at once.
func refOMAC(b cipher.Block, size int, msg []byte) []byte {
	bs := b.BlockSize()
	r := make([]byte, bs)
	b.Encrypt(r, r)
	k1 := refShift(r)
	k2 := refShift(k1)
	q := (len(msg) + bs - 1) / bs
	if q == 0 {
		q = 1
	}
	c := make([]byte, bs)
	for i := 0; i < q; i++ {
		blk := make([]byte, bs)
		n := copy(blk, msg[i*bs:])
		if i == q-1 {
			k := k1
			if n < bs {
				blk[n] = 0x80
				k = k2
			}
			for j := range blk {
				blk[j] ^= k[j]
			}
		}
		for j := range c {
			c[j] ^= blk[j]
		}
		b.Encrypt(c, c)
	}
	return c[:size]
}

// refOMACACPKM is OMAC-ACPKM (RFC 8645 section 6.4) computed on the whole
// message: l = max(1, ceil(m/N)) sections, key material
// K^1 || K^1_1 || ... || K^l || K^l_1 = ACPKM-Master(T*, K, (k+n)l), and the
// last block is masked with K^l_1 (full) or its doubling (padded).
func refOMACACPKM(newCipher NewCipherFunc, key []byte, sectionBlocks, masterBlocks, size int, msg []byte) []byte {
	b0, err := newCipher(key)
	if err != nil {
		panic(err)
	}
	bs := b0.BlockSize()
	q := (len(msg) + bs - 1) / bs
	if q == 0 {
		q = 1
	}
	l := (q + sectionBlocks - 1) / sectionBlocks
	iv := make([]byte, bs/2)
	for i := range iv {
		iv[i] = 0xff
	}
	per := len(key) + bs
	km := refCTRACPKM(newCipher, key, iv, masterBlocks, make([]byte, per*l))
	c := make([]byte, bs)
	for i := 0; i < q; i++ {
		sec := i / sectionBlocks
		b, err := newCipher(km[sec*per : sec*per+len(key)])
		if err != nil {
			panic(err)
		}
		blk := make([]byte, bs)
		n := copy(blk, msg[i*bs:])
		if i == q-1 {
			k := km[sec*per+len(key) : (sec+1)*per]
			if n < bs {
				blk[n] = 0x80
				k = refShift(k)
			}
			for j := range blk {
				blk[j] ^= k[j]
			}
		}
		for j := range c {
			c[j] ^= blk[j]
		}
		b.Encrypt(c, c)
	}
	return c[:size]
}
