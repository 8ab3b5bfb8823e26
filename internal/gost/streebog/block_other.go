//go:build !amd64 || purego

package streebog

func compress(h, n, m *[8]uint64) { compressGeneric(h, n, m) }
