package kuznyechik

import "testing"

// TestTablesFromDefinition recomputes every generated table of tables.go
// from the definition in reference_test.go, so an edited or stale
// tables.go cannot pass.
func TestTablesFromDefinition(t *testing.T) {
	seen := [256]bool{}
	for v := 0; v < 256; v++ {
		if piInv[pi[v]] != byte(v) {
			t.Fatalf("piInv[pi[%d]] = %d", v, piInv[pi[v]])
		}
		seen[pi[v]] = true
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("pi is not a permutation: %d is no image", v)
		}
	}
	for pos := 0; pos < 16; pos++ {
		for v := 0; v < 256; v++ {
			var b [16]byte
			b[pos] = pi[v]
			want := refL(b)
			e := lsTable[pos][v]
			if got := bytesOf(block128{e[0], e[1]}); got != want {
				t.Fatalf("lsTable[%d][%d] = %x, want %x", pos, v, got, want)
			}
			b = [16]byte{}
			b[pos] = piInv[v]
			want = refLInv(b)
			e = lsInvTable[pos][v]
			if got := bytesOf(block128{e[0], e[1]}); got != want {
				t.Fatalf("lsInvTable[%d][%d] = %x, want %x", pos, v, got, want)
			}
		}
	}
	for i := 1; i <= 32; i++ {
		var v [16]byte
		v[15] = byte(i)
		rc := roundConstants[i-1]
		if got, want := bytesOf(block128{rc[0], rc[1]}), refL(v); got != want {
			t.Fatalf("C_%d = %x, want %x", i, got, want)
		}
	}
}
