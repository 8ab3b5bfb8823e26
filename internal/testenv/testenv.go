// Package testenv holds the one rule for tests that need a real component
// (OpenSSL and its gost engine, Xvfb, a Secret Service...): under CI=true,
// which `make test` runs with and which installs every such component, a
// missing one fails the test; elsewhere the test is skipped, so a developer
// without the tool still gets the rest of the suite.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because a required component is not there: a
// failure in CI, a skip elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("required in CI (make test installs it): %s", msg)
	}
	t.Skip(msg)
}

// LookPath returns the path of a required program, or ends the test as
// Missing does.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed: %v", name, err)
	}
	return path
}

// OpenSSLGost returns the path of an openssl whose gost engine loads (the
// independent GOST peer of the interop tests), or ends the test as Missing
// does.
func OpenSSLGost(t testing.TB) string {
	t.Helper()
	path := LookPath(t, "openssl")
	out, err := exec.Command(path, "engine", "-c", "gost").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "gost89") {
		Missing(t, "the OpenSSL gost engine does not load (apt-get install libengine-gost-openssl): %v\n%s", err, out)
	}
	return path
}
