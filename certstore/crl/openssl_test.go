package crl

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/internal/testenv"
)

// gostEngineConfig loads OpenSSL's gost engine for the commands that have
// no -engine option (crl -gendelta, crl -verify).
const gostEngineConfig = `openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`

// caConfig is an `openssl ca` configuration for CRLs: a CRL number, an
// AKI, freshestCRL and an issuingDistributionPoint.
const caConfig = `[ca]
default_ca = testca
[testca]
dir = .
database = ./index.txt
crlnumber = ./crlnumber
certificate = ./ca.pem
private_key = ./ca.key
default_md = %s
default_crl_days = 7
crl_extensions = crlext
[crlext]
authorityKeyIdentifier = keyid:always
freshestCRL = URI:http://ca.example.ru/delta.crl
issuingDistributionPoint = critical, @idp
[idp]
fullname = URI:http://ca.example.ru/full.crl
onlyuser = TRUE
`

type opensslCA struct {
	dir    string
	engine []string // "-engine gost" for the GOST CA
	env    []string // OPENSSL_CONF for commands without -engine
	digest string   // digest option of `openssl crl -gendelta`
	cert   *cert.Certificate
}

func (ca *opensslCA) run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = ca.dir
	cmd.Env = append(os.Environ(), ca.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

func newOpenSSLCA(t *testing.T, kind string) *opensslCA {
	t.Helper()
	ca := &opensslCA{dir: t.TempDir()}
	var keyArgs []string
	md := "sha256"
	switch kind {
	case "rsa":
		testenv.LookPath(t, "openssl")
		keyArgs = []string{"-newkey", "rsa:2048"}
		ca.digest = "-sha256"
	case "gost":
		testenv.OpenSSLGost(t)
		ca.engine = []string{"-engine", "gost"}
		keyArgs = []string{"-newkey", "gost2012_256", "-pkeyopt", "paramset:A"}
		md, ca.digest = "md_gost12_256", "-md_gost12_256"
		conf := filepath.Join(ca.dir, "gost.cnf")
		if err := os.WriteFile(conf, []byte(gostEngineConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		ca.env = []string{"OPENSSL_CONF=" + conf}
	}
	if err := os.WriteFile(filepath.Join(ca.dir, "ca.cnf"), fmt.Appendf(nil, caConfig, md), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"req"}, ca.engine...)
	args = append(args, "-x509", "-new", "-nodes", "-utf8", "-keyout", "ca.key", "-subj", "/C=RU/O=ООО Тест/CN=Тестовый УЦ "+kind,
		"-days", "30", "-out", "ca.pem", "-addext", "subjectKeyIdentifier=hash",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	ca.run(t, append(args, keyArgs...)...)
	ca.cert = parsePEMCert(t, filepath.Join(ca.dir, "ca.pem"))
	return ca
}

func parsePEMCert(t *testing.T, path string) *cert.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := cert.Parse(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// gencrl writes index.txt and crlnumber and has `openssl ca -gencrl` make
// the CRL; it returns the DER.
func (ca *opensslCA) gencrl(t *testing.T, index string, number int, out string) []byte {
	t.Helper()
	if err := os.WriteFile(filepath.Join(ca.dir, "index.txt"), []byte(index), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ca.dir, "crlnumber"), fmt.Appendf(nil, "%04X\n", number), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"ca"}, ca.engine...)
	ca.run(t, append(args, "-config", "ca.cnf", "-gencrl", "-out", out+".pem")...)
	ca.run(t, "crl", "-in", out+".pem", "-outform", "DER", "-out", out+".der")
	der, err := os.ReadFile(filepath.Join(ca.dir, out+".der"))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// revokedLine is one line of an `openssl ca` index.txt. The revocation
// field is "date[,reason]"; the reason "keyTime,GENTIME" is keyCompromise
// with an invalidity date, "CAkeyTime,GENTIME" cACompromise with one.
func revokedLine(serial, revocation string) string {
	status := "R"
	if revocation == "" {
		status = "V"
	}
	return status + "\t301231235959Z\t" + revocation + "\t" + serial + "\tunknown\t/CN=" + serial + "\n"
}

// opensslEntry is an entry as `openssl crl -text` prints it.
type opensslEntry struct {
	serial     *big.Int
	revoked    time.Time
	reason     string
	invalidity time.Time
}

// opensslText parses the entries of `openssl crl -text`.
func opensslText(t *testing.T, text string) []opensslEntry {
	t.Helper()
	var entries []opensslEntry
	var pending string // the line that announced a value on the next line
	date := func(s string) time.Time {
		d, err := time.Parse("Jan _2 15:04:05 2006 MST", strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("openssl date %q: %v", s, err)
		}
		return d
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		last := len(entries) - 1
		switch {
		case strings.HasPrefix(line, "Serial Number: "):
			n, ok := new(big.Int).SetString(strings.TrimPrefix(line, "Serial Number: "), 16)
			if !ok {
				t.Fatalf("openssl serial %q", line)
			}
			entries = append(entries, opensslEntry{serial: n})
		case strings.HasPrefix(line, "Revocation Date: "):
			entries[last].revoked = date(strings.TrimPrefix(line, "Revocation Date: "))
		case line == "X509v3 CRL Reason Code:", line == "Invalidity Date:":
			pending = line
			continue
		case pending == "X509v3 CRL Reason Code:":
			entries[last].reason = line
		case pending == "Invalidity Date:":
			entries[last].invalidity = date(line)
		}
		pending = ""
	}
	return entries
}

// opensslReasons are the names `openssl crl -text` prints.
var opensslReasons = map[string]Reason{
	"": ReasonNone, "Unspecified": ReasonUnspecified, "Key Compromise": ReasonKeyCompromise,
	"CA Compromise": ReasonCACompromise, "Affiliation Changed": ReasonAffiliationChanged,
	"Superseded": ReasonSuperseded, "Cessation Of Operation": ReasonCessationOfOperation,
	"Certificate Hold": ReasonCertificateHold, "Remove From CRL": ReasonRemoveFromCRL,
}

func serialValue(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

// TestOpenSSLCRLs parses full and delta CRLs that `openssl ca` made for an
// RSA and a GOST R 34.10-2012 CA, and checks every entry against `openssl
// crl -text`, the signature with sigalg, and the index built from them.
func TestOpenSSLCRLs(t *testing.T) {
	index := revokedLine("0A", "240101120000Z,keyCompromise") +
		revokedLine("00FF", "240102120000Z,keyTime,20231231101010Z") +
		revokedLine("8877665544332211FFEEDDCCBBAA998877665544", "240103120000Z") +
		revokedLine("0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E", "240104120000Z,CAkeyTime,20231230000000Z") +
		revokedLine("05", "240105120000Z,certificateHold") +
		revokedLine("06", "") +
		revokedLine("07", "240106120000Z,superseded") +
		revokedLine("1234", "240107120000Z,cessationOfOperation") +
		revokedLine("2000", "240108120000Z,affiliationChanged") +
		revokedLine("2001", "240109120000Z,unspecified") +
		revokedLine("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "491231235959Z,removeFromCRL")
	for _, kind := range []string{"rsa", "gost"} {
		t.Run(kind, func(t *testing.T) {
			ca := newOpenSSLCA(t, kind)
			der := ca.gencrl(t, index, 0x1000, "full")
			full := checkAgainstOpenSSL(t, ca, der, "full.der")
			if full.Count != 10 || full.Number.Int64() != 0x1000 || full.BaseCRLNumber != nil {
				t.Errorf("Count %d Number %v BaseCRLNumber %v", full.Count, full.Number, full.BaseCRLNumber)
			}
			if full.IDP == nil || !full.IDP.OnlyUserCerts || len(full.IDP.URLs) != 1 || full.IDP.URLs[0] != "http://ca.example.ru/full.crl" ||
				len(full.FreshestCRL) != 1 || full.FreshestCRL[0] != "http://ca.example.ru/delta.crl" ||
				!bytes.Equal(full.AuthorityKeyID, ca.cert.SubjectKeyID) || len(full.UnhandledCritical) != 0 {
				t.Errorf("extensions: IDP %+v FreshestCRL %q AKI %x (SKI %x) unhandled %v",
					full.IDP, full.FreshestCRL, full.AuthorityKeyID, ca.cert.SubjectKeyID, full.UnhandledCritical)
			}
			if full.Issuer.CommonName() != "Тестовый УЦ "+kind || !bytes.Equal(full.RawIssuer, ca.cert.RawSubject) {
				t.Errorf("Issuer %v", full.Issuer)
			}
			// The PEM that `openssl ca` writes parses to the same CRL.
			pemData, err := os.ReadFile(filepath.Join(ca.dir, "full.pem"))
			if err != nil {
				t.Fatal(err)
			}
			if fromPEM, err := Parse(pemData); err != nil || !bytes.Equal(fromPEM.Raw, der) {
				t.Errorf("the PEM CRL: %v", err)
			}
			x := writeAndOpen(t, full)
			for _, absent := range []int64{6, 8, 0x1235} {
				if _, ok, err := x.Lookup(SerialBytes(big.NewInt(absent))); ok || err != nil {
					t.Errorf("serial %x (not revoked) found: %v %v", absent, ok, err)
				}
			}

			// A delta CRL: two more revocations, `openssl crl -gendelta`.
			index2 := strings.Replace(index, revokedLine("06", ""), revokedLine("06", "240201000000Z,keyCompromise"), 1) +
				revokedLine("0B", "240202000000Z,keyTime,20240130000000Z")
			ca.gencrl(t, index2, 0x1001, "full2")
			ca.run(t, "crl", "-in", "full.pem", "-gendelta", "full2.pem", "-key", "ca.key", ca.digest, "-outform", "DER", "-out", "delta.der")
			deltaDER, err := os.ReadFile(filepath.Join(ca.dir, "delta.der"))
			if err != nil {
				t.Fatal(err)
			}
			delta := checkAgainstOpenSSL(t, ca, deltaDER, "delta.der")
			if delta.BaseCRLNumber == nil || delta.BaseCRLNumber.Int64() != 0x1000 || delta.Number.Int64() != 0x1001 || delta.Count != 2 {
				t.Errorf("delta: BaseCRLNumber %v Number %v Count %d", delta.BaseCRLNumber, delta.Number, delta.Count)
			}
			dx := writeAndOpen(t, delta)
			if dx.Header.BaseCRLNumber == nil || dx.Header.BaseCRLNumber.Int64() != 0x1000 {
				t.Errorf("delta index BaseCRLNumber %v", dx.Header.BaseCRLNumber)
			}
			e, ok, err := dx.Lookup([]byte{0x0B})
			if !ok || err != nil || e.Reason != ReasonKeyCompromise || !e.InvalidityDate.Equal(time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("delta Lookup(0B) = %+v %v %v", e, ok, err)
			}
		})
	}
}

// checkAgainstOpenSSL parses der and compares it with what OpenSSL says
// of the file: entries, times, CRL number; checks the signature with
// sigalg (and that a changed list fails) and the index built from it.
func checkAgainstOpenSSL(t *testing.T, ca *opensslCA, der []byte, file string) *CRL {
	t.Helper()
	c, err := Parse(der)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	want := opensslText(t, ca.run(t, "crl", "-inform", "DER", "-in", file, "-noout", "-text"))
	got := entriesOf(t, c)
	if len(got) != len(want) || c.Count != len(want) {
		t.Fatalf("%s: %d entries, Count %d; openssl lists %d", file, len(got), c.Count, len(want))
	}
	for i, w := range want {
		g := got[i]
		reason, known := opensslReasons[w.reason]
		if serialValue(g.Serial).Cmp(w.serial) != 0 || !g.RevocationTime.Equal(w.revoked) || !known || g.Reason != reason ||
			!g.InvalidityDate.Equal(w.invalidity) || g.CertificateIssuer {
			t.Errorf("%s entry %d: %+v; openssl: serial %X, %v, %q, invalidity %v", file, i, g, w.serial, w.revoked, w.reason, w.invalidity)
		}
	}
	info := ca.run(t, "crl", "-inform", "DER", "-in", file, "-noout", "-crlnumber", "-lastupdate", "-nextupdate", "-dateopt", "iso_8601")
	wantInfo := fmt.Sprintf("crlNumber=0x%X\nlastUpdate=%s\nnextUpdate=%s\n", c.Number,
		c.ThisUpdate.Format("2006-01-02 15:04:05Z"), c.NextUpdate.Format("2006-01-02 15:04:05Z"))
	if info != wantInfo {
		t.Errorf("%s: openssl says\n%s, we read\n%s", file, info, wantInfo)
	}

	alg := sigalg.Identifier{OID: c.SignatureAlgorithm, Params: c.SignatureAlgorithmParams}
	if err := sigalg.VerifyMessage(ca.cert, alg, c.RawTBS, c.Signature); err != nil {
		t.Errorf("%s: signature: %v", file, err)
	}
	tampered := bytes.Clone(c.RawTBS)
	tampered[len(tampered)/2] ^= 0x01
	if err := sigalg.VerifyMessage(ca.cert, alg, tampered, c.Signature); !errors.Is(err, sigalg.ErrSignatureInvalid) {
		t.Errorf("%s: a changed tbsCertList: %v", file, err)
	}

	x := writeAndOpen(t, c)
	if x.Header.Count != c.Count || x.Header.Number.Cmp(c.Number) != 0 || !x.Header.ThisUpdate.Equal(c.ThisUpdate) {
		t.Errorf("%s: index header %+v", file, x.Header)
	}
	for i, w := range want {
		e, ok, err := x.Lookup(SerialBytes(w.serial))
		if !ok || err != nil || !e.RevocationTime.Equal(w.revoked) || e.Reason != opensslReasons[w.reason] || !e.InvalidityDate.Equal(w.invalidity) {
			t.Errorf("%s: Lookup of entry %d (%X) = %+v %v %v", file, i, w.serial, e, ok, err)
		}
	}
	return c
}

// TestGoBuiltCRLOpenSSL: a CRL this package's tests build and sign with
// internal/gost (as the benchmark's million-entry list is) is accepted and
// verified by OpenSSL's gost engine, and by sigalg.
func TestGoBuiltCRLOpenSSL(t *testing.T) {
	testenv.OpenSSLGost(t)
	dir := t.TempDir()
	ca := newTestCA(t)
	der := bigCRL(t, ca, 5000, 7)
	if err := os.WriteFile(filepath.Join(dir, "big.crl"), der, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gost.cnf"), []byte(gostEngineConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	oc := &opensslCA{dir: dir, env: []string{"OPENSSL_CONF=" + filepath.Join(dir, "gost.cnf")}, cert: ca.cert}
	oc.run(t, "crl", "-noout", "-inform", "DER", "-in", "big.crl")
	cmd := exec.Command("openssl", "crl", "-noout", "-inform", "DER", "-in", "big.crl", "-CAfile", "ca.pem", "-verify")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), oc.env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl crl -verify: %v\n%s", err, out)
	}
	c := checkAgainstOpenSSL(t, oc, der, "big.crl")
	if c.Count != 5000 {
		t.Errorf("Count %d", c.Count)
	}
}
