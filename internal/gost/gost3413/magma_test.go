package gost3413

import (
	"bytes"
	"crypto/cipher"
	"hash"
	mrand "math/rand/v2"
	"testing"

	"github.com/podpis/podpis/internal/gost/magma"
)

// The modes with Magma (n = 64) in the byte order of GOST R 34.12-2015,
// from magma.NewMagma.

func mag(t testing.TB, key []byte) cipher.Block {
	t.Helper()
	b, err := magma.NewMagma(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GOST R 34.13-2015 appendix A.2 (block cipher with n = 64, Magma).
const (
	a2Key   = "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
	a2Plain = "92def06b3c130a59 db54c704f8189d20 4a98fb2e67a8024c 8912409b17b57e41"
)

func TestMagmaStreamVectors(t *testing.T) {
	for _, v := range []streamVector{
		{
			// A.2.2 (gamma mode, IV 12345678).
			name: "A.2.2 CTR",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCTR(mag(t, unhex(t, a2Key)), unhex(t, "12345678")))
			},
			in:  a2Plain,
			out: "4e98110c97b7b93c 3e250d93d6e85d69 136d868807b2dbef 568eb680ab52a12d",
		},
		{
			// A.2.3 (OFB, m = 2n).
			name: "A.2.3 OFB",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewOFB(mag(t, unhex(t, a2Key)), unhex(t, "1234567890abcdef234567890abcdef1")))
			},
			in:  a2Plain,
			out: "db37e0e266903c83 0d46644c1f9a089c a0f83062430e327e c824efb8bd4fdb05",
		},
		{
			// A.2.5 (CFB, s = n, m = 2n).
			name: "A.2.5 CFB",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCFBEncrypter(mag(t, unhex(t, a2Key)), unhex(t, "1234567890abcdef234567890abcdef1")))
			},
			newDec: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCFBDecrypter(mag(t, unhex(t, a2Key)), unhex(t, "1234567890abcdef234567890abcdef1")))
			},
			in:  a2Plain,
			out: "db37e0e266903c83 0d46644c1f9a089c 24bdd2035315d38b bcc0321421075505",
		},
		{
			// RFC 8645 appendix A.1: CTR-ACPKM with Magma, N = 128 bits,
			// IV = 12345678.
			name: "RFC 8645 A.1 CTR-ACPKM",
			new: func(t testing.TB) cipher.Stream {
				return must[cipher.Stream](t)(NewCTRACPKM(magma.NewMagma, unhex(t, a1Key), unhex(t, "12345678"), 16))
			},
			in: `1122334455667700 ffeeddccbbaa9988 0011223344556677 8899aabbcceeff0a
				1122334455667788 99aabbcceeff0a00 2233445566778899`,
			out: `2ab81deeeb1e4cab 68e104c4bd6b94ea c72c67af6c2e5b6b 0eafb61770f1b32e
				a1ae71149eed1382 abd467180672ec6f 84a2f15b3fca72c1`,
		},
	} {
		t.Run(v.name, func(t *testing.T) { checkStreamVector(t, v) })
	}
}

func TestMagmaBlockModeVectors(t *testing.T) {
	b := mag(t, unhex(t, a2Key))
	in := unhex(t, a2Plain)
	t.Run("A.2.1 ECB", func(t *testing.T) {
		checkBlockMode(t, NewECBEncrypter(b), NewECBDecrypter(b), in,
			unhex(t, "2b073f0494f372a0 de70e715d3556e48 11d8d9e9eacfbc1e 7c68260996c67efb"))
	})
	t.Run("A.2.4 CBC", func(t *testing.T) {
		iv := unhex(t, "1234567890abcdef234567890abcdef134567890abcdef12") // m = 3n
		checkBlockMode(t, must[cipher.BlockMode](t)(NewCBCEncrypter(b, iv)), must[cipher.BlockMode](t)(NewCBCDecrypter(b, iv)), in,
			unhex(t, "96d1b05eea683919 aff76129abb937b9 5058b4a1c4bc0019 20b78b1a7cd7e667"))
	})
}

func TestMagmaOMACVector(t *testing.T) {
	h, err := NewOMAC(mag(t, unhex(t, a2Key)), 8)
	if err != nil {
		t.Fatal(err)
	}
	m := h.(*omac)
	// A.2.6: the subkeys and the MAC with s = 32; the full 64-bit value is
	// also what OpenSSL's gost provider gives.
	if want := unhex(t, "5f459b3342521424"); !bytes.Equal(m.k1, want) {
		t.Errorf("K1 = %x, want %x", m.k1, want)
	}
	if want := unhex(t, "be8b366684a42848"); !bytes.Equal(m.k2, want) {
		t.Errorf("K2 = %x, want %x", m.k2, want)
	}
	h.Write(unhex(t, a2Plain))
	if got, want := h.Sum(nil), unhex(t, "154e72102030c5bb"); !bytes.Equal(got, want) {
		t.Errorf("OMAC = %x, want %x", got, want)
	}
	h4 := must[hash.Hash](t)(NewOMAC(mag(t, unhex(t, a2Key)), 4))
	h4.Write(unhex(t, a2Plain))
	if got, want := h4.Sum(nil), unhex(t, "154e7210"); !bytes.Equal(got, want) {
		t.Errorf("OMAC s=32 = %x, want %x", got, want)
	}
}

// TestMagmaACPKM checks RFC 8645 appendix A.2 with Magma: the ACPKM-Master
// key material for T* = 640 bits and OMAC-ACPKM with N = 128 bits.
func TestMagmaACPKM(t *testing.T) {
	s, err := newCTRACPKM("test", magma.NewMagma, unhex(t, a1Key), masterIV(8), 80)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 120)
	s.XORKeyStream(got, got)
	want := unhex(t, `
		0df2f5273da328932ac49d81d36b2558 a50dbf9bbcac74a614b2ccb2f1cbcd8a
		70638e3de8b3571e8d3826d55e63a167 e2406640547b9f1f5f2b43612aaeafda
		180bac8604dfa6fe53c2ce270e9c9f52 68d0fdbfe1a3bdd9be5b96d0a1202348
		6ef1710f924ae0313052cb5fca0b791e 1babe8576d0fe3a8`)
	if !bytes.Equal(got, want) {
		t.Fatalf("key material:\n got  %x\n want %x", got, want)
	}
	msg := unhex(t, "1122334455667700 ffeeddccbbaa9988 0011223344556677 8899aabbcceeff0a 1122334455667788")
	for _, v := range []struct {
		n    int
		want string
	}{
		{12, "a0540e3730acbcf3"},
		{40, "34008dad5496bb8e"},
	} {
		h, err := NewOMACACPKM(magma.NewMagma, unhex(t, a1Key), 16, 80, 8)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(msg[:v.n])
		if got := h.Sum(nil); !bytes.Equal(got, unhex(t, v.want)) {
			t.Errorf("%d bytes: OMAC-ACPKM = %x, want %s", v.n, got, v.want)
		}
	}
}

func TestMagmaAgainstReference(t *testing.T) {
	r := mrand.New(mrand.NewPCG(13, 14))
	for i := 0; i < 50; i++ {
		key, iv := randBytes(32), randBytes(4)
		data := randBytes(r.IntN(400))
		sectionBlocks, masterBlocks := 1+r.IntN(5), 5*(1+r.IntN(3))
		s := must[cipher.Stream](t)(NewCTRACPKM(magma.NewMagma, key, iv, 8*sectionBlocks))
		got := make([]byte, len(data))
		s.XORKeyStream(got, data)
		if want := refCTRACPKM(magma.NewMagma, key, iv, sectionBlocks, data); !bytes.Equal(got, want) {
			t.Fatalf("Magma CTR-ACPKM, %d bytes: differs from reference", len(data))
		}
		h := must[hash.Hash](t)(NewOMACACPKM(magma.NewMagma, key, 8*sectionBlocks, 8*masterBlocks, 8))
		writeSplit(data, randomCuts(r, len(data)), func(p []byte) { h.Write(p) })
		if got, want := h.Sum(nil), refOMACACPKM(magma.NewMagma, key, sectionBlocks, masterBlocks, 8, data); !bytes.Equal(got, want) {
			t.Fatalf("Magma OMAC-ACPKM, %d bytes: %x, reference %x", len(data), got, want)
		}
		b := mag(t, key)
		h = must[hash.Hash](t)(NewOMAC(b, 8))
		h.Write(data)
		if got, want := h.Sum(nil), refOMAC(b, 8, data); !bytes.Equal(got, want) {
			t.Fatalf("Magma OMAC, %d bytes: %x, reference %x", len(data), got, want)
		}
	}
}

func TestOpenSSLMagma(t *testing.T) {
	requireEngine(t, "magma-ctr", "magma-ctr-acpkm", "magma-cbc")
	requireProviderMAC(t, "magma-mac")
	// The provider has no Magma OMAC-ACPKM MAC (only the cipher of that
	// name), so Magma OMAC-ACPKM rests on the RFC 8645 examples.
	r := mrand.New(mrand.NewPCG(15, 16))
	for _, n := range interopLengths(r, 1023, 1024, 1025, 2048, 3000) {
		key, iv, data := randBytes(32), randBytes(4), randBytes(n)
		b := mag(t, key)
		got := make([]byte, n)
		must[cipher.Stream](t)(NewCTR(b, iv)).XORKeyStream(got, data)
		if want := opensslEnc(t, "magma-ctr", key, iv, data); !bytes.Equal(got, want) {
			t.Fatalf("magma-ctr, %d bytes: differs from OpenSSL", n)
		}
		// OpenSSL's gost engine re-keys Magma every 1024 bytes.
		must[cipher.Stream](t)(NewCTRACPKM(magma.NewMagma, key, iv, 1024)).XORKeyStream(got, data)
		if want := opensslEnc(t, "magma-ctr-acpkm", key, iv, data); !bytes.Equal(got, want) {
			t.Fatalf("magma-ctr-acpkm, %d bytes: differs from OpenSSL", n)
		}
		cbcIV := randBytes(8)
		blocks := data[:n/8*8]
		must[cipher.BlockMode](t)(NewCBCEncrypter(b, cbcIV)).CryptBlocks(got, blocks)
		if want := opensslEnc(t, "magma-cbc", key, cbcIV, blocks, "-nopad"); !bytes.Equal(got[:len(blocks)], want) {
			t.Fatalf("magma-cbc, %d bytes: differs from OpenSSL", len(blocks))
		}
		h := must[hash.Hash](t)(NewOMAC(b, 8))
		h.Write(data)
		if got, want := h.Sum(nil), opensslMAC(t, "magma-mac", key, data); !bytes.Equal(got, want) {
			t.Fatalf("magma-mac, %d bytes: %x, OpenSSL %x", n, got, want)
		}
	}
}
