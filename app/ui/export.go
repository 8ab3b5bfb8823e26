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

// chainOf returns e followed by its issuers found among entries, up to a
// self-signed root or the first issuer missing. An issuer is a certificate
// whose subject is the issuer's name and whose key identifier, when both
// sides have one, matches.
func chainOf(e *certstore.Entry, entries []*certstore.Entry) []*certstore.Entry {
	chain := []*certstore.Entry{e}
	seen := map[string]bool{e.ID: true}
	for cur := e; !cur.Cert.IsSelfSigned(); {
		var issuer *certstore.Entry
		for _, cand := range entries {
			c := cand.Cert
			if seen[cand.ID] || !bytes.Equal(c.RawSubject, cur.Cert.RawIssuer) {
				continue
			}
			aki, ski := cur.Cert.AuthorityKeyID, c.SubjectKeyID
			if len(aki) > 0 && len(ski) > 0 && !bytes.Equal(aki, ski) {
				continue
			}
			issuer = cand
			break
		}
		if issuer == nil {
			break
		}
		chain = append(chain, issuer)
		seen[issuer.ID] = true
		cur = issuer
	}
	return chain
}

// exportData encodes e (with its chain from entries when withChain) in f.
// DER holds one certificate, so the chain is not offered for it.
func exportData(e *certstore.Entry, entries []*certstore.Entry, f exportFormat, withChain bool) []byte {
	certs := []*certstore.Entry{e}
	if withChain && f != exportDER {
		certs = chainOf(e, entries)
	}
	ders := make([][]byte, len(certs))
	for i, c := range certs {
		ders[i] = c.Cert.Raw
	}
	switch f {
	case exportDER:
		return bytes.Clone(e.Cert.Raw)
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
// an existing file, so nothing is overwritten silently.
func (w *mainWindow) saveExport(e *certstore.Entry, f exportFormat, withChain bool) {
	data := exportData(e, w.entries, f, withChain)
	save := dialog.NewFileSave(func(writer fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if writer == nil {
			return // cancelled
		}
		w.background(func() {
			_, werr := writer.Write(data)
			cerr := writer.Close()
			w.do(func() {
				if werr == nil {
					werr = cerr
				}
				w.showError(werr)
			})
		})
	}, w.window)
	save.SetFileName(fileNameFor(e, f))
	save.Resize(fyne.NewSize(800, 560))
	save.Show()
}
