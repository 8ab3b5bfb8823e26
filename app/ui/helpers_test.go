package ui

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/i18n"
)

// testNow is the clock of every screen test: certificates are made relative
// to it, so badges and the banner do not depend on the day the tests run.
var testNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// memKeyring is an in-memory certstore.Keyring. With refuse set it answers
// like a desktop without a keyring.
type memKeyring struct {
	certstore.MemoryKeyring
	refuse bool
}

func newMemKeyring() *memKeyring { return &memKeyring{} }

func (k *memKeyring) Set(service, account, secret string) error {
	if k.refuse {
		return errors.New("no keyring here")
	}
	return k.MemoryKeyring.Set(service, account, secret)
}

// harness is a main window on fyne's test driver, over a temporary store.
type harness struct {
	t       *testing.T
	app     fyne.App
	store   *certstore.Store
	keyring *memKeyring
	w       *mainWindow
	prompts chan *passwordPrompt
	dir     string     // for fixture files
	ui      sync.Mutex // the one "UI goroutine": held by w.do and by act
}

// setTestLanguage switches fyne's translations to l for this test; the
// environment is restored afterwards.
func setTestLanguage(t *testing.T, l i18n.Lang) *translator {
	t.Helper()
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
		t.Setenv(name, "")
	}
	err := useLanguage(l, os.Getenv, func(k, v string) error { t.Setenv(k, v); return nil })
	if err != nil {
		t.Fatalf("register translations: %v", err)
	}
	tr, err := newTranslator(l)
	if err != nil {
		t.Fatalf("load translations: %v", err)
	}
	return tr
}

func newHarness(t *testing.T, l i18n.Lang) *harness {
	t.Helper()
	tr := setTestLanguage(t, l)
	h := &harness{t: t, app: test.NewTempApp(t), keyring: newMemKeyring(), prompts: make(chan *passwordPrompt, 4), dir: t.TempDir()}
	var err error
	h.store, err = certstore.Open(certstore.Options{Dir: t.TempDir(), Keyring: h.keyring, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	h.w = newMainWindow(h.app, h.store, tr, func() time.Time { return testNow })
	h.w.onPrompt = func(p *passwordPrompt) { h.prompts <- p }
	h.w.do = func(f func()) {
		h.ui.Lock()
		defer h.ui.Unlock()
		f()
	}
	h.w.window.Show()
	t.Cleanup(func() {
		h.w.busy.Wait()
		h.w.window.Close()
	})
	h.act(func() { h.w.refresh("") })
	h.wait()
	return h
}

// act does what a person does (tap, type, select) on the UI goroutine.
func (h *harness) act(f func()) {
	h.ui.Lock()
	defer h.ui.Unlock()
	f()
}

// tap taps a button on the UI goroutine.
func (h *harness) tap(b fyne.Tappable) { h.act(func() { test.Tap(b) }) }

// wait lets background work finish.
func (h *harness) wait() { h.w.busy.Wait() }

// nextPrompt waits for a password prompt.
func (h *harness) nextPrompt() *passwordPrompt {
	h.t.Helper()
	select {
	case p := <-h.prompts:
		return p
	case <-time.After(30 * time.Second):
		h.t.Fatal("no password prompt appeared")
		return nil
	}
}

// importFiles imports through the window, as dropping files would.
func (h *harness) importFiles(paths ...string) {
	h.act(func() { h.w.importFiles(paths) })
}

// rowIndex is the list position of the certificate with this common name.
func (h *harness) rowIndex(cn string) int {
	h.t.Helper()
	for i, r := range h.w.list.rows {
		if r.Subject == cn {
			return i
		}
	}
	h.t.Fatalf("%q is not in the list; rows: %+v", cn, h.w.list.rows)
	return -1
}

// selectRow selects a certificate as a click would.
func (h *harness) selectRow(cn string) *certstore.Entry {
	h.t.Helper()
	i := h.rowIndex(cn)
	h.act(func() { h.w.list.widget.Select(i) })
	h.wait()
	if h.w.selected == nil || h.w.selected.Cert.Subject.CommonName() != cn {
		h.t.Fatalf("selecting %q selected %v", cn, h.w.selected)
	}
	return h.w.selected
}

// shownTexts is every text drawn in the window, as rendered.
func shownTexts(c fyne.Canvas) []string {
	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Text:
			texts = append(texts, v.Text)
		case *fyne.Container:
			for _, child := range v.Objects {
				walk(child)
			}
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(v).Objects() {
				walk(child)
			}
		}
	}
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	return texts
}

// shownText is shownTexts joined by newlines.
func shownText(c fyne.Canvas) string { return strings.Join(shownTexts(c), "\n") }

// Fixtures: a CA and certificates made at test time, never committed.

type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
	// crlURL, once serveCRL ran, goes into the certificates it issues, so
	// revocation can be checked and a good certificate shows green.
	crlURL string
}

// serveCRL publishes an empty CRL of ca on 127.0.0.1 for the test.
func (ca *issuer) serveCRL(t *testing.T) {
	t.Helper()
	list, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: testNow.Add(-day),
		NextUpdate: testNow.Add(7 * day),
	}, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-crl")
		_, _ = w.Write(list)
	}))
	t.Cleanup(srv.Close)
	ca.crlURL = srv.URL + "/root.crl"
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// newRoot makes a self-signed CA valid around testNow.
func newRoot(t *testing.T, cn string) *issuer { return newRootAt(t, cn, testNow) }

// newRootAt makes a self-signed CA valid around now.
func newRootAt(t *testing.T, cn string, now time.Time) *issuer {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"ООО Тестовый УЦ"}, Country: []string{"RU"}},
		NotBefore:             now.Add(-365 * day),
		NotAfter:              now.Add(10 * 365 * day),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{cert: c, key: key}
}

// person is an end-entity certificate with the Russian attributes of a
// qualified certificate: ИНН, СНИЛС, ОГРН, the КС1 policy and the owner's
// signing tool.
type person struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func (ca *issuer) issuePerson(t *testing.T, cn string, notBefore, notAfter time.Time) *person {
	t.Helper()
	return ca.issueQualified(t, cn, notBefore, notAfter, []pkix.AttributeTypeAndValue{
		{Type: oid.INN, Value: "123456789047"},
		{Type: oid.SNILS, Value: "11223344595"},
		{Type: oid.OGRN, Value: "1027700132195"},
	})
}

// issueQualified issues a qualified certificate of a person: the subject's
// identifiers given, both signing-tool extensions, the КС1 policy and, when
// the issuer serves one, its CRL.
func (ca *issuer) issueQualified(t *testing.T, cn string, notBefore, notAfter time.Time, ids []pkix.AttributeTypeAndValue) *person {
	t.Helper()
	key := newKey(t)
	signTool, err := asn1.MarshalWithParams("СКЗИ «Тест-КС1»", "utf8")
	if err != nil {
		t.Fatal(err)
	}
	issuerTool, err := asn1.Marshal(struct {
		SignTool, CATool, SignToolCert, CAToolCert string `asn1:"utf8"`
	}{"СКЗИ «Тест-КС1»", "ПАК «Тестовый УЦ»", "СФ/124-0001 от 01.01.2025", "СФ/128-0002 от 01.01.2025"})
	if err != nil {
		t.Fatal(err)
	}
	kc1, err := x509.OIDFromASN1OID(oid.PolicyKC1)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject: pkix.Name{
			CommonName: cn,
			Country:    []string{"RU"},
			ExtraNames: ids,
		},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		Policies:           []x509.OID{kc1},
		ExtraExtensions:    []pkix.Extension{{Id: oid.ExtSubjectSignTool, Value: signTool}, {Id: oid.ExtIssuerSignTool, Value: issuerTool}},
		SignatureAlgorithm: x509.ECDSAWithSHA256,
	}
	if ca.crlURL != "" {
		tmpl.CRLDistributionPoints = []string{ca.crlURL}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &person{cert: c, key: key}
}

// writeFile writes a fixture file and returns its path.
func (h *harness) writeFile(name string, data []byte) string {
	h.t.Helper()
	path := filepath.Join(h.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		h.t.Fatal(err)
	}
	return path
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// p12 packs a person's key and certificate, with the chain, the way
// OpenSSL 3 does by default.
func p12(t *testing.T, p *person, chain []*x509.Certificate, password string) []byte {
	t.Helper()
	data, err := pkcs12.Modern.Encode(p.key, p.cert, chain, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// entryFor parses a certificate into a store entry without a store, for
// tests of pure functions.
func entryFor(t *testing.T, c *x509.Certificate, list certstore.List) *certstore.Entry {
	t.Helper()
	parsed, err := cert.Parse(c.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return &certstore.Entry{ID: parsed.Thumbprint(), List: list, Cert: parsed, HasKey: list == certstore.ListPersonal}
}
