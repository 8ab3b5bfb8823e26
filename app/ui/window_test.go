package ui

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/internal/i18n"
)

// storeFixtures fills a store through the window: a personal certificate
// (with its root inside the .p12) that expires in 10 days, and other
// people's certificates that are valid, expired and not yet valid.
func storeFixtures(h *harness) {
	h.t.Helper()
	ca := newRoot(h.t, "Тестовый УЦ")
	mine := ca.issuePerson(h.t, "Иванов Иван Иванович", testNow.Add(-300*day), testNow.Add(10*day+time.Hour))
	valid := ca.issuePerson(h.t, "Петров Пётр", testNow.Add(-10*day), testNow.Add(60*day+time.Hour))
	expired := ca.issuePerson(h.t, "Сидоров Сидор", testNow.Add(-400*day), testNow.Add(-5*day))
	future := ca.issuePerson(h.t, "Будущий Борис", testNow.Add(3*day), testNow.Add(400*day))
	h.importFiles(
		h.writeFile("mine.p12", p12(h.t, mine, []*x509.Certificate{ca.cert}, "")),
		h.writeFile("petrov.cer", valid.cert.Raw),
		h.writeFile("sidorov.pem", pemCert(expired.cert)),
		h.writeFile("future.crt", pemCert(future.cert)),
	)
	h.wait()
}

func TestListShowsCertificatesPersonalFirstWithBadges(t *testing.T) {
	for _, tc := range []struct {
		lang    i18n.Lang
		badges  map[string]string
		lists   map[string]string
		banner  string
		summary string
	}{
		{
			lang: i18n.Russian,
			badges: map[string]string{
				"Иванов Иван Иванович": "истекает через 10 дн.",
				"Тестовый УЦ":          "действителен",
				"Будущий Борис":        "ещё не действует",
				"Петров Пётр":          "действителен",
				"Сидоров Сидор":        "истёк",
			},
			lists:   map[string]string{"Иванов Иван Иванович": "Личные", "Тестовый УЦ": "Промежуточные центры", "Петров Пётр": "Другие пользователи"},
			banner:  "Сертификат «Иванов Иван Иванович» истекает через 10 дней: закажите новый заранее",
			summary: "mine.p12: добавлено 2, уже были в хранилище 0",
		},
		{
			lang: i18n.English,
			badges: map[string]string{
				"Иванов Иван Иванович": "expires in 10 days",
				"Тестовый УЦ":          "valid",
				"Будущий Борис":        "not yet valid",
				"Петров Пётр":          "valid",
				"Сидоров Сидор":        "expired",
			},
			lists:   map[string]string{"Иванов Иван Иванович": "Personal", "Тестовый УЦ": "Intermediate CAs", "Петров Пётр": "Other people"},
			banner:  "Certificate “Иванов Иван Иванович” expires in 10 days: order a new one in advance",
			summary: "mine.p12: 2 added, 0 already in the store",
		},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			h := newHarness(t, tc.lang)
			storeFixtures(h)

			// Personal first, then the (untrusted) root among the
			// intermediates, then other people's by name.
			wantOrder := []string{"Иванов Иван Иванович", "Тестовый УЦ", "Будущий Борис", "Петров Пётр", "Сидоров Сидор"}
			var got []string
			for _, r := range h.w.list.rows {
				got = append(got, r.Subject)
			}
			if strings.Join(got, "|") != strings.Join(wantOrder, "|") {
				t.Fatalf("list order %q, want %q", got, wantOrder)
			}
			wantValidity := map[string]certstore.Validity{
				"Иванов Иван Иванович": certstore.Expiring, "Тестовый УЦ": certstore.Valid,
				"Будущий Борис": certstore.NotYetValid, "Петров Пётр": certstore.Valid, "Сидоров Сидор": certstore.Expired,
			}
			for _, r := range h.w.list.rows {
				if r.Badge.Text != tc.badges[r.Subject] || r.Badge.Validity != wantValidity[r.Subject] {
					t.Errorf("%s: badge %q (%s), want %q (%s)", r.Subject, r.Badge.Text, r.Badge.Validity, tc.badges[r.Subject], wantValidity[r.Subject])
				}
				if list, ok := tc.lists[r.Subject]; ok && !strings.Contains(r.Second, list) {
					t.Errorf("%s: second line %q does not name list %q", r.Subject, r.Second, list)
				}
			}

			// What is drawn, not just what the model holds.
			shown := shownText(h.w.window.Canvas())
			for name, badge := range tc.badges {
				if !strings.Contains(shown, name) || !strings.Contains(shown, badge) {
					t.Errorf("window does not show %q with badge %q:\n%s", name, badge, shown)
				}
			}
			if !h.w.banner.content.Visible() || len(h.w.banner.texts) != 1 || h.w.banner.texts[0] != tc.banner {
				t.Errorf("banner %q (visible %v), want %q", h.w.banner.texts, h.w.banner.content.Visible(), tc.banner)
			}
			if !strings.Contains(shown, tc.banner) {
				t.Errorf("banner text not drawn:\n%s", shown)
			}
			if h.w.summary == nil || !strings.Contains(strings.Join(h.w.summary.lines, "\n"), tc.summary) {
				t.Errorf("import summary %v, want a line %q", h.w.summary, tc.summary)
			}
			if h.w.empty.content.Visible() {
				t.Error("empty-store message shown over a full store")
			}
		})
	}
}

func TestBannerWarnsAboutExpiringAndExpiredPersonalCertificates(t *testing.T) {
	ca := newRoot(t, "УЦ")
	for _, tc := range []struct {
		name      string
		lang      i18n.Lang
		notAfter  time.Time
		list      certstore.List
		want      string // "" for no banner
		wantColor bool   // red rather than amber
	}{
		{"10 days ru", i18n.Russian, testNow.Add(10*day + time.Hour), certstore.ListPersonal, "Сертификат «Владелец» истекает через 10 дней: закажите новый заранее", false},
		{"1 day ru", i18n.Russian, testNow.Add(1*day + time.Hour), certstore.ListPersonal, "Сертификат «Владелец» истекает через 1 день: закажите новый заранее", false},
		{"3 days ru", i18n.Russian, testNow.Add(3*day + time.Hour), certstore.ListPersonal, "Сертификат «Владелец» истекает через 3 дня: закажите новый заранее", false},
		{"21 days ru", i18n.Russian, testNow.Add(21*day + time.Hour), certstore.ListPersonal, "Сертификат «Владелец» истекает через 21 день: закажите новый заранее", false},
		{"today ru", i18n.Russian, testNow.Add(time.Hour), certstore.ListPersonal, "Сертификат «Владелец» истекает сегодня: закажите новый", false},
		{"expired ru", i18n.Russian, time.Date(2026, 2, 25, 9, 0, 0, 0, time.Local), certstore.ListPersonal, "Срок действия сертификата «Владелец» истёк 25.02.2026: закажите новый", true},
		{"60 days ru", i18n.Russian, testNow.Add(60 * day), certstore.ListPersonal, "", false},
		{"someone else's ru", i18n.Russian, testNow.Add(10 * day), certstore.ListOther, "", false},
		{"10 days en", i18n.English, testNow.Add(10*day + time.Hour), certstore.ListPersonal, "Certificate “Владелец” expires in 10 days: order a new one in advance", false},
		{"1 day en", i18n.English, testNow.Add(1*day + time.Hour), certstore.ListPersonal, "Certificate “Владелец” expires in 1 day: order a new one in advance", false},
		{"expired en", i18n.English, time.Date(2026, 2, 25, 9, 0, 0, 0, time.Local), certstore.ListPersonal, "Certificate “Владелец” expired on 2026-02-25: order a new one", true},
		{"60 days en", i18n.English, testNow.Add(60 * day), certstore.ListPersonal, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := setTestLanguage(t, tc.lang)
			test.NewTempApp(t)
			e := entryFor(t, ca.issuePerson(t, "Владелец", testNow.Add(-300*day), tc.notAfter).cert, tc.list)
			b := newExpiryBanner(tr)
			b.update(certstore.ExpiringPersonal([]*certstore.Entry{e}, testNow, certstore.ExpiryWarningDays), testNow)
			if tc.want == "" {
				if b.content.Visible() || len(b.texts) != 0 {
					t.Fatalf("banner shown: %q", b.texts)
				}
				return
			}
			if !b.content.Visible() || len(b.texts) != 1 || b.texts[0] != tc.want {
				t.Fatalf("banner %q (visible %v), want %q", b.texts, b.content.Visible(), tc.want)
			}
			if red := b.background.FillColor == colorExpired; red != tc.wantColor {
				t.Errorf("banner red = %v, want %v", red, tc.wantColor)
			}
		})
	}
}

func TestDetailsNameRussianAttributesAndCopy(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.Russian, []string{
			"Владелец\n", "ИНН: 123456789047", "СНИЛС: 11223344595", "ОГРН: 1027700132195", "Общее имя: Иванов Иван Иванович",
			"Издатель\n", "Общее имя: Тестовый УЦ",
			"Класс средства ЭП КС1", "Средство ЭП владельца: СКЗИ «Тест-КС1»", "цифровая подпись, неотрекаемость",
			"Открытый ключ: ECDSA, 256 бит", "Отпечаток (SHA-1): ", "Список: Личные", "Закрытый ключ: в хранилище, пароль запомнен",
			"Состояние: истекает через 10 дн.",
		}},
		{i18n.English, []string{
			"INN (taxpayer number): 123456789047", "SNILS (personal insurance number): 11223344595",
			"KC1 class", "digital signature, non-repudiation", "Public key: ECDSA, 256 bits",
			"List: Personal", "Private key: in the store, password remembered",
		}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			h := newHarness(t, tc.lang)
			storeFixtures(h)
			e := h.selectRow("Иванов Иван Иванович")
			text := h.w.details.text
			for _, want := range append(tc.want, e.ID) {
				if !strings.Contains(text, want) {
					t.Errorf("details lack %q:\n%s", want, text)
				}
			}
			// Long values wrap over several lines.
			shown := strings.ReplaceAll(shownText(h.w.window.Canvas()), "\n", "")
			for _, want := range []string{"123456789047", e.ID} {
				if !strings.Contains(shown, want) {
					t.Errorf("details pane does not draw %q", want)
				}
			}
			h.tap(h.w.details.copyButton)
			if got := h.app.Clipboard().Content(); got != text {
				t.Errorf("copied %q, want the details %q", got, text)
			}
		})
	}
}

func TestEmptyStoreInvitesToImport(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	if !h.w.empty.content.Visible() || h.w.split.Visible() {
		t.Fatal("empty store does not show the empty state")
	}
	want := "Перетащите сюда файл .p12/.pfx или сертификат, или нажмите «Импорт»"
	if h.w.empty.message.Text != want || !strings.Contains(shownText(h.w.window.Canvas()), want) {
		t.Errorf("empty state says %q, want %q", h.w.empty.message.Text, want)
	}
	if h.w.exportButton.Disabled() == false || h.w.deleteButton.Disabled() == false {
		t.Error("export and delete are enabled with nothing selected")
	}
	if h.w.banner.content.Visible() {
		t.Error("banner shown for an empty store")
	}
}

func TestDeleteAsksFirstAndWarnsAboutThePrivateKey(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)

	// Someone else's certificate: a plain question.
	other := h.selectRow("Петров Пётр")
	h.tap(h.w.deleteButton)
	if h.w.confirm == nil || strings.Contains(h.w.confirm.message.Text, "закрытым ключом") || !strings.Contains(h.w.confirm.message.Text, "Петров Пётр") {
		t.Fatalf("confirmation for a certificate without key: %v", h.w.confirm)
	}
	h.tap(h.w.confirm.cancel)
	h.wait()
	if _, err := h.store.Get(other.ID); err != nil {
		t.Fatalf("cancelled delete removed the certificate: %v", err)
	}

	// The personal certificate: the key is destroyed, and the dialog says so.
	mine := h.selectRow("Иванов Иван Иванович")
	h.w.confirm = nil
	h.tap(h.w.deleteButton)
	msg := h.w.confirm.message.Text
	for _, want := range []string{"Иванов Иван Иванович", "закрытым ключом", "уничтожен безвозвратно"} {
		if !strings.Contains(msg, want) {
			t.Errorf("delete confirmation %q lacks %q", msg, want)
		}
	}
	h.tap(h.w.confirm.confirm)
	h.wait()
	if _, err := h.store.Get(mine.ID); err == nil {
		t.Fatal("certificate still in the store after confirmed delete")
	}
	for _, r := range h.w.list.rows {
		if r.ID == mine.ID {
			t.Fatal("deleted certificate still listed")
		}
	}
	if h.w.selected != nil || !h.w.deleteButton.Disabled() {
		t.Error("deleted certificate still selected")
	}
	if h.w.banner.content.Visible() {
		t.Error("banner still warns about the deleted certificate")
	}
	if _, err := h.keyring.Get(certstore.KeyringService, mine.ID); err == nil {
		t.Error("remembered password of the deleted container is still in the keyring")
	}
}

func TestTrustRootAfterWarning(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(h.t, "Корневой УЦ")
	h.importFiles(h.writeFile("root.cer", pemCert(ca.cert)))
	h.wait()

	s := h.w.summary
	if s == nil || len(s.roots) != 1 || len(s.trust) != 1 {
		t.Fatalf("import of a root did not offer to trust it: %+v", s)
	}
	if !strings.Contains(strings.Join(s.lines, "\n"), "не считается доверенным") {
		t.Errorf("summary does not warn that the root is not trusted: %q", s.lines)
	}
	if h.w.selected == nil || !h.w.trustButton.Visible() {
		t.Error("the imported root is not selected with the Trust button shown")
	}
	if row := h.w.list.rows[h.rowIndex("Корневой УЦ")]; !strings.Contains(row.Second, "не доверенный") {
		t.Errorf("list line of an untrusted root: %q", row.Second)
	}
	id := s.roots[0].ID

	h.tap(s.trust[0])
	if h.w.confirm == nil {
		t.Fatal("trusting asked nothing")
	}
	for _, want := range []string{"Корневой УЦ", id, "надёжного источника"} {
		if !strings.Contains(h.w.confirm.message.Text, want) {
			t.Errorf("trust warning lacks %q: %q", want, h.w.confirm.message.Text)
		}
	}
	h.tap(h.w.confirm.cancel)
	h.wait()
	if e, _ := h.store.Get(id); e.List != certstore.ListIntermediate {
		t.Fatalf("cancelled trust moved the root to %s", e.List)
	}

	h.tap(h.w.trustButton) // the toolbar asks the same
	h.tap(h.w.confirm.confirm)
	h.wait()
	e, err := h.store.Get(id)
	if err != nil || e.List != certstore.ListRoot {
		t.Fatalf("trusted root is in %v (%v), want %s", e, err, certstore.ListRoot)
	}
	if !strings.Contains(h.w.list.rows[h.rowIndex("Корневой УЦ")].Second, "Доверенные корневые центры") {
		t.Errorf("list does not show the root as trusted: %+v", h.w.list.rows)
	}
	if h.w.trustButton.Visible() {
		t.Error("Trust still offered for a trusted root")
	}
}

func TestPasswordPromptRetriesAfterWrongPassword(t *testing.T) {
	for _, tc := range []struct {
		lang      i18n.Lang
		wrongText string
	}{
		{i18n.Russian, "Неверный пароль"},
		{i18n.English, "Wrong password"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			h := newHarness(t, tc.lang)
			ca := newRoot(t, "УЦ")
			me := ca.issuePerson(t, "Защищённый Владелец", testNow.Add(-day), testNow.Add(300*day))
			const password = "Пароль-ГОСТ 2012"
			h.importFiles(h.writeFile("secret.pfx", p12(t, me, nil, password)))

			first := h.nextPrompt()
			var busy bool
			var progress string
			h.act(func() {
				busy, progress = h.w.progress.content.Visible() && h.w.importButton.Disabled(), h.w.progress.label.Text
			})
			if !busy || !strings.Contains(progress, "1") || !strings.Contains(progress, "secret.pfx") {
				t.Errorf("while importing: progress shown %v, text %q", busy, progress)
			}
			if !strings.Contains(first.message.Text, "secret.pfx") || first.problem.Visible() || first.remember.Checked {
				t.Fatalf("first prompt: message %q, problem shown %v, remember %v", first.message.Text, first.problem.Visible(), first.remember.Checked)
			}
			if first.password.Password != true {
				t.Error("password entry is not masked")
			}
			h.act(func() { test.Type(first.password, "угадай") })
			h.tap(first.ok)

			second := h.nextPrompt()
			if !second.problem.Visible() || !strings.Contains(second.problem.Text, tc.wrongText) {
				t.Fatalf("second prompt does not say the password was wrong: %q", second.problem.Text)
			}
			h.act(func() {
				test.Type(second.password, password)
				second.remember.SetChecked(true)
			})
			h.tap(second.ok)
			h.wait()

			if h.w.errorBox != nil {
				t.Fatalf("error shown: %q", h.w.errorBox.message.Text)
			}
			e := h.w.selected
			if e == nil || e.Cert.Subject.CommonName() != "Защищённый Владелец" || e.List != certstore.ListPersonal || !e.HasKey {
				t.Fatalf("imported entry %+v", e)
			}
			if got, _ := h.keyring.Get(certstore.KeyringService, e.ID); got != password {
				t.Errorf("remembered password %q, want the typed one", got)
			}
			if err := h.store.CheckPassword(e.ID, password); err != nil {
				t.Errorf("container does not open with the file's password: %v", err)
			}
			select {
			case p := <-h.prompts:
				t.Errorf("unexpected extra prompt %q", p.message.Text)
			default:
			}
		})
	}
}

func TestPasswordPromptCancelImportsNothing(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	me := ca.issuePerson(t, "Владелец", testNow.Add(-day), testNow.Add(300*day))
	h.importFiles(h.writeFile("secret.p12", p12(t, me, nil, "secret")))
	h.tap(h.nextPrompt().cancel)
	h.wait()
	if len(h.w.entries) != 0 {
		t.Errorf("cancelled import added %d entries", len(h.w.entries))
	}
	if h.w.errorBox != nil {
		t.Errorf("cancelling showed an error: %q", h.w.errorBox.message.Text)
	}
}

func TestNewContainerPasswordTypedTwice(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	h.keyring.refuse = true // no keyring: the store asks for a container password
	ca := newRoot(t, "УЦ")
	me := ca.issuePerson(t, "Без Пароля", testNow.Add(-day), testNow.Add(300*day))
	h.importFiles(h.writeFile("open.p12", p12(t, me, nil, "")))

	p := h.nextPrompt()
	if p.request.Purpose != certstore.PurposeNewContainer || !p.repeat.Visible() || !strings.Contains(p.message.Text, "Без Пароля") {
		t.Fatalf("prompt for a new container: purpose %s, repeat shown %v, message %q", p.request.Purpose, p.repeat.Visible(), p.message.Text)
	}
	h.act(func() {
		test.Type(p.password, "новый-пароль")
		test.Type(p.repeat, "новый-пароль!")
	})
	h.tap(p.ok)
	if !strings.Contains(p.problem.Text, "не совпадают") {
		t.Fatalf("mismatch not reported: %q", p.problem.Text)
	}
	h.act(func() { p.repeat.SetText("новый-пароль") })
	h.tap(p.ok)
	h.wait()
	e := h.w.selected
	if e == nil || !e.HasKey {
		t.Fatalf("nothing imported: %+v", e)
	}
	if err := h.store.CheckPassword(e.ID, "новый-пароль"); err != nil {
		t.Errorf("container does not open with the new password: %v", err)
	}
}

func TestImportOfSeveralFilesReportsEachFailure(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	good := h.writeFile("good.cer", pemCert(ca.issuePerson(t, "Хороший", testNow.Add(-day), testNow.Add(300*day)).cert))
	empty := h.writeFile("empty.cer", nil)
	text := h.writeFile("notes.txt", []byte("это не сертификат\n"))
	dir := t.TempDir()
	h.importFiles(good, empty, text, dir)
	h.wait()

	s := h.w.summary
	if s == nil || len(s.lines) != 4 {
		t.Fatalf("summary %+v, want one line per file", s)
	}
	if !strings.Contains(s.lines[0], "good.cer: добавлено 1") {
		t.Errorf("line for the good file: %q", s.lines[0])
	}
	for i, name := range []string{"empty.cer", "notes.txt", filepath.Base(dir)} {
		line := s.lines[i+1]
		if !strings.Contains(line, name) || strings.Contains(line, "Внутренняя ошибка") {
			t.Errorf("failure line %q does not name %s with a real cause", line, name)
		}
	}
	if len(h.w.entries) != 1 {
		t.Errorf("%d entries after importing one good file", len(h.w.entries))
	}
	if h.w.progress.content.Visible() || h.w.importButton.Disabled() {
		t.Error("import progress still shown after the import ended")
	}
}

func TestSingleFailedImportShowsTheError(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	h.importFiles(h.writeFile("empty.p12", nil))
	h.wait()
	if h.w.errorBox == nil || h.w.errorBox.message.Text == "" || strings.Contains(h.w.errorBox.message.Text, "Внутренняя ошибка") {
		t.Fatalf("error for an empty file: %+v", h.w.errorBox)
	}
	if !h.w.errorBox.hint.Visible() {
		t.Error("no hint shown for an empty file")
	}
	h.tap(h.w.errorBox.copy)
	if got := h.app.Clipboard().Content(); !strings.Contains(got, h.w.errorBox.message.Text) {
		t.Errorf("copied %q", got)
	}
}

func TestRefreshSeesChangesFromOutside(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	path := h.writeFile("x.cer", pemCert(ca.issuePerson(t, "Из Скрипта", testNow.Add(-day), testNow.Add(300*day)).cert))
	// Another process (the CLI) imports into the same store folder.
	other, err := certstore.Open(certstore.Options{Dir: h.store.Dir(), Keyring: newMemKeyring()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.ImportFile(path, certstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(h.w.entries) != 0 {
		t.Fatal("window saw the change before refreshing")
	}
	h.tap(h.w.refreshButton)
	h.wait()
	h.rowIndex("Из Скрипта")
}

func TestDroppedFilesAreImported(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	ca := newRoot(t, "УЦ")
	path := h.writeFile("dropped.cer", pemCert(ca.issuePerson(t, "Перетащенный", testNow.Add(-day), testNow.Add(300*day)).cert))
	uris := []fyne.URI{storage.NewFileURI(path), storage.NewURI("https://example.org/x.cer")}
	if got := localPaths(uris); len(got) != 1 || got[0] != path {
		t.Fatalf("local paths of a drop: %q", got)
	}
	h.act(func() { h.w.importFiles(localPaths(uris)) })
	h.wait()
	h.rowIndex("Перетащенный")
}
