package gost3413

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/gost/kuznyechik"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func kuz(t testing.TB, key []byte) cipher.Block {
	t.Helper()
	b, err := kuznyechik.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GOST R 34.13-2015 appendix A.1 (block cipher with n = 128, Kuznyechik):
// the key, the four plaintext blocks and the register IV of m = 2n bits.
const (
	a1Key   = "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef"
	a1Plain = `1122334455667700ffeeddccbbaa9988
		00112233445566778899aabbcceeff0a
		112233445566778899aabbcceeff0a00
		2233445566778899aabbcceeff0a0011`
	a1IV    = "1234567890abcef0a1b2c3d4e5f0011223344556677889901213141516171819"
	a1CTRIV = "1234567890abcef0"
)

// streamVector is a known answer for a cipher.Stream mode.
type streamVector struct {
	name string
	new  func(t testing.TB) cipher.Stream
	// newDec is the decrypting stream, when it differs from new.
	newDec func(t testing.TB) cipher.Stream
	in     string
	out    string
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func kuzStreamVectors() []streamVector {
	return []streamVector{
		{
			// GOST R 34.13-2015 A.1.2 (gamma mode, s = n).
			name: "A.1.2 CTR",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCTR(kuz(t, unhex(t, a1Key)), unhex(t, a1CTRIV)))
			},
			in: a1Plain,
			out: `f195d8bec10ed1dbd57b5fa240bda1b8
				85eee733f6a13e5df33ce4b33c45dee4
				a5eae88be6356ed3d5e877f13564a3a5
				cb91fab1f20cbab6d1c6d15820bdba73`,
		},
		{
			// GOST R 34.13-2015 A.1.3 (OFB, s = n, m = 2n).
			name: "A.1.3 OFB",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewOFB(kuz(t, unhex(t, a1Key)), unhex(t, a1IV)))
			},
			in: a1Plain,
			out: `81800a59b1842b24ff1f795e897abd95
				ed5b47a7048cfab48fb521369d9326bf
				66a257ac3ca0b8b1c80fe7fc10288a13
				203ebbc066138660a0292243f6903150`,
		},
		{
			// GOST R 34.13-2015 A.1.5 (CFB, s = n, m = 2n).
			name: "A.1.5 CFB",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCFBEncrypter(kuz(t, unhex(t, a1Key)), unhex(t, a1IV)))
			},
			newDec: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCFBDecrypter(kuz(t, unhex(t, a1Key)), unhex(t, a1IV)))
			},
			in: a1Plain,
			out: `81800a59b1842b24ff1f795e897abd95
				ed5b47a7048cfab48fb521369d9326bf
				79f2a8eb5cc68d38842d264e97a238b5
				4ffebecd4e922de6c75bd9dd44fbf4d1`,
		},
		{
			// RFC 8645 appendix A.1 (the example of R 1323565.1.017-2018):
			// CTR-ACPKM with Kuznyechik, N = 256 bits, IV = 1234567890ABCEF0.
			name: "RFC 8645 A.1 CTR-ACPKM",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCTRACPKM(kuznyechik.NewCipher, unhex(t, a1Key), unhex(t, a1CTRIV), 32))
			},
			in: `1122334455667700ffeeddccbbaa9988
				00112233445566778899aabbcceeff0a
				112233445566778899aabbcceeff0a00
				2233445566778899aabbcceeff0a0011
				33445566778899aabbcceeff0a001122
				445566778899aabbcceeff0a00112233
				5566778899aabbcceeff0a0011223344`,
			out: `f195d8bec10ed1dbd57b5fa240bda1b8
				85eee733f6a13e5df33ce4b33c45dee4
				4bceeb8f646f4c55001706275e85e800
				587c4df568d094393e4834afd0805046
				cf30f57686aeece11cfc6c316b8a896e
				dffd07ec813636460c4f3b743423163e
				6409a9c282fac8d469d221e7fbd6de5d`,
		},
	}
}

func checkStreamVector(t *testing.T, v streamVector) {
	t.Helper()
	in, want := unhex(t, v.in), unhex(t, v.out)
	got := make([]byte, len(in))
	v.new(t).XORKeyStream(got, in)
	if !bytes.Equal(got, want) {
		t.Fatalf("encrypt:\n got  %x\n want %x", got, want)
	}
	// Byte by byte gives the same output.
	s := v.new(t)
	for i := range in {
		s.XORKeyStream(got[i:i+1], in[i:i+1])
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encrypt byte by byte:\n got  %x\n want %x", got, want)
	}
	dec := v.new
	if v.newDec != nil {
		dec = v.newDec
	}
	back := make([]byte, len(want))
	dec(t).XORKeyStream(back, want)
	if !bytes.Equal(back, in) {
		t.Fatalf("decrypt:\n got  %x\n want %x", back, in)
	}
	// In place.
	buf := append([]byte(nil), in...)
	v.new(t).XORKeyStream(buf, buf)
	if !bytes.Equal(buf, want) {
		t.Fatalf("encrypt in place:\n got  %x\n want %x", buf, want)
	}
}

func TestKuznyechikStreamVectors(t *testing.T) {
	for _, v := range kuzStreamVectors() {
		t.Run(v.name, func(t *testing.T) { checkStreamVector(t, v) })
	}
}

func checkBlockMode(t *testing.T, enc, dec cipher.BlockMode, in, want []byte) {
	t.Helper()
	got := make([]byte, len(in))
	enc.CryptBlocks(got, in)
	if !bytes.Equal(got, want) {
		t.Fatalf("encrypt:\n got  %x\n want %x", got, want)
	}
	back := append([]byte(nil), got...)
	dec.CryptBlocks(back, back) // in place
	if !bytes.Equal(back, in) {
		t.Fatalf("decrypt:\n got  %x\n want %x", back, in)
	}
}

func TestKuznyechikBlockModeVectors(t *testing.T) {
	b := kuz(t, unhex(t, a1Key))
	in := unhex(t, a1Plain)
	t.Run("A.1.1 ECB", func(t *testing.T) {
		checkBlockMode(t, NewECBEncrypter(b), NewECBDecrypter(b), in, unhex(t, `
			7f679d90bebc24305a468d42b9d4edcd
			b429912c6e0032f9285452d76718d08b
			f0ca33549d247ceef3f5a5313bd4b157
			d0b09ccde830b9eb3a02c4c5aa8ada98`))
	})
	t.Run("A.1.4 CBC", func(t *testing.T) {
		enc := must[cipher.BlockMode](t)(NewCBCEncrypter(b, unhex(t, a1IV)))
		dec := must[cipher.BlockMode](t)(NewCBCDecrypter(b, unhex(t, a1IV)))
		checkBlockMode(t, enc, dec, in, unhex(t, `
			689972d4a085fa4d90e52e3d6d7dcc27
			2826e661b478eca6af1e8e448d5ea5ac
			fe7babf1e91999e85640e8b0f49d90d0
			167688065a895c631a2d9a1560b63970`))
	})
	t.Run("A.1.4 CBC one block at a time", func(t *testing.T) {
		enc := must[cipher.BlockMode](t)(NewCBCEncrypter(b, unhex(t, a1IV)))
		got := make([]byte, len(in))
		for off := 0; off < len(in); off += 16 {
			enc.CryptBlocks(got[off:off+16], in[off:off+16])
		}
		if want := unhex(t, "689972d4a085fa4d90e52e3d6d7dcc272826e661b478eca6af1e8e448d5ea5acfe7babf1e91999e85640e8b0f49d90d0167688065a895c631a2d9a1560b63970"); !bytes.Equal(got, want) {
			t.Fatalf("got %x want %x", got, want)
		}
	})
}

func TestKuznyechikOMACVector(t *testing.T) {
	b := kuz(t, unhex(t, a1Key))
	m := must[*omac](t)(func() (*omac, error) {
		h, err := NewOMAC(b, 16)
		if err != nil {
			return nil, err
		}
		return h.(*omac), nil
	}())
	// GOST R 34.13-2015 A.1.6: the subkeys.
	if want := unhex(t, "297d82bc4d39e3ca0de0573298151dc7"); !bytes.Equal(m.k1, want) {
		t.Errorf("K1 = %x, want %x", m.k1, want)
	}
	if want := unhex(t, "52fb05789a73c7941bc0ae65302a3b8e"); !bytes.Equal(m.k2, want) {
		t.Errorf("K2 = %x, want %x", m.k2, want)
	}
	m.Write(unhex(t, a1Plain))
	// The full 128-bit value; its first 64 bits are the standard's MAC
	// (s = 64), and OpenSSL's gost provider gives the full value.
	if got, want := m.Sum(nil), unhex(t, "336f4d296059fbe34ddeb35b37749c67"); !bytes.Equal(got, want) {
		t.Errorf("OMAC = %x, want %x", got, want)
	}
	// GOST R 34.13-2015 A.1.6: MAC with s = 64.
	h := must[interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}](t)(NewOMAC(b, 8))
	h.Write(unhex(t, a1Plain))
	if got, want := h.Sum(nil), unhex(t, "336f4d296059fbe3"); !bytes.Equal(got, want) {
		t.Errorf("OMAC s=64 = %x, want %x", got, want)
	}
}

// TestACPKMKeys checks the section keys of RFC 8645 appendix A.1: the keys
// K^2, K^3, K^4 that CTR-ACPKM derives from the example key.
func TestACPKMKeys(t *testing.T) {
	key := unhex(t, a1Key)
	for i, want := range []string{
		"2666ed40ae687811745ca0b448f57a7b390adb5780307e8e9659ac403ae60c60",
		"bb3dd5402e999b7a3debb0db45448ec530f07365dfee3aba8415f77ac8f34ce8",
		"23362fd553cad2178299a5b5a2d4722e3bb83c730a8bf57ce2dd004017f8c565",
	} {
		acpkmNext(kuz(t, key), key)
		if !bytes.Equal(key, unhex(t, want)) {
			t.Fatalf("section key %d = %x, want %s", i+2, key, want)
		}
	}
}

// TestACPKMMasterKeyMaterial checks ACPKM-Master of RFC 8645 appendix A.2:
// with Kuznyechik, T* = 768 bits, the key material K^1 || K^1_1 || ... ||
// K^3 || K^3_1 for three sections.
func TestACPKMMasterKeyMaterial(t *testing.T) {
	s, err := newCTRACPKM("test", kuznyechik.NewCipher, unhex(t, a1Key), masterIV(16), 96)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 144)
	s.XORKeyStream(got, got)
	want := unhex(t, `
		0cabf1f2efbc4ac16048df1a24c605b2 c0d1673d7586a8ec0dd42c45a4f95bae
		0f2e2617e47148680fc3e6178df2c137 c9dda89cffa491feadd9b3eab703bb31
		bc7e927f0494729f51b49d3df9c94608 00fbbcf5edee610ea02f01093c7bc742
		d7d6271501b177775263c2a3495a8318 a81c79a04f29660ea3fda874c630799e
		142c577914fea90d3bc2502e833685d9`)
	if !bytes.Equal(got, want) {
		t.Fatalf("key material:\n got  %x\n want %x", got, want)
	}
}

// TestKuznyechikOMACACPKMVectors checks RFC 8645 appendix A.2: OMAC-ACPKM
// with Kuznyechik, N = 256 bits, T* = 768 bits, s = 128.
func TestKuznyechikOMACACPKMVectors(t *testing.T) {
	msg := unhex(t, `1122334455667700ffeeddccbbaa9988
		00112233445566778899aabbcceeff0a
		112233445566778899aabbcceeff0a00
		2233445566778899aabbcceeff0a0011
		33445566778899aabbcceeff0a001122`)
	for _, v := range []struct {
		n    int
		want string
	}{
		{24, "b5367f47b62b995eeb2a648c5843145e"}, // partial last block, one section
		{80, "fbb8dcee45bea67c35f58c5700898e5d"}, // five blocks, three sections
	} {
		h, err := NewOMACACPKM(kuznyechik.NewCipher, unhex(t, a1Key), 32, 96, 16)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(msg[:v.n])
		if got := h.Sum(nil); !bytes.Equal(got, unhex(t, v.want)) {
			t.Errorf("%d bytes: OMAC-ACPKM = %x, want %s", v.n, got, v.want)
		}
		// Sum leaves the state alone; Reset starts over.
		if got := h.Sum(nil); !bytes.Equal(got, unhex(t, v.want)) {
			t.Errorf("%d bytes: second Sum = %x, want %s", v.n, got, v.want)
		}
		h.Reset()
		for i := 0; i < v.n; i++ {
			h.Write(msg[i : i+1])
		}
		if got := h.Sum(nil); !bytes.Equal(got, unhex(t, v.want)) {
			t.Errorf("%d bytes after Reset, byte by byte: OMAC-ACPKM = %x, want %s", v.n, got, v.want)
		}
	}
}
