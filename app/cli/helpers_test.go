package cli

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/i18n"

	"github.com/podpis/podpis/internal/testenv"
)

// testNow is the clock of every in-process test, so that "expires in 10
// days" does not depend on when the test runs.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testEnv runs Main in-process on a temporary store.
type testEnv struct {
	t       *testing.T
	store   string
	vars    map[string]string
	stdin   string
	term    *fakeTerminal // nil: no terminal, as in a script
	keyring certstore.Keyring
	now     time.Time
	tokens  *token.Library // nil: each run loads (and unloads) modules itself
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return &testEnv{
		t:       t,
		store:   filepath.Join(t.TempDir(), "store"),
		vars:    map[string]string{"LANG": "en_US.UTF-8"},
		keyring: certstore.NoKeyring{},
		now:     testNow,
	}
}

type result struct {
	code   int
	stdout string
	stderr string
}

// run runs podpis with args and --store of this env.
func (e *testEnv) run(args ...string) result {
	e.t.Helper()
	var out, errOut bytes.Buffer
	env := Env{
		Stdin:   strings.NewReader(e.stdin),
		Stdout:  &out,
		Stderr:  &errOut,
		Getenv:  func(k string) string { return e.vars[k] },
		Keyring: e.keyring,
		Now:     func() time.Time { return e.now },
		Tokens:  e.tokens,
	}
	if e.term != nil {
		env.Terminal = e.term
	}
	code := Main(append(append([]string{}, args...), "--store", e.store), env)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// listJSON returns `list --json`.
func (e *testEnv) listJSON() []listItem {
	e.t.Helper()
	r := e.run("list", "--json")
	if r.code != 0 {
		e.t.Fatalf("list --json: exit %d, stderr %s", r.code, r.stderr)
	}
	var items []listItem
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		e.t.Fatalf("list --json output is not JSON: %v\n%s", err, r.stdout)
	}
	return items
}

func (e *testEnv) count() int { return len(e.listJSON()) }

// fakeTerminal answers prompts from queues and records them.
type fakeTerminal struct {
	mu        sync.Mutex
	passwords []string
	lines     []string
	prompts   []string
}

func (f *fakeTerminal) ReadPassword(prompt string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prompts = append(f.prompts, prompt)
	if len(f.passwords) == 0 {
		return "", io.EOF
	}
	p := f.passwords[0]
	f.passwords = f.passwords[1:]
	return p, nil
}

func (f *fakeTerminal) ReadLine(prompt string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prompts = append(f.prompts, prompt)
	if len(f.lines) == 0 {
		return "", io.EOF
	}
	l := f.lines[0]
	f.lines = f.lines[1:]
	return l, nil
}

// memKeyring is a keyring in memory, for --remember.
type memKeyring = certstore.MemoryKeyring

// Russian attribute and extension OIDs used by the fixtures.
var (
	oidINN             = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	oidOGRN            = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	oidSNILS           = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	oidINNLE           = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	oidOGRNIP          = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
	oidUnknownAttr     = asn1.ObjectIdentifier{1, 2, 3, 4, 5}
	oidSubjectSignTool = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	oidIssuerSignTool  = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	oidKeyUsagePeriod  = asn1.ObjectIdentifier{2, 5, 29, 16}
	oidPolicyKC1       = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 1}
	oidPolicyKC2       = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 2}
)

// pki is a root CA and an intermediate CA made with crypto/x509.
type pki struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
}

func newKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n.Add(n, big.NewInt(1))
}

func sign(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{rootKey: newKey(t), interKey: newKey(t)}
	rootTmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "Test Root CA", Organization: []string{"Podpis Test"}},
		NotBefore:             testNow.AddDate(-5, 0, 0),
		NotAfter:              testNow.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.root = sign(t, rootTmpl, rootTmpl, p.rootKey.Public(), p.rootKey)
	interTmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "Test Intermediate CA", Organization: []string{"Podpis Test"}},
		NotBefore:             testNow.AddDate(-2, 0, 0),
		NotAfter:              testNow.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.inter = sign(t, interTmpl, p.root, p.interKey.Public(), p.rootKey)
	return p
}

// leafOptions shape an end-entity certificate.
type leafOptions struct {
	cn       string
	days     int  // validity from testNow-1y... ends testNow+days
	russian  bool // Russian attributes and extensions
	rsaKey   bool
	notAfter time.Time
}

// leaf issues an end-entity certificate from the intermediate CA.
func (p *pki) leaf(t *testing.T, o leafOptions) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	var key crypto.Signer = newKey(t)
	if o.rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	if o.cn == "" {
		o.cn = "Test Leaf"
	}
	notAfter := o.notAfter
	if notAfter.IsZero() {
		days := o.days
		if days == 0 {
			days = 365
		}
		notAfter = testNow.Add(time.Duration(days)*24*time.Hour + time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: o.cn, Country: []string{"RU"}},
		NotBefore:             testNow.AddDate(-1, 0, 0),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		CRLDistributionPoints: []string{"http://127.0.0.1/test.crl"},
		OCSPServer:            []string{"http://127.0.0.1/ocsp"},
		IssuingCertificateURL: []string{"http://127.0.0.1/ca.cer"},
	}
	if o.russian {
		tmpl.Subject = pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "RU"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: o.cn},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: "Иванов"},
			{Type: oidINN, Value: "123456789012"},
			{Type: oidSNILS, Value: "12345678901"},
			{Type: oidOGRN, Value: "1027700000000"},
			{Type: oidINNLE, Value: "7700000000"},
			{Type: oidOGRNIP, Value: "304500000000000"},
			{Type: oidUnknownAttr, Value: "custom value"},
		}}
		tmpl.Policies = []x509.OID{mustOID(t, "1.2.643.100.113.1"), mustOID(t, "1.2.643.100.113.2")}
		tmpl.ExtraExtensions = []pkix.Extension{
			{Id: oidSubjectSignTool, Value: mustMarshal(t, "СКЗИ «КриптоПро CSP»", "utf8")},
			{Id: oidIssuerSignTool, Value: mustMarshalSeq(t, "СКЗИ «КриптоПро CSP» версия 5.0",
				"ПАК «КриптоПро УЦ» версии 2.0", "Сертификат соответствия № СФ/124-0001",
				"Сертификат соответствия № СФ/128-0002")},
			{Id: oidKeyUsagePeriod, Value: keyUsagePeriod(testNow.AddDate(-1, 0, 0), testNow.AddDate(0, 3, 0))},
		}
	}
	return sign(t, tmpl, p.inter, key.Public(), p.interKey), key
}

func mustOID(t *testing.T, s string) x509.OID {
	t.Helper()
	o, err := x509.ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mustMarshal(t *testing.T, s, params string) []byte {
	t.Helper()
	b, err := asn1.MarshalWithParams(s, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMarshalSeq(t *testing.T, ss ...string) []byte {
	t.Helper()
	var raw []asn1.RawValue
	for _, s := range ss {
		raw = append(raw, asn1.RawValue{FullBytes: mustMarshal(t, s, "utf8")})
	}
	b, err := asn1.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyUsagePeriod encodes PrivateKeyUsagePeriod (RFC 3280 4.2.1.4).
func keyUsagePeriod(from, to time.Time) []byte {
	enc := func(tag byte, t time.Time) []byte {
		s := t.UTC().Format("20060102150405Z")
		return append([]byte{0x80 | tag, byte(len(s))}, s...)
	}
	body := append(enc(0, from), enc(1, to)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// ed25519Twins returns two self-signed certificates whose thumbprints share
// their first 8 hex digits, made by changing the signature bytes (the store
// does not check signatures on import): a birthday search over 32 bits.
func ed25519Twins(t *testing.T) ([]byte, []byte) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "Twin"},
		NotBefore:    testNow.AddDate(-1, 0, 0),
		NotAfter:     testNow.AddDate(1, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	// The signature BIT STRING ends the certificate: its last 4 bytes vary.
	seen := map[[4]byte]uint32{}
	variant := func(i uint32) []byte {
		v := bytes.Clone(der)
		n := len(v)
		v[n-4], v[n-3], v[n-2], v[n-1] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		return v
	}
	for i := uint32(0); i < 1<<24; i++ {
		sum := sha1.Sum(variant(i))
		var prefix [4]byte
		copy(prefix[:], sum[:4])
		if j, ok := seen[prefix]; ok {
			return variant(j), variant(i)
		}
		seen[prefix] = i
	}
	t.Fatal("no thumbprint collision on 32 bits found")
	return nil, nil
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemOf(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

func thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return hexString(sum[:])
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// p12 encodes a container with go-pkcs12 in the modern (AES, SHA-256 MAC) or
// legacy (3DES, SHA-1 MAC) form.
func p12(t *testing.T, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string, legacy bool) []byte {
	t.Helper()
	enc := pkcs12.Modern
	if legacy {
		enc = pkcs12.Legacy
	}
	data, err := enc.Encode(key, leaf, chain, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// needTool finds an external program. In CI (CI=true) a missing tool fails
// the test: the tests that need it must run there.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		testenv.Missing(t, "%s not installed: %v", name, err)
	}
	return path
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(needTool(t, name), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		errors.As(err, &ee)
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func splitNUL(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

type x509Cert = x509.Certificate

func parseX509(der []byte) (*x509.Certificate, error) { return x509.ParseCertificate(der) }

// execOpenSSL runs openssl and returns its combined output.
func execOpenSSL(args ...string) (string, error) {
	out, err := exec.Command("openssl", args...).CombinedOutput()
	return string(out), err
}

func (e *testEnv) localizer(lang string) *i18n.Localizer {
	e.t.Helper()
	l, err := i18n.New(i18n.Lang(lang))
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}
