package gost3413

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"hash"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/gost/kuznyechik"

	"github.com/podpis/podpis/internal/testenv"
)

// Interop with OpenSSL's gost engine and provider (libengine-gost-openssl),
// the independent GOST peer. Without them the tests skip, except under
// CI=true, where they fail.

func peerMissing(t *testing.T, why string) {
	t.Helper()
	testenv.Missing(t, "OpenSSL GOST peer not available: %s", why)
}

// requireEngine checks that `openssl enc -engine gost` offers the ciphers.
func requireEngine(t *testing.T, ciphers ...string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		peerMissing(t, "no openssl in PATH")
	}
	out, err := exec.Command("openssl", "engine", "gost", "-c").CombinedOutput()
	if err != nil {
		peerMissing(t, "openssl engine gost: "+err.Error()+": "+string(out))
	}
	for _, c := range ciphers {
		if !bytes.Contains(out, []byte(c)) {
			peerMissing(t, "the gost engine does not offer "+c)
		}
	}
}

// requireProviderMAC checks that `openssl mac -provider gostprov` offers mac.
// The MACs are taken from the provider: the engine's `dgst -mac
// kuznyechik-mac -macopt hexkey:...` prints a wrong, partly uninitialized
// value with OpenSSL 3.0.
func requireProviderMAC(t *testing.T, mac string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		peerMissing(t, "no openssl in PATH")
	}
	out, err := exec.Command("openssl", "list", "-mac-algorithms", "-provider", "gostprov").CombinedOutput()
	if err != nil {
		peerMissing(t, "openssl list -provider gostprov: "+err.Error()+": "+string(out))
	}
	if !bytes.Contains(out, []byte(" "+mac+" ")) {
		peerMissing(t, "the gostprov provider does not offer "+mac)
	}
}

func runOpenSSL(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// opensslEnc encrypts data with `openssl enc -engine gost -<alg>`.
func opensslEnc(t *testing.T, alg string, key, iv, data []byte, extra ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"enc", "-engine", "gost", "-" + alg, "-K", hex.EncodeToString(key), "-in", in, "-out", out}
	if iv != nil {
		args = append(args, "-iv", hex.EncodeToString(iv))
	}
	runOpenSSL(t, append(args, extra...)...)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// opensslMAC computes mac over data with the gostprov provider.
func opensslMAC(t *testing.T, mac string, key, data []byte) []byte {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := runOpenSSL(t, "mac", "-provider", "gostprov", "-provider", "default",
		"-macopt", "hexkey:"+hex.EncodeToString(key), "-in", in, mac)
	tag, err := hex.DecodeString(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("openssl mac output %q: %v", out, err)
	}
	return tag
}

// interopLengths are message lengths from 0 to 5000 bytes: the edges
// around blocks and OpenSSL's 4096-byte ACPKM sections, plus random ones.
func interopLengths(r *mrand.Rand, extra ...int) []int {
	ls := []int{0, 1, 15, 16, 17, 31, 32, 33, 4095, 4096, 4097, 5000}
	for i := 0; i < 6; i++ {
		ls = append(ls, r.IntN(5001))
	}
	return append(ls, extra...)
}

func TestOpenSSLKuznyechikCTR(t *testing.T) {
	requireEngine(t, "kuznyechik-ctr", "kuznyechik-ctr-acpkm")
	r := mrand.New(mrand.NewPCG(7, 8))
	// Sections of 4096 bytes; longer messages cross several of them.
	for _, n := range interopLengths(r, 8192, 8193, 20000) {
		key, iv, data := randBytes(32), randBytes(8), randBytes(n)
		for _, alg := range []string{"kuznyechik-ctr", "kuznyechik-ctr-acpkm"} {
			var s cipher.Stream
			var err error
			if alg == "kuznyechik-ctr" {
				s, err = NewCTR(kuz(t, key), iv)
			} else {
				// OpenSSL's gost engine re-keys every 4096 bytes.
				s, err = NewCTRACPKM(kuznyechik.NewCipher, key, iv, 4096)
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, n)
			s.XORKeyStream(got, data)
			if want := opensslEnc(t, alg, key, iv, data); !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: differs from OpenSSL", alg, n)
			}
		}
	}
}

func TestOpenSSLKuznyechikRegisterModes(t *testing.T) {
	requireEngine(t, "kuznyechik-ecb", "kuznyechik-cbc", "kuznyechik-cfb", "kuznyechik-ofb")
	r := mrand.New(mrand.NewPCG(9, 10))
	for _, n := range interopLengths(r) {
		key, iv, data := randBytes(32), randBytes(16), randBytes(n)
		b := kuz(t, key)
		// OpenSSL's register is one block (m = n).
		for _, m := range []struct {
			alg    string
			stream func() (cipher.Stream, error)
		}{
			{"kuznyechik-cfb", func() (cipher.Stream, error) { return NewCFBEncrypter(b, iv) }},
			{"kuznyechik-ofb", func() (cipher.Stream, error) { return NewOFB(b, iv) }},
		} {
			got := make([]byte, n)
			must[cipher.Stream](t)(m.stream()).XORKeyStream(got, data)
			if want := opensslEnc(t, m.alg, key, iv, data); !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: differs from OpenSSL", m.alg, n)
			}
		}
		blocks := data[:n/16*16]
		got := make([]byte, len(blocks))
		NewECBEncrypter(b).CryptBlocks(got, blocks)
		if want := opensslEnc(t, "kuznyechik-ecb", key, nil, blocks, "-nopad"); !bytes.Equal(got, want) {
			t.Fatalf("kuznyechik-ecb, %d bytes: differs from OpenSSL", len(blocks))
		}
		must[cipher.BlockMode](t)(NewCBCEncrypter(b, iv)).CryptBlocks(got, blocks)
		if want := opensslEnc(t, "kuznyechik-cbc", key, iv, blocks, "-nopad"); !bytes.Equal(got, want) {
			t.Fatalf("kuznyechik-cbc, %d bytes: differs from OpenSSL", len(blocks))
		}
	}
}

func TestOpenSSLKuznyechikMAC(t *testing.T) {
	requireProviderMAC(t, "kuznyechik-mac")
	requireProviderMAC(t, "kuznyechik-ctr-acpkm-omac")
	r := mrand.New(mrand.NewPCG(11, 12))
	// 400000 bytes are 98 sections: the ACPKM-Master key stream (T* = 4096
	// bytes, 48 bytes per section) re-keys after 85 of them.
	for _, n := range interopLengths(r, 8192, 8193, 12288, 20000, 400000) {
		key, data := randBytes(32), randBytes(n)
		for _, m := range []struct {
			name string
			new  func() (hash.Hash, error)
		}{
			{"kuznyechik-mac", func() (hash.Hash, error) { return NewOMAC(kuz(t, key), 16) }},
			// OpenSSL uses N = T* = 4096 bytes.
			{"kuznyechik-ctr-acpkm-omac", func() (hash.Hash, error) {
				return NewOMACACPKM(kuznyechik.NewCipher, key, 4096, 4096, 16)
			}},
		} {
			h := must[hash.Hash](t)(m.new())
			h.Write(data)
			if got, want := h.Sum(nil), opensslMAC(t, m.name, key, data); !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: %x, OpenSSL %x", m.name, n, got, want)
			}
		}
	}
}
