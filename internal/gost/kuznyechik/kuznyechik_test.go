package kuznyechik

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex16(t testing.TB, s string) [16]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		t.Fatalf("bad 16-byte hex %q: %v", s, err)
	}
	return [16]byte(b)
}

// The examples of GOST R 34.12-2015 appendix A.1 (RFC 7801 section 5):
// each row maps the input to the output of one application.
var (
	// A.1.1 / RFC 7801 5.1: transformation S.
	exampleS = [][2]string{
		{"ffeeddccbbaa99881122334455667700", "b66cd8887d38e8d77765aeea0c9a7efc"},
		{"b66cd8887d38e8d77765aeea0c9a7efc", "559d8dd7bd06cbfe7e7b262523280d39"},
		{"559d8dd7bd06cbfe7e7b262523280d39", "0c3322fed531e4630d80ef5c5a81c50b"},
		{"0c3322fed531e4630d80ef5c5a81c50b", "23ae65633f842d29c5df529c13f5acda"},
	}
	// A.1.2 / RFC 7801 5.2: transformation R.
	exampleR = [][2]string{
		{"00000000000000000000000000000100", "94000000000000000000000000000001"},
		{"94000000000000000000000000000001", "a5940000000000000000000000000000"},
		{"a5940000000000000000000000000000", "64a59400000000000000000000000000"},
		{"64a59400000000000000000000000000", "0d64a594000000000000000000000000"},
	}
	// A.1.3 / RFC 7801 5.3: transformation L.
	exampleL = [][2]string{
		{"64a59400000000000000000000000000", "d456584dd0e3e84cc3166e4b7fa2890d"},
		{"d456584dd0e3e84cc3166e4b7fa2890d", "79d26221b87b584cd42fbc4ffea5de9a"},
		{"79d26221b87b584cd42fbc4ffea5de9a", "0e93691a0cfc60408b7b68f66b513c13"},
		{"0e93691a0cfc60408b7b68f66b513c13", "e6a8094fee0aa204fd97bcb0b44b8580"},
	}
)

// A.1.4 / RFC 7801 5.4: the example key and its round keys K_1..K_10, and
// the first iteration constants C_1..C_8.
const exampleKey = "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef"

var (
	exampleRoundKeys = []string{
		"8899aabbccddeeff0011223344556677",
		"fedcba98765432100123456789abcdef",
		"db31485315694343228d6aef8cc78c44",
		"3d4553d8e9cfec6815ebadc40a9ffd04",
		"57646468c44a5e28d3e59246f429f1ac",
		"bd079435165c6432b532e82834da581b",
		"51e640757e8745de705727265a0098b1",
		"5a7925017b9fdd3ed72a91a22286f984",
		"bb44e25378c73123a5f32f73cdb6e517",
		"72e9dd7416bcf45b755dbaa88e4a4043",
	}
	exampleConstants = []string{
		"6ea276726c487ab85d27bd10dd849401",
		"dc87ece4d890f4b3ba4eb92079cbeb02",
		"b2259a96b4d88e0be7690430a44f7f03",
		"7bcd1b0b73e32ba5b79cb140f2551504",
		"156f6d791fab511deabb0c502fd18105",
		"a74af7efab73df160dd208608b9efe06",
		"c9e8819dc73ba5ae50f5b570561a6a07",
		"f6593616e6055689adfba18027aa2a08",
	}
)

// A.1.5 / RFC 7801 5.5: encryption of one block with the example key.
const (
	examplePlaintext  = "1122334455667700ffeeddccbbaa9988"
	exampleCiphertext = "7f679d90bebc24305a468d42b9d4edcd"
)

func bytesOf(x block128) [16]byte {
	var b [16]byte
	store(b[:], x)
	return b
}

func TestTransformS(t *testing.T) {
	for _, ex := range exampleS {
		in, want := mustHex16(t, ex[0]), mustHex16(t, ex[1])
		if got := refS(in); got != want {
			t.Errorf("S(%s) = %x, want %x", ex[0], got, want)
		}
		if got := refSInv(want); got != in {
			t.Errorf("S^-1(%s) = %x, want %x", ex[1], got, in)
		}
		x := load(in[:])
		if got := bytesOf(block128{subBytes(&pi, x.hi), subBytes(&pi, x.lo)}); got != want {
			t.Errorf("subBytes(%s) = %x, want %x", ex[0], got, want)
		}
	}
}

func TestTransformR(t *testing.T) {
	for _, ex := range exampleR {
		in, want := mustHex16(t, ex[0]), mustHex16(t, ex[1])
		if got := refR(in); got != want {
			t.Errorf("R(%s) = %x, want %x", ex[0], got, want)
		}
		if got := refRInv(want); got != in {
			t.Errorf("R^-1(%s) = %x, want %x", ex[1], got, in)
		}
	}
}

func TestTransformL(t *testing.T) {
	for _, ex := range exampleL {
		in, want := mustHex16(t, ex[0]), mustHex16(t, ex[1])
		if got := refL(in); got != want {
			t.Errorf("reference L(%s) = %x, want %x", ex[0], got, want)
		}
		// The table form: L(x) = LS(S^-1(x)).
		s := refSInv(in)
		if got := bytesOf(ls(load(s[:]))); got != want {
			t.Errorf("table L(%s) = %x, want %x", ex[0], got, want)
		}
		if got := bytesOf(lInv(load(want[:]))); got != in {
			t.Errorf("table L^-1(%s) = %x, want %x", ex[1], got, in)
		}
	}
}

func TestKeySchedule(t *testing.T) {
	key, _ := hex.DecodeString(exampleKey)
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	kc := c.(*kuznyechikCipher)
	ref := refKeySchedule([32]byte(key))
	for i, want := range exampleRoundKeys {
		w := mustHex16(t, want)
		if got := bytesOf(kc.enc[i]); got != w {
			t.Errorf("K_%d = %x, want %s", i+1, got, want)
		}
		if ref[i] != w {
			t.Errorf("reference K_%d = %x, want %s", i+1, ref[i], want)
		}
	}
	for i, want := range exampleConstants {
		rc := roundConstants[i]
		if got := bytesOf(block128{rc[0], rc[1]}); got != mustHex16(t, want) {
			t.Errorf("C_%d = %x, want %s", i+1, got, want)
		}
	}
}

func TestExampleBlock(t *testing.T) {
	key, _ := hex.DecodeString(exampleKey)
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	p, want := mustHex16(t, examplePlaintext), mustHex16(t, exampleCiphertext)
	var got [16]byte
	c.Encrypt(got[:], p[:])
	if got != want {
		t.Fatalf("Encrypt = %x, want %x", got, want)
	}
	if ref := refEncrypt([32]byte(key), p); ref != want {
		t.Fatalf("reference Encrypt = %x, want %x", ref, want)
	}
	c.Decrypt(got[:], want[:])
	if got != p {
		t.Fatalf("Decrypt = %x, want %x", got, p)
	}
	// In place.
	buf := p
	c.Encrypt(buf[:], buf[:])
	c.Decrypt(buf[:], buf[:])
	if buf != p {
		t.Fatalf("in-place round trip = %x, want %x", buf, p)
	}
}

// TestAgainstReference compares the table implementation with the direct
// transcription of the standard on random keys and blocks.
func TestAgainstReference(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	for i := 0; i < n; i++ {
		var key [32]byte
		var p [16]byte
		rand.Read(key[:])
		rand.Read(p[:])
		c, err := NewCipher(key[:])
		if err != nil {
			t.Fatal(err)
		}
		var got, back [16]byte
		c.Encrypt(got[:], p[:])
		if want := refEncrypt(key, p); got != want {
			t.Fatalf("key %x block %x: Encrypt = %x, reference %x", key, p, got, want)
		}
		c.Decrypt(back[:], got[:])
		if back != p {
			t.Fatalf("key %x: Decrypt(Encrypt(%x)) = %x", key, p, back)
		}
		if ref := refDecrypt(key, got); ref != p {
			t.Fatalf("key %x: reference Decrypt = %x, want %x", key, ref, p)
		}
	}
}

func TestKeySizeError(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := NewCipher(make([]byte, n))
		var kse KeySizeError
		if !errors.As(err, &kse) || int(kse) != n {
			t.Errorf("NewCipher(%d bytes) error = %v, want KeySizeError(%d)", n, err, n)
		}
	}
}

func TestShortBlockPanics(t *testing.T) {
	c, err := NewCipher(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"Encrypt short src": func() { c.Encrypt(make([]byte, 16), make([]byte, 15)) },
		"Encrypt short dst": func() { c.Encrypt(make([]byte, 15), make([]byte, 16)) },
		"Decrypt short src": func() { c.Decrypt(make([]byte, 16), make([]byte, 15)) },
		"Decrypt short dst": func() { c.Decrypt(make([]byte, 15), make([]byte, 16)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if c.BlockSize() != BlockSize {
		t.Errorf("BlockSize() = %d", c.BlockSize())
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Decrypt(buf, buf)
	}
}

func BenchmarkNewCipher(b *testing.B) {
	key := make([]byte, KeySize)
	for b.Loop() {
		if _, err := NewCipher(key); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEncryptBlocks(t *testing.T) {
	key := make([]byte, KeySize)
	rand.Read(key)
	c, _ := NewCipher(key)
	mb := c.(interface{ EncryptBlocks(dst, src []byte) })
	for n := 0; n <= 7; n++ {
		src := make([]byte, n*BlockSize)
		rand.Read(src)
		want := make([]byte, len(src))
		for off := 0; off < len(src); off += BlockSize {
			c.Encrypt(want[off:], src[off:])
		}
		got := make([]byte, len(src))
		mb.EncryptBlocks(got, src)
		if string(got) != string(want) {
			t.Fatalf("%d blocks: EncryptBlocks differs from Encrypt", n)
		}
		mb.EncryptBlocks(src, src)
		if string(src) != string(want) {
			t.Fatalf("%d blocks: in-place EncryptBlocks differs from Encrypt", n)
		}
	}
	for name, f := range map[string]func(){
		"partial block": func() { mb.EncryptBlocks(make([]byte, 32), make([]byte, 17)) },
		"short dst":     func() { mb.EncryptBlocks(make([]byte, 16), make([]byte, 32)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkEncryptBlocks(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	mb := c.(interface{ EncryptBlocks(dst, src []byte) })
	buf := make([]byte, 32*BlockSize)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		mb.EncryptBlocks(buf, buf)
	}
}
