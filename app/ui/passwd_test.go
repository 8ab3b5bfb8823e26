package ui

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/internal/i18n"
)

// importProtected imports a personal certificate whose .p12 (and so its
// container) has password, answering the prompt with remember as given,
// plus its CA's certificate without a key.
func importProtected(h *harness, cn, password string, remember bool) (*person, *issuer) {
	h.t.Helper()
	ca := newRoot(h.t, "УЦ Смены")
	me := ca.issuePerson(h.t, cn, testNow.Add(-day), testNow.Add(300*day))
	h.importFiles(h.writeFile("me.p12", p12(h.t, me, []*x509.Certificate{ca.cert}, password)))
	p := h.nextPrompt()
	h.act(func() {
		test.Type(p.password, password)
		p.remember.SetChecked(remember)
	})
	h.tap(p.ok)
	h.wait()
	if h.w.errorBox != nil {
		h.t.Fatalf("import failed: %q", h.w.errorBox.message.Text)
	}
	return me, ca
}

// openChangePassword taps the toolbar button and waits for the dialog.
func (h *harness) openChangePassword() *changePasswordDialog {
	h.t.Helper()
	h.w.passwd = nil
	h.tap(h.w.passwordButton)
	h.wait()
	if h.w.passwd == nil {
		h.t.Fatal("no change-password dialog")
	}
	return h.w.passwd
}

func TestChangePasswordOnlyForKeys(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)
	h.selectRow("Иванов Иван Иванович")
	if h.w.passwordButton.Disabled() || h.w.passwordButton.Text != "Сменить пароль…" {
		t.Errorf("button for a certificate with a key: %q, disabled %v", h.w.passwordButton.Text, h.w.passwordButton.Disabled())
	}
	h.selectRow("Петров Пётр")
	if !h.w.passwordButton.Disabled() {
		t.Error("password change offered for a certificate without a key")
	}
	h.act(func() { h.w.unselect() })
	if !h.w.passwordButton.Disabled() {
		t.Error("password change offered with nothing selected")
	}
}

func TestChangePasswordWrongCurrentThenRight(t *testing.T) {
	for _, tc := range []struct {
		lang                         i18n.Lang
		title, mismatch, wrong, done string
	}{
		{i18n.Russian, "Смена пароля", "Пароли не совпадают", "Неверный пароль", "теперь защищён"},
		{i18n.English, "Change password", "The passwords do not match", "Wrong password", "is now protected"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			h := newHarness(t, tc.lang)
			const old, fresh = "старый пароль", "Новый-пароль 2026"
			importProtected(h, "Меняющий Пароль", old, false)
			e := h.selectRow("Меняющий Пароль")

			d := h.openChangePassword()
			if !d.current.Visible() || !d.current.Password || !d.password.Password || !d.repeat.Password || d.remember.Checked {
				t.Fatalf("dialog for a password not remembered: current shown %v, masked %v/%v/%v, remember %v",
					d.current.Visible(), d.current.Password, d.password.Password, d.repeat.Password, d.remember.Checked)
			}
			if !strings.Contains(shownText(h.w.window.Canvas()), tc.title) || !strings.Contains(d.message.Text, "Меняющий Пароль") {
				t.Fatalf("dialog not shown or does not name the certificate: %q", d.message.Text)
			}

			// Two different new passwords: refused in the dialog, the store untouched.
			h.act(func() {
				test.Type(d.current, old)
				test.Type(d.password, fresh)
				test.Type(d.repeat, fresh+"!")
			})
			h.tap(d.ok)
			h.wait()
			if !d.problem.Visible() || d.problem.Text != tc.mismatch || d.ok.Disabled() {
				t.Fatalf("mismatch: problem shown %v %q, ok disabled %v", d.problem.Visible(), d.problem.Text, d.ok.Disabled())
			}
			if err := h.store.CheckPassword(e.ID, old); err != nil {
				t.Fatalf("the store was changed after a mismatch: %v", err)
			}

			// A wrong current password: said in the dialog, which stays open.
			h.act(func() {
				d.repeat.SetText(fresh)
				d.current.SetText("не тот")
			})
			h.tap(d.ok)
			h.wait()
			if !d.problem.Visible() || !strings.Contains(d.problem.Text, tc.wrong) || d.current.Text != "" {
				t.Fatalf("wrong current password: problem %q, current left %q", d.problem.Text, d.current.Text)
			}
			if h.w.errorBox != nil || !strings.Contains(shownText(h.w.window.Canvas()), tc.title) {
				t.Fatal("the dialog closed or an error box opened on a wrong password")
			}
			if err := h.store.CheckPassword(e.ID, old); err != nil {
				t.Fatalf("a wrong current password changed the container: %v", err)
			}

			// The right one, remembering the new password.
			h.act(func() {
				test.Type(d.current, old)
				d.remember.SetChecked(true)
			})
			h.tap(d.ok)
			h.wait()
			if h.w.errorBox != nil {
				t.Fatalf("error shown: %q", h.w.errorBox.message.Text)
			}
			shown := shownText(h.w.window.Canvas())
			if h.w.notice == nil || !strings.Contains(shown, tc.done) {
				t.Errorf("no confirmation; shown:\n%s", shown)
			}
			if err := h.store.CheckPassword(e.ID, fresh); err != nil {
				t.Errorf("container does not open with the new password: %v", err)
			}
			if err := h.store.CheckPassword(e.ID, old); !errors.Is(err, certstore.ErrWrongPassword) {
				t.Errorf("old password after the change: %v", err)
			}
			if got, _ := h.keyring.Get(certstore.KeyringService, e.ID); got != fresh {
				t.Errorf("keyring holds %q, want the new password", got)
			}
		})
	}
}

func TestChangeRememberedPasswordSkipsCurrentAndCanForget(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	const old, fresh = "запомненный", "другой"
	importProtected(h, "Помнящий", old, true)
	e := h.selectRow("Помнящий")

	d := h.openChangePassword()
	if d.current.Visible() || !d.remember.Checked {
		t.Fatalf("remembered password: current shown %v, remember %v", d.current.Visible(), d.remember.Checked)
	}
	h.act(func() {
		test.Type(d.password, fresh)
		test.Type(d.repeat, fresh)
		d.remember.SetChecked(false)
	})
	h.tap(d.ok)
	h.wait()
	if h.w.errorBox != nil || h.w.notice == nil {
		t.Fatalf("change of a remembered password: error %v, confirmation %v", h.w.errorBox, h.w.notice)
	}
	if err := h.store.CheckPassword(e.ID, fresh); err != nil {
		t.Errorf("container does not open with the new password: %v", err)
	}
	if h.store.Remembered(e.ID) {
		t.Error("the password is still remembered after unticking the box")
	}
}

func TestChangePasswordAsksForCurrentWhenTheRememberedOneIsStale(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	const old, fresh = "настоящий", "новый"
	importProtected(h, "Устаревший", old, true)
	e := h.selectRow("Устаревший")
	if err := h.keyring.Set(certstore.KeyringService, e.ID, "устаревший"); err != nil {
		t.Fatal(err)
	}

	d := h.openChangePassword()
	h.act(func() {
		test.Type(d.password, fresh)
		test.Type(d.repeat, fresh)
	})
	h.tap(d.ok)
	h.wait()
	if !d.current.Visible() || !strings.Contains(d.problem.Text, "введите текущий пароль") {
		t.Fatalf("stale remembered password: current shown %v, problem %q", d.current.Visible(), d.problem.Text)
	}
	h.act(func() { test.Type(d.current, old) })
	h.tap(d.ok)
	h.wait()
	if err := h.store.CheckPassword(e.ID, fresh); err != nil {
		t.Errorf("container does not open with the new password: %v", err)
	}
	if got, _ := h.keyring.Get(certstore.KeyringService, e.ID); got != fresh {
		t.Errorf("keyring holds %q, want the new password", got)
	}
}

// pfxOption is the radio label of the .pfx format, "" when not offered.
func pfxOption(d *exportDialog) string {
	for label, f := range d.labels {
		if f == exportPFX {
			return label
		}
	}
	return ""
}

func TestExportDialogOffersPFXOnlyWithKey(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)

	h.selectRow("Петров Пётр")
	h.tap(h.w.exportButton)
	if label := pfxOption(h.w.export); label != "" || len(h.w.export.format.Options) != 3 {
		t.Errorf("a certificate without a key offers %v", h.w.export.format.Options)
	}
	h.act(func() { h.w.export.dialog.Hide() })

	h.selectRow("Иванов Иван Иванович")
	h.tap(h.w.exportButton)
	d := h.w.export
	label := pfxOption(d)
	if label != "Контейнер PKCS#12 (.pfx) с закрытым ключом" {
		t.Fatalf("pfx option %q among %v", label, d.format.Options)
	}
	if d.pfxBox.Visible() || !d.noKey.Visible() {
		t.Error("password fields shown before .pfx is chosen")
	}
	h.act(func() { d.format.SetSelected(label) })
	if !d.pfxBox.Visible() || d.noKey.Visible() || d.chain.Disabled() || !d.password.Password || !d.repeat.Password {
		t.Fatalf(".pfx chosen: fields shown %v, no-key note %v, chain disabled %v", d.pfxBox.Visible(), d.noKey.Visible(), d.chain.Disabled())
	}
	if shown := shownText(h.w.window.Canvas()); !strings.Contains(shown, "закрытый ключ") || !strings.Contains(shown, "Храните") {
		t.Errorf("no warning about the private key; shown:\n%s", shown)
	}

	// An empty and then a mistyped password are refused in the dialog.
	h.tap(d.save)
	if !d.problem.Visible() || d.problem.Text != "Введите пароль" {
		t.Errorf("empty password: %q", d.problem.Text)
	}
	h.act(func() {
		test.Type(d.password, "пароль файла")
		test.Type(d.repeat, "пароль фала")
	})
	h.tap(d.save)
	h.wait()
	if d.problem.Text != "Пароли не совпадают" {
		t.Errorf("mismatch: %q", d.problem.Text)
	}
	select {
	case p := <-h.prompts:
		t.Errorf("a mistyped file password went on to the store: prompt %q", p.message.Text)
	default:
	}
}

func TestExportPFXAsksForTheContainerPassword(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	const containerPassword, filePassword = "пароль ключа", "Пароль файла 1"
	me, _ := importProtected(h, "Экспортёр", containerPassword, false)
	e := h.selectRow("Экспортёр")

	// Through the dialog: .pfx leads to the container password prompt;
	// cancelling it ends the export quietly.
	h.tap(h.w.exportButton)
	d := h.w.export
	h.act(func() {
		d.format.SetSelected(pfxOption(d))
		test.Type(d.password, filePassword)
		test.Type(d.repeat, filePassword)
	})
	h.tap(d.save)
	p := h.nextPrompt()
	if p.request.Purpose != certstore.PurposeContainer || !strings.Contains(p.message.Text, "Экспортёр") {
		t.Fatalf("prompt %s %q", p.request.Purpose, p.message.Text)
	}
	h.tap(p.cancel)
	h.wait()
	if h.w.errorBox != nil {
		t.Errorf("cancelling showed an error: %q", h.w.errorBox.message.Text)
	}

	// The data: a wrong container password is asked for again.
	var data []byte
	var err error
	h.w.background(func() { data, err = h.w.pfxData(e, filePassword, true) })
	first := h.nextPrompt()
	h.act(func() { test.Type(first.password, "не тот") })
	h.tap(first.ok)
	second := h.nextPrompt()
	if !second.problem.Visible() || !strings.Contains(second.problem.Text, "Неверный пароль") {
		t.Fatalf("second prompt does not say the password was wrong: %q", second.problem.Text)
	}
	h.act(func() { test.Type(second.password, containerPassword) })
	h.tap(second.ok)
	h.wait()
	if err != nil {
		t.Fatal(err)
	}

	// It is a .p12 that opens with the file's password, with the key and chain.
	other, err := certstore.Open(certstore.Options{Dir: t.TempDir(), Keyring: &certstore.MemoryKeyring{}, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := other.Import("export.pfx", data, certstore.ImportOptions{
		Password: func(req certstore.PasswordRequest) (string, error) {
			if req.Purpose != certstore.PurposeOpenFile {
				t.Errorf("unexpected request %s", req.Purpose)
			}
			return filePassword, nil
		},
		Remember: true,
	})
	if err != nil {
		t.Fatalf("the exported .pfx does not import with its password: %v", err)
	}
	if len(res.Added) != 2 {
		t.Fatalf("exported with the chain, imported %d certificates", len(res.Added))
	}
	got, err := other.Get(e.ID)
	if err != nil || !got.HasKey {
		t.Fatalf("exported certificate in the other store: %+v, %v", got, err)
	}
	key, err := other.PrivateKey(e.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !me.key.PublicKey.Equal(key.Public()) {
		t.Error("the exported key is not the certificate's key")
	}
}

func TestWriteFileDataKeepsThePFXPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pfx")
	writer, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileData(writer, []byte("pfx"), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
}
