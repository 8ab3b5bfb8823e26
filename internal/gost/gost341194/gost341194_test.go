package gost341194

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"errors"
	"hash"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/gost/magma"
)

// Known answers. Digests are printed as the digest bytes in order (the
// order of OpenSSL's md_gost94); RFC 5831 section 7.3 prints the same values
// as big-endian numbers, i.e. byte-reversed.
var kats = []struct {
	name, msg string
	test      bool // test parameter set (else CryptoPro)
	want      string
}{
	// GOST R 34.11-94 appendix A (RFC 5831 section 7.3.1), test parameters.
	{"A.1 32 bytes", "This is message, length=32 bytes", true,
		"b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"},
	{"A.2 50 bytes", "Suppose the original message has length = 50 bytes", true,
		"471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208"},
	{"test a", "a", true, "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd"},
	{"test message digest", "message digest", true,
		"ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d"},
	// The same messages and the classic ones with the CryptoPro set
	// (RFC 5831 section 7.3.2), confirmed by OpenSSL's md_gost94.
	{"CP 32 bytes", "This is message, length=32 bytes", false,
		"2cefc2f7b7bdc514e18ea57fa74ff357e7fa17d652c75f69cb1be7893ede48eb"},
	{"CP 50 bytes", "Suppose the original message has length = 50 bytes", false,
		"c3730c5cbccacf915ac292676f21e8bd4ef75331d9405e5f1a61dc3130a65011"},
	{"CP a", "a", false, "e74c52dd282183bf37af0079c9f78055715a103f17e3133ceff1aacf2f403011"},
	{"CP abc", "abc", false, "b285056dbf18d7392d7677369524dd14747459ed8143997e163b2986f92fd42c"},
	{"CP message digest", "message digest", false,
		"bc6041dd2aa401ebfa6e9886734174febdb4729aa972d60f549ac39b29721ba0"},
	{"CP 128 U", strings.Repeat("U", 128), false,
		"1c4ac7614691bbf427fa2316216be8f10d92edfd37cd1027514c1008f649c4e8"},
	{"CP fox", "The quick brown fox jumps over the lazy dog", false,
		"9004294a361a508c586fe53d1f1b02746765e71b765472786e4770d565830a76"},
	// The empty message hashes M' = 0^256 as the standard's steps say;
	// OpenSSL's gost engine gives this value (see the package comment).
	{"CP empty", "", false, "3f25bc1fbbce27ca10fb1958f319473ae7e17482c3b53ecf47a7e2de8aabe4c8"},
}

func newFor(test bool) hash.Hash {
	if test {
		return NewTest()
	}
	return NewCryptoPro()
}

func TestKnownAnswers(t *testing.T) {
	for _, k := range kats {
		h := newFor(k.test)
		h.Write([]byte(k.msg))
		if got := hex.EncodeToString(h.Sum(nil)); got != k.want {
			t.Errorf("%s: got %s, want %s", k.name, got, k.want)
		}
	}
}

// One million 'a' with the CryptoPro set (RFC 5831 section 7.3.2).
func TestMillionA(t *testing.T) {
	h := NewCryptoPro()
	chunk := bytes.Repeat([]byte("a"), 1000)
	for i := 0; i < 1000; i++ {
		h.Write(chunk)
	}
	const want = "8693287aa62f9478f7cb312ec0866b6c4e4a0f11160441e8f4ffcd2715dd554f"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestStreaming: any split of the input gives the same digest, Sum does not
// disturb the state, Reset starts over, and a marshalled state restores.
func TestStreaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	msg := make([]byte, 700)
	for i := range msg {
		msg[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 31, 32, 33, 63, 64, 65, 200, 700} {
		one := NewCryptoPro()
		one.Write(msg[:n])
		want := one.Sum(nil)
		for trial := 0; trial < 20; trial++ {
			h := NewCryptoPro()
			for i := 0; i < n; {
				k := min(rng.IntN(70), n-i)
				h.Write(msg[i : i+k])
				i += k
				if rng.IntN(5) == 0 {
					h.Sum(nil) // must not change the state
				}
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("len %d: split digest %x, one-shot %x", n, got, want)
			}
			// Marshal at a random point and continue in a fresh hash.
			cut := rng.IntN(n + 1)
			h.Reset()
			h.Write(msg[:cut])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			g := NewCryptoPro()
			if err := g.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			g.Write(msg[cut:n])
			if got := g.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("len %d cut %d: restored digest %x, want %x", n, cut, got, want)
			}
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	h := NewCryptoPro()
	h.Write([]byte("some data"))
	state, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err := NewTest().(encoding.BinaryUnmarshaler).UnmarshalBinary(state); !errors.Is(err, ErrMarshalSBox) {
		t.Fatalf("state of another S-box: %v", err)
	}
	u := NewCryptoPro().(encoding.BinaryUnmarshaler)
	if err := u.UnmarshalBinary(state[:len(state)-1]); !errors.Is(err, ErrMarshalFormat) {
		t.Fatalf("short state: %v", err)
	}
	bad := bytes.Clone(state)
	bad[0] ^= 1
	if err := u.UnmarshalBinary(bad); !errors.Is(err, ErrMarshalFormat) {
		t.Fatalf("bad magic: %v", err)
	}
}

func TestNewPanicsOnNilSBox(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New(nil) did not panic")
		}
	}()
	New(nil)
}

func TestCustomSBoxEqualsNamed(t *testing.T) {
	a, b := New(magma.GostR3411CryptoProParamSet.SBox()), NewCryptoPro()
	a.Write([]byte("abc"))
	b.Write([]byte("abc"))
	if !bytes.Equal(a.Sum(nil), b.Sum(nil)) {
		t.Fatal("New(CryptoPro S-box) differs from NewCryptoPro")
	}
}

// FuzzGOST94: hashing in two pieces at any split point equals hashing at
// once, and a marshal/unmarshal at the split point changes nothing.
func FuzzGOST94(f *testing.F) {
	f.Add([]byte("This is message, length=32 bytes"), uint16(5))
	f.Add([]byte("Suppose the original message has length = 50 bytes"), uint16(32))
	f.Add([]byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, msg []byte, split uint16) {
		cut := 0
		if len(msg) > 0 {
			cut = int(split) % (len(msg) + 1)
		}
		one := NewCryptoPro()
		one.Write(msg)
		want := one.Sum(nil)
		h := NewCryptoPro()
		h.Write(msg[:cut])
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		g := NewCryptoPro()
		if err := g.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		h.Write(msg[cut:])
		g.Write(msg[cut:])
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("split %d: %x, want %x", cut, got, want)
		}
		if got := g.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("restored at %d: %x, want %x", cut, got, want)
		}
	})
}
