package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// errCurrentNeeded stops a password change whose container did not open
// with the remembered password although the keyring had one: the dialog
// did not ask for the current password, so it must ask now.
var errCurrentNeeded = errors.New("current password needed")

// changePasswordDialog re-seals a key container under a new password: the
// current password (not asked while the keyring remembers it; the store uses
// that one itself), the new one typed twice, and whether to remember it.
// It stays open until the change succeeds, saying what was wrong.
type changePasswordDialog struct {
	w        *mainWindow
	entry    *certstore.Entry
	dialog   *dialog.CustomDialog
	message  *widget.Label
	problem  *widget.Label // what was wrong with the last attempt
	current  *widget.Entry // hidden while the password is remembered
	password *widget.Entry
	repeat   *widget.Entry
	remember *widget.Check
	ok       *widget.Button
	cancel   *widget.Button
	// remembered is whether the keyring held the password when the dialog
	// opened: unticking the box then forgets it.
	remembered bool
}

// showChangePassword asks the keyring (which may be slow) whether e's
// password is remembered, then shows the dialog.
func (w *mainWindow) showChangePassword(e *certstore.Entry) {
	w.background(func() {
		remembered := w.store.Remembered(e.ID)
		w.do(func() { w.newChangePassword(e, remembered) })
	})
}

func (w *mainWindow) newChangePassword(e *certstore.Entry, remembered bool) *changePasswordDialog {
	tr := w.tr
	d := &changePasswordDialog{
		w:          w,
		entry:      e,
		message:    widget.NewLabel(tr.text("ui.change-password.message", map[string]any{"Name": displayName(tr, e.Cert.Subject)})),
		problem:    widget.NewLabel(""),
		current:    widget.NewPasswordEntry(),
		password:   widget.NewPasswordEntry(),
		repeat:     widget.NewPasswordEntry(),
		remember:   widget.NewCheck(tr.text("ui.password.remember", nil), nil),
		remembered: remembered,
	}
	d.message.Wrapping = fyne.TextWrapWord
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance
	d.problem.TextStyle.Bold = true
	d.problem.Hide()
	d.current.SetPlaceHolder(tr.text("ui.change-password.current", nil))
	d.password.SetPlaceHolder(tr.text("ui.change-password.new", nil))
	d.repeat.SetPlaceHolder(tr.text("ui.password.repeat", nil))
	for _, entry := range []*widget.Entry{d.current, d.password, d.repeat} {
		entry.OnSubmitted = func(string) { d.submit() }
	}
	if remembered {
		d.current.Hide()
	}
	d.remember.SetChecked(remembered)

	content := container.NewVBox(d.message, d.problem, d.current, d.password, d.repeat, d.remember)
	d.dialog = dialog.NewCustomWithoutButtons(tr.text("ui.change-password.title", nil), content, w.window)
	d.ok = widget.NewButton(tr.text("ui.change-password.confirm", nil), d.submit)
	d.ok.Importance = widget.HighImportance
	d.cancel = widget.NewButton(tr.text("common.cancel", nil), d.dialog.Hide)
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.ok})
	d.dialog.Resize(dialogSize(w.window, 440))
	w.passwd = d
	d.dialog.Show()
	if remembered {
		w.window.Canvas().Focus(d.password)
	} else {
		w.window.Canvas().Focus(d.current)
	}
	return d
}

// submit checks the new password and changes it in the background.
func (d *changePasswordDialog) submit() {
	if d.ok.Disabled() {
		return // a change is under way
	}
	tr := d.w.tr
	switch {
	case d.password.Text == "":
		d.showProblem(tr.text("ui.password.empty", nil), d.password)
		return
	case d.password.Text != d.repeat.Text:
		d.showProblem(tr.text("ui.password.mismatch", nil), d.repeat)
		return
	}
	askCurrent := d.current.Visible()
	current, newPassword, remember := d.current.Text, d.password.Text, d.remember.Checked
	forget := d.remembered && !remember
	id := d.entry.ID
	d.ok.Disable()
	d.w.background(func() {
		ask := func(certstore.PasswordRequest) (string, error) {
			if !askCurrent {
				return "", errCurrentNeeded
			}
			return current, nil
		}
		err := d.w.store.ChangePassword(id, ask, newPassword, remember)
		if err == nil && forget {
			// The store keeps a remembered password up to date; the
			// person unticked the box, so it goes.
			err = d.w.store.Forget(id)
		}
		d.w.do(func() { d.finish(err) })
	})
}

// finish reports how the change went: a wrong or missing current password
// is said in the dialog, anything else closes it.
func (d *changePasswordDialog) finish(err error) {
	tr := d.w.tr
	d.ok.Enable()
	switch {
	case errors.Is(err, errCurrentNeeded):
		d.current.Show()
		d.showProblem(tr.text("ui.change-password.stale", nil), d.current)
		return
	case errors.Is(err, certstore.ErrWrongPassword):
		d.current.SetText("")
		d.showProblem(tr.text("err.wrong-password", nil), d.current)
		return
	}
	d.dialog.Hide()
	if w := d.w; w.selected != nil && w.selected.ID == d.entry.ID {
		w.selectEntry(w.selected) // the "password remembered" line may have changed
	}
	if err != nil {
		d.w.showError(err)
		return
	}
	name := displayName(tr, d.entry.Cert.Subject)
	d.w.notice = dialog.NewInformation(tr.text("ui.change-password.done-title", nil),
		tr.text("ui.change-password.done", map[string]any{"Name": name}), d.w.window)
	d.w.notice.Show()
}

// showProblem says what was wrong and puts the cursor where to fix it.
func (d *changePasswordDialog) showProblem(text string, focus *widget.Entry) {
	d.problem.SetText(text)
	d.problem.Show()
	d.dialog.Resize(dialogSize(d.w.window, 440))
	d.w.window.Canvas().Focus(focus)
}
