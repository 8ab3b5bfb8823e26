package certstore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

func TestImportCertificatesGoToTheirLists(t *testing.T) {
	s := openTestStore(t, nil)
	ch := makeChain(t, "Иванов Иван", false)
	bundle := append(append(pemCert(ch.Leaf.Cert), pemCert(ch.CA.Cert)...), pemCert(ch.Root.Cert)...)

	res, err := s.ImportFile(writeTemp(t, "chain.pem", bundle), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 3 || len(res.Existing) != 0 {
		t.Fatalf("added %d, existing %d; want 3, 0", len(res.Added), len(res.Existing))
	}
	if len(res.UntrustedRoots) != 1 || res.UntrustedRoots[0].Cert.Subject.CommonName() != "Test Root CA" {
		t.Fatalf("untrusted roots = %v, want the root", res.UntrustedRoots)
	}
	want := map[string]List{
		thumb(ch.Leaf.Cert): ListOther,
		thumb(ch.CA.Cert):   ListIntermediate,
		thumb(ch.Root.Cert): ListIntermediate, // stored, not trusted
	}
	entries, err := s.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if want[e.ID] != e.List {
			t.Errorf("%s in %s, want %s", e.Cert.Subject.CommonName(), e.List, want[e.ID])
		}
		if e.HasKey {
			t.Errorf("%s has a key", e.ID)
		}
	}

	// Importing again adds nothing and reports what is there.
	res, err = s.ImportFile(writeTemp(t, "again.pem", bundle), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 0 || len(res.Existing) != 3 {
		t.Fatalf("re-import: added %d, existing %d; want 0, 3", len(res.Added), len(res.Existing))
	}
}

func thumb(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return hex.EncodeToString(sum[:])
}

func TestTrustMovesRootAndRefusesEndEntity(t *testing.T) {
	s := openTestStore(t, nil)
	ch := makeChain(t, "Leaf", false)
	if _, err := s.ImportFile(writeTemp(t, "root.cer", ch.Root.Cert.Raw), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := s.TrustFile(writeTemp(t, "root.pem", pemCert(ch.Root.Cert)))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0].List != ListRoot {
		t.Fatalf("trust: %+v", res.Added)
	}
	res, err = s.TrustFile(writeTemp(t, "ca.pem", pemCert(ch.CA.Cert)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added[0].List != ListIntermediate {
		t.Fatalf("intermediate went to %s", res.Added[0].List)
	}
	_, err = s.TrustFile(writeTemp(t, "leaf.pem", pemCert(ch.Leaf.Cert)))
	if !errors.Is(err, ErrNotCA) {
		t.Fatalf("trusting an end-entity certificate: err = %v, want ErrNotCA", err)
	}
	if e, _ := s.Get(thumb(ch.Leaf.Cert)); e != nil {
		t.Fatal("refused certificate was stored")
	}
}

func TestImportPKCS12(t *testing.T) {
	ch := makeChain(t, "Петров Пётр", false)
	rsaCh := makeChain(t, "RSA Holder", true)
	cases := []struct {
		name     string
		chain    *testChain
		enc      *pkcs12.Encoder
		password string
	}{
		{"modern ECDSA", ch, pkcs12.Modern2023, "secret"},
		{"legacy RC2 RSA", rsaCh, pkcs12.LegacyRC2, "secret"},
		{"legacy 3DES Cyrillic", ch, pkcs12.LegacyDES, "пароль Ёж"},
		{"modern RSA Cyrillic", rsaCh, pkcs12.Modern2023, "Пароль123"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kr := newMemKeyring()
			s := openTestStore(t, kr)
			path := writeTemp(t, "key.p12", tc.chain.pfx(t, tc.enc, tc.password))
			asked := 0
			res, err := s.ImportFile(path, ImportOptions{Password: func(r PasswordRequest) (string, error) {
				asked++
				if r.Purpose != PurposeOpenFile || r.File != "key.p12" {
					t.Errorf("request = %+v", r)
				}
				return tc.password, nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if asked != 1 {
				t.Errorf("asked %d times", asked)
			}
			leafID := thumb(tc.chain.Leaf.Cert)
			e, err := s.Get(leafID)
			if err != nil {
				t.Fatal(err)
			}
			if e.List != ListPersonal || !e.HasKey {
				t.Fatalf("leaf in %s, key %v", e.List, e.HasKey)
			}
			if len(res.UntrustedRoots) != 1 {
				t.Errorf("untrusted roots: %d", len(res.UntrustedRoots))
			}
			if _, err := kr.Get(KeyringService, leafID); err == nil {
				t.Error("password remembered without Remember")
			}
			key, err := s.PrivateKey(leafID[:10], fixedPassword(tc.password))
			if err != nil {
				t.Fatal(err)
			}
			if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.chain.Leaf.Key.Public()) {
				t.Fatal("recovered key differs")
			}
			if _, err := s.PrivateKey(leafID, fixedPassword("wrong")); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong container password: %v", err)
			}
		})
	}
}

func TestImportPKCS12Failures(t *testing.T) {
	ch := makeChain(t, "Leaf", false)
	pfx := ch.pfx(t, pkcs12.Modern2023, "right")
	path := writeTemp(t, "k.pfx", pfx)

	s := openTestStore(t, nil)
	_, err := s.ImportFile(path, ImportOptions{Password: fixedPassword("wrong")})
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != path || fe.Code() != "wrong-password" {
		t.Fatalf("error does not name the file and cause: %#v", err)
	}
	_, err = s.ImportFile(path, ImportOptions{})
	if !errors.Is(err, ErrPasswordRequired) {
		t.Fatalf("no password callback: %v", err)
	}
	_, err = s.ImportFile(path, ImportOptions{Password: func(PasswordRequest) (string, error) { return "", ErrCancelled }})
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("cancelled: %v", err)
	}
	// Damaged: flip a byte in the middle.
	bad := bytes.Clone(pfx)
	bad[len(bad)/2] ^= 0x55
	_, err = s.ImportFile(writeTemp(t, "bad.pfx", bad), ImportOptions{Password: fixedPassword("right")})
	if err == nil {
		t.Fatal("damaged PFX imported")
	}
	if es, _ := s.Entries(); len(es) != 0 {
		t.Fatalf("failed imports added %d entries", len(es))
	}
	if des, _ := os.ReadDir(filepath.Join(s.Dir(), "keys")); len(des) != 0 {
		t.Fatalf("failed imports left %d key files", len(des))
	}
}

func TestEmptyPasswordPKCS12(t *testing.T) {
	ch := makeChain(t, "No Password", false)
	path := writeTemp(t, "nopw.p12", ch.pfx(t, pkcs12.Modern2023, ""))
	leafID := thumb(ch.Leaf.Cert)

	t.Run("keyring keeps a random password", func(t *testing.T) {
		kr := newMemKeyring()
		s := openTestStore(t, kr)
		if _, err := s.ImportFile(path, ImportOptions{Password: func(PasswordRequest) (string, error) {
			t.Error("asked for a password")
			return "", ErrCancelled
		}}); err != nil {
			t.Fatal(err)
		}
		pw, err := kr.Get(KeyringService, leafID)
		if err != nil || len(pw) < 40 {
			t.Fatalf("keyring password %q, %v", pw, err)
		}
		if _, err := s.PrivateKey(leafID, nil); err != nil {
			t.Fatalf("opening with the remembered password: %v", err)
		}
		if err := s.CheckPassword(leafID, ""); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("the container opens with an empty password: %v", err)
		}
	})
	t.Run("no keyring asks for a new password", func(t *testing.T) {
		s := openTestStore(t, NoKeyring{})
		if _, err := s.ImportFile(path, ImportOptions{}); !errors.Is(err, ErrNoPassword) {
			t.Fatalf("without a callback: %v", err)
		}
		var purposes []Purpose
		_, err := s.ImportFile(path, ImportOptions{Password: func(r PasswordRequest) (string, error) {
			purposes = append(purposes, r.Purpose)
			return "новый пароль", nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(purposes) != 1 || purposes[0] != PurposeNewContainer {
			t.Fatalf("asked for %v", purposes)
		}
		if err := s.CheckPassword(leafID, "новый пароль"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReimportKeepsContainerAndRememberedPassword(t *testing.T) {
	ch := makeChain(t, "Twice", false)
	kr := newMemKeyring()
	s := openTestStore(t, kr)
	leafID := thumb(ch.Leaf.Cert)
	if _, err := s.ImportFile(writeTemp(t, "a.p12", ch.pfx(t, pkcs12.Modern2023, "first")),
		ImportOptions{Password: fixedPassword("first"), Remember: true}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := kr.Get(KeyringService, leafID); pw != "first" {
		t.Fatalf("remembered %q", pw)
	}
	for _, pw := range []string{"second", ""} {
		res, err := s.ImportFile(writeTemp(t, "b.p12", ch.pfx(t, pkcs12.Modern2023, pw)),
			ImportOptions{Password: fixedPassword(pw), Remember: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Existing) == 0 || res.Existing[0].ID != leafID {
			t.Fatalf("re-import with %q: %+v", pw, res)
		}
		if got, _ := kr.Get(KeyringService, leafID); got != "first" {
			t.Fatalf("re-import with %q replaced the remembered password", pw)
		}
		if err := s.CheckPassword(leafID, "first"); err != nil {
			t.Fatalf("container changed: %v", err)
		}
	}
}

func TestCertificateGainsItsKey(t *testing.T) {
	ch := makeChain(t, "Later Key", false)
	s := openTestStore(t, nil)
	if _, err := s.ImportFile(writeTemp(t, "leaf.cer", ch.Leaf.Cert.Raw), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportFile(writeTemp(t, "k.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(thumb(ch.Leaf.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if e.List != ListPersonal || !e.HasKey {
		t.Fatalf("after the .p12: list %s key %v", e.List, e.HasKey)
	}
}

func TestGetByPrefix(t *testing.T) {
	s := openTestStore(t, nil)
	c := makeCert(t, certSpec{CN: "Prefix"}, nil)
	if _, err := s.Import("c.cer", c.Cert.Raw, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	id := thumb(c.Cert)
	spaced := strings.ToUpper(id[:2] + " " + id[2:4] + ":" + id[4:12])
	for _, q := range []string{id, id[:8], strings.ToUpper(id), spaced} {
		e, err := s.Get(q)
		if err != nil || e.ID != id {
			t.Errorf("Get(%q) = %v, %v", q, e, err)
		}
	}
	for q, want := range map[string]error{
		id[:7]:       ErrBadID,
		"xyz12345":   ErrBadID,
		"00000000":   ErrNotFound,
		id + "00":    ErrBadID,
		"":           ErrBadID,
		id[:8] + "g": ErrBadID,
	} {
		if _, err := s.Get(q); !errors.Is(err, want) {
			t.Errorf("Get(%q) error = %v, want %v", q, err, want)
		}
	}
	// Two IDs sharing 8 digits cannot be made cheaply from real
	// certificates; the prefix match works on file names, so fake one.
	fake := id[:8] + strings.Repeat("0", 32)
	if fake == id {
		fake = id[:8] + strings.Repeat("1", 32)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "certs", fake+".json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(id[:8]); !errors.Is(err, ErrAmbiguousID) {
		t.Fatalf("ambiguous prefix: %v", err)
	}
	if e, err := s.Get(id); err != nil || e.ID != id {
		t.Fatalf("full ID next to a damaged entry: %v", err)
	}
	if es, _ := s.Entries(); len(es) != 1 {
		t.Fatalf("damaged entry listed: %d entries", len(es))
	}
	if errs := s.Check(); len(errs) != 1 {
		t.Fatalf("Check found %d problems, want 1", len(errs))
	}
}

func TestDeleteRemovesKeyAndPassword(t *testing.T) {
	ch := makeChain(t, "Delete Me", false)
	kr := newMemKeyring()
	s := openTestStore(t, kr)
	if _, err := s.ImportFile(writeTemp(t, "d.p12", ch.pfx(t, pkcs12.Modern2023, "pw")),
		ImportOptions{Password: fixedPassword("pw"), Remember: true}); err != nil {
		t.Fatal(err)
	}
	id := thumb(ch.Leaf.Cert)
	if err := s.Delete(id[:8]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("still there: %v", err)
	}
	if _, err := os.Stat(s.keyPath(id)); !os.IsNotExist(err) {
		t.Fatalf("key container left behind: %v", err)
	}
	if _, err := kr.Get(KeyringService, id); !errors.Is(err, ErrSecretNotFound) {
		t.Fatal("remembered password left behind")
	}
	if err := s.Delete(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	ch := makeChain(t, "Change", false)
	kr := newMemKeyring()
	s := openTestStore(t, kr)
	if _, err := s.ImportFile(writeTemp(t, "c.p12", ch.pfx(t, pkcs12.Modern2023, "old")),
		ImportOptions{Password: fixedPassword("old")}); err != nil {
		t.Fatal(err)
	}
	id := thumb(ch.Leaf.Cert)
	if err := s.ChangePassword(id, fixedPassword("bad"), "new", false); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := s.ChangePassword(id, fixedPassword("old"), "новый", true); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckPassword(id, "old"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password still works: %v", err)
	}
	if err := s.CheckPassword(id, "новый"); err != nil {
		t.Fatal(err)
	}
	if pw, _ := kr.Get(KeyringService, id); pw != "новый" {
		t.Fatalf("keyring has %q", pw)
	}
	// A remembered password follows the change even without remember.
	if err := s.ChangePassword(id, nil, "третий", false); err != nil {
		t.Fatal(err)
	}
	if pw, _ := kr.Get(KeyringService, id); pw != "третий" {
		t.Fatalf("keyring has %q after a change", pw)
	}
}

func TestPermissions(t *testing.T) {
	ch := makeChain(t, "Perms", false)
	s := openTestStore(t, nil)
	if _, err := s.ImportFile(writeTemp(t, "p.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(s.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoPlaintextKeyInStore imports .p12 files and searches every file in
// the store for the private key in any form it could leak in: PKCS#8 and
// PKCS#1/SEC 1 DER, their PEM/Base64 text, and the bare secret numbers.
func TestNoPlaintextKeyInStore(t *testing.T) {
	s := openTestStore(t, nil)
	var needles [][]byte
	for _, rsaLeaf := range []bool{false, true} {
		ch := makeChain(t, "Secret Holder", rsaLeaf)
		if _, err := s.ImportFile(writeTemp(t, "s.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
			t.Fatal(err)
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(ch.Leaf.Key)
		if err != nil {
			t.Fatal(err)
		}
		forms := [][]byte{pkcs8}
		switch k := ch.Leaf.Key.(type) {
		case *rsa.PrivateKey:
			forms = append(forms, x509.MarshalPKCS1PrivateKey(k), k.D.Bytes(), k.Primes[0].Bytes(), k.Primes[1].Bytes())
		case *ecdsa.PrivateKey:
			sec1, err := x509.MarshalECPrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			d, err := k.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			forms = append(forms, sec1, d)
		}
		for _, f := range forms {
			needles = append(needles, f,
				[]byte(base64.StdEncoding.EncodeToString(f)),
				pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: f}))
			// A shifted Base64 alignment would hide the whole-string match:
			// also look for 24-byte windows' encodings at every alignment.
			for off := 0; off < 3 && off+24 <= len(f); off++ {
				needles = append(needles, []byte(base64.StdEncoding.EncodeToString(f[off:off+24])))
			}
		}
	}
	files := 0
	err := filepath.WalkDir(s.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s contains a PEM private key header", p)
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Errorf("%s contains private key material (%d bytes)", p, len(n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 4 {
		t.Fatalf("searched only %d files", files)
	}
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name     string
		from, to time.Time
		want     Validity
		wantDays int
		expiring bool
	}{
		{"valid", now.Add(-day), now.Add(90 * day), Valid, 90, false},
		{"expires in 12 days", now.Add(-day), now.Add(12*day + time.Hour), Expiring, 12, true},
		{"issued for 10 days a minute ago", now.Add(-time.Minute), now.Add(10*day - time.Minute), Expiring, 10, true},
		{"last day", now.Add(-day), now.Add(time.Hour), Expiring, 0, true},
		{"ends just after midnight", now.Add(-day), now.Add(12*time.Hour + time.Minute), Expiring, 1, true},
		{"exactly 30 days", now.Add(-day), now.Add(30 * day), Expiring, 30, true},
		{"31 days", now.Add(-day), now.Add(31 * day), Valid, 31, false},
		{"expired 3 days ago", now.Add(-100 * day), now.Add(-3*day - time.Hour), Expired, -3, true},
		{"not yet valid", now.Add(day), now.Add(100 * day), NotYetValid, 100, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := makeCert(t, certSpec{CN: tc.name, NotBefore: tc.from, NotAfter: tc.to}, nil)
			s := openTestStore(t, nil)
			res, err := s.Import("c.cer", c.Cert.Raw, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			e := res.Added[0]
			st := StatusAt(e.Cert, now, ExpiryWarningDays)
			if st.Validity != tc.want || st.DaysLeft != tc.wantDays {
				t.Fatalf("status %s %d days, want %s %d", st.Validity, st.DaysLeft, tc.want, tc.wantDays)
			}
			e.List = ListPersonal
			if got := len(ExpiringPersonal([]*Entry{e}, now, ExpiryWarningDays)) == 1; got != tc.expiring {
				t.Fatalf("ExpiringPersonal = %v, want %v", got, tc.expiring)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	s := openTestStore(t, nil)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.p12")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxContainerFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bigCert := filepath.Join(dir, "big.pem")
	c := makeCert(t, certSpec{CN: "Padded"}, nil)
	padded := append(bytes.Repeat([]byte("# filler line of text before the certificate\n"), MaxCertificateFileSize/40), pemCert(c.Cert)...)
	if err := os.WriteFile(bigCert, padded, 0o600); err != nil {
		t.Fatal(err)
	}
	// Over 1 MiB: refused as a certificate by its first bytes, or read
	// (and judged by content) when it starts like a PFX.
	notPFX := filepath.Join(dir, "big.cer")
	if err := os.WriteFile(notPFX, bytes.Repeat([]byte("MIIB"), MaxCertificateFileSize/2), 0o600); err != nil {
		t.Fatal(err)
	}
	pfxHead := filepath.Join(dir, "big-head.pfx")
	if err := os.WriteFile(pfxHead, append([]byte{0x30, 0x83, 0x20, 0x00, 0x00, 0x02, 0x01, 0x03}, make([]byte, 2<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.ImportFile(notPFX, ImportOptions{})
	var se *Error
	if !errors.As(err, &se) || se.Code() != "file-too-large" || se.Params()["Limit"] != int64(MaxCertificateFileSize) {
		t.Errorf("2 MiB non-PFX: %v, want too large with the certificate limit", err)
	}
	if _, err := s.ImportFile(pfxHead, ImportOptions{}); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("2 MiB PFX-like file: %v, want it read and judged by content", err)
	}
	cases := []struct {
		path string
		want error
	}{
		{dir, ErrIsDirectory},
		{filepath.Join(dir, "missing.cer"), ErrUnreadable},
		{big, ErrTooLarge},
		{bigCert, ErrTooLarge},
	}
	for _, tc := range cases {
		_, err := s.ImportFile(tc.path, ImportOptions{})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.path, err, tc.want)
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.File != tc.path || fe.Params()["File"] != tc.path {
			t.Errorf("%s: error does not name the file: %#v", tc.path, err)
		}
	}
}

// TestContainerFormat checks what a container on disk says about itself:
// the production Argon2id cost, AES-256-GCM, and that it opens only under its
// own certificate ID (the ID is bound in as additional data).
func TestContainerFormat(t *testing.T) {
	ch := makeChain(t, "Format", false)
	s := openTestStore(t, nil)
	if _, err := s.ImportFile(writeTemp(t, "f.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
		t.Fatal(err)
	}
	id := thumb(ch.Leaf.Cert)
	data, err := os.ReadFile(s.keyPath(id))
	if err != nil {
		t.Fatal(err)
	}
	var c sealedContainer
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.KDF.Alg != "argon2id" || c.KDF.Time != 3 || c.KDF.MemoryKiB != 65536 || c.KDF.Threads != 4 || len(c.KDF.Salt) != 16 {
		t.Fatalf("KDF %+v, want argon2id t=3 m=64MiB p=4 with a 16-byte salt", c.KDF)
	}
	if c.Cipher != "aes-256-gcm" || len(c.Nonce) != 12 {
		t.Fatalf("cipher %s nonce %d", c.Cipher, len(c.Nonce))
	}
	if _, err := openKey(id, data, "pw"); err != nil {
		t.Fatal(err)
	}
	other := strings.Repeat("ab", 20)
	if _, err := openKey(other, data, "pw"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("container opened under another ID: %v", err)
	}
	for _, damaged := range []string{"", "{", `{"format":"podpis-key/9"}`} {
		if _, err := openKey(id, []byte(damaged), "pw"); !errors.Is(err, ErrContainerDamaged) {
			t.Errorf("%q: %v, want ErrContainerDamaged", damaged, err)
		}
	}
}

func TestChain(t *testing.T) {
	s := openTestStore(t, nil)
	ch := makeChain(t, "Chain Leaf", false)
	// A second CA with the same name but another key must not be chosen.
	impostor := makeCert(t, certSpec{CN: "Test Issuing CA", CA: true}, ch.Root)
	for _, c := range []*x509.Certificate{impostor.Cert, ch.Leaf.Cert, ch.CA.Cert} {
		if _, err := s.Import("c.cer", c.Raw, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	chain, missing, err := s.Chain(thumb(ch.Leaf.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || chain[1].ID != thumb(ch.CA.Cert) {
		t.Fatalf("chain %v", chain)
	}
	if missing == nil || missing.CommonName() != "Test Root CA" {
		t.Fatalf("missing issuer = %v, want the root", missing)
	}
	if _, err := s.Trust("root.cer", ch.Root.Cert.Raw); err != nil {
		t.Fatal(err)
	}
	chain, missing, err = s.Chain(thumb(ch.Leaf.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 3 || missing != nil || chain[2].List != ListRoot {
		t.Fatalf("full chain: %d certs, missing %v", len(chain), missing)
	}
}

// TestOrphanedContainerIsRemoved: a crash between a container's write and its
// entry's leaves a key no entry claims; the next writer removes it, and keeps
// the containers that entries do claim.
func TestOrphanedContainerIsRemoved(t *testing.T) {
	s := openTestStore(t, nil)
	kept := makeChain(t, "Kept", false)
	orphan := makeChain(t, "Orphan", false)
	for _, ch := range []*testChain{kept, orphan} {
		if _, err := s.ImportFile(writeTemp(t, "k.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
			t.Fatal(err)
		}
	}
	// Simulate the crash: the orphan's entry never made it to disk.
	if err := os.Remove(s.entryPath(thumb(orphan.Leaf.Cert))); err != nil {
		t.Fatal(err)
	}
	other := makeCert(t, certSpec{CN: "Any write"}, nil)
	if _, err := s.Import("c.cer", other.Cert.Raw, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.keyPath(thumb(orphan.Leaf.Cert))); !os.IsNotExist(err) {
		t.Fatalf("orphaned container still there: %v", err)
	}
	if err := s.CheckPassword(thumb(kept.Leaf.Cert), "pw"); err != nil {
		t.Fatalf("a claimed container was touched: %v", err)
	}
}
