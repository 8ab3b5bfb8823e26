package certstore

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/internal/testenv"
)

// These tests run importers in separate processes (this test binary,
// re-executed into TestHelperImporter), because what they prove is about
// processes: one killed at a random instant, two writing at once.

const helperEnv = "PODPIS_TEST_IMPORTER"

// TestHelperImporter is not a test: it is the importer process. It imports
// the files named in PODPIS_TEST_FILES one by one into PODPIS_TEST_STORE and
// prints a line after each.
func TestHelperImporter(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	s, err := Open(Options{Dir: os.Getenv("PODPIS_TEST_STORE"), Keyring: NoKeyring{}})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	s.kdfCost = cheapKDF()
	pw := os.Getenv("PODPIS_TEST_PFX_PASSWORD")
	for _, f := range strings.Split(os.Getenv("PODPIS_TEST_FILES"), "\n") {
		res, err := s.ImportFile(f, ImportOptions{Password: fixedPassword(pw)})
		if err != nil {
			fmt.Println("import:", err)
			os.Exit(4)
		}
		fmt.Println("file", len(res.Added))
	}
	os.Exit(0)
}

// cheapKDF keeps the multi-process tests quick; the production cost is
// checked by TestContainerFormat.
func cheapKDF() kdfCost { return kdfCost{Time: 1, MemoryKiB: 64, Threads: 1} }

func importerCmd(t *testing.T, store string, files []string, password string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImporter$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		helperEnv+"=1",
		"PODPIS_TEST_STORE="+store,
		"PODPIS_TEST_FILES="+strings.Join(files, "\n"),
		"PODPIS_TEST_PFX_PASSWORD="+password,
	)
	return cmd
}

// TestCrashSafety kills an importing process at random instants and checks,
// after each kill, that the store opens, lists only complete entries (every
// personal one with a key that opens), and still has everything that was
// there before the process started.
func TestCrashSafety(t *testing.T) {
	const runs = 50
	const password = "crash-test"
	dir := t.TempDir()
	store := filepath.Join(dir, "store")

	// Files to import: .p12 containers (key + chain: the longest writes) and
	// single certificates.
	var files []string
	for i := range 10 {
		ch := makeChain(t, fmt.Sprintf("Crash Holder %d", i), false)
		files = append(files, writeTempIn(t, dir, fmt.Sprintf("k%d.p12", i), ch.pfx(t, pkcs12.Modern2023, password)))
		c := makeCert(t, certSpec{CN: fmt.Sprintf("Other %d", i)}, nil)
		files = append(files, writeTempIn(t, dir, fmt.Sprintf("c%d.pem", i), pemCert(c.Cert)))
	}

	// Time one uninterrupted run of a fresh store to spread kills over it.
	start := time.Now()
	if out, err := importerCmd(t, filepath.Join(dir, "timing"), files, password).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted import failed: %v\n%s", err, out)
	}
	perFile := time.Since(start) / time.Duration(len(files))
	t.Logf("one uninterrupted import of %d files: %v a file", len(files), perFile)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	killedMidway := 0
	for run := range runs {
		s, err := Open(Options{Dir: store, Keyring: NoKeyring{}})
		if err != nil {
			t.Fatal(err)
		}
		before, err := s.Entries()
		if err != nil {
			t.Fatal(err)
		}
		// Shuffle so different files are mid-write at kill time, and keep
		// only a random third of what is there so every run has work to do.
		order := append([]string(nil), files...)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, e := range before {
			if rng.IntN(3) != 0 {
				if err := s.Delete(e.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if before, err = s.Entries(); err != nil {
			t.Fatal(err)
		}

		// Kill after k files are done, at a random instant within the
		// next file's work: progress, not wall time, places the kill, so a
		// loaded machine does not push every kill past the end.
		cmd := importerCmd(t, store, order, password)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		k := rng.IntN(len(order))
		delay := time.Duration(rng.Int64N(int64(perFile)))
		progress := make(chan struct{}, len(order))
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				progress <- struct{}{}
			}
			close(progress)
		}()
		done := 0
		for range k {
			if _, ok := <-progress; !ok {
				break
			}
			done++
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		for range progress {
			done++
		}
		cmd.Wait()
		if done < len(order) {
			killedMidway++
		}

		s, err = Open(Options{Dir: store, Keyring: NoKeyring{}})
		if err != nil {
			t.Fatalf("run %d: store does not open: %v", run, err)
		}
		if errs := s.Check(); len(errs) != 0 {
			t.Fatalf("run %d (killed %v after file %d): damaged entries: %v", run, delay, k, errs)
		}
		after, err := s.Entries()
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]*Entry{}
		for _, e := range after {
			have[e.ID] = e
		}
		for _, e := range before {
			if have[e.ID] == nil {
				t.Fatalf("run %d: %s (%s) was lost", run, e.ID, e.Cert.Subject.CommonName())
			}
		}
		for _, e := range after {
			if e.List == ListPersonal {
				if !e.HasKey {
					t.Fatalf("run %d: personal %s without key", run, e.ID)
				}
				if err := s.CheckPassword(e.ID, password); err != nil {
					t.Fatalf("run %d: key of %s does not open: %v", run, e.ID, err)
				}
			}
		}
	}
	if killedMidway < runs*2/3 {
		t.Fatalf("only %d of %d runs were killed midway: the kill timing is off", killedMidway, runs)
	}
	t.Logf("%d of %d importers killed midway", killedMidway, runs)
}

// TestConcurrentImporters runs two processes that import 100 different
// certificates each into one store; all 200 must be there afterwards.
func TestConcurrentImporters(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	var sets [2][]string
	for p := range sets {
		for i := range 100 {
			c := makeCert(t, certSpec{CN: fmt.Sprintf("Proc %d cert %d", p, i)}, nil)
			sets[p] = append(sets[p], writeTempIn(t, dir, fmt.Sprintf("p%d-%d.cer", p, i), c.Cert.Raw))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for p := range sets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := importerCmd(t, store, sets[p], "").CombinedOutput()
			if err != nil {
				errs <- fmt.Errorf("importer %d: %v\n%s", p, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: store, Keyring: NoKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 200 {
		t.Fatalf("%d entries after two importers of 100 each, want 200", len(entries))
	}
}

func writeTempIn(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOSKeyring talks to the real Secret Service that `make test` starts
// (gnome-keyring under dbus-run-session, PODPIS_TEST_KEYRING=1).
func TestOSKeyring(t *testing.T) {
	if os.Getenv("PODPIS_TEST_KEYRING") != "1" {
		testenv.Missing(t, "a running Secret Service (run through `make test`, which starts gnome-keyring)")
	}
	kr := OSKeyring{}
	account := fmt.Sprintf("podpis-test-%d", time.Now().UnixNano())
	if _, err := kr.Get(KeyringService, account); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get of a missing secret: %v", err)
	}
	if err := kr.Set(KeyringService, account, "пароль-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Get(KeyringService, account); err != nil || got != "пароль-1" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := kr.Delete(KeyringService, account); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(KeyringService, account); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}

	// Through the store: remember on import, open without asking, forget on delete.
	ch := makeChain(t, "Keyring Holder", false)
	s := openTestStore(t, kr)
	if _, err := s.ImportFile(writeTemp(t, "r.p12", ch.pfx(t, pkcs12.Modern2023, "pw")),
		ImportOptions{Password: fixedPassword("pw"), Remember: true}); err != nil {
		t.Fatal(err)
	}
	id := thumb(ch.Leaf.Cert)
	t.Cleanup(func() { kr.Delete(KeyringService, id) })
	if _, err := s.PrivateKey(id, nil); err != nil {
		t.Fatalf("remembered password did not open the key: %v", err)
	}
	if err := s.Delete(id); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(KeyringService, id); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("password still in the keyring after delete: %v", err)
	}
}
