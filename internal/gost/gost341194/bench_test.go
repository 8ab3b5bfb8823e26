package gost341194

import "testing"

func BenchmarkCryptoPro(b *testing.B) {
	for _, size := range []int{64, 8192} {
		b.Run(sizeName(size), func(b *testing.B) {
			h := NewCryptoPro()
			buf := make([]byte, size)
			var sum [Size]byte
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(buf)
				h.Sum(sum[:0])
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	h := NewCryptoPro()
	buf := make([]byte, 8192)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		h.Write(buf)
	}
}

func sizeName(n int) string {
	if n >= 1024 {
		return string(rune('0'+n/1024)) + "KiB"
	}
	return "64B"
}
