package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// confirmDialog asks before an action that cannot be taken back.
type confirmDialog struct {
	dialog  *dialog.CustomDialog
	message *widget.Label
	confirm *widget.Button
	cancel  *widget.Button
}

func (w *mainWindow) newConfirm(title, message, confirmText string, onConfirm func()) *confirmDialog {
	d := &confirmDialog{message: widget.NewLabel(message)}
	d.message.Wrapping = fyne.TextWrapWord
	d.dialog = dialog.NewCustomWithoutButtons(title, d.message, w.window)
	d.dialog.SetIcon(theme.WarningIcon())
	d.cancel = widget.NewButton(w.tr.text("common.cancel", nil), d.dialog.Hide)
	d.confirm = widget.NewButton(confirmText, func() {
		d.dialog.Hide()
		onConfirm()
	})
	d.confirm.Importance = widget.DangerImportance
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.confirm})
	d.dialog.Resize(dialogSize(w.window, 520))
	w.confirm = d
	d.dialog.Show()
	return d
}

// confirmDelete asks before deleting e. Deleting a personal certificate
// destroys its private key, which nothing brings back, so it says so; a key
// on a token stays there, and that is said too.
func (w *mainWindow) confirmDelete(e *certstore.Entry) *confirmDialog {
	params := map[string]any{"Name": displayName(w.tr, e.Cert.Subject)}
	message := w.tr.text("ui.delete.message", params)
	if e.HasKey {
		message = w.tr.text("ui.delete.message-key", params)
	}
	if e.Token != nil {
		params["Token"] = tokenName(w.tr, e.Token.Label, e.Token.Serial)
		if e.HasKey {
			message += "\n\n" + w.tr.text("ui.token.delete.also-token", params)
		} else {
			message = w.tr.text("ui.token.delete.message", params)
		}
	}
	return w.newConfirm(w.tr.text("ui.delete.title", nil), message, w.tr.text("ui.delete.confirm", nil), func() {
		w.background(func() {
			err := w.store.Delete(e.ID)
			entries, listErr := w.store.Entries()
			w.do(func() {
				if listErr == nil {
					w.setEntries(entries, "")
				}
				w.showError(err)
			})
		})
	})
}

// confirmTrust asks before trusting a self-signed root, as CryptoPro and
// Windows do: a trusted root makes every certificate its CA issues look
// genuine, so the person must be sure where it came from.
func (w *mainWindow) confirmTrust(e *certstore.Entry) *confirmDialog {
	message := w.tr.text("ui.trust.message", map[string]any{
		"Name":       displayName(w.tr, e.Cert.Subject),
		"Thumbprint": e.ID,
	})
	return w.newConfirm(w.tr.text("ui.trust.title", nil), message, w.tr.text("ui.trust.confirm", nil), func() {
		w.background(func() {
			_, err := w.store.Move(e.ID, certstore.ListRoot)
			entries, listErr := w.store.Entries()
			w.do(func() {
				if listErr == nil {
					w.setEntries(entries, e.ID)
				}
				w.showError(err)
			})
		})
	})
}
