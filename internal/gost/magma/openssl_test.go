package magma

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// requireTool skips the test when an external tool is missing, except under
// CI=true, where a missing interop peer is a failure (the proof would be
// silently absent otherwise).
func requireTool(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	testenv.Missing(t, "%s not available: %v", what, err)
}

// opensslGost checks that openssl with the gost engine works and returns
// the openssl path.
func opensslGost(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	requireTool(t, err, "openssl")
	out, err := exec.Command(path, "engine", "-c", "gost").CombinedOutput()
	if err == nil && !bytes.Contains(out, []byte("gost89")) {
		err = errors.New("engine lists no gost89: " + string(out))
	}
	requireTool(t, err, "OpenSSL gost engine")
	return path
}

// runOpenSSL runs openssl with the given environment additions and returns
// its standard output; the engine's "Engine set." chatter on stderr is
// ignored, but a failure is fatal.
func runOpenSSL(t *testing.T, openssl string, env []string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(openssl, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// writeTemp writes data to a fresh file in the test's temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
