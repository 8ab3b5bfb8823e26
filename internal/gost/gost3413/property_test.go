package gost3413

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"hash"
	mrand "math/rand/v2"
	"testing"

	"github.com/podpis/podpis/internal/gost/kuznyechik"
)

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// writeSplit feeds data to f in pieces cut at the given offsets.
func writeSplit(data []byte, cuts []int, f func([]byte)) {
	prev := 0
	for _, c := range cuts {
		c = min(max(c, prev), len(data))
		f(data[prev:c])
		prev = c
	}
	f(data[prev:])
}

func randomCuts(r *mrand.Rand, n int) []int {
	cuts := make([]int, r.IntN(6))
	for i := range cuts {
		cuts[i] = r.IntN(n + 1)
	}
	for i := 1; i < len(cuts); i++ {
		cuts[i] = max(cuts[i], cuts[i-1])
	}
	return cuts
}

func TestCTRAgainstReference(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		key, iv := randBytes(32), randBytes(8)
		data := randBytes(r.IntN(700))
		sectionBlocks := 1 + r.IntN(5)
		want := refCTRACPKM(kuznyechik.NewCipher, key, iv, sectionBlocks, data)
		s, err := NewCTRACPKM(kuznyechik.NewCipher, key, iv, 16*sectionBlocks)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		off := 0
		writeSplit(data, randomCuts(r, len(data)), func(p []byte) {
			s.XORKeyStream(got[off:off+len(p)], p)
			off += len(p)
		})
		if !bytes.Equal(got, want) {
			t.Fatalf("CTR-ACPKM N=%d, %d bytes: differs from reference", 16*sectionBlocks, len(data))
		}
		plain, err := NewCTR(kuz(t, key), iv)
		if err != nil {
			t.Fatal(err)
		}
		plain.XORKeyStream(got, data)
		if want := refCTRACPKM(kuznyechik.NewCipher, key, iv, 0, data); !bytes.Equal(got, want) {
			t.Fatalf("CTR, %d bytes: differs from reference", len(data))
		}
	}
}

func TestCTRCounterWraps(t *testing.T) {
	// The counter is incremented modulo 2^n over the whole block
	// (section 4.2), so it carries from the low half into the IV half.
	key := randBytes(32)
	iv := []byte{0, 0, 0, 0, 0, 0, 0, 0xff}
	s, _ := NewCTR(kuz(t, key), iv)
	s.(*ctr).counter = []byte{0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	got := make([]byte, 32)
	s.XORKeyStream(got, got)
	b := kuz(t, key)
	want := make([]byte, 32)
	b.Encrypt(want[:16], []byte{0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	b.Encrypt(want[16:], []byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	if !bytes.Equal(got, want) {
		t.Fatalf("counter carry:\n got  %x\n want %x", got, want)
	}
}

func TestOMACAgainstReference(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	for i := 0; i < 100; i++ {
		key := randBytes(32)
		data := randBytes(r.IntN(300))
		size := 1 + r.IntN(16)
		b := kuz(t, key)
		h, err := NewOMAC(b, size)
		if err != nil {
			t.Fatal(err)
		}
		writeSplit(data, randomCuts(r, len(data)), func(p []byte) { h.Write(p) })
		if got, want := h.Sum(nil), refOMAC(b, size, data); !bytes.Equal(got, want) {
			t.Fatalf("OMAC of %d bytes = %x, reference %x", len(data), got, want)
		}
		sectionBlocks, masterBlocks := 1+r.IntN(4), 3*(1+r.IntN(3))
		h, err = NewOMACACPKM(kuznyechik.NewCipher, key, 16*sectionBlocks, 16*masterBlocks, size)
		if err != nil {
			t.Fatal(err)
		}
		writeSplit(data, randomCuts(r, len(data)), func(p []byte) { h.Write(p) })
		want := refOMACACPKM(kuznyechik.NewCipher, key, sectionBlocks, masterBlocks, size, data)
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("OMAC-ACPKM N=%d T*=%d of %d bytes = %x, reference %x",
				16*sectionBlocks, 16*masterBlocks, len(data), got, want)
		}
	}
}

// TestSumKeepsState checks the hash.Hash contract: Sum appends and does not
// change the state, and writing can continue after Sum.
func TestSumKeepsState(t *testing.T) {
	key := randBytes(32)
	data := randBytes(200)
	for name, mk := range map[string]func() hash.Hash{
		"OMAC": func() hash.Hash { return must[hash.Hash](t)(NewOMAC(kuz(t, key), 16)) },
		"OMAC-ACPKM": func() hash.Hash {
			return must[hash.Hash](t)(NewOMACACPKM(kuznyechik.NewCipher, key, 32, 48, 16))
		},
	} {
		t.Run(name, func(t *testing.T) {
			h := mk()
			for cut := 0; cut <= len(data); cut += 16 {
				whole := mk()
				whole.Write(data[:cut])
				want := whole.Sum(nil)
				h.Reset()
				h.Write(data[:cut])
				if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
					t.Fatalf("cut %d: Sum did not append the MAC", cut)
				}
				h.Sum(nil)
				h.Write(data[cut:])
				whole = mk()
				whole.Write(data)
				if got, want := h.Sum(nil), whole.Sum(nil); !bytes.Equal(got, want) {
					t.Fatalf("cut %d: writing after Sum gives %x, want %x", cut, got, want)
				}
			}
			if h.Size() != 16 || h.BlockSize() != 16 {
				t.Fatalf("Size %d BlockSize %d", h.Size(), h.BlockSize())
			}
		})
	}
}

func TestRegisterModesRoundTrip(t *testing.T) {
	r := mrand.New(mrand.NewPCG(5, 6))
	for i := 0; i < 50; i++ {
		b := kuz(t, randBytes(32))
		iv := randBytes(16 * (1 + r.IntN(3)))
		data := randBytes(r.IntN(300))
		for _, m := range []struct {
			name     string
			enc, dec func() (cipher.Stream, error)
		}{
			{"OFB", func() (cipher.Stream, error) { return NewOFB(b, iv) }, func() (cipher.Stream, error) { return NewOFB(b, iv) }},
			{"CFB", func() (cipher.Stream, error) { return NewCFBEncrypter(b, iv) }, func() (cipher.Stream, error) { return NewCFBDecrypter(b, iv) }},
		} {
			whole := make([]byte, len(data))
			must[cipher.Stream](t)(m.enc()).XORKeyStream(whole, data)
			split := make([]byte, len(data))
			s := must[cipher.Stream](t)(m.enc())
			off := 0
			writeSplit(data, randomCuts(r, len(data)), func(p []byte) {
				s.XORKeyStream(split[off:off+len(p)], p)
				off += len(p)
			})
			if !bytes.Equal(whole, split) {
				t.Fatalf("%s: split encryption differs", m.name)
			}
			back := make([]byte, len(data))
			d := must[cipher.Stream](t)(m.dec())
			off = 0
			writeSplit(whole, randomCuts(r, len(data)), func(p []byte) {
				d.XORKeyStream(back[off:off+len(p)], p)
				off += len(p)
			})
			if !bytes.Equal(back, data) {
				t.Fatalf("%s: decryption does not invert encryption", m.name)
			}
		}
		blocks := data[:len(data)/16*16]
		enc := must[cipher.BlockMode](t)(NewCBCEncrypter(b, iv))
		dec := must[cipher.BlockMode](t)(NewCBCDecrypter(b, iv))
		ct := make([]byte, len(blocks))
		enc.CryptBlocks(ct, blocks)
		pt := make([]byte, len(blocks))
		dec.CryptBlocks(pt, ct)
		if !bytes.Equal(pt, blocks) {
			t.Fatal("CBC: decryption does not invert encryption")
		}
	}
}

func TestParameterErrors(t *testing.T) {
	key := randBytes(32)
	b := kuz(t, key)
	var pe *ParamError
	for name, err := range map[string]error{
		"CTR iv 16":              second(NewCTR(b, make([]byte, 16))),
		"CTR iv 0":               second(NewCTR(b, nil)),
		"CTR-ACPKM section 0":    second(NewCTRACPKM(kuznyechik.NewCipher, key, make([]byte, 8), 0)),
		"CTR-ACPKM section 17":   second(NewCTRACPKM(kuznyechik.NewCipher, key, make([]byte, 8), 17)),
		"CTR-ACPKM iv 4":         second(NewCTRACPKM(kuznyechik.NewCipher, key, make([]byte, 4), 32)),
		"OMAC size 0":            second(NewOMAC(b, 0)),
		"OMAC size 17":           second(NewOMAC(b, 17)),
		"OMAC-ACPKM section 8":   second(NewOMACACPKM(kuznyechik.NewCipher, key, 8, 96, 16)),
		"OMAC-ACPKM T* 0":        second(NewOMACACPKM(kuznyechik.NewCipher, key, 32, 0, 16)),
		"OMAC-ACPKM size 20":     second(NewOMACACPKM(kuznyechik.NewCipher, key, 32, 96, 20)),
		"CBC iv 8":               second(NewCBCEncrypter(b, make([]byte, 8))),
		"CBC iv 0":               second(NewCBCDecrypter(b, nil)),
		"CFB iv 24":              second(NewCFBEncrypter(b, make([]byte, 24))),
		"OFB iv 0":               second(NewOFB(b, nil)),
		"OMAC block size 4":      second(NewOMAC(toyBlock{}, 4)),
		"CTR-ACPKM key too long": second(NewCTRACPKM(toyNewCipher, make([]byte, 36), make([]byte, 2), 8)),
	} {
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *ParamError", name, err)
		} else if pe.Error() == "" || pe.Mode == "" || pe.Param == "" {
			t.Errorf("%s: incomplete error %#v", name, pe)
		}
	}
	// A key the cipher refuses comes back as the cipher's error.
	var kse kuznyechik.KeySizeError
	if err := second(NewCTRACPKM(kuznyechik.NewCipher, key[:16], make([]byte, 8), 32)); !errors.As(err, &kse) {
		t.Errorf("short key: error %v, want KeySizeError", err)
	}
	if err := second(NewOMACACPKM(kuznyechik.NewCipher, key[:16], 32, 96, 16)); !errors.As(err, &kse) {
		t.Errorf("OMAC-ACPKM short key: error %v, want KeySizeError", err)
	}
}

func second[T any](_ T, err error) error { return err }

// toyBlock is a 4-byte "cipher" for parameter checks only.
type toyBlock struct{}

func (toyBlock) BlockSize() int          { return 4 }
func (toyBlock) Encrypt(dst, src []byte) { copy(dst, src[:4]) }
func (toyBlock) Decrypt(dst, src []byte) { copy(dst, src[:4]) }

func toyNewCipher(key []byte) (cipher.Block, error) { return toyBlock{}, nil }

func TestShortOutputPanics(t *testing.T) {
	b := kuz(t, randBytes(32))
	s, _ := NewCTR(b, make([]byte, 8))
	cbc, _ := NewCBCEncrypter(b, make([]byte, 16))
	for name, f := range map[string]func(){
		"CTR short dst":  func() { s.XORKeyStream(make([]byte, 3), make([]byte, 4)) },
		"ECB partial":    func() { NewECBEncrypter(b).CryptBlocks(make([]byte, 32), make([]byte, 17)) },
		"CBC short dst":  func() { cbc.CryptBlocks(make([]byte, 16), make([]byte, 32)) },
		"OFB short dst":  func() { must[cipher.Stream](t)(NewOFB(b, make([]byte, 16))).XORKeyStream(nil, []byte{1}) },
		"ECB short dst":  func() { NewECBDecrypter(b).CryptBlocks(make([]byte, 16), make([]byte, 32)) },
		"CBC not blocks": func() { cbc.CryptBlocks(make([]byte, 32), make([]byte, 20)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
