package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// passwordAnswer is what a person typed into a password prompt.
type passwordAnswer struct {
	Password string
	Remember bool
}

// passwordPrompt asks for the password of a file being imported, of a key
// container, (PurposeNewContainer) for a new container password, typed
// twice, or (PurposeTokenPIN) for a token's PIN. The answer goes to the
// goroutine that asked, over answers; closing it means the prompt was
// cancelled.
type passwordPrompt struct {
	tr       *translator
	request  certstore.PasswordRequest
	title    string
	dialog   *dialog.CustomDialog
	message  *widget.Label
	problem  *widget.Label // what was wrong with the last attempt
	password *widget.Entry
	repeat   *widget.Entry // PurposeNewContainer only
	remember *widget.Check
	// PurposeTokenPIN: the PIN state when it is not fine, and at the final
	// try a warning with the box that must be ticked before OK works (the
	// answer is the person's consent to risk the last try).
	pinState *widget.Label
	final    *widget.Label
	consent  *widget.Check
	ok       *widget.Button
	cancel   *widget.Button
	answers  chan<- passwordAnswer
	answered bool
}

// newPasswordPrompt builds the prompt; problem (may be "") says why the
// previous password was refused, remember is the box's initial state.
func newPasswordPrompt(tr *translator, win fyne.Window, req certstore.PasswordRequest, problem string, remember bool, answers chan<- passwordAnswer) *passwordPrompt {
	p := &passwordPrompt{
		tr:       tr,
		request:  req,
		message:  widget.NewLabel(promptMessage(tr, req)),
		problem:  widget.NewLabel(problem),
		password: widget.NewPasswordEntry(),
		repeat:   widget.NewPasswordEntry(),
		remember: widget.NewCheck(tr.text("ui.password.remember", nil), nil),
		answers:  answers,
	}
	p.message.Wrapping = fyne.TextWrapWord
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Importance = widget.DangerImportance
	p.problem.TextStyle.Bold = true
	if problem == "" {
		p.problem.Hide()
	}
	p.remember.SetChecked(remember)
	p.password.SetPlaceHolder(tr.text("common.password", nil))
	p.repeat.SetPlaceHolder(tr.text("ui.password.repeat", nil))
	p.password.OnSubmitted = func(string) { p.submit() }
	p.repeat.OnSubmitted = func(string) { p.submit() }

	items := []fyne.CanvasObject{p.message, p.problem}
	if req.Purpose == certstore.PurposeTokenPIN {
		items = append(items, p.tokenItems()...)
	}
	items = append(items, p.password)
	if req.Purpose == certstore.PurposeNewContainer {
		items = append(items, p.repeat)
	}
	items = append(items, p.remember)

	title := tr.text("ui.password.title", nil)
	switch req.Purpose {
	case certstore.PurposeNewContainer:
		title = tr.text("ui.password.new-title", nil)
	case certstore.PurposeTokenPIN:
		title = tr.text("ui.token.prompt.title", map[string]any{"Token": tokenName(tr, req.Token, req.Serial)})
	}
	p.title = title
	p.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(items...), win)
	p.ok = widget.NewButton(tr.text("common.ok", nil), p.submit)
	p.ok.Importance = widget.HighImportance
	if p.consent != nil && !p.consent.Checked {
		p.ok.Disable()
	}
	p.cancel = widget.NewButton(tr.text("common.cancel", nil), p.dismiss)
	p.dialog.SetButtons([]fyne.CanvasObject{p.cancel, p.ok})
	// Escape and other ways of closing the dialog count as cancelling.
	p.dialog.SetOnClosed(p.finish)
	p.dialog.Resize(dialogSize(win, 440))
	return p
}

// tokenItems are the PIN prompt's own lines: the PIN state when it is not
// fine and, at the final try, the warning and the consent box.
func (p *passwordPrompt) tokenItems() []fyne.CanvasObject {
	tr, req := p.tr, p.request
	p.password.SetPlaceHolder(tr.text("common.pin", nil))
	p.remember.Text = tr.text("ui.token.prompt.remember", nil)
	var items []fyne.CanvasObject
	if req.PIN.Code() != "ok" && !req.FinalTry {
		text, importance := pinStateText(tr, req.PIN)
		p.pinState = widget.NewLabel(text)
		p.pinState.Wrapping = fyne.TextWrapWord
		p.pinState.Importance = importance
		items = append(items, p.pinState)
	}
	if req.FinalTry {
		p.final = widget.NewLabel(tr.text("ui.token.prompt.final-warning", nil))
		p.final.Wrapping = fyne.TextWrapWord
		p.final.Importance = widget.DangerImportance
		p.final.TextStyle.Bold = true
		p.consent = widget.NewCheck(tr.text("ui.token.prompt.consent", nil), func(agreed bool) {
			if agreed {
				p.ok.Enable()
			} else {
				p.ok.Disable()
			}
		})
		items = append(items, p.final, p.consent)
	}
	return items
}

// promptMessage says what the password is for, naming the file or
// certificate.
func promptMessage(tr *translator, req certstore.PasswordRequest) string {
	switch req.Purpose {
	case certstore.PurposeTokenPIN:
		return tr.text("ui.token.prompt.message", map[string]any{"Name": req.Subject, "Token": tokenName(tr, req.Token, req.Serial)})
	case certstore.PurposeNewContainer:
		return tr.text("ui.password.new-container", map[string]any{"Name": req.Subject})
	case certstore.PurposeContainer:
		return tr.text("ui.password.container", map[string]any{"Name": req.Subject})
	default:
		return tr.text("ui.password.open-file", map[string]any{"File": req.File})
	}
}

func (p *passwordPrompt) show(win fyne.Window) {
	p.dialog.Show()
	win.Canvas().Focus(p.password)
}

// submit sends the typed password, unless a new password is empty or its
// two copies differ.
func (p *passwordPrompt) submit() {
	if p.answered {
		return
	}
	if p.request.Purpose == certstore.PurposeTokenPIN {
		switch {
		case p.consent != nil && !p.consent.Checked:
			return // the final try is spent only with the person's consent
		case p.password.Text == "":
			// An empty PIN would cost a try for nothing.
			p.showProblem(p.tr.text("ui.token.prompt.empty", nil))
			return
		}
	}
	if p.request.Purpose == certstore.PurposeNewContainer {
		switch {
		case p.password.Text == "":
			p.showProblem(p.tr.text("ui.password.empty", nil))
			return
		case p.password.Text != p.repeat.Text:
			p.showProblem(p.tr.text("ui.password.mismatch", nil))
			return
		}
	}
	p.answered = true
	answer := passwordAnswer{Password: p.password.Text, Remember: p.remember.Checked}
	p.dialog.Hide()
	p.answers <- answer
	close(p.answers)
}

func (p *passwordPrompt) showProblem(text string) {
	p.problem.SetText(text)
	p.problem.Show()
	p.dialog.Refresh()
}

// dismiss is the Cancel button.
func (p *passwordPrompt) dismiss() { p.dialog.Hide() }

// finish runs whenever the dialog closes: without an answer, it cancels.
func (p *passwordPrompt) finish() {
	if !p.answered {
		p.answered = true
		close(p.answers)
	}
}

// askPassword shows a prompt from a background goroutine and waits for the
// answer; a closed prompt is certstore.ErrCancelled.
func (w *mainWindow) askPassword(req certstore.PasswordRequest, problem string, remember bool) (passwordAnswer, error) {
	answers := make(chan passwordAnswer, 1)
	w.do(func() {
		p := newPasswordPrompt(w.tr, w.window, req, problem, remember, answers)
		p.show(w.window)
		if w.onPrompt != nil {
			w.onPrompt(p)
		}
	})
	answer, ok := <-answers
	if !ok {
		return passwordAnswer{}, certstore.ErrCancelled
	}
	return answer, nil
}
