package magma

import (
	"bytes"
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
