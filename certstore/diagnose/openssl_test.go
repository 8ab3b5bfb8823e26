package diagnose

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// What OpenSSL's gost engine writes, as support staff receive it: a GOST
// .pfx (TC26, Streebog MAC) and CMS signatures in DER and PEM.
func TestOpenOpenSSLGOSTFiles(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "key.pem")
	run("req", "-engine", "gost", "-x509", "-new", "-utf8", "-key", "key.pem", "-subj", "/CN=Петров ГОСТ/C=RU", "-days", "30", "-out", "cert.pem")
	run("pkcs12", "-engine", "gost", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "k.pfx",
		"-passout", "pass:пароль", "-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_512")
	if err := os.WriteFile(filepath.Join(dir, "doc"), []byte("документ"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("cms", "-engine", "gost", "-sign", "-binary", "-in", "doc", "-signer", "cert.pem", "-inkey", "key.pem", "-outform", "DER", "-out", "doc.sig")
	run("cms", "-engine", "gost", "-sign", "-binary", "-in", "doc", "-signer", "cert.pem", "-inkey", "key.pem", "-outform", "PEM", "-out", "doc.pem.sig")
	block, _ := pem.Decode(read("cert.pem"))

	in, err := Open("k.pfx", read("k.pfx"))
	if err != nil || in.Kind != KindPKCS12 {
		t.Fatalf("pfx: %v %v", in, err)
	}
	var de *Error
	if _, _, err := in.UnlockPKCS12("не тот"); !errors.As(err, &de) || de.Code() != CodeWrongPassword {
		t.Errorf("wrong password: %v", err)
	}
	leaf, _, err := in.UnlockPKCS12("пароль")
	if err != nil || !bytes.Equal(leaf.Raw, block.Bytes) || leaf.Subject.CommonName() != "Петров ГОСТ" {
		t.Fatalf("unlock: %v", err)
	}

	for name, enc := range map[string]Encoding{"doc.sig": EncodingDER, "doc.pem.sig": EncodingPEM} {
		in, err := Open(name, read(name))
		if err != nil || in.Kind != KindSignature || in.Encoding != enc {
			t.Errorf("%s: %+v %v", name, in, err)
		}
	}
}
