// Package softhsm sets up a real PKCS#11 token for tests: a SoftHSM2 token
// in the test's temporary folder, initialised with softhsm2-util, with
// key pairs and certificates written on it by OpenSC's pkcs11-tool, as a
// CA's issuing station writes them on a card.
//
// It is a test fixture in non-test files so that the tests of several
// packages can use it. Nothing it makes outlives the test, and no private
// key is left on disk: each is written to a file only for pkcs11-tool to
// read, and removed right after.
//
// New sets SOFTHSM2_CONF with t.Setenv, so a test that uses it cannot be
// parallel (t.Setenv panics in a parallel test). A SoftHSM2 module reads
// SOFTHSM2_CONF when it is initialised: one loaded in the test process
// before New does not see the new token until it is finalised and loaded
// again (token.Library.Reload). Subprocesses get the variable through
// Token.Env.
package softhsm

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/internal/testenv"
)

// ModulePaths are where Debian (and Ubuntu) install SoftHSM2's PKCS#11
// module, in the order they are tried.
var ModulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
}

// FindModule returns the path of the SoftHSM2 module, or "" when none is
// installed.
func FindModule() string {
	for _, p := range ModulePaths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// RequireModule returns the path of the SoftHSM2 module, or ends the test
// as testenv.Missing does (a failure under CI=true).
func RequireModule(tb testing.TB) string {
	tb.Helper()
	p := FindModule()
	if p == "" {
		testenv.Missing(tb, "the SoftHSM2 module is not installed (apt-get install softhsm2); looked in %s", strings.Join(ModulePaths, ", "))
	}
	return p
}

// Algorithm is the kind of a key pair put on the token.
type Algorithm string

const (
	RSA2048   Algorithm = "rsa-2048"
	ECDSAP256 Algorithm = "ecdsa-p256"
	ECDSAP384 Algorithm = "ecdsa-p384"
)

// KeyType is the Cryptoki key type (CKK_*) of the algorithm: the values of
// token.KeyRSA and token.KeyEC. (This package does not import
// certstore/token, so that package's own tests can use it.)
func (a Algorithm) KeyType() uint {
	if a == RSA2048 {
		return ckkRSA
	}
	return ckkEC
}

const (
	ckkRSA uint = 0x0
	ckkEC  uint = 0x3
)

// KeySpec describes one key pair to put on the token.
type KeySpec struct {
	Algorithm Algorithm
	ID        []byte // CKA_ID of the key pair and its certificate
	Label     string // CKA_LABEL of the three objects
	// CommonName is the certificate subject's CN; "" is "Тестовый Токен
	// RSA" or "Тестовый Токен ECDSA".
	CommonName string
	// NoCertificate leaves the certificate off the token (it is still
	// issued: Key.CertDER), making a key pair without a certificate.
	NoCertificate bool
	// NoPublicKey leaves the public key object off the token, so nothing
	// of the key pair is seen before login.
	NoPublicKey bool
}

// DefaultKeys are the key pairs New puts on a token by default: RSA-2048
// with CKA_ID 01 and ECDSA P-256 with CKA_ID 02.
func DefaultKeys() []KeySpec {
	return []KeySpec{
		{Algorithm: RSA2048, ID: []byte{0x01}, Label: "Тестовый ключ RSA"},
		{Algorithm: ECDSAP256, ID: []byte{0x02}, Label: "Тестовый ключ ECDSA"},
	}
}

// Options say how to set the token up. The zero value is a token labelled
// "Podpis Test" with user PIN 12345678, SO PIN 87654321 and DefaultKeys.
type Options struct {
	Label string // the token label, at most 32 bytes
	PIN   string
	SOPIN string
	// RSA and ECDSA choose among the default key pairs (both false: both).
	RSA, ECDSA bool
	// Keys replaces the default key pairs when not nil.
	Keys []KeySpec
	// NoKeys makes an empty token (initialised, no objects).
	NoKeys bool
}

const (
	defaultLabel = "Podpis Test"
	defaultPIN   = "12345678"
	defaultSOPIN = "87654321"
	maxLabelLen  = 32 // CK_TOKEN_INFO.label
)

func (o Options) keys() []KeySpec {
	switch {
	case o.NoKeys:
		return nil
	case o.Keys != nil:
		return o.Keys
	case o.RSA == o.ECDSA:
		return DefaultKeys()
	case o.RSA:
		return DefaultKeys()[:1]
	}
	return DefaultKeys()[1:]
}

// Key is a key pair on the token, with its certificate.
type Key struct {
	Algorithm Algorithm
	ID        []byte
	Label     string
	KeyType   uint // CKK_RSA (0) or CKK_EC (3): token.KeyRSA, token.KeyEC
	Public    crypto.PublicKey
	Cert      *x509.Certificate
	CertDER   []byte
	CertPath  string // the certificate, PEM, in the test's folder
}

// Token is a SoftHSM2 token set up for one test.
type Token struct {
	Dir      string   // the test's folder for everything below
	ConfPath string   // softhsm2.conf
	TokenDir string   // SoftHSM2's token folder (directories.tokendir)
	Env      []string // SOFTHSM2_CONF=...: append to os.Environ() for a subprocess
	CA       *x509.Certificate
	CAFile   string // the test CA's certificate, PEM
	Keys     []Key

	module string
	label  string
	serial string
	pin    string
	sopin  string
	slot   uint
	ca     *testCA
}

func (t *Token) Module() string { return t.module } // the SoftHSM2 library's path
func (t *Token) Label() string  { return t.label }
func (t *Token) Serial() string { return t.serial }
func (t *Token) PIN() string    { return t.pin }
func (t *Token) SOPIN() string  { return t.sopin }

// Slot is the token's slot ID (a token.SlotID): SoftHSM2 gives an
// initialised token a slot of its own, numbered from its serial.
func (t *Token) Slot() uint { return t.slot }

// Key returns the first key pair of the algorithm, or nil.
func (t *Token) Key(a Algorithm) *Key {
	for i := range t.Keys {
		if t.Keys[i].Algorithm == a {
			return &t.Keys[i]
		}
	}
	return nil
}

// New sets up a SoftHSM2 token in tb.TempDir() and points SOFTHSM2_CONF
// at it (tb.Setenv: not in parallel tests). Missing tools or module end
// the test as testenv.Missing does.
func New(tb testing.TB, opts Options) *Token {
	tb.Helper()
	module := RequireModule(tb)
	testenv.LookPath(tb, "softhsm2-util")
	testenv.LookPath(tb, "pkcs11-tool")

	dir := tb.TempDir()
	tokenDir := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokenDir, 0o700); err != nil {
		tb.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	confText := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokenDir)
	if err := os.WriteFile(conf, []byte(confText), 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("SOFTHSM2_CONF", conf)

	ca, err := newTestCA(dir)
	if err != nil {
		tb.Fatalf("softhsm: test CA: %v", err)
	}
	t := &Token{
		Dir:      dir,
		ConfPath: conf,
		TokenDir: tokenDir,
		Env:      []string{"SOFTHSM2_CONF=" + conf},
		CA:       ca.cert,
		CAFile:   ca.path,
		module:   module,
		ca:       ca,
	}
	t.setUp(tb, opts)
	return t
}

// Another sets up one more token in the same SoftHSM2 (same
// configuration, token folder and test CA): a second token plugged in.
// Its label must differ from the other tokens'.
func (t *Token) Another(tb testing.TB, opts Options) *Token {
	tb.Helper()
	u := &Token{
		Dir: t.Dir, ConfPath: t.ConfPath, TokenDir: t.TokenDir, Env: t.Env,
		CA: t.CA, CAFile: t.CAFile, module: t.module, ca: t.ca,
	}
	u.setUp(tb, opts)
	return u
}

func (t *Token) setUp(tb testing.TB, opts Options) {
	tb.Helper()
	t.label, t.pin, t.sopin = opts.Label, opts.PIN, opts.SOPIN
	if t.label == "" {
		t.label = defaultLabel
	}
	if t.pin == "" {
		t.pin = defaultPIN
	}
	if t.sopin == "" {
		t.sopin = defaultSOPIN
	}
	if len(t.label) > maxLabelLen {
		tb.Fatalf("softhsm: token label %q is %d bytes, Cryptoki allows %d", t.label, len(t.label), maxLabelLen)
	}
	t.run(tb, "softhsm2-util", "--init-token", "--free", "--label", t.label, "--pin", t.pin, "--so-pin", t.sopin)
	slots, err := parseShowSlots(t.run(tb, "softhsm2-util", "--show-slots"))
	if err != nil {
		tb.Fatalf("softhsm: %v", err)
	}
	var found []ShowSlot
	for _, s := range slots {
		if s.Initialized && s.Label == t.label {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		tb.Fatalf("softhsm: %d initialised tokens labelled %q, want 1 (labels must differ)", len(found), t.label)
	}
	t.slot, t.serial = found[0].ID, found[0].Serial

	for _, spec := range opts.keys() {
		key, err := t.putKey(tb, spec)
		if err != nil {
			tb.Fatalf("softhsm: key %x: %v", spec.ID, err)
		}
		t.Keys = append(t.Keys, key)
	}
}

// putKey makes the key pair and its certificate and writes them on the
// token with pkcs11-tool.
func (t *Token) putKey(tb testing.TB, spec KeySpec) (Key, error) {
	tb.Helper()
	var priv crypto.Signer
	var err error
	cn := spec.CommonName
	switch spec.Algorithm {
	case RSA2048:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
		if cn == "" {
			cn = "Тестовый Токен RSA"
		}
	case ECDSAP256, ECDSAP384:
		curve := elliptic.P256()
		if spec.Algorithm == ECDSAP384 {
			curve = elliptic.P384()
		}
		priv, err = ecdsa.GenerateKey(curve, rand.Reader)
		if cn == "" {
			cn = "Тестовый Токен ECDSA"
		}
	default:
		return Key{}, fmt.Errorf("unknown algorithm %q", spec.Algorithm)
	}
	if err != nil {
		return Key{}, err
	}
	if len(spec.ID) == 0 {
		return Key{}, errors.New("a key pair needs a CKA_ID")
	}
	certDER, err := t.ca.issue(priv.Public(), cn)
	if err != nil {
		return Key{}, err
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return Key{}, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Key{}, err
	}
	spki, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return Key{}, err
	}
	idHex := fmt.Sprintf("%x", spec.ID)
	base := filepath.Join(t.Dir, t.serial+"-"+idHex)
	key := Key{
		Algorithm: spec.Algorithm,
		ID:        slices.Clone(spec.ID),
		Label:     spec.Label,
		KeyType:   spec.Algorithm.KeyType(),
		Public:    priv.Public(),
		Cert:      cert,
		CertDER:   certDER,
		CertPath:  base + ".crt.pem",
	}
	if err := os.WriteFile(key.CertPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o600); err != nil {
		return Key{}, err
	}

	write := func(kind, path string, der []byte, extra ...string) error {
		if err := os.WriteFile(path, der, 0o600); err != nil {
			return err
		}
		defer os.Remove(path)
		args := []string{"--write-object", path, "--type", kind, "--id", idHex, "--label", spec.Label}
		t.Tool(tb, append(append(args, extra...), "--login", "--pin", t.pin)...)
		return nil
	}
	// The private key file exists only while pkcs11-tool reads it.
	if err := write("privkey", base+".key.der", pkcs8, "--usage-sign"); err != nil {
		return Key{}, err
	}
	if !spec.NoPublicKey {
		if err := write("pubkey", base+".pub.der", spki, "--usage-sign"); err != nil {
			return Key{}, err
		}
	}
	if !spec.NoCertificate {
		if err := write("cert", base+".crt.der", certDER); err != nil {
			return Key{}, err
		}
	}
	return key, nil
}

// Tool runs pkcs11-tool on the token's module and token (--module,
// --token-label) with args, and returns what it printed; a failure ends
// the test.
func (t *Token) Tool(tb testing.TB, args ...string) string {
	tb.Helper()
	return t.run(tb, "pkcs11-tool", append([]string{"--module", t.module, "--token-label", t.label}, args...)...)
}

// run runs a tool with the token's environment and returns its output; a
// failure ends the test. The PINs are masked in the message.
func (t *Token) run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), t.Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("softhsm: %s %s: %v\n%s", name, strings.Join(t.mask(args), " "), err, out)
	}
	return string(out)
}

// mask hides the PINs in a command line shown in a test log.
func (t *Token) mask(args []string) []string {
	out := slices.Clone(args)
	for i := 1; i < len(out); i++ {
		if out[i-1] == "--pin" || out[i-1] == "--so-pin" || out[i-1] == "--new-pin" {
			out[i] = "***"
		}
	}
	return out
}

// ShowSlot is one slot as `softhsm2-util --show-slots` prints it.
type ShowSlot struct {
	ID          uint
	Serial      string
	Label       string
	Initialized bool
}

// parseShowSlots reads `softhsm2-util --show-slots`: a "Slot N" line
// starts each slot, "Serial number:", "Initialized:" and "Label:" lines
// (indented, padded with spaces) follow.
func parseShowSlots(out string) ([]ShowSlot, error) {
	var slots []ShowSlot
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Slot "); ok {
			id, err := strconv.ParseUint(strings.TrimSpace(rest), 10, 0)
			if err != nil {
				return nil, fmt.Errorf("softhsm2-util --show-slots: slot line %q: %w", line, err)
			}
			slots = append(slots, ShowSlot{ID: uint(id)})
			continue
		}
		if len(slots) == 0 {
			continue
		}
		cur := &slots[len(slots)-1]
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Serial number":
			cur.Serial = value
		case "Label":
			cur.Label = value
		case "Initialized":
			cur.Initialized = value == "yes"
		}
	}
	if len(slots) == 0 {
		return nil, errors.New("softhsm2-util --show-slots listed no slot")
	}
	return slots, sc.Err()
}

// testCA is the RSA root that issues the tokens' certificates. Its key
// stays in memory.
type testCA struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
	path string
}

func newTestCA(dir string) (*testCA, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			CommonName:   "Тестовый УЦ Подпись",
			Organization: []string{"ООО «Тестовый удостоверяющий центр»"},
			Country:      []string{"RU"},
		},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.AddDate(3, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return &testCA{key: key, cert: cert, path: path}, nil
}

// issue makes a signing certificate for pub: valid from a day ago for a
// year, keyUsage digitalSignature and nonRepudiation, as a qualified
// certificate's.
func (ca *testCA) issue(pub crypto.PublicKey, cn string) ([]byte, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			CommonName:   cn,
			Organization: []string{"ООО «Ромашка»"},
			Country:      []string{"RU"},
		},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	return x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
}

func randomSerial() *big.Int {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	b[0] &= 0x7f
	b[0] |= 0x01
	return new(big.Int).SetBytes(b)
}
