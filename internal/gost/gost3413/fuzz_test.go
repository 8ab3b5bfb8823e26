package gost3413

import (
	"bytes"
	"testing"

	"github.com/podpis/podpis/internal/gost/kuznyechik"
)

var fuzzKey = []byte("0123456789abcdef0123456789abcdef")

// FuzzCTRACPKM checks that any split of the input gives the same stream
// output as the one-shot call and as the block-at-a-time reference, and
// that applying the stream twice gives the input back.
func FuzzCTRACPKM(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0), uint8(0))
	f.Add([]byte("hello, world"), uint16(3), uint16(7), uint8(1))
	f.Add(bytes.Repeat([]byte{0xa5}, 200), uint16(16), uint16(100), uint8(2))
	f.Add(bytes.Repeat([]byte{0x00}, 1000), uint16(31), uint16(513), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16, section uint8) {
		sectionBlocks := 1 + int(section%8)
		iv := []byte{1, 2, 3, 4, 5, 6, 7, 8}
		oneShot := make([]byte, len(data))
		s, err := NewCTRACPKM(kuznyechik.NewCipher, fuzzKey, iv, 16*sectionBlocks)
		if err != nil {
			t.Fatal(err)
		}
		s.XORKeyStream(oneShot, data)

		c1 := min(int(cut1), len(data))
		c2 := min(max(int(cut2), c1), len(data))
		split := make([]byte, len(data))
		s, _ = NewCTRACPKM(kuznyechik.NewCipher, fuzzKey, iv, 16*sectionBlocks)
		s.XORKeyStream(split[:c1], data[:c1])
		s.XORKeyStream(split[c1:c2], data[c1:c2])
		s.XORKeyStream(split[c2:], data[c2:])
		if !bytes.Equal(split, oneShot) {
			t.Fatalf("split at %d,%d differs from one-shot", c1, c2)
		}
		if want := refCTRACPKM(kuznyechik.NewCipher, fuzzKey, iv, sectionBlocks, data); !bytes.Equal(oneShot, want) {
			t.Fatal("one-shot differs from the reference")
		}
		s, _ = NewCTRACPKM(kuznyechik.NewCipher, fuzzKey, iv, 16*sectionBlocks)
		s.XORKeyStream(split, oneShot)
		if !bytes.Equal(split, data) {
			t.Fatal("decryption does not give the input back")
		}
	})
}

// FuzzOMAC checks that any split of the input gives the same MAC, for OMAC
// and OMAC-ACPKM, and that both agree with the whole-message references.
func FuzzOMAC(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0), uint8(0))
	f.Add([]byte("hello, world"), uint16(3), uint16(7), uint8(1))
	f.Add(bytes.Repeat([]byte{0x5a}, 64), uint16(16), uint16(32), uint8(2))
	f.Add(bytes.Repeat([]byte{0x00}, 1000), uint16(31), uint16(513), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16, section uint8) {
		c1 := min(int(cut1), len(data))
		c2 := min(max(int(cut2), c1), len(data))
		b, err := kuznyechik.NewCipher(fuzzKey)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := NewOMAC(b, 16)
		h.Write(data)
		oneShot := h.Sum(nil)
		h.Reset()
		h.Write(data[:c1])
		h.Write(data[c1:c2])
		h.Write(data[c2:])
		if got := h.Sum(nil); !bytes.Equal(got, oneShot) {
			t.Fatalf("OMAC: split at %d,%d gives %x, one-shot %x", c1, c2, got, oneShot)
		}
		if want := refOMAC(b, 16, data); !bytes.Equal(oneShot, want) {
			t.Fatalf("OMAC %x, reference %x", oneShot, want)
		}

		sectionBlocks := 1 + int(section%4)
		masterBlocks := 3 * (1 + int(section>>4)%3)
		a, err := NewOMACACPKM(kuznyechik.NewCipher, fuzzKey, 16*sectionBlocks, 16*masterBlocks, 16)
		if err != nil {
			t.Fatal(err)
		}
		a.Write(data)
		oneShot = a.Sum(nil)
		a.Reset()
		a.Write(data[:c1])
		a.Write(data[c1:c2])
		a.Write(data[c2:])
		if got := a.Sum(nil); !bytes.Equal(got, oneShot) {
			t.Fatalf("OMAC-ACPKM: split at %d,%d gives %x, one-shot %x", c1, c2, got, oneShot)
		}
		if want := refOMACACPKM(kuznyechik.NewCipher, fuzzKey, sectionBlocks, masterBlocks, 16, data); !bytes.Equal(oneShot, want) {
			t.Fatalf("OMAC-ACPKM %x, reference %x", oneShot, want)
		}
	})
}
