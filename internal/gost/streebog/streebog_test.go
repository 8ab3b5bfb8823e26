package streebog

import (
	"bytes"
	"crypto/hmac"
	"encoding"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/pbkdf2"

	"github.com/podpis/podpis/internal/gost/streebog/internal/spec"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// The examples of RFC 6986 section 10 (GOST R 34.11-2012 appendix A). The
// RFC prints messages and digests as numbers, most significant byte first;
// here they are bytes in memory order, which is the reverse (M1 is printed
// 0x3231...30, i.e. the ASCII text "0123...012").
var (
	// M1, section 10.1: 63 bytes.
	exampleM1 = []byte("012345678901234567890123456789012345678901234567890123456789012")
	// M2, section 10.2: 72 bytes, a line of the Igor Tale in Windows-1251
	// ("Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы").
	exampleM2Hex = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
)

type knownAnswer struct {
	name       string
	msg        []byte
	d256, d512 string // digests as bytes in hex
}

func knownAnswers(t testing.TB) []knownAnswer {
	return []knownAnswer{
		{"M1", exampleM1,
			"9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
			"1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa" +
				"00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"},
		{"M2", mustHex(t, exampleM2Hex),
			"9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
			"1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376" +
				"035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"},
	}
}

func TestKnownAnswers(t *testing.T) {
	for _, tc := range knownAnswers(t) {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sum256(tc.msg); hex.EncodeToString(got[:]) != tc.d256 {
				t.Errorf("Sum256 = %x, want %s", got, tc.d256)
			}
			if got := Sum512(tc.msg); hex.EncodeToString(got[:]) != tc.d512 {
				t.Errorf("Sum512 = %x, want %s", got, tc.d512)
			}
			for _, v := range []struct {
				h    hash.Hash
				want string
			}{{New256(), tc.d256}, {New512(), tc.d512}} {
				v.h.Write(tc.msg)
				if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
					t.Errorf("%d-bit hash.Hash = %s, want %s", v.h.Size()*8, got, v.want)
				}
			}
			// The literal reading of the standard agrees too (it checks the
			// reference itself against the published values).
			if got := hex.EncodeToString(referenceHash(tc.msg, Size256)); got != tc.d256 {
				t.Errorf("referenceHash 256 = %s, want %s", got, tc.d256)
			}
			if got := hex.EncodeToString(referenceHash(tc.msg, Size512)); got != tc.d512 {
				t.Errorf("referenceHash 512 = %s, want %s", got, tc.d512)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		h           hash.Hash
		size, bsize int
	}{{New256(), Size256, BlockSize}, {New512(), Size512, BlockSize}} {
		if tc.h.Size() != tc.size || tc.h.BlockSize() != tc.bsize || len(tc.h.Sum(nil)) != tc.size {
			t.Errorf("Size %d, BlockSize %d, len(Sum) %d; want %d, %d, %d",
				tc.h.Size(), tc.h.BlockSize(), len(tc.h.Sum(nil)), tc.size, tc.bsize, tc.size)
		}
	}
}

// TestTables recomputes the generated tables from the standard's
// definitions in internal/spec. lpsTable[j][x] is what byte 0 of word j,
// holding x, contributes to word 0 of L(P(S(a))): S turns x into pi'(x), P
// moves it to the byte p of the output with tau(p) = 8j, and l of that word
// is the contribution. The round constants are the printed C_i read as
// words, least significant first.
func TestTables(t *testing.T) {
	pi, tau, a := spec.Pi(), spec.Tau(), spec.A()
	l := func(b uint64) uint64 {
		var r uint64
		for i := 0; i < 64; i++ {
			if b>>(63-i)&1 == 1 {
				r ^= a[i]
			}
		}
		return r
	}
	for j := 0; j < 8; j++ {
		for x := 0; x < 256; x++ {
			// S maps byte x to pi(x); P sends input byte 8j (byte 0 of word
			// j) to the output position p with tau(p) = 8j.
			var bytesOut [64]byte
			for p := 0; p < 64; p++ {
				if int(tau[p]) == 8*j {
					bytesOut[p] = pi[x]
				}
			}
			var word0 uint64
			for k := 7; k >= 0; k-- {
				word0 = word0<<8 | uint64(bytesOut[k])
			}
			if want := l(word0); lpsTable[j][x] != want {
				t.Fatalf("lpsTable[%d][%#x] = %#016x, want %#016x (run go generate)", j, x, lpsTable[j][x], want)
			}
		}
	}
	for i, c := range spec.C() {
		be := mustHex(t, c)
		for k := 0; k < 8; k++ {
			var want uint64
			for _, b := range be[64-8*(k+1) : 64-8*k] {
				want = want<<8 | uint64(b)
			}
			if roundConstants[i][k] != want {
				t.Fatalf("roundConstants[%d][%d] = %#016x, want %#016x (run go generate)", i, k, roundConstants[i][k], want)
			}
		}
	}
}

// TestSpecConstants checks the printed constants for the properties the
// standard states: pi' and tau are permutations, and tau is its own inverse
// (a transposition of the 8x8 byte matrix).
func TestSpecConstants(t *testing.T) {
	pi, tau := spec.Pi(), spec.Tau()
	seen := map[byte]bool{}
	for _, v := range pi {
		seen[v] = true
	}
	if len(seen) != 256 {
		t.Errorf("pi' has %d distinct values, want 256", len(seen))
	}
	for i, v := range tau {
		if int(v) != 8*(i%8)+i/8 || int(tau[v]) != i {
			t.Errorf("tau(%d) = %d is not the transposition", i, v)
		}
	}
}

// TestAgainstReference hashes random messages of every length around the
// block boundaries with the fast code and the literal reference.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{0, 1, 2, 31, 32, 33, 55, 56, 63, 64, 65, 100, 127, 128, 129, 191, 192, 193, 300}
	for _, n := range lengths {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		if got, want := Sum256(msg), referenceHash(msg, Size256); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum256 = %x, reference %x", n, got, want)
		}
		if got, want := Sum512(msg), referenceHash(msg, Size512); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum512 = %x, reference %x", n, got, want)
		}
	}
}

// TestCounterCarry drives N past 2^64 bits through the saved state, which
// only a message of 2 EiB would reach, and checks the carry into the next
// word against the same state built by hand.
func TestCounterCarry(t *testing.T) {
	var n [8]uint64
	n[0] = ^uint64(0) - 511
	addBits(&n, 512)
	if n[0] != 0 || n[1] != 1 {
		t.Errorf("N + 512 = %x, want carry into word 1", n)
	}
	x := [8]uint64{^uint64(0), ^uint64(0), 5}
	add512(&x, &[8]uint64{1})
	if x != [8]uint64{0, 0, 6} {
		t.Errorf("Sigma + 1 = %x, want carry through two words", x)
	}
	all := [8]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	add512(&all, &[8]uint64{1})
	if all != ([8]uint64{}) {
		t.Errorf("(2^512 - 1) + 1 = %x, want 0 (mod 2^512)", all)
	}
}

// HMAC_GOSTR3411_2012_256 and _512 from RFC 7836 sections 4.1.1 and 4.1.2
// (R 50.1.113-2016), through the standard library's crypto/hmac.
func TestHMAC(t *testing.T) {
	key := mustHex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	data := mustHex(t, "0126bdb87800af214341456563780100")
	for _, tc := range []struct {
		name string
		h    func() hash.Hash
		want string
	}{
		{"256", New256, "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9"},
		{"512", New512, "a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a77" +
			"3d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6"},
	} {
		mac := hmac.New(tc.h, key)
		mac.Write(data)
		if got := hex.EncodeToString(mac.Sum(nil)); got != tc.want {
			t.Errorf("HMAC-Streebog-%s = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// PBKDF2 with HMAC_GOSTR3411_2012_512 from R 50.1.111-2016 appendix A,
// through golang.org/x/crypto/pbkdf2 (the TC26 PFX key derivation).
func TestPBKDF2(t *testing.T) {
	for _, tc := range []struct {
		password, salt string
		iter, keyLen   int
		want           string
	}{
		{"password", "salt", 1, 64,
			"64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d" +
				"2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47"},
		{"password", "salt", 2, 64,
			"5a585bafdfbb6e8830d6d68aa3b43ac00d2e4aebce01c9b31c2caed56f0236d4" +
				"d34b2b8fbd2c4e89d54d46f50e47d45bbac301571743119e8d3c42ba66d348de"},
		{"password", "salt", 4096, 64,
			"e52deb9a2d2aaff4e2ac9d47a41f34c20376591c67807f0477e32549dc341bc7" +
				"867c09841b6d58e29d0347c996301d55df0d34e47cf68f4e3c2cdaf1d9ab86c3"},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 100,
			"b2d8f1245fc4d29274802057e4b54e0a0753aa22fc53760b301cf008679e58fe" +
				"4bee9addcae99ba2b0b20f431a9c5e50f395c89387d0945aedeca6eb4015dfc2" +
				"bd2421ee9bb71183ba882ceebfef259f33f9e27dc6178cb89dc37428cf9cc52a" +
				"2baa2d3a"},
		{"pass\x00word", "sa\x00lt", 4096, 64,
			"50df062885b69801a3c10248eb0a27ab6e522ffeb20c991c660f001475d73a4e" +
				"167f782c18e97e92976d9c1d970831ea78ccb879f67068cdac1910740844e830"},
	} {
		got := pbkdf2.Key([]byte(tc.password), []byte(tc.salt), tc.iter, tc.keyLen, New512)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("PBKDF2(%q, %q, %d, %d) = %x, want %s", tc.password, tc.salt, tc.iter, tc.keyLen, got, tc.want)
		}
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestSplits writes random messages in random pieces (empty ones included)
// and expects the one-shot digest every time.
func TestSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, newHash := range []func() hash.Hash{New256, New512} {
		for trial := 0; trial < 300; trial++ {
			msg := randomBytes(rng, rng.IntN(700))
			want := oneShot(newHash, msg)
			h := newHash()
			for rest := msg; ; {
				n := 0
				if len(rest) > 0 {
					n = rng.IntN(min(len(rest), 150) + 1)
				}
				h.Write(rest[:n])
				rest = rest[n:]
				if len(rest) == 0 {
					break
				}
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%d-bit, %d bytes in pieces: %x, want %x", h.Size()*8, len(msg), got, want)
			}
		}
	}
}

func oneShot(newHash func() hash.Hash, msg []byte) []byte {
	if newHash().Size() == Size256 {
		d := Sum256(msg)
		return d[:]
	}
	d := Sum512(msg)
	return d[:]
}

// TestSumKeepsState: Sum does not change the state, and appends to its
// argument.
func TestSumKeepsState(t *testing.T) {
	for _, newHash := range []func() hash.Hash{New256, New512} {
		h := newHash()
		h.Write(exampleM1[:40])
		first := h.Sum([]byte("prefix"))
		if !bytes.HasPrefix(first, []byte("prefix")) || len(first) != len("prefix")+h.Size() {
			t.Fatalf("Sum did not append: %q", first)
		}
		if again := h.Sum([]byte("prefix")); !bytes.Equal(first, again) {
			t.Errorf("a second Sum differs: %x vs %x", again, first)
		}
		h.Write(exampleM1[40:])
		if got, want := h.Sum(nil), oneShot(newHash, exampleM1); !bytes.Equal(got, want) {
			t.Errorf("after Sum and more Write: %x, want %x", got, want)
		}
	}
}

func TestReset(t *testing.T) {
	for _, newHash := range []func() hash.Hash{New256, New512} {
		h := newHash()
		h.Write(bytes.Repeat([]byte{0xab}, 200))
		h.Reset()
		h.Write(exampleM1)
		if got, want := h.Sum(nil), oneShot(newHash, exampleM1); !bytes.Equal(got, want) {
			t.Errorf("%d-bit after Reset: %x, want %x", h.Size()*8, got, want)
		}
	}
}

// TestMarshalRoundTrip saves the state at every length up to three blocks,
// restores it into a fresh hash (and into one that has hashed other data),
// and finishes the message there.
func TestMarshalRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	msg := randomBytes(rng, 3*BlockSize+17)
	for _, newHash := range []func() hash.Hash{New256, New512} {
		want := oneShot(newHash, msg)
		for cut := 0; cut <= len(msg); cut++ {
			h := newHash()
			h.Write(msg[:cut])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(state) != marshaledSize {
				t.Fatalf("state is %d bytes, want %d", len(state), marshaledSize)
			}
			appended, err := h.(encoding.BinaryAppender).AppendBinary([]byte("x"))
			if err != nil || !bytes.Equal(appended[1:], state) {
				t.Fatalf("AppendBinary = %x, %v; want x + %x", appended, err, state)
			}
			restored := newHash()
			restored.Write(msg[cut:]) // dirty: everything must be replaced
			if err := restored.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			again, _ := restored.(encoding.BinaryMarshaler).MarshalBinary()
			if !bytes.Equal(again, state) {
				t.Fatalf("cut %d: state changes through a round trip", cut)
			}
			restored.Write(msg[cut:])
			if got := restored.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%d-bit, cut %d: %x, want %x", h.Size()*8, cut, got, want)
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	h256, h512 := New256(), New512()
	h256.Write(exampleM1[:10])
	state256, _ := h256.(encoding.BinaryMarshaler).MarshalBinary()
	state512, _ := h512.(encoding.BinaryMarshaler).MarshalBinary()
	badCount := bytes.Clone(state256)
	badCount[len(badCount)-1] = BlockSize
	for _, tc := range []struct {
		name  string
		h     hash.Hash
		state []byte
		want  error
	}{
		{"512-bit state into 256", h256, state512, errInvalidIdentifier},
		{"256-bit state into 512", h512, state256, errInvalidIdentifier},
		{"empty", h256, nil, errInvalidIdentifier},
		{"other magic", h256, append([]byte("sha\x03"), make([]byte, 300)...), errInvalidIdentifier},
		{"short", h256, state256[:len(state256)-1], errInvalidStateSize},
		{"long", h256, append(bytes.Clone(state256), 0), errInvalidStateSize},
		{"buffered count 64", h256, badCount, errInvalidBuffered},
	} {
		before, _ := tc.h.(encoding.BinaryMarshaler).MarshalBinary()
		err := tc.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(tc.state)
		if err != tc.want {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
		if after, _ := tc.h.(encoding.BinaryMarshaler).MarshalBinary(); !bytes.Equal(before, after) {
			t.Errorf("%s: a rejected state changed the hash", tc.name)
		}
	}
}

// TestWriteDoesNotAllocate: the issue asks for no allocation per block.
func TestWriteDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 10*BlockSize+7)
	for _, newHash := range []func() hash.Hash{New256, New512} {
		h := newHash()
		var sum [Size512]byte
		allocs := testing.AllocsPerRun(100, func() {
			h.Write(buf)
			h.Write(buf[:3])
			h.Sum(sum[:0])
		})
		if allocs != 0 {
			t.Errorf("%d-bit Write+Sum: %v allocations per run, want 0", h.Size()*8, allocs)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { Sum256(buf); Sum512(buf) }); allocs != 0 {
		t.Errorf("Sum256+Sum512: %v allocations per run, want 0", allocs)
	}
}

// TestCompressImplementations compares compress (assembly on amd64) with
// compressGeneric on random inputs; `go test -tags purego` runs every other
// test on compressGeneric alone.
func TestCompressImplementations(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	word := func() uint64 {
		if rng.IntN(8) == 0 {
			return 0 // zeros and all-ones bytes reach the ends of the tables
		}
		if rng.IntN(8) == 0 {
			return ^uint64(0)
		}
		return rng.Uint64()
	}
	for trial := 0; trial < 2000; trial++ {
		var h, n, m [8]uint64
		for i := range h {
			h[i], n[i], m[i] = word(), word(), word()
		}
		fast, slow := h, h
		compress(&fast, &n, &m)
		compressGeneric(&slow, &n, &m)
		if fast != slow {
			t.Fatalf("h %x n %x m %x: compress %x, compressGeneric %x", h, n, m, fast, slow)
		}
	}
}

func TestClone(t *testing.T) {
	for _, newHash := range []func() hash.Hash{New256, New512} {
		h := newHash()
		h.Write(exampleM1[:30])
		c, err := h.(hash.Cloner).Clone()
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte("something else"))
		c.Write(exampleM1[30:])
		if got, want := c.Sum(nil), oneShot(newHash, exampleM1); !bytes.Equal(got, want) {
			t.Errorf("%d-bit clone: %x, want %x", c.Size()*8, got, want)
		}
	}
}
