package ui

import (
	"context"
	"crypto"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/signer"
)

// signScreen signs the files and folders dropped on it (or chosen) with one
// of the person's certificates: a detached or attached signature per file,
// beside it or in a chosen folder. The key's password is asked once per
// run; the files are signed in the background (signer.SignBatch), with a
// progress bar, one result line per file and a summary.
type signScreen struct {
	w       *mainWindow
	content fyne.CanvasObject

	// inputs are the chosen files and folders, in the order chosen.
	inputs     []signInput
	inputList  *widget.List
	dropHint   *widget.Label
	addFiles   *widget.Button
	addFolder  *widget.Button
	clearFiles *widget.Button

	// certs are the certificates that can sign now, in the select's order.
	certs      []*certstore.Entry
	certSelect *widget.Select
	noCerts    *widget.Label
	form       *widget.RadioGroup
	formLabels map[string]bool // radio label -> attached
	// outDir is "" for "beside each file".
	outDir      string
	outDirLabel *widget.Label
	chooseOut   *widget.Button
	besideFiles *widget.Button
	force       *widget.Check

	signButton    *widget.Button
	cancelButton  *widget.Button
	progress      *widget.ProgressBar
	progressLabel *widget.Label
	// results are the outcomes so far (during a run, in the order files
	// finished; afterwards, in the inputs' order).
	results     []signer.FileResult
	resultList  *widget.List
	resultsHint *widget.Label // before the first run
	summary     *widget.Label
	// stopped is the banner of a run that stopped because the token went
	// away or its PIN locked: how many files were signed and how to go on.
	stopped *alertBanner
	// right is the progress side, laid out again when the bar shows.
	right *fyne.Container

	// run is the signing under way, nil when idle.
	run *signRun
	// report is the last finished run's (nil before any); lastToken names
	// the token that made its signatures ("" for a key in the store).
	report    *signer.BatchReport
	lastToken string
}

// signRun is one press of "Sign". Progress reports arrive from SignBatch's
// goroutine; they are collected under mu and shown by one fyne.Do at a
// time, so a thousand small files do not queue a thousand redraws.
type signRun struct {
	cancel context.CancelFunc
	roots  []string // the inputs, to show files found in folders relative to them
	// token names the token the key is on ("" for a key in the store);
	// onToken is set once the key opened there, so the summary can say
	// the signatures were made on the device.
	token   string
	onToken bool

	mu        sync.Mutex
	pending   []signer.FileResult
	latest    signer.BatchProgress
	scheduled bool
}

func newSignScreen(w *mainWindow) *signScreen {
	tr := w.tr
	s := &signScreen{w: w, formLabels: map[string]bool{}}

	s.dropHint = widget.NewLabel(tr.text("ui.sign.drop-hint", nil))
	s.dropHint.Wrapping = fyne.TextWrapWord
	s.dropHint.Alignment = fyne.TextAlignCenter
	s.inputList = widget.NewList(
		func() int { return len(s.inputs) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			remove := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), nil)
			remove.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), remove, name)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			name := row.Objects[0].(*widget.Label)
			icon := row.Objects[1].(*widget.Icon)
			remove := row.Objects[2].(*widget.Button)
			in := s.inputs[i]
			name.SetText(in.Path)
			if in.Dir {
				icon.SetResource(theme.FolderIcon())
			} else {
				icon.SetResource(theme.FileIcon())
			}
			remove.OnTapped = func() { s.removeInput(in.Path) }
		})
	s.addFiles = widget.NewButtonWithIcon(tr.text("ui.sign.add-file", nil), theme.FileIcon(), s.chooseFile)
	s.addFolder = widget.NewButtonWithIcon(tr.text("ui.sign.add-folder", nil), theme.FolderIcon(), s.chooseFolder)
	s.clearFiles = widget.NewButtonWithIcon(tr.text("ui.sign.clear", nil), theme.ContentClearIcon(), func() {
		s.inputs = nil
		s.inputsChanged()
	})

	s.certSelect = widget.NewSelect(nil, func(string) { s.updateActions() })
	s.certSelect.PlaceHolder = tr.text("ui.sign.choose-certificate", nil)
	s.noCerts = widget.NewLabel(tr.text("ui.token.sign.no-certificates", nil))
	s.noCerts.Wrapping = fyne.TextWrapWord
	s.noCerts.Importance = widget.WarningImportance

	detached, attached := tr.text("ui.sign.form.detached", nil), tr.text("ui.sign.form.attached", nil)
	s.formLabels[detached], s.formLabels[attached] = false, true
	s.form = widget.NewRadioGroup([]string{detached, attached}, nil)
	s.form.Required = true
	s.form.SetSelected(detached)

	s.outDirLabel = widget.NewLabel("")
	s.outDirLabel.Truncation = fyne.TextTruncateEllipsis
	s.chooseOut = widget.NewButtonWithIcon(tr.text("ui.sign.out-dir.choose", nil), theme.FolderOpenIcon(), s.chooseOutDir)
	s.besideFiles = widget.NewButton(tr.text("ui.sign.out-dir.reset", nil), func() { s.setOutDir("") })
	s.force = widget.NewCheck(tr.text("ui.sign.force", nil), nil)
	s.setOutDir("")

	s.signButton = widget.NewButtonWithIcon(tr.text("ui.sign.start", nil), theme.DocumentCreateIcon(), s.start)
	s.signButton.Importance = widget.HighImportance
	s.cancelButton = widget.NewButtonWithIcon(tr.text("ui.sign.cancel", nil), theme.CancelIcon(), s.stop)
	s.cancelButton.Hide()
	s.progress = widget.NewProgressBar()
	s.progress.Hide() // until there is progress to show
	s.resultsHint = widget.NewLabel(tr.text("ui.sign.results-hint", nil))
	s.resultsHint.Wrapping = fyne.TextWrapWord
	s.resultsHint.Alignment = fyne.TextAlignCenter
	s.resultsHint.Importance = widget.LowImportance
	s.progressLabel = widget.NewLabel("")
	s.progressLabel.Truncation = fyne.TextTruncateEllipsis
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.summary.TextStyle.Bold = true
	s.stopped = newAlertBanner()
	s.resultList = widget.NewList(
		func() int { return len(s.results) },
		func() fyne.CanvasObject {
			// As wide as the longest status, so that the names line up.
			status := widget.NewLabel(longest(tr.text("ui.sign.result.signed", nil), tr.text("ui.sign.result.skipped", nil),
				tr.text("ui.sign.result.failed", nil), tr.text("ui.sign.result.canceled", nil)))
			status.TextStyle.Bold = true
			text := widget.NewLabel("")
			text.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, status, nil, text)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			text := row.Objects[0].(*widget.Label)
			status := row.Objects[1].(*widget.Label)
			line := s.resultLine(s.results[i])
			status.Importance = line.importance
			status.SetText(line.status)
			text.SetText(line.text)
		})
	// A failed line is cut to the list's width: choosing it shows the whole
	// message with its fix.
	s.resultList.OnSelected = func(i widget.ListItemID) {
		s.resultList.UnselectAll()
		if i < len(s.results) && s.results[i].Result() == "failed" {
			s.w.showError(s.results[i].Err)
		}
	}

	bold := fyne.TextStyle{Bold: true}
	inputsHeader := container.NewHBox(s.addFiles, s.addFolder, layout.NewSpacer(), s.clearFiles)
	// In a VBox, not a Center, so that the hint has the width to wrap in.
	hint := container.NewVBox(layout.NewSpacer(), s.dropHint, layout.NewSpacer())
	inputs := container.NewBorder(inputsHeader, nil, nil, nil, container.NewStack(s.inputList, hint))
	options := container.NewVBox(
		widget.NewLabelWithStyle(tr.text("ui.sign.certificate", nil), fyne.TextAlignLeading, bold),
		s.certSelect, s.noCerts,
		widget.NewLabelWithStyle(tr.text("ui.sign.form", nil), fyne.TextAlignLeading, bold),
		s.form,
		widget.NewLabelWithStyle(tr.text("ui.sign.out-dir", nil), fyne.TextAlignLeading, bold),
		container.NewBorder(nil, nil, nil, container.NewHBox(s.chooseOut, s.besideFiles), s.outDirLabel),
		s.force,
		container.NewHBox(s.signButton, s.cancelButton),
	)
	// Left, what to sign and how, ending with the button; right, how it goes.
	left := container.NewBorder(nil, options, nil, nil, inputs)
	results := container.NewStack(s.resultList, container.NewVBox(layout.NewSpacer(), s.resultsHint, layout.NewSpacer()))
	s.right = container.NewBorder(container.NewVBox(s.progress, s.progressLabel), container.NewVBox(s.stopped.content, s.summary), nil, nil, results)
	split := container.NewHSplit(left, s.right)
	split.Offset = 0.45
	s.content = split
	// Neither the select nor "no certificates" until the store is read.
	s.noCerts.Hide()
	s.inputsChanged()
	return s
}

// longest is the longest of texts (in runes).
func longest(texts ...string) string {
	var l string
	for _, t := range texts {
		if len([]rune(t)) > len([]rune(l)) {
			l = t
		}
	}
	return l
}

// signInput is a chosen file or folder.
type signInput struct {
	Path string
	Dir  bool // for the list's icon; a path that is gone shows as a file
}

func inputPaths(inputs []signInput) []string {
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		paths[i] = in.Path
	}
	return paths
}

// signableFamilies are the key types signer signs with. GOST R 34.10-2001
// keys are kept for export only: the law no longer allows signing with them.
var signableFamilies = []string{cert.FamilyRSA, cert.FamilyECDSA, cert.FamilyGOST2012256, cert.FamilyGOST2012512}

// signingCertificates are the personal certificates that can sign at now:
// with a key in the store or on a token, of a type signer signs with,
// within the certificate's validity and the private key's usage period.
func signingCertificates(entries []*certstore.Entry, now time.Time) []*certstore.Entry {
	var out []*certstore.Entry
	for _, e := range entries {
		c := e.Cert
		switch {
		case e.List != certstore.ListPersonal, !e.CanSign(),
			!slices.Contains(signableFamilies, c.PublicKeyInfo().Family),
			now.Before(c.NotBefore), now.After(c.NotAfter),
			c.PrivateKeyNotBefore != nil && now.Before(*c.PrivateKeyNotBefore),
			c.PrivateKeyNotAfter != nil && now.After(*c.PrivateKeyNotAfter):
			continue
		}
		out = append(out, e)
	}
	return out
}

// certificateLabel is how the select names a certificate: owner,
// organisation and the last day of validity, the three things people tell
// their certificates apart by, and the token its key is on.
func certificateLabel(tr *translator, e *certstore.Entry) string {
	name := displayName(tr, e.Cert.Subject)
	org := e.Cert.Subject.Organization()
	var label string
	if org == "" || org == name {
		label = tr.text("ui.sign.certificate-label", map[string]any{"Name": name, "Date": tr.date(e.Cert.NotAfter)})
	} else {
		label = tr.text("ui.sign.certificate-label-org", map[string]any{"Name": name, "Organization": org, "Date": tr.date(e.Cert.NotAfter)})
	}
	if e.Token != nil {
		label = tr.text("ui.token.sign.label", map[string]any{"Label": label, "Token": tokenName(tr, e.Token.Label, e.Token.Serial)})
	}
	return label
}

// setEntries offers the store's certificates that can sign, keeping the
// choice when it is still among them; a single one is chosen for the person.
func (s *signScreen) setEntries(entries []*certstore.Entry, now time.Time) {
	chosen := s.chosenCertificate()
	s.certs = signingCertificates(entries, now)
	labels := make([]string, len(s.certs))
	seen := map[string]bool{}
	for i, e := range s.certs {
		label := certificateLabel(s.w.tr, e)
		if seen[label] {
			// Two certificates alike in all three: the thumbprint tells them apart.
			label += " · " + strings.ToUpper(e.ID[:8])
		}
		seen[label] = true
		labels[i] = label
	}
	s.certSelect.SetOptions(labels)
	index := -1
	for i, e := range s.certs {
		if chosen != nil && e.ID == chosen.ID {
			index = i
		}
	}
	if index < 0 && len(s.certs) == 1 {
		index = 0
	}
	if index >= 0 {
		s.certSelect.SetSelectedIndex(index)
	} else {
		s.certSelect.ClearSelected()
	}
	if len(s.certs) == 0 {
		s.certSelect.Hide()
		s.noCerts.Show()
	} else {
		s.noCerts.Hide()
		s.certSelect.Show()
	}
	s.updateActions()
}

// chosenCertificate is the selected certificate, nil when none is.
func (s *signScreen) chosenCertificate() *certstore.Entry {
	i := s.certSelect.SelectedIndex()
	if i < 0 || i >= len(s.certs) {
		return nil
	}
	return s.certs[i]
}

// attached is the chosen form of signature.
func (s *signScreen) attached() bool { return s.formLabels[s.form.Selected] }

// setAttached chooses the form of signature, as the radio buttons do.
func (s *signScreen) setAttached(attached bool) {
	for label, a := range s.formLabels {
		if a == attached {
			s.form.SetSelected(label)
		}
	}
}

// addPaths adds dropped or chosen files and folders, each once. Which are
// folders is asked of the disk in the background: a network share may be
// slow to answer.
func (s *signScreen) addPaths(paths []string) {
	s.w.background(func() {
		added := make([]signInput, len(paths))
		for i, p := range paths {
			info, err := os.Stat(p)
			added[i] = signInput{Path: filepath.Clean(p), Dir: err == nil && info.IsDir()}
		}
		s.w.do(func() {
			for _, in := range added {
				if !slices.ContainsFunc(s.inputs, func(have signInput) bool { return have.Path == in.Path }) {
					s.inputs = append(s.inputs, in)
				}
			}
			s.inputsChanged()
		})
	})
}

func (s *signScreen) removeInput(path string) {
	if s.run != nil {
		return // the run signs what it was given
	}
	s.inputs = slices.DeleteFunc(s.inputs, func(in signInput) bool { return in.Path == path })
	s.inputsChanged()
}

func (s *signScreen) inputsChanged() {
	if len(s.inputs) == 0 {
		s.dropHint.Show()
	} else {
		s.dropHint.Hide()
	}
	s.inputList.Refresh()
	s.updateActions()
}

// chooseFile adds one file; fyne's dialog picks one at a time, so several
// files come by dropping them or by choosing their folder.
func (s *signScreen) chooseFile() {
	s.w.pickFile(func(path string) { s.addPaths([]string{path}) })
}

// pickFile asks for one file with fyne's dialog and gives its path to
// chosen. The reader the dialog opens is closed at once: signing and
// verifying read the file themselves, as a stream.
func (w *mainWindow) pickFile(chosen func(string)) {
	d := dialog.NewFileOpen(func(reader fyne.URIReadCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if reader == nil {
			return // cancelled
		}
		path := reader.URI().Path()
		_ = reader.Close()
		chosen(path)
	}, w.window)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

func (s *signScreen) chooseFolder() {
	s.openFolder(func(path string) { s.addPaths([]string{path}) })
}

func (s *signScreen) chooseOutDir() { s.openFolder(s.setOutDir) }

// openFolder asks for a folder and gives its path to chosen.
func (s *signScreen) openFolder(chosen func(string)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			s.w.showError(err)
			return
		}
		if dir != nil {
			chosen(dir.Path())
		}
	}, s.w.window)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// setOutDir sets where signatures go: "" is beside each file.
func (s *signScreen) setOutDir(dir string) {
	s.outDir = dir
	if dir == "" {
		s.outDirLabel.SetText(s.w.tr.text("ui.sign.out-dir.beside", nil))
		s.besideFiles.Hide()
	} else {
		s.outDirLabel.SetText(dir)
		s.besideFiles.Show()
	}
}

// updateActions enables what makes sense: nothing can change while a run
// is under way, and signing needs files and a certificate.
func (s *signScreen) updateActions() {
	running := s.run != nil
	for _, b := range []*widget.Button{s.addFiles, s.addFolder, s.clearFiles, s.chooseOut, s.besideFiles} {
		if running {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if len(s.inputs) == 0 {
		s.clearFiles.Disable()
	}
	if running {
		s.certSelect.Disable()
		s.form.Disable()
		s.force.Disable()
	} else {
		s.certSelect.Enable()
		s.form.Enable()
		s.force.Enable()
	}
	if !running && len(s.inputs) > 0 && s.chosenCertificate() != nil {
		s.signButton.Enable()
	} else {
		s.signButton.Disable()
	}
	if running {
		s.signButton.Hide()
		s.cancelButton.Show()
	} else {
		s.cancelButton.Hide()
		s.signButton.Show()
	}
}

// start signs the chosen files: the key is unlocked (asking for its
// password once) and SignBatch runs, all in the background.
func (s *signScreen) start() {
	e := s.chosenCertificate()
	if s.run != nil || e == nil || len(s.inputs) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &signRun{cancel: cancel, roots: inputPaths(s.inputs)}
	if e.Token != nil {
		run.token = tokenName(s.w.tr, e.Token.Label, e.Token.Serial)
	}
	s.run = run
	s.results = nil
	s.resultList.Refresh()
	s.resultsHint.Hide()
	s.summary.SetText("")
	s.stopped.hide()
	s.progress.Max = 1
	s.progress.SetValue(0)
	s.progress.Show()
	s.progressLabel.SetText(s.w.tr.text("ui.sign.unlocking", map[string]any{"Name": displayName(s.w.tr, e.Cert.Subject)}))
	s.cancelButton.Enable()
	s.updateActions()
	s.right.Refresh()

	opts := signer.BatchOptions{
		SignOptions: signer.SignOptions{Attached: s.attached(), Now: s.w.now},
		OutDir:      s.outDir,
		Force:       s.force.Checked,
		Progress:    func(p signer.BatchProgress) { s.reportProgress(run, p) },
	}
	s.w.background(func() {
		defer cancel()
		// A token key's session must outlive the batch: Rescan leaves the
		// modules loaded meanwhile.
		s.w.tokenUse.RLock()
		defer s.w.tokenUse.RUnlock()
		key, rememberPIN, err := s.w.unlockKey(e)
		if err != nil {
			s.w.do(func() { s.finish(run, nil, err) })
			return
		}
		// A key on a token holds a logged-in session: one login for the
		// whole batch, ended here.
		if closer, ok := key.(io.Closer); ok {
			defer closer.Close()
		}
		_, onToken := key.(*token.Key)
		if ctx.Err() != nil {
			// Stopped while the key was being opened: nothing was started.
			s.w.do(func() { s.finish(run, &signer.BatchReport{Canceled: true}, nil) })
			return
		}
		s.w.do(func() {
			if s.run == run {
				run.onToken = onToken
				s.progressLabel.SetText(s.w.tr.text("ui.sign.starting", nil))
			}
		})
		report, err := signer.SignBatch(ctx, run.roots, signer.Key{Certificate: e.Cert, Signer: key}, opts)
		var rememberErr error
		if rememberPIN != nil && err == nil && report != nil && report.Signed > 0 {
			// The PIN has signed: only now is it worth keeping.
			rememberErr = rememberPIN()
		}
		s.w.do(func() {
			s.finish(run, report, err)
			// Signing went on; the person learns why the PIN will be
			// asked again next time.
			s.w.showError(rememberErr)
		})
	})
}

// stop is the Cancel button: files under way finish (or leave nothing),
// no new ones start.
func (s *signScreen) stop() {
	if s.run == nil {
		return
	}
	s.run.cancel()
	s.cancelButton.Disable()
	s.progressLabel.SetText(s.w.tr.text("ui.sign.stopping", nil))
}

// reportProgress runs on SignBatch's goroutine after each file.
func (s *signScreen) reportProgress(run *signRun, p signer.BatchProgress) {
	run.mu.Lock()
	run.pending = append(run.pending, p.Last)
	run.latest = p
	schedule := !run.scheduled
	run.scheduled = true
	run.mu.Unlock()
	if schedule {
		s.w.do(func() { s.showProgress(run) })
	}
}

// showProgress shows what has been reported since it last ran.
func (s *signScreen) showProgress(run *signRun) {
	run.mu.Lock()
	pending, p := run.pending, run.latest
	run.pending, run.scheduled = nil, false
	run.mu.Unlock()
	if s.run != run {
		return // finished meanwhile: the report has it all
	}
	s.results = append(s.results, pending...)
	s.resultList.Refresh()
	s.resultList.ScrollToBottom()
	// Bytes measure the work better than files: one big file among small
	// ones would otherwise stall the bar.
	if p.TotalBytes > 0 {
		s.progress.Max = float64(p.TotalBytes)
		s.progress.SetValue(float64(p.DoneBytes))
	} else {
		s.progress.Max = float64(max(p.Total, 1))
		s.progress.SetValue(float64(p.Done))
	}
	if s.cancelButton.Disabled() {
		return // "stopping" stays until the end
	}
	s.progressLabel.SetText(s.w.tr.text("ui.sign.progress", map[string]any{
		"Done": p.Done, "Total": p.Total, "File": relativeName(run.roots, p.Last.Path),
	}))
}

// finish shows how the run ended.
func (s *signScreen) finish(run *signRun, report *signer.BatchReport, err error) {
	if s.run != run {
		return
	}
	s.run = nil
	s.updateActions()
	s.progressLabel.SetText("")
	s.lastToken = ""
	if run.onToken {
		s.lastToken = run.token
	}
	if report != nil {
		s.report = report
		s.results = report.Files
		s.resultList.Refresh()
		s.progress.Max = 1
		s.progress.SetValue(1)
		s.summary.SetText(s.summaryText(report))
		if report.Failed > 0 {
			s.summary.Importance = widget.DangerImportance
		} else {
			s.summary.Importance = widget.MediumImportance
		}
		s.summary.Refresh()
		if report.Stopped != nil {
			s.stopped.show(stoppedText(s.w.tr, run.token, report))
		}
	} else {
		// Nothing was signed (the prompt was cancelled, the key did not
		// open): back to how the screen was.
		s.progress.Hide()
		if len(s.results) == 0 && s.report == nil {
			s.resultsHint.Show()
		}
	}
	s.right.Refresh()
	if err != nil && !errors.Is(err, context.Canceled) {
		s.w.showError(err) // a cancelled password prompt shows nothing
	}
}

// summaryText counts the outcomes in words.
func (s *signScreen) summaryText(r *signer.BatchReport) string {
	tr := s.w.tr
	text := tr.text("ui.sign.summary", map[string]any{"Signed": r.Signed, "Skipped": r.Skipped, "Failed": r.Failed})
	if s.lastToken != "" && r.Signed > 0 {
		// Which device made the signatures matters: a qualified
		// signature is made by a certified token, not by this program.
		text += "\n" + tr.text("ui.token.sign.on-token", map[string]any{"Token": s.lastToken})
	}
	if r.Canceled && r.Stopped == nil {
		text += "\n" + tr.text("ui.sign.summary-canceled", nil)
	}
	if r.Skipped > 0 && !s.force.Checked {
		text += "\n" + tr.text("ui.sign.summary-skipped", nil)
	}
	return text
}

// resultLine is one line of the result list.
type resultLine struct {
	status     string
	importance widget.Importance
	text       string
}

func (s *signScreen) resultLine(r signer.FileResult) resultLine {
	tr := s.w.tr
	var roots []string
	if s.run != nil {
		roots = s.run.roots
	} else {
		roots = inputPaths(s.inputs)
	}
	name := relativeName(roots, r.Path)
	params := map[string]any{"File": name, "Output": s.outputName(r)}
	switch r.Result() {
	case "signed":
		return resultLine{tr.text("ui.sign.result.signed", nil), widget.SuccessImportance, tr.text("ui.sign.line.signed", params)}
	case "skipped":
		return resultLine{tr.text("ui.sign.result.skipped", nil), widget.WarningImportance, tr.text("ui.sign.line.skipped", params)}
	case "canceled":
		// Not a failure: the person stopped the run before this file.
		return resultLine{tr.text("ui.sign.result.canceled", nil), widget.LowImportance, tr.text("ui.sign.line.canceled", params)}
	default:
		params["Message"] = signFailure(tr, r.Err)
		return resultLine{tr.text("ui.sign.result.failed", nil), widget.DangerImportance, tr.text("ui.sign.line.failed", params)}
	}
}

// outputName names a signature file: its base name beside its document,
// the whole path in an output folder.
func (s *signScreen) outputName(r signer.FileResult) string {
	if filepath.Dir(r.Output) == filepath.Dir(r.Path) {
		return filepath.Base(r.Output)
	}
	return r.Output
}

// relativeName shows a file found in a chosen folder as folder/sub/file,
// and a chosen file by its name.
func relativeName(roots []string, path string) string {
	for _, root := range roots {
		if rel, err := filepath.Rel(root, path); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return filepath.Join(filepath.Base(root), rel)
		}
	}
	return filepath.Base(path)
}

// signFailure words why a file was not signed. Errors of the file system
// that carry no code are said in words too, since one missing or locked
// file among hundreds is ordinary, not an internal error.
func signFailure(tr *translator, err error) string {
	var coded codedError
	if errors.As(err, &coded) && tr.has("err."+coded.Code()) {
		return tr.describe(err).Message
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return tr.text("ui.sign.failure.missing", nil)
	case errors.Is(err, fs.ErrPermission):
		return tr.text("ui.sign.failure.denied", nil)
	case errors.Is(err, fs.ErrExist):
		return tr.text("ui.sign.failure.exists", nil)
	}
	return tr.describe(err).Message
}

// unlockKey opens the private key of e for signing, in the background: with
// the remembered password, else by asking until the right one is typed or
// the person cancels. A ticked "remember" keeps the password once it works.
//
// A key on a token is logged in to with its PIN (remembered, or asked):
// a wrong PIN is never asked again here, since every try counts on the
// token, and the error says how many are left. A ticked "remember" is
// returned as rememberPIN, for the caller to keep the PIN once it has
// signed.
func (w *mainWindow) unlockKey(e *certstore.Entry) (key crypto.Signer, rememberPIN func() error, err error) {
	problem := ""
	for {
		var asked certstore.Purpose
		var answer passwordAnswer
		var tokenReq certstore.PasswordRequest
		key, err := w.store.PrivateKey(e.ID, func(req certstore.PasswordRequest) (string, error) {
			asked = req.Purpose
			if req.Purpose == certstore.PurposeTokenPIN {
				tokenReq = req
			}
			var err error
			answer, err = w.askPassword(req, problem, false)
			return answer.Password, err
		})
		if asked != "" && asked != certstore.PurposeTokenPIN && errors.Is(err, certstore.ErrWrongPassword) {
			problem = w.tr.text("err.wrong-password", nil)
			continue
		}
		switch {
		case err != nil || !answer.Remember:
		case asked == certstore.PurposeTokenPIN:
			serial, pin := tokenReq.Serial, answer.Password
			rememberPIN = func() error { return w.store.RememberPIN(serial, pin) }
		case asked != "":
			if rerr := w.store.Remember(e.ID, answer.Password); rerr != nil {
				// Signing goes on; the person learns why the password
				// will be asked again next time.
				w.do(func() { w.showError(rerr) })
			}
		}
		return key, rememberPIN, err
	}
}

// stoppedText explains a batch that stopped because the key became
// unusable: what happened, how many files were signed, and that pressing
// Sign again goes on where it stopped.
func stoppedText(tr *translator, tokenName string, r *signer.BatchReport) string {
	params := map[string]any{"Token": tokenName, "Signed": r.Signed}
	switch {
	case errors.Is(r.Stopped, token.ErrPINLocked):
		return tr.text("ui.token.sign.stopped-locked", params)
	case errors.Is(r.Stopped, token.ErrRemoved), errors.Is(r.Stopped, token.ErrNotFound):
		return tr.text("ui.token.sign.stopped-removed", params)
	}
	params["Message"] = signFailure(tr, r.Stopped)
	return tr.text("ui.token.sign.stopped-other", params)
}
