package magma

import (
	"bytes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// Fixed answers recorded from OpenSSL's gost engine (3.0 engine package of
// Debian 12), so that the modes are checked even where the engine is not
// installed; the interop tests compare with the live engine on random data.
// Key 000102..1f, IV 0001020304050607.
const (
	katKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	katIV  = "0001020304050607"
)

// katMessage is the 3000-byte message (31*i + 7) mod 256, long enough to
// cross the 1024-byte key meshing points twice.
func katMessage() []byte {
	m := make([]byte, 3000)
	for i := range m {
		m[i] = byte(31*i + 7)
	}
	return m
}

// TestBlockKAT: E_K(IV) per parameter set, recorded as the first block of
// `CRYPT_PARAMS=<set> openssl enc -engine gost -gost89 -K <key> -iv <IV>`
// on a zero block (CFB's first block is E_K(IV) xor P1).
func TestBlockKAT(t *testing.T) {
	for _, tc := range []struct {
		set  ParamSet
		want string
	}{
		{Gost28147TestParamSet, "9530d0e7f9e6cca3"},
		{CryptoProA, "ca208afd71eb39d4"},
		{CryptoProB, "95f00ab418322f56"},
		{CryptoProC, "7a5b7ef4836a055c"},
		{CryptoProD, "10b13a455dc317da"},
		{TC26Z, "61a716f6245d1a0d"},
	} {
		b, err := NewCipher(unhex(t, katKey), tc.set.SBox())
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 8)
		b.Encrypt(got, unhex(t, katIV))
		if hex.EncodeToString(got) != tc.want {
			t.Fatalf("%v: E(IV) = %x, want %s", tc.set, got, tc.want)
		}
		b.Decrypt(got, got)
		if hex.EncodeToString(got) != katIV {
			t.Fatalf("%v: D(E(IV)) = %x", tc.set, got)
		}
	}
}

// TestModeKAT: SHA-256 of the engine's output for katMessage with
// CryptoPro key meshing: gost89 (CFB, CryptoPro-A), gost89-cnt (CryptoPro-A),
// gost89-cnt-12 (TC26 Z); and the MACs gost-mac / gost-mac-12.
func TestModeKAT(t *testing.T) {
	key, iv, msg := unhex(t, katKey), unhex(t, katIV), katMessage()
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

	out := make([]byte, len(msg))
	cfbEnc, _ := NewCFBEncrypter(key, iv, CryptoProA.SBox(), CryptoProKeyMeshing)
	cfbEnc.XORKeyStream(out, msg)
	if got := sum(out); got != "6f6826be45c43f81745a8388f22b870f89b71fffd2426e19640a228f5ef2f1bd" {
		t.Fatalf("CFB: sha256 %s", got)
	}
	cfbDec, _ := NewCFBDecrypter(key, iv, CryptoProA.SBox(), CryptoProKeyMeshing)
	cfbDec.XORKeyStream(out, out)
	if !bytes.Equal(out, msg) {
		t.Fatal("CFB decryption does not invert encryption")
	}

	for _, tc := range []struct {
		set  ParamSet
		want string
	}{
		{CryptoProA, "02aec80548dcdc85acdd9ce15de398e816cd865ebd36d80d0b61a69e6dd667f0"},
		{TC26Z, "618743499ab44a377f21c573c46f9bc7b0c2e6f4685720cfb627a4657cdfce62"},
	} {
		s, _ := NewCTR(key, iv, tc.set.SBox(), CryptoProKeyMeshing)
		s.XORKeyStream(out, msg)
		if got := sum(out); got != tc.want {
			t.Fatalf("CTR %v: sha256 %s", tc.set, got)
		}
	}

	for _, tc := range []struct {
		set  ParamSet
		want string
	}{{CryptoProA, "fbabdb6e"}, {TC26Z, "57c5de33"}} {
		m, _ := NewMAC(key, tc.set.SBox(), CryptoProKeyMeshing)
		m.Write(msg)
		if got := hex.EncodeToString(m.Sum(nil)); got != tc.want {
			t.Fatalf("MAC %v: %s, want %s", tc.set, got, tc.want)
		}
	}
}

// TestKeyWrapKAT: CryptoPro key wrap recorded from the engine's
// keyWrapCryptoPro (CryptoPro-A, KEK 11..11, UKM 0102030405060708,
// CEK 22..22).
func TestKeyWrapKAT(t *testing.T) {
	kek, cek := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)
	const want = "0102030405060708" + "2b373f163100241c2b373f163100241c2b373f163100241c2b373f163100241c" + "8d6ab7f4"
	w, err := WrapKey(kek, unhex(t, "0102030405060708"), cek, CryptoProA.SBox(), CryptoProDiversification)
	if err != nil || hex.EncodeToString(w) != want {
		t.Fatalf("wrap = %x (%v), want %s", w, err, want)
	}
}

// TestKeyMeshingMatters: with and without meshing the streams agree on the
// first 1024 bytes and differ afterwards (so the interop tests really do
// exercise meshing), for CFB, CTR and the MAC.
func TestKeyMeshingMatters(t *testing.T) {
	key, iv, msg := unhex(t, katKey), unhex(t, katIV), katMessage()
	sb := CryptoProA.SBox()
	for _, mk := range []struct {
		name string
		f    func(key, iv []byte, sbox *SBox, m KeyMeshing) (cipher.Stream, error)
	}{{"CFB", NewCFBEncrypter}, {"CTR", NewCTR}} {
		a, _ := mk.f(key, iv, sb, CryptoProKeyMeshing)
		b, _ := mk.f(key, iv, sb, NoKeyMeshing)
		x, y := make([]byte, len(msg)), make([]byte, len(msg))
		a.XORKeyStream(x, msg)
		b.XORKeyStream(y, msg)
		if !bytes.Equal(x[:1024], y[:1024]) || bytes.Equal(x[1024:1032], y[1024:1032]) {
			t.Fatalf("%s: meshing does not start exactly at byte 1024", mk.name)
		}
	}
	m1, _ := NewMAC(key, sb, CryptoProKeyMeshing)
	m2, _ := NewMAC(key, sb, NoKeyMeshing)
	m1.Write(msg[:1024])
	m2.Write(msg[:1024])
	if !bytes.Equal(m1.Sum(nil), m2.Sum(nil)) {
		t.Fatal("MAC: meshing changed the first 1024 bytes")
	}
	m1.Write(msg[1024:1032])
	m2.Write(msg[1024:1032])
	if bytes.Equal(m1.Sum(nil), m2.Sum(nil)) {
		t.Fatal("MAC: meshing had no effect after 1024 bytes")
	}
}

// TestMACShortMessages pins the completion rule: the empty message gives
// zero, and a message of one block (after zero padding) is followed by an
// all-zero block.
func TestMACShortMessages(t *testing.T) {
	key := unhex(t, katKey)
	sb := CryptoProA.SBox()
	m, _ := NewMAC(key, sb, CryptoProKeyMeshing)
	if got := m.Sum(nil); !bytes.Equal(got, make([]byte, 4)) {
		t.Fatalf("MAC of nothing = %x", got)
	}
	m.Write([]byte("abc"))
	short := m.Sum(nil)
	m.Reset()
	m.Write([]byte("abc\x00\x00\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00\x00\x00"))
	if !bytes.Equal(m.Sum(nil), short) {
		t.Fatal("one-block MAC is not MAC(padded || zero block)")
	}
}

// TestStreamSplits: for CFB (both directions) and CTR, with and without
// meshing, processing in one call (which takes the two-block paths) equals
// processing byte by byte, and decryption inverts encryption.
func TestStreamSplits(t *testing.T) {
	key, iv, msg := unhex(t, katKey), unhex(t, katIV), katMessage()
	sb := CryptoProB.SBox()
	for _, m := range []KeyMeshing{NoKeyMeshing, CryptoProKeyMeshing} {
		for _, mk := range []struct {
			name string
			f    func(key, iv []byte, sbox *SBox, m KeyMeshing) (cipher.Stream, error)
		}{{"CFB-enc", NewCFBEncrypter}, {"CFB-dec", NewCFBDecrypter}, {"CTR", NewCTR}} {
			whole, _ := mk.f(key, iv, sb, m)
			bytewise, _ := mk.f(key, iv, sb, m)
			x := make([]byte, len(msg))
			whole.XORKeyStream(x, msg)
			y := make([]byte, len(msg))
			for i := range msg {
				bytewise.XORKeyStream(y[i:i+1], msg[i:i+1])
			}
			if !bytes.Equal(x, y) {
				t.Fatalf("%s meshing=%d: one call and byte by byte differ at %d", mk.name, m, firstDiff(x, y))
			}
		}
		enc, _ := NewCFBEncrypter(key, iv, sb, m)
		dec, _ := NewCFBDecrypter(key, iv, sb, m)
		ct := make([]byte, len(msg))
		enc.XORKeyStream(ct, msg)
		dec.XORKeyStream(ct, ct) // in place
		if !bytes.Equal(ct, msg) {
			t.Fatalf("meshing=%d: CFB decrypt(encrypt) differs at %d", m, firstDiff(ct, msg))
		}
	}
}

// TestStepCipher: the re-keyable form used by GOST R 34.11-94 agrees with
// NewCipher, one block at a time and two at once.
func TestStepCipher(t *testing.T) {
	key, blk := unhex(t, katKey), unhex(t, katIV)
	sb := Gost28147TestParamSet.SBox()
	b, _ := NewCipher(key, sb)
	want := make([]byte, 8)
	b.Encrypt(want, blk)
	s, err := NewStepCipher(sb)
	if err != nil {
		t.Fatal(err)
	}
	var k [8]uint32
	for i := range k {
		k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	x := binary.LittleEndian.Uint64(blk)
	w := binary.LittleEndian.Uint64(want)
	if got := s.Encrypt(&k, x); got != w {
		t.Fatalf("Encrypt = %016x, want %016x", got, w)
	}
	var zero [8]uint32
	z, _ := NewCipher(make([]byte, 32), sb)
	wz := make([]byte, 8)
	z.Encrypt(wz, blk)
	if g1, g2 := s.Encrypt2(&k, x, &zero, x); g1 != w || g2 != binary.LittleEndian.Uint64(wz) {
		t.Fatalf("Encrypt2 = %016x %016x", g1, g2)
	}
	if _, err := NewStepCipher(nil); err == nil {
		t.Fatal("nil S-box accepted")
	}
}
