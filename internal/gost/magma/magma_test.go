package magma

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GOST R 34.12-2015 appendix A.2 / RFC 8891 section A: the key and the
// block example of Magma.
const (
	magmaKey = "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
	// GOST R 34.13-2015 appendix A.2: the four plaintext blocks P1..P4.
	magmaP = "92def06b3c130a59" + "db54c704f8189d20" + "4a98fb2e67a8024c" + "8912409b17b57e41"
)

func TestMagmaBlockKAT(t *testing.T) {
	b, err := NewMagma(unhex(t, magmaKey))
	if err != nil {
		t.Fatal(err)
	}
	pt := unhex(t, "fedcba9876543210")
	want := unhex(t, "4ee901e5c2d8ca3d")
	got := make([]byte, 8)
	b.Encrypt(got, pt)
	if !bytes.Equal(got, want) {
		t.Fatalf("Magma encrypt = %x, want %x", got, want)
	}
	b.Decrypt(got, got)
	if !bytes.Equal(got, pt) {
		t.Fatalf("Magma decrypt = %x, want %x", got, pt)
	}
}

// GOST R 34.13-2015 appendix A.2.1 (ECB) and A.2.2 (CTR, IV 12345678).
// CTR of 34.13 with n = 64 is the big-endian counter IV||0^32, which is what
// crypto/cipher's CTR does with that initial block.
func TestMagma3413Modes(t *testing.T) {
	b, err := NewMagma(unhex(t, magmaKey))
	if err != nil {
		t.Fatal(err)
	}
	pt := unhex(t, magmaP)

	ecbWant := unhex(t, "2b073f0494f372a0de70e715d3556e4811d8d9e9eacfbc1e7c68260996c67efb")
	got := make([]byte, len(pt))
	if err := EncryptECB(b, got, pt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ecbWant) {
		t.Fatalf("ECB = %x, want %x", got, ecbWant)
	}
	if err := DecryptECB(b, got, got); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("ECB decrypt = %x (%v), want %x", got, err, pt)
	}

	ctrWant := unhex(t, "4e98110c97b7b93c3e250d93d6e85d69136d868807b2dbef568eb680ab52a12d")
	cipher.NewCTR(b, unhex(t, "1234567800000000")).XORKeyStream(got, pt)
	if !bytes.Equal(got, ctrWant) {
		t.Fatalf("CTR = %x, want %x", got, ctrWant)
	}

	// A.2.6: the OMAC (CMAC, R = 0x1b for n = 64) is 154e72102030c5bb, of
	// which the standard's example keeps the first 32 bits, 154e7210.
	if got, want := omacForTest(b, pt), unhex(t, "154e72102030c5bb"); !bytes.Equal(got, want) {
		t.Fatalf("OMAC = %x, want %x", got, want)
	}
}

// omacForTest is a minimal OMAC (GOST R 34.13-2015 section 5.6) for
// whole-block messages, only to show that Magma works under the standard's
// MAC example; the generic mode lives with the other 34.13 modes.
func omacForTest(b cipher.Block, msg []byte) []byte {
	l := make([]byte, 8)
	b.Encrypt(l, l)
	k1 := shiftLeft(l)
	state := make([]byte, 8)
	for i := 0; i < len(msg); i += 8 {
		for j := 0; j < 8; j++ {
			state[j] ^= msg[i+j]
		}
		if i+8 == len(msg) {
			for j := 0; j < 8; j++ {
				state[j] ^= k1[j]
			}
		}
		b.Encrypt(state, state)
	}
	return state
}

func shiftLeft(x []byte) []byte {
	out := make([]byte, len(x))
	for i := range x {
		out[i] = x[i] << 1
		if i+1 < len(x) {
			out[i] |= x[i+1] >> 7
		}
	}
	if x[0]&0x80 != 0 {
		out[len(out)-1] ^= 0x1b
	}
	return out
}

func TestSizeErrors(t *testing.T) {
	sb := CryptoProA.SBox()
	if _, err := NewCipher(make([]byte, 31), sb); err == nil {
		t.Fatal("31-byte key accepted")
	}
	if _, err := NewCipher(make([]byte, 32), nil); err == nil {
		t.Fatal("nil S-box accepted")
	}
	if _, err := NewMagma(make([]byte, 33)); err == nil {
		t.Fatal("33-byte Magma key accepted")
	}
	if _, err := NewCFBEncrypter(make([]byte, 32), make([]byte, 7), sb, NoKeyMeshing); err == nil {
		t.Fatal("7-byte IV accepted")
	}
	if _, err := NewCTR(make([]byte, 32), make([]byte, 9), sb, NoKeyMeshing); err == nil {
		t.Fatal("9-byte IV accepted")
	}
	b, _ := NewCipher(make([]byte, 32), sb)
	if err := EncryptECB(b, make([]byte, 16), make([]byte, 12)); err == nil {
		t.Fatal("ECB of a partial block accepted")
	}
}

func TestParamSetTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range ParamSets() {
		oid := p.OID()
		if seen[oid.String()] {
			t.Fatalf("duplicate OID %v", oid)
		}
		seen[oid.String()] = true
		q, ok := ParamSetByOID(oid)
		if !ok || q != p {
			t.Fatalf("ParamSetByOID(%v) = %v, %v; want %v", oid, q, ok, p)
		}
		// Every row of a GOST S-box is a permutation of 0..15.
		sb := p.SBox()
		for r, row := range sb {
			var mask uint16
			for _, v := range row {
				mask |= 1 << v
			}
			if mask != 0xffff {
				t.Fatalf("%v: K%d is not a permutation", p, r+1)
			}
		}
		// SBox hands out copies: mutating one must not change the table.
		sb[0][0] ^= 1
		if p.SBox()[0][0] == sb[0][0] {
			t.Fatalf("%v: SBox returned the shared table", p)
		}
	}
	if got := CryptoProA.OID().String(); got != "1.2.643.2.2.31.1" {
		t.Fatalf("CryptoPro-A OID %s", got)
	}
	if got := TC26Z.OID().String(); got != "1.2.643.7.1.2.5.1.1" {
		t.Fatalf("TC26 Z OID %s", got)
	}
	if got := GostR3411CryptoProParamSet.OID().String(); got != "1.2.643.2.2.30.1" {
		t.Fatalf("R 34.11-94 CryptoPro OID %s", got)
	}
	if ParamSet(99).SBox() != nil || ParamSet(-1).OID() != nil {
		t.Fatal("unknown ParamSet returned a table")
	}
}
