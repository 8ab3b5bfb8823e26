package magma

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// enginePeer builds testdata/engine_peer.c against OpenSSL's gost engine
// (the key wrap has no openssl command) and returns a function running it.
func enginePeer(t *testing.T) func(args ...string) string {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	cc, err := exec.LookPath("cc")
	requireTool(t, err, "C compiler (cc)")
	out, err := exec.Command(openssl, "version", "-e").Output()
	requireTool(t, err, "openssl version -e")
	m := regexp.MustCompile(`ENGINESDIR: "([^"]+)"`).FindSubmatch(out)
	if m == nil {
		requireTool(t, errors.New("no ENGINESDIR in "+string(out)), "gost engine directory")
	}
	dir := string(m[1])
	bin := filepath.Join(t.TempDir(), "engine_peer")
	build := exec.Command(cc, "-O1", "-o", bin, filepath.Join("testdata", "engine_peer.c"),
		filepath.Join(dir, "gost.so"), "-Wl,-rpath,"+dir)
	if msg, err := build.CombinedOutput(); err != nil {
		requireTool(t, errors.New(err.Error()+": "+string(msg)), "building the engine peer")
	}
	return func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("engine_peer %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
}

// TestSBoxesMatchEngine compares the S-box table with the one compiled into
// OpenSSL's gost engine, parameter set by parameter set.
func TestSBoxesMatchEngine(t *testing.T) {
	peer := enginePeer(t)
	for _, p := range ParamSets() {
		rows := strings.Fields(peer("sbox", strconv.Itoa(int(p))))
		sb := p.SBox()
		for r := range sb {
			if got := hex.EncodeToString(sb[r][:]); got != rows[r] {
				t.Fatalf("%v K%d = %s, engine %s", p, r+1, got, rows[r])
			}
		}
	}
}

// TestKeyWrapInterop: CryptoPro key wrap, KEK diversification and the MAC
// with IV against the engine's keyWrapCryptoPro, keyUnwrapCryptoPro,
// keyDiversifyCryptoPro and gost_mac_iv, for random keys and every
// GOST 28147-89 parameter set.
func TestKeyWrapInterop(t *testing.T) {
	peer := enginePeer(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range engineCipherSets {
		for i := 0; i < 5; i++ {
			kek, ukm, cek := randomBytes(rng, 32), randomBytes(rng, 8), randomBytes(rng, 32)
			set := strconv.Itoa(int(p))

			div, err := DiversifyKEK(kek, ukm, p.SBox())
			if err != nil {
				t.Fatal(err)
			}
			if want := peer("divers", set, hex.EncodeToString(kek), hex.EncodeToString(ukm)); hex.EncodeToString(div) != want {
				t.Fatalf("%v: diversified KEK %x, engine %s", p, div, want)
			}

			w, err := WrapKey(kek, ukm, cek, p.SBox(), CryptoProDiversification)
			if err != nil {
				t.Fatal(err)
			}
			want := peer("wrap", set, hex.EncodeToString(kek), hex.EncodeToString(ukm), hex.EncodeToString(cek))
			if hex.EncodeToString(w) != want {
				t.Fatalf("%v: wrapped %x, engine %s", p, w, want)
			}
			if got := peer("unwrap", set, hex.EncodeToString(kek), hex.EncodeToString(w)); got != hex.EncodeToString(cek) {
				t.Fatalf("%v: engine unwraps our key to %s", p, got)
			}
			got, err := UnwrapKey(kek, unhex(t, want), p.SBox(), CryptoProDiversification)
			if err != nil || !bytes.Equal(got, cek) {
				t.Fatalf("%v: unwrapping the engine's key: %x, %v", p, got, err)
			}

			n := rng.IntN(100)
			data, key, iv := randomBytes(rng, n), randomBytes(rng, 32), randomBytes(rng, 8)
			m, err := NewMACWithIV(key, iv, p.SBox(), NoKeyMeshing)
			if err != nil {
				t.Fatal(err)
			}
			m.Write(data)
			if want := peer("maciv", set, hex.EncodeToString(key), hex.EncodeToString(iv), hex.EncodeToString(data)); hex.EncodeToString(m.Sum(nil)) != want {
				t.Fatalf("%v: MAC with IV of %d bytes %x, engine %s", p, n, m.Sum(nil), want)
			}
		}
	}
}

// TestKeyWrapRoundTrip covers both diversification modes and the failures:
// a flipped bit anywhere in the wrapped key, a wrong KEK or the other
// diversification must be rejected with ErrWrappedKeyMAC.
func TestKeyWrapRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	sb := CryptoProA.SBox()
	for _, d := range []KEKDiversification{NoDiversification, CryptoProDiversification} {
		kek, ukm, cek := randomBytes(rng, 32), randomBytes(rng, 8), randomBytes(rng, 32)
		w, err := WrapKey(kek, ukm, cek, sb, d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w[:8], ukm) || len(w) != WrappedKeySize {
			t.Fatalf("wrapped key layout: %x", w)
		}
		got, err := UnwrapKey(kek, w, sb, d)
		if err != nil || !bytes.Equal(got, cek) {
			t.Fatalf("round trip: %x, %v", got, err)
		}
		for bit := 0; bit < 8*len(w); bit++ {
			bad := bytes.Clone(w)
			bad[bit/8] ^= 1 << (bit % 8)
			if k, err := UnwrapKey(kek, bad, sb, d); !errors.Is(err, ErrWrappedKeyMAC) || k != nil {
				t.Fatalf("bit %d flipped: %x, %v", bit, k, err)
			}
		}
		badKEK := bytes.Clone(kek)
		badKEK[0] ^= 0x80
		if _, err := UnwrapKey(badKEK, w, sb, d); !errors.Is(err, ErrWrappedKeyMAC) {
			t.Fatalf("wrong KEK: %v", err)
		}
		if _, err := UnwrapKey(kek, w, sb, 1-d); !errors.Is(err, ErrWrappedKeyMAC) {
			t.Fatalf("wrong diversification: %v", err)
		}
		if _, err := UnwrapKey(kek, w[:43], sb, d); err == nil {
			t.Fatal("short wrapped key accepted")
		}
	}
	// RFC 4357 section 6.1: without diversification the wrap is ECB of the
	// CEK under the KEK and the MAC with the UKM as IV.
	kek, ukm, cek := randomBytes(rng, 32), randomBytes(rng, 8), randomBytes(rng, 32)
	w, _ := WrapKey(kek, ukm, cek, sb, NoDiversification)
	b, _ := NewCipher(kek, sb)
	enc := make([]byte, 32)
	EncryptECB(b, enc, cek)
	m, _ := NewMACWithIV(kek, ukm, sb, NoKeyMeshing)
	m.Write(cek)
	if !bytes.Equal(w[8:40], enc) || !bytes.Equal(w[40:], m.Sum(nil)) {
		t.Fatal("key wrap None is not ECB || MAC(UKM)")
	}
}

// FuzzUnwrap: unwrapping arbitrary bytes never panics, never returns a key
// together with an error, and a modified MAC is always rejected.
func FuzzUnwrap(f *testing.F) {
	kek := bytes.Repeat([]byte{0x5a}, 32)
	sb := CryptoProA.SBox()
	w, _ := WrapKey(kek, []byte("12345678"), bytes.Repeat([]byte{7}, 32), sb, CryptoProDiversification)
	f.Add(w, kek, true)
	f.Add(w[:20], kek, false)
	f.Add([]byte{}, []byte{}, true)
	f.Fuzz(func(t *testing.T, wrapped, kek []byte, cryptoPro bool) {
		d := NoDiversification
		if cryptoPro {
			d = CryptoProDiversification
		}
		cek, err := UnwrapKey(kek, wrapped, sb, d)
		if err != nil {
			if cek != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		// It unwrapped: re-wrapping must give the same bytes, and any other
		// MAC must be rejected.
		again, err := WrapKey(kek, wrapped[:8], cek, sb, d)
		if err != nil || !bytes.Equal(again, wrapped) {
			t.Fatalf("re-wrap differs: %x, %v", again, err)
		}
		bad := bytes.Clone(wrapped)
		bad[len(bad)-1] ^= 1
		if _, err := UnwrapKey(kek, bad, sb, d); !errors.Is(err, ErrWrappedKeyMAC) {
			t.Fatalf("modified MAC accepted: %v", err)
		}
	})
}
