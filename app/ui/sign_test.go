package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/signer"
)

// issueWithKeyPeriod adds a privateKeyUsagePeriod extension (RFC 3280 4.2.1.4)
// ending at notAfter, as Russian qualified certificates carry.
func (ca *issuer) issueWithKeyPeriod(t *testing.T, cn string, notAfter, keyNotAfter time.Time) *person {
	t.Helper()
	period, err := asn1.Marshal(struct {
		NotBefore time.Time `asn1:"optional,tag:0,generalized"`
		NotAfter  time.Time `asn1:"optional,tag:1,generalized"`
	}{testNow.Add(-100 * day).UTC(), keyNotAfter.UTC()})
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:    serial(t),
		Subject:         pkix.Name{CommonName: cn},
		NotBefore:       testNow.Add(-100 * day),
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 16}, Value: period}},
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

func TestSigningCertificatesAreValidPersonalOnesWithKeys(t *testing.T) {
	ca := newRoot(t, "УЦ")
	entry := func(p *person, list certstore.List, hasKey bool) *certstore.Entry {
		e := entryFor(t, p.cert, list)
		e.HasKey = hasKey
		return e
	}
	valid := entry(ca.issuePerson(t, "Годный", testNow.Add(-day), testNow.Add(300*day)), certstore.ListPersonal, true)
	expiring := entry(ca.issuePerson(t, "Истекающий", testNow.Add(-300*day), testNow.Add(5*day)), certstore.ListPersonal, true)
	expired := entry(ca.issuePerson(t, "Истёкший", testNow.Add(-300*day), testNow.Add(-day)), certstore.ListPersonal, true)
	future := entry(ca.issuePerson(t, "Будущий", testNow.Add(day), testNow.Add(300*day)), certstore.ListPersonal, true)
	keyOver := entry(ca.issueWithKeyPeriod(t, "Ключ истёк", testNow.Add(300*day), testNow.Add(-day)), certstore.ListPersonal, true)
	keyOn := entry(ca.issueWithKeyPeriod(t, "Ключ действует", testNow.Add(300*day), testNow.Add(30*day)), certstore.ListPersonal, true)
	noKey := entry(ca.issuePerson(t, "Без ключа", testNow.Add(-day), testNow.Add(300*day)), certstore.ListPersonal, false)
	other := entry(ca.issuePerson(t, "Чужой", testNow.Add(-day), testNow.Add(300*day)), certstore.ListOther, false)
	if keyOver.Cert.PrivateKeyNotAfter == nil {
		t.Fatal("fixture: the private key usage period was not parsed")
	}
	got := signingCertificates([]*certstore.Entry{valid, expiring, expired, future, keyOver, keyOn, noKey, other}, testNow)
	var names []string
	for _, e := range got {
		names = append(names, e.Cert.Subject.CommonName())
	}
	if want := "Годный|Истекающий|Ключ действует"; strings.Join(names, "|") != want {
		t.Errorf("signing certificates %q, want %q", names, want)
	}
}

// signFixture is a window whose store holds a personal certificate that
// can sign, with its root trusted.
type signFixture struct {
	*harness
	ca     *issuer
	me     *person
	entry  *certstore.Entry
	parsed *cert.Certificate
}

// newSignFixture imports the personal certificate; with password set the
// container keeps that password and nothing is remembered, so signing asks.
func newSignFixture(t *testing.T, l i18n.Lang, password string) *signFixture {
	t.Helper()
	h := newHarness(t, l)
	f := &signFixture{harness: h, ca: newRoot(t, "Тестовый УЦ")}
	f.ca.serveCRL(t)
	f.me = f.ca.issuePerson(t, "Иванов Иван Иванович", testNow.Add(-30*day), testNow.Add(300*day))
	pfx := h.writeFile("me.p12", p12(t, f.me, []*x509.Certificate{f.ca.cert}, password))
	_, err := h.store.ImportFile(pfx, certstore.ImportOptions{Password: func(certstore.PasswordRequest) (string, error) { return password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Trust("root.cer", f.ca.cert.Raw); err != nil {
		t.Fatal(err)
	}
	h.act(func() { h.w.refresh("") })
	h.wait()
	f.parsed, err = cert.Parse(f.me.cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	f.entry, err = h.store.Get(f.parsed.Thumbprint())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// documents writes files to sign under dir and returns their paths.
func documents(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	var paths []string
	for i, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(fmt.Sprintf("<declaration n=%d>%s</declaration>\n", i, strings.Repeat("x", i*1000))), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// checkDetached verifies a detached signature of path written by the window.
func (f *signFixture) checkDetached(sigPath, docPath string) {
	f.t.Helper()
	sig, err := os.Open(sigPath)
	if err != nil {
		f.t.Fatalf("signature %s: %v", sigPath, err)
	}
	defer sig.Close()
	doc, err := os.Open(docPath)
	if err != nil {
		f.t.Fatal(err)
	}
	defer doc.Close()
	res, err := signer.VerifyDetached(sig, doc, signer.VerifyOptions{At: testNow, Chain: signer.Validator{Options: validate.Options{Roots: []*cert.Certificate{mustParse(f.t, f.ca.cert)}}}})
	if err != nil {
		f.t.Fatalf("verify %s: %v", sigPath, err)
	}
	if res.Status != signer.StatusValid || len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		f.t.Fatalf("%s does not verify: %+v", sigPath, res)
	}
	if got := res.Signers[0].Certificate; got == nil || !bytes.Equal(got.Raw, f.me.cert.Raw) {
		f.t.Errorf("%s is not signed by the chosen certificate", sigPath)
	}
}

func mustParse(t *testing.T, c *x509.Certificate) *cert.Certificate {
	t.Helper()
	parsed, err := cert.Parse(c.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// dropOnSign drops files on the window with the Sign tab showing.
func (h *harness) dropOnSign(paths ...string) {
	h.act(func() {
		h.w.tabs.Select(h.w.signTab)
		h.w.dropped(paths)
	})
	h.wait()
}

func TestSignScreenSignsDroppedFilesAndFolders(t *testing.T) {
	for _, tc := range []struct {
		lang                         i18n.Lang
		signed, skipped, summary, to string
	}{
		{i18n.Russian, "подписан", "пропущен", "Подписано: 3, пропущено: 1, с ошибками: 0", "→"},
		{i18n.English, "signed", "skipped", "Signed: 3, skipped: 1, failed: 0", "→"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			f := newSignFixture(t, tc.lang, "")
			s := f.w.sign
			if len(s.certs) != 1 || s.chosenCertificate() == nil || s.chosenCertificate().ID != f.entry.ID {
				t.Fatalf("the one signing certificate is not offered and chosen: %v", s.certSelect.Options)
			}
			if label := s.certSelect.Selected; !strings.Contains(label, "Иванов Иван Иванович") || !strings.Contains(label, f.w.tr.date(f.parsed.NotAfter)) {
				t.Errorf("certificate shown as %q", label)
			}
			if !s.signButton.Disabled() {
				t.Error("Sign is enabled with no files")
			}

			dir := t.TempDir()
			loose := documents(t, dir, "a.xml", "b.xml")
			folder := filepath.Join(dir, "отчёты")
			inFolder := documents(t, folder, "q1.xml", "sub/q2.xml")
			// q1 was signed before: left alone.
			old := []byte("an earlier signature")
			if err := os.WriteFile(inFolder[0]+".sig", old, 0o644); err != nil {
				t.Fatal(err)
			}
			f.dropOnSign(loose[0], loose[1], folder)
			f.dropOnSign(loose[0]) // once only
			if got := inputPaths(s.inputs); len(got) != 3 || !s.inputs[2].Dir || s.inputs[0].Dir {
				t.Fatalf("inputs %+v", s.inputs)
			}
			if s.dropHint.Visible() || s.signButton.Disabled() {
				t.Fatal("with files and a certificate, Sign is not offered")
			}

			f.tap(s.signButton)
			f.wait()
			if f.w.errorBox != nil {
				t.Fatalf("error shown: %s", f.w.errorBox.message.Text)
			}
			select {
			case p := <-f.prompts:
				t.Fatalf("asked for a remembered password: %q", p.message.Text)
			default:
			}
			r := s.report
			if r == nil || r.Signed != 3 || r.Skipped != 1 || r.Failed != 0 || len(s.results) != 4 {
				t.Fatalf("report %+v, results %d", r, len(s.results))
			}
			for _, doc := range []string{loose[0], loose[1], inFolder[1]} {
				f.checkDetached(doc+".sig", doc)
			}
			if data, _ := os.ReadFile(inFolder[0] + ".sig"); !bytes.Equal(data, old) {
				t.Error("an existing signature was replaced")
			}

			// The list says what happened to each file, by its name under
			// the dropped folder.
			var lines []string
			for _, res := range s.results {
				l := s.resultLine(res)
				lines = append(lines, l.status+" "+l.text)
			}
			want := []string{
				tc.signed + " a.xml " + tc.to + " a.xml.sig",
				tc.signed + " b.xml " + tc.to + " b.xml.sig",
				tc.skipped + " " + filepath.Join("отчёты", "q1.xml"),
				tc.signed + " " + filepath.Join("отчёты", "sub", "q2.xml") + " " + tc.to + " q2.xml.sig",
			}
			for i, w := range want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d %q, want it to start with %q", i, lines[i], w)
				}
			}
			if !strings.HasPrefix(s.summary.Text, tc.summary) {
				t.Errorf("summary %q, want %q", s.summary.Text, tc.summary)
			}
			shown := shownText(f.w.window.Canvas())
			for _, w := range []string{tc.summary, "b.xml.sig"} {
				if !strings.Contains(shown, w) {
					t.Errorf("the window does not show %q:\n%s", w, shown)
				}
			}
			if s.cancelButton.Visible() || s.signButton.Disabled() || s.certSelect.Disabled() {
				t.Error("the screen did not return to idle")
			}
		})
	}
}

func TestSignScreenAttachedIntoOutputFolder(t *testing.T) {
	f := newSignFixture(t, i18n.Russian, "")
	s := f.w.sign
	dir := t.TempDir()
	doc := documents(t, dir, "письмо.txt")[0]
	out := t.TempDir()
	f.dropOnSign(doc)
	f.act(func() {
		s.setAttached(true)
		s.setOutDir(out)
	})
	if !s.attached() || !s.besideFiles.Visible() {
		t.Fatal("attached form or output folder not taken")
	}
	f.tap(s.signButton)
	f.wait()
	if s.report == nil || s.report.Signed != 1 {
		t.Fatalf("report %+v", s.report)
	}
	sigPath := filepath.Join(out, "письмо.txt.sig")
	if _, err := os.Stat(doc + ".sig"); err == nil {
		t.Error("a signature was written beside the document although a folder was chosen")
	}
	sig, err := os.Open(sigPath)
	if err != nil {
		t.Fatalf("no signature in the output folder: %v", err)
	}
	defer sig.Close()
	res, err := signer.Verify(sig, signer.VerifyOptions{At: testNow})
	if err != nil || !res.Attached || len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		t.Fatalf("attached signature: %+v, %v", res, err)
	}
	if line := s.resultLine(s.results[0]); !strings.Contains(line.text, sigPath) {
		t.Errorf("the result line %q does not name the output in its folder", line.text)
	}
}

func TestSignAsksThePasswordOnceAndRemembersIt(t *testing.T) {
	const password = "Пароль-ГОСТ 2012"
	f := newSignFixture(t, i18n.Russian, password)
	s := f.w.sign
	if f.store.Remembered(f.entry.ID) {
		t.Fatal("fixture: the password is remembered already")
	}
	docs := documents(t, t.TempDir(), "1.xml", "2.xml", "3.xml")
	f.dropOnSign(docs...)
	f.tap(s.signButton)

	first := f.nextPrompt()
	if first.request.Purpose != certstore.PurposeContainer || !strings.Contains(first.message.Text, "Иванов Иван Иванович") {
		t.Fatalf("prompt %s: %q", first.request.Purpose, first.message.Text)
	}
	var label string
	var stop bool
	f.act(func() { label, stop = s.progressLabel.Text, s.cancelButton.Visible() })
	if !strings.Contains(label, "Иванов Иван Иванович") || !stop {
		t.Errorf("while the key opens: label %q, Stop shown %v", label, stop)
	}
	f.act(func() { test.Type(first.password, "не тот") })
	f.tap(first.ok)
	second := f.nextPrompt()
	if !second.problem.Visible() || !strings.Contains(second.problem.Text, "Неверный пароль") {
		t.Fatalf("a wrong password is not said: %q", second.problem.Text)
	}
	f.act(func() {
		test.Type(second.password, password)
		second.remember.SetChecked(true)
	})
	f.tap(second.ok)
	f.wait()
	select {
	case p := <-f.prompts:
		t.Fatalf("asked again: %q", p.message.Text)
	default:
	}
	if s.report == nil || s.report.Signed != 3 {
		t.Fatalf("report %+v", s.report)
	}
	for _, doc := range docs {
		f.checkDetached(doc+".sig", doc)
	}
	if got, err := f.keyring.Get(certstore.KeyringService, f.entry.ID); err != nil || got != password {
		t.Errorf("remembered %q, %v; want the typed password", got, err)
	}
}

func TestSignStoppedOrCancelledAtThePasswordSignsNothing(t *testing.T) {
	f := newSignFixture(t, i18n.Russian, "secret")
	s := f.w.sign
	docs := documents(t, t.TempDir(), "1.xml", "2.xml")
	f.dropOnSign(docs...)

	// Cancelling the prompt: no error, nothing signed, the screen idle.
	f.tap(s.signButton)
	f.tap(f.nextPrompt().cancel)
	f.wait()
	if f.w.errorBox != nil {
		t.Errorf("cancelling the prompt showed an error: %q", f.w.errorBox.message.Text)
	}
	if s.run != nil || s.signButton.Disabled() || s.report != nil {
		t.Errorf("after a cancelled prompt: running %v, report %+v", s.run != nil, s.report)
	}

	// Stop pressed while the key opens: the run ends before any file.
	f.tap(s.signButton)
	p := f.nextPrompt()
	f.tap(s.cancelButton)
	f.act(func() { test.Type(p.password, "secret") })
	f.tap(p.ok)
	f.wait()
	if s.report == nil || !s.report.Canceled || s.report.Signed != 0 {
		t.Fatalf("report after Stop %+v", s.report)
	}
	if !strings.Contains(s.summary.Text, "остановлено") {
		t.Errorf("summary %q does not say signing was stopped", s.summary.Text)
	}
	for _, doc := range docs {
		if _, err := os.Stat(doc + ".sig"); err == nil {
			t.Errorf("%s signed after Stop", doc)
		}
	}
}

// The per-file list and the bar follow SignBatch's reports; a failure is
// said in words, and choosing it shows the whole message with its fix.
func TestSignProgressAndFailures(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	s := h.w.sign
	dir := t.TempDir()
	run := &signRun{cancel: func() {}, roots: []string{dir}}
	h.act(func() {
		s.run = run
		s.updateActions()
	})
	a, b, c := filepath.Join(dir, "a.xml"), filepath.Join(dir, "sub", "b.xml"), filepath.Join(dir, "c.xml")
	results := []signer.FileResult{
		{Path: a, Output: a + ".sig"},
		{Path: b, Output: b + ".sig", Err: &fs.PathError{Op: "open", Path: b, Err: fs.ErrNotExist}},
		{Path: c, Output: c + ".sig", Err: fmt.Errorf("signing: %w", fakeCoded{"wrong-password"})},
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, r := range results {
			s.reportProgress(run, signer.BatchProgress{Done: i + 1, Total: 3, DoneBytes: int64(i+1) * 100, TotalBytes: 300, Last: r})
		}
	}()
	<-done
	var label string
	var value float64
	h.act(func() { label, value = s.progressLabel.Text, s.progress.Value/s.progress.Max })
	if len(s.results) != 3 || value != 1 || !strings.Contains(label, "3 из 3") || !strings.Contains(label, "c.xml") {
		t.Fatalf("progress: %d results, bar %v, label %q", len(s.results), value, label)
	}
	lines := make([]resultLine, len(results))
	for i, r := range results {
		lines[i] = s.resultLine(r)
	}
	want := []string{
		filepath.Join(filepath.Base(dir), "a.xml") + " → a.xml.sig",
		filepath.Join(filepath.Base(dir), "sub", "b.xml") + ": файл не найден — возможно, его переместили или удалили",
		filepath.Join(filepath.Base(dir), "c.xml") + ": Неверный пароль для файла a.p12",
	}
	for i, w := range want {
		if lines[i].text != w {
			t.Errorf("line %d %q, want %q", i, lines[i].text, w)
		}
	}
	if lines[1].status != "ошибка" || lines[0].status != "подписан" {
		t.Errorf("statuses %q, %q", lines[0].status, lines[1].status)
	}

	h.act(func() {
		s.finish(run, &signer.BatchReport{Files: results, Signed: 1, Failed: 2}, nil)
	})
	if s.summary.Text != "Подписано: 1, пропущено: 0, с ошибками: 2" {
		t.Errorf("summary %q", s.summary.Text)
	}
	h.act(func() { s.resultList.Select(2) })
	if h.w.errorBox == nil || h.w.errorBox.message.Text != "Неверный пароль для файла a.p12" || !h.w.errorBox.hint.Visible() {
		t.Errorf("choosing a failed file shows %+v", h.w.errorBox)
	}
	// A late report of the finished run changes nothing.
	s.reportProgress(run, signer.BatchProgress{Done: 4, Total: 3, Last: results[0]})
	if len(s.results) != 3 {
		t.Errorf("a report after the end added a line: %d", len(s.results))
	}
}

// Files dropped on the window go to the tab that shows.
func TestDropsGoToTheShownTab(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	cer := h.writeFile("drop.cer", pemCert(ca.issuePerson(t, "Перетащенный", testNow.Add(-day), testNow.Add(300*day)).cert))

	h.dropOnSign(cer)
	if got := inputPaths(h.w.sign.inputs); len(got) != 1 || got[0] != cer || len(h.w.entries) != 0 {
		t.Fatalf("a drop on the Sign tab: inputs %q, %d imported", got, len(h.w.entries))
	}
	h.act(func() {
		h.w.tabs.Select(h.w.certsTab)
		h.w.dropped([]string{cer})
	})
	h.wait()
	h.rowIndex("Перетащенный")
	if len(h.w.sign.inputs) != 1 {
		t.Error("a drop on the certificates went to the Sign tab")
	}
}
