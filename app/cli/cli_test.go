package cli

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/podpis/podpis/assets"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/internal/i18n"

	"github.com/podpis/podpis/internal/testenv"
)

func TestUsageAndUnknownCommands(t *testing.T) {
	tests := []struct {
		name     string
		lang     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStderr bool
	}{
		{name: "help", lang: "en_US.UTF-8", args: []string{"--help"}, code: 0, stdout: []string{"import FILE...", "list", "--store DIR"}, noStderr: true},
		{name: "-h ru", lang: "ru_RU.UTF-8", args: []string{"-h"}, code: 0, stdout: []string{"Команды:", "help [КОМАНДА]"}, noStderr: true},
		{name: "help command", lang: "en_US.UTF-8", args: []string{"help", "export"}, code: 0, stdout: []string{"--format", "--chain", "--force"}},
		{name: "command --help", lang: "ru_RU.UTF-8", args: []string{"import", "--help"}, code: 0, stdout: []string{"--password-file", "--new-password-file"}},
		{name: "no command", lang: "en_US.UTF-8", args: []string{"--json=false"}, code: 2, stderr: []string{"Usage:"}},
		{name: "unknown flag en", lang: "en_US.UTF-8", args: []string{"list", "--frobnicate"}, code: 2, stderr: []string{"podpis: Unknown flag --frobnicate", "→ See podpis help list"}},
		{name: "unknown flag ru", lang: "ru_RU.UTF-8", args: []string{"list", "--frobnicate"}, code: 2, stderr: []string{"Неизвестный флаг --frobnicate", "→ Справка: podpis help list"}},
		{name: "lang flag wins over locale", lang: "ru_RU.UTF-8", args: []string{"--lang", "en", "list", "--x"}, code: 2, stderr: []string{"Unknown flag --x"}},
		{name: "C locale is English", lang: "C", args: []string{"show"}, code: 2, stderr: []string{"An argument is missing"}},
		{name: "bad lang", lang: "en_US.UTF-8", args: []string{"--lang", "de", "list"}, code: 2, stderr: []string{"Unknown language \"de\""}},
		{name: "extra argument", lang: "en_US.UTF-8", args: []string{"show", "a", "b"}, code: 2, stderr: []string{"Too many arguments, starting with “b”"}},
		{name: "token without subcommand", lang: "en_US.UTF-8", args: []string{"token"}, code: 2, stderr: []string{"An argument is missing", "podpis help token"}},
		{name: "token unknown subcommand", lang: "en_US.UTF-8", args: []string{"token", "frob"}, code: 2, stderr: []string{"Unknown command “token frob”"}},
		{name: "token flag of another subcommand", lang: "ru_RU.UTF-8", args: []string{"token", "list", "--remember"}, code: 2, stderr: []string{"Неизвестный флаг --remember", "podpis help token"}},
		{name: "token bad slot", lang: "en_US.UTF-8", args: []string{"token", "list", "--slot", "x"}, code: 2, stderr: []string{"Wrong value “x” for --slot"}},
		{name: "token pin flags conflict", lang: "en_US.UTF-8", args: []string{"token", "import", "--pin-file", "a", "--pin-stdin"}, code: 2, stderr: []string{"--pin-file and --pin-stdin cannot be used together"}},
		{name: "help token", lang: "en_US.UTF-8", args: []string{"help", "token"}, code: 0, stdout: []string{"podpis token list", "podpis token import", "podpis token passwd", "--pin-file", "systemctl status pcscd"}, noStderr: true},
		{name: "token --help ru", lang: "ru_RU.UTF-8", args: []string{"token", "import", "--help"}, code: 0, stdout: []string{"podpis token import", "SO PIN"}},
		{name: "help lists token", lang: "en_US.UTF-8", args: []string{"--help"}, code: 0, stdout: []string{"token import", "token passwd"}},
		{name: "version", lang: "C", args: []string{"version"}, code: 0, stdout: []string{"podpis "}},
		{name: "--version", lang: "C", args: []string{"--version"}, code: 0, stdout: []string{"podpis "}},
		{name: "expiring not a number", lang: "en_US.UTF-8", args: []string{"list", "--expiring", "soon"}, code: 2, stderr: []string{"Wrong value “soon” for --expiring"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.vars["LANG"] = tt.lang
			r := e.run(tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if tt.noStderr && r.stderr != "" {
				t.Errorf("unexpected stderr: %s", r.stderr)
			}
		})
	}
}

func TestImportListShowExportDelete(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Alice"})
	dir := t.TempDir()
	chainFile := writeFile(t, dir, "chain.pem", pemOf(leaf, p.inter, p.root))
	e := newTestEnv(t)

	r := e.run("import", chainFile)
	if r.code != 0 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "chain.pem: added 3 certificates") {
		t.Errorf("import output: %s", r.stdout)
	}
	// A self-signed root from a file is kept but not trusted: say so.
	if !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, "“Test Root CA” was stored but is not trusted") ||
		!strings.Contains(r.stderr, "podpis trust "+thumbprint(p.root)) {
		t.Errorf("no untrusted-root warning with the trust command:\n%s", r.stderr)
	}

	items := e.listJSON()
	if len(items) != 3 {
		t.Fatalf("list has %d entries, want 3", len(items))
	}
	byID := map[string]listItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	if it := byID[thumbprint(leaf)]; it.List != "other" || it.SubjectCommonName != "Alice" || it.IssuerCommonName != "Test Intermediate CA" ||
		it.Status != "valid" || it.HasKey || it.NotAfter.IsZero() || it.Serial != hex.EncodeToString(leaf.SerialNumber.Bytes()) {
		t.Errorf("leaf item = %+v", it)
	}
	if it := byID[thumbprint(p.root)]; !it.UntrustedRoot || it.List != "intermediate" {
		t.Errorf("root item = %+v", it)
	}

	// Text list: the column titles, short IDs, dates and the untrusted mark.
	r = e.run("list")
	for _, s := range []string{"ID", "OWNER", "VALID TO", thumbprint(leaf)[:16], leaf.NotAfter.Local().Format("2006-01-02"), "root not trusted"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("list lacks %q:\n%s", s, r.stdout)
		}
	}

	// Importing again adds nothing and says so.
	r = e.run("import", chainFile)
	if r.code != 0 || !strings.Contains(r.stdout, "chain.pem: already in the store") {
		t.Errorf("second import: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// Trust the root by its ID, as the warning said.
	r = e.run("trust", thumbprint(p.root)[:10])
	if r.code != 0 || !strings.Contains(r.stdout, "Trusted roots") {
		t.Errorf("trust by ID: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if it := e.listJSON(); len(it) != 3 {
		t.Fatalf("trust changed the count: %d", len(it))
	}

	// show by a prefix of 8 digits, with spaces and upper case as pasted
	// from Windows.
	id := thumbprint(leaf)
	pasted := strings.ToUpper(id[:4] + " " + id[4:8])
	r = e.run("show", pasted)
	if r.code != 0 || !strings.Contains(r.stdout, "Alice") || !strings.Contains(r.stdout, id) {
		t.Errorf("show %s: %d %s %s", pasted, r.code, r.stdout, r.stderr)
	}

	// export PEM with chain, then DER, then p7b; each re-read by Sniff.
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, format string
		chain        bool
		want         []string
		pkcs7        bool
	}{
		{"leaf.pem", "", false, []string{id}, false},
		{"chain.pem", "pem", true, []string{id, thumbprint(p.inter), thumbprint(p.root)}, false},
		{"leaf.der", "der", false, []string{id}, false},
		{"chain.p7b", "p7b", true, []string{id, thumbprint(p.inter), thumbprint(p.root)}, true},
	} {
		args := []string{"export", id[:8], "--out", filepath.Join(out, tc.file)}
		if tc.format != "" {
			args = append(args, "--format", tc.format)
		}
		if tc.chain {
			args = append(args, "--chain")
		}
		r := e.run(args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		if r.stderr != "" {
			t.Errorf("%v: unexpected stderr %s", args, r.stderr)
		}
		data, err := os.ReadFile(filepath.Join(out, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		sniffed, err := format.Sniff(data)
		if err != nil {
			t.Fatalf("%s: Sniff: %v", tc.file, err)
		}
		var got []string
		for _, der := range sniffed.Certificates {
			got = append(got, sha1Hex(der))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || sniffed.PKCS7 != tc.pkcs7 {
			t.Errorf("%s holds %v (pkcs7 %v), want %v", tc.file, got, sniffed.PKCS7, tc.want)
		}
		if fi, err := os.Stat(filepath.Join(out, tc.file)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode = %v, %v", tc.file, fi.Mode(), err)
		}
	}
	// No temporary files are left behind.
	if names, _ := filepath.Glob(filepath.Join(out, ".*")); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}

	// delete: no key, so no question.
	r = e.run("delete", id)
	if r.code != 0 || !strings.Contains(r.stdout, "Deleted the certificate “Alice”") {
		t.Errorf("delete: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if n := e.count(); n != 2 {
		t.Errorf("after delete %d entries, want 2", n)
	}
	r = e.run("show", id)
	if r.code != 2 || !strings.Contains(r.stderr, "is not in the store") {
		t.Errorf("show deleted: %d %s", r.code, r.stderr)
	}
}

func sha1Hex(der []byte) string {
	c, err := parseX509(der)
	if err != nil {
		return "unparsable"
	}
	return thumbprint(c)
}

func TestExportRefusals(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Bob"})
	dir := t.TempDir()
	e := newTestEnv(t)
	if r := e.run("import", writeFile(t, dir, "bob.cer", leaf.Raw)); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	id := thumbprint(leaf)
	existing := writeFile(t, dir, "existing.pem", []byte("keep me"))

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"overwrite refused", []string{"export", id, "--out", existing}, 2, "existing.pem already exists"},
		{"der with chain", []string{"export", id, "--out", filepath.Join(dir, "x.der"), "--format", "der", "--chain"}, 2, "A DER file holds one certificate"},
		{"bad format", []string{"export", id, "--out", filepath.Join(dir, "x"), "--format", "xml"}, 2, "Wrong value “xml” for --format"},
		{"no --out", []string{"export", id}, 2, "The flag --out is required"},
		{"out is a folder", []string{"export", id, "--out", dir}, 2, "is a folder"},
		{"folder missing", []string{"export", id, "--out", filepath.Join(dir, "nope", "x.pem")}, 2, "cannot be written"},
		{"unknown id", []string{"export", "0123456789", "--out", filepath.Join(dir, "y.pem")}, 2, "Certificate 0123456789 is not in the store"},
		{"short id", []string{"export", "0123", "--out", filepath.Join(dir, "y.pem")}, 2, "is not a certificate thumbprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
	if data, _ := os.ReadFile(existing); string(data) != "keep me" {
		t.Errorf("existing file was changed: %q", data)
	}
	// --force replaces it.
	if r := e.run("export", id, "--out", existing, "--force", "--format", "der"); r.code != 0 {
		t.Fatalf("--force: %s", r.stderr)
	}
	if data, _ := os.ReadFile(existing); string(data) != string(leaf.Raw) {
		t.Error("--force did not write the certificate")
	}
	// An incomplete chain is exported with a note naming the missing issuer.
	r := e.run("export", id, "--out", filepath.Join(dir, "partial.pem"), "--chain")
	if r.code != 0 || !strings.Contains(r.stderr, "the chain is incomplete: the issuer “Test Intermediate CA” is not in the store") {
		t.Errorf("incomplete chain: %d %q", r.code, r.stderr)
	}
	r = e.run("export", id, "--out", filepath.Join(dir, "partial.json.pem"), "--chain", "--json")
	var ej exportJSON
	if err := json.Unmarshal([]byte(r.stdout), &ej); err != nil || ej.Complete || ej.MissingIssuer != "Test Intermediate CA" || len(ej.Certificates) != 1 {
		t.Errorf("export --json = %+v, %v (%s)", ej, err, r.stdout)
	}
}

func TestExportReadByOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Carol"})
	dir := t.TempDir()
	e := newTestEnv(t)
	if r := e.run("import", writeFile(t, dir, "all.pem", pemOf(leaf, p.inter, p.root))); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	id := thumbprint(leaf)
	for _, f := range []string{"pem", "der", "p7b"} {
		out := filepath.Join(dir, "carol."+f)
		args := []string{"export", id, "--out", out, "--format", f}
		if f != "der" {
			args = append(args, "--chain")
		}
		if r := e.run(args...); r.code != 0 {
			t.Fatalf("export %s: %s", f, r.stderr)
		}
		var text string
		switch f {
		case "pem":
			text = runTool(t, "openssl", "x509", "-in", out, "-noout", "-subject", "-fingerprint", "-sha1")
		case "der":
			text = runTool(t, "openssl", "x509", "-inform", "DER", "-in", out, "-noout", "-subject", "-fingerprint", "-sha1")
		case "p7b":
			text = runTool(t, "openssl", "pkcs7", "-inform", "DER", "-in", out, "-print_certs", "-noout")
			for _, cn := range []string{"Carol", "Test Intermediate CA", "Test Root CA"} {
				if !strings.Contains(text, cn) {
					t.Errorf("openssl pkcs7 -print_certs lacks %s:\n%s", cn, text)
				}
			}
			continue
		}
		fp := strings.ToUpper(id)
		if !strings.Contains(strings.ReplaceAll(text, ":", ""), fp) || !strings.Contains(text, "Carol") {
			t.Errorf("openssl x509 on %s:\n%s", f, text)
		}
	}
}

func TestIDAmbiguity(t *testing.T) {
	a, b := ed25519Twins(t)
	dir := t.TempDir()
	e := newTestEnv(t)
	r := e.run("import", writeFile(t, dir, "a.cer", a), writeFile(t, dir, "b.cer", b))
	if r.code != 0 {
		t.Fatalf("import twins: %s", r.stderr)
	}
	prefix := sha1Hex(a)[:8]
	for _, lang := range []struct{ locale, want string }{
		{"en_US.UTF-8", "Several certificates (2) match “" + prefix + "”"},
		{"ru_RU.UTF-8", "Под «" + prefix + "» подходят несколько сертификатов (2)"},
	} {
		e.vars["LANG"] = lang.locale
		r = e.run("show", prefix)
		if r.code != 2 || !strings.Contains(r.stderr, lang.want) {
			t.Errorf("%s: show %s: %d %q", lang.locale, prefix, r.code, r.stderr)
		}
	}
	// One more digit that differs picks one.
	full := sha1Hex(b)
	if sha1Hex(a)[:9] != full[:9] {
		if r := e.run("show", full[:9], "--json"); r.code != 0 || !strings.Contains(r.stdout, full) {
			t.Errorf("show %s: %d %s", full[:9], r.code, r.stderr)
		}
	}
	// --json error shape.
	e.vars["LANG"] = "en_US.UTF-8"
	r = e.run("show", prefix, "--json")
	var out struct{ Error problem }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Error.Code != "bad-input" || out.Error.Reason != "ambiguous-id" || out.Error.Message == "" || out.Error.Hint == "" {
		t.Errorf("--json error = %+v, %v: %s", out, err, r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("--json error also went to stderr: %s", r.stderr)
	}
}

func TestListExpiring(t *testing.T) {
	p := newPKI(t)
	soon, soonKey := p.leaf(t, leafOptions{cn: "Скоро Истекает", days: 10})
	later, laterKey := p.leaf(t, leafOptions{cn: "Later", days: 200})
	dir := t.TempDir()
	e := newTestEnv(t)
	e.keyring = &memKeyring{}
	for name, data := range map[string][]byte{
		"soon.p12":  p12(t, soonKey, soon, []*x509Cert{p.inter}, "", false),
		"later.p12": p12(t, laterKey, later, nil, "", false),
	} {
		if r := e.run("import", writeFile(t, dir, name, data)); r.code != 0 {
			t.Fatalf("import %s: %s", name, r.stderr)
		}
	}
	// Another person's certificate expiring soon is not our problem.
	other, _ := p.leaf(t, leafOptions{cn: "Stranger", days: 3})
	if r := e.run("import", writeFile(t, dir, "stranger.cer", other.Raw)); r.code != 0 {
		t.Fatal(r.stderr)
	}

	e.vars["LANG"] = "ru_RU.UTF-8"
	r := e.run("list", "--expiring", "30")
	if r.code != 1 {
		t.Fatalf("--expiring 30: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"Сертификат «Скоро Истекает» истекает через 10 дней", "закажите новый заранее", "истекает через 10 дней"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("lacks %q:\n%s", s, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Later") || strings.Contains(r.stdout, "Stranger") {
		t.Errorf("--expiring lists other certificates:\n%s", r.stdout)
	}
	e.vars["LANG"] = "en_US.UTF-8"
	r = e.run("list", "--expiring=30", "--json")
	var items []listItem
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || r.code != 1 || len(items) != 1 ||
		items[0].Status != "expiring" || items[0].DaysLeft != 10 || !items[0].HasKey || items[0].List != "personal" {
		t.Errorf("--expiring --json: %d %+v %v", r.code, items, err)
	}
	r = e.run("list", "--expiring", "5")
	if r.code != 0 || !strings.Contains(r.stdout, "No personal certificate has expired or expires within 5 days") {
		t.Errorf("--expiring 5: %d %s", r.code, r.stdout)
	}
	// Expired: still reported, with the other wording.
	e.now = testNow.AddDate(0, 0, 20)
	e.vars["LANG"] = "ru_RU.UTF-8"
	r = e.run("list", "--expiring", "0")
	if r.code != 1 || !strings.Contains(r.stdout, "Срок действия сертификата «Скоро Истекает» истёк") {
		t.Errorf("expired: %d %s", r.code, r.stdout)
	}
	// The full list marks badges in Russian with correct plurals.
	e.now = testNow.AddDate(0, 0, 8)
	r = e.run("list")
	if r.code != 0 || !strings.Contains(r.stdout, "истекает через 2 дня") || !strings.Contains(r.stdout, "закрытый ключ") {
		t.Errorf("list ru: %d\n%s", r.code, r.stdout)
	}
}

func TestShowRussianAttributes(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Иванов Иван Иванович", russian: true, rsaKey: true})
	dir := t.TempDir()
	e := newTestEnv(t)
	if r := e.run("import", writeFile(t, dir, "ivanov.cer", pemOf(leaf))); r.code != 0 {
		t.Fatal(r.stderr)
	}
	id := thumbprint(leaf)
	e.vars["LANG"] = "ru_RU.UTF-8"
	r := e.run("show", id)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, s := range []string{
		"ИНН:", "123456789012", "СНИЛС:", "12345678901", "ОГРН:", "1027700000000", "ОГРНИП:", "304500000000000",
		"ИНН ЮЛ:", "7700000000", "1.2.3.4.5:", "custom value", "Фамилия:", "Иванов",
		"RSA, 2048 бит", "КС1", "КС2", "Средство электронной подписи владельца", "СКЗИ «КриптоПро CSP»",
		"Средства электронной подписи и УЦ издателя", "ПАК «КриптоПро УЦ» версии 2.0", "СФ/128-0002",
		"Срок действия закрытого ключа", "Цифровая подпись", "Неотрекаемость", "Проверка подлинности клиента",
		"http://127.0.0.1/test.crl", "OCSP: http://127.0.0.1/ocsp", "http://127.0.0.1/ca.cer",
		"SHA-256", id, "Серийный номер", hex.EncodeToString(leaf.SerialNumber.Bytes()), "не удостоверяющий центр",
		"Идентификатор ключа центра сертификатов", hexString(leaf.AuthorityKeyId), "Другие пользователи",
	} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("show (ru) lacks %q", s)
		}
	}
	if t.Failed() {
		t.Log(r.stdout)
	}
	e.vars["LANG"] = "en_US.UTF-8"
	r = e.run("show", id, "--lang", "en")
	for _, s := range []string{"INN (taxpayer number):", "SNILS (personal insurance number):", "INN of the legal entity:", "KC1 class", "RSA, 2048 bit"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("show (en) lacks %q:\n%s", s, r.stdout)
		}
	}

	r = e.run("show", id, "--json")
	var info showJSON
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatalf("show --json: %v\n%s", err, r.stdout)
	}
	attrs := map[string]string{}
	for _, a := range info.Subject.Attributes {
		attrs[a.OID] = a.Value
	}
	if attrs["1.2.643.3.131.1.1"] != "123456789012" || attrs["1.2.643.100.4"] != "7700000000" || attrs["1.2.3.4.5"] != "custom value" {
		t.Errorf("subject attributes = %v", attrs)
	}
	if info.ID != id || info.PublicKey.Family != "rsa" || info.PublicKey.Value == "" || !strings.HasPrefix(info.PublicKey.Value, "3082") || info.PublicKey.Bits != 2048 || info.Serial != hex.EncodeToString(leaf.SerialNumber.Bytes()) ||
		len(info.Policies) != 2 || info.Policies[0].Key != "kc1" || info.SubjectSignTool != "СКЗИ «КриптоПро CSP»" ||
		len(info.IssuerSignTool) != 4 || info.PrivateKeyUsagePeriod == nil || info.PrivateKeyUsagePeriod.NotAfter == nil ||
		info.BasicConstraints == nil || info.BasicConstraints.CA || len(info.KeyUsage) != 2 || info.KeyUsage[0] != "digitalSignature" ||
		len(info.ExtKeyUsage) != 2 || info.Issuer.CommonName != "Test Intermediate CA" || len(info.SHA256) != 64 {
		t.Errorf("show --json = %+v", info)
	}
}

// TestShowGOST checks that a GOST certificate made by OpenSSL's gost engine
// parses and shows its key in words before GOST signing exists.
func TestShowGOST(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	key := filepath.Join(dir, "gost.key")
	crt := filepath.Join(dir, "gost.pem")
	cmd := []string{"req", "-engine", "gost", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A",
		"-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=GOST Test/C=RU", "-days", "30"}
	if out, err := execOpenSSL(cmd...); err != nil {
		testenv.Missing(t, "openssl gost engine unavailable: %v\n%s", err, out)
	}
	e := newTestEnv(t)
	e.vars["LANG"] = "ru_RU.UTF-8"
	if r := e.run("import", crt); r.code != 0 {
		t.Fatalf("import GOST certificate: %s", r.stderr)
	}
	items := e.listJSON()
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	r := e.run("show", items[0].ID)
	if !strings.Contains(r.stdout, "ГОСТ Р 34.10-2012, 256 бит") || !strings.Contains(r.stdout, "набор параметров A (КриптоПро)") {
		t.Errorf("GOST key not named:\n%s", r.stdout)
	}
}

func TestTranslationsComplete(t *testing.T) {
	load := func(name string) map[string]any {
		data, err := assets.Translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	en, ru := load("cli.en.json"), load("cli.ru.json")
	for k := range en {
		if _, ok := ru[k]; !ok {
			t.Errorf("cli.ru.json lacks %s", k)
		}
	}
	for k := range ru {
		if _, ok := en[k]; !ok {
			t.Errorf("cli.en.json lacks %s", k)
		}
	}
	// Every key the code uses exists.
	e := newTestEnv(t)
	localizers := []*i18n.Localizer{e.localizer("en"), e.localizer("ru")}
	src, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`"(cli\.[a-z0-9.-]+[a-z0-9])"`)
	codeRe := regexp.MustCompile(`(?:newError|usageError)\("([a-z0-9-]+)"`)
	for _, f := range src {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(data), -1) {
			if _, ok := en[m[1]]; !ok && !strings.HasSuffix(m[1], ".") {
				t.Errorf("%s uses %s, which is not translated", f, m[1])
			}
		}
		for _, m := range codeRe.FindAllStringSubmatch(string(data), -1) {
			for _, l := range localizers {
				if !l.Has("err." + m[1]) {
					t.Errorf("%s: error code %s has no err.%s in %s", f, m[1], m[1], l.Lang())
				}
			}
		}
	}
	for _, c := range commands() {
		if c.available && c.name != "help" && c.name != "version" && !strings.Contains(en["cli.usage"].(string), c.name) {
			t.Errorf("cli.usage does not mention %s", c.name)
		}
	}
}
