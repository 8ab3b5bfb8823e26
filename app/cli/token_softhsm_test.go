package cli

import (
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/certstore/token/tokentest"
	"github.com/podpis/podpis/internal/softhsm"
	"github.com/podpis/podpis/internal/testenv"
)

// These tests run the commands on a real PKCS#11 token: SoftHSM2 set up
// in the test's folder (internal/softhsm), with an RSA-2048 and an ECDSA
// P-256 key pair and certificates from a test CA. Under CI=true a missing
// softhsm2, pkcs11-tool or openssl fails them.

// hsmSetup is a SoftHSM2 token and a store that knows the test CA.
type hsmSetup struct {
	tk      *softhsm.Token
	e       *testEnv
	pinFile string
	openssl string
	dir     string // documents
}

func newHSMSetup(t *testing.T) *hsmSetup {
	t.Helper()
	s := &hsmSetup{tk: softhsm.New(t, softhsm.Options{}), e: newTestEnv(t), openssl: testenv.LookPath(t, "openssl"), dir: t.TempDir()}
	s.e.now = time.Now()
	s.pinFile = writeFile(t, t.TempDir(), "pin", []byte(s.tk.PIN()+"\n"))
	if r := s.e.run("trust", s.tk.CAFile); r.code != 0 {
		t.Fatalf("trust the test CA: %d %s", r.code, r.stderr)
	}
	return s
}

// counting gives the store a library whose modules count C_Login and
// C_Sign (and can pull the token out), for the runs that follow.
func (s *hsmSetup) counting(t *testing.T) *tokentest.Counter {
	t.Helper()
	if s.e.tokens != nil {
		_ = s.e.tokens.Close()
	}
	open, c := tokentest.Counting(token.OpenModule)
	s.e.tokens = token.NewLibrary(open)
	lib := s.e.tokens
	t.Cleanup(func() { _ = lib.Close() })
	return c
}

// importAll runs token import with the PIN and returns the IDs by the
// certificates' algorithm.
func (s *hsmSetup) importAll(t *testing.T) map[softhsm.Algorithm]string {
	t.Helper()
	r := s.e.run("token", "import", "--module", s.tk.Module(), "--pin-file", s.pinFile)
	if r.code != 0 {
		t.Fatalf("token import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ids := map[softhsm.Algorithm]string{}
	for _, k := range s.tk.Keys {
		ids[k.Algorithm] = thumbprint(k.Cert)
	}
	return ids
}

func (s *hsmSetup) doc(t *testing.T, name string) string {
	t.Helper()
	return writeFile(t, s.dir, name, []byte("документ "+name+"\n"))
}

// opensslVerify checks a signature with `openssl cms -verify` against the
// fixture's CA: detached when content is given.
func (s *hsmSetup) opensslVerify(t *testing.T, sig, content string) {
	t.Helper()
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-CAfile", s.tk.CAFile, "-out", os.DevNull}
	if content != "" {
		args = append(args, "-content", content)
	}
	if out, err := exec.Command(s.openssl, args...).CombinedOutput(); err != nil {
		t.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestTokenSoftHSMListImportSignVerify(t *testing.T) {
	s := newHSMSetup(t)
	tk, e := s.tk, s.e
	rsaKey, ecKey := tk.Key(softhsm.RSA2048), tk.Key(softhsm.ECDSAP256)

	// token list --json, without the PIN: both certificates, the public
	// halves of their key pairs, nothing in the store yet.
	r := e.run("token", "list", "--module", tk.Module(), "--json")
	out := decodeJSON[tokenListOut](t, r)
	if r.code != 0 || out.Tokens != 1 || len(out.Modules) != 1 || out.Error != nil {
		t.Fatalf("token list: exit %d %+v\n%s", r.code, out, r.stderr)
	}
	m := out.Modules[0]
	if m.Path != tk.Module() || m.Source != "flag" || m.Error != nil || !strings.Contains(m.Manufacturer+m.Description, "SoftHSM") || m.Version == "" {
		t.Errorf("module = %+v", m)
	}
	var tj *struct{ label, serial string }
	for _, sl := range m.Slots {
		if sl.Token == nil || !sl.Token.Initialized {
			continue // SoftHSM2's free slot holds a blank token
		}
		tok := sl.Token
		if sl.ID != tk.Slot() || tok.Label != tk.Label() || tok.Serial != tk.Serial() || !tok.LoginRequired || tok.LoggedIn ||
			tok.PIN.State != "ok" || tok.Manufacturer == "" || tok.Model == "" {
			t.Errorf("token = %+v (slot %d)", tok, sl.ID)
		}
		if !contains(tok.Flags, "login-required") || !contains(tok.Mechanisms, "CKM_RSA_PKCS") || !contains(tok.Mechanisms, "CKM_ECDSA") {
			t.Errorf("flags %q, mechanisms %q", tok.Flags, tok.Mechanisms)
		}
		if len(tok.Certificates) != 2 {
			t.Fatalf("%d certificates on the token, want 2", len(tok.Certificates))
		}
		for i, want := range []*softhsm.Key{rsaKey, ecKey} {
			c := tok.Certificates[i]
			if c.ID != hex.EncodeToString(want.ID) || c.SubjectCommonName != want.Cert.Subject.CommonName ||
				c.IssuerCommonName != "Тестовый УЦ Подпись" || c.Thumbprint != thumbprint(want.Cert) ||
				c.Key != "public-only" || c.InStore || !c.NotAfter.Equal(want.Cert.NotAfter.UTC()) {
				t.Errorf("certificate %d = %+v", i, c)
			}
		}
		if tok.Certificates[0].KeyType != "RSA" || tok.Certificates[1].KeyType != "ECDSA" {
			t.Errorf("key types %q %q", tok.Certificates[0].KeyType, tok.Certificates[1].KeyType)
		}
		tj = &struct{ label, serial string }{tok.Label, tok.Serial}
	}
	if tj == nil {
		t.Fatalf("no slot with the token: %+v", m.Slots)
	}

	// The same as text, in Russian.
	r = e.run("token", "list", "--module", tk.Module(), "--lang", "ru")
	for _, want := range []string{"Модуль " + tk.Module(), "указан в --module", fmt.Sprintf("Слот %d", tk.Slot()),
		"Токен «Podpis Test»", "серийный номер: " + tk.Serial(), "PIN-код: ", "нужен PIN-код",
		"2 сертификата:", "Тестовый Токен RSA, издатель Тестовый УЦ Подпись", "Тестовый Токен ECDSA",
		"CKA_ID 01; ключевая пара: без PIN-кода не видна", "CKA_ID 02", "в хранилище: нет", "CKM_RSA_PKCS", "--pin-file"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("token list lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 0 || r.stderr != "" {
		t.Errorf("token list: exit %d, stderr %q", r.code, r.stderr)
	}

	// With the PIN the private keys are seen.
	r = e.run("token", "list", "--module", tk.Module(), "--pin-file", s.pinFile, "--json")
	out = decodeJSON[tokenListOut](t, r)
	if tok := tokenOf(out); tok == nil || !tok.LoggedIn || tok.Certificates[0].Key != "private" || tok.Certificates[1].Key != "private" {
		t.Errorf("token list with the PIN: exit %d %+v", r.code, tok)
	}

	ids := s.importAll(t)
	r = e.run("token", "import", "--module", tk.Module(), "--pin-file", s.pinFile)
	if r.code != 0 || !strings.Contains(r.stdout, "token “Podpis Test” ("+tk.Serial()+"): already in the store") ||
		!strings.Contains(r.stdout, "key on the token “Podpis Test”") {
		t.Errorf("second import: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// list and show mark them: the token's name, plugged in now.
	items := e.listJSON()
	tokenItems := 0
	for _, it := range items {
		if it.Token == nil {
			continue
		}
		tokenItems++
		if it.List != "personal" || !it.HasKey || it.KeyLocation != "token" || it.Token.Label != tk.Label() ||
			it.Token.Serial != tk.Serial() || it.Token.Module != tk.Module() || !it.Token.Present {
			t.Errorf("list item %+v token %+v", it, it.Token)
		}
	}
	if tokenItems != 2 {
		t.Errorf("%d token entries in list, want 2", tokenItems)
	}
	r = e.run("list", "--lang", "ru")
	if !strings.Contains(r.stdout, "ключ на токене «Podpis Test» (подключён)") {
		t.Errorf("list does not mark the token:\n%s", r.stdout)
	}
	r = e.run("show", ids[softhsm.RSA2048])
	if !strings.Contains(r.stdout, "key on the token “Podpis Test” (plugged in), serial number "+tk.Serial()) {
		t.Errorf("show:\n%s", r.stdout)
	}
	r = e.run("token", "list", "--module", tk.Module(), "--json")
	if tok := tokenOf(decodeJSON[tokenListOut](t, r)); tok == nil || !tok.Certificates[0].InStore || !tok.Certificates[1].InStore {
		t.Errorf("token list does not see the store: %+v", tok)
	}

	// Sign detached and attached with each key; OpenSSL and podpis
	// verify every signature.
	for _, k := range []*softhsm.Key{rsaKey, ecKey} {
		id := ids[k.Algorithm]
		for _, attached := range []bool{false, true} {
			name := fmt.Sprintf("%s-attached-%v.txt", k.Algorithm, attached)
			doc := s.doc(t, name)
			args := []string{"sign", "--cert", id[:10], "--pin-file", s.pinFile, "--json", doc}
			if attached {
				args = append(args, "--attached")
			}
			r := e.run(args...)
			so := decodeJSON[signKeyOut](t, r)
			if r.code != 0 || so.Totals.Signed != 1 || so.Key.Location != "token" || so.Key.Token != tk.Label() || so.Key.Serial != tk.Serial() {
				t.Fatalf("sign %s: exit %d %+v\n%s", name, r.code, so, r.stderr)
			}
			if attached {
				s.opensslVerify(t, doc+".sig", "")
			} else {
				s.opensslVerify(t, doc+".sig", doc)
			}
			if r := e.run("verify", doc+".sig"); r.code != 0 || !strings.Contains(r.stdout, k.Cert.Subject.CommonName) {
				t.Errorf("podpis verify %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
			}
		}
	}
	// Text output says where the key was.
	doc := s.doc(t, "text.txt")
	r = e.run("sign", "--cert", ids[softhsm.ECDSAP256], "--pin-file", s.pinFile, doc, "--lang", "ru")
	if r.code != 0 || !strings.Contains(r.stdout, "Подпись создана на токене «Podpis Test» ("+tk.Serial()+")") {
		t.Errorf("sign text: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// cosign on the token too.
	r = e.run("cosign", "--cert", ids[softhsm.RSA2048], "--pin-file", s.pinFile, doc+".sig")
	if r.code != 0 || !strings.Contains(r.stdout, "Signed on the token “Podpis Test”") {
		t.Errorf("cosign: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s.opensslVerify(t, doc+".cosigned.sig", doc)

	// A token entry has no container: passwd and export .pfx say so.
	r = e.run("passwd", ids[softhsm.RSA2048])
	if r.code != 2 || !strings.Contains(r.stderr, "has its key on the token “Podpis Test”") || !strings.Contains(r.stderr, "podpis token passwd") {
		t.Errorf("passwd of a token entry: %d %s", r.code, r.stderr)
	}
	r = e.run("export", ids[softhsm.RSA2048], "--format", "pfx", "--out", filepath.Join(t.TempDir(), "k.pfx"))
	if r.code != 2 || !strings.Contains(r.stderr, "cannot be exported to a .pfx") {
		t.Errorf("export pfx of a token entry: %d %s", r.code, r.stderr)
	}

	// The token taken away (its folder gone): list says not plugged in.
	away := tk.TokenDir + ".away"
	if err := os.Rename(tk.TokenDir, away); err != nil {
		t.Fatal(err)
	}
	for _, it := range e.listJSON() {
		if it.Token != nil && it.Token.Present {
			t.Errorf("token entry present with the token gone: %+v", it.Token)
		}
	}
	r = e.run("list")
	if !strings.Contains(r.stdout, "key on the token “Podpis Test” (not plugged in)") {
		t.Errorf("list with the token gone:\n%s", r.stdout)
	}
	r = e.run("sign", "--cert", ids[softhsm.RSA2048], "--pin-file", s.pinFile, s.doc(t, "gone.txt"))
	if r.code != 2 || !strings.Contains(r.stderr, "is not plugged in") {
		t.Errorf("sign with the token gone: %d %s", r.code, r.stderr)
	}
	if err := os.Rename(away, tk.TokenDir); err != nil {
		t.Fatal(err)
	}

	// Deleting a token entry asks nothing: the key stays on the token.
	r = e.run("delete", ids[softhsm.ECDSAP256])
	if r.code != 0 || !strings.Contains(r.stdout, "The key stays on the token “Podpis Test”") {
		t.Errorf("delete: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func tokenOf(out tokenListOut) *tokenOut {
	for _, m := range out.Modules {
		for _, sl := range m.Slots {
			if sl.Token != nil && sl.Token.Initialized {
				return sl.Token
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A batch logs in once; a token pulled out in the middle stops it with a
// clear message, the signatures made are whole and valid, and a re-run
// signs the rest.
func TestTokenSoftHSMBatchLoginOncePullAndRerun(t *testing.T) {
	s := newHSMSetup(t)
	ids := s.importAll(t)
	id := ids[softhsm.RSA2048]

	c := s.counting(t)
	batch := filepath.Join(s.dir, "batch")
	for i := range 20 {
		writeFile(t, mkdir(t, batch), fmt.Sprintf("doc%02d.xml", i), []byte(fmt.Sprintf("<doc n=\"%d\"/>", i)))
	}
	r := s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, batch)
	if r.code != 0 || !strings.Contains(r.stdout, "Signed: 20, skipped: 0, failed: 0") {
		t.Fatalf("batch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if c.Logins() != 1 || c.Signs() != 20 {
		t.Errorf("a batch of 20: %d C_Login, %d C_Sign; want 1 and 20", c.Logins(), c.Signs())
	}

	// Pulled out after 5 signatures.
	c = s.counting(t)
	pulled := filepath.Join(s.dir, "pulled")
	for i := range 20 {
		writeFile(t, mkdir(t, pulled), fmt.Sprintf("doc%02d.xml", i), []byte(fmt.Sprintf("<doc n=\"%d\"/>", i)))
	}
	c.PullAfterSigns(5)
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, pulled, "--lang", "ru")
	if r.code != 1 {
		t.Fatalf("pulled: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Подписание остановлено после 5 подписанных файлов", "Токен «Podpis Test» извлечён",
		"повторный запуск той же команды подпишет остальные"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	sigs := signatures(t, pulled)
	if len(sigs) != 5 {
		t.Fatalf("%d signatures after the pull, want 5: %q", len(sigs), sigs)
	}
	entries, _ := os.ReadDir(pulled)
	if len(entries) != 25 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %d files, want 20 documents and 5 signatures (no partial files): %q", len(entries), names)
	}
	for _, sig := range sigs {
		s.opensslVerify(t, sig, strings.TrimSuffix(sig, ".sig"))
	}

	// JSON of the same: stopped says why.
	c = s.counting(t)
	again := filepath.Join(s.dir, "json")
	for i := range 8 {
		writeFile(t, mkdir(t, again), fmt.Sprintf("d%d.txt", i), []byte("x"))
	}
	c.PullAfterSigns(2)
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, again, "--json")
	so := decodeJSON[signKeyOut](t, r)
	if r.code != 1 || so.Stopped == nil || so.Stopped.Reason != "token-removed" || so.Totals.Signed != 2 {
		t.Errorf("pulled --json: exit %d %+v stopped %+v", r.code, so, so.Stopped)
	}

	// A re-run with the token back (a fresh library: as a new process)
	// signs the rest and skips the 5.
	c = s.counting(t)
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, pulled)
	if r.code != 0 || !strings.Contains(r.stdout, "Signed: 15, skipped: 5, failed: 0") {
		t.Fatalf("re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if c.Logins() != 1 {
		t.Errorf("re-run: %d C_Login", c.Logins())
	}
	sigs = signatures(t, pulled)
	if len(sigs) != 20 {
		t.Errorf("%d signatures after the re-run", len(sigs))
	}
	for _, sig := range sigs {
		s.opensslVerify(t, sig, strings.TrimSuffix(sig, ".sig"))
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func signatures(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.sig"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(matches)
	return matches
}

// A wrong PIN costs exactly one try and is never retried; a locked PIN
// and a final try without consent cost none.
func TestTokenSoftHSMPINRules(t *testing.T) {
	s := newHSMSetup(t)
	ids := s.importAll(t)
	id := ids[softhsm.ECDSAP256]
	doc := s.doc(t, "doc.txt")
	wrong := writeFile(t, t.TempDir(), "wrong", []byte("00000000"))

	// Wrong PIN from a file: one C_Login, exit 2, the tries-left state.
	c := s.counting(t)
	r := s.e.run("sign", "--cert", id, "--pin-file", wrong, doc, "--json")
	failed := decodeJSON[struct{ Error problem }](t, r)
	if r.code != 2 || failed.Error.Code != "wrong-password" || !strings.HasPrefix(failed.Error.Reason, "pin-incorrect") {
		t.Errorf("wrong PIN: exit %d %+v", r.code, failed.Error)
	}
	if c.Logins() != 1 {
		t.Errorf("wrong PIN: %d C_Login, want exactly 1", c.Logins())
	}
	// On a terminal too: asked once, never again.
	c = s.counting(t)
	s.e.term = &fakeTerminal{passwords: []string{"00000000", s.tk.PIN()}}
	r = s.e.run("sign", "--cert", id, doc)
	if r.code != 2 || !strings.Contains(r.stderr, "Wrong PIN for the token “Podpis Test”: few tries left") ||
		!strings.Contains(r.stderr, "Podpis does not try again") && !strings.Contains(r.stderr, "Take care") {
		t.Errorf("wrong PIN on a terminal: exit %d %s", r.code, r.stderr)
	}
	if c.Logins() != 1 || len(s.e.term.prompts) != 1 {
		t.Errorf("wrong PIN on a terminal: %d C_Login, prompts %q", c.Logins(), s.e.term.prompts)
	}
	s.e.term = nil
	if _, err := os.Stat(doc + ".sig"); err == nil {
		t.Fatalf("a signature was made with a wrong PIN")
	}

	// Locked: said so, with the SO PIN, and not a single C_Login.
	s.tk.SetFlags(t, token.TokenUserPINLocked, 0)
	c = s.counting(t)
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, doc)
	if r.code != 2 || !strings.Contains(r.stderr, "The PIN of the token “Podpis Test” is locked") || !strings.Contains(r.stderr, "SO PIN") {
		t.Errorf("locked: exit %d %s", r.code, r.stderr)
	}
	if c.Logins() != 0 {
		t.Errorf("locked: %d C_Login, want 0", c.Logins())
	}
	r = s.e.run("token", "list", "--module", s.tk.Module(), "--lang", "ru")
	if !strings.Contains(r.stdout, "PIN-код: "+s.e.localizer("ru").T("token.pin.locked")) {
		t.Errorf("token list of a locked token:\n%s", r.stdout)
	}
	s.tk.SetFlags(t, 0, token.TokenUserPINLocked)

	// Final try: a PIN from a file is refused without --final-try...
	s.tk.SetFlags(t, token.TokenUserPINFinalTry, token.TokenUserPINCountLow)
	c = s.counting(t)
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, doc)
	if r.code != 2 || !strings.Contains(r.stderr, "has one PIN try left: Podpis does not use it without your consent") ||
		!strings.Contains(r.stderr, "--final-try") {
		t.Errorf("final try without --final-try: exit %d %s", r.code, r.stderr)
	}
	if c.Logins() != 0 {
		t.Errorf("final try refused: %d C_Login, want 0", c.Logins())
	}
	// ...and used with it: one C_Login.
	r = s.e.run("sign", "--cert", id, "--pin-file", s.pinFile, "--final-try", doc)
	if r.code != 0 {
		t.Errorf("final try with --final-try: exit %d %s", r.code, r.stderr)
	}
	if c.Logins() != 1 {
		t.Errorf("final try with --final-try: %d C_Login, want 1", c.Logins())
	}
	s.opensslVerify(t, doc+".sig", doc)
}

// token passwd changes the PIN; signing then works with the new one only.
func TestTokenSoftHSMPasswd(t *testing.T) {
	s := newHSMSetup(t)
	ids := s.importAll(t)
	newPIN := writeFile(t, t.TempDir(), "new", []byte("24682468\n"))
	r := s.e.run("token", "passwd", "--module", s.tk.Module(), "--pin-file", s.pinFile, "--new-pin-file", newPIN, "--json")
	out := decodeJSON[struct {
		Token   string `json:"token"`
		Serial  string `json:"serial"`
		Changed bool   `json:"changed"`
	}](t, r)
	if r.code != 0 || !out.Changed || out.Serial != s.tk.Serial() {
		t.Fatalf("token passwd: exit %d %+v %s", r.code, out, r.stderr)
	}
	doc := s.doc(t, "after.txt")
	if r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], "--pin-file", s.pinFile, doc); r.code != 2 {
		t.Errorf("the old PIN still signs: exit %d", r.code)
	}
	if r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], "--pin-file", newPIN, doc); r.code != 0 {
		t.Fatalf("sign with the new PIN: exit %d %s", r.code, r.stderr)
	}
	s.opensslVerify(t, doc+".sig", doc)

	// Without a terminal both PINs must come from files.
	r = s.e.run("token", "passwd", "--module", s.tk.Module(), "--pin-file", newPIN)
	if r.code != 2 || !strings.Contains(r.stderr, "--new-pin-file is required") {
		t.Errorf("passwd without --new-pin-file: %d %s", r.code, r.stderr)
	}
}

// --remember keeps the PIN once it has logged in; the next sign needs no
// PIN at all.
func TestTokenSoftHSMRemember(t *testing.T) {
	s := newHSMSetup(t)
	s.e.keyring = &memKeyring{}
	ids := s.importAll(t)
	doc := s.doc(t, "r.txt")
	r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], "--pin-file", s.pinFile, "--remember", doc)
	if r.code != 0 {
		t.Fatalf("sign --remember: %d %s", r.code, r.stderr)
	}
	doc2 := s.doc(t, "r2.txt")
	if r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], doc2); r.code != 0 {
		t.Errorf("sign with the remembered PIN: %d %s", r.code, r.stderr)
	}
	r = s.e.run("show", ids[softhsm.RSA2048], "--json")
	if !strings.Contains(r.stdout, `"keyRemembered": true`) {
		t.Errorf("show does not say the PIN is remembered:\n%s", r.stdout)
	}

	// token import --remember keeps it too, only after the login worked.
	s.e.keyring = &memKeyring{}
	wrong := writeFile(t, t.TempDir(), "wrong", []byte("00000000"))
	r = s.e.run("token", "import", "--module", s.tk.Module(), "--pin-file", wrong, "--remember")
	if r.code != 2 || !strings.Contains(r.stderr, "Wrong PIN") {
		t.Errorf("import with a wrong PIN: %d %s", r.code, r.stderr)
	}
	if r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], "--force", doc2); r.code != 2 {
		t.Errorf("a wrong PIN was remembered: sign exit %d", r.code)
	}
	r = s.e.run("token", "import", "--module", s.tk.Module(), "--pin-file", s.pinFile, "--remember")
	if r.code != 0 || !strings.Contains(r.stdout, "The PIN of the token “Podpis Test” is kept in the system keyring") {
		t.Errorf("import --remember: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.e.run("sign", "--cert", ids[softhsm.RSA2048], "--force", doc2); r.code != 0 {
		t.Errorf("sign after import --remember: %d %s", r.code, r.stderr)
	}
}

// A private key without a certificate is listed once logged in; import
// takes only the certificates.
func TestTokenSoftHSMOrphanKey(t *testing.T) {
	tk := softhsm.New(t, softhsm.Options{Label: "Orphans", Keys: []softhsm.KeySpec{
		{Algorithm: softhsm.ECDSAP256, ID: []byte{0x01}, Label: "с сертификатом"},
		{Algorithm: softhsm.ECDSAP256, ID: []byte{0x07, 0x08}, Label: "без сертификата", NoCertificate: true},
	}})
	e := newTestEnv(t)
	e.now = time.Now()
	pin := writeFile(t, t.TempDir(), "pin", []byte(tk.PIN()))
	r := e.run("token", "list", "--module", tk.Module(), "--pin-file", pin, "--json")
	tok := tokenOf(decodeJSON[tokenListOut](t, r))
	if r.code != 0 || tok == nil || len(tok.Certificates) != 1 || len(tok.Keys) != 1 || tok.Keys[0].ID != "0708" || tok.Keys[0].Type != "ECDSA" {
		t.Fatalf("token list: exit %d %+v", r.code, tok)
	}
	r = e.run("token", "list", "--module", tk.Module(), "--pin-file", pin)
	if !strings.Contains(r.stdout, "1 private key without a certificate:") || !strings.Contains(r.stdout, "CKA_ID 0708 “без сертификата” (ECDSA)") {
		t.Errorf("token list text:\n%s", r.stdout)
	}
	r = e.run("token", "import", "--module", tk.Module(), "--pin-file", pin, "--json")
	out := decodeJSON[tokenImportOut](t, r)
	if r.code != 0 || len(out.Tokens) != 1 || len(out.Tokens[0].Added) != 1 || out.Tokens[0].Serial != tk.Serial() {
		t.Errorf("import: exit %d %+v", r.code, out)
	}
}

// A module that cannot be used: each reason its own message, exit 2.
func TestTokenModuleLoadErrors(t *testing.T) {
	module := softhsm.RequireModule(t)
	text := writeFile(t, t.TempDir(), "readme.so", []byte("this is not a library\n"))
	e := newTestEnv(t)
	for _, tc := range []struct {
		name, module, conf string
		want               []string
		reason             string
	}{
		{"missing", filepath.Join(t.TempDir(), "librtpkcs11ecp.so"), "", []string{"PKCS#11 module not found", "librtpkcs11ecp.so"}, "module-missing"},
		{"text file", text, "", []string{"readme.so is not a library"}, "module-not-library"},
		{"C_Initialize fails", module, filepath.Join(t.TempDir(), "no-such.conf"), []string{"loaded but did not start", "systemctl status pcscd"}, "module-init-failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.conf != "" {
				t.Setenv("SOFTHSM2_CONF", tc.conf)
			}
			r := e.run("token", "list", "--module", tc.module)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			r = e.run("token", "import", "--module", tc.module, "--json")
			out := decodeJSON[struct{ Error problem }](t, r)
			if r.code != 2 || out.Error.Reason != tc.reason || out.Error.Code != "bad-input" {
				t.Errorf("import --json: exit %d %+v", r.code, out.Error)
			}
		})
	}
}

// An initialised SoftHSM2 with no token at all: exit 1 and what to check.
func TestTokenSoftHSMNoToken(t *testing.T) {
	module := softhsm.RequireModule(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	e := newTestEnv(t)
	r := e.run("token", "list", "--module", module)
	if r.code != 1 || !strings.Contains(r.stderr, "No token found") || !strings.Contains(r.stderr, "systemctl status pcscd") {
		t.Errorf("no token: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Module "+module) {
		t.Errorf("the module is not listed:\n%s", r.stdout)
	}
	r = e.run("token", "list", "--module", module, "--json")
	out := decodeJSON[tokenListOut](t, r)
	if r.code != 1 || out.Tokens != 0 || out.Error == nil || out.Error.Reason != "token-none" || len(out.Modules) != 1 {
		t.Errorf("no token --json: exit %d %+v", r.code, out)
	}
}
