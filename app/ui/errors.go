package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// codedError is what every user-facing error of Podpis implements: the
// message is the translation err.<code> rendered with Params, the fix
// hint.<code>.
type codedError interface {
	error
	Code() string
	Params() map[string]any
}

// problem is an error put in words for people.
type problem struct {
	Message string
	Hint    string // may be empty
}

// describe turns err into a message and a fix in the window's language. An
// error without a code, or with a code nobody translated, is an internal
// error whose technical text goes into the message, so support staff still
// learn what happened.
func (t *translator) describe(err error) problem {
	var coded codedError
	if errors.As(err, &coded) && t.has("err."+coded.Code()) {
		p := problem{Message: t.text("err."+coded.Code(), coded.Params())}
		if t.has("hint." + coded.Code()) {
			p.Hint = t.text("hint."+coded.Code(), coded.Params())
		}
		return p
	}
	return problem{
		Message: t.text("err.internal", map[string]any{"Detail": err.Error()}),
		Hint:    t.text("hint.internal", nil),
	}
}

// errorDialog is the one way the window shows an error: its message, its
// fix, and a button to copy both for support.
type errorDialog struct {
	dialog  *dialog.CustomDialog
	message *widget.Label
	hint    *widget.Label
	copy    *widget.Button
	ok      *widget.Button
}

// showError shows err over win. A cancelled password prompt is no error
// and shows nothing.
func showError(t *translator, app fyne.App, win fyne.Window, err error) *errorDialog {
	if err == nil || errors.Is(err, certstore.ErrCancelled) {
		return nil
	}
	p := t.describe(err)
	d := &errorDialog{
		message: widget.NewLabel(p.Message),
		hint:    widget.NewLabel(p.Hint),
	}
	d.message.Wrapping = fyne.TextWrapWord
	d.message.TextStyle.Bold = true
	d.message.Selectable = true
	d.hint.Wrapping = fyne.TextWrapWord
	d.hint.Selectable = true
	if p.Hint == "" {
		d.hint.Hide()
	}
	d.dialog = dialog.NewCustomWithoutButtons(t.text("ui.error.title", nil), container.NewVBox(d.message, d.hint), win)
	d.copy = widget.NewButton(t.text("common.copy", nil), func() {
		text := p.Message
		if p.Hint != "" {
			text += "\n" + p.Hint
		}
		app.Clipboard().SetContent(text)
	})
	d.ok = widget.NewButton(t.text("common.ok", nil), d.dialog.Hide)
	d.ok.Importance = widget.HighImportance
	d.dialog.SetButtons([]fyne.CanvasObject{d.copy, d.ok})
	d.dialog.Resize(dialogSize(win, 480))
	d.dialog.Show()
	return d
}

// dialogSize is a dialog of the given width (narrower on a small window),
// as tall as its content needs.
func dialogSize(win fyne.Window, width float32) fyne.Size {
	if w := win.Canvas().Size().Width - 40; w > 0 && w < width {
		width = w
	}
	return fyne.NewSize(width, 0)
}
