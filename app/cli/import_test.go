package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportPasswords(t *testing.T) {
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Dmitry"})
	dir := t.TempDir()
	chain := []*x509Cert{p.inter}
	modern := writeFile(t, dir, "modern.p12", p12(t, key, leaf, chain, "secret", false))
	legacyCyr := writeFile(t, dir, "legacy.pfx", p12(t, key, leaf, chain, "пароль Ёжика", true))
	modernCyr := writeFile(t, dir, "cyr.p12", p12(t, key, leaf, chain, "пароль Ёжика", false))
	empty := writeFile(t, dir, "nopass.p12", p12(t, key, leaf, chain, "", false))
	pwSecret := writeFile(t, dir, "secret.txt", []byte("secret\n"))
	pwCyr := writeFile(t, dir, "cyr.txt", []byte("пароль Ёжика\n"))
	pwWrong := writeFile(t, dir, "wrong.txt", []byte("secret \n"))
	pwNew := writeFile(t, dir, "new.txt", []byte("новый-пароль-42\n"))

	tests := []struct {
		name    string
		lang    string
		args    []string
		stdin   string
		term    *fakeTerminal
		memKeys bool
		code    int
		stdout  []string
		stderr  []string
		added   int
	}{
		{name: "modern, password file", args: []string{"import", modern, "--password-file", pwSecret},
			code: 0, stdout: []string{"modern.p12: added 2 certificates", "Personal", "with private key"}, added: 2},
		{name: "legacy, Cyrillic password file", args: []string{"--password-file", pwCyr, "import", legacyCyr},
			code: 0, added: 2},
		{name: "Cyrillic password on stdin", args: []string{"import", "--password-stdin", modernCyr}, stdin: "пароль Ёжика\n",
			code: 0, added: 2},
		{name: "wrong password en", args: []string{"import", modern, "--password-file", pwWrong},
			code: 2, stderr: []string{"modern.p12", "Wrong password", "→ Check the keyboard layout"}},
		{name: "wrong password ru", lang: "ru_RU.UTF-8", args: []string{"import", modern, "--password-file", pwWrong},
			code: 2, stderr: []string{"modern.p12", "Неверный пароль", "→ Проверьте раскладку"}},
		{name: "no password, no terminal", args: []string{"import", modern},
			code: 2, stderr: []string{"podpis: " + modern + ": The file is protected by a password", "--password-file"}},
		{name: "no password, no terminal ru", lang: "ru_RU.UTF-8", args: []string{"import", modern},
			code: 2, stderr: []string{"Файл защищён паролем, а пароль не указан", "--password-file"}},
		{name: "terminal: wrong then right", args: []string{"import", modern}, term: &fakeTerminal{passwords: []string{"nope", "secret"}},
			code: 0, stderr: []string{"Wrong password, try again."}, added: 2},
		{name: "terminal: wrong three times", args: []string{"import", modern}, term: &fakeTerminal{passwords: []string{"a", "b", "c", "secret"}},
			code: 2, stderr: []string{"Wrong password"}},
		{name: "terminal closed", args: []string{"import", modern}, term: &fakeTerminal{},
			code: 2, stderr: []string{"Cancelled: no password was entered"}},
		{name: "empty password, no keyring", args: []string{"import", empty},
			code: 2, stderr: []string{"no password and the system keyring is not available", "--new-password-file"}},
		{name: "empty password, new password file", args: []string{"import", empty, "--new-password-file", pwNew},
			code: 0, added: 2},
		{name: "empty password, asked on terminal", args: []string{"import", empty},
			term: &fakeTerminal{passwords: []string{"one", "two", "nouveau", "nouveau"}},
			code: 0, stderr: []string{"The passwords differ"}, added: 2},
		{name: "empty password, keyring keeps a random one", args: []string{"import", empty}, memKeys: true,
			code: 0, added: 2},
		{name: "remember without keyring warns", args: []string{"import", modern, "--password-file", pwSecret, "--remember"},
			code: 0, stderr: []string{"warning: ", "The system keyring is not available"}, added: 2},
		{name: "both password flags", args: []string{"import", modern, "--password-file", pwSecret, "--password-stdin"},
			code: 2, stderr: []string{"--password-file and --password-stdin cannot be used together"}},
		{name: "password file missing", args: []string{"import", modern, "--password-file", filepath.Join(dir, "none.txt")},
			code: 2, stderr: []string{"none.txt cannot be read (no such file)"}},
		{name: "password file is a folder", args: []string{"import", modern, "--password-file", dir},
			code: 2, stderr: []string{"cannot be read (is a directory)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if tt.lang != "" {
				e.vars["LANG"] = tt.lang
			}
			e.stdin = tt.stdin
			e.term = tt.term
			if tt.memKeys {
				e.keyring = &memKeyring{}
			}
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
			if n := e.count(); n != tt.added {
				t.Errorf("store has %d entries, want %d", n, tt.added)
			}
			for _, secret := range []string{"secret", "пароль Ёжика", "nouveau", "новый-пароль-42"} {
				if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
					t.Errorf("a password (%q) was printed", secret)
				}
			}
			if tt.added > 0 {
				items := e.listJSON()
				if items[0].List != "personal" || !items[0].HasKey || items[0].ID != thumbprint(leaf) {
					t.Errorf("first entry = %+v", items[0])
				}
			}
		})
	}
}

func TestImportRememberAndShowKey(t *testing.T) {
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Remembered"})
	dir := t.TempDir()
	e := newTestEnv(t)
	keys := &memKeyring{}
	e.keyring = keys
	file := writeFile(t, dir, "r.p12", p12(t, key, leaf, nil, "pw", false))
	e.stdin = "pw"
	r := e.run("import", file, "--password-stdin", "--remember", "--json")
	if r.code != 0 {
		t.Fatalf("import: %s %s", r.stdout, r.stderr)
	}
	var out struct{ Files []fileResult }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Files) != 1 || out.Files[0].Status != "added" ||
		len(out.Files[0].Added) != 1 || !out.Files[0].Added[0].HasKey || out.Files[0].Added[0].List != "personal" {
		t.Fatalf("import --json = %+v, %v\n%s", out, err, r.stdout)
	}
	if s, err := keys.Get("podpis", thumbprint(leaf)); err != nil || s != "pw" {
		t.Errorf("keyring holds %q, %v", s, err)
	}
	r = e.run("show", thumbprint(leaf), "--json")
	var info showJSON
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || !info.HasKey || !info.KeyRemembered {
		t.Errorf("show --json: %+v %v", info, err)
	}
	r = e.run("show", thumbprint(leaf))
	if !strings.Contains(r.stdout, "in the store, password remembered") {
		t.Errorf("show does not say the password is remembered:\n%s", r.stdout)
	}
}

func TestBatchImport(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Batch"})
	dir := t.TempDir()
	good := writeFile(t, dir, "good.pem", pemOf(leaf))
	root := writeFile(t, dir, "root.cer", p.root.Raw)
	emptyFile := writeFile(t, dir, "empty.cer", nil)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPKCS8, err := x509.MarshalPKCS8PrivateKey(edKey)
	if err != nil {
		t.Fatal(err)
	}
	keyOnly := writeFile(t, dir, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edPKCS8}))
	truncated := writeFile(t, dir, "cut.der", leaf.Raw[:len(leaf.Raw)/2])
	folder := filepath.Join(dir, "folder.p12")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.cer")
	huge := filepath.Join(dir, "huge.p12")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(16<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	e := newTestEnv(t)
	r := e.run("import", good, emptyFile, keyOnly, truncated, folder, missing, huge, root)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "good.pem: added 1 certificate") || !strings.Contains(r.stdout, "root.cer: added 1 certificate") {
		t.Errorf("good files not reported:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "Files imported: 2 of 8, failed: 6") {
		t.Errorf("no summary:\n%s", r.stdout)
	}
	for _, f := range []string{emptyFile, keyOnly, truncated, folder, missing, huge} {
		if !strings.Contains(r.stderr, "podpis: "+f+": ") && !strings.Contains(r.stderr, f) {
			t.Errorf("%s not reported:\n%s", f, r.stderr)
		}
	}
	for _, s := range []string{"This is a folder, not a file", "The file cannot be read (no such file)", "The file is too large"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if strings.Count(r.stderr, "\n  → ") < 6 {
		t.Errorf("not every failure has a hint:\n%s", r.stderr)
	}
	if n := e.count(); n != 2 {
		t.Errorf("store has %d entries, want 2", n)
	}

	// The same in JSON: one object per file.
	e2 := newTestEnv(t)
	r = e2.run("import", "--json", good, emptyFile)
	var out struct{ Files []fileResult }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 2 || len(out.Files) != 2 {
		t.Fatalf("--json: %d %v %s", r.code, err, r.stdout)
	}
	if out.Files[0].Status != "added" || out.Files[1].Status != "error" || out.Files[1].Error == nil ||
		out.Files[1].Error.Code != "bad-input" || out.Files[1].Error.Reason != "empty" || out.Files[1].Error.File != emptyFile || out.Files[1].Error.Message == "" {
		t.Errorf("--json files = %+v", out.Files)
	}
	if r.stderr != "" {
		t.Errorf("--json wrote to stderr: %s", r.stderr)
	}
}

func TestDelete(t *testing.T) {
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Keyholder"})
	dir := t.TempDir()
	container := writeFile(t, dir, "k.p12", p12(t, key, leaf, nil, "pw", false))
	pw := writeFile(t, dir, "pw", []byte("pw"))
	e := newTestEnv(t)
	if r := e.run("import", container, "--password-file", pw); r.code != 0 {
		t.Fatal(r.stderr)
	}
	id := thumbprint(leaf)

	r := e.run("delete", id)
	if r.code != 2 || !strings.Contains(r.stderr, "has a private key, and deleting it needs confirmation") ||
		!strings.Contains(r.stderr, "podpis delete "+id+" --yes") || e.count() != 1 {
		t.Errorf("delete without terminal: %d %s", r.code, r.stderr)
	}
	e.vars["LANG"] = "ru_RU.UTF-8"
	e.term = &fakeTerminal{lines: []string{"n"}}
	r = e.run("delete", id)
	if r.code != 2 || !strings.Contains(r.stderr, "Ничего не удалено") || e.count() != 1 {
		t.Errorf("declined: %d %s", r.code, r.stderr)
	}
	if len(e.term.prompts) != 1 || !strings.Contains(e.term.prompts[0], "Удалить сертификат «Keyholder» вместе с закрытым ключом?") ||
		!strings.Contains(e.term.prompts[0], "[y/N]") {
		t.Errorf("prompts = %q", e.term.prompts)
	}
	e.term = &fakeTerminal{lines: []string{"да"}}
	r = e.run("delete", id)
	if r.code != 0 || !strings.Contains(r.stdout, "Сертификат «Keyholder» ("+id+") удалён") || e.count() != 0 {
		t.Errorf("confirmed: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.store, "keys", id+".key")); !os.IsNotExist(err) {
		t.Errorf("key container left behind: %v", err)
	}

	// --yes in a script.
	e.term = nil
	if r := e.run("import", container, "--password-file", pw); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = e.run("delete", "--yes", id[:12], "--json")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || out["deleted"] != true || out["id"] != id || e.count() != 0 {
		t.Errorf("delete --yes --json: %d %v %s", r.code, err, r.stdout)
	}
}

func TestTrust(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.leaf(t, leafOptions{cn: "Not a CA"})
	dir := t.TempDir()
	root := writeFile(t, dir, "root.pem", pemOf(p.root))
	inter := writeFile(t, dir, "inter.der", p.inter.Raw)
	leafFile := writeFile(t, dir, "leaf.pem", pemOf(leaf))
	e := newTestEnv(t)
	e.vars["LANG"] = "ru_RU.UTF-8"
	r := e.run("trust", root, inter, leafFile)
	if r.code != 2 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"root.pem: добавлен 1 сертификат", "Доверенные корневые", "inter.der: добавлен 1 сертификат", "Промежуточные УЦ"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "leaf.pem: Это не сертификат удостоверяющего центра") {
		t.Errorf("leaf not refused:\n%s", r.stderr)
	}
	items := e.listJSON()
	lists := map[string]string{}
	for _, it := range items {
		lists[it.SubjectCommonName] = it.List
	}
	if len(items) != 2 || lists["Test Root CA"] != "root" || lists["Test Intermediate CA"] != "intermediate" {
		t.Errorf("lists = %v", lists)
	}
	// Trusting a certificate that is not in the store, by ID.
	r = e.run("trust", "deadbeefdeadbeef")
	if r.code != 2 || !strings.Contains(r.stderr, "не найден в хранилище") {
		t.Errorf("trust unknown ID: %d %s", r.code, r.stderr)
	}
}
