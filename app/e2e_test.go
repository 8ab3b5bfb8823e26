package main

// End-to-end tests of the command line: the real binary, built once in
// TestMain, run on temporary stores with fixtures made by the openssl CLI.
// The keyring is switched off (PODPIS_KEYRING=off): the real Secret Service
// has its own test.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// e2eDir holds what TestMain makes: the binary and the fixtures; it is
// removed when the tests end. e2eBinary is the podpis binary built there.
var e2eDir, e2eBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "podpis-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin := filepath.Join(dir, "podpis")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building podpis for the end-to-end tests: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	e2eDir, e2eBinary = dir, bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needTool finds an external program; in CI (CI=true) a missing one fails
// the test instead of skipping it.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		testenv.Missing(t, "%s not installed: %v", name, err)
	}
}

// fixtureSet is every input file the tests import, made by openssl.
type fixtureSet struct {
	dir                            string
	root, inter, leaf, leafDER     string // PEM, PEM, PEM, DER
	leafKey                        string // PKCS#8 PEM: a private key only
	leafBase64                     string // DER in Base64 without PEM headers
	p7bPEM, p7bDER                 string // leaf + intermediate
	p12Modern, p12Legacy, p12EC    string // passwords: secret, пароль, пароль
	p12Empty                       string // empty password
	p12Soon                        string // expires in 10 days, password secret
	pwSecret, pwCyrillic, pwWrong  string // password files
	pwNew                          string // new container password
	empty, truncated, folder, huge string
	leafID, rootID                 string
	err                            error
}

// fixtures are made once per test binary (RSA key generation is slow).
var fixtureOnce = sync.OnceValue(makeFixtures)

func fixtures(t *testing.T) *fixtureSet {
	t.Helper()
	needTool(t, "openssl")
	f := fixtureOnce()
	if f.err != nil {
		t.Fatalf("making fixtures with openssl: %v", f.err)
	}
	return f
}

const extensionsConfig = `[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
extendedKeyUsage=clientAuth,emailProtection
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
certificatePolicies=1.2.643.100.113.1,1.2.643.100.113.2
1.2.643.100.111=ASN1:FORMAT:UTF8,UTF8String:СКЗИ «КриптоПро CSP»
`

func makeFixtures() *fixtureSet {
	dir, err := os.MkdirTemp(e2eDir, "fixtures-")
	if err != nil {
		return &fixtureSet{err: err}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	f := &fixtureSet{
		dir: dir, root: p("root.pem"), inter: p("inter.pem"), leaf: p("leaf.pem"), leafDER: p("leaf.cer"),
		leafKey: p("leaf.key"), leafBase64: p("leaf.b64"), p7bPEM: p("chain.p7b"), p7bDER: p("chain.p7c"),
		p12Modern: p("modern.p12"), p12Legacy: p("legacy.pfx"), p12EC: p("ec.p12"), p12Empty: p("nopass.p12"),
		p12Soon: p("soon.p12"), pwSecret: p("secret.txt"), pwCyrillic: p("cyrillic.txt"), pwWrong: p("wrong.txt"),
		pwNew: p("new.txt"), empty: p("empty.cer"), truncated: p("truncated.cer"), folder: p("folder.p12"), huge: p("huge.pfx"),
	}
	openssl := func(args ...string) {
		if f.err != nil {
			return
		}
		out, err := exec.Command("openssl", args...).CombinedOutput()
		if err != nil {
			f.err = fmt.Errorf("openssl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	write := func(path string, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil && f.err == nil {
			f.err = err
		}
	}
	write(p("ext.cnf"), []byte(extensionsConfig))
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	openssl(append(append([]string{"req", "-x509"}, ec...), "-keyout", p("root.key"), "-out", f.root,
		"-subj", "/CN=E2E Root CA/O=Podpis E2E", "-days", "3650")...)
	openssl(append(append([]string{"req", "-new"}, ec...), "-keyout", p("inter.key"), "-out", p("inter.csr"),
		"-subj", "/CN=E2E Intermediate CA/O=Podpis E2E")...)
	openssl("x509", "-req", "-in", p("inter.csr"), "-CA", f.root, "-CAkey", p("root.key"), "-CAcreateserial",
		"-out", f.inter, "-days", "1825", "-extfile", p("ext.cnf"), "-extensions", "ca")
	openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f.leafKey, "-out", p("leaf.csr"), "-utf8",
		"-subj", "/CN=Иванов Иван Иванович/SN=Иванов/C=RU/INN=123456789012/SNILS=12345678901/OGRN=1027700000000/OGRNIP=304500000000000")
	openssl("x509", "-req", "-in", p("leaf.csr"), "-CA", f.inter, "-CAkey", p("inter.key"), "-CAcreateserial",
		"-out", f.leaf, "-days", "365", "-extfile", p("ext.cnf"), "-extensions", "leaf")
	openssl("x509", "-in", f.leaf, "-outform", "DER", "-out", f.leafDER)
	openssl(append(append([]string{"req", "-new"}, ec...), "-keyout", p("soon.key"), "-out", p("soon.csr"),
		"-subj", "/CN=Soon Expiring/C=RU")...)
	openssl("x509", "-req", "-in", p("soon.csr"), "-CA", f.inter, "-CAkey", p("inter.key"), "-CAcreateserial",
		"-out", p("soon.pem"), "-days", "10", "-extfile", p("ext.cnf"), "-extensions", "leaf")
	openssl(append(append([]string{"req", "-new"}, ec...), "-keyout", p("ec.key"), "-out", p("ec.csr"),
		"-subj", "/CN=EC Owner/C=RU")...)
	openssl("x509", "-req", "-in", p("ec.csr"), "-CA", f.inter, "-CAkey", p("inter.key"), "-CAcreateserial",
		"-out", p("ec.pem"), "-days", "365", "-extfile", p("ext.cnf"), "-extensions", "leaf")
	// The chain that comes with a .p12: intermediate and root.
	if f.err == nil {
		inter, _ := os.ReadFile(f.inter)
		root, _ := os.ReadFile(f.root)
		write(p("cas.pem"), append(inter, root...))
	}
	openssl("pkcs12", "-export", "-inkey", f.leafKey, "-in", f.leaf, "-certfile", p("cas.pem"), "-out", f.p12Modern, "-passout", "pass:secret")
	openssl("pkcs12", "-export", "-legacy", "-inkey", f.leafKey, "-in", f.leaf, "-certfile", p("cas.pem"), "-out", f.p12Legacy, "-passout", "pass:пароль")
	openssl("pkcs12", "-export", "-inkey", p("ec.key"), "-in", p("ec.pem"), "-certfile", p("cas.pem"), "-out", f.p12EC, "-passout", "pass:пароль")
	openssl("pkcs12", "-export", "-inkey", f.leafKey, "-in", f.leaf, "-certfile", p("cas.pem"), "-out", f.p12Empty, "-passout", "pass:")
	openssl("pkcs12", "-export", "-inkey", p("soon.key"), "-in", p("soon.pem"), "-out", f.p12Soon, "-passout", "pass:secret")
	openssl("crl2pkcs7", "-nocrl", "-certfile", f.leaf, "-certfile", f.inter, "-out", f.p7bPEM)
	openssl("crl2pkcs7", "-nocrl", "-certfile", f.leaf, "-certfile", f.inter, "-outform", "DER", "-out", f.p7bDER)
	openssl("x509", "-in", f.root, "-outform", "DER", "-out", p("root.der"))
	if f.err != nil {
		return f
	}
	der, err := os.ReadFile(f.leafDER)
	if err != nil {
		return &fixtureSet{err: err}
	}
	write(f.leafBase64, []byte(lineWrap(base64.StdEncoding.EncodeToString(der), 76)))
	write(f.truncated, der[:len(der)*2/3])
	write(f.empty, nil)
	write(f.pwSecret, []byte("secret\n"))
	write(f.pwCyrillic, []byte("пароль\n"))
	write(f.pwWrong, []byte("Secret\n"))
	write(f.pwNew, []byte("новый пароль контейнера\n"))
	if err := os.Mkdir(f.folder, 0o700); err != nil {
		return &fixtureSet{err: err}
	}
	huge, err := os.Create(f.huge)
	if err == nil {
		err = huge.Truncate(16<<20 + 1) // sparse: no 16 MiB written
		huge.Close()
	}
	if err != nil {
		return &fixtureSet{err: err}
	}
	f.leafID = fingerprint(der)
	rootDER, err := os.ReadFile(p("root.der"))
	if err != nil {
		return &fixtureSet{err: err}
	}
	f.rootID = fingerprint(rootDER)
	return f
}

func lineWrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + "\n")
		s = s[width:]
	}
	b.WriteString(s + "\n")
	return b.String()
}

func fingerprint(der []byte) string {
	cmd := exec.Command("openssl", "dgst", "-sha1", "-r")
	cmd.Stdin = bytes.NewReader(der)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.Fields(string(out))[0]
}

// podpis runs the binary.
type podpis struct {
	t     *testing.T
	store string
	lang  string
	stdin string
	env   []string // extra variables
}

func newPodpis(t *testing.T, lang string) *podpis {
	t.Helper()
	if e2eBinary == "" {
		t.Fatal("the podpis binary was not built")
	}
	return &podpis{t: t, store: filepath.Join(t.TempDir(), "store"), lang: lang}
}

type outcome struct {
	code           int
	stdout, stderr string
}

func (p *podpis) run(args ...string) outcome {
	p.t.Helper()
	cmd := exec.Command(e2eBinary, append(args, "--store", p.store)...)
	home := p.t.TempDir()
	env := []string{"PODPIS_KEYRING=off", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "LANG=" + p.lang}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "PODPIS_"),
			name == "HOME" || name == "XDG_CONFIG_HOME" || name == "DISPLAY" || name == "WAYLAND_DISPLAY":
		default:
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, p.env...)
	cmd.Stdin = strings.NewReader(p.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatalf("running podpis: %v", err)
	}
	return outcome{code: code, stdout: out.String(), stderr: errOut.String()}
}

type entry struct {
	ID            string `json:"id"`
	List          string `json:"list"`
	Subject       string `json:"subjectCommonName"`
	Status        string `json:"status"`
	DaysLeft      int    `json:"daysLeft"`
	HasKey        bool   `json:"hasKey"`
	UntrustedRoot bool   `json:"untrustedRoot"`
}

func (p *podpis) list() []entry {
	p.t.Helper()
	o := p.run("list", "--json")
	if o.code != 0 {
		p.t.Fatalf("list --json: exit %d: %s", o.code, o.stderr)
	}
	var entries []entry
	if err := json.Unmarshal([]byte(o.stdout), &entries); err != nil {
		p.t.Fatalf("list --json: %v\n%s", err, o.stdout)
	}
	return entries
}

// TestImportInputs imports every kind of good and bad input, in English and
// in Russian, each into a fresh store.
func TestImportInputs(t *testing.T) {
	f := fixtures(t)
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		count  int      // entries afterwards
		en, ru []string // in the output (stdout and stderr)
	}{
		{name: "PEM certificate", args: []string{f.leaf}, count: 1,
			en: []string{"leaf.pem: added 1 certificate"}, ru: []string{"leaf.pem: добавлен 1 сертификат"}},
		{name: "DER certificate", args: []string{f.leafDER}, count: 1,
			en: []string{"added 1 certificate"}, ru: []string{"добавлен 1 сертификат"}},
		{name: "Base64 without headers", args: []string{f.leafBase64}, count: 1,
			en: []string{"added 1 certificate"}, ru: []string{"добавлен 1 сертификат"}},
		{name: "PKCS#7 PEM", args: []string{f.p7bPEM}, count: 2,
			en: []string{"added 2 certificates"}, ru: []string{"добавлено 2 сертификата"}},
		{name: "PKCS#7 DER", args: []string{f.p7bDER}, count: 2,
			en: []string{"added 2 certificates"}, ru: []string{"добавлено 2 сертификата"}},
		{name: "p12 OpenSSL 3 default, ASCII password", args: []string{f.p12Modern, "--password-file", f.pwSecret}, count: 3,
			en: []string{"added 3 certificates", "with private key", "“E2E Root CA” was stored but is not trusted", "podpis trust " + f.rootID},
			ru: []string{"добавлено 3 сертификата", "с закрытым ключом", "«E2E Root CA» сохранён, но не добавлен в доверенные"}},
		{name: "p12 legacy, Cyrillic password", args: []string{"--password-file", f.pwCyrillic, f.p12Legacy}, count: 3,
			en: []string{"legacy.pfx: added 3 certificates"}, ru: []string{"legacy.pfx: добавлено 3 сертификата"}},
		{name: "p12 ECDSA, Cyrillic password on stdin", args: []string{f.p12EC, "--password-stdin"}, stdin: "пароль\n", count: 3,
			en: []string{"added 3 certificates"}, ru: []string{"добавлено 3 сертификата"}},
		{name: "p12 empty password, no keyring", args: []string{f.p12Empty}, code: 2,
			en: []string{"nopass.p12", "the system keyring is not available", "--new-password-file"},
			ru: []string{"nopass.p12", "хранилище паролей системы недоступно", "--new-password-file"}},
		{name: "p12 empty password, new password file", args: []string{f.p12Empty, "--new-password-file", f.pwNew}, count: 3,
			en: []string{"added 3 certificates"}, ru: []string{"добавлено 3 сертификата"}},
		{name: "wrong password", args: []string{f.p12Modern, "--password-file", f.pwWrong}, code: 2,
			en: []string{"modern.p12", "Wrong password"}, ru: []string{"modern.p12", "Неверный пароль"}},
		{name: "no password and no terminal", args: []string{f.p12Modern}, code: 2,
			en: []string{"modern.p12", "protected by a password", "--password-file"},
			ru: []string{"modern.p12", "защищён паролем", "--password-file"}},
		{name: "truncated DER", args: []string{f.truncated}, code: 2,
			en: []string{"truncated.cer", "cut off"}, ru: []string{"truncated.cer", "оборван"}},
		{name: "empty file", args: []string{f.empty}, code: 2,
			en: []string{"empty.cer", "The file is empty"}, ru: []string{"empty.cer", "Файл пуст"}},
		{name: "private key only", args: []string{f.leafKey}, code: 2,
			en: []string{"leaf.key", "only a private key"}, ru: []string{"leaf.key", "только закрытый ключ"}},
		{name: "directory", args: []string{f.folder}, code: 2,
			en: []string{"folder.p12", "folder, not a file"}, ru: []string{"folder.p12", "папка, а не файл"}},
		{name: "over 16 MiB", args: []string{f.huge}, code: 2,
			en: []string{"huge.pfx", "too large"}, ru: []string{"huge.pfx", "слишком большой"}},
		{name: "missing file", args: []string{filepath.Join(f.dir, "missing.cer")}, code: 2,
			en: []string{"missing.cer", "cannot be read"}, ru: []string{"missing.cer", "не удаётся прочитать"}},
		{name: "batch with failures", args: []string{f.leaf, f.empty, f.p12Modern, "--password-file", f.pwWrong, f.inter}, code: 2, count: 2,
			en: []string{"leaf.pem: added 1 certificate", "empty.cer", "Wrong password", "inter.pem: added 1 certificate", "Files imported: 2 of 4, failed: 2"},
			ru: []string{"leaf.pem: добавлен 1 сертификат", "Неверный пароль", "Импортировано файлов: 2 из 4, с ошибками: 2"}},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "ru"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				locale, want := "en_GB.UTF-8", tt.en
				if lang == "ru" {
					locale, want = "ru_RU.UTF-8", tt.ru
				}
				p := newPodpis(t, locale)
				p.stdin = tt.stdin
				o := p.run(append([]string{"import"}, tt.args...)...)
				if o.code != tt.code {
					t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", o.code, tt.code, o.stdout, o.stderr)
				}
				all := o.stdout + o.stderr
				for _, s := range want {
					if !strings.Contains(all, s) {
						t.Errorf("output lacks %q:\n%s", s, all)
					}
				}
				if tt.code != 0 && !strings.Contains(o.stderr, "\n  → ") {
					t.Errorf("the error has no hint line:\n%s", o.stderr)
				}
				for _, secret := range []string{"secret", "Secret", "новый пароль контейнера"} {
					if strings.Contains(all, secret) {
						t.Errorf("a password was printed: %q", secret)
					}
				}
				if n := len(p.list()); n != tt.count {
					t.Errorf("store holds %d certificates, want %d", n, tt.count)
				}
			})
		}
	}
}

func TestListExpiringExitCode(t *testing.T) {
	f := fixtures(t)
	p := newPodpis(t, "ru_RU.UTF-8")
	if o := p.run("import", f.p12Modern, "--password-file", f.pwSecret); o.code != 0 {
		t.Fatalf("import: %s", o.stderr)
	}
	o := p.run("list", "--expiring", "30")
	if o.code != 0 {
		t.Errorf("no expiring certificate: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if o := p.run("import", f.p12Soon, "--password-file", f.pwSecret); o.code != 0 {
		t.Fatalf("import soon: %s", o.stderr)
	}
	o = p.run("list", "--expiring", "30")
	if o.code != 1 {
		t.Fatalf("expiring certificate: exit %d, want 1\n%s%s", o.code, o.stdout, o.stderr)
	}
	if !regexp.MustCompile(`Сертификат «Soon Expiring» истекает через (9|10) дней \(\d{4}-\d\d-\d\d\): закажите новый заранее`).MatchString(o.stdout) {
		t.Errorf("no warning naming the certificate:\n%s", o.stdout)
	}
	if strings.Contains(o.stdout, "Иванов") {
		t.Errorf("a certificate valid for a year is listed:\n%s", o.stdout)
	}
	p.lang = "C"
	o = p.run("list", "--expiring", "30", "--json")
	var entries []entry
	if err := json.Unmarshal([]byte(o.stdout), &entries); err != nil || o.code != 1 || len(entries) != 1 ||
		entries[0].Subject != "Soon Expiring" || entries[0].Status != "expiring" || !entries[0].HasKey {
		t.Errorf("--json: exit %d, %v, %+v", o.code, err, entries)
	}
	if o.stderr != "" {
		t.Errorf("LANG=C printed on stderr: %s", o.stderr)
	}
	if o := p.run("list", "--expiring", "5"); o.code != 0 {
		t.Errorf("--expiring 5: exit %d", o.code)
	}
}

func TestShowExportDeleteTrust(t *testing.T) {
	f := fixtures(t)
	p := newPodpis(t, "ru_RU.UTF-8")
	if o := p.run("import", f.p12Modern, "--password-file", f.pwSecret); o.code != 0 {
		t.Fatalf("import: %s", o.stderr)
	}
	o := p.run("show", f.leafID[:8])
	for _, s := range []string{"ИНН:", "123456789012", "СНИЛС:", "ОГРН:", "ОГРНИП:", "Фамилия:", "RSA, 2048 бит", "Класс средства ЭП КС1",
		"СКЗИ «КриптоПро CSP»", "есть в хранилище", f.leafID} {
		if !strings.Contains(o.stdout, s) {
			t.Errorf("show lacks %q", s)
		}
	}
	if t.Failed() {
		t.Log(o.stdout)
	}

	out := t.TempDir()
	chainPEM := filepath.Join(out, "chain.pem")
	if o := p.run("export", f.leafID, "--out", chainPEM, "--chain"); o.code != 0 {
		t.Fatalf("export: %s", o.stderr)
	}
	text, err := exec.Command("openssl", "crl2pkcs7", "-nocrl", "-certfile", chainPEM).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(text, []byte("BEGIN PKCS7")) {
		t.Errorf("openssl cannot read the exported chain")
	}
	p7b := filepath.Join(out, "chain.p7b")
	if o := p.run("export", f.leafID, "--out", p7b, "--chain", "--format", "p7b"); o.code != 0 {
		t.Fatalf("export p7b: %s", o.stderr)
	}
	certs, err := exec.Command("openssl", "pkcs7", "-inform", "DER", "-in", p7b, "-print_certs", "-noout").Output()
	if err != nil || !bytes.Contains(certs, []byte("E2E Root CA")) || !bytes.Contains(certs, []byte("E2E Intermediate CA")) {
		t.Errorf("openssl pkcs7 -print_certs: %v\n%s", err, certs)
	}
	der := filepath.Join(out, "leaf.cer")
	if o := p.run("export", f.leafID, "--out", der, "--format", "der"); o.code != 0 {
		t.Fatalf("export der: %s", o.stderr)
	}
	if got, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", der, "-noout", "-fingerprint", "-sha1").Output(); err != nil ||
		!strings.Contains(strings.ToLower(strings.ReplaceAll(string(got), ":", "")), f.leafID) {
		t.Errorf("openssl x509 on the DER export: %v %s", err, got)
	}
	if o := p.run("export", f.leafID, "--out", der); o.code != 2 || !strings.Contains(o.stderr, "уже существует") {
		t.Errorf("overwrite: exit %d %s", o.code, o.stderr)
	}

	// Trust the root that came in the .p12, by ID as the warning says.
	if o := p.run("trust", f.rootID); o.code != 0 || !strings.Contains(o.stdout, "Доверенные корневые") {
		t.Errorf("trust: %d %s %s", o.code, o.stdout, o.stderr)
	}
	for _, e := range p.list() {
		if e.ID == f.rootID && (e.List != "root" || e.UntrustedRoot) {
			t.Errorf("root after trust: %+v", e)
		}
	}

	// A script cannot delete a key without --yes.
	if o := p.run("delete", f.leafID); o.code != 2 || !strings.Contains(o.stderr, "--yes") {
		t.Errorf("delete without --yes: %d %s", o.code, o.stderr)
	}
	if n := len(p.list()); n != 3 {
		t.Fatalf("%d entries after a refused delete", n)
	}
	if o := p.run("delete", f.leafID, "--yes"); o.code != 0 {
		t.Errorf("delete --yes: %d %s", o.code, o.stderr)
	}
	if n := len(p.list()); n != 2 {
		t.Errorf("%d entries after delete, want 2", n)
	}
}

func TestStoreFromEnvironmentAndLocale(t *testing.T) {
	f := fixtures(t)
	dir := filepath.Join(t.TempDir(), "env-store")
	p := newPodpis(t, "C")
	// Without --store: run the binary directly.
	cmd := exec.Command(e2eBinary, "import", f.leaf)
	cmd.Env = append(os.Environ(), "PODPIS_STORE="+dir, "PODPIS_KEYRING=off", "LANG=C", "LC_ALL=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import with PODPIS_STORE: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "certs", f.leafID+".json")); err != nil {
		t.Errorf("PODPIS_STORE was not used: %v", err)
	}
	// LANG=C: English, and nothing about the locale.
	o := p.run("show", "nonsense!")
	if o.code != 2 || !strings.Contains(o.stderr, "is not a certificate thumbprint") || strings.Contains(strings.ToLower(o.stderr), "locale") {
		t.Errorf("LANG=C: %d %q", o.code, o.stderr)
	}
	o = p.run("--help")
	if o.code != 0 || !strings.Contains(o.stdout, "Usage:") || o.stderr != "" {
		t.Errorf("--help: %d %q %q", o.code, o.stdout, o.stderr)
	}
	// A module that is not there: its own message, exit 2.
	o = p.run("token", "list", "--lang", "ru", "--module", filepath.Join(t.TempDir(), "nope.so"))
	if o.code != 2 || !strings.Contains(o.stderr, "nope.so") {
		t.Errorf("token list --module missing: %d %q", o.code, o.stderr)
	}
}

// TestSignFolderGOSTInteropOpenSSL: a GOST-256 .pfx made by OpenSSL's gost
// engine is imported, the binary signs a folder with it, OpenSSL accepts a
// signature it made, and podpis accepts one OpenSSL made.
func TestSignFolderGOSTInteropOpenSSL(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// A GOST root CA and the accountant's certificate issued by it.
	run("req", "-engine", "gost", "-x509", "-new", "-utf8", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
		"-keyout", path("ca.key"), "-subj", "/CN=УЦ Тест/O=Podpis E2E/C=RU", "-days", "365", "-out", path("ca.pem"))
	run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", path("key.pem"))
	run("req", "-engine", "gost", "-new", "-utf8", "-key", path("key.pem"), "-subj", "/CN=Бухгалтер/C=RU", "-out", path("leaf.csr"))
	if err := os.WriteFile(path("leaf.cnf"), []byte("keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=CA:FALSE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("x509", "-engine", "gost", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
		"-days", "30", "-extfile", path("leaf.cnf"), "-out", path("cert.pem"))
	run("pkcs12", "-engine", "gost", "-export", "-inkey", path("key.pem"), "-in", path("cert.pem"), "-certfile", path("ca.pem"),
		"-out", path("k.pfx"), "-passout", "pass:123", "-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_512")
	if err := os.WriteFile(path("pw.txt"), []byte("123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	docs := path("declarations")
	for i := range 12 {
		sub := filepath.Join(docs, fmt.Sprintf("q%d", i%3))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("decl%02d.xml", i)), []byte(fmt.Sprintf("<decl n=\"%d\"/>", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	p := newPodpis(t, "ru_RU.UTF-8")
	if o := p.run("import", path("k.pfx"), "--password-file", path("pw.txt")); o.code != 0 {
		t.Fatalf("import: %d %s %s", o.code, o.stdout, o.stderr)
	}
	var id, caID string
	for _, e := range p.list() {
		if e.HasKey {
			id = e.ID
		} else {
			caID = e.ID
		}
	}
	o := p.run("sign", "--cert", id, "--password-file", path("pw.txt"), docs, "--manifest", path("manifest.csv"))
	if o.code != 0 || !strings.Contains(o.stdout, "Подписано: 12, пропущено: 0, ошибок: 0") {
		t.Fatalf("sign: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if strings.Contains(o.stderr, "\r") {
		t.Errorf("a progress line on a stderr that is not a terminal: %q", o.stderr)
	}
	doc := filepath.Join(docs, "q1", "decl04.xml")
	run("cms", "-engine", "gost", "-verify", "-binary", "-inform", "DER", "-in", doc+".sig", "-content", doc,
		"-CAfile", path("ca.pem"), "-out", os.DevNull)
	if manifest, err := os.ReadFile(path("manifest.csv")); err != nil || strings.Count(string(manifest), ",streebog256,") != 12 {
		t.Errorf("manifest: %v\n%s", err, manifest)
	}

	// Our verify, with the root trusted and not.
	if o := p.run("verify", doc+".sig"); o.code != 1 || !strings.Contains(o.stdout, "которому нет доверия") {
		t.Errorf("verify before trust: exit %d\n%s", o.code, o.stdout)
	}
	if o := p.run("trust", caID); o.code != 0 {
		t.Fatalf("trust: %d %s", o.code, o.stderr)
	}
	if o := p.run("verify", doc+".sig"); o.code != 0 || !strings.Contains(o.stdout, "Итог: подпись действительна.") {
		t.Errorf("verify: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	// OpenSSL's CAdES signature, detached, found beside its document.
	other := filepath.Join(docs, "q0", "decl00.xml")
	run("cms", "-engine", "gost", "-sign", "-binary", "-cades", "-in", other, "-signer", path("cert.pem"), "-inkey", path("key.pem"),
		"-outform", "DER", "-out", other+".p7s")
	if o := p.run("verify", other+".p7s", "--json"); o.code != 0 || !strings.Contains(o.stdout, `"status": "valid"`) {
		t.Errorf("verify OpenSSL's signature: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if err := os.WriteFile(other, []byte("<decl n=\"999\"/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if o := p.run("verify", other+".p7s"); o.code != 1 || !strings.Contains(o.stdout, "НЕДЕЙСТВИТЕЛЬНА") {
		t.Errorf("tampered: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
}
