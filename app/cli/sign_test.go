package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// signSetup is a store with a personal certificate (Russian attributes,
// key password "secret") issued by a trusted root through an intermediate.
type signSetup struct {
	e      *testEnv
	p      *pki
	leaf   *x509.Certificate
	id     string
	pwFile string
	dir    string // for the test's documents
}

func newSignSetup(t *testing.T, o leafOptions) *signSetup {
	t.Helper()
	s := &signSetup{e: newTestEnv(t), p: newPKI(t), dir: t.TempDir()}
	if o.cn == "" {
		o.cn = "Иванов Иван Иванович"
	}
	s.pwFile = writeFile(t, t.TempDir(), "pw.txt", []byte("secret\n"))
	s.leaf, s.id = s.addSigner(t, o)
	if r := s.e.run("trust", thumbprint(s.p.root)); r.code != 0 {
		t.Fatalf("trust: %d %s", r.code, r.stderr)
	}
	return s
}

// addSigner imports one more personal certificate of the same PKI.
func (s *signSetup) addSigner(t *testing.T, o leafOptions) (*x509.Certificate, string) {
	t.Helper()
	leaf, key := s.p.leaf(t, o)
	file := writeFile(t, t.TempDir(), "k.p12", p12(t, key, leaf, []*x509.Certificate{s.p.inter, s.p.root}, "secret", false))
	if r := s.e.run("import", file, "--password-file", s.pwFile); r.code != 0 {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	return leaf, thumbprint(leaf)
}

// doc writes a document under the setup's folder.
func (s *signSetup) doc(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(s.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (s *signSetup) sign(t *testing.T, args ...string) result {
	t.Helper()
	return s.e.run(append([]string{"sign", "--cert", s.id[:12], "--password-file", s.pwFile}, args...)...)
}

type signReport struct {
	Certificate string `json:"certificate"`
	Files       []struct {
		File            string   `json:"file"`
		Signature       string   `json:"signature"`
		Result          string   `json:"result"`
		Size            int64    `json:"size"`
		DigestAlgorithm string   `json:"digest_algorithm"`
		Digest          string   `json:"digest"`
		Error           *problem `json:"error"`
	} `json:"files"`
	Totals   signTotalsJSON `json:"totals"`
	Canceled bool           `json:"canceled"`
	Manifest string         `json:"manifest"`
}

func TestSignOneFileAndVerify(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	doc := s.doc(t, "declaration.xml", "<declaration sum=\"100\"/>")
	r := s.sign(t, doc)
	if r.code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Signed "+doc+": the signature is in "+doc+".sig") {
		t.Errorf("stdout: %s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr of a script run without failures: %q", r.stderr)
	}
	data, err := os.ReadFile(doc + ".sig")
	if err != nil || len(data) == 0 || data[0] != 0x30 {
		t.Fatalf("no DER signature: %v % x", err, data[:min(4, len(data))])
	}

	r = s.e.run("verify", doc+".sig")
	if r.code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Signer 1 of 1: Иванов Иван Иванович", "INN: 123456789012", "SNILS: 12345678901",
		"Issuer: Test Intermediate CA", "Serial number: ", localTime(testNow), "valid, the document is unchanged",
		"trusted: Иванов Иван Иванович → Test Intermediate CA → Test Root CA", "Result: the signature is valid."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, r.stdout)
		}
	}

	// The same in Russian.
	r = s.e.run("verify", doc+".sig", "--lang", "ru")
	for _, want := range []string{"Подписант 1 из 1: Иванов Иван Иванович", "ИНН: 123456789012", "СНИЛС: 12345678901", "Итог: подпись действительна."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("Russian verify output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestSignFolderOutDirManifestJSONForce(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	var docs []string
	for i := range 7 {
		docs = append(docs, s.doc(t, fmt.Sprintf("in/sub%d/doc%d.xml", i%2, i), fmt.Sprintf("<doc n=%d/>", i)))
	}
	s.doc(t, "in/old.sig", "not signed again")
	out := filepath.Join(t.TempDir(), "signed")
	manifest := filepath.Join(t.TempDir(), "manifest.csv")
	in := filepath.Join(s.dir, "in")

	r := s.sign(t, in, "--out-dir", out, "--manifest", manifest, "--json")
	if r.code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep signReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if rep.Certificate != s.id || rep.Totals != (signTotalsJSON{Files: 7, Signed: 7}) || rep.Manifest != manifest || len(rep.Files) != 7 {
		t.Fatalf("report %+v", rep)
	}
	for i, f := range rep.Files {
		rel, _ := filepath.Rel(in, f.File)
		if f.Result != "signed" || f.Signature != filepath.Join(out, rel+".sig") || f.DigestAlgorithm != "sha256" || len(f.Digest) != 64 || f.Error != nil {
			t.Errorf("file %d: %+v", i, f)
		}
		if _, err := os.Stat(f.Signature); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(docs[0] + ".sig"); err == nil {
		t.Error("a signature was written beside the document despite --out-dir")
	}
	rows := readCSV(t, manifest)
	if len(rows) != 8 || strings.Join(rows[0], ",") != "file,size,digest_algorithm,digest,signature,result,error" || rows[1][5] != "signed" {
		t.Errorf("manifest: %q", rows)
	}

	// Again: everything is skipped, the manifest is not replaced without --force.
	r = s.sign(t, in, "--out-dir", out, "--manifest", manifest)
	if r.code != 2 || !strings.Contains(r.stderr, manifest+" already exists") {
		t.Errorf("manifest over an existing one: exit %d %s", r.code, r.stderr)
	}
	r = s.sign(t, in, "--out-dir", out)
	if r.code != 0 || !strings.Contains(r.stdout, "Signed: 0, skipped: 7, failed: 0") || !strings.Contains(r.stdout, "7 files already had a signature") {
		t.Errorf("re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = s.sign(t, in, "--out-dir", out, "--force", "--lang", "ru")
	if r.code != 0 || !strings.Contains(r.stdout, "Подписано: 7, пропущено: 0, ошибок: 0") {
		t.Errorf("--force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSignFailuresExitOne(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	s.doc(t, "in/a.txt", "a")
	s.doc(t, "in/b.txt", "b")
	if err := os.Symlink(filepath.Join(s.dir, "gone"), filepath.Join(s.dir, "in", "c.txt")); err != nil {
		t.Fatal(err)
	}
	r := s.sign(t, filepath.Join(s.dir, "in"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Signed: 2, skipped: 0, failed: 1") {
		t.Errorf("summary: %s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "c.txt is a link to a file that does not exist") ||
		!strings.HasPrefix(lines[1], "  → Remove the link") {
		t.Errorf("stderr: one line for the failure, then its fix:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "\r") {
		t.Error("a progress line was drawn on a stderr that is not a terminal")
	}
}

// ttyBuffer is a stderr that says it is a terminal.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

func TestSignProgressOnTerminal(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	for i := range 5 {
		s.doc(t, fmt.Sprintf("in/f%d.txt", i), "x")
	}
	var stdout bytes.Buffer
	var stderr ttyBuffer
	code := Main([]string{"sign", "--cert", s.id, "--password-file", s.pwFile, filepath.Join(s.dir, "in"), "--store", s.e.store},
		Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return s.e.vars[k] },
			Keyring: s.e.keyring, Now: func() time.Time { return testNow }})
	if code != 0 {
		t.Fatalf("exit %d %s %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "\r[5/5] 100% ") || !strings.Contains(stderr.String(), ".txt\x1b[K") {
		t.Errorf("no progress line: %q", stderr.String())
	}
	if !strings.HasSuffix(stderr.String(), "\r\x1b[K") {
		t.Errorf("the progress line is not cleared at the end: %q", stderr.String())
	}
}

func TestSignPasswordAskedOnce(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	for i := range 4 {
		s.doc(t, fmt.Sprintf("in/f%d.txt", i), "x")
	}
	s.e.term = &fakeTerminal{passwords: []string{"wrong", "secret"}}
	r := s.e.run("sign", "--cert", s.id, filepath.Join(s.dir, "in"))
	if r.code != 0 {
		t.Fatalf("exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if len(s.e.term.prompts) != 2 || !strings.Contains(s.e.term.prompts[0], "Иванов Иван Иванович") ||
		!strings.Contains(r.stderr, "Wrong password, try again.") {
		t.Errorf("prompts %q, stderr %s", s.e.term.prompts, r.stderr)
	}

	// Remembered in the keyring: not asked at all.
	s2 := newSignSetup(t, leafOptions{})
	kr := &memKeyring{}
	s2.e.keyring = kr
	if r := s2.e.run("passwd", s2.id, "--password-file", s2.pwFile, "--new-password-file", s2.pwFile, "--remember"); r.code != 0 {
		t.Fatalf("passwd --remember: %s", r.stderr)
	}
	s2.e.term = &fakeTerminal{}
	doc := s2.doc(t, "a.txt", "a")
	if r := s2.e.run("sign", "--cert", s2.id, doc); r.code != 0 || len(s2.e.term.prompts) != 0 {
		t.Errorf("remembered password: exit %d, prompts %q, %s", r.code, s2.e.term.prompts, r.stderr)
	}
}

func TestSignRefusals(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	doc := s.doc(t, "a.txt", "a")
	_, expiredID := s.addSigner(t, leafOptions{cn: "Expired", notAfter: testNow.Add(-time.Hour)})
	tests := []struct {
		name   string
		args   []string
		code   string // --json error code
		reason string
		text   string // in the English message or hint
	}{
		{"no --cert", []string{"sign", doc}, "bad-input", "flag-required", "--cert"},
		{"missing input", []string{"sign", "--cert", s.id, filepath.Join(s.dir, "nope.txt")}, "bad-input", "unreadable", "no such file"},
		{"expired", []string{"sign", "--cert", expiredID, "--password-file", s.pwFile, doc}, "expired", "expired", "expired on"},
		{"no private key", []string{"sign", "--cert", thumbprint(s.p.root), doc}, "bad-input", "no-private-key", "no private key"},
		{"no password in a script", []string{"sign", "--cert", s.id, doc}, "bad-input", "sign-password-required", "--password-file"},
		{"out-dir is a file", []string{"sign", "--cert", s.id, "--out-dir", doc, doc}, "bad-input", "sign-out-dir-not-folder", "not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.e.run(append(tt.args, "--json")...)
			var out struct{ Error problem }
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("exit %d, not JSON: %s %s", r.code, r.stdout, r.stderr)
			}
			if r.code != 2 || out.Error.Code != tt.code || out.Error.Reason != tt.reason ||
				!strings.Contains(out.Error.Message+" "+out.Error.Hint, tt.text) {
				t.Errorf("exit %d, error %+v", r.code, out.Error)
			}
		})
	}
	if _, err := os.Stat(doc + ".sig"); err == nil {
		t.Error("a refused sign wrote a signature")
	}

	// The private key usage period of the Russian fixture ends 3 months
	// after testNow: the certificate is still valid, the key is not.
	s.e.now = testNow.AddDate(0, 4, 0)
	r := s.e.run("sign", "--cert", s.id, "--password-file", s.pwFile, doc, "--json")
	if r.code != 2 || !strings.Contains(r.stdout, `"code": "key-period-expired"`) {
		t.Errorf("key period over: exit %d %s", r.code, r.stdout)
	}
}
