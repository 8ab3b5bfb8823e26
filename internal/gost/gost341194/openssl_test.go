package gost341194

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// requireTool skips when an external tool is missing, except under CI=true,
// where the missing interop peer is a failure.
func requireTool(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	testenv.Missing(t, "%s not available: %v", what, err)
}

// TestOpenSSLInterop hashes random messages (the empty one, lengths around
// the block boundaries, random lengths up to 10000 bytes, 1 MiB and, unless
// -short, 10 MiB) with `openssl dgst -engine gost -md_gost94` and compares.
func TestOpenSSLInterop(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	rng := rand.New(rand.NewPCG(13, 14))
	lengths := []int{0, 1, 31, 32, 33, 64, 65, 1000, 1 << 20}
	if !testing.Short() {
		lengths = append(lengths, 10<<20)
	}
	for i := 0; i < 24; i++ {
		lengths = append(lengths, rng.IntN(10001))
	}
	dir := t.TempDir()
	for i, n := range lengths {
		msg := make([]byte, n)
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		p := filepath.Join(dir, "m"+strings.Repeat("x", i%3))
		if err := os.WriteFile(p, msg, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(openssl, "dgst", "-engine", "gost", "-md_gost94", "-r", p)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl dgst: %v\n%s", err, stderr.String())
		}
		f := strings.Fields(string(out))
		if len(f) == 0 {
			t.Fatalf("unexpected openssl output %q", out)
		}
		h := NewCryptoPro()
		h.Write(msg)
		if got := hex.EncodeToString(h.Sum(nil)); got != f[0] {
			t.Fatalf("length %d: %s, engine %s", n, got, f[0])
		}
	}
}

// TestHMACInterop: HMAC_GOSTR3411 (RFC 4357 section 3, HMAC of RFC 2104
// over GOST R 34.11-94 with the CryptoPro set) through crypto/hmac against
// `openssl dgst -md_gost94 -mac hmac`, with keys shorter and longer than
// the 32-byte block.
func TestHMACInterop(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	rng := rand.New(rand.NewPCG(15, 16))
	for _, kl := range []int{1, 16, 32, 33, 100} {
		key, msg := make([]byte, kl), make([]byte, rng.IntN(3000))
		for i := range key {
			key[i] = byte(rng.Uint32())
		}
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		cmd := exec.Command(openssl, "dgst", "-engine", "gost", "-md_gost94", "-mac", "hmac",
			"-macopt", "hexkey:"+hex.EncodeToString(key))
		cmd.Stdin = bytes.NewReader(msg)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl dgst -hmac: %v", err)
		}
		f := strings.Fields(string(out))
		if len(f) == 0 {
			t.Fatalf("unexpected openssl output %q", out)
		}
		m := hmac.New(NewCryptoPro, key)
		m.Write(msg)
		if got := hex.EncodeToString(m.Sum(nil)); got != f[len(f)-1] {
			t.Fatalf("key %d bytes, message %d bytes: HMAC %s, engine %s", kl, len(msg), got, f[len(f)-1])
		}
	}
}
