package ui

import (
	"bytes"
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
)

func exportFormats() []exportFormat { return []exportFormat{exportPEM, exportDER, exportP7B} }

// extension is the usual file name extension of the format.
func (f exportFormat) extension() string {
	switch f {
	case exportDER:
		return ".cer"
	case exportP7B:
		return ".p7b"
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
// add the chain.
type exportDialog struct {
	entry  *certstore.Entry
	dialog *dialog.CustomDialog
	format *widget.RadioGroup
	chain  *widget.Check
	save   *widget.Button
	cancel *widget.Button
	labels map[string]exportFormat // radio option -> format
}

// chosen is the format picked in the dialog.
func (d *exportDialog) chosen() exportFormat { return d.labels[d.format.Selected] }

func (w *mainWindow) showExport(e *certstore.Entry) {
	d := &exportDialog{entry: e, labels: map[string]exportFormat{}}
	var options []string
	for _, f := range exportFormats() {
		label := w.tr.text("ui.export.format."+string(f), nil)
		d.labels[label] = f
		options = append(options, label)
	}
	d.chain = widget.NewCheck(w.tr.text("ui.export.chain", nil), nil)
	d.format = widget.NewRadioGroup(options, func(string) {
		if d.chosen() == exportDER {
			d.chain.SetChecked(false)
			d.chain.Disable()
		} else {
			d.chain.Enable()
		}
	})
	d.format.Required = true
	d.format.SetSelected(options[0])
	intro := widget.NewLabel(w.tr.text("ui.export.message", map[string]any{"Name": displayName(w.tr, e.Cert.Subject)}))
	intro.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel(w.tr.text("ui.export.no-key", nil))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	d.dialog = dialog.NewCustomWithoutButtons(w.tr.text("ui.export.title", nil), container.NewVBox(intro, d.format, d.chain, note), w.window)
	d.cancel = widget.NewButton(w.tr.text("common.cancel", nil), d.dialog.Hide)
	d.save = widget.NewButton(w.tr.text("ui.export.save", nil), func() {
		d.dialog.Hide()
		w.saveExport(e, d.chosen(), d.chain.Checked)
	})
	d.save.Importance = widget.HighImportance
	d.dialog.SetButtons([]fyne.CanvasObject{d.cancel, d.save})
	d.dialog.Resize(dialogSize(w.window, 480))
	w.export = d
	d.dialog.Show()
}

// saveExport asks where to save. Fyne's save dialog asks before replacing
// an existing file, so nothing is overwritten silently; the file is then
// written atomically, so a failure midway never leaves half a certificate.
func (w *mainWindow) saveExport(e *certstore.Entry, f exportFormat, withChain bool) {
	save := dialog.NewFileSave(func(writer fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if writer == nil {
			return // cancelled
		}
		w.background(func() {
			err := w.writeExport(writer, e, f, withChain)
			w.do(func() { w.showError(err) })
		})
	}, w.window)
	save.SetFileName(fileNameFor(e, f))
	save.Resize(fyne.NewSize(800, 560))
	save.Show()
}

// writeExport builds the chain from the store and writes the file. Fyne
// hands over an open writer; for a local file it is closed unused and the
// data goes through atomicfile instead.
func (w *mainWindow) writeExport(writer fyne.URIWriteCloser, e *certstore.Entry, f exportFormat, withChain bool) error {
	chain := []*certstore.Entry{e}
	if withChain && f != exportDER {
		var err error
		if chain, _, err = w.store.Chain(e.ID); err != nil {
			writer.Close()
			return err
		}
	}
	data := exportData(chain, f)
	if writer.URI().Scheme() == "file" {
		writer.Close()
		return atomicfile.Write(writer.URI().Path(), data, 0o644)
	}
	_, err := writer.Write(data)
	if cerr := writer.Close(); err == nil {
		err = cerr
	}
	return err
}
