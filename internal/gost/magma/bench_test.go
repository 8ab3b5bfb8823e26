package magma

import (
	"crypto/cipher"
	"testing"
)

func BenchmarkEncrypt28147(b *testing.B) {
	c, _ := NewCipher(make([]byte, 32), CryptoProA.SBox())
	benchBlock(b, c)
}

func BenchmarkEncryptMagma(b *testing.B) {
	c, _ := NewMagma(make([]byte, 32))
	benchBlock(b, c)
}

func benchBlock(b *testing.B, c cipher.Block) {
	var buf [8]byte
	b.SetBytes(BlockSize)
	b.ReportAllocs()
	for b.Loop() {
		c.Encrypt(buf[:], buf[:])
	}
}

func BenchmarkCFBMeshing(b *testing.B) {
	s, _ := NewCFBEncrypter(make([]byte, 32), make([]byte, 8), CryptoProA.SBox(), CryptoProKeyMeshing)
	benchStream(b, s)
}

func BenchmarkCFBDecryptMeshing(b *testing.B) {
	s, _ := NewCFBDecrypter(make([]byte, 32), make([]byte, 8), CryptoProA.SBox(), CryptoProKeyMeshing)
	benchStream(b, s)
}

func BenchmarkCTRMeshing(b *testing.B) {
	s, _ := NewCTR(make([]byte, 32), make([]byte, 8), CryptoProA.SBox(), CryptoProKeyMeshing)
	benchStream(b, s)
}

func benchStream(b *testing.B, s cipher.Stream) {
	buf := make([]byte, 8192)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkMAC(b *testing.B) {
	m, _ := NewMAC(make([]byte, 32), CryptoProA.SBox(), CryptoProKeyMeshing)
	buf := make([]byte, 8192)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		m.Write(buf)
	}
}

func BenchmarkNewCipher(b *testing.B) {
	key := make([]byte, 32)
	sb := CryptoProA.SBox()
	b.ReportAllocs()
	for b.Loop() {
		NewCipher(key, sb)
	}
}
