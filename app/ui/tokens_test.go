package ui

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/certstore/token/tokentest"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/internal/testpki"
	"github.com/podpis/podpis/signer"
)

// testModulePath is where the settings say the PKCS#11 module is: the
// double answers for it, so nothing installed on the machine is used.
const testModulePath = "/opt/podpis-test/libtesttoken.so"

// newTokenHarness is newHarness over a store whose token library opens
// modules with open, with the settings naming modulePath ("" for none),
// and a clock at now.
func newTokenHarness(t *testing.T, l i18n.Lang, now time.Time, open token.Opener, modulePath string) *harness {
	t.Helper()
	tr := setTestLanguage(t, l)
	h := &harness{t: t, app: test.NewTempApp(t), keyring: newMemKeyring(), prompts: make(chan *passwordPrompt, 4), dir: t.TempDir()}
	var err error
	h.store, err = certstore.Open(certstore.Options{
		Dir: t.TempDir(), Keyring: h.keyring, Now: func() time.Time { return now },
		Tokens: token.NewLibrary(open),
	})
	if err != nil {
		t.Fatal(err)
	}
	if modulePath != "" {
		if err := h.store.SaveSettings(certstore.Settings{TokenModule: modulePath}); err != nil {
			t.Fatal(err)
		}
	}
	h.w = newMainWindow(h.app, h.store, tr, func() time.Time { return now })
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
		if err := h.store.Close(); err != nil {
			t.Errorf("close the store's modules: %v", err)
		}
	})
	h.act(func() { h.w.refresh("") })
	h.wait()
	return h
}

// openTokens shows the token panel and waits for its scan.
func (h *harness) openTokens() *tokenPanel {
	h.t.Helper()
	h.act(h.w.showTokens)
	h.wait()
	if h.w.tokens.scan == nil || !h.w.tokens.content.Visible() || h.w.certView.Visible() {
		h.t.Fatal("the token panel did not show a scan")
	}
	return h.w.tokens
}

// rescanTokens presses Rescan and waits.
func (h *harness) rescanTokens() {
	h.tap(h.w.tokens.rescan)
	h.wait()
}

// card is the panel's card of the token called title.
func (h *harness) card(title string) *tokenCard {
	h.t.Helper()
	var titles []string
	for _, c := range h.w.tokens.cards {
		if c.Title == title {
			return c
		}
		titles = append(titles, c.Title)
	}
	h.t.Fatalf("no token %q on the panel; it shows %q", title, titles)
	return nil
}

// issueFor issues a personal certificate for a given public key (one on a
// token).
func (ca *issuer) issueFor(t *testing.T, cn string, pub crypto.PublicKey, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: cn, Country: []string{"RU"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	if ca.crlURL != "" {
		tmpl.CRLDistributionPoints = []string{ca.crlURL}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// tokenWorld is a CA and a double module with tokens whose certificates
// it issued.
type tokenWorld struct {
	ca     *issuer
	module *tokentest.Module
	certs  map[string]*x509.Certificate // by common name
}

const rightPIN = "12345678"

// newTokenWorld makes four tokens in four PIN states, each with a key pair
// and certificate (RSA on the first, ECDSA on the others).
func newTokenWorld(t *testing.T) *tokenWorld {
	t.Helper()
	w := &tokenWorld{ca: newRoot(t, "Тестовый УЦ"), certs: map[string]*x509.Certificate{}}
	w.ca.serveCRL(t)
	tokens := []*tokentest.Token{
		{Label: "Рутокен Иванова", Serial: "0A1B2C3D", Model: "Rutoken ECP 3.0", PIN: rightPIN},
		{Label: "JaCarta бухгалтерии", Serial: "JC-0042", Model: "JaCarta-2 GOST", PIN: rightPIN, Flags: token.TokenUserPINCountLow},
		{Label: "Токен Петрова", Serial: "PT-7", PIN: rightPIN, Flags: token.TokenUserPINFinalTry},
		{Label: "Старый токен", Serial: "OLD-1", PIN: rightPIN, Flags: token.TokenUserPINLocked},
	}
	owners := []string{"Иванов Иван Иванович", "Бухгалтерия ООО Ромашка", "Петров Пётр", "Сидоров Сидор"}
	for i, tok := range tokens {
		var key crypto.Signer = newKey(t)
		if i == 0 {
			key = rsaKey(t)
		}
		c := w.ca.issueFor(t, owners[i], key.Public(), testNow.Add(-30*day), testNow.Add(300*day))
		w.certs[owners[i]] = c
		tok.AddKey([]byte{0x10, byte(i)}, "key "+owners[i], key, c.Raw)
	}
	w.module = tokentest.NewModule(tokens...)
	return w
}

// trust is what verifies the world's signatures: its CA as the root.
func (w *tokenWorld) trust(t *testing.T) validate.Options {
	return validate.Options{Roots: []*cert.Certificate{mustParse(t, w.ca.cert)}}
}

func (w *tokenWorld) opener() token.Opener {
	return tokentest.Paths(map[string]*tokentest.Module{testModulePath: w.module})
}

func TestTokenPanelShowsTokensCertificatesAndPINStates(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.Russian, i18n.English} {
		t.Run(string(l), func(t *testing.T) {
			world := newTokenWorld(t)
			h := newTokenHarness(t, l, testNow, world.opener(), testModulePath)
			tr := h.w.tr
			p := h.openTokens()
			if p.outcome != scanTokens || len(p.cards) != 4 || len(p.moduleProblems) != 0 {
				t.Fatalf("outcome %v, %d cards, problems %q", p.outcome, len(p.cards), p.moduleProblems)
			}
			for _, state := range []string{"ok", "count-low", "final-try", "locked"} {
				if !tr.has("token.pin." + state) {
					t.Fatalf("token.pin.%s is not translated", state)
				}
			}
			word := func(state string) string { return capitalize(tr.text("token.pin."+state, nil)) }
			locked := map[i18n.Lang]string{
				i18n.Russian: "PIN-код заблокирован — разблокируйте его PIN-кодом администратора (SO PIN)",
				i18n.English: "The PIN is locked — unblock it with the administrator PIN (SO PIN)",
			}[l]
			for _, tc := range []struct {
				title, pin string
				importance widget.Importance
				canChange  bool
			}{
				{"Рутокен Иванова", word("ok"), widget.MediumImportance, true},
				{"JaCarta бухгалтерии", word("count-low"), widget.WarningImportance, true},
				{"Токен Петрова", word("final-try"), widget.DangerImportance, true},
				{"Старый токен", locked, widget.DangerImportance, false},
			} {
				c := h.card(tc.title)
				if c.PIN != tc.pin || c.PINImp != tc.importance {
					t.Errorf("%s: PIN line %q (importance %v), want %q (%v)", tc.title, c.PIN, c.PINImp, tc.pin, tc.importance)
				}
				if c.pinButton.Disabled() == tc.canChange {
					t.Errorf("%s: Change PIN enabled %v, want %v", tc.title, !c.pinButton.Disabled(), tc.canChange)
				}
				if c.importButton.Disabled() || len(c.Lines) != 1 {
					t.Errorf("%s: import disabled %v, %d certificate lines", tc.title, c.importButton.Disabled(), len(c.Lines))
				}
			}

			ivanov := h.card("Рутокен Иванова")
			if !strings.Contains(ivanov.Sub, "Rutoken ECP 3.0") || !strings.Contains(ivanov.Sub, "0A1B2C3D") {
				t.Errorf("model and serial: %q", ivanov.Sub)
			}
			line := ivanov.Lines[0]
			// Without a login the private key cannot be seen: the public one can.
			wantDetails := strings.Join([]string{
				tr.text("ui.token.cert.until", map[string]any{"Date": tr.date(world.certs["Иванов Иван Иванович"].NotAfter)}),
				tr.text("ui.token.key.public-only", nil),
				tr.text("ui.token.cert.not-in-store", nil),
			}, " · ")
			if line.Name != "Иванов Иван Иванович" || line.Details != wantDetails {
				t.Errorf("certificate line %+v, want details %q", line, wantDetails)
			}
			shown := shownText(h.w.window.Canvas())
			for _, want := range []string{"Рутокен Иванова", "Старый токен", locked, word("final-try"), "Иванов Иван Иванович", wantDetails} {
				if !strings.Contains(shown, want) {
					t.Errorf("the panel does not show %q:\n%s", want, shown)
				}
			}
			if world.module.Logins() != 0 {
				t.Errorf("the scan logged in %d times: it needs no PIN", world.module.Logins())
			}

			h.tap(p.back)
			if !h.w.certView.Visible() || p.content.Visible() {
				t.Error("Back did not return to the certificates")
			}
		})
	}
}

func TestTokenImportMarksCertificatesAsOnTheToken(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	h.openTokens()
	card := h.card("Рутокен Иванова")
	h.tap(card.importButton)
	h.wait()
	if h.w.summary == nil || !strings.Contains(strings.Join(h.w.summary.lines, "\n"), "Токен «Рутокен Иванова»: добавлено 1") {
		t.Fatalf("import summary %+v", h.w.summary)
	}
	id := mustParse(t, world.certs["Иванов Иван Иванович"]).Thumbprint()
	e, err := h.store.Get(id)
	if err != nil {
		t.Fatalf("the certificate is not in the store: %v", err)
	}
	if e.Token == nil || e.Token.Serial != "0A1B2C3D" || e.Token.Module != testModulePath || e.List != certstore.ListPersonal || e.HasKey {
		t.Fatalf("stored as %+v, token %+v", e, e.Token)
	}
	// The panel now says the certificate is in the store.
	if got := h.card("Рутокен Иванова").Lines[0].Details; !strings.HasSuffix(got, "· в хранилище") {
		t.Errorf("after import the line says %q", got)
	}

	// The list marks it with the token, plugged in.
	h.tap(h.w.tokens.back)
	i := h.rowIndex("Иванов Иван Иванович")
	if got := h.w.list.rows[i].Token; got != "на токене «Рутокен Иванова», подключён" {
		t.Errorf("list mark %q", got)
	}
	if !strings.Contains(shownText(h.w.window.Canvas()), "на токене «Рутокен Иванова», подключён") {
		t.Error("the mark is not drawn in the list")
	}
	sel := h.selectRow("Иванов Иван Иванович")
	details := h.w.details.text
	for _, want := range []string{"на токене «Рутокен Иванова», серийный номер 0A1B2C3D — подключён сейчас", "Модуль PKCS#11: " + testModulePath} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}
	// A token key has a PIN, not a container password; no .pfx either.
	if h.w.passwordButton.Visible() {
		t.Error("Change password is offered for a key on a token")
	}
	h.tap(h.w.exportButton)
	if pfxOption(h.w.export) != "" {
		t.Error("export offers a .pfx for a key on a token")
	}
	if !strings.Contains(h.w.export.noKey.Text, "на токене «Рутокен Иванова»") {
		t.Errorf("export says %q", h.w.export.noKey.Text)
	}
	h.tap(h.w.export.cancel)
	h.tap(h.w.deleteButton)
	if msg := h.w.confirm.message.Text; !strings.Contains(msg, "Закрытый ключ остаётся на токене «Рутокен Иванова»") || strings.Contains(msg, "уничтожен") {
		t.Errorf("delete says %q", msg)
	}
	h.tap(h.w.confirm.cancel)

	// Pulled out: Rescan says so in the list and the details.
	world.module.Pull("0A1B2C3D")
	h.act(h.w.showTokens)
	h.rescanTokens()
	if got := h.w.list.rows[h.rowIndex("Иванов Иван Иванович")].Token; got != "на токене «Рутокен Иванова», не подключён" {
		t.Errorf("after pulling the token the list says %q", got)
	}
	if h.w.selected == nil || h.w.selected.ID != sel.ID || !strings.Contains(h.w.details.text, "сейчас не подключён") {
		t.Errorf("details after pulling the token:\n%s", h.w.details.text)
	}
	h.card("JaCarta бухгалтерии")
	for _, c := range h.w.tokens.cards {
		if c.Title == "Рутокен Иванова" {
			t.Error("a pulled token is still on the panel")
		}
	}
}

func TestTokenPanelEmptyScreens(t *testing.T) {
	t.Run("no module", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "librtpkcs11ecp.so")
		h := newTokenHarness(t, i18n.Russian, testNow, tokentest.Paths(nil), missing)
		p := h.openTokens()
		if p.outcome != scanNoModule {
			t.Fatalf("outcome %v", p.outcome)
		}
		for _, want := range []string{"librtpkcs11ecp", "Единый клиент JaCarta", "OpenSC", "КриптоПро CSP", "Обновить"} {
			if !strings.Contains(p.emptyMessage.Text, want) {
				t.Errorf("the no-module screen does not mention %q:\n%s", want, p.emptyMessage.Text)
			}
		}
		// The module named in the settings is reported with its reason.
		want := h.w.tr.describe(&token.LoadError{Path: missing, Reason: token.LoadMissing}).Message
		if len(p.moduleProblems) != 1 || p.moduleProblems[0] != want || !strings.Contains(want, missing) {
			t.Errorf("module problems %q, want %q", p.moduleProblems, want)
		}
		shown := shownText(h.w.window.Canvas())
		for _, w := range []string{p.emptyTitle.Text, want} {
			if !strings.Contains(shown, w) {
				t.Errorf("the panel does not show %q:\n%s", w, shown)
			}
		}
	})
	t.Run("no token", func(t *testing.T) {
		module := tokentest.NewModule()
		module.AddEmptySlot()
		h := newTokenHarness(t, i18n.Russian, testNow, tokentest.Paths(map[string]*tokentest.Module{testModulePath: module}), testModulePath)
		p := h.openTokens()
		if p.outcome != scanNoToken || len(p.cards) != 0 || len(p.moduleProblems) != 0 {
			t.Fatalf("outcome %v, %d cards, problems %q", p.outcome, len(p.cards), p.moduleProblems)
		}
		for _, want := range []string{"Вставьте токен", "systemctl status pcscd", "другой USB-порт", testModulePath} {
			if !strings.Contains(p.emptyMessage.Text, want) {
				t.Errorf("the no-token screen does not mention %q:\n%s", want, p.emptyMessage.Text)
			}
		}
		if !strings.Contains(shownText(h.w.window.Canvas()), "Токен не найден") {
			t.Error("the no-token title is not drawn")
		}
	})
}

func TestModuleSettingIsSavedAndUsed(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), "")
	p := h.openTokens()
	// With no setting Podpis looks for installed modules: the double
	// answers none of them.
	h.act(p.showModuleSettings)
	h.wait()
	d := p.moduleDlg
	if d == nil || d.path.Text != "" || !d.found.Visible() {
		t.Fatalf("settings dialog %+v", d)
	}
	h.act(func() { d.path.SetText(testModulePath) })
	h.tap(d.save)
	h.wait()
	if st, err := h.store.Settings(); err != nil || st.TokenModule != testModulePath {
		t.Fatalf("settings %+v, %v", st, err)
	}
	if p.outcome != scanTokens || len(p.cards) != 4 {
		t.Fatalf("after saving the module the panel shows %v, %d cards", p.outcome, len(p.cards))
	}
	// Rescan unloads the modules first, so a newly attached reader is seen.
	h.rescanTokens()
	if world.module.Closes() == 0 {
		t.Error("Rescan did not reload the modules")
	}
	// "Find automatically" clears it.
	h.act(p.showModuleSettings)
	h.wait()
	d = p.moduleDlg
	if d.path.Text != testModulePath {
		t.Errorf("the dialog shows %q", d.path.Text)
	}
	h.tap(d.auto)
	h.tap(d.save)
	h.wait()
	if st, _ := h.store.Settings(); st.TokenModule != "" {
		t.Errorf("Find automatically left %q", st.TokenModule)
	}
	if cands := h.store.ModuleCandidates(""); len(cands) > 0 && cands[0].Source == token.SourceSettings {
		t.Errorf("candidates still come from the settings: %+v", cands)
	}
}

func TestChangePINChecksFirstAndNeverRetries(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	h.openTokens()
	tok := world.module.Token("0A1B2C3D")
	open := func() *changePINDialog {
		h.tap(h.card("Рутокен Иванова").pinButton)
		d := h.w.tokens.pin
		if d == nil || !strings.Contains(d.message.Text, "Рутокен Иванова") || d.finalBox.Visible() {
			t.Fatalf("change PIN dialog %+v", d)
		}
		return d
	}
	typeIn := func(d *changePINDialog, current, pin, repeat string) {
		h.act(func() {
			d.current.SetText(current)
			d.pin.SetText(pin)
			d.repeat.SetText(repeat)
		})
		h.tap(d.ok)
		h.wait()
	}
	d := open()
	if !strings.Contains(d.limits.Text, "от 4 до 32") {
		t.Errorf("limits %q", d.limits.Text)
	}
	// Refused here, before the token is asked anything.
	for _, tc := range []struct{ current, pin, repeat, problem string }{
		{"", "87654321", "87654321", "Введите текущий PIN-код"},
		{rightPIN, "", "", "Введите новый PIN-код"},
		{rightPIN, "87654321", "87654320", "Новые PIN-коды не совпадают"},
		{rightPIN, "123", "123", "Новый PIN-код должен быть длиной от 4 до 32 символов"},
	} {
		typeIn(d, tc.current, tc.pin, tc.repeat)
		if d.problem.Text != tc.problem || !d.problem.Visible() {
			t.Errorf("%+v: problem %q", tc, d.problem.Text)
		}
	}
	if tok.CurrentPIN() != rightPIN || token.PINStateOf(tok.CurrentFlags()).CountLow {
		t.Fatal("the token was asked although the dialog refused")
	}

	// A wrong current PIN: said with the token's words, tried once.
	typeIn(d, "00000000", "87654321", "87654321")
	if st := token.PINStateOf(tok.CurrentFlags()); !st.CountLow || st.FinalTry {
		t.Fatalf("one wrong PIN should cost one try: %+v", st)
	}
	if !strings.Contains(d.problem.Text, "Неверный PIN-код токена «Рутокен Иванова»") || d.current.Text != "" {
		t.Errorf("problem %q, current %q", d.problem.Text, d.current.Text)
	}
	if tok.CurrentPIN() != rightPIN {
		t.Fatal("the PIN changed with a wrong current PIN")
	}
	// The panel follows the token's state.
	if got := h.card("Рутокен Иванова").PINImp; got != widget.WarningImportance {
		t.Errorf("after a wrong PIN the card's PIN line importance is %v", got)
	}

	typeIn(d, rightPIN, "87654321", "87654321")
	if tok.CurrentPIN() != "87654321" {
		t.Fatalf("the PIN is %q after the change", tok.CurrentPIN())
	}
	if d.dialog == nil || h.w.tokens.lastNoticed == nil {
		t.Error("no confirmation after the change")
	}
}

func TestChangePINAtFinalTryNeedsConsent(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	h.openTokens()
	h.tap(h.card("Токен Петрова").pinButton)
	d := h.w.tokens.pin
	if !d.finalBox.Visible() || !d.ok.Disabled() {
		t.Fatal("at the final try the dialog does not ask for consent first")
	}
	h.act(func() {
		d.current.SetText(rightPIN)
		d.pin.SetText("11112222")
		d.repeat.SetText("11112222")
	})
	h.tap(d.ok)
	h.wait()
	if tok := world.module.Token("PT-7"); tok.CurrentPIN() != rightPIN {
		t.Fatal("the PIN changed without consent")
	}
	h.act(func() { d.consent.SetChecked(true) })
	if d.ok.Disabled() {
		t.Fatal("consent did not enable the button")
	}
	h.tap(d.ok)
	h.wait()
	if tok := world.module.Token("PT-7"); tok.CurrentPIN() != "11112222" {
		t.Fatalf("PIN %q after a consented change", tok.CurrentPIN())
	}
}

// importToken imports a token through the panel and returns the entry of
// its certificate.
func (h *harness) importToken(title string, c *x509.Certificate) *certstore.Entry {
	h.t.Helper()
	h.openTokens()
	h.tap(h.card(title).importButton)
	h.wait()
	h.tap(h.w.summary.ok)
	h.act(h.w.showCertificates)
	e, err := h.store.Get(mustParse(h.t, c).Thumbprint())
	if err != nil || e.Token == nil {
		h.t.Fatalf("imported entry %+v, %v", e, err)
	}
	return e
}

// chooseForSigning picks the certificate of e on the Sign screen.
func (h *harness) chooseForSigning(e *certstore.Entry) {
	h.t.Helper()
	s := h.w.sign
	for i, c := range s.certs {
		if c.ID == e.ID {
			h.act(func() { s.certSelect.SetSelectedIndex(i) })
			return
		}
	}
	h.t.Fatalf("%s is not offered for signing: %q", e.Cert.Subject.CommonName(), s.certSelect.Options)
}

// verifyDetached checks a detached signature at now, with the trust
// anchors (and intermediates) of chain.
func verifyDetached(t *testing.T, sigPath, docPath string, now time.Time, signerCert []byte, chain validate.Options) {
	t.Helper()
	sig, err := os.Open(sigPath)
	if err != nil {
		t.Fatalf("signature %s: %v", sigPath, err)
	}
	defer sig.Close()
	doc, err := os.Open(docPath)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	res, err := signer.VerifyDetached(sig, doc, signer.VerifyOptions{At: now, Chain: signer.Validator{Options: chain}})
	if err != nil {
		t.Fatalf("verify %s: %v", sigPath, err)
	}
	if res.Status != signer.StatusValid || len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		for _, si := range res.Signers {
			t.Logf("signer: %+v", *si)
		}
		t.Fatalf("%s does not verify: %+v", sigPath, res)
	}
	if got := res.Signers[0].Certificate; got == nil || !bytes.Equal(got.Raw, signerCert) {
		t.Errorf("%s is not signed by the token's certificate", sigPath)
	}
}

func TestSignWithTokenKeyAsksPINOnceAndRemembersIt(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	ivanov := world.certs["Иванов Иван Иванович"]
	e := h.importToken("Рутокен Иванова", ivanov)
	s := h.w.sign
	h.chooseForSigning(e)
	if !strings.Contains(s.certSelect.Selected, "на токене «Рутокен Иванова»") {
		t.Errorf("the Sign screen calls it %q", s.certSelect.Selected)
	}
	docs := documents(t, t.TempDir(), "1.xml", "2.xml", "3.xml")
	h.dropOnSign(docs...)
	h.tap(s.signButton)

	p := h.nextPrompt()
	if p.request.Purpose != certstore.PurposeTokenPIN || p.title != "PIN-код токена «Рутокен Иванова»" {
		t.Fatalf("prompt %s %q", p.request.Purpose, p.title)
	}
	if p.pinState != nil || p.consent != nil || p.remember.Text != "Запомнить PIN-код" || p.ok.Disabled() {
		t.Errorf("a token with a fine PIN: state line %v, consent %v, remember %q", p.pinState, p.consent, p.remember.Text)
	}
	h.act(func() {
		test.Type(p.password, rightPIN)
		p.remember.SetChecked(true)
	})
	h.tap(p.ok)
	h.wait()
	if h.w.errorBox != nil {
		t.Fatalf("error: %s", h.w.errorBox.message.Text)
	}
	if s.report == nil || s.report.Signed != 3 {
		t.Fatalf("report %+v", s.report)
	}
	if world.module.Logins() != 1 {
		t.Errorf("%d logins for a batch of 3: want one", world.module.Logins())
	}
	for _, doc := range docs {
		verifyDetached(t, doc+".sig", doc, testNow, ivanov.Raw, world.trust(t))
	}
	if !strings.Contains(s.summary.Text, "Подпись создана на токене «Рутокен Иванова»") {
		t.Errorf("the summary does not say the token signed: %q", s.summary.Text)
	}
	if tok := world.module.Token("0A1B2C3D"); tok.OpenSessions() != 0 || tok.LoggedIn() {
		t.Errorf("the key was not closed: %d sessions, logged in %v", tok.OpenSessions(), tok.LoggedIn())
	}
	if !h.store.PINRemembered("0A1B2C3D") {
		t.Fatal("the PIN was not remembered after signing")
	}

	// Next time the remembered PIN logs in: no prompt.
	more := documents(t, t.TempDir(), "4.xml")
	h.act(func() { s.inputs = nil })
	h.dropOnSign(more...)
	h.tap(s.signButton)
	h.wait()
	select {
	case p := <-h.prompts:
		t.Fatalf("asked again: %q", p.message.Text)
	default:
	}
	if s.report == nil || s.report.Signed != 1 {
		t.Fatalf("second report %+v", s.report)
	}
}

func TestSignWithTokenWrongPINIsNotRetried(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	e := h.importToken("JaCarta бухгалтерии", world.certs["Бухгалтерия ООО Ромашка"])
	s := h.w.sign
	h.chooseForSigning(e)
	docs := documents(t, t.TempDir(), "1.xml")
	h.dropOnSign(docs...)
	h.tap(s.signButton)
	p := h.nextPrompt()
	// The token said a wrong PIN was entered before: the prompt says so.
	if p.pinState == nil || p.pinState.Importance != widget.WarningImportance || !strings.Contains(p.pinState.Text, "попыток осталось мало") {
		t.Errorf("PIN state line %+v", p.pinState)
	}
	h.act(func() { test.Type(p.password, "00000000") })
	h.tap(p.ok)
	h.wait()
	select {
	case again := <-h.prompts:
		t.Fatalf("a wrong PIN was asked again: %q", again.message.Text)
	default:
	}
	if h.w.errorBox == nil || !strings.Contains(h.w.errorBox.message.Text, "осталась одна попытка") {
		t.Fatalf("error after a wrong PIN: %+v", h.w.errorBox)
	}
	if world.module.Logins() != 1 {
		t.Errorf("%d logins: a wrong PIN must be tried once", world.module.Logins())
	}
	if _, err := os.Stat(docs[0] + ".sig"); err == nil {
		t.Error("signed with a wrong PIN")
	}
	if h.store.PINRemembered("JC-0042") {
		t.Error("a wrong PIN was remembered")
	}
}

func TestSignAtFinalTryNeedsConsent(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	petrov := world.certs["Петров Пётр"]
	e := h.importToken("Токен Петрова", petrov)
	s := h.w.sign
	h.chooseForSigning(e)
	docs := documents(t, t.TempDir(), "1.xml")
	h.dropOnSign(docs...)
	h.tap(s.signButton)
	p := h.nextPrompt()
	if !p.request.FinalTry || p.consent == nil || p.final == nil || p.final.Importance != widget.DangerImportance {
		t.Fatalf("final-try prompt: request %+v, consent %v", p.request, p.consent)
	}
	if p.consent.Text != "Я понимаю, что при неверном PIN-коде он будет заблокирован" {
		t.Errorf("consent box %q", p.consent.Text)
	}
	h.act(func() { test.Type(p.password, rightPIN) })
	if !p.ok.Disabled() {
		t.Fatal("OK is enabled before the consent box is ticked")
	}
	h.tap(p.ok)
	h.act(p.submit) // Enter in the field: refused the same way
	if p.answered || world.module.Logins() != 0 {
		t.Fatal("the final try was spent without consent")
	}
	h.act(func() { p.consent.SetChecked(true) })
	if p.ok.Disabled() {
		t.Fatal("ticking the box did not enable OK")
	}
	h.tap(p.ok)
	h.wait()
	if s.report == nil || s.report.Signed != 1 {
		t.Fatalf("report %+v, error %+v", s.report, h.w.errorBox)
	}
	verifyDetached(t, docs[0]+".sig", docs[0], testNow, petrov.Raw, world.trust(t))
}

func TestSignStopsWhenTheTokenIsPulled(t *testing.T) {
	world := newTokenWorld(t)
	h := newTokenHarness(t, i18n.Russian, testNow, world.opener(), testModulePath)
	ivanov := world.certs["Иванов Иван Иванович"]
	e := h.importToken("Рутокен Иванова", ivanov)
	if err := h.store.RememberPIN("0A1B2C3D", rightPIN); err != nil {
		t.Fatal(err)
	}
	s := h.w.sign
	h.chooseForSigning(e)
	docs := documents(t, t.TempDir(), "1.xml", "2.xml", "3.xml", "4.xml", "5.xml", "6.xml")
	h.dropOnSign(docs...)
	world.module.PullAfterSigns("0A1B2C3D", 2)
	h.tap(s.signButton)
	h.wait()
	r := s.report
	if r == nil || r.Stopped == nil || r.Signed != 2 {
		t.Fatalf("report %+v", r)
	}
	if !s.stopped.content.Visible() {
		t.Fatal("no banner for a stopped batch")
	}
	banner := s.stopped.text.Text
	for _, want := range []string{"токен «Рутокен Иванова» извлечён", fmt.Sprintf("Подписано файлов: %d", r.Signed), "Вставьте токен и нажмите «Подписать» ещё раз"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner %q lacks %q", banner, want)
		}
	}
	// The label wraps the text into lines at spaces.
	if !strings.Contains(strings.Join(shownTexts(h.w.window.Canvas()), " "), banner) {
		t.Error("the banner is not drawn")
	}
	signed := 0
	for _, doc := range docs {
		if _, err := os.Stat(doc + ".sig"); err == nil {
			verifyDetached(t, doc+".sig", doc, testNow, ivanov.Raw, world.trust(t))
			signed++
		}
	}
	if signed != r.Signed {
		t.Errorf("%d signatures on disk, the report says %d", signed, r.Signed)
	}

	// Plugged back in, Sign goes on where it stopped.
	world.module.Insert("0A1B2C3D")
	h.tap(s.signButton)
	h.wait()
	if r := s.report; r == nil || r.Stopped != nil || r.Signed != len(docs)-signed || r.Skipped != signed {
		t.Fatalf("second run %+v", r)
	}
	if s.stopped.content.Visible() {
		t.Error("the banner stays after a finished run")
	}
	for _, doc := range docs {
		verifyDetached(t, doc+".sig", doc, testNow, ivanov.Raw, world.trust(t))
	}
}

// GOST on a token: the double signs with internal/gost, the certificate is
// OpenSSL's (testpki), and the signature verifies like any other.
func TestSignWithGOSTKeyOnToken(t *testing.T) {
	pki := testpki.New(t, testpki.Options{Family: testpki.GOST256})
	leaf := pki.Leaf(testpki.LeafValid)
	keyPEM, err := os.ReadFile(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatalf("%s is not PEM", leaf.Key)
	}
	key, err := gost3410.ParsePKCS8(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tok := &tokentest.Token{Label: "Рутокен ЭЦП 3.0", Serial: "GOST-1", PIN: rightPIN}
	tok.AddKey([]byte{1}, "ГОСТ", key, leaf.Cert.Raw)
	module := tokentest.NewModule(tok)
	now := time.Now()
	h := newTokenHarness(t, i18n.Russian, now, tokentest.Paths(map[string]*tokentest.Module{testModulePath: module}), testModulePath)
	h.openTokens()
	h.tap(h.card("Рутокен ЭЦП 3.0").importButton)
	h.wait()
	h.tap(h.w.summary.ok)
	e, err := h.store.Get(leaf.Cert.Thumbprint())
	if err != nil || e.Token == nil {
		t.Fatalf("entry %+v, %v", e, err)
	}
	h.chooseForSigning(e)
	doc := documents(t, t.TempDir(), "декларация.xml")[0]
	h.dropOnSign(doc)
	h.tap(h.w.sign.signButton)
	p := h.nextPrompt()
	h.act(func() { test.Type(p.password, rightPIN) })
	h.tap(p.ok)
	h.wait()
	if r := h.w.sign.report; r == nil || r.Signed != 1 {
		t.Fatalf("report %+v, error %+v", r, h.w.errorBox)
	}
	if module.Signs() != 1 {
		t.Errorf("%d signatures made on the token", module.Signs())
	}
	verifyDetached(t, doc+".sig", doc, now, leaf.Cert.Raw, validate.Options{Roots: []*cert.Certificate{pki.Root.Cert}, Intermediates: []*cert.Certificate{pki.CA.Cert}})
}

func TestPINPromptTextsAndStates(t *testing.T) {
	tr := setTestLanguage(t, i18n.Russian)
	app := test.NewTempApp(t)
	win := app.NewWindow("test")
	t.Cleanup(win.Close)
	for _, tc := range []struct {
		state      token.PINState
		finalTry   bool
		stateLine  string
		importance widget.Importance
	}{
		{token.PINState{}, false, "", 0},
		{token.PINState{CountLow: true}, false, capitalize(tr.text("token.pin.count-low", nil)), widget.WarningImportance},
		{token.PINState{ToBeChanged: true}, false, capitalize(tr.text("token.pin.to-be-changed", nil)), widget.WarningImportance},
		{token.PINState{FinalTry: true, CountLow: true}, true, "", 0},
	} {
		answers := make(chan passwordAnswer, 1)
		req := certstore.PasswordRequest{Purpose: certstore.PurposeTokenPIN, Subject: "Иванов", Token: "", Serial: "SN-1", PIN: tc.state, FinalTry: tc.finalTry}
		p := newPasswordPrompt(tr, win, req, "", false, answers)
		p.show(win)
		if p.title != "PIN-код токена «SN-1»" || !strings.Contains(p.message.Text, "«Иванов»") {
			t.Errorf("%+v: title %q, message %q", tc.state, p.title, p.message.Text)
		}
		switch {
		case tc.stateLine == "" && p.pinState != nil:
			t.Errorf("%+v: a state line %q", tc.state, p.pinState.Text)
		case tc.stateLine != "" && (p.pinState == nil || p.pinState.Text != tc.stateLine || p.pinState.Importance != tc.importance):
			t.Errorf("%+v: state line %+v, want %q", tc.state, p.pinState, tc.stateLine)
		}
		if (p.consent != nil) != tc.finalTry || p.ok.Disabled() != tc.finalTry {
			t.Errorf("%+v: consent %v, OK disabled %v", tc.state, p.consent != nil, p.ok.Disabled())
		}
		// An empty PIN is refused without answering.
		if p.consent != nil {
			p.consent.SetChecked(true)
		}
		p.submit()
		if p.answered || p.problem.Text != "Введите PIN-код" {
			t.Errorf("%+v: an empty PIN was answered (problem %q)", tc.state, p.problem.Text)
		}
		p.dismiss()
		if _, ok := <-answers; ok {
			t.Errorf("%+v: cancel answered", tc.state)
		}
	}
}

func TestStoppedText(t *testing.T) {
	tr := setTestLanguage(t, i18n.Russian)
	for _, tc := range []struct {
		stopped error
		want    string
	}{
		{fmt.Errorf("sign: %w", token.ErrRemoved), "Подписание остановлено: токен «Т» извлечён. Подписано файлов: 3."},
		{token.ErrPINLocked, "Подписание остановлено: PIN-код токена «Т» заблокирован. Подписано файлов: 3. Разблокируйте"},
		{errors.New("boom"), "Подписание остановлено: "},
	} {
		got := stoppedText(tr, "Т", &signer.BatchReport{Signed: 3, Stopped: tc.stopped})
		if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "уже подписанные файлы будут пропущены") {
			t.Errorf("%v: %q", tc.stopped, got)
		}
	}
}

func TestTokenEntriesSignAndAreMarked(t *testing.T) {
	tr := setTestLanguage(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	onToken := entryFor(t, ca.issuePerson(t, "На токене", testNow.Add(-day), testNow.Add(300*day)).cert, certstore.ListPersonal)
	onToken.HasKey = false
	onToken.Token = &token.Ref{Module: testModulePath, Serial: "SN-1", Label: "Рутокен"}
	noKey := entryFor(t, ca.issuePerson(t, "Без ключа", testNow.Add(-day), testNow.Add(300*day)).cert, certstore.ListPersonal)
	noKey.HasKey = false
	if got := signingCertificates([]*certstore.Entry{onToken, noKey}, testNow); len(got) != 1 || got[0] != onToken {
		t.Errorf("signing certificates %v: want the token's only", got)
	}
	for _, tc := range []struct {
		presence map[string]bool
		mark     string
		key      string
	}{
		{nil, "на токене «Рутокен»", "на токене «Рутокен», серийный номер SN-1"},
		{map[string]bool{"SN-1": true}, "на токене «Рутокен», подключён", "на токене «Рутокен», серийный номер SN-1 — подключён сейчас"},
		{map[string]bool{"SN-1": false}, "на токене «Рутокен», не подключён", "на токене «Рутокен», серийный номер SN-1 — сейчас не подключён"},
		{map[string]bool{"other": true}, "на токене «Рутокен»", "на токене «Рутокен», серийный номер SN-1"},
	} {
		plug := plugFor(tc.presence, onToken)
		if got := rowFor(tr, onToken, testNow, plug).Token; got != tc.mark {
			t.Errorf("%v: mark %q, want %q", tc.presence, got, tc.mark)
		}
		if got := privateKeyText(tr, onToken, rememberUnknown, plug); got != tc.key {
			t.Errorf("%v: key %q, want %q", tc.presence, got, tc.key)
		}
	}
	if got := rowFor(tr, noKey, testNow, plugIn).Token; got != "" {
		t.Errorf("a certificate without a token is marked %q", got)
	}
	// The same certificate from a .pfx too: both keys are named.
	both := *onToken
	both.HasKey = true
	if got := privateKeyText(tr, &both, rememberYes, plugIn); got != "на токене «Рутокен», серийный номер SN-1 — подключён сейчас; копия — в хранилище, пароль запомнен" {
		t.Errorf("both keys: %q", got)
	}
	if got := certificateLabel(tr, onToken); !strings.HasSuffix(got, " · на токене «Рутокен»") {
		t.Errorf("sign label %q", got)
	}
}
