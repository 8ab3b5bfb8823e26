package ui

import (
	"bytes"
	"errors"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/internal/atomicfile"
)

// exportFormat is a file format a certificate can be saved in.
type exportFormat string

const (
	exportPEM exportFormat = "pem" // Base64 text, one block per certificate
	exportDER exportFormat = "der" // binary, one certificate only
	exportP7B exportFormat = "p7b" // PKCS#7 bundle, the usual way to hand over a chain
	exportPFX exportFormat = "pfx" // PKCS#12 with the private key, under a password of its own
)

// exportFormats are the formats e can be saved in: the private key only
// leaves with a certificate that has one.
func exportFormats(e *certstore.Entry) []exportFormat {
	formats := []exportFormat{exportPEM, exportDER, exportP7B}
	if e.HasKey {
		formats = append(formats, exportPFX)
	}
	return formats
}

// extension is the usual file name extension of the format.
func (f exportFormat) extension() string {
	switch f {
	case exportDER:
		return ".cer"
	case exportP7B:
		return ".p7b"
	case exportPFX:
		return ".pfx"
	default:
		return ".pem"
	}
}

// exportData encodes chain (the certificate first, then its issuers) in f.
// DER holds one certificate, so only the first is written.
func exportData(chain []*certstore.Entry, f exportFormat) []byte {
	ders := make([][]byte, len(chain))
	for i, c := range chain {
		ders[i] = c.Cert.Raw
	}
	switch f {
	case exportDER:
		return bytes.Clone(ders[0])
	case exportP7B:
		return format.EncodePKCS7(ders)
	default:
		return format.EncodePEM("CERTIFICATE", ders)
	}
}

// fileNameFor suggests a file name: the common name without characters
// file systems refuse.
func fileNameFor(e *certstore.Entry, f exportFormat) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(e.Cert.Subject.CommonName()))
	if name == "" {
		name = e.ID[:8]
	}
	return name + f.extension()
}

// exportDialog asks how to save a certificate: the format and whether to
// add the chain; for a .pfx also the new file's password, typed twice.
type exportDialog struct {
	entry  *certstore.Entry
	dialog *dialog.CustomDialog
	format *widget.RadioGroup
	chain  *widget.Check
	noKey  *widget.Label // certificate formats: the key stays in the store
	// pfxBox (the warning that the file holds the private key, the
	// password and its repeat) is shown while .pfx is chosen.
	pfxBox   *fyne.Container
	password *widget.Entry
	repeat   *widget.Entry
	problem  *widget.Label // what is wrong with the typed password
	save     *widget.Button
	cancel   *widget.Button
	labels   map[string]exportFormat // radio option -> format
}

// chosen is the format picked in the dialog.
func (d *exportDialog) chosen() exportFormat { return d.labels[d.format.Selected] }

func (w *mainWindow) showExport(e *certstore.Entry) {
	d := &exportDialog{entry: e, labels: map[string]exportFormat{}}
	var options []string
	for _, f := range exportFormats(e) {
		label := w.tr.text("ui.export.format."+string(f), nil)
		d.labels[label] = f
		options = append(options, label)
	}
	d.chain = widget.NewCheck(w.tr.text("ui.export.chain", nil), nil)
	d.noKey = widget.NewLabel(w.tr.text("ui.export.no-key", nil))
	if e.Token != nil && !e.HasKey {
		// Only the certificate can leave: a token never gives its key out.
		d.noKey.SetText(w.tr.text("ui.token.export.no-key", map[string]any{"Token": tokenName(w.tr, e.Token.Label, e.Token.Serial)}))
	}
	d.noKey.Wrapping = fyne.TextWrapWord
	d.noKey.Importance = widget.LowImportance
	warning := widget.NewLabel(w.tr.text("ui.export.pfx-warning", nil))
	warning.Wrapping = fyne.TextWrapWord
	warning.Importance = widget.WarningImportance
	d.password = widget.NewPasswordEntry()
	d.password.SetPlaceHolder(w.tr.text("ui.export.pfx-password", nil))
	d.repeat = widget.NewPasswordEntry()
	d.repeat.SetPlaceHolder(w.tr.text("ui.password.repeat", nil))
	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance
	d.problem.TextStyle.Bold = true
	d.problem.Hide()
	d.pfxBox = container.NewVBox(warning, d.problem, d.password, d.repeat)
	d.pfxBox.Hide()
	d.format = widget.NewRadioGroup(options, func(string) { d.formatChanged(w.window) })
	d.format.Required = true
	intro := widget.NewLabel(w.tr.text("ui.export.message", map[string]any{"Name": displayName(w.tr, e.Cert.Subject)}))
	intro.Wrapping = fyne.TextWrapWord
	d.dialog = dialog.NewCustomWithoutButtons(w.tr.text("ui.export.title", nil), container.NewVBox(intro, d.format, d.chain, d.noKey, d.pfxBox), w.window)
	d.format.SetSelected(options[0])
	d.cancel = widget.NewButton(w.tr.text("common.cancel", nil), d.dialog.Hide)
	d.save = widget.NewButton(w.tr.text("ui.export.save", nil), func() { d.submit(w) })
	d.password.OnSubmitted = func(string) { d.submit(w) }
	d.repeat.OnSubmitted = func(string) { d.submit(w) }
	d.save.Importance = widget.HighImportance
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.save})
	d.dialog.Resize(dialogSize(w.window, 480))
	w.export = d
	d.dialog.Show()
}

// formatChanged fits the dialog to the chosen format: DER holds no chain,
// a .pfx needs a password of its own.
func (d *exportDialog) formatChanged(win fyne.Window) {
	f := d.chosen()
	if f == exportDER {
		d.chain.SetChecked(false)
		d.chain.Disable()
	} else {
		d.chain.Enable()
	}
	if f == exportPFX {
		d.noKey.Hide()
		d.pfxBox.Show()
		win.Canvas().Focus(d.password)
	} else {
		d.pfxBox.Hide()
		d.noKey.Show()
	}
	d.dialog.Resize(dialogSize(win, 480))
}

// submit starts the export; a .pfx password must be given and typed the
// same twice.
func (d *exportDialog) submit(w *mainWindow) {
	f := d.chosen()
	if f != exportPFX {
		d.dialog.Hide()
		w.saveExport(d.entry, f, d.chain.Checked)
		return
	}
	switch {
	case d.password.Text == "":
		d.showProblem(w, w.tr.text("ui.password.empty", nil), d.password)
		return
	case d.password.Text != d.repeat.Text:
		d.showProblem(w, w.tr.text("ui.password.mismatch", nil), d.repeat)
		return
	}
	d.dialog.Hide()
	w.exportPFX(d.entry, d.password.Text, d.chain.Checked)
}

func (d *exportDialog) showProblem(w *mainWindow, text string, focus *widget.Entry) {
	d.problem.SetText(text)
	d.problem.Show()
	d.dialog.Resize(dialogSize(w.window, 480))
	w.window.Canvas().Focus(focus)
}

// exportPFX builds the .pfx in the background first (unlocking the key may
// ask for the container's password), and only then asks where to save it:
// fyne's save dialog creates the chosen file at once, so a refused password
// must not come after it and leave an empty file behind.
func (w *mainWindow) exportPFX(e *certstore.Entry, filePassword string, withChain bool) {
	w.background(func() {
		data, err := w.pfxData(e, filePassword, withChain)
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			w.saveFile(fileNameFor(e, exportPFX), func(writer fyne.URIWriteCloser) error {
				return writeFileData(writer, data, 0o600)
			})
		})
	})
}

// pfxData exports e with its key. The store uses a remembered container
// password first and asks only when there is none that works; a wrong
// password is asked for again, saying it was wrong, until the person gets
// it right or cancels. Runs in the background.
func (w *mainWindow) pfxData(e *certstore.Entry, filePassword string, withChain bool) ([]byte, error) {
	problem := ""
	for {
		asked, remember, typed := false, false, ""
		ask := func(req certstore.PasswordRequest) (string, error) {
			asked = true
			answer, err := w.askPassword(req, problem, false)
			if err != nil {
				return "", err
			}
			remember, typed = answer.Remember, answer.Password
			return answer.Password, nil
		}
		data, err := w.store.ExportPFX(e.ID, ask, filePassword, withChain)
		if asked && errors.Is(err, certstore.ErrWrongPassword) {
			problem = w.tr.text("err.wrong-password", nil)
			continue
		}
		if err == nil && remember {
			err = w.store.Remember(e.ID, typed)
		}
		return data, err
	}
}

// saveExport builds the file's contents first (the chain comes from the
// store, in the background) and only then asks where to save: Fyne's save
// dialog creates, and truncates, the chosen file at once, so a failure after
// it would leave an empty file or wipe one the person agreed to replace.
func (w *mainWindow) saveExport(e *certstore.Entry, f exportFormat, withChain bool) {
	w.background(func() {
		data, err := w.certData(e, f, withChain)
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			w.saveFile(fileNameFor(e, f), func(writer fyne.URIWriteCloser) error {
				return writeFileData(writer, data, 0o644) // certificates are public
			})
		})
	})
}

// saveFile shows the save dialog suggesting name, and runs write on the
// chosen file in the background.
func (w *mainWindow) saveFile(name string, write func(fyne.URIWriteCloser) error) {
	save := dialog.NewFileSave(func(writer fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if writer == nil {
			return // cancelled
		}
		w.background(func() {
			err := write(writer)
			w.do(func() { w.showError(err) })
		})
	}, w.window)
	save.SetFileName(name)
	save.Resize(fyne.NewSize(800, 560))
	save.Show()
}

// certData is e (and, but for DER, its chain from the store) encoded in f.
func (w *mainWindow) certData(e *certstore.Entry, f exportFormat, withChain bool) ([]byte, error) {
	chain := []*certstore.Entry{e}
	if withChain && f != exportDER {
		var err error
		if chain, _, err = w.store.Chain(e.ID); err != nil {
			return nil, err
		}
	}
	return exportData(chain, f), nil
}

// writeFileData writes data to the file behind writer with permissions
// perm. A local file is written through atomicfile, so a failure midway
// never leaves half a file.
func writeFileData(writer fyne.URIWriteCloser, data []byte, perm os.FileMode) error {
	if writer.URI().Scheme() == "file" {
		writer.Close()
		return atomicfile.Write(writer.URI().Path(), data, perm)
	}
	_, err := writer.Write(data)
	if cerr := writer.Close(); err == nil {
		err = cerr
	}
	return err
}
