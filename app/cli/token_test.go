package cli

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/certstore/token/tokentest"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/testenv"
)

// The token commands and signing on a token. The real PKCS#11 module
// (SoftHSM2) proves the RSA and ECDSA paths and what Cryptoki really
// says (token_softhsm_test.go); the in-memory double of tokentest covers
// GOST, which no soft token offers, and the prompts on a terminal.

// tokenListOut is `token list --json`, as a script reads it.
type tokenListOut struct {
	Modules []struct {
		Path         string   `json:"path"`
		Product      string   `json:"product"`
		Source       string   `json:"source"`
		Manufacturer string   `json:"manufacturer"`
		Description  string   `json:"description"`
		Version      string   `json:"version"`
		Error        *problem `json:"error"`
		Slots        []struct {
			ID          uint      `json:"id"`
			Description string    `json:"description"`
			Token       *tokenOut `json:"token"`
		} `json:"slots"`
	} `json:"modules"`
	Tokens int      `json:"tokens"`
	Error  *problem `json:"error"`
}

// tokenOut is one token in `token list --json`.
type tokenOut struct {
	Label         string   `json:"label"`
	Initialized   bool     `json:"initialized"`
	Manufacturer  string   `json:"manufacturer"`
	Model         string   `json:"model"`
	Serial        string   `json:"serial"`
	Flags         []string `json:"flags"`
	LoginRequired bool     `json:"loginRequired"`
	LoggedIn      bool     `json:"loggedIn"`
	Mechanisms    []string `json:"mechanisms"`
	PIN           struct {
		State    string `json:"state"`
		Text     string `json:"text"`
		FinalTry bool   `json:"finalTry"`
		Locked   bool   `json:"locked"`
	} `json:"pin"`
	Certificates []struct {
		ID                string    `json:"id"`
		Label             string    `json:"label"`
		SubjectCommonName string    `json:"subjectCommonName"`
		IssuerCommonName  string    `json:"issuerCommonName"`
		NotAfter          time.Time `json:"notAfter"`
		Thumbprint        string    `json:"thumbprint"`
		Key               string    `json:"key"`
		KeyType           string    `json:"keyType"`
		InStore           bool      `json:"inStore"`
	} `json:"certificates"`
	Keys []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"keys"`
	Error *problem `json:"error"`
}

type tokenImportOut struct {
	Tokens []struct {
		Module string     `json:"module"`
		Label  string     `json:"label"`
		Serial string     `json:"serial"`
		Status string     `json:"status"`
		Added  []entryRef `json:"added"`
		Error  *problem   `json:"error"`
	} `json:"tokens"`
	Error *problem `json:"error"`
}

type signKeyOut struct {
	Key      keyLocationJSON `json:"key"`
	Totals   signTotalsJSON  `json:"totals"`
	Stopped  *problem        `json:"stopped"`
	Canceled bool            `json:"canceled"`
	Files    []struct {
		File   string `json:"file"`
		Result string `json:"result"`
	} `json:"files"`
}

func decodeJSON[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("not JSON (exit %d): %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	return v
}

// gostFixture is a GOST R 34.10-2012 256 CA and a certificate it issued,
// made by OpenSSL's gost engine, with the certificate's private key.
type gostFixture struct {
	openssl string
	caPEM   string
	leafDER []byte
	key     *gost3410.PrivateKey
}

func newGOSTFixture(t *testing.T, cn string) *gostFixture {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("req", "-engine", "gost", "-x509", "-new", "-utf8", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
		"-keyout", path("ca.key"), "-subj", "/CN=УЦ Токен Тест/O=Podpis Test/C=RU", "-days", "365", "-out", path("ca.pem"),
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", path("key.pem"))
	run("req", "-engine", "gost", "-new", "-utf8", "-key", path("key.pem"), "-subj", "/CN="+cn+"/C=RU", "-out", path("leaf.csr"))
	if err := os.WriteFile(path("ext.cnf"), []byte("keyUsage=critical,digitalSignature,nonRepudiation\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("x509", "-engine", "gost", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
		"-set_serial", "7", "-days", "365", "-extfile", path("ext.cnf"), "-outform", "DER", "-out", path("leaf.der"))
	keyPEM, err := os.ReadFile(path("key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatalf("openssl wrote no PEM key")
	}
	key, err := gost3410.ParsePKCS8(block.Bytes)
	if err != nil {
		t.Fatalf("the GOST key of openssl: %v", err)
	}
	leaf, err := os.ReadFile(path("leaf.der"))
	if err != nil {
		t.Fatal(err)
	}
	return &gostFixture{openssl: openssl, caPEM: path("ca.pem"), leafDER: leaf, key: key}
}

// doubleEnv is a store whose modules are the double mod (whatever the path).
func doubleEnv(t *testing.T, mod *tokentest.Module) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	e.now = time.Now()
	lib := token.NewLibrary(mod.Opener())
	t.Cleanup(func() { _ = lib.Close() })
	e.tokens = lib
	return e
}

const fakeModule = "/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so"

// GOST on a token: the double signs with internal/gost as a Рутокен would
// on its chip, OpenSSL's gost engine and podpis verify accept the result.
func TestTokenSignGOSTOnDouble(t *testing.T) {
	g := newGOSTFixture(t, "Иванов ГОСТ Токен")
	tok := &tokentest.Token{Label: "Рутокен ЭЦП 3.0", Serial: "3A4B5C6D", PIN: "12345678"}
	tok.AddKey([]byte{0x0a, 0x0b}, "ГОСТ ключ", g.key, g.leafDER)
	mod := tokentest.NewModule(tok)
	e := doubleEnv(t, mod)
	pinFile := writeFile(t, t.TempDir(), "pin", []byte("12345678\n"))

	r := e.run("token", "import", "--module", fakeModule, "--pin-file", pinFile, "--json")
	out := decodeJSON[tokenImportOut](t, r)
	if r.code != 0 || len(out.Tokens) != 1 || len(out.Tokens[0].Added) != 1 {
		t.Fatalf("token import: exit %d %+v\n%s", r.code, out, r.stderr)
	}
	added := out.Tokens[0].Added[0]
	if added.List != "personal" || !added.HasKey || added.KeyLocation != "token" || added.Token != "Рутокен ЭЦП 3.0" {
		t.Errorf("imported entry = %+v", added)
	}
	if r := e.run("trust", g.caPEM); r.code != 0 {
		t.Fatalf("trust: %d %s", r.code, r.stderr)
	}

	dir := t.TempDir()
	doc := writeFile(t, dir, "отчёт.xml", []byte("<отчёт сумма=\"100\"/>"))
	before := mod.Logins()
	r = e.run("sign", "--cert", added.ID, "--pin-file", pinFile, "--json", doc)
	so := decodeJSON[signKeyOut](t, r)
	if r.code != 0 || so.Totals.Signed != 1 {
		t.Fatalf("sign: exit %d %+v\n%s", r.code, so, r.stderr)
	}
	if so.Key != (keyLocationJSON{Location: "token", Token: "Рутокен ЭЦП 3.0", Serial: "3A4B5C6D", Model: "Podpis Test Token"}) {
		t.Errorf("key = %+v", so.Key)
	}
	if n := mod.Logins() - before; n != 1 {
		t.Errorf("%d C_Login calls to sign, want 1", n)
	}
	if tok.OpenSessions() != 0 {
		t.Errorf("%d sessions left open: the key was not closed", tok.OpenSessions())
	}
	if o, err := exec.Command(g.openssl, "cms", "-engine", "gost", "-verify", "-binary", "-inform", "DER", "-in", doc+".sig",
		"-content", doc, "-CAfile", g.caPEM, "-out", os.DevNull).CombinedOutput(); err != nil {
		t.Errorf("openssl cms -verify of the token's GOST signature: %v\n%s", err, o)
	}
	if r := e.run("verify", doc+".sig"); r.code != 0 || !strings.Contains(r.stdout, "Иванов ГОСТ Токен") {
		t.Errorf("podpis verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// rsaToken is a double with one RSA key and its certificate (from the
// test PKI of the other CLI tests).
func rsaToken(t *testing.T, p *pki, label, serial, pin string, flags uint) (*tokentest.Token, string) {
	t.Helper()
	leaf, key := p.leaf(t, leafOptions{cn: "Токен " + label, rsaKey: true, notAfter: time.Now().AddDate(1, 0, 0)})
	tok := &tokentest.Token{Label: label, Serial: serial, PIN: pin, Flags: flags}
	tok.AddKey([]byte{1}, "key", key, leaf.Raw)
	return tok, thumbprint(leaf)
}

// On a terminal the last try is used only after the person says yes;
// "no" ends the command without a single C_Login.
func TestTokenFinalTryOnTerminal(t *testing.T) {
	p := newPKI(t)
	tok, id := rsaToken(t, p, "Мой токен", "0001", "1234", 0)
	mod := tokentest.NewModule(tok)
	e := doubleEnv(t, mod)
	pinFile := writeFile(t, t.TempDir(), "pin", []byte("1234"))
	if r := e.run("token", "import", "--module", fakeModule, "--pin-file", pinFile); r.code != 0 {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// Two wrong PINs (of 3) put the token at its final try.
	wrong := writeFile(t, t.TempDir(), "wrong", []byte("0000"))
	doc := writeFile(t, t.TempDir(), "doc.txt", []byte("text"))
	for i := range 2 {
		r := e.run("sign", "--cert", id, "--pin-file", wrong, doc)
		if r.code != 2 || !strings.Contains(r.stderr, "Wrong PIN for the token “Мой токен”") {
			t.Fatalf("wrong PIN %d: exit %d %s", i, r.code, r.stderr)
		}
	}
	if tok.CurrentFlags()&token.TokenUserPINFinalTry == 0 {
		t.Fatalf("the double is not at its final try: flags %#x", tok.CurrentFlags())
	}

	e.term = &fakeTerminal{lines: []string{"n"}}
	before := mod.Logins()
	r := e.run("sign", "--cert", id, doc)
	if r.code != 2 || !strings.Contains(r.stderr, "Nothing was done: the PIN of the token “Мой токен” was not tried") {
		t.Errorf("declined: exit %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Token “Мой токен”: one PIN try left.") || !strings.Contains(r.stderr, "ONE try left") {
		t.Errorf("no warning before the question:\n%s", r.stderr)
	}
	if n := mod.Logins() - before; n != 0 {
		t.Errorf("%d C_Login calls after a no", n)
	}
	if _, err := os.Stat(doc + ".sig"); err == nil {
		t.Errorf("a signature was written")
	}

	e.term = &fakeTerminal{lines: []string{"y"}, passwords: []string{"1234"}}
	r = e.run("sign", "--cert", id, doc)
	if r.code != 0 {
		t.Fatalf("agreed: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if got := e.term.prompts; len(got) != 2 || got[1] != "PIN of the token “Мой токен”: " {
		t.Errorf("prompts = %q", got)
	}
	if !strings.Contains(r.stdout, "Signed on the token “Мой токен” (0001)") {
		t.Errorf("stdout does not say the token signed:\n%s", r.stdout)
	}
	if n := mod.Logins() - before; n != 1 {
		t.Errorf("%d C_Login calls after a yes, want 1", n)
	}
}

// token passwd on a terminal: two new PINs that differ change nothing;
// several tokens need --slot.
func TestTokenPasswdOnTerminal(t *testing.T) {
	p := newPKI(t)
	a, _ := rsaToken(t, p, "Первый", "A1", "1111", 0)
	b, _ := rsaToken(t, p, "Второй", "B2", "2222", 0)
	mod := tokentest.NewModule(a, b)
	e := doubleEnv(t, mod)
	e.term = &fakeTerminal{}

	r := e.run("token", "passwd", "--module", fakeModule)
	if r.code != 2 || !strings.Contains(r.stderr, "Several tokens are plugged in") ||
		!strings.Contains(r.stderr, "“Первый” (A1") || !strings.Contains(r.stderr, "“Второй” (B2") {
		t.Fatalf("two tokens without --slot: exit %d %s", r.code, r.stderr)
	}

	slot := mod.SlotOf("A1")
	slotArg := strconv.FormatUint(uint64(slot), 10)
	e.term = &fakeTerminal{passwords: []string{"1111", "5555", "5556"}}
	r = e.run("token", "passwd", "--module", fakeModule, "--slot", slotArg)
	if r.code != 2 || !strings.Contains(r.stderr, "The two new PINs differ") {
		t.Errorf("PINs that differ: exit %d %s", r.code, r.stderr)
	}
	if a.CurrentPIN() != "1111" || a.Logins() != 0 {
		t.Errorf("the token was touched: PIN %q, %d logins", a.CurrentPIN(), a.Logins())
	}

	e.term = &fakeTerminal{passwords: []string{"1111", "5555", "5555"}}
	r = e.run("token", "passwd", "--module", fakeModule, "--slot", slotArg, "--lang", "ru")
	if r.code != 0 || !strings.Contains(r.stdout, "PIN-код токена «Первый» изменён") {
		t.Fatalf("passwd: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if a.CurrentPIN() != "5555" || b.CurrentPIN() != "2222" {
		t.Errorf("PINs now %q and %q", a.CurrentPIN(), b.CurrentPIN())
	}
	if got := e.term.prompts; len(got) != 3 || got[0] != "Текущий PIN-код токена «Первый»: " {
		t.Errorf("prompts = %q", got)
	}
}
