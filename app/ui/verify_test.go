package ui

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/signer"
)

func TestPairDropped(t *testing.T) {
	const (
		doc = "/d/report.pdf"
		sig = "/d/report.pdf.sig"
	)
	for _, tc := range []struct {
		name    string
		paths   []string
		last    verifyInputs
		waiting verifyStep
		want    verifyInputs
	}{
		{"signature alone", []string{sig}, verifyInputs{}, stepVerified, verifyInputs{Signature: sig}},
		{"p7s alone", []string{"/d/a.P7S"}, verifyInputs{}, stepVerified, verifyInputs{Signature: "/d/a.P7S"}},
		{"document alone", []string{doc}, verifyInputs{}, stepVerified, verifyInputs{Document: doc}},
		{"both, document first", []string{doc, sig}, verifyInputs{}, stepVerified, verifyInputs{Signature: sig, Document: doc}},
		{"both, signature first", []string{sig, doc}, verifyInputs{}, stepVerified, verifyInputs{Signature: sig, Document: doc}},
		{"a signature of a signature", []string{"/d/x.sig", "/d/x.sig.sig"}, verifyInputs{}, stepVerified, verifyInputs{Signature: "/d/x.sig.sig", Document: "/d/x.sig"}},
		{"the missing document", []string{"/e/other.pdf"}, verifyInputs{Signature: sig}, stepNeedsDocument, verifyInputs{Signature: sig, Document: "/e/other.pdf"}},
		{"another signature instead", []string{"/e/other.sig"}, verifyInputs{Signature: sig}, stepNeedsDocument, verifyInputs{Signature: "/e/other.sig"}},
		{"the missing signature", []string{"/e/other.bin"}, verifyInputs{Document: doc}, stepNeedsSignature, verifyInputs{Signature: "/e/other.bin", Document: doc}},
		{"a new signature after a check", []string{"/e/new.sig"}, verifyInputs{Signature: sig, Document: doc}, stepVerified, verifyInputs{Signature: "/e/new.sig"}},
		{"no signature name: the first is tried", []string{"/d/a.bin", "/d/b.pdf"}, verifyInputs{}, stepVerified, verifyInputs{Signature: "/d/a.bin", Document: "/d/b.pdf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pairDropped(tc.paths, tc.last, tc.waiting); got != tc.want {
				t.Errorf("pairDropped(%q) = %+v, want %+v", tc.paths, got, tc.want)
			}
		})
	}
}

// signerWithOrganization is a qualified certificate of an organisation's
// employee: ИНН, СНИЛС and the organisation in the subject.
func signerWithOrganization(t *testing.T, ca *issuer) *person {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject: pkix.Name{
			CommonName:   "Петрова Анна Сергеевна",
			Organization: []string{"ООО «Ромашка»"},
			Country:      []string{"RU"},
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: oid.INN, Value: "770123456789"},
				{Type: oid.SNILS, Value: "12345678901"},
			},
		},
		NotBefore: time.Date(2026, 1, 15, 9, 0, 0, 0, time.Local),
		NotAfter:  time.Date(2027, 1, 15, 9, 0, 0, 0, time.Local),
		KeyUsage:  x509.KeyUsageDigitalSignature,
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

// The report of a check in words, from a result made up here: what each
// card says does not depend on the CMS code.
func TestVerifyReportInWords(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	tr := h.w.tr
	ca := newRoot(t, "Тестовый УЦ")
	anna := mustParse(t, signerWithOrganization(t, ca).cert)
	root := mustParse(t, ca.cert)
	signed := time.Date(2026, 3, 1, 15, 4, 0, 0, time.Local)
	warning := signer.Problem{Code: "revocation-unknown", Reason: "no-such-reason-anywhere", Severity: signer.SeverityWarning}
	broken := signer.Problem{Code: "signature-invalid", Reason: "no-such-reason-either", Severity: signer.SeverityError}
	res := &signer.Result{
		Status: signer.StatusInvalid,
		Signers: []*signer.SignerResult{
			{Certificate: anna, SigningTime: &signed, SignatureValid: true, CAdES: true, Chain: []*cert.Certificate{anna, root},
				DigestAlgorithm: oid.SHA256, SignerID: "CN=Тестовый УЦ, serial 01", Status: signer.StatusValid},
			{Certificate: anna, SignatureValid: true, Status: signer.StatusValid, Problems: []signer.Problem{warning}},
			{SignerID: "subjectKeyIdentifier 0A0B", Status: signer.StatusInvalid, Problems: []signer.Problem{broken}},
		},
	}
	out := verifyOutcome{in: verifyInputs{Signature: "/d/a.pdf.sig", Document: "/d/a.pdf", DocumentFound: true}, result: res, at: testNow}
	report := describeOutcome(tr, out)

	if report.Verdict != verdictInvalid || report.Title != "Есть недействительные подписи" {
		t.Errorf("overall %s %q", report.Verdict.name(), report.Title)
	}
	wantVerdicts := []verdict{verdictValid, verdictWarnings, verdictInvalid}
	for i, s := range report.Signers {
		if s.Verdict != wantVerdicts[i] {
			t.Errorf("signer %d: %s, want %s", i, s.Verdict.name(), wantVerdicts[i].name())
		}
	}
	first := report.Signers[0]
	fields := map[string]string{}
	for _, r := range first.Fields {
		fields[r.Label] = r.Value
	}
	for label, value := range map[string]string{
		"ИНН": "770123456789", "СНИЛС": "12345678901", "Организация": "ООО «Ромашка»",
		"Издатель сертификата": "Тестовый УЦ", "Серийный номер": strings.ToUpper(anna.SerialHex()),
		"Сертификат действует": "с 15.01.2026 по 15.01.2027", "Время подписания": "01.03.2026 15:04",
	} {
		if fields[label] != value {
			t.Errorf("field %s = %q, want %q (fields %v)", label, fields[label], value, fields)
		}
	}
	if first.Title != "Подпись верна" || first.Name != "Петрова Анна Сергеевна" {
		t.Errorf("first card: %q, %q", first.Title, first.Name)
	}
	// A reason nobody translated falls back to its code's text.
	if p := report.Signers[1].Problems; len(p) != 1 || p[0].Message != tr.text("err.revocation-unknown", nil) || p[0].Error {
		t.Errorf("warning in words: %+v", p)
	}
	third := report.Signers[2]
	if third.Name != "Сертификат подписанта не найден" || third.Problems[0].Message != tr.text("err.signature-invalid", nil) || !third.Problems[0].Error {
		t.Errorf("third card: %q %+v", third.Name, third.Problems)
	}

	// On screen: one card per signer in its colour, the file's verdict
	// above them, details behind a toggle, the report on the clipboard.
	s := h.w.verify
	h.act(func() {
		h.w.tabs.Select(h.w.verifyTab)
		s.shown = nil
		s.show(out)
	})
	if len(s.signerCards) != 3 || !s.overall.content.Visible() || s.overall.background.FillColor != colorExpired {
		t.Fatalf("%d cards, overall shown %v", len(s.signerCards), s.overall.content.Visible())
	}
	for i, want := range []any{colorValid, colorExpiring, colorExpired} {
		if got := s.signerCards[i].banner.background.FillColor; got != want {
			t.Errorf("card %d colour %v, want %v", i, got, want)
		}
	}
	shown := shownText(h.w.window.Canvas())
	for _, want := range []string{"Петрова Анна Сергеевна", "770123456789", "Подпись недействительна", "a.pdf (найден рядом)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the screen does not show %q:\n%s", want, shown)
		}
	}
	card := s.signerCards[0]
	if card.details.Visible() || strings.Contains(shown, "Тестовый УЦ → ") {
		t.Error("details shown before asking")
	}
	h.tap(card.toggle)
	if !card.details.Visible() || !strings.Contains(shownText(h.w.window.Canvas()), "Петрова Анна Сергеевна → Тестовый УЦ") {
		t.Error("the toggle does not show the chain")
	}
	h.tap(s.copyButton)
	copied := h.app.Clipboard().Content()
	for _, want := range []string{
		"Отчёт о проверке электронной подписи", "Подпись: /d/a.pdf.sig", "Документ: /d/a.pdf",
		"Результат: Есть недействительные подписи",
		"Подпись № 1: Подпись верна", "Подписант: Петрова Анна Сергеевна", "ИНН: 770123456789",
		"Подпись № 3: Подпись недействительна", "- " + tr.text("err.signature-invalid", nil),
		"Цепочка сертификатов: Петрова Анна Сергеевна → Тестовый УЦ",
	} {
		if !strings.Contains(copied, want) {
			t.Errorf("the report lacks %q:\n%s", want, copied)
		}
	}
}

func TestVerdictOf(t *testing.T) {
	warning := []signer.Problem{{Code: "chain-incomplete", Severity: signer.SeverityWarning}}
	for _, tc := range []struct {
		status   signer.Status
		problems []signer.Problem
		want     verdict
	}{
		{signer.StatusValid, nil, verdictValid},
		{signer.StatusValid, warning, verdictWarnings},
		// Revocation is not checked yet for any signature: a grey remark.
		{signer.StatusValid, []signer.Problem{{Code: "revocation-unknown", Reason: "revocation-not-checked", Severity: signer.SeverityWarning}}, verdictValid},
		{signer.StatusValid, append([]signer.Problem{{Code: "revocation-unknown", Reason: "revocation-not-checked", Severity: signer.SeverityWarning}}, warning...), verdictWarnings},
		{signer.StatusIndeterminate, warning, verdictIndeterminate},
		{signer.StatusInvalid, nil, verdictInvalid},
		{"", nil, verdictInvalid},
	} {
		if got := verdictOf(tc.status, tc.problems); got != tc.want {
			t.Errorf("verdictOf(%s, %d problems) = %s, want %s", tc.status, len(tc.problems), got.name(), tc.want.name())
		}
	}
}

// signDocument signs the file at path with the fixture's certificate into
// path.sig, detached or attached.
func signDocument(t *testing.T, f *signFixture, path string, attached bool) string {
	t.Helper()
	content, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer content.Close()
	key := signer.Key{Certificate: f.parsed, Signer: f.me.key}
	opts := signer.SignOptions{Attached: attached, Now: func() time.Time { return testNow.Add(-time.Hour) }}
	out := path + ".sig"
	if attached {
		file, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := content.Stat()
		if _, err := signer.Sign(file, content, info.Size(), key, opts); err != nil {
			t.Fatal(err)
		}
		if err := file.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	sig, _, err := signer.SignDetached(content, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, sig, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// dropOnVerify drops files on the window with the Verify tab showing and
// waits for the check.
func (h *harness) dropOnVerify(paths ...string) {
	h.act(func() {
		h.w.tabs.Select(h.w.verifyTab)
		h.w.dropped(paths)
	})
	h.wait()
}

func TestVerifyScreenChecksSignatures(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Russian, i18n.English} {
		t.Run(string(lang), func(t *testing.T) {
			f := newSignFixture(t, lang, "")
			tr := f.w.tr
			s := f.w.verify
			dir := t.TempDir()
			doc := documents(t, dir, "декларация.xml")[0]
			sig := signDocument(t, f, doc, false)

			// The signature alone: its document is found beside it.
			f.dropOnVerify(sig)
			if f.w.errorBox != nil {
				t.Fatalf("error shown: %s", f.w.errorBox.message.Text)
			}
			if s.in.Document != doc || !s.in.DocumentFound || s.shown == nil {
				t.Fatalf("inputs %+v", s.in)
			}
			if len(s.signerCards) != 1 {
				t.Fatalf("%d cards for one signer; report %+v", len(s.signerCards), s.shown)
			}
			card := s.signerCards[0]
			if card.report.Verdict != verdictValid || card.banner.background.FillColor != colorValid {
				t.Fatalf("a good signature is %s: %+v", card.report.Verdict.name(), card.report.Problems)
			}
			want := tr.text("ui.verify.signer.valid", nil)
			shown := shownText(f.w.window.Canvas())
			for _, w := range []string{"Иванов Иван Иванович", want, "123456789047", tr.dateTime(testNow.Add(-time.Hour))} {
				if !strings.Contains(shown, w) {
					t.Errorf("the card does not show %q:\n%s", w, shown)
				}
			}
			f.tap(s.copyButton)
			if copied := f.app.Clipboard().Content(); !strings.Contains(copied, "Иванов Иван Иванович") || !strings.Contains(copied, want) {
				t.Errorf("copied report:\n%s", copied)
			}

			// The document changed after signing: red, saying so.
			if err := os.WriteFile(doc, []byte("<declaration>поддельная</declaration>\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			f.tap(s.again)
			f.wait()
			if len(s.signerCards) != 1 {
				t.Fatalf("%d cards after tampering; report %+v", len(s.signerCards), s.shown)
			}
			card = s.signerCards[0]
			mismatch := tr.text("err.sig-content-mismatch", nil)
			if !tr.has("err.sig-content-mismatch") {
				t.Fatal("err.sig-content-mismatch is not translated")
			}
			if card.report.Verdict != verdictInvalid || card.banner.background.FillColor != colorExpired {
				t.Errorf("a tampered document gives %s", card.report.Verdict.name())
			}
			var messages []string
			for _, p := range card.report.Problems {
				messages = append(messages, p.Message)
			}
			if !strings.Contains(strings.Join(messages, "\n"), mismatch) || !strings.Contains(shownText(f.w.window.Canvas()), mismatch) {
				t.Errorf("problems %q do not say %q", messages, mismatch)
			}
		})
	}
}

func TestVerifyScreenFindsTheMissingHalf(t *testing.T) {
	f := newSignFixture(t, i18n.Russian, "")
	s := f.w.verify
	dir := t.TempDir()
	doc := documents(t, dir, "акт.pdf")[0]
	sig := signDocument(t, f, doc, false)

	// The document alone: its signature is found beside it.
	f.dropOnVerify(doc)
	if s.in.Signature != sig || !s.in.SignatureFound || len(s.signerCards) != 1 || s.signerCards[0].report.Verdict != verdictValid {
		t.Fatalf("document alone: inputs %+v, report %+v", s.in, s.shown)
	}

	// A detached signature moved away from its document: the screen asks
	// for the document, and a dropped one completes the check.
	moved := filepath.Join(t.TempDir(), "акт.pdf.sig")
	if err := os.Rename(sig, moved); err != nil {
		t.Fatal(err)
	}
	f.dropOnVerify(moved)
	if s.shown == nil || s.shown.step != stepNeedsDocument || !s.hint.Visible() || !strings.Contains(s.hint.Text, "отсоединённая подпись") {
		t.Fatalf("a lone detached signature: %+v, hint %q", s.shown, s.hint.Text)
	}
	if !s.copyButton.Disabled() {
		t.Error("a report can be copied before any check")
	}
	f.dropOnVerify(doc)
	if s.in.Signature != moved || s.in.Document != doc || len(s.signerCards) != 1 || s.signerCards[0].report.Verdict != verdictValid {
		t.Fatalf("the dropped document did not complete the check: %+v", s.in)
	}

	// A document without a signature beside it asks for the signature.
	lone := documents(t, t.TempDir(), "без подписи.txt")[0]
	f.dropOnVerify(lone)
	if s.shown.step != stepNeedsSignature || !strings.Contains(s.hint.Text, "без подписи.txt") {
		t.Errorf("a lone document: step %d, hint %q", s.shown.step, s.hint.Text)
	}

	// Attached: the document is inside.
	inside := documents(t, t.TempDir(), "письмо.txt")[0]
	attached := signDocument(t, f, inside, true)
	if err := os.Remove(inside); err != nil {
		t.Fatal(err)
	}
	f.dropOnVerify(attached)
	if !s.in.Attached || len(s.signerCards) != 1 || s.signerCards[0].report.Verdict != verdictValid {
		t.Fatalf("attached: inputs %+v, report %+v", s.in, s.shown)
	}
	if !strings.Contains(s.docLabel.Text, "внутри подписи") {
		t.Errorf("document line %q", s.docLabel.Text)
	}

	// Not a signature at all: red, with the parser's words, not an
	// internal error.
	junk := f.writeFile("junk.sig", []byte("это не подпись"))
	f.dropOnVerify(junk)
	if s.shown == nil || s.shown.Verdict != verdictInvalid || len(s.shown.Problems) != 1 {
		t.Fatalf("junk: %+v", s.shown)
	}
	if msg := s.shown.Problems[0].Message; strings.Contains(msg, "Внутренняя ошибка") || msg == "" {
		t.Errorf("junk is described as %q", msg)
	}
	if s.overall.background.FillColor != colorExpired {
		t.Error("an unreadable signature is not red")
	}
}

// The check runs in the background: the screen shows it is busy.
func TestVerifyScreenShowsItIsBusy(t *testing.T) {
	h := newHarness(t, i18n.English)
	s := h.w.verify
	h.act(func() {
		h.w.tabs.Select(h.w.verifyTab)
		s.check(verifyInputs{Signature: filepath.Join(t.TempDir(), "gone.sig")})
		if !s.busy.Visible() {
			t.Error("no progress shown while checking")
		}
	})
	h.wait()
	if s.busy.Visible() || s.shown == nil || s.shown.Verdict != verdictInvalid {
		t.Fatalf("a missing file: busy %v, report %+v", s.busy.Visible(), s.shown)
	}
	if got := s.shown.Problems[0].Message; !strings.Contains(got, "gone.sig") || strings.Contains(got, "Internal") {
		t.Errorf("a missing file is described as %q", got)
	}
}
