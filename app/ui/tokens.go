package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/token"
)

// The token panel is the Certificates tab's second view ("Токены и
// смарт-карты"): every token the PKCS#11 modules see, its PIN state and
// certificates, with "Add to store" and "Change PIN"; a rescan; the module
// setting; and, when nothing is found, what to install or check. Module
// calls can take seconds (a reader waking up, a module initialising), so
// every one runs in the background.

// plugState is whether a token entry's token is plugged in now.
type plugState int

const (
	plugUnknown plugState = iota // not asked yet, or the entry has no token
	plugIn
	plugOut
)

// plugFor reads e's token from a presence answer (nil: not known yet).
func plugFor(presence map[string]bool, e *certstore.Entry) plugState {
	if e.Token == nil || presence == nil {
		return plugUnknown
	}
	if in, ok := presence[e.Token.Serial]; ok && in {
		return plugIn
	}
	if _, ok := presence[e.Token.Serial]; ok {
		return plugOut
	}
	return plugUnknown
}

// tokenMark is the list's note on a certificate whose key is on a token:
// the token's name and whether it is plugged in.
func tokenMark(tr *translator, e *certstore.Entry, plug plugState) string {
	if e.Token == nil {
		return ""
	}
	params := map[string]any{"Token": tokenName(tr, e.Token.Label, e.Token.Serial)}
	switch plug {
	case plugIn:
		return tr.text("ui.token.list.mark-plugged", params)
	case plugOut:
		return tr.text("ui.token.list.mark-unplugged", params)
	}
	return tr.text("ui.token.list.mark", params)
}

// tokenName is how a token is called: its label, else its serial (a
// token never initialised has a blank label).
func tokenName(tr *translator, label, serial string) string {
	if l := strings.TrimSpace(label); l != "" {
		return l
	}
	if s := strings.TrimSpace(serial); s != "" {
		return s
	}
	return tr.text("ui.token.unnamed", nil)
}

// pinStateText is a token's PIN state in words (the token package's
// translations), and how alarming it is: amber while tries are running
// out or the PIN must be changed, red at the final try or when locked.
func pinStateText(tr *translator, st token.PINState) (string, widget.Importance) {
	if st.Locked {
		return tr.text("ui.token.pin-locked", nil), widget.DangerImportance
	}
	text := capitalize(tr.text("token.pin."+st.Code(), nil))
	switch {
	case st.FinalTry:
		return text, widget.DangerImportance
	case st.CountLow, st.ToBeChanged:
		return text, widget.WarningImportance
	}
	return text, widget.MediumImportance
}

// capitalize starts a sentence: the token package's PIN words are written
// to follow a colon in the command line's listing.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// tokenCertLine is one certificate of a token, as the panel words it.
type tokenCertLine struct {
	Name    string // the owner's name, or the object's label when it does not parse
	Details string // "до 12.05.2027 · ключевая пара на токене · ещё не в хранилище"
	Problem bool   // the certificate does not parse
}

// tokenCard is what the panel shows of one token.
type tokenCard struct {
	Module token.Candidate
	Token  *token.TokenScan
	Title  string
	Sub    string // model and serial
	PIN    string
	PINImp widget.Importance
	// Notes are further lines: the SO PIN is locked too, a PIN pad, a
	// failure reading the objects.
	Notes []string
	Lines []tokenCertLine

	// The card's buttons, for the window to drive (and tests to tap).
	importButton *widget.Button
	pinButton    *widget.Button
}

// describeTokens words the tokens of a scan; inStore finds a store entry
// by ID (nil: not in the store).
func describeTokens(tr *translator, scan *token.Scan, inStore func(id string) *certstore.Entry) []*tokenCard {
	var cards []*tokenCard
	for _, m := range scan.Modules {
		for _, sl := range m.Slots {
			t := sl.Token
			if t == nil {
				continue
			}
			c := &tokenCard{Module: m.Candidate, Token: t, Title: tokenName(tr, t.Info.Label, t.Info.Serial)}
			var sub []string
			if model := strings.TrimSpace(t.Info.Model); model != "" {
				sub = append(sub, model)
			}
			if serial := strings.TrimSpace(t.Info.Serial); serial != "" {
				sub = append(sub, tr.text("ui.token.serial", map[string]any{"Serial": serial}))
			}
			if product := m.Product; product != "" {
				sub = append(sub, tr.text("ui.token.module", map[string]any{"Module": product}))
			}
			c.Sub = strings.Join(sub, " · ")
			if t.LoginRequired {
				c.PIN, c.PINImp = pinStateText(tr, t.PIN)
			}
			if t.PIN.SOLocked {
				c.Notes = append(c.Notes, tr.text("ui.token.so-locked", nil))
			}
			if t.PINPad {
				c.Notes = append(c.Notes, tr.text("ui.token.pin-pad", nil))
			}
			if t.Err != nil {
				c.Notes = append(c.Notes, tr.text("ui.token.read-failed", map[string]any{"Message": tr.describe(t.Err).Message}))
			}
			for _, tc := range t.Certificates {
				c.Lines = append(c.Lines, describeTokenCert(tr, t, tc, inStore))
			}
			cards = append(cards, c)
		}
	}
	return cards
}

// describeTokenCert words one certificate of token t: its owner, last day,
// whether its key pair is there and whether the store has it already.
func describeTokenCert(tr *translator, t *token.TokenScan, tc token.Certificate, inStore func(string) *certstore.Entry) tokenCertLine {
	if tc.Cert == nil {
		message := ""
		if tc.ParseErr != nil {
			message = tr.describe(tc.ParseErr).Message
		}
		return tokenCertLine{
			Name:    tokenName(tr, tc.Label, ""),
			Details: tr.text("ui.token.cert.unreadable", map[string]any{"Message": message}),
			Problem: true,
		}
	}
	details := []string{tr.text("ui.token.cert.until", map[string]any{"Date": tr.date(tc.Cert.NotAfter)})}
	if !tc.Cert.IsCA {
		details = append(details, tr.text("ui.token.key."+string(keyStateOrUnknown(tc.Key)), nil))
	}
	e := inStore(tc.Cert.Thumbprint())
	switch {
	case e == nil:
		details = append(details, tr.text("ui.token.cert.not-in-store", nil))
	case e.Token != nil && e.Token.Serial == t.Info.Serial,
		tc.Key == token.KeyNone || tc.Cert.IsCA:
		details = append(details, tr.text("ui.token.cert.in-store", nil))
	default:
		// Imported from a file before: "Add to store" links it to the token.
		details = append(details, tr.text("ui.token.cert.unlinked", nil))
	}
	return tokenCertLine{Name: displayName(tr, tc.Cert.Subject), Details: strings.Join(details, " · ")}
}

func keyStateOrUnknown(k token.KeyState) token.KeyState {
	switch k {
	case token.KeyPrivate, token.KeyPublicOnly, token.KeyNone:
		return k
	}
	return token.KeyUnknown
}

// scanOutcome sorts a scan into what the panel shows.
type scanOutcome int

const (
	scanNoModule scanOutcome = iota // no module found, or none loaded
	scanNoToken                     // modules loaded, no token in any slot
	scanTokens
)

func outcomeOf(scan *token.Scan) scanOutcome {
	loaded := false
	for _, m := range scan.Modules {
		if m.Err == nil {
			loaded = true
		}
	}
	switch {
	case scan.Tokens() > 0:
		return scanTokens
	case loaded:
		return scanNoToken
	}
	return scanNoModule
}

// tokenPanel is the view of the tokens.
type tokenPanel struct {
	w       *mainWindow
	content *fyne.Container

	back     *widget.Button
	rescan   *widget.Button
	settings *widget.Button
	progress *widget.ProgressBarInfinite
	status   *widget.Label // "Ищу токены…" while scanning
	body     *fyne.Container
	scroll   *container.Scroll

	// scan is the last scan shown (nil before the first); scanning is
	// whether one runs now.
	scan     *token.Scan
	scanning bool
	outcome  scanOutcome
	cards    []*tokenCard
	// moduleProblems are the texts of the modules that failed, one per
	// module; emptyTitle and emptyMessage the empty screen's (hidden when
	// tokens are shown).
	moduleProblems []string
	emptyTitle     *widget.Label
	emptyMessage   *widget.Label
	emptySettings  *widget.Button

	// The dialogs on screen, kept so that they can be driven.
	pin         *changePINDialog
	moduleDlg   *moduleSettingsDialog
	lastNoticed dialog.Dialog
}

func newTokenPanel(w *mainWindow) *tokenPanel {
	tr := w.tr
	p := &tokenPanel{w: w}
	p.back = widget.NewButtonWithIcon(tr.text("ui.token.back", nil), theme.NavigateBackIcon(), w.showCertificates)
	p.rescan = widget.NewButtonWithIcon(tr.text("ui.token.rescan", nil), theme.ViewRefreshIcon(), func() { p.startScan(true) })
	p.settings = widget.NewButtonWithIcon(tr.text("ui.token.settings", nil), theme.SettingsIcon(), p.showModuleSettings)
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.status = widget.NewLabel(tr.text("ui.token.scanning", nil))
	p.status.Hide()
	title := widget.NewLabelWithStyle(tr.text("ui.token.title", nil), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := container.NewHBox(p.back, title, layout.NewSpacer(), p.status,
		container.NewGridWrap(fyne.NewSize(120, p.progress.MinSize().Height), p.progress), p.settings, p.rescan)

	p.emptyTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.emptyMessage = widget.NewLabel("")
	p.emptyMessage.Wrapping = fyne.TextWrapWord
	p.emptySettings = widget.NewButtonWithIcon(tr.text("ui.token.settings", nil), theme.SettingsIcon(), p.showModuleSettings)

	p.body = container.NewVBox()
	p.scroll = container.NewVScroll(p.body)
	p.content = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, p.scroll)
	return p
}

// showTokens switches the Certificates tab to the tokens; the first time,
// it looks for them.
func (w *mainWindow) showTokens() {
	w.tabs.Select(w.certsTab)
	w.certView.Hide()
	w.tokens.content.Show()
	if w.tokens.scan == nil && !w.tokens.scanning {
		w.tokens.startScan(false)
	}
}

// showCertificates switches back to the certificate list.
func (w *mainWindow) showCertificates() {
	w.tokens.content.Hide()
	w.certView.Show()
}

// startScan looks for tokens in the background. reload (the Rescan button)
// first unloads the modules, since some see a reader attached after they
// were initialised only once initialised again; it is skipped while a key
// is open (signing, changing a PIN), whose session it would end.
func (p *tokenPanel) startScan(reload bool) {
	if p.scanning {
		return
	}
	p.scanning = true
	p.rescan.Disable()
	p.status.Show()
	p.progress.Show()
	p.progress.Start()
	w := p.w
	w.background(func() {
		if reload && w.tokenUse.TryLock() {
			// A module that fails to finalise is opened afresh anyway,
			// and the scan reports what is wrong with it.
			_ = w.store.Tokens().Reload()
			w.tokenUse.Unlock()
		}
		w.tokenUse.RLock()
		scan := w.store.Tokens().Scan(context.Background(), w.store.ModuleCandidates(""), token.ScanOptions{EmptySlots: true})
		entries, err := w.store.Entries()
		var presence map[string]bool
		if err == nil {
			presence = w.store.TokenPresence(context.Background(), entries)
		}
		w.tokenUse.RUnlock()
		w.do(func() {
			p.scanning = false
			p.rescan.Enable()
			p.progress.Stop()
			p.progress.Hide()
			p.status.Hide()
			p.scan = scan
			if err == nil {
				w.presenceRun++ // older checks are out of date
				w.presence = presence
				w.setEntries(entries, "") // renders the panel too
			} else {
				p.render()
				w.showError(err)
			}
		})
	})
}

// render shows the last scan against the store's entries.
func (p *tokenPanel) render() {
	if p.scan == nil {
		return
	}
	tr := p.w.tr
	p.body.RemoveAll()
	p.outcome = outcomeOf(p.scan)
	p.cards = describeTokens(tr, p.scan, p.w.entryByID)
	p.moduleProblems = nil

	switch p.outcome {
	case scanNoModule:
		p.emptyTitle.SetText(tr.text("ui.token.none-module.title", nil))
		p.emptyMessage.SetText(tr.text("ui.token.none-module.message", nil))
		p.body.Add(container.NewPadded(container.NewVBox(p.emptyTitle, p.emptyMessage, container.NewHBox(p.emptySettings))))
	case scanNoToken:
		message := tr.text("ui.token.none-token.message", nil)
		if modules := loadedModules(tr, p.scan); modules != "" {
			message += "\n\n" + tr.text("ui.token.none-token.modules", map[string]any{"Modules": modules})
		}
		if readers := emptyReaders(p.scan); readers != "" {
			message += "\n" + tr.text("ui.token.none-token.readers", map[string]any{"Readers": readers})
		}
		p.emptyTitle.SetText(tr.text("ui.token.none-token.title", nil))
		p.emptyMessage.SetText(message)
		p.body.Add(container.NewPadded(container.NewVBox(p.emptyTitle, p.emptyMessage)))
	default:
		for _, c := range p.cards {
			p.body.Add(p.cardView(c))
		}
	}
	// Modules and readers that failed are said in every case: a wrong
	// path in the settings, a module built for another processor, a
	// reader that does not answer.
	for _, m := range p.scan.Modules {
		title := m.Product
		if title == "" {
			title = tr.text("ui.token.module-unknown", nil)
		}
		if m.Err != nil {
			p.body.Add(p.problemView(title, m.Path, m.Err))
			continue
		}
		for _, sl := range m.Slots {
			if sl.Err != nil && sl.Token == nil {
				p.body.Add(p.problemView(strings.TrimSpace(sl.Description), m.Path, sl.Err))
			}
		}
	}
	p.body.Refresh()
}

// cardView draws one token: name, model and serial, PIN state, its
// certificates and its two actions.
func (p *tokenPanel) cardView(c *tokenCard) fyne.CanvasObject {
	tr := p.w.tr
	box := container.NewVBox()
	if c.PIN != "" {
		pin := widget.NewLabelWithStyle(c.PIN, fyne.TextAlignLeading, fyne.TextStyle{Bold: c.PINImp != widget.MediumImportance})
		pin.Importance = c.PINImp
		pin.Wrapping = fyne.TextWrapWord
		box.Add(pin)
	}
	for _, n := range c.Notes {
		note := widget.NewLabel(n)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		box.Add(note)
	}
	if len(c.Lines) == 0 {
		none := widget.NewLabel(tr.text("ui.token.no-certificates", nil))
		none.Importance = widget.LowImportance
		box.Add(none)
	}
	for _, l := range c.Lines {
		name := widget.NewLabelWithStyle(l.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateEllipsis
		details := widget.NewLabel(l.Details)
		details.Wrapping = fyne.TextWrapWord
		details.SizeName = theme.SizeNameCaptionText
		if l.Problem {
			details.Importance = widget.DangerImportance
		}
		icon := widget.NewIcon(theme.DocumentIcon())
		box.Add(container.NewBorder(nil, nil, icon, nil, container.New(layout.NewCustomPaddedVBoxLayout(0), name, details)))
	}
	c.importButton = widget.NewButtonWithIcon(tr.text("ui.token.import", nil), theme.DownloadIcon(), func() { p.importToken(c) })
	c.importButton.Importance = widget.HighImportance
	if !hasReadable(c.Token) {
		c.importButton.Disable()
	}
	c.pinButton = widget.NewButtonWithIcon(tr.text("ui.token.change-pin", nil), theme.AccountIcon(), func() { p.w.newChangePIN(c) })
	if c.Token.PIN.Locked || !c.Token.LoginRequired || c.Token.PINPad {
		// A locked PIN is unblocked with the SO PIN, in the vendor's
		// tools; a PIN pad takes the PINs on the device.
		c.pinButton.Disable()
	}
	box.Add(container.NewHBox(c.importButton, c.pinButton))
	return widget.NewCard(c.Title, c.Sub, box)
}

func hasReadable(t *token.TokenScan) bool {
	for _, tc := range t.Certificates {
		if tc.Cert != nil {
			return true
		}
	}
	return false
}

// problemView says why a module (or one of its readers) could not be
// used, with the fix.
func (p *tokenPanel) problemView(title, path string, err error) fyne.CanvasObject {
	tr := p.w.tr
	problem := tr.describe(err)
	p.moduleProblems = append(p.moduleProblems, problem.Message)
	message := widget.NewLabel(problem.Message)
	message.Wrapping = fyne.TextWrapWord
	message.Importance = widget.DangerImportance
	message.Selectable = true
	box := container.NewVBox(message)
	if problem.Hint != "" {
		hint := widget.NewLabel(problem.Hint)
		hint.Wrapping = fyne.TextWrapWord
		hint.Selectable = true
		box.Add(hint)
	}
	return widget.NewCard(title, path, box)
}

// loadedModules names the modules that loaded: "Рутокен (/usr/lib/…)".
func loadedModules(tr *translator, scan *token.Scan) string {
	var names []string
	for _, m := range scan.Modules {
		if m.Err != nil {
			continue
		}
		if m.Product != "" {
			names = append(names, m.Product+" ("+m.Path+")")
		} else {
			names = append(names, m.Path)
		}
	}
	return strings.Join(names, ", ")
}

// emptyReaders names the hardware slots without a token: a reader the
// system sees, with no card in it.
func emptyReaders(scan *token.Scan) string {
	var names []string
	for _, m := range scan.Modules {
		for _, sl := range m.Slots {
			if sl.Token == nil && sl.Hardware {
				names = append(names, strings.TrimSpace(sl.Description))
			}
		}
	}
	return strings.Join(names, ", ")
}

// importToken puts a token's certificates in the store: no PIN is needed,
// certificates whose key could not be seen without one are taken as
// personal (the store decides).
func (p *tokenPanel) importToken(c *tokenCard) {
	w := p.w
	c.importButton.Disable()
	module, scanned := c.Module.Path, c.Token
	// The summary names the token where it names a file; a slash in a
	// label would cut it as if it were a path.
	source := strings.ReplaceAll(w.tr.text("ui.token.import-source", map[string]any{"Token": c.Title}), string(filepath.Separator), "∕")
	w.background(func() {
		res, err := w.store.ImportToken(module, scanned)
		entries, listErr := w.store.Entries()
		w.do(func() {
			if listErr == nil {
				w.setEntries(entries, firstAdded([]importOutcome{{Result: res}}))
			} else {
				p.render()
			}
			w.reportImport([]importOutcome{{File: source, Result: res, Err: err}})
			if listErr != nil {
				w.showError(listErr)
			}
			w.checkPresence()
		})
	})
}

// changePINDialog changes a token's user PIN: the current one, the new one
// twice. Everything that can be checked without the token is checked
// first, so a typo costs no try; a wrong current PIN is said with the
// tries the token has left and is never sent again on its own.
type changePINDialog struct {
	w       *mainWindow
	card    *tokenCard
	dialog  *dialog.CustomDialog
	message *widget.Label
	limits  *widget.Label
	problem *widget.Label
	current *widget.Entry
	pin     *widget.Entry
	repeat  *widget.Entry
	// finalTry shows the warning and the box the person must tick before
	// the last try is spent.
	finalBox *fyne.Container
	consent  *widget.Check
	ok       *widget.Button
	cancel   *widget.Button
	running  bool
}

// errFinalTryNotAgreed stops a PIN change when the token turned out to be
// at its final try although the dialog did not know it: the person has
// not agreed to risk it yet.
var errFinalTryNotAgreed = errors.New("final try not agreed")

func (w *mainWindow) newChangePIN(c *tokenCard) *changePINDialog {
	tr := w.tr
	info := c.Token.Info
	d := &changePINDialog{
		w:       w,
		card:    c,
		message: widget.NewLabel(tr.text("ui.token.passwd.message", map[string]any{"Token": c.Title})),
		limits:  widget.NewLabel(""),
		problem: widget.NewLabel(""),
		current: widget.NewPasswordEntry(),
		pin:     widget.NewPasswordEntry(),
		repeat:  widget.NewPasswordEntry(),
	}
	d.message.Wrapping = fyne.TextWrapWord
	d.limits.Wrapping = fyne.TextWrapWord
	d.limits.Importance = widget.LowImportance
	if info.MaxPIN > 0 && info.MaxPIN >= info.MinPIN {
		d.limits.SetText(tr.text("ui.token.passwd.limits", map[string]any{"Min": info.MinPIN, "Max": info.MaxPIN}))
	} else {
		d.limits.Hide()
	}
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance
	d.problem.TextStyle.Bold = true
	d.problem.Hide()
	d.current.SetPlaceHolder(tr.text("ui.token.passwd.current", nil))
	d.pin.SetPlaceHolder(tr.text("ui.token.passwd.new", nil))
	d.repeat.SetPlaceHolder(tr.text("ui.token.passwd.repeat", nil))
	for _, e := range []*widget.Entry{d.current, d.pin, d.repeat} {
		e.OnSubmitted = func(string) { d.submit() }
	}
	warning := widget.NewLabel(tr.text("ui.token.prompt.final-warning", nil))
	warning.Wrapping = fyne.TextWrapWord
	warning.Importance = widget.DangerImportance
	warning.TextStyle.Bold = true
	d.consent = widget.NewCheck(tr.text("ui.token.prompt.consent", nil), func(bool) { d.updateOK() })
	d.finalBox = container.NewVBox(warning, d.consent)
	if !c.Token.PIN.FinalTry {
		d.finalBox.Hide()
	}
	content := container.NewVBox(d.message, d.finalBox, d.problem, d.current, d.pin, d.repeat, d.limits)
	d.dialog = dialog.NewCustomWithoutButtons(tr.text("ui.token.passwd.title", nil), content, w.window)
	d.ok = widget.NewButton(tr.text("ui.token.passwd.confirm", nil), d.submit)
	d.ok.Importance = widget.HighImportance
	d.cancel = widget.NewButton(tr.text("common.cancel", nil), d.dialog.Hide)
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.ok})
	d.dialog.Resize(dialogSize(w.window, 460))
	d.updateOK()
	w.tokens.pin = d
	d.dialog.Show()
	w.window.Canvas().Focus(d.current)
	return d
}

// updateOK enables the button unless a change runs or the final try
// waits for the person's consent.
func (d *changePINDialog) updateOK() {
	if d.running || (d.finalBox.Visible() && !d.consent.Checked) {
		d.ok.Disable()
	} else {
		d.ok.Enable()
	}
}

// submit checks what can be checked here, then changes the PIN in the
// background.
func (d *changePINDialog) submit() {
	if d.ok.Disabled() {
		return
	}
	tr := d.w.tr
	info := d.card.Token.Info
	switch n := uint(len(d.pin.Text)); {
	case d.current.Text == "":
		d.showProblem(tr.text("ui.token.passwd.current-empty", nil), d.current)
		return
	case d.pin.Text == "":
		d.showProblem(tr.text("ui.token.passwd.new-empty", nil), d.pin)
		return
	case d.pin.Text != d.repeat.Text:
		d.showProblem(tr.text("ui.token.passwd.mismatch", nil), d.repeat)
		return
	case info.MaxPIN > 0 && info.MaxPIN >= info.MinPIN && (n < info.MinPIN || n > info.MaxPIN):
		d.showProblem(tr.text("ui.token.passwd.length", map[string]any{"Min": info.MinPIN, "Max": info.MaxPIN}), d.pin)
		return
	}
	current, newPIN := d.current.Text, d.pin.Text
	agreed := d.finalBox.Visible() && d.consent.Checked
	candidates := []token.Candidate{d.card.Module}
	serial := d.card.Token.Info.Serial
	d.running = true
	d.updateOK()
	w := d.w
	w.background(func() {
		ask := func(req token.PINRequest) (string, error) {
			switch req.Purpose {
			case token.PINCurrent:
				if req.FinalTry && !agreed {
					return "", errFinalTryNotAgreed
				}
				return current, nil
			case token.PINNew:
				return newPIN, nil
			}
			return "", token.ErrCancelled
		}
		w.tokenUse.RLock()
		err := w.store.ChangeTokenPIN(candidates, serial, ask)
		w.tokenUse.RUnlock()
		w.do(func() { d.finish(err) })
	})
}

// finish reports how the change went. A wrong current PIN stays in the
// dialog with the token's word on the tries left; a locked PIN and other
// failures close it. The panel is scanned again either way: the PIN state
// has changed.
func (d *changePINDialog) finish(err error) {
	tr := d.w.tr
	d.running = false
	defer d.w.tokens.startScan(false)
	switch {
	case err == nil:
		d.dialog.Hide()
		d.w.tokens.lastNoticed = dialog.NewInformation(tr.text("ui.token.passwd.done-title", nil),
			tr.text("ui.token.passwd.done", map[string]any{"Token": d.card.Title}), d.w.window)
		d.w.tokens.lastNoticed.Show()
		return
	case errors.Is(err, errFinalTryNotAgreed), errors.Is(err, token.ErrPINFinalTry):
		d.showFinalTry()
		d.showProblem(tr.text("ui.token.prompt.final-warning", nil), d.current)
	case errors.Is(err, token.ErrPINIncorrect), errors.Is(err, token.ErrPINCountLow), errors.Is(err, token.ErrPINLastTry):
		d.current.SetText("")
		if errors.Is(err, token.ErrPINLastTry) {
			d.showFinalTry()
		}
		d.showProblem(tr.describe(err).Message, d.current)
	case errors.Is(err, token.ErrPINLength), errors.Is(err, token.ErrPINInvalid):
		d.showProblem(tr.describe(err).Message, d.pin)
	default:
		d.dialog.Hide()
		d.w.showError(err)
		return
	}
	d.updateOK()
}

// showFinalTry asks for consent from now on: the token is at its last try.
func (d *changePINDialog) showFinalTry() {
	if !d.finalBox.Visible() {
		d.consent.SetChecked(false)
		d.finalBox.Show()
	}
}

func (d *changePINDialog) showProblem(text string, focus *widget.Entry) {
	d.problem.SetText(text)
	d.problem.Show()
	d.dialog.Resize(dialogSize(d.w.window, 460))
	d.w.window.Canvas().Focus(focus)
}

// moduleSettingsDialog is the setting of the PKCS#11 module: a library
// path, or nothing to find modules automatically.
type moduleSettingsDialog struct {
	dialog *dialog.CustomDialog
	path   *widget.Entry
	found  *widget.Label // what the automatic search finds
	choose *widget.Button
	auto   *widget.Button
	save   *widget.Button
	cancel *widget.Button
}

// showModuleSettings reads the settings in the background and shows the
// dialog; what Discover finds is filled in once known.
func (p *tokenPanel) showModuleSettings() {
	w := p.w
	w.background(func() {
		st, err := w.store.Settings()
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			p.newModuleSettings(st)
		})
	})
}

func (p *tokenPanel) newModuleSettings(st certstore.Settings) *moduleSettingsDialog {
	w := p.w
	tr := w.tr
	d := &moduleSettingsDialog{path: widget.NewEntry(), found: widget.NewLabel("")}
	d.path.SetPlaceHolder(tr.text("ui.token.settings.placeholder", nil))
	d.path.SetText(st.TokenModule)
	d.found.Wrapping = fyne.TextWrapWord
	d.found.Importance = widget.LowImportance
	d.found.Hide()
	message := widget.NewLabel(tr.text("ui.token.settings.message", nil))
	message.Wrapping = fyne.TextWrapWord
	d.choose = widget.NewButtonWithIcon(tr.text("ui.token.settings.choose", nil), theme.FolderOpenIcon(), func() {
		w.pickFile(func(path string) { d.path.SetText(path) })
	})
	d.auto = widget.NewButtonWithIcon(tr.text("ui.token.settings.auto", nil), theme.SearchIcon(), func() { d.path.SetText("") })
	content := container.NewVBox(message, d.path, container.NewHBox(d.choose, d.auto), d.found)
	d.dialog = dialog.NewCustomWithoutButtons(tr.text("ui.token.settings.title", nil), content, w.window)
	d.save = widget.NewButton(tr.text("ui.token.settings.save", nil), func() { p.saveModule(d) })
	d.save.Importance = widget.HighImportance
	d.cancel = widget.NewButton(tr.text("common.cancel", nil), d.dialog.Hide)
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.save})
	d.dialog.Resize(dialogSize(w.window, 560))
	p.moduleDlg = d
	d.dialog.Show()
	w.background(func() {
		found := token.Discover(token.DiscoverOptions{})
		w.do(func() {
			var paths []string
			for _, c := range found {
				paths = append(paths, c.Path)
			}
			if len(paths) == 0 {
				d.found.SetText(tr.text("ui.token.settings.found-none", nil))
			} else {
				d.found.SetText(tr.text("ui.token.settings.found", map[string]any{"Modules": strings.Join(paths, ", ")}))
			}
			d.found.Show()
			d.dialog.Resize(dialogSize(w.window, 560))
		})
	})
	return d
}

// saveModule keeps the setting and looks for tokens with it.
func (p *tokenPanel) saveModule(d *moduleSettingsDialog) {
	w := p.w
	path := strings.TrimSpace(d.path.Text)
	d.dialog.Hide()
	w.background(func() {
		err := w.store.SaveSettings(certstore.Settings{TokenModule: path})
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			p.startScan(true)
		})
	})
}

// setPresence marks the list and the details with which tokens are
// plugged in.
func (w *mainWindow) setPresence(presence map[string]bool) {
	w.presence = presence
	w.list.setPresence(presence)
	if w.selected != nil && w.selected.Token != nil {
		w.details.setPlug(plugFor(presence, w.selected))
	}
}

// checkPresence asks, in the background, which tokens of the store's
// entries are plugged in, and marks the list and the details with it.
func (w *mainWindow) checkPresence() {
	entries := w.entries
	hasToken := false
	for _, e := range entries {
		if e.Token != nil {
			hasToken = true
			break
		}
	}
	if !hasToken {
		return
	}
	w.presenceRun++
	run := w.presenceRun
	w.background(func() {
		w.tokenUse.RLock()
		presence := w.store.TokenPresence(context.Background(), entries)
		w.tokenUse.RUnlock()
		w.do(func() {
			if run != w.presenceRun {
				return // a newer check is under way
			}
			w.setPresence(presence)
		})
	})
}

// alertBanner is a red box with bold white text, for what stopped a piece
// of work (the sign screen's "the token was removed").
type alertBanner struct {
	content *fyne.Container
	text    *widget.Label
}

func newAlertBanner() *alertBanner {
	b := &alertBanner{text: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	b.text.Wrapping = fyne.TextWrapWord
	background := canvas.NewRectangle(colorExpired)
	background.CornerRadius = 4
	text := container.NewThemeOverride(container.NewPadded(b.text), foregroundTheme{Theme: theme.Current(), foreground: colorOnDark})
	b.content = container.NewStack(background, text)
	b.content.Hide()
	return b
}

func (b *alertBanner) show(text string) {
	b.text.SetText(text)
	b.content.Show()
	b.content.Refresh()
}

func (b *alertBanner) hide() {
	b.text.SetText("")
	b.content.Hide()
}
