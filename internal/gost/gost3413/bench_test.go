package gost3413

import (
	"testing"

	"github.com/podpis/podpis/internal/gost/kuznyechik"
)

const benchLen = 8192

func BenchmarkKuznyechikCTR(b *testing.B) {
	s, err := NewCTR(kuz(b, fuzzKey), make([]byte, 8))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchLen)
	b.SetBytes(benchLen)
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

// BenchmarkKuznyechikCTRACPKM uses N = 4096 bytes, OpenSSL's section size,
// so the re-keying cost is included.
func BenchmarkKuznyechikCTRACPKM(b *testing.B) {
	s, err := NewCTRACPKM(kuznyechik.NewCipher, fuzzKey, make([]byte, 8), 4096)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchLen)
	b.SetBytes(benchLen)
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkKuznyechikOMAC(b *testing.B) {
	h, err := NewOMAC(kuz(b, fuzzKey), 16)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchLen)
	b.SetBytes(benchLen)
	for b.Loop() {
		h.Write(buf)
	}
}

func BenchmarkKuznyechikOMACACPKM(b *testing.B) {
	h, err := NewOMACACPKM(kuznyechik.NewCipher, fuzzKey, 4096, 4096, 16)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchLen)
	b.SetBytes(benchLen)
	for b.Loop() {
		h.Write(buf)
	}
}
