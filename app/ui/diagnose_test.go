package ui

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/podpis/podpis/certstore/diagnose"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/i18n"
)

// diagnosePKI is a trusted root in the window's store and a CRL server on
// 127.0.0.1 that the root's certificates point at, so that a good
// certificate is good all the way: chain, validity and revocation.
type diagnosePKI struct {
	*harness
	ca     *issuer
	crlURL string
}

func newDiagnosePKI(t *testing.T, l i18n.Lang) *diagnosePKI {
	t.Helper()
	h := newHarness(t, l)
	p := &diagnosePKI{harness: h, ca: newRoot(t, "Тестовый корневой УЦ")}
	p.ca.serveCRL(t)
	p.crlURL = p.ca.crlURL
	if _, err := h.store.Trust("root.cer", p.ca.cert.Raw); err != nil {
		t.Fatal(err)
	}
	h.act(func() { h.w.refresh("") })
	h.wait()
	return p
}

// qualifiedLeaf is a qualified certificate of a person issued by the
// fixture's root, with the CRL distribution point given ("" for none).
func (p *diagnosePKI) qualifiedLeaf(t *testing.T, cn string, notBefore, notAfter time.Time, crlURL string) *person {
	t.Helper()
	ca := *p.ca
	ca.crlURL = crlURL
	return ca.issueQualified(t, cn, notBefore, notAfter, []pkix.AttributeTypeAndValue{
		{Type: oid.INN, Value: "500100732259"},
		{Type: oid.SNILS, Value: "11223344595"},
	})
}

// dropOnDiagnose drops files with the Diagnose tab showing and waits for
// the diagnosis.
func (h *harness) dropOnDiagnose(paths ...string) {
	h.act(func() {
		h.w.tabs.Select(h.w.diagnoseTab)
		h.w.dropped(paths)
	})
	h.wait()
}

// savedTo makes the screen's save dialog answer with path; the file is
// written in the background, as after the real dialog.
func savedTo(t *testing.T, s *diagnoseScreen, path string) {
	s.saveAs = func(name string, write func(fyne.URIWriteCloser) error) {
		writer, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Errorf("save %s: %v", path, err)
			return
		}
		s.w.background(func() {
			if err := write(writer); err != nil {
				t.Errorf("saving %s as %s: %v", name, path, err)
			}
		})
	}
}

func TestDiagnoseValidCertificateIsGreenWithItsChain(t *testing.T) {
	for _, tc := range []struct {
		lang           i18n.Lang
		trusted, notRe string
	}{
		{i18n.Russian, "доверенный корневой", "не отозван"},
		{i18n.English, "trusted root", "not revoked"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			p := newDiagnosePKI(t, tc.lang)
			tr := p.w.tr
			s := p.w.diagnose
			leaf := p.qualifiedLeaf(t, "Иванов Иван Иванович", testNow.Add(-30*day), testNow.Add(300*day), p.crlURL)
			// PEM, as CAs often hand certificates out: the screen offers DER.
			path := p.writeFile("ivanov.cer", pemCert(leaf.cert))

			p.dropOnDiagnose(path)
			if p.w.errorBox != nil {
				t.Fatalf("error shown: %s", p.w.errorBox.message.Text)
			}
			d := s.shown
			if d == nil || d.view == nil || len(s.cards) != 1 {
				t.Fatalf("no diagnosis shown: %+v", d)
			}
			card := s.cards[0]
			if d.verdict != verdictValid || s.overall.background.FillColor != colorValid || card.banner.background.FillColor != colorValid {
				t.Fatalf("a good certificate is %s; problems %+v", d.verdict.name(), d.view.Problems)
			}
			if want := tr.text("ui.diagnose.headline.certificate.valid", nil); d.headline != want || s.overall.title.Text != want {
				t.Errorf("headline %q, want %q", d.headline, want)
			}
			chain := card.item.Chain
			if len(chain) != 2 || chain[0].Subject != "Иванов Иван Иванович" || chain[1].Subject != "Тестовый корневой УЦ" || !chain[1].Trusted {
				t.Fatalf("chain %+v", chain)
			}
			for i, v := range card.linkVerdicts {
				if v != verdictValid {
					t.Errorf("chain link %d shows %s", i, v.name())
				}
			}
			shown := shownText(p.w.window.Canvas())
			for _, want := range []string{
				"1. Иванов Иван Иванович", "2. Тестовый корневой УЦ — " + tc.trusted, tc.notRe,
				"500100732259", tr.text("ui.diagnose.headline.certificate.valid", nil),
				tr.text("ui.diagnose.save-converted", map[string]any{"Name": "ivanov-der.cer"}),
			} {
				if !strings.Contains(shown, want) {
					t.Errorf("the screen does not show %q:\n%s", want, shown)
				}
			}
			// The URLs tried are behind the accordion: opened, the CRL's shows.
			if strings.Contains(shown, p.crlURL) {
				t.Error("the URLs tried show before the accordion is opened")
			}
			p.act(func() { card.details.OpenAll() })
			if shown := shownText(p.w.window.Canvas()); !strings.Contains(shown, p.crlURL) {
				t.Errorf("the opened accordion does not list %s:\n%s", p.crlURL, shown)
			}

			p.tap(s.copyButton)
			copied := p.app.Clipboard().Content()
			for _, want := range []string{"Иванов Иван Иванович", "Тестовый корневой УЦ", p.crlURL} {
				if !strings.Contains(copied, want) {
					t.Errorf("the copied report lacks %q:\n%s", want, copied)
				}
			}

			// Save report: one HTML page, readable by its owner only.
			report := filepath.Join(t.TempDir(), "report.html")
			savedTo(t, s, report)
			p.tap(s.saveButton)
			p.wait()
			page, err := os.ReadFile(report)
			if err != nil {
				t.Fatalf("no report saved: %v", err)
			}
			if !bytes.Contains(bytes.ToLower(page), []byte("<html")) || !bytes.Contains(page, []byte("Иванов Иван Иванович")) || !bytes.Contains(page, []byte(p.crlURL)) {
				t.Errorf("the saved report is not the diagnosis:\n%s", page)
			}
			if info, err := os.Stat(report); err == nil && info.Mode().Perm() != 0o600 {
				t.Errorf("report saved with mode %v", info.Mode().Perm())
			}

			// The certificate in DER, as forms that refuse PEM want it.
			converted := filepath.Join(t.TempDir(), "ivanov-der.cer")
			savedTo(t, s, converted)
			p.tap(s.saveConverted)
			p.wait()
			if der, err := os.ReadFile(converted); err != nil || !bytes.Equal(der, leaf.cert.Raw) {
				t.Errorf("converted copy: %v, %d bytes, want the certificate's DER", err, len(der))
			}
		})
	}
}

// findProblem is the card's problem whose message starts with prefix.
func findProblem(card *diagnoseCard, prefix string) (problemText, bool) {
	for _, p := range card.problems {
		if strings.HasPrefix(p.Message, prefix) {
			return p, true
		}
	}
	return problemText{}, false
}

func TestDiagnoseExpiredCertificateIsRedAndSaysSo(t *testing.T) {
	for _, tc := range []struct {
		lang    i18n.Lang
		expired string
		notYet  string
	}{
		{i18n.Russian, "Срок действия сертификата «Петров Пётр Петрович» истёк", "Сертификат «Петров Пётр Петрович» начинает действовать только"},
		{i18n.English, "The certificate “Петров Пётр Петрович” expired on", "The certificate “Петров Пётр Петрович” is valid only from"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			p := newDiagnosePKI(t, tc.lang)
			tr := p.w.tr
			s := p.w.diagnose
			leaf := p.qualifiedLeaf(t, "Петров Пётр Петрович", testNow.Add(-400*day), testNow.Add(-10*day), p.crlURL)
			path := p.writeFile("petrov.der", leaf.cert.Raw)

			p.dropOnDiagnose(path)
			if s.shown == nil || len(s.cards) != 1 {
				t.Fatalf("no diagnosis: %+v", s.shown)
			}
			card := s.cards[0]
			if s.shown.verdict != verdictInvalid || s.overall.background.FillColor != colorExpired || card.banner.background.FillColor != colorExpired {
				t.Fatalf("an expired certificate is %s", s.shown.verdict.name())
			}
			if want := tr.text("ui.diagnose.headline.certificate.invalid", nil); s.shown.headline != want {
				t.Errorf("headline %q, want %q", s.shown.headline, want)
			}
			problem, ok := findProblem(card, tc.expired)
			if !ok || !problem.Error || problem.Hint == "" {
				t.Fatalf("no expired problem with a fix starting %q: %+v", tc.expired, card.problems)
			}
			if len(card.linkVerdicts) == 0 || card.linkVerdicts[0] != verdictInvalid {
				t.Errorf("the expired certificate's icon is not red: %v", card.linkVerdicts)
			}
			if shown := shownText(p.w.window.Canvas()); !strings.Contains(shown, problem.Message) || !strings.Contains(shown, problem.Hint) {
				t.Errorf("the screen does not show the problem %q with its fix:\n%s", problem.Message, shown)
			}
			// DER is what most forms want: the copy offered is PEM.
			if !s.saveConverted.Visible() || !strings.Contains(s.saveConverted.Text, "petrov.pem") {
				t.Errorf("converted copy offered: %v %q", s.saveConverted.Visible(), s.saveConverted.Text)
			}

			// Offline, the CRL comes from the cache: still red, for the
			// same reason, and nothing was downloaded.
			p.act(func() { s.offline.SetChecked(true) })
			p.wait()
			if s.shown == nil || !s.shown.request.Offline || s.shown.verdict != verdictInvalid {
				t.Fatalf("ticking offline did not check again offline: %+v", s.shown)
			}
			for _, f := range s.cards[0].item.Fetches {
				if !f.FromCache {
					t.Errorf("offline, %s was downloaded", f.URL)
				}
			}
			p.act(func() { s.offline.SetChecked(false) })
			p.wait()

			// Judged at a time it was valid: green; before it: not yet valid.
			p.act(func() { s.at.SetText(testNow.Add(-100 * day).Format(time.DateOnly)) })
			p.tap(s.again)
			p.wait()
			if s.shown == nil || s.shown.verdict == verdictInvalid {
				t.Fatalf("at a time inside its validity it is still invalid: %+v", s.shown.view.Problems)
			}
			p.act(func() { s.at.SetText(testNow.Add(-500 * day).Format(time.RFC3339)) })
			p.tap(s.again)
			p.wait()
			if _, ok := findProblem(s.cards[0], tc.notYet); !ok || s.shown.verdict != verdictInvalid {
				t.Errorf("before its validity: %s, problems %+v", s.shown.verdict.name(), s.cards[0].problems)
			}

			// A time nobody can read: said at once, nothing checked.
			before := s.shown
			p.act(func() { s.at.SetText("вчера") })
			p.tap(s.again)
			p.wait()
			if !s.atProblem.Visible() || !strings.Contains(s.atProblem.Text, "вчера") || s.shown != before {
				t.Errorf("an unreadable time: problem shown %v %q", s.atProblem.Visible(), s.atProblem.Text)
			}
		})
	}
}

func TestDiagnoseP12AsksThePassword(t *testing.T) {
	p := newDiagnosePKI(t, i18n.Russian)
	tr := p.w.tr
	s := p.w.diagnose
	me := p.ca.issuePerson(t, "Сидорова Анна Павловна", testNow.Add(-day), testNow.Add(200*day))
	path := p.writeFile("sidorova.p12", p12(t, me, []*x509.Certificate{p.ca.cert}, "секрет"))

	answer := func(password string) *passwordPrompt {
		t.Helper()
		p.act(func() {
			p.w.tabs.Select(p.w.diagnoseTab)
			p.w.dropped([]string{path})
		})
		prompt := p.nextPrompt()
		p.act(func() {
			if prompt.remember.Visible() {
				t.Error("the prompt offers to remember a password for a file that is only looked at")
			}
			if !strings.Contains(prompt.message.Text, "sidorova.p12") {
				t.Errorf("the prompt does not name the file: %q", prompt.message.Text)
			}
			prompt.password.SetText(password)
			prompt.submit()
		})
		p.wait()
		return prompt
	}

	answer("секрет")
	if p.w.errorBox != nil {
		t.Fatalf("error shown: %s", p.w.errorBox.message.Text)
	}
	if s.shown == nil || s.shown.report.Kind != diagnose.KindPKCS12 || len(s.cards) != 1 {
		t.Fatalf("the container was not diagnosed: %+v", s.shown)
	}
	chain := s.cards[0].item.Chain
	if len(chain) != 2 || chain[0].Subject != "Сидорова Анна Павловна" || !chain[1].Trusted {
		t.Errorf("the container's certificate and chain: %+v", chain)
	}
	if s.saveConverted.Visible() {
		t.Error("a container is offered as a converted certificate")
	}

	answer("не тот")
	if p.w.errorBox == nil {
		t.Fatal("a wrong password shows no error")
	}
	if want := tr.text("err.wrong-password", map[string]any{"File": "sidorova.p12"}); p.w.errorBox.message.Text != want {
		t.Errorf("wrong password says %q, want %q", p.w.errorBox.message.Text, want)
	}
	if s.shown == nil || s.shown.verdict != verdictInvalid || s.shown.headline != tr.text("ui.diagnose.headline.failed", nil) {
		t.Errorf("after a wrong password the screen shows %+v", s.shown)
	}
}

// Support staff check the certificates installed, CA ones too.
func TestDiagnoseCertificateFromTheStore(t *testing.T) {
	p := newDiagnosePKI(t, i18n.English)
	tr := p.w.tr
	s := p.w.diagnose
	if len(s.storeCerts) != 1 {
		t.Fatalf("the select offers %d certificates, want the root", len(s.storeCerts))
	}
	p.act(func() {
		p.w.tabs.Select(p.w.diagnoseTab)
		s.storeSelect.SetSelectedIndex(0)
	})
	p.wait()
	if s.shown == nil || len(s.cards) != 1 {
		t.Fatalf("choosing a store certificate diagnosed nothing")
	}
	if want := tr.text("ui.diagnose.headline.ca.valid", nil); s.shown.headline != want || s.shown.verdict != verdictValid {
		t.Errorf("the trusted root: %q (%s), want %q; problems %+v", s.shown.headline, s.shown.verdict.name(), want, s.shown.view.Problems)
	}
	if !strings.Contains(s.source.Text, "Тестовый корневой УЦ") {
		t.Errorf("source line %q", s.source.Text)
	}
	if s.saveConverted.Visible() {
		t.Error("a store certificate is offered as a converted file")
	}
	if name := s.reportFileName(); !strings.HasSuffix(name, ".html") {
		t.Errorf("report file name %q", name)
	}
}

// A signature: each signer's certificate is diagnosed, with the document
// found beside the signature.
func TestDiagnoseSignature(t *testing.T) {
	f := newSignFixture(t, i18n.Russian, "")
	s := f.w.diagnose
	doc := documents(t, t.TempDir(), "акт.xml")[0]
	sig := signDocument(t, f, doc, false)

	f.dropOnDiagnose(sig)
	if s.shown == nil || s.shown.report.Kind != diagnose.KindSignature || len(s.cards) != 1 {
		t.Fatalf("the signature was not diagnosed: %+v", s.shown)
	}
	if s.shown.document != doc || !s.shown.documentFound {
		t.Errorf("document %q found %v", s.shown.document, s.shown.documentFound)
	}
	item := s.cards[0].item
	if item.Signature == nil || !item.Signature.Valid || len(item.Chain) != 2 || item.Chain[0].Subject != "Иванов Иван Иванович" {
		t.Fatalf("signer: %+v", item)
	}
	if s.shown.verdict == verdictInvalid {
		t.Errorf("a good signature is red: %+v", s.shown.view.Problems)
	}

	// Moved away from its document: the screen asks for it, and the
	// document dropped next completes the diagnosis.
	moved := filepath.Join(t.TempDir(), "акт.xml.sig")
	if err := os.Rename(sig, moved); err != nil {
		t.Fatal(err)
	}
	f.dropOnDiagnose(moved)
	if s.shown == nil || s.shown.step != diagnoseNeedsDoc || !s.hint.Visible() || !strings.Contains(s.hint.Text, "акт.xml.sig") {
		t.Fatalf("a lone detached signature: %+v, hint %q", s.shown, s.hint.Text)
	}
	f.dropOnDiagnose(doc)
	if s.shown == nil || s.shown.step != diagnosed || len(s.cards) != 1 || !s.cards[0].item.Signature.Valid {
		t.Fatalf("the dropped document did not complete the diagnosis: %+v", s.shown)
	}
}

// A check waiting on the network can be stopped.
func TestDiagnoseCanBeStopped(t *testing.T) {
	p := newDiagnosePKI(t, i18n.Russian)
	s := p.w.diagnose
	stalled := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case stalled <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	leaf := p.qualifiedLeaf(t, "Медленный Сервер", testNow.Add(-day), testNow.Add(100*day), srv.URL+"/slow.crl")
	path := p.writeFile("slow.cer", leaf.cert.Raw)

	p.act(func() {
		p.w.tabs.Select(p.w.diagnoseTab)
		p.w.dropped([]string{path})
	})
	select {
	case <-stalled:
	case <-time.After(30 * time.Second):
		t.Fatal("the CRL was never asked for")
	}
	p.act(func() {
		if !s.busy.Visible() || !s.busyLabel.Visible() || !s.stop.Visible() {
			t.Error("no progress or Stop button while checking")
		}
	})
	p.tap(s.stop)
	p.wait() // the fetch ends with the check: no ten-second timeout
	if s.busy.Visible() || s.shown != nil || !s.dropZone.Visible() || s.hint.Text != p.w.tr.text("ui.diagnose.stopped", nil) {
		t.Errorf("after Stop: busy %v, shown %+v, hint %q", s.busy.Visible(), s.shown, s.hint.Text)
	}
}

// Every text the screen uses exists in Russian and in English.
func TestDiagnoseTextsExistInBothLanguages(t *testing.T) {
	source, err := os.ReadFile("diagnose.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`"(ui\.diagnose\.[a-z0-9.-]*[a-z0-9])"`).FindAllStringSubmatch(string(source), -1)
	var all []string
	for _, k := range keys {
		all = append(all, k[1])
	}
	// Keys put together in code.
	for _, v := range []verdict{verdictValid, verdictWarnings, verdictIndeterminate, verdictInvalid} {
		all = append(all, "ui.diagnose.headline.certificate."+v.name(), "ui.diagnose.headline.ca."+v.name(),
			"ui.verify.overall."+v.name())
	}
	all = append(all, "ui.diagnose.tab")
	if len(all) < 40 {
		t.Fatalf("found only %d keys in diagnose.go", len(all))
	}
	for _, lang := range []i18n.Lang{i18n.Russian, i18n.English} {
		catalog, err := i18n.New(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range all {
			if !catalog.Has(key) {
				t.Errorf("%s: %s is not translated", lang, key)
			}
		}
	}
	ru := setTestLanguage(t, i18n.Russian)
	if got := ru.text("ui.diagnose.tab", nil); got != "Диагностика" {
		t.Errorf("the tab is called %q", got)
	}
	if got := ru.text("ui.diagnose.busy", nil); got != "Проверяю цепочку и отзыв…" {
		t.Errorf("progress says %q", got)
	}
}

// The tab is there, after Verify, and a dropped file goes to it.
func TestDiagnoseTabFollowsVerify(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	items := h.w.tabs.Items
	if len(items) < 4 || items[2] != h.w.verifyTab || items[3] != h.w.diagnoseTab || h.w.diagnoseTab.Text != "Диагностика" {
		t.Fatalf("tabs: %d, the Diagnose tab is %+v", len(items), h.w.diagnoseTab)
	}
	junk := h.writeFile("junk.cer", []byte("это не сертификат"))
	h.dropOnDiagnose(junk)
	s := h.w.diagnose
	if len(h.w.entries) != 0 || s.shown == nil || s.shown.verdict != verdictInvalid || len(s.shown.view.Problems) == 0 {
		t.Fatalf("a junk file dropped on Diagnose: imported %d, shown %+v", len(h.w.entries), s.shown)
	}
	if msg := s.shown.view.Problems[0].Message; msg == "" || strings.Contains(msg, "Внутренняя ошибка") {
		t.Errorf("junk is described as %q", msg)
	}
}
