package streebog

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// opensslDigest hashes file with `openssl dgst -engine gost -r`, which
// prints "HEX *FILE" (the engine's "Engine "gost" set." goes to stderr).
// The hex is the digest's bytes in order, the same order as Sum.
func opensslDigest(t *testing.T, md, file string) string {
	t.Helper()
	cmd := exec.Command("openssl", "dgst", "-engine", "gost", "-"+md, "-r", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl dgst -%s: %v\n%s", md, err, stderr.String())
	}
	digest, _, ok := strings.Cut(stdout.String(), " ")
	if !ok {
		t.Fatalf("openssl dgst -%s printed %q", md, stdout.String())
	}
	return digest
}

// TestOpenSSLInterop hashes random messages around the block boundaries and
// up to 10 MB here and with OpenSSL's gost engine.
func TestOpenSSLInterop(t *testing.T) {
	testenv.OpenSSLGost(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000, 65536, 10_000_000} {
		msg := randomBytes(rng, n)
		file := filepath.Join(dir, "msg")
		if err := os.WriteFile(file, msg, 0o600); err != nil {
			t.Fatal(err)
		}
		d256, d512 := Sum256(msg), Sum512(msg)
		if want := opensslDigest(t, "md_gost12_256", file); hex.EncodeToString(d256[:]) != want {
			t.Errorf("%d bytes: Sum256 = %x, OpenSSL %s", n, d256, want)
		}
		if want := opensslDigest(t, "md_gost12_512", file); hex.EncodeToString(d512[:]) != want {
			t.Errorf("%d bytes: Sum512 = %x, OpenSSL %s", n, d512, want)
		}
	}
}
