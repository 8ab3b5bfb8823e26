package testenv

import (
	"os/exec"
	"runtime"
	"testing"
)

func TestLookPathFindsAProgram(t *testing.T) {
	want, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh on this machine: %v", err)
	}
	if got := LookPath(t, "sh"); got != want {
		t.Fatalf("LookPath(sh) = %q, want %q", got, want)
	}
}

// The CI branch of Missing fails the test; run it in a subtest on a
// testing.T of its own so the failure is observed, not propagated.
func TestMissingFailsInCIAndSkipsElsewhere(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			var failed, skipped bool
			done := make(chan struct{})
			probe := &recorder{TB: t, failed: &failed, skipped: &skipped, done: done}
			go func() {
				defer close(done)
				Missing(probe, "tool %s", "x")
			}()
			<-done
			if ci == "true" && (!failed || skipped) {
				t.Errorf("in CI: failed %v skipped %v, want a failure", failed, skipped)
			}
			if ci == "" && (failed || !skipped) {
				t.Errorf("outside CI: failed %v skipped %v, want a skip", failed, skipped)
			}
		})
	}
}

// recorder notes Fatalf/Skip instead of acting on them; both stop the
// goroutine as the real ones do.
type recorder struct {
	testing.TB
	failed, skipped *bool
	done            chan struct{}
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(string, ...any) {
	*r.failed = true
	runtime.Goexit()
}
func (r *recorder) Skip(...any) {
	*r.skipped = true
	runtime.Goexit()
}
