package streebog

import (
	"hash"
	"testing"

	"golang.org/x/crypto/pbkdf2"
)

// The throughput benchmarks hash a 1 MiB buffer per operation with one
// Write, as scripts/ratio-streebog.sh compares with OpenSSL's EVP_Digest
// over the same size; the 8 KiB ones show the steady state of a
// streaming reader (io.Copy's buffer size is 32 KiB).

func benchmarkWrite(b *testing.B, h hash.Hash, size int) {
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	var sum [Size512]byte
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.Reset()
		h.Write(buf)
		h.Sum(sum[:0])
	}
}

func BenchmarkStreebog256_1MiB(b *testing.B) { benchmarkWrite(b, New256(), 1<<20) }
func BenchmarkStreebog512_1MiB(b *testing.B) { benchmarkWrite(b, New512(), 1<<20) }
func BenchmarkStreebog256_8KiB(b *testing.B) { benchmarkWrite(b, New256(), 8<<10) }
func BenchmarkStreebog512_8KiB(b *testing.B) { benchmarkWrite(b, New512(), 8<<10) }
func BenchmarkStreebog256_64B(b *testing.B)  { benchmarkWrite(b, New256(), 64) }

// BenchmarkWrite measures Write alone (no Reset or Sum): the issue asks for
// 0 allocs/op here.
func BenchmarkWrite(b *testing.B) {
	h := New512()
	buf := make([]byte, 8<<10)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		h.Write(buf)
	}
}

// BenchmarkCompressGeneric and BenchmarkCompress time one block of the
// compression function in Go and as compiled for this platform.
func BenchmarkCompressGeneric(b *testing.B) {
	var h, n, m [8]uint64
	b.SetBytes(BlockSize)
	for b.Loop() {
		compressGeneric(&h, &n, &m)
	}
}

func BenchmarkCompress(b *testing.B) {
	var h, n, m [8]uint64
	b.SetBytes(BlockSize)
	for b.Loop() {
		compress(&h, &n, &m)
	}
}

// BenchmarkPBKDF2_2000 derives a TC26 PFX key: PBKDF2-HMAC-Streebog-512 with
// 2,000 iterations.
func BenchmarkPBKDF2_2000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		pbkdf2.Key([]byte("password"), []byte("saltsaltsaltsalt"), 2000, 32, New512)
	}
}
