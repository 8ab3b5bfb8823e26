package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verifyOut is `podpis verify --json`.
type verifyOut struct {
	Status    string           `json:"status"`
	Signature string           `json:"signature"`
	Content   string           `json:"content"`
	Attached  bool             `json:"attached"`
	Signers   []signerJSON     `json:"signers"`
	Problems  []sigProblemJSON `json:"problems"`
}

func (s *signSetup) verifyJSON(t *testing.T, args ...string) (verifyOut, result) {
	t.Helper()
	r := s.e.run(append(append([]string{"verify"}, args...), "--json")...)
	var v verifyOut
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("verify --json: exit %d, not JSON: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return v, r
}

func hasReason(ps []sigProblemJSON, reason string) (sigProblemJSON, bool) {
	for _, p := range ps {
		if p.Reason == reason {
			return p, true
		}
	}
	return sigProblemJSON{}, false
}

func TestVerifyJSONShape(t *testing.T) {
	s := newSignSetup(t, leafOptions{russian: true})
	doc := s.doc(t, "a.xml", "<a/>")
	if r := s.sign(t, doc); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	v, r := s.verifyJSON(t, doc+".sig")
	if r.code != 0 || v.Status != "valid" || v.Attached || v.Content != doc || v.Signature != doc+".sig" || len(v.Signers) != 1 {
		t.Fatalf("exit %d: %+v", r.code, v)
	}
	sg := v.Signers[0]
	if sg.Index != 0 || sg.Subject != "Иванов Иван Иванович" || sg.INN != "123456789012" || sg.SNILS != "12345678901" ||
		sg.Issuer != "Test Intermediate CA" || sg.Serial == "" || sg.NotBefore == nil || sg.NotAfter == nil ||
		sg.SigningTime == nil || !sg.SigningTime.Equal(testNow) || !sg.SignatureValid || sg.Status != "valid" || len(sg.Chain) != 3 {
		t.Errorf("signer %+v", sg)
	}
	for _, p := range append(v.Problems, sg.Problems...) {
		if p.Severity == "error" || p.Message == "" || p.Code == "" {
			t.Errorf("problem %+v on a valid signature", p)
		}
	}
	// The raw keys scripts rely on (DESIGN): status, signers, problems and
	// per signer the fields below.
	var raw map[string]any
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"status", "signers", "problems"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, r.stdout)
		}
	}
	signer0 := raw["signers"].([]any)[0].(map[string]any)
	for _, k := range []string{"index", "subject", "inn", "snils", "serial", "issuer", "not_before", "not_after", "signing_time", "signature_valid", "status", "problems"} {
		if _, ok := signer0[k]; !ok {
			t.Errorf("signer lacks %q: %v", k, signer0)
		}
	}
}

func TestVerifyTamperedContent(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	doc := s.doc(t, "a.txt", "pay 100 roubles")
	if r := s.sign(t, doc); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	if err := os.WriteFile(doc, []byte("pay 900 roubles"), 0o644); err != nil {
		t.Fatal(err)
	}
	v, r := s.verifyJSON(t, doc+".sig")
	if r.code != 1 || v.Status != "invalid" || len(v.Signers) != 1 || v.Signers[0].SignatureValid {
		t.Fatalf("tampered: exit %d %+v", r.code, v)
	}
	p, ok := hasReason(v.Signers[0].Problems, "content-mismatch")
	if !ok || p.Code != "signature-invalid" || p.Severity != "error" {
		t.Fatalf("no content-mismatch error: %+v", v.Signers[0].Problems)
	}
	if _, ok := hasReason(v.Problems, "content-mismatch"); !ok {
		t.Errorf("the signer's problem is not in the overall list: %+v", v.Problems)
	}
	for _, lang := range []string{"en", "ru"} {
		l := s.e.localizer(lang)
		r := s.e.run("verify", doc+".sig", "--lang", lang)
		msg := l.T("err.sig-content-mismatch", nil)
		if r.code != 1 || msg == "err.sig-content-mismatch" || !strings.Contains(r.stdout, msg) || !strings.Contains(r.stdout, l.T("cli.verify.result.invalid")) {
			t.Errorf("%s: exit %d, output lacks %q:\n%s", lang, r.code, msg, r.stdout)
		}
	}
}

func TestVerifyFindsTheDocument(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	doc := s.doc(t, "report.pdf", "%PDF-1.4 ...")
	if r := s.sign(t, doc, "--pem"); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	data, _ := os.ReadFile(doc + ".sig")
	if !strings.HasPrefix(string(data), "-----BEGIN CMS-----") {
		t.Errorf("--pem wrote %q", data[:min(20, len(data))])
	}
	// Beside it under another signature suffix: found as well.
	p7s := filepath.Join(s.dir, "report.pdf.p7s")
	if err := os.Rename(doc+".sig", p7s); err != nil {
		t.Fatal(err)
	}
	if v, r := s.verifyJSON(t, p7s); r.code != 0 || v.Content != doc {
		t.Errorf("sibling .p7s: exit %d %+v %s", r.code, v, r.stderr)
	}
	// Elsewhere: --content names the document.
	moved := filepath.Join(t.TempDir(), "sig.p7s")
	if err := os.Rename(p7s, moved); err != nil {
		t.Fatal(err)
	}
	r := s.e.run("verify", moved)
	if r.code != 2 || !strings.Contains(r.stderr, "detached signature") || !strings.Contains(r.stderr, "--content") {
		t.Errorf("no document: exit %d %s", r.code, r.stderr)
	}
	if v, r := s.verifyJSON(t, moved, "--content", doc); r.code != 0 || v.Status != "valid" {
		t.Errorf("--content: exit %d %+v", r.code, v)
	}
}

func TestVerifyAttachedStrictAtAndBadInput(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	doc := s.doc(t, "a.txt", "attached content")
	if r := s.sign(t, doc, "--attached"); r.code != 0 {
		t.Fatalf("sign --attached: %s", r.stderr)
	}
	v, r := s.verifyJSON(t, doc+".sig")
	if r.code != 0 || !v.Attached || v.Status != "valid" {
		t.Fatalf("attached: exit %d %+v", r.code, v)
	}

	// Revocation is not checked yet: a warning, which --strict turns into
	// an undecided result.
	v, r = s.verifyJSON(t, doc+".sig", "--strict", "--offline")
	if r.code != 3 || v.Status != "indeterminate" {
		t.Errorf("--strict: exit %d %+v", r.code, v)
	}

	// --at before the certificate began: not valid then.
	before := testNow.AddDate(-2, 0, 0).Format(time.DateOnly)
	v, r = s.verifyJSON(t, doc+".sig", "--at", before)
	if r.code != 1 || v.Status != "invalid" {
		t.Errorf("--at %s: exit %d %+v", before, r.code, v)
	}
	if v, r = s.verifyJSON(t, doc+".sig", "--at", testNow.Format(time.RFC3339)); r.code != 0 {
		t.Errorf("--at RFC 3339: exit %d %+v", r.code, v)
	}
	if r = s.e.run("verify", doc+".sig", "--at", "yesterday"); r.code != 2 || !strings.Contains(r.stderr, "2025-03-01") {
		t.Errorf("--at yesterday: exit %d %s", r.code, r.stderr)
	}

	// Not a signature at all, a missing file, a folder: bad input.
	notSig := s.doc(t, "notes.txt", "just text, not a signature")
	for _, path := range []string{notSig, filepath.Join(s.dir, "missing.sig"), s.dir} {
		r := s.e.run("verify", path, "--json")
		var out struct{ Error problem }
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 2 || out.Error.Code != "bad-input" || out.Error.Message == "" {
			t.Errorf("%s: exit %d %s %s", path, r.code, r.stdout, r.stderr)
		}
	}
}

func TestVerifyUntrustedRoot(t *testing.T) {
	s := newSignSetup(t, leafOptions{})
	doc := s.doc(t, "a.txt", "a")
	if r := s.sign(t, doc, "--chain"); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	// A fresh store that trusts nothing: the signature's own certificates
	// make the chain, but its root is not trusted.
	other := newTestEnv(t)
	r := other.run("verify", doc+".sig", "--json")
	var v verifyOut
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v %s", err, r.stdout)
	}
	if r.code != 1 || v.Status != "invalid" || !v.Signers[0].SignatureValid {
		t.Errorf("untrusted: exit %d %+v", r.code, v)
	}
	if p, ok := hasReason(v.Signers[0].Problems, "untrusted-root"); !ok || p.Code != "untrusted-root" {
		t.Errorf("no untrusted-root problem: %+v", v.Signers[0].Problems)
	}
}

func TestCosign(t *testing.T) {
	s := newSignSetup(t, leafOptions{cn: "Первый Подписант"})
	_, secondID := s.addSigner(t, leafOptions{cn: "Второй Подписант"})
	doc := s.doc(t, "contract.txt", "the contract")
	if r := s.sign(t, doc); r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	original, _ := os.ReadFile(doc + ".sig")

	r := s.e.run("cosign", "--cert", secondID, doc+".sig", "--password-file", s.pwFile)
	cosigned := filepath.Join(s.dir, "contract.txt.cosigned.sig")
	if r.code != 0 || !strings.Contains(r.stdout, cosigned) {
		t.Fatalf("cosign: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if now, _ := os.ReadFile(doc + ".sig"); string(now) != string(original) {
		t.Error("cosign changed the original signature")
	}
	v, r := s.verifyJSON(t, cosigned)
	if r.code != 0 || v.Content != doc || len(v.Signers) != 2 ||
		v.Signers[0].Subject != "Первый Подписант" || v.Signers[1].Subject != "Второй Подписант" {
		t.Fatalf("verify co-signed: exit %d %+v", r.code, v)
	}

	// Never over an existing file without --force, never over SIG itself.
	r = s.e.run("cosign", "--cert", secondID, doc+".sig", "--password-file", s.pwFile)
	if r.code != 2 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("cosign over existing output: exit %d %s", r.code, r.stderr)
	}
	r = s.e.run("cosign", "--cert", secondID, doc+".sig", "--out", doc+".sig", "--force", "--password-file", s.pwFile)
	if r.code != 2 || !strings.Contains(r.stderr, "cannot be written over") {
		t.Errorf("cosign over SIG: exit %d %s", r.code, r.stderr)
	}

	// Another document: refused, nothing written.
	other := s.doc(t, "other.txt", "another contract")
	out := filepath.Join(s.dir, "x.sig")
	r = s.e.run("cosign", "--cert", secondID, doc+".sig", "--content", other, "--out", out, "--password-file", s.pwFile, "--json")
	if r.code != 2 || !strings.Contains(r.stdout, `"reason": "sig-`) {
		t.Errorf("cosign over other content: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused co-signature was written")
	}

	// Attached: the form is kept, --json reports it.
	att := s.doc(t, "att.txt", "attached")
	if r := s.sign(t, att, "--attached"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = s.e.run("cosign", "--cert", secondID, att+".sig", "--out", filepath.Join(s.dir, "att2.p7s"), "--password-file", s.pwFile, "--json")
	var cj cosignJSON
	if err := json.Unmarshal([]byte(r.stdout), &cj); err != nil || r.code != 0 || !cj.Attached || cj.Certificate != secondID {
		t.Fatalf("attached cosign: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if v, r := s.verifyJSON(t, filepath.Join(s.dir, "att2.p7s")); r.code != 0 || !v.Attached || len(v.Signers) != 2 {
		t.Errorf("verify attached co-signed: exit %d %+v", r.code, v)
	}
}

func TestCosignOutputName(t *testing.T) {
	for in, want := range map[string]string{
		"doc.xml.sig":          "doc.xml.cosigned.sig",
		"dir/doc.xml.SIG":      "dir/doc.xml.cosigned.SIG",
		"doc.xml.p7s":          "doc.xml.cosigned.p7s",
		"doc.p7m":              "doc.p7m.cosigned.sig",
		"doc.xml.cosigned.sig": "doc.xml.cosigned.cosigned.sig",
	} {
		if got := cosignOutput(in); got != want {
			t.Errorf("cosignOutput(%q) = %q, want %q", in, got, want)
		}
	}
	dir := t.TempDir()
	doc := writeFile(t, dir, "doc.xml", []byte("x"))
	for _, sig := range []string{"doc.xml.sig", "doc.xml.cosigned.sig", "doc.xml.cosigned.cosigned.p7s"} {
		if got, ok := siblingContent(filepath.Join(dir, sig)); !ok || got != doc {
			t.Errorf("siblingContent(%s) = %q %v", sig, got, ok)
		}
	}
	if _, ok := siblingContent(filepath.Join(dir, "other.sig")); ok {
		t.Error("a sibling found for other.sig")
	}
}
