package ui

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// importExtensions narrow the open dialog to the usual names. The content
// decides what a file is, so this is a convenience, not a check.
func importExtensions() []string {
	return []string{".p12", ".pfx", ".cer", ".crt", ".der", ".pem", ".p7b", ".p7c", ".txt"}
}

// chooseImport asks for a file to import.
func (w *mainWindow) chooseImport() {
	d := dialog.NewFileOpen(func(reader fyne.URIReadCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if reader == nil {
			return // cancelled
		}
		path := reader.URI().Path()
		_ = reader.Close() // the store reads the file itself, with its size limits
		w.importFiles([]string{path})
	}, w.window)
	d.SetFilter(storage.NewExtensionFileFilter(importExtensions()))
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// importOutcome is how the import of one file ended.
type importOutcome struct {
	File   string
	Result *certstore.ImportResult // nil on failure
	Err    error                   // nil on success; certstore.ErrCancelled if the person cancelled
}

// importFiles imports each file in the background, asking for passwords as
// needed, and then shows one summary.
func (w *mainWindow) importFiles(paths []string) {
	if len(paths) == 0 {
		return
	}
	w.importButton.Disable()
	w.progress.start(len(paths))
	w.background(func() {
		outcomes := make([]importOutcome, 0, len(paths))
		for i, path := range paths {
			w.do(func() { w.progress.file(i, filepath.Base(path)) })
			outcomes = append(outcomes, w.importFile(path))
		}
		entries, listErr := w.store.Entries()
		w.do(func() {
			w.progress.stop()
			w.importButton.Enable()
			if listErr == nil {
				w.setEntries(entries, firstAdded(outcomes))
			}
			w.reportImport(outcomes)
			if listErr != nil {
				w.showError(listErr)
			}
		})
	})
}

// errRememberChanged stops an import whose "remember password" choice
// differs from the one it was started with: the store reads that choice
// before asking for the password, so the import starts again with the new
// choice and the typed password, without asking twice.
var errRememberChanged = errors.New("remember-password choice changed")

// importFile imports one file. The store asks for a password at most once
// per attempt; a wrong one is asked for again, saying it was wrong, until
// the person gets it right or cancels. Runs in the background.
func (w *mainWindow) importFile(path string) importOutcome {
	remember := false
	problem := ""
	var typed map[certstore.Purpose]string // answers to replay after a restart
	for {
		asked := false
		opts := certstore.ImportOptions{Remember: remember}
		opts.Password = func(req certstore.PasswordRequest) (string, error) {
			if pw, ok := typed[req.Purpose]; ok {
				return pw, nil
			}
			asked = true
			answer, err := w.askPassword(req, problem, remember)
			if err != nil {
				return "", err
			}
			if typed == nil {
				typed = map[certstore.Purpose]string{}
			}
			typed[req.Purpose] = answer.Password
			if answer.Remember != remember {
				remember = answer.Remember
				return "", errRememberChanged
			}
			return answer.Password, nil
		}
		res, err := w.store.ImportFile(path, opts)
		switch {
		case errors.Is(err, errRememberChanged):
			continue
		case asked && errors.Is(err, certstore.ErrWrongPassword):
			// The prompt names the file already: just say what was wrong.
			problem = w.tr.text("err.wrong-password", nil)
			typed = nil
			continue
		}
		return importOutcome{File: path, Result: res, Err: err}
	}
}

// firstAdded is the ID of the first certificate an import added: the one to
// show afterwards.
func firstAdded(outcomes []importOutcome) string {
	for _, o := range outcomes {
		if o.Result != nil && len(o.Result.Added) > 0 {
			return o.Result.Added[0].ID
		}
	}
	return ""
}

// importSummary reports a finished import: what was added, what failed and
// why, warnings, and any root certificates that wait to be trusted.
type importSummary struct {
	dialog *dialog.CustomDialog
	lines  []string // the report, one line per fact
	roots  []*certstore.Entry
	trust  []*widget.Button // one per root in roots
	ok     *widget.Button
}

// summarize words the outcomes. Cancelled imports are not failures: the
// person knows what they did.
func summarize(tr *translator, outcomes []importOutcome) (lines []string, roots []*certstore.Entry) {
	for _, o := range outcomes {
		name := filepath.Base(o.File)
		switch {
		case errors.Is(o.Err, certstore.ErrCancelled):
			lines = append(lines, tr.text("ui.import.cancelled", map[string]any{"File": name}))
		case o.Err != nil:
			p := tr.describe(o.Err)
			text := p.Message
			if !strings.Contains(text, name) {
				text = tr.text("ui.import.failed", map[string]any{"File": name, "Message": p.Message})
			}
			lines = append(lines, text)
		default:
			lines = append(lines, tr.text("ui.import.done", map[string]any{
				"File": name, "Added": len(o.Result.Added), "Existing": len(o.Result.Existing),
			}))
			for _, warning := range o.Result.Warnings {
				lines = append(lines, tr.text("ui.import.warning", map[string]any{"Message": tr.describe(warning).Message}))
			}
			for _, root := range o.Result.UntrustedRoots {
				lines = append(lines, tr.text("ui.import.untrusted-root", map[string]any{"Name": displayName(tr, root.Cert.Subject)}))
				roots = append(roots, root)
			}
		}
	}
	return lines, roots
}

// reportImport tells how an import went. A single file that failed is shown
// as the error it is; a cancelled single file needs no words.
func (w *mainWindow) reportImport(outcomes []importOutcome) {
	if len(outcomes) == 1 && outcomes[0].Err != nil {
		w.showError(outcomes[0].Err)
		return
	}
	lines, roots := summarize(w.tr, outcomes)
	s := &importSummary{lines: lines, roots: roots}
	box := container.NewVBox()
	for _, line := range lines {
		label := widget.NewLabel(line)
		label.Wrapping = fyne.TextWrapWord
		box.Add(label)
	}
	var buttons []fyne.CanvasObject
	for _, root := range roots {
		button := widget.NewButton(w.tr.text("ui.import.trust-button", map[string]any{"Name": displayName(w.tr, root.Cert.Subject)}), func() {
			s.dialog.Hide()
			if e := w.entryByID(root.ID); e != nil {
				w.confirmTrust(e)
			}
		})
		button.Importance = widget.WarningImportance
		s.trust = append(s.trust, button)
		buttons = append(buttons, button)
	}
	s.ok = widget.NewButton(w.tr.text("common.ok", nil), func() { s.dialog.Hide() })
	s.ok.Importance = widget.HighImportance
	buttons = append(buttons, s.ok)
	s.dialog = dialog.NewCustomWithoutButtons(w.tr.text("ui.import.title", nil), container.NewVScroll(box), w.window)
	s.dialog.SetButtons(buttons)
	s.dialog.Resize(fyne.NewSize(560, min(120+float32(len(lines))*60, 480)))
	w.summary = s
	s.dialog.Show()
}

// importProgress is the toolbar's "Импорт: 3 из 10 — file.p12" with a bar,
// shown only while files are being imported: sealing each key takes a
// noticeable moment, and a dropped folder's worth of files takes seconds.
type importProgress struct {
	tr      *translator
	bar     *widget.ProgressBar
	label   *widget.Label
	content *fyne.Container
	total   int
}

func newImportProgress(tr *translator) *importProgress {
	p := &importProgress{tr: tr, bar: widget.NewProgressBar(), label: widget.NewLabel("")}
	p.bar.TextFormatter = func() string { return "" }
	p.content = container.NewHBox(p.label, container.NewGridWrap(fyne.NewSize(160, p.bar.MinSize().Height), p.bar))
	p.content.Hide()
	return p
}

func (p *importProgress) start(total int) {
	p.total = total
	p.bar.Max = float64(total)
	p.bar.SetValue(0)
	p.content.Show()
}

// file says that file number i (from 0) is being imported now.
func (p *importProgress) file(i int, name string) {
	p.label.SetText(p.tr.text("ui.import.progress", map[string]any{"Done": i + 1, "Total": p.total, "File": name}))
	p.bar.SetValue(float64(i))
}

func (p *importProgress) stop() {
	p.bar.SetValue(p.bar.Max)
	p.content.Hide()
}
