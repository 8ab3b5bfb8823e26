package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/diagnose"
)

// checkOut is `podpis check --json`.
type checkOut struct {
	Status    string                  `json:"status"`
	File      string                  `json:"file"`
	ID        string                  `json:"id"`
	Kind      string                  `json:"kind"`
	Encoding  string                  `json:"encoding"`
	At        time.Time               `json:"at"`
	Offline   bool                    `json:"offline"`
	Usage     string                  `json:"usage"`
	Problems  []diagnose.ProblemView  `json:"problems"`
	Notes     []diagnose.ProblemView  `json:"notes"`
	Chain     []diagnose.LinkView     `json:"chain"`
	Checks    []diagnose.CheckView    `json:"checks"`
	Fetches   []diagnose.FetchView    `json:"fetches"`
	Qualified *diagnose.QualifiedView `json:"qualified"`
	Signers   []diagnose.ItemView     `json:"signers"`
	Converted string                  `json:"converted"`
	Report    string                  `json:"report"`
	Error     *problem                `json:"error"`
}

func (e *testEnv) checkJSON(t *testing.T, args ...string) (checkOut, result) {
	t.Helper()
	r := e.run(append(append([]string{"check"}, args...), "--json")...)
	var out checkOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("check --json: exit %d, not JSON: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return out, r
}

func findProblem(ps []diagnose.ProblemView, code string) (diagnose.ProblemView, bool) {
	for _, p := range ps {
		if p.Code == code {
			return p, true
		}
	}
	return diagnose.ProblemView{}, false
}

func TestCheckStoreCertificateByID(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	out, r := s.e.checkJSON(t, s.id[:10], "--offline")
	if r.code != 0 || out.Status != "valid" {
		t.Fatalf("exit %d, status %q: %s %+v", r.code, out.Status, r.stderr, out.Problems)
	}
	if out.ID != s.id || out.File != "" || out.Kind != "certificate" || !out.Offline || !out.At.Equal(testNow) {
		t.Errorf("header: %+v", out)
	}
	if out.Usage != "sign" {
		t.Errorf("usage %q, want sign for an end-entity certificate", out.Usage)
	}
	if len(out.Chain) != 3 || out.Chain[0].Thumbprint != s.id || out.Chain[0].Subject != "Иванов Иван Иванович" ||
		out.Chain[1].Subject != "Test Intermediate CA" || !out.Chain[2].Trusted || out.Chain[2].Thumbprint != thumbprint(s.p.root) {
		t.Errorf("chain %+v", out.Chain)
	}
	if len(out.Checks) == 0 {
		t.Error("no checks listed")
	}
	for _, c := range out.Checks {
		if c.Name == "" || c.Title == "" || c.Result == "" {
			t.Errorf("check %+v", c)
		}
		if c.Result == "fail" {
			t.Errorf("failed check on a valid certificate: %+v", c)
		}
	}
	for _, p := range out.Problems {
		if p.Severity == "error" || p.Message == "" || p.Code == "" {
			t.Errorf("problem %+v on a valid certificate", p)
		}
	}
	// Offline with nothing cached: revocation is unknown, a warning that
	// --strict turns into exit 3.
	if _, ok := findProblem(out.Problems, "revocation-unknown"); !ok {
		t.Errorf("no revocation-unknown offline: %+v", out.Problems)
	}
	if r := s.e.run("check", s.id, "--offline", "--strict"); r.code != exitUndecided {
		t.Errorf("--strict: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	if q := out.Qualified; q == nil || len(q.Fields) == 0 || q.SubjectSignTool == "" {
		t.Errorf("qualified %+v", out.Qualified)
	}
}

func TestCheckHumanOutputBothLanguages(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	for lang, want := range map[string][]string{
		"ru": {"Итог: проверка пройдена", "Цепочка сертификатов", "1. Иванов Иван Иванович", "3. Test Root CA — доверенный корневой", "Проверки:", "Квалифицированный сертификат", "СНИЛС 12345678901"},
		"en": {"Result: passed", "Certificate chain", "3. Test Root CA — trusted root", "Checks:", "Qualified certificate", "SNILS 12345678901"},
	} {
		r := s.e.run("check", s.id, "--offline", "--lang", lang)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", lang, r.code, r.stdout, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: output lacks %q:\n%s", lang, w, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "diag.") || strings.Contains(r.stdout, "chk.") {
			t.Errorf("%s: untranslated key in output:\n%s", lang, r.stdout)
		}
	}
}

func TestCheckExpiredCertificateFileIsInvalid(t *testing.T) {
	e := newTestEnv(t)
	p := newPKI(t)
	dir := t.TempDir()
	if r := e.run("trust", writeFile(t, dir, "root.pem", pemOf(p.root))); r.code != 0 {
		t.Fatalf("trust: %s", r.stderr)
	}
	expired, _ := p.leaf(t, leafOptions{cn: "Expired", notAfter: testNow.AddDate(0, 0, -3)})
	// The intermediate comes with it, as a bundle: the rest of a bundle
	// are chain candidates.
	file := writeFile(t, dir, "expired.pem", pemOf(expired, p.inter))
	out, r := e.checkJSON(t, file, "--offline")
	if r.code != exitInvalid || out.Status != "invalid" {
		t.Fatalf("exit %d status %q, want 1 invalid\n%s", r.code, out.Status, r.stdout)
	}
	if out.File != file || out.Kind != "bundle" || out.Encoding != "pem" {
		t.Errorf("header %+v", out)
	}
	p0, ok := findProblem(out.Problems, "expired")
	if !ok || p0.Severity != "error" || p0.Message == "" || p0.Hint == "" || p0.Cert != 0 {
		t.Errorf("expired problem %+v in %+v", p0, out.Problems)
	}
	if len(out.Chain) != 3 || out.Chain[1].Source != "extra" {
		t.Errorf("chain %+v", out.Chain)
	}
	// Human output: the problem and its fix.
	r = e.run("check", file, "--offline", "--lang", "ru")
	if r.code != exitInvalid || !strings.Contains(r.stdout, "✗ ") || !strings.Contains(r.stdout, "Что сделать: ") {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
}

func TestCheckCACertificateIsCheckedAsCA(t *testing.T) {
	e := newTestEnv(t)
	p := newPKI(t)
	dir := t.TempDir()
	if r := e.run("trust", writeFile(t, dir, "root.pem", pemOf(p.root))); r.code != 0 {
		t.Fatalf("trust: %s", r.stderr)
	}
	inter := writeFile(t, dir, "inter.cer", p.inter.Raw)
	out, r := e.checkJSON(t, inter, "--offline")
	if out.Usage != "ca" || out.Kind != "certificate" || out.Encoding != "der" || r.code == exitBadInput {
		t.Errorf("exit %d: %+v", r.code, out)
	}
	// Asked to check it for signing, the key usage does not fit.
	out, r = e.checkJSON(t, inter, "--offline", "--usage", "sign")
	if _, ok := findProblem(out.Problems, "key-usage"); r.code != exitInvalid || out.Usage != "sign" || !ok {
		t.Errorf("--usage sign: exit %d %+v", r.code, out.Problems)
	}
	if r := e.run("check", inter, "--usage", "root"); r.code != exitBadInput || !strings.Contains(r.stderr, "--usage") {
		t.Errorf("--usage root: exit %d %s", r.code, r.stderr)
	}
}

func TestCheckPEMNoteAndConvert(t *testing.T) {
	e := newTestEnv(t)
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "PEM Owner"})
	dir := t.TempDir()
	file := writeFile(t, dir, "owner.cer", pemOf(leaf))

	out, _ := e.checkJSON(t, file, "--offline")
	if len(out.Notes) == 0 || out.Notes[0].Code != "format-pem" || out.Notes[0].Severity != "info" ||
		!strings.Contains(out.Notes[0].Hint, "--convert") {
		t.Fatalf("notes %+v", out.Notes)
	}
	if _, ok := findProblem(out.Problems, "format-pem"); ok {
		t.Error("an information note is listed among the problems")
	}

	der := filepath.Join(dir, "owner-der.cer")
	r := e.run("check", file, "--offline", "--convert", der, "--lang", "ru")
	if r.code == exitBadInput {
		t.Fatalf("--convert: exit %d %s", r.code, r.stderr)
	}
	got, err := os.ReadFile(der)
	if err != nil || !bytes.Equal(got, leaf.Raw) {
		t.Fatalf("converted file: %v, DER equal %v", err, bytes.Equal(got, leaf.Raw))
	}
	if !strings.Contains(r.stdout, "Файл в текстовом формате PEM") || !strings.Contains(r.stdout, "возьмите файл "+der) {
		t.Errorf("no conversion note:\n%s", r.stdout)
	}
	// Never over an existing file without --force.
	if r := e.run("check", file, "--offline", "--convert", der); r.code != exitBadInput || !strings.Contains(r.stderr, "exists") {
		t.Errorf("second --convert: exit %d %s", r.code, r.stderr)
	}
	// DER back to PEM.
	pemOut := filepath.Join(dir, "back.pem")
	if r := e.run("check", der, "--offline", "--convert", pemOut); r.code == exitBadInput {
		t.Fatalf("DER --convert: %s", r.stderr)
	}
	back, _ := os.ReadFile(pemOut)
	if block, _ := pem.Decode(back); block == nil || block.Type != "CERTIFICATE" || !bytes.Equal(block.Bytes, leaf.Raw) {
		t.Errorf("PEM from DER: %q", back)
	}
}

func TestCheckReport(t *testing.T) {
	e := newTestEnv(t)
	p := newPKI(t)
	hostile := "<script>alert(1)</script> & \"Ко\""
	leaf, _ := p.leaf(t, leafOptions{cn: hostile})
	dir := t.TempDir()
	file := writeFile(t, dir, "hostile.cer", leaf.Raw)
	report := filepath.Join(dir, "report.html")

	r := e.run("check", file, "--offline", "--report", report, "--lang", "ru")
	if r.code == exitBadInput {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Отчёт сохранён: "+report) {
		t.Errorf("where the report went is not said:\n%s", r.stdout)
	}
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	if strings.Contains(page, "<script") {
		t.Error("the subject's <script> reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the subject is not shown escaped")
	}
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`).MatchString(page) || strings.Contains(page, "@import") {
		t.Error("the report loads something from outside")
	}
	for _, want := range []string{"<!DOCTYPE html>", `<html lang="ru">`, "<style>", "Цепочка сертификатов", "Проверки", leaf.SerialNumber.Text(16)} {
		if !strings.Contains(strings.ToLower(page), strings.ToLower(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Refuses to overwrite; --force replaces.
	r = e.run("check", file, "--offline", "--report", report, "--json")
	var out checkOut
	_ = json.Unmarshal([]byte(r.stdout), &out)
	if r.code != exitBadInput || out.Error == nil || out.Error.Reason != "output-exists" {
		t.Errorf("second report: exit %d %s", r.code, r.stdout)
	}
	if again, _ := os.ReadFile(report); !bytes.Equal(again, html) {
		t.Error("the existing report was changed")
	}
	out, r = e.checkJSON(t, file, "--offline", "--report", report, "--force")
	if r.code == exitBadInput || out.Report != report {
		t.Errorf("--force: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestCheckPKCS12(t *testing.T) {
	e := newTestEnv(t)
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Container Owner"})
	dir := t.TempDir()
	file := writeFile(t, dir, "owner.p12", p12(t, key, leaf, []*x509.Certificate{p.inter, p.root}, "secret", false))

	out, r := e.checkJSON(t, file, "--password-file", writeFile(t, dir, "bad.txt", []byte("wrong\n")))
	if r.code != exitBadInput || out.Error == nil || out.Error.Code != "wrong-password" {
		t.Fatalf("wrong password: exit %d %s", r.code, r.stdout)
	}
	if r := e.run("check", file); r.code != exitBadInput || !strings.Contains(r.stderr, "--password-file") {
		t.Errorf("no password in a script: exit %d %s", r.code, r.stderr)
	}
	// On a terminal: asked, a wrong one may be typed again.
	e.term = &fakeTerminal{passwords: []string{"nope", "secret"}}
	out, r = e.checkJSON(t, file, "--offline")
	if r.code == exitBadInput || out.Kind != "pkcs12" || len(out.Chain) == 0 || out.Chain[0].Thumbprint != thumbprint(leaf) {
		t.Fatalf("terminal password: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if len(e.term.prompts) != 2 {
		t.Errorf("prompts %q", e.term.prompts)
	}
	// The container's CA certificates fill the chain even though the
	// store does not know them; the root is not trusted.
	if len(out.Chain) < 2 || out.Chain[1].Thumbprint != thumbprint(p.inter) {
		t.Errorf("chain %+v", out.Chain)
	}
	if _, ok := findProblem(out.Problems, "untrusted-root"); !ok || r.code != exitInvalid {
		t.Errorf("untrusted root not reported: %+v", out.Problems)
	}
	e.term = nil
	if r := e.run("check", file, "--password-file", writeFile(t, dir, "ok.txt", []byte("secret\n")), "--offline", "--convert", filepath.Join(dir, "x.cer")); r.code != exitBadInput {
		t.Errorf("--convert of a container: exit %d", r.code)
	}
}

func TestCheckSignature(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	doc := s.doc(t, "a.xml", "<a/>")
	if r := s.sign(t, doc); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	out, r := s.e.checkJSON(t, doc+".sig", "--offline")
	if r.code != 0 || out.Status != "valid" || out.Kind != "signature" || len(out.Signers) != 1 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	sg := out.Signers[0]
	if sg.Signature == nil || !sg.Signature.Valid || sg.Signature.SigningTime == nil || len(sg.Chain) != 3 || sg.Chain[0].Thumbprint != s.id {
		t.Errorf("signer %+v", sg)
	}
	// The document changed: the signature is invalid.
	if err := os.WriteFile(doc, []byte("<b/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, r = s.e.checkJSON(t, doc+".sig", "--offline")
	if _, ok := findProblem(out.Problems, "signature-invalid"); r.code != exitInvalid || !ok {
		t.Errorf("changed document: exit %d %+v", r.code, out.Problems)
	}
	r = s.e.run("check", doc+".sig", "--offline", "--lang", "ru")
	if !strings.Contains(r.stdout, "Подписант 1 из 1: Иванов Иван Иванович") || !strings.Contains(r.stdout, "подпись не верна") {
		t.Errorf("human output:\n%s", r.stdout)
	}
}

func TestCheckBadInput(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		reason string
	}{
		{"unknown ID", []string{"0123456789abcdef"}, "not-found"},
		{"missing file", []string{filepath.Join(dir, "nope.cer")}, "unreadable"},
		{"folder", []string{dir}, "is-directory"},
		{"empty file", []string{writeFile(t, dir, "empty.cer", nil)}, "empty"},
		{"text", []string{writeFile(t, dir, "notes.txt", []byte("hello, world\n"))}, "text-not-pem"},
		{"bad --at", []string{"0123456789abcdef", "--at", "yesterday"}, "flag-value-invalid"},
	} {
		out, r := e.checkJSON(t, tc.args...)
		if r.code != exitBadInput || out.Error == nil || out.Error.Reason != tc.reason || out.Error.Message == "" {
			t.Errorf("%s: exit %d, %s", tc.name, r.code, r.stdout)
		}
	}
}

func TestCheckHelp(t *testing.T) {
	e := newTestEnv(t)
	r := e.run("check", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "podpis check ID|FILE") || !strings.Contains(r.stdout, "--report") {
		t.Errorf("exit %d %s", r.code, r.stdout)
	}
}
