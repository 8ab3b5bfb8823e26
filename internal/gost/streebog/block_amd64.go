//go:build amd64 && !purego

package streebog

// compressAsm is compressGeneric in assembly (block_amd64.s).
//
//go:noescape
func compressAsm(h, n, m *[8]uint64)

func compress(h, n, m *[8]uint64) { compressAsm(h, n, m) }
