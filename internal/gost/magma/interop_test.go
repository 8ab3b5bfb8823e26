package magma

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// engineCipherSets are the parameter sets OpenSSL's "gost89" (CFB) cipher
// accepts through its CRYPT_PARAMS setting.
var engineCipherSets = []ParamSet{Gost28147TestParamSet, CryptoProA, CryptoProB, CryptoProC, CryptoProD, TC26Z}

// streamChunks feeds src through s in random-sized pieces, so that partial
// blocks and block boundaries at every offset are exercised.
func streamChunks(s cipher.Stream, src []byte, rng *rand.Rand) []byte {
	dst := make([]byte, len(src))
	for i := 0; i < len(src); {
		n := 1 + rng.IntN(40)
		if rng.IntN(4) == 0 {
			n = 1 + rng.IntN(1100)
		}
		n = min(n, len(src)-i)
		s.XORKeyStream(dst[i:i+n], src[i:i+n])
		i += n
	}
	return dst
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestCFBInterop compares CFB with CryptoPro key meshing against
// `openssl enc -engine gost -gost89` for every parameter set: a 3000-byte
// message (crossing the 1024-byte meshing points twice) is encrypted by the
// engine; every prefix length 0..3000 must agree with ours (the mode is a
// stream), fed in random pieces; decryption is checked both ways.
func TestCFBInterop(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range engineCipherSets {
		t.Run(p.String(), func(t *testing.T) {
			key, iv := randomBytes(rng, 32), randomBytes(rng, 8)
			pt := randomBytes(rng, 3000)
			in := writeTemp(t, "pt", pt)
			want := runOpenSSL(t, openssl, []string{"CRYPT_PARAMS=" + p.String()}, nil,
				"enc", "-engine", "gost", "-gost89", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv), "-in", in)
			if len(want) != len(pt) {
				t.Fatalf("engine returned %d bytes for %d", len(want), len(pt))
			}
			for n := 0; n <= len(pt); n += 1 + rng.IntN(13) {
				enc, err := NewCFBEncrypter(key, iv, p.SBox(), CryptoProKeyMeshing)
				if err != nil {
					t.Fatal(err)
				}
				if got := streamChunks(enc, pt[:n], rng); !bytes.Equal(got, want[:n]) {
					t.Fatalf("length %d: CFB differs from the engine at byte %d", n, firstDiff(got, want))
				}
			}
			dec, _ := NewCFBDecrypter(key, iv, p.SBox(), CryptoProKeyMeshing)
			if got := streamChunks(dec, want, rng); !bytes.Equal(got, pt) {
				t.Fatalf("decrypting the engine's ciphertext differs at byte %d", firstDiff(got, pt))
			}
			enc, _ := NewCFBEncrypter(key, iv, p.SBox(), CryptoProKeyMeshing)
			ours := streamChunks(enc, pt[:2049], rng)
			back := runOpenSSL(t, openssl, []string{"CRYPT_PARAMS=" + p.String()}, nil,
				"enc", "-d", "-engine", "gost", "-gost89", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv), "-in", writeTemp(t, "ct", ours))
			if !bytes.Equal(back, pt[:2049]) {
				t.Fatal("the engine does not decrypt our ciphertext")
			}
		})
	}
}

// TestCTRInterop compares the counter mode with CryptoPro key meshing
// against `openssl enc -gost89-cnt` (CryptoPro-A) and `-gost89-cnt-12`
// (TC26 Z) the same way.
func TestCTRInterop(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		alg string
		set ParamSet
	}{{"-gost89-cnt", CryptoProA}, {"-gost89-cnt-12", TC26Z}} {
		t.Run(tc.alg, func(t *testing.T) {
			key, iv := randomBytes(rng, 32), randomBytes(rng, 8)
			pt := randomBytes(rng, 3000)
			want := runOpenSSL(t, openssl, nil, nil,
				"enc", "-engine", "gost", tc.alg, "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv), "-in", writeTemp(t, "pt", pt))
			for n := 0; n <= len(pt); n += 1 + rng.IntN(13) {
				s, err := NewCTR(key, iv, tc.set.SBox(), CryptoProKeyMeshing)
				if err != nil {
					t.Fatal(err)
				}
				if got := streamChunks(s, pt[:n], rng); !bytes.Equal(got, want[:n]) {
					t.Fatalf("length %d: CTR differs from the engine at byte %d", n, firstDiff(got, want))
				}
			}
		})
	}
}

// TestMACInterop compares the MAC with CryptoPro key meshing against
// `openssl dgst -mac gost-mac` (CryptoPro-A) and `-mac gost-mac-12`
// (TC26 Z) for lengths around the padding and meshing boundaries and random
// lengths up to 3000 bytes.
func TestMACInterop(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	rng := rand.New(rand.NewPCG(5, 6))
	lengths := []int{0, 1, 4, 7, 8, 9, 15, 16, 17, 24, 1016, 1017, 1023, 1024, 1025, 1032, 1033, 2048, 2049, 3000}
	for i := 0; i < 8; i++ {
		lengths = append(lengths, rng.IntN(3001))
	}
	for _, tc := range []struct {
		alg string
		set ParamSet
	}{{"gost-mac", CryptoProA}, {"gost-mac-12", TC26Z}} {
		t.Run(tc.alg, func(t *testing.T) {
			for _, n := range lengths {
				key, msg := randomBytes(rng, 32), randomBytes(rng, n)
				out := runOpenSSL(t, openssl, nil, msg,
					"dgst", "-engine", "gost", "-mac", tc.alg, "-macopt", "hexkey:"+hex.EncodeToString(key))
				f := strings.Fields(string(out))
				if len(f) == 0 {
					t.Fatalf("unexpected openssl output %q", out)
				}
				want := f[len(f)-1]
				m, err := NewMAC(key, tc.set.SBox(), CryptoProKeyMeshing)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < n; {
					k := min(1+rng.IntN(300), n-i)
					m.Write(msg[i : i+k])
					i += k
				}
				if got := hex.EncodeToString(m.Sum(nil)); got != want {
					t.Fatalf("length %d: MAC %s, engine %s", n, got, want)
				}
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
