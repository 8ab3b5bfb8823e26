package magma

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

const (
	// UKMSize is the size of the user keying material of the key wraps.
	UKMSize = 8
	// WrappedKeySize is the size of a wrapped key: UKM (8) || encrypted
	// CEK (32) || CEK MAC (4), RFC 4357 sections 6.1 and 6.3.
	WrappedKeySize = UKMSize + KeySize + MACSize
)

// KEKDiversification selects the key-encryption-key diversification of
// the key wrap.
type KEKDiversification int

const (
	// NoDiversification is the "GOST 28147-89 Key Wrap" of RFC 4357
	// section 6.1 (key wrap algorithm "None"): the KEK is used as it is.
	NoDiversification KEKDiversification = iota
	// CryptoProDiversification is the "CryptoPro Key Wrap" of RFC 4357
	// section 6.3: the KEK is first diversified with the UKM (section 6.5).
	CryptoProDiversification
)

// ErrWrappedKeyMAC reports a wrapped key whose MAC does not match: the KEK,
// the S-box or the UKM is wrong, or the data is corrupted.
var ErrWrappedKeyMAC = errors.New("magma: wrapped key MAC mismatch (wrong key-encryption key or corrupted data)")

// DiversifyKEK is the CryptoPro KEK diversification of RFC 4357 section
// 6.5: eight rounds, round i CFB-encrypts the key under itself with an IV
// made of two sums of its 32-bit words, selected by the bits of UKM byte i.
func DiversifyKEK(kek, ukm []byte, sbox *SBox) ([]byte, error) {
	c, err := newCore(kek, sbox)
	if err != nil {
		return nil, err
	}
	if len(ukm) != UKMSize {
		return nil, &SizeError{"UKM", len(ukm), UKMSize}
	}
	var k [KeySize]byte
	copy(k[:], kek)
	c.diversify(&k, ukm)
	out := append([]byte(nil), k[:]...)
	clear(k[:])
	return out, nil
}

// diversify runs RFC 4357 section 6.5 on k in place; c supplies the S-box
// and ends keyed with the diversified key.
func (c *core) diversify(k *[KeySize]byte, ukm []byte) {
	for i := 0; i < 8; i++ {
		var s1, s2 uint32
		for j := 0; j < 8; j++ {
			w := binary.LittleEndian.Uint32(k[4*j:])
			// The UKM is public, but the key words are not: select with a
			// mask instead of a branch anyway so the sums never depend on a
			// branch at all.
			sel := -uint32(ukm[i] >> j & 1)
			s1 += w & sel
			s2 += w &^ sel
		}
		var iv [8]byte
		binary.LittleEndian.PutUint32(iv[0:], s1)
		binary.LittleEndian.PutUint32(iv[4:], s2)
		// CFB-encrypt the key under itself, four blocks, no meshing.
		c.setKeyLE(k[:])
		for b := 0; b < KeySize; b += BlockSize {
			var gamma [8]byte
			c.encryptLE(gamma[:], iv[:])
			subtle.XORBytes(k[b:b+BlockSize], k[b:b+BlockSize], gamma[:])
			copy(iv[:], k[b:b+BlockSize])
		}
	}
	c.setKeyLE(k[:])
}

// kekCore returns the core keyed with the KEK, diversified when asked.
func kekCore(kek, ukm []byte, sbox *SBox, d KEKDiversification) (core, error) {
	c, err := newCore(kek, sbox)
	if err != nil {
		return core{}, err
	}
	if len(ukm) != UKMSize {
		return core{}, &SizeError{"UKM", len(ukm), UKMSize}
	}
	if d == CryptoProDiversification {
		var k [KeySize]byte
		copy(k[:], kek)
		c.diversify(&k, ukm)
		clear(k[:])
	}
	return c, nil
}

// cekMAC is gost28147IMIT(UKM, KEK, CEK) of RFC 4357 section 6: the MAC of
// the four CEK blocks with the UKM as the initial state, no meshing.
func (c *core) cekMAC(ukm, cek []byte) [MACSize]byte {
	n1 := binary.LittleEndian.Uint32(ukm[0:])
	n2 := binary.LittleEndian.Uint32(ukm[4:])
	for b := 0; b < KeySize; b += BlockSize {
		n1, n2 = c.mac16(n1^binary.LittleEndian.Uint32(cek[b:]), n2^binary.LittleEndian.Uint32(cek[b+4:]))
	}
	var out [MACSize]byte
	binary.LittleEndian.PutUint32(out[:], n1)
	return out
}

// WrapKey wraps the 32-byte content-encryption key cek under kek with the
// 8-byte UKM (RFC 4357 section 6.1, or 6.3 with CryptoProDiversification)
// and returns UKM || ECB-encrypted CEK || 4-byte MAC (WrappedKeySize bytes),
// the layout OpenSSL's gost engine uses; CMS and key containers store the
// encrypted key and the MAC as separate fields.
func WrapKey(kek, ukm, cek []byte, sbox *SBox, d KEKDiversification) ([]byte, error) {
	if len(cek) != KeySize {
		return nil, &SizeError{"content-encryption key", len(cek), KeySize}
	}
	c, err := kekCore(kek, ukm, sbox, d)
	if err != nil {
		return nil, err
	}
	out := make([]byte, WrappedKeySize)
	copy(out, ukm)
	for b := 0; b < KeySize; b += BlockSize {
		c.encryptLE(out[UKMSize+b:], cek[b:])
	}
	m := c.cekMAC(ukm, cek)
	copy(out[UKMSize+KeySize:], m[:])
	return out, nil
}

// UnwrapKey reverses WrapKey: wrapped is UKM || encrypted CEK || MAC. It
// returns ErrWrappedKeyMAC when the MAC does not match (compared in
// constant time), and never returns the key in that case.
func UnwrapKey(kek, wrapped []byte, sbox *SBox, d KEKDiversification) ([]byte, error) {
	if len(wrapped) != WrappedKeySize {
		return nil, &SizeError{"wrapped key", len(wrapped), WrappedKeySize}
	}
	ukm := wrapped[:UKMSize]
	c, err := kekCore(kek, ukm, sbox, d)
	if err != nil {
		return nil, err
	}
	cek := make([]byte, KeySize)
	for b := 0; b < KeySize; b += BlockSize {
		c.decryptLE(cek[b:], wrapped[UKMSize+b:])
	}
	m := c.cekMAC(ukm, cek)
	if subtle.ConstantTimeCompare(m[:], wrapped[UKMSize+KeySize:]) != 1 {
		clear(cek)
		return nil, ErrWrappedKeyMAC
	}
	return cek, nil
}
