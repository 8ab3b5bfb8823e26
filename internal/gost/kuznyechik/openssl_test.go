package kuznyechik

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// TestOpenSSLECB encrypts random blocks under random keys here and with
// OpenSSL's gost engine (`openssl enc -kuznyechik-ecb`), the independent
// peer. Without the engine the test skips, except under CI=true.
func TestOpenSSLECB(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		peerMissing(t, "no openssl in PATH")
	}
	if out, err := exec.Command("openssl", "engine", "gost", "-c").CombinedOutput(); err != nil || !bytes.Contains(out, []byte("kuznyechik-ecb")) {
		peerMissing(t, "openssl engine gost offers no kuznyechik-ecb: "+string(out))
	}
	dir := t.TempDir()
	for i := 0; i < 8; i++ {
		key := make([]byte, KeySize)
		data := make([]byte, BlockSize*(1+i*37))
		rand.Read(key)
		rand.Read(data)
		in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("openssl", "enc", "-engine", "gost", "-kuznyechik-ecb", "-nopad",
			"-K", hex.EncodeToString(key), "-in", in, "-out", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl: %v: %s", err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		for off := 0; off < len(data); off += BlockSize {
			c.Encrypt(got[off:], data[off:])
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x: %d blocks differ from OpenSSL", key, len(data)/BlockSize)
		}
		for off := 0; off < len(data); off += BlockSize {
			c.Decrypt(got[off:], got[off:])
		}
		if !bytes.Equal(got, data) {
			t.Fatal("Decrypt does not invert Encrypt")
		}
	}
}

func peerMissing(t *testing.T, why string) {
	t.Helper()
	testenv.Missing(t, "OpenSSL GOST peer not available: %s", why)
}
