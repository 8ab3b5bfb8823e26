package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/internal/testenv"
)

func TestPasswd(t *testing.T) {
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Смена Пароля"})
	dir := t.TempDir()
	e := newTestEnv(t)
	keys := &memKeyring{}
	e.keyring = keys
	id := thumbprint(leaf)
	file := writeFile(t, dir, "k.p12", p12(t, key, leaf, nil, "старый", false))
	oldFile := writeFile(t, dir, "old", []byte("старый\n"))
	newFile := writeFile(t, dir, "new", []byte("новый\n"))
	wrongFile := writeFile(t, dir, "wrong", []byte("не тот\n"))
	if r := e.run("import", file, "--password-file", oldFile); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	open := func(pw string) error {
		s, err := certstore.Open(certstore.Options{Dir: e.store, Keyring: certstore.NoKeyring{}})
		if err != nil {
			t.Fatal(err)
		}
		return s.CheckPassword(id, pw)
	}

	// A wrong current password changes nothing.
	r := e.run("passwd", id[:10], "--password-file", wrongFile, "--new-password-file", newFile, "--lang", "ru")
	if r.code != 2 || !strings.Contains(r.stderr, "Неверный пароль") {
		t.Fatalf("wrong current password: exit %d\n%s", r.code, r.stderr)
	}
	if err := open("старый"); err != nil {
		t.Fatalf("container changed after a refused passwd: %v", err)
	}
	// Without a terminal the new password must come from a flag.
	if r := e.run("passwd", id, "--password-file", oldFile); r.code != 2 || !strings.Contains(r.stderr, "--new-password-file") {
		t.Fatalf("no new password: exit %d\n%s", r.code, r.stderr)
	}

	r = e.run("passwd", id, "--password-file", oldFile, "--new-password-file", newFile, "--remember", "--json")
	if r.code != 0 {
		t.Fatalf("passwd: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var out struct {
		ID         string
		Changed    bool
		Remembered bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.ID != id || !out.Changed || !out.Remembered {
		t.Fatalf("passwd --json = %+v, %v\n%s", out, err, r.stdout)
	}
	if err := open("новый"); err != nil {
		t.Fatalf("new password does not open the container: %v", err)
	}
	if err := open("старый"); err == nil {
		t.Fatal("old password still opens the container")
	}
	if s, _ := keys.Get(certstore.KeyringService, id); s != "новый" {
		t.Fatalf("keyring holds %q", s)
	}

	// Remembered now: the current password comes from the keyring, the
	// new one from the terminal, typed twice.
	e.term = &fakeTerminal{passwords: []string{"третий", "третий"}}
	r = e.run("passwd", id, "--lang", "en")
	if r.code != 0 || !strings.Contains(r.stdout, "was changed") {
		t.Fatalf("passwd on a terminal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := open("третий"); err != nil {
		t.Fatalf("terminal password does not open the container: %v", err)
	}

	// A certificate without a key has no password to change.
	other, _ := p.leaf(t, leafOptions{cn: "No Key"})
	if r := e.run("import", writeFile(t, dir, "other.cer", other.Raw)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := e.run("passwd", thumbprint(other), "--new-password-file", newFile); r.code != 2 {
		t.Fatalf("passwd of a certificate without a key: exit %d", r.code)
	}
}

func TestExportPFX(t *testing.T) {
	p := newPKI(t)
	leaf, key := p.leaf(t, leafOptions{cn: "Экспорт Ключа"})
	dir := t.TempDir()
	e := newTestEnv(t)
	id := thumbprint(leaf)
	keyPw := writeFile(t, dir, "keypw", []byte("ключ\n"))
	filePw := writeFile(t, dir, "filepw", []byte("файл\n"))
	if r := e.run("import", writeFile(t, dir, "k.p12", p12(t, key, leaf, nil, "ключ", false)), "--password-file", keyPw); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := filepath.Join(dir, "out.pfx")
	// No keyring and no terminal: the key's password must come from a flag.
	if r := e.run("export", id, "--format", "pfx", "--out", out, "--password-file", filePw); r.code != 2 || fileExists(out) {
		t.Fatalf("without the key's password: exit %d, file written %v\n%s", r.code, fileExists(out), r.stderr)
	}
	// No password for the new file: refused.
	if r := e.run("export", id, "--format", "pfx", "--out", out, "--key-password-file", keyPw); r.code != 2 || !strings.Contains(r.stderr, ".pfx") {
		t.Fatalf("without a file password: exit %d\n%s", r.code, r.stderr)
	}
	r := e.run("export", id, "--format", "pfx", "--out", out, "--key-password-file", keyPw, "--password-file", filePw, "--lang", "ru")
	if r.code != 0 || !strings.Contains(r.stdout, "закрытый ключ") {
		t.Fatalf("export pfx: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("exported .pfx: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	// It is a .p12 that imports again with the file's password.
	other := newTestEnv(t)
	if r := other.run("import", out, "--password-file", filePw); r.code != 0 {
		t.Fatalf("re-import: %s", r.stderr)
	}
	if items := other.listJSON(); len(items) != 1 || !items[0].HasKey || items[0].ID != id {
		t.Fatalf("re-imported %+v", items)
	}
	// And OpenSSL reads it.
	openssl := testenv.LookPath(t, "openssl")
	if o, err := exec.Command(openssl, "pkcs12", "-in", out, "-passin", "pass:файл", "-nodes", "-info").CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs12: %v\n%s", err, o)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
