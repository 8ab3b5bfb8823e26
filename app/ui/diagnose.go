package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/diagnose"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/version"
	"github.com/podpis/podpis/signer"
)

// diagnoseScreen is what support staff use: drop whatever file they were
// sent (a certificate in any encoding, a .p7b, a .p12/.pfx, a signature
// with its document) or pick a certificate of the store, and see in plain
// words whether it can be relied on and, if not, why and what to do: the
// chain leaf first with where each certificate came from, every problem
// with its fix, the qualified-certificate fields, the URLs tried. The
// report is the certstore/diagnose one, so what the screen shows, "Copy
// report", "Save report…" and `podpis check` never disagree.
type diagnoseScreen struct {
	w       *mainWindow
	content fyne.CanvasObject

	choose *widget.Button
	// storeSelect picks a certificate of the store: support staff check
	// installed ones too. storeCerts are its options' entries.
	storeSelect *widget.Select
	storeCerts  []*certstore.Entry
	// filling is set while the options are replaced, so that keeping the
	// selection does not start a check.
	filling bool

	offline    *widget.Check
	at         *widget.Entry
	atProblem  *widget.Label
	again      *widget.Button
	stop       *widget.Button
	copyButton *widget.Button
	saveButton *widget.Button
	// saveConverted offers the certificate in its other encoding (PEM for
	// DER, DER for PEM or Base64).
	saveConverted *widget.Button
	source        *widget.Label

	// dropZone invites to drop a file; hint says what, or what is missing.
	dropZone  *fyne.Container
	hint      *widget.Label
	busy      *widget.ProgressBarInfinite
	busyLabel *widget.Label
	overall   *verdictBanner
	items     *fyne.Container
	scroll    *container.Scroll

	// asked is the last check started; running is its cancel, nil when
	// none runs.
	asked   diagnoseRequest
	running context.CancelFunc
	// generation numbers the checks, so that the result of one stopped or
	// superseded is dropped.
	generation int
	// shown is the diagnosis on screen, nil before any.
	shown *diagnosis
	cards []*diagnoseCard

	// saveAs asks where to save a file and writes it there: w.saveFile,
	// Fyne's save dialog, which confirms before replacing a file (tests
	// put their own here).
	saveAs func(name string, write func(fyne.URIWriteCloser) error)
}

// diagnoseRequest is what to diagnose and how.
type diagnoseRequest struct {
	Path     string // a file, or "" for a store certificate
	Document string // a detached signature's document, when given
	EntryID  string // a store certificate
	At       time.Time
	Offline  bool
}

func (r diagnoseRequest) empty() bool { return r.Path == "" && r.EntryID == "" }

// diagnoseStep is where a diagnosis stopped.
type diagnoseStep int

const (
	diagnosed          diagnoseStep = iota
	diagnoseNeedsDoc                // a detached signature without its document
	diagnoseCancelled               // the password prompt was cancelled
	diagnoseUnreadable              // the input could not be read: report holds why
)

// diagnosis is a finished check: the report and what the screen needs
// besides.
type diagnosis struct {
	request diagnoseRequest
	step    diagnoseStep
	report  *diagnose.Report
	view    *diagnose.View
	// err stopped the diagnosis (the file is unreadable, the password
	// wrong); the report says it too.
	err error
	// document is the signature's document, found beside it or given;
	// documentFound when found.
	document      string
	documentFound bool
	attached      bool
	// convertedName and converted are the input in its other encoding.
	convertedName string
	converted     []byte
	verdict       verdict
	headline      string
}

func newDiagnoseScreen(w *mainWindow) *diagnoseScreen {
	tr := w.tr
	s := &diagnoseScreen{w: w, saveAs: w.saveFile}
	s.choose = widget.NewButtonWithIcon(tr.text("ui.diagnose.choose", nil), theme.FileIcon(), func() {
		s.w.pickFile(func(path string) { s.addPaths([]string{path}) })
	})
	s.choose.Importance = widget.HighImportance
	s.storeSelect = widget.NewSelect(nil, func(string) {
		if s.filling {
			return
		}
		if e := s.chosenEntry(); e != nil {
			s.start(diagnoseRequest{EntryID: e.ID})
		}
	})
	s.storeSelect.PlaceHolder = tr.text("ui.diagnose.store-placeholder", nil)

	// Ticking "offline" after a check answers what support staff ask
	// next: would it pass on the user's machine without network?
	s.offline = widget.NewCheck(tr.text("ui.diagnose.offline", nil), func(bool) {
		if s.running == nil && s.shown != nil && s.shown.view != nil {
			s.start(s.asked)
		}
	})
	s.at = widget.NewEntry()
	s.at.SetPlaceHolder(tr.text("ui.diagnose.at-placeholder", nil))
	s.at.OnSubmitted = func(string) { s.start(s.asked) }
	s.atProblem = widget.NewLabel("")
	s.atProblem.Wrapping = fyne.TextWrapWord
	s.atProblem.Importance = widget.DangerImportance
	s.atProblem.Hide()
	s.again = widget.NewButtonWithIcon(tr.text("ui.diagnose.again", nil), theme.ViewRefreshIcon(), func() { s.start(s.asked) })
	s.stop = widget.NewButtonWithIcon(tr.text("ui.diagnose.stop", nil), theme.CancelIcon(), s.cancel)
	s.stop.Hide()
	s.copyButton = widget.NewButtonWithIcon(tr.text("ui.diagnose.copy", nil), theme.ContentCopyIcon(), s.copyReport)
	s.saveButton = widget.NewButtonWithIcon(tr.text("ui.diagnose.save", nil), theme.DocumentSaveIcon(), s.saveReport)
	s.saveConverted = widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), s.saveConvertedCopy)
	s.saveConverted.Hide()
	s.source = widget.NewLabel(tr.text("ui.diagnose.nothing-chosen", nil))
	s.source.Truncation = fyne.TextTruncateEllipsis

	s.hint = newDropHint(tr.text("ui.diagnose.drop-hint", nil))
	s.busy = newIdleProgress()
	s.busyLabel = widget.NewLabel(tr.text("ui.diagnose.busy", nil))
	s.busyLabel.Hide()
	s.overall = newVerdictBanner()
	s.items = container.NewVBox()
	s.scroll = container.NewVScroll(container.NewVBox(s.overall.content, container.NewHBox(s.saveConverted), s.items))
	s.scroll.Hide()

	// The drop zone: a framed area with the invitation in the middle; a
	// VBox gives the hint the width to wrap in.
	frame := canvas.NewRectangle(color.Transparent) // the frame is its stroke only
	frame.StrokeColor = colorNotYet
	frame.StrokeWidth = 2
	frame.CornerRadius = 8
	icon := widget.NewIcon(theme.UploadIcon())
	s.dropZone = container.NewPadded(container.NewStack(frame, container.NewPadded(container.NewVBox(
		layout.NewSpacer(), container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(48), icon)), s.hint, layout.NewSpacer(),
	))))

	bold := fyne.TextStyle{Bold: true}
	atBox := container.NewGridWrap(fyne.NewSize(300, s.at.MinSize().Height), s.at)
	what := container.NewBorder(nil, nil, s.choose, nil, s.storeSelect)
	how := container.NewHBox(s.offline, widget.NewLabel(tr.text("ui.diagnose.at", nil)), atBox, s.again, s.stop,
		layout.NewSpacer(), s.copyButton, s.saveButton)
	checked := container.NewBorder(nil, nil, widget.NewLabelWithStyle(tr.text("ui.diagnose.source", nil), fyne.TextAlignLeading, bold), nil, s.source)
	busy := container.NewBorder(nil, nil, s.busyLabel, nil, s.busy)
	top := container.NewVBox(what, how, s.atProblem, checked, busy)
	s.content = container.NewBorder(top, nil, nil, nil, container.NewStack(s.scroll, s.dropZone))
	s.updateActions()
	return s
}

// setEntries offers the store's certificates, keeping the one chosen.
func (s *diagnoseScreen) setEntries(entries []*certstore.Entry) {
	chosen := s.chosenEntry()
	s.storeCerts = entries
	labels := make([]string, len(entries))
	seen := map[string]bool{}
	for i, e := range entries {
		label := certificateLabel(s.w.tr, e)
		if seen[label] {
			label += " · " + strings.ToUpper(e.ID[:8])
		}
		seen[label] = true
		labels[i] = label
	}
	s.filling = true
	defer func() { s.filling = false }()
	s.storeSelect.SetOptions(labels)
	s.storeSelect.ClearSelected()
	for i, e := range entries {
		if chosen != nil && e.ID == chosen.ID {
			s.storeSelect.SetSelectedIndex(i)
		}
	}
	if len(entries) == 0 {
		s.storeSelect.Disable()
	} else {
		s.storeSelect.Enable()
	}
}

// chosenEntry is the store certificate selected, nil when none is.
func (s *diagnoseScreen) chosenEntry() *certstore.Entry {
	i := s.storeSelect.SelectedIndex()
	if i < 0 || i >= len(s.storeCerts) {
		return nil
	}
	return s.storeCerts[i]
}

// addPaths takes dropped or chosen files: one file to diagnose; a
// signature with its document; or the document a detached signature was
// waiting for.
func (s *diagnoseScreen) addPaths(paths []string) {
	if len(paths) == 0 {
		return
	}
	req := diagnoseRequest{Path: paths[0]}
	switch {
	case len(paths) == 1 && s.shown != nil && s.shown.step == diagnoseNeedsDoc && !isSignatureName(paths[0]):
		req = diagnoseRequest{Path: s.shown.request.Path, Document: paths[0]}
	case len(paths) > 1:
		in := pairDropped(paths, verifyInputs{}, stepVerified)
		req = diagnoseRequest{Path: in.Signature, Document: in.Document}
	}
	s.filling = true
	s.storeSelect.ClearSelected()
	s.filling = false
	s.start(req)
}

// start diagnoses req in the background with the options on screen; a
// check under way is stopped.
func (s *diagnoseScreen) start(req diagnoseRequest) {
	if req.empty() {
		return
	}
	at, err := diagnose.ParseAt(s.at.Text)
	if err != nil {
		s.atProblem.SetText(s.w.tr.text("ui.diagnose.at-invalid", map[string]any{"Value": strings.TrimSpace(s.at.Text)}))
		s.atProblem.Show()
		return
	}
	s.atProblem.Hide()
	req.At, req.Offline = at, s.offline.Checked
	if s.running != nil {
		s.running()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.running = cancel
	s.generation++
	generation := s.generation
	s.asked = req
	s.source.SetText(s.sourceText(req))
	s.clearResult()
	s.dropZone.Hide()
	s.busy.Show()
	s.busy.Start()
	s.busyLabel.Show()
	s.updateActions()
	s.w.background(func() {
		defer cancel()
		d := s.w.runDiagnosis(ctx, req)
		s.w.do(func() {
			if generation == s.generation {
				s.show(d)
			}
		})
	})
}

// cancel is the Stop button: downloads under way are abandoned and the
// screen goes back to inviting a file.
func (s *diagnoseScreen) cancel() {
	if s.running == nil {
		return
	}
	s.running()
	s.running = nil
	s.generation++
	s.endBusy()
	s.hint.SetText(s.w.tr.text("ui.diagnose.stopped", nil))
	s.dropZone.Show()
	s.updateActions()
}

func (s *diagnoseScreen) endBusy() {
	s.busy.Stop()
	s.busy.Hide()
	s.busyLabel.Hide()
}

// sourceText names what is being diagnosed.
func (s *diagnoseScreen) sourceText(req diagnoseRequest) string {
	if req.EntryID != "" {
		if e := s.w.entryByID(req.EntryID); e != nil {
			return s.w.tr.text("ui.diagnose.source-store", map[string]any{"Name": certificateLabel(s.w.tr, e)})
		}
		return req.EntryID
	}
	if req.Document != "" {
		return s.w.tr.text("ui.diagnose.source-with-document", map[string]any{"File": req.Path, "Document": req.Document})
	}
	return req.Path
}

// translate is the translator as certstore/diagnose wants it: "" for a
// key nobody translated, so that the next key is tried (and Fyne does not
// log the miss).
func (t *translator) translate(key string, params map[string]any) string {
	if !t.has(key) {
		return ""
	}
	return t.text(key, params)
}

// runDiagnosis reads, opens and checks what req names, in the background.
// It asks for a container's password through the window.
func (w *mainWindow) runDiagnosis(ctx context.Context, req diagnoseRequest) *diagnosis {
	now := w.now()
	at := req.At
	if at.IsZero() {
		at = now
	}
	d := &diagnosis{request: req, report: &diagnose.Report{
		Version: version.String(), Made: now, At: at, Offline: req.Offline, Status: validate.StatusInvalid,
	}}
	fail := func(err error) *diagnosis {
		d.err = err
		if errors.Is(err, certstore.ErrCancelled) {
			d.step = diagnoseCancelled
			return d
		}
		d.step = diagnoseUnreadable
		d.report.Problems = append(d.report.Problems, failureProblem(w.tr, err))
		return d
	}

	var in *diagnose.Input
	if req.EntryID != "" {
		e, err := w.store.Get(req.EntryID)
		if err != nil {
			d.report.Source = req.EntryID
			return fail(err)
		}
		d.report.Source, d.report.Kind = e.ID, diagnose.KindCertificate
		in = &diagnose.Input{Name: e.ID, Kind: diagnose.KindCertificate, Certificate: e.Cert}
	} else {
		d.report.Source = req.Path
		data, large, err := readDiagnoseFile(req.Path)
		if err != nil {
			return fail(err)
		}
		if large {
			// Only an attached signature is this large: signer streams it.
			d.report.Kind = diagnose.KindSignature
			return w.diagnoseSignature(ctx, d)
		}
		if in, err = diagnose.Open(filepath.Base(req.Path), data); err != nil {
			return fail(err)
		}
		d.report.Kind, d.report.Encoding = in.Kind, in.Encoding
		if in.PrivateKeyIgnored {
			d.report.Problems = append(d.report.Problems, diagnose.Problem{
				Code: format.WarningPrivateKeyIgnored, Severity: validate.SeverityWarning, Cert: -1,
				Keys: []string{"warn." + format.WarningPrivateKeyIgnored},
			})
		}
		switch in.Kind {
		case diagnose.KindSignature:
			return w.diagnoseSignature(ctx, d)
		case diagnose.KindPKCS12:
			if err := w.unlockForDiagnosis(in, filepath.Base(req.Path)); err != nil {
				return fail(err)
			}
		default:
			if name, data, ok := in.Converted(); ok {
				d.convertedName, d.converted = name, data
				d.report.Converted = name
			}
		}
	}

	opts, err := validate.ForStore(w.store, req.At, req.Offline)
	if err != nil {
		return fail(err)
	}
	opts.Extra = in.Extra
	res := validate.Verify(ctx, in.Certificate, opts)
	d.report.At = res.At
	d.report.Items = []diagnose.Item{{
		Subject: in.Certificate, Status: res.Status, Result: res, Problems: diagnose.ProblemsOf(res.Problems),
	}}
	d.report.Status = res.Status
	return d
}

// readDiagnoseFile reads a file to diagnose whole, unless it is larger
// than any certificate or container: then large is set when it starts like
// a signature, which is verified from the file itself.
func readDiagnoseFile(path string) (data []byte, large bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if info.IsDir() {
		return nil, false, &diagnoseFileError{code: "is-directory", params: map[string]any{"File": path}}
	}
	if info.Size() > diagnose.MaxInputSize {
		head := make([]byte, isDetachedHead)
		n, _ := io.ReadFull(f, head)
		if _, err := signer.IsDetached(head[:n]); err == nil {
			return nil, true, nil
		}
		return nil, false, &diagnoseFileError{code: "file-too-large",
			params: map[string]any{"File": path, "Size": info.Size(), "Limit": diagnose.MaxInputSize}}
	}
	data, err = io.ReadAll(io.LimitReader(f, diagnose.MaxInputSize+1))
	return data, false, err
}

// diagnoseFileError is why a file cannot even be opened for diagnosis, in
// the store's words (err.is-directory, err.file-too-large).
type diagnoseFileError struct {
	code   string
	params map[string]any
}

func (e *diagnoseFileError) Error() string          { return fmt.Sprintf("%s %v", e.code, e.params) }
func (e *diagnoseFileError) Code() string           { return e.code }
func (e *diagnoseFileError) Params() map[string]any { return e.params }

// unlockForDiagnosis opens a .p12/.pfx: with no password first (many have
// none), else with the one typed into the password prompt. A wrong one
// ends the diagnosis with the wrong-password error.
func (w *mainWindow) unlockForDiagnosis(in *diagnose.Input, name string) error {
	_, _, err := in.UnlockPKCS12("")
	if !isDiagnoseWrongPassword(err) {
		return err
	}
	password, err := w.askFilePassword(certstore.PasswordRequest{Purpose: certstore.PurposeOpenFile, File: name})
	if err != nil {
		return err
	}
	_, _, err = in.UnlockPKCS12(password)
	return err
}

func isDiagnoseWrongPassword(err error) bool {
	var de *diagnose.Error
	return errors.As(err, &de) && de.Code() == diagnose.CodeWrongPassword
}

// askFilePassword is askPassword without "remember": the file is only
// looked at, nothing is kept.
func (w *mainWindow) askFilePassword(req certstore.PasswordRequest) (string, error) {
	answers := make(chan passwordAnswer, 1)
	w.do(func() {
		p := newPasswordPrompt(w.tr, w.window, req, "", false, answers)
		p.remember.Hide()
		p.show(w.window)
		if w.onPrompt != nil {
			w.onPrompt(p)
		}
	})
	answer, ok := <-answers
	if !ok {
		return "", certstore.ErrCancelled
	}
	return answer.Password, nil
}

// diagnoseSignature verifies the signature file as the Verify screen does
// (the document beside it under the same name when none was given) and
// diagnoses each signer.
func (w *mainWindow) diagnoseSignature(ctx context.Context, d *diagnosis) *diagnosis {
	fail := func(err error) *diagnosis {
		d.err, d.step = err, diagnoseUnreadable
		d.report.Problems = append(d.report.Problems, failureProblem(w.tr, err))
		return d
	}
	sig, err := os.Open(d.request.Path)
	if err != nil {
		return fail(err)
	}
	defer sig.Close()
	head := make([]byte, isDetachedHead)
	n, err := io.ReadFull(sig, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fail(err)
	}
	if _, err := sig.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	detached, formErr := signer.IsDetached(head[:n])
	d.attached = formErr == nil && !detached
	var doc *os.File
	if formErr == nil && detached {
		d.document = d.request.Document
		if d.document == "" {
			if found := documentOf(d.request.Path); found != "" && regularFile(found) {
				d.document, d.documentFound = found, true
			} else {
				d.step = diagnoseNeedsDoc
				return d
			}
		}
		if doc, err = os.Open(d.document); err != nil {
			return fail(err)
		}
		defer doc.Close()
	}
	opts, err := signer.StoreVerifyOptions(w.store, d.request.At, false, d.request.Offline)
	if err != nil {
		return fail(err)
	}
	opts.Context = ctx
	var res *signer.Result
	if doc != nil {
		res, err = signer.VerifyDetached(sig, doc, opts)
	} else {
		res, err = signer.Verify(sig, opts)
	}
	if err != nil {
		return fail(err)
	}
	d.report.Kind = diagnose.KindSignature
	d.report.Problems = append(d.report.Problems, signerProblems(res.Problems)...)
	for _, sr := range res.Signers {
		item := diagnose.Item{
			Subject: sr.Certificate, Status: validate.Status(sr.Status), Result: sr.Validation,
			Signature: &diagnose.Signature{
				Index: sr.Index, Total: len(res.Signers), SignerID: sr.SignerID, SigningTime: sr.SigningTime,
				Valid: sr.SignatureValid, CAdES: sr.CAdES,
			},
		}
		if sr.Validation != nil {
			// The engine's problems keep the certificate they concern,
			// which the chain's icons show.
			var own []signer.Problem
			for _, p := range sr.Problems {
				if !p.FromValidation {
					own = append(own, p)
				}
			}
			item.Problems = append(signerProblems(own), diagnose.ProblemsOf(sr.Validation.Problems)...)
			if !sr.Validation.At.IsZero() {
				d.report.At = sr.Validation.At
			}
		} else {
			item.Problems = signerProblems(sr.Problems)
		}
		d.report.Items = append(d.report.Items, item)
	}
	d.report.Status = validate.Status(res.Status)
	return d
}

// signerProblems are a signer's findings for the report, worded as
// `podpis check` words them: signer's text, else the engine's, else the
// code's.
func signerProblems(ps []signer.Problem) []diagnose.Problem {
	out := make([]diagnose.Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, diagnose.Problem{
			Code: p.Code, Reason: p.Reason, Severity: validate.Severity(p.Severity), Cert: -1, Params: p.Params,
			Keys: []string{"err.sig-" + p.Reason, "err.chk-" + p.Reason, "err." + p.Code},
		})
	}
	return out
}

// failureProblem is an error that stopped the diagnosis, as a problem of
// the report: coded errors by their code, a missing file and anything else
// in the window's words.
func failureProblem(tr *translator, err error) diagnose.Problem {
	p := diagnose.Problem{Code: "bad-input", Severity: validate.SeverityError, Cert: -1}
	var coded codedError
	switch {
	case errors.As(err, &coded) && tr.has("err."+coded.Code()):
		p.Code, p.Params, p.Keys = coded.Code(), coded.Params(), []string{"err." + coded.Code()}
	case errors.Is(err, os.ErrNotExist):
		p.Params, p.Keys = map[string]any{"Detail": err.Error()}, []string{"ui.verify.file-missing"}
	case errors.As(err, new(*os.PathError)):
		p.Code, p.Params, p.Keys = "unreadable", map[string]any{"Detail": err.Error()}, []string{"err.unreadable"}
	default:
		p.Code, p.Params, p.Keys = "internal", map[string]any{"Detail": err.Error()}, []string{"err.internal"}
	}
	return p
}

// show puts a finished diagnosis on screen.
func (s *diagnoseScreen) show(d *diagnosis) {
	s.running = nil
	s.endBusy()
	tr := s.w.tr
	switch d.step {
	case diagnoseNeedsDoc:
		s.shown = d
		s.hint.SetText(tr.text("ui.diagnose.needs-document", map[string]any{"File": filepath.Base(d.request.Path)}))
		s.dropZone.Show()
		s.updateActions()
		return
	case diagnoseCancelled:
		s.hint.SetText(tr.text("ui.diagnose.drop-hint", nil))
		s.dropZone.Show()
		s.updateActions()
		return
	}
	s.shown = d
	d.view = diagnose.Render(d.report, tr.translate)
	d.verdict = reportVerdict(d.view)
	d.headline = s.headline(d)
	if d.document != "" {
		s.source.SetText(s.sourceText(diagnoseRequest{Path: d.request.Path, Document: d.document}))
	}

	var lines []detailRow
	add := func(key, value string) {
		if value != "" {
			lines = append(lines, detailRow{Label: tr.text(key, nil), Value: value})
		}
	}
	switch {
	case d.attached:
		add("ui.verify.document", tr.text("ui.verify.document-inside", nil))
	case d.documentFound:
		add("ui.verify.document", tr.text("ui.verify.found-beside", map[string]any{"File": d.document}))
	case d.document != "":
		add("ui.verify.document", d.document)
	}
	at := tr.dateTime(d.report.At)
	if d.request.At.IsZero() {
		at = tr.text("ui.diagnose.at-now", map[string]any{"Time": at})
	}
	add("ui.diagnose.checked-at", at)
	if d.request.Offline {
		add("ui.diagnose.mode", tr.text("ui.diagnose.mode-offline", nil))
	}
	var notes []problemText
	if main, ok := mainProblem(d.view); ok {
		// What matters most, right under the verdict; its fix is with the
		// certificate it concerns, below.
		notes = append(notes, problemText{Message: sentence(main.Message), Error: main.Severity == string(validate.SeverityError)})
	}
	for _, p := range d.view.Notes {
		notes = append(notes, problemTextOf(p))
	}
	s.overall.set(d.verdict, d.headline, lines, notes)
	s.overall.content.Show()
	if d.converted != nil {
		s.saveConverted.SetText(tr.text("ui.diagnose.save-converted", map[string]any{"Name": d.convertedName}))
		s.saveConverted.Show()
	}
	for i := range d.view.Items {
		card := newDiagnoseCard(tr, &d.view.Items[i])
		card.resized = s.scroll.Refresh
		s.cards = append(s.cards, card)
		s.items.Add(card.content)
	}
	s.dropZone.Hide()
	s.scroll.Show()
	s.scroll.ScrollToTop()
	s.scroll.Content.Refresh()
	s.scroll.Refresh()
	s.updateActions()
	if isDiagnoseWrongPassword(d.err) {
		// Said in a dialog too: the person has just typed it.
		s.w.showError(d.err)
	}
}

// mainProblem is the first error of the report, else its first warning:
// the one line support staff read first. A problem of the input itself
// (a broken file) is shown with its fix already, so it is not repeated.
func mainProblem(v *diagnose.View) (diagnose.ProblemView, bool) {
	for _, severity := range []validate.Severity{validate.SeverityError, validate.SeverityWarning} {
		for _, it := range v.Items {
			for _, p := range it.Problems {
				if p.Severity == string(severity) {
					return p, true
				}
			}
		}
	}
	return diagnose.ProblemView{}, false
}

// headline is the verdict in plain words.
func (s *diagnoseScreen) headline(d *diagnosis) string {
	tr := s.w.tr
	switch {
	case d.step == diagnoseUnreadable:
		return tr.text("ui.diagnose.headline.failed", nil)
	case d.report.Kind == diagnose.KindSignature:
		return tr.plural("ui.verify.overall."+d.verdict.name(), len(d.report.Items), nil)
	case len(d.report.Items) == 1 && d.report.Items[0].Result != nil && d.report.Items[0].Result.Usage == validate.UsageCA:
		return tr.text("ui.diagnose.headline.ca."+d.verdict.name(), nil)
	}
	return tr.text("ui.diagnose.headline.certificate."+d.verdict.name(), nil)
}

// reportVerdict is the colour of a report: red when invalid, amber when
// undecided or when anything deserves a warning, green otherwise.
func reportVerdict(v *diagnose.View) verdict {
	return statusVerdict(v.Status, v.Problems)
}

func statusVerdict(status string, problems []diagnose.ProblemView) verdict {
	switch validate.Status(status) {
	case validate.StatusValid:
		for _, p := range problems {
			if p.Severity == string(validate.SeverityWarning) || p.Severity == string(validate.SeverityError) {
				return verdictWarnings
			}
		}
		return verdictValid
	case validate.StatusIndeterminate:
		return verdictIndeterminate
	}
	return verdictInvalid
}

// problemTextOf is a report problem as the window shows it: a sentence.
func problemTextOf(p diagnose.ProblemView) problemText {
	return problemText{
		Message: sentence(p.Message),
		Hint:    sentence(p.Hint),
		Error:   p.Severity == string(validate.SeverityError),
		Notice:  p.Severity == string(diagnose.SeverityInfo),
	}
}

// sentence capitalises the first letter: the engine's messages start in
// lower case, to follow "podpis: " on a terminal.
func sentence(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

func (s *diagnoseScreen) clearResult() {
	s.shown = nil
	s.cards = nil
	s.items.RemoveAll()
	s.overall.content.Hide()
	s.saveConverted.Hide()
	s.scroll.Hide()
}

func (s *diagnoseScreen) updateActions() {
	running := s.running != nil
	if running {
		s.stop.Show()
		s.again.Hide()
	} else {
		s.stop.Hide()
		s.again.Show()
	}
	if !running && !s.asked.empty() {
		s.again.Enable()
	} else {
		s.again.Disable()
	}
	for _, b := range []*widget.Button{s.copyButton, s.saveButton} {
		if !running && s.shown != nil && s.shown.view != nil {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// reportText is the shown report as plain text.
func (s *diagnoseScreen) reportText() string {
	var b bytes.Buffer
	if err := diagnose.WriteText(&b, s.shown.report, s.w.tr.translate); err != nil {
		return err.Error()
	}
	return b.String()
}

// copyReport puts the report on the clipboard as text.
func (s *diagnoseScreen) copyReport() {
	if s.shown == nil || s.shown.view == nil {
		return
	}
	s.w.app.Clipboard().SetContent(s.reportText())
}

// reportFileName suggests a name for the saved report after what was
// checked.
func (s *diagnoseScreen) reportFileName() string {
	name := filepath.Base(s.shown.report.Source)
	if s.shown.request.EntryID != "" {
		name = strings.ToUpper(s.shown.request.EntryID[:min(8, len(s.shown.request.EntryID))])
	}
	name = strings.TrimSuffix(name, filepath.Ext(name))
	return s.w.tr.text("ui.diagnose.report-file", map[string]any{"Name": name})
}

// saveReport writes the report as one HTML page. It is made first and the
// file asked for afterwards: Fyne's save dialog creates the chosen file at
// once, so a failure after it would leave an empty one.
func (s *diagnoseScreen) saveReport() {
	if s.shown == nil || s.shown.view == nil {
		return
	}
	var page bytes.Buffer
	if err := diagnose.WriteHTML(&page, s.shown.report, s.w.tr.translate); err != nil {
		s.w.showError(err)
		return
	}
	data := page.Bytes()
	s.saveAs(s.reportFileName(), func(writer fyne.URIWriteCloser) error {
		// 0600: the report names the owner with ИНН and СНИЛС.
		return writeFileData(writer, data, 0o600)
	})
}

// saveConvertedCopy saves the certificate in its other encoding; the
// report then names the file written.
func (s *diagnoseScreen) saveConvertedCopy() {
	d := s.shown
	if d == nil || d.converted == nil {
		return
	}
	data := d.converted
	s.saveAs(d.convertedName, func(writer fyne.URIWriteCloser) error {
		path := writer.URI().Path()
		if err := writeFileData(writer, data, 0o644); err != nil { // certificates are public
			return err
		}
		s.w.do(func() {
			if s.shown == d {
				d.report.Converted = path
				d.view = diagnose.Render(d.report, s.w.tr.translate)
			}
		})
		return nil
	})
}

// diagnoseCard is one certificate or signer: a coloured heading, the chain
// leaf first with an icon per certificate, the problems with their fixes,
// the qualified-certificate fields, and the checks and URLs tried behind
// an accordion.
type diagnoseCard struct {
	item    *diagnose.ItemView
	verdict verdict
	banner  *verdictBanner
	// linkVerdicts are the chain's icons: each certificate's worst finding.
	linkVerdicts []verdict
	chain        *fyne.Container
	problems     []problemText
	details      *widget.Accordion
	content      *fyne.Container
	resized      func()
}

func newDiagnoseCard(tr *translator, it *diagnose.ItemView) *diagnoseCard {
	c := &diagnoseCard{item: it, verdict: statusVerdict(it.Status, it.Problems), banner: newVerdictBanner()}
	c.banner.set(c.verdict, it.Title, nil, nil)
	body := c.banner.body
	bold := fyne.TextStyle{Bold: true}

	var rows []detailRow
	add := func(key, value string) {
		if value != "" {
			rows = append(rows, detailRow{Label: tr.text(key, nil), Value: value})
		}
	}
	add("ui.diagnose.verdict", it.Verdict)
	add("ui.diagnose.usage", it.Usage)
	if sig := it.Signature; sig != nil {
		add("ui.diagnose.signature", sentence(sig.Text))
		if sig.SigningTime != nil {
			add("ui.verify.field.signing-time", tr.dateTime(*sig.SigningTime))
		}
		if len(it.Chain) == 0 {
			add("ui.verify.detail.signer-id", sig.SignerID)
		}
	}
	if len(rows) > 0 {
		body.Add(rowsGrid(rows))
	}

	if len(it.Chain) > 0 {
		body.Add(widget.NewLabelWithStyle(tr.text("ui.diagnose.chain", nil), fyne.TextAlignLeading, bold))
		c.chain = container.NewVBox()
		for i := range it.Chain {
			v := linkVerdict(it, i)
			c.linkVerdicts = append(c.linkVerdicts, v)
			c.chain.Add(chainRow(tr, i, &it.Chain[i], v))
		}
		if last := it.Chain[len(it.Chain)-1]; !it.Complete && !last.Trusted && last.IssuerDN != last.SubjectDN && last.Issuer != "" {
			// Where building stopped: the issuer nobody had.
			c.chain.Add(missingIssuerRow(tr, len(it.Chain), last.Issuer))
		}
		body.Add(c.chain)
	}

	if len(it.Problems) > 0 {
		body.Add(widget.NewLabelWithStyle(tr.text("ui.diagnose.problems", nil), fyne.TextAlignLeading, bold))
		for _, p := range it.Problems {
			pt := problemTextOf(p)
			c.problems = append(c.problems, pt)
			body.Add(problemBox(pt))
		}
	}

	if q := it.Qualified; q != nil {
		body.Add(widget.NewLabelWithStyle(tr.text("ui.diagnose.qualified", nil), fyne.TextAlignLeading, bold))
		body.Add(rowsGrid(qualifiedRows(tr, q)))
	}

	var sections []*widget.AccordionItem
	if len(it.Checks) > 0 {
		sections = append(sections, widget.NewAccordionItem(
			tr.text("ui.diagnose.checks", map[string]any{"Count": len(it.Checks)}), checkLines(it)))
	}
	sections = append(sections, widget.NewAccordionItem(
		tr.text("ui.diagnose.fetches", map[string]any{"Count": len(it.Fetches)}), fetchLines(tr, it.Fetches)))
	c.details = widget.NewAccordion(sections...)
	c.details.MultiOpen = true
	body.Add(c.details)

	stripe := canvas.NewRectangle(c.banner.background.FillColor)
	stripe.SetMinSize(fyne.NewSize(4, 0))
	c.content = container.NewPadded(container.NewBorder(nil, nil, stripe, nil, c.banner.content))
	return c
}

// linkVerdict is the worst that was found about certificate i of the
// chain: its failed checks and problems, and its revocation.
func linkVerdict(it *diagnose.ItemView, i int) verdict {
	v := verdictValid
	worse := func(w verdict) {
		if w > v {
			v = w
		}
	}
	for _, c := range it.Checks {
		if c.Cert != i {
			continue
		}
		switch c.Result {
		case string(validate.CheckFail):
			worse(verdictInvalid)
		case string(validate.CheckWarn):
			worse(verdictWarnings)
		}
	}
	for _, p := range it.Problems {
		if p.Cert != i {
			continue
		}
		switch p.Severity {
		case string(validate.SeverityError):
			worse(verdictInvalid)
		case string(validate.SeverityWarning):
			worse(verdictWarnings)
		}
	}
	if r := it.Chain[i].Revocation; r != nil && r.Status == string(validate.RevocationRevoked) {
		worse(verdictInvalid)
	}
	return v
}

// verdictIcon is a chain row's icon in the verdict's colour.
func verdictIcon(v verdict) fyne.Resource {
	switch v {
	case verdictValid:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case verdictWarnings, verdictIndeterminate:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewErrorThemedResource(theme.ErrorIcon())
}

// chainRow is one certificate of the chain: icon, number and name, then
// validity, where it came from and its revocation.
func chainRow(tr *translator, i int, l *diagnose.LinkView, v verdict) fyne.CanvasObject {
	title := tr.text("ui.diagnose.link", map[string]any{"N": i + 1, "Name": l.Subject})
	if l.Trusted {
		title = tr.text("ui.diagnose.link-trusted", map[string]any{"N": i + 1, "Name": l.Subject})
	}
	name := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	name.Selectable = true
	validity := tr.text("ui.diagnose.link-validity", map[string]any{"From": tr.date(l.NotBefore), "To": tr.date(l.NotAfter)})
	if l.KeyNotAfter != nil {
		validity += "; " + tr.text("ui.diagnose.link-key-validity", map[string]any{"To": tr.date(*l.KeyNotAfter)})
	}
	lines := []string{validity}
	if l.Source != string(validate.SourceInput) {
		// Where the others came from is what tells a missing intermediate
		// from one the store or the network supplied.
		origin := sentence(l.SourceText)
		if l.URL != "" && !strings.Contains(origin, l.URL) {
			origin += ": " + l.URL
		}
		lines = append(lines, tr.text("ui.diagnose.link-origin", map[string]any{"Origin": origin}))
	}
	if r := l.Revocation; r != nil {
		lines = append(lines, tr.text("ui.diagnose.link-revocation", map[string]any{"Text": r.Text}))
	}
	// One label for the details: a label each would space them apart.
	details := widget.NewLabel(strings.Join(lines, "\n"))
	details.Wrapping = fyne.TextWrapWord
	details.Selectable = true
	icon := widget.NewIcon(verdictIcon(v))
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, container.NewVBox(name, details))
}

// missingIssuerRow ends a chain that stopped: the issuer that was not found.
func missingIssuerRow(tr *translator, i int, issuer string) fyne.CanvasObject {
	label := widget.NewLabelWithStyle(tr.text("ui.diagnose.link-missing", map[string]any{"N": i + 1, "Name": issuer}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	label.Wrapping = fyne.TextWrapWord
	label.Importance = widget.DangerImportance
	icon := widget.NewIcon(verdictIcon(verdictInvalid))
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, label)
}

// qualifiedRows are the qualified-certificate fields: each identifier with
// its check, the signing tools, the class, the accredited chain.
func qualifiedRows(tr *translator, q *diagnose.QualifiedView) []detailRow {
	var rows []detailRow
	for _, f := range q.Fields {
		rows = append(rows, detailRow{Label: f.Label, Value: f.Value + " — " + f.Text})
	}
	add := func(key, value string) {
		if value != "" {
			rows = append(rows, detailRow{Label: tr.text(key, nil), Value: value})
		}
	}
	add("diag.label.sign-tool", q.SubjectSignTool)
	add("diag.label.issuer-sign-tool", strings.Join(q.IssuerSignTool, "\n"))
	add("diag.label.classes", strings.Join(q.Classes, ", "))
	accredited := tr.text("common.no", nil)
	if q.AccreditedChain {
		accredited = tr.text("common.yes", nil)
	}
	add("diag.label.accredited", accredited)
	return rows
}

// checkMark is a check's result at a glance.
func checkMark(result string) string {
	switch validate.CheckResult(result) {
	case validate.CheckPass:
		return "✓"
	case validate.CheckFail:
		return "✗"
	case validate.CheckWarn:
		return "!"
	}
	return "–"
}

// checkLines lists every check made, numbered by certificate when the
// chain has several.
func checkLines(it *diagnose.ItemView) fyne.CanvasObject {
	box := container.NewVBox()
	for _, c := range it.Checks {
		text := checkMark(c.Result) + " "
		if c.Cert >= 0 && len(it.Chain) > 1 {
			text += fmt.Sprintf("[%d] ", c.Cert+1)
		}
		text += c.Title
		if c.Detail != "" {
			text += ": " + c.Detail
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		switch validate.CheckResult(c.Result) {
		case validate.CheckFail:
			l.Importance = widget.DangerImportance
		case validate.CheckWarn:
			l.Importance = widget.WarningImportance
		}
		box.Add(l)
	}
	return box
}

// fetchLines lists the URLs tried with their answers.
func fetchLines(tr *translator, fetches []diagnose.FetchView) fyne.CanvasObject {
	box := container.NewVBox()
	if len(fetches) == 0 {
		l := widget.NewLabel(tr.text("ui.diagnose.no-fetches", nil))
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
		return box
	}
	for _, f := range fetches {
		l := widget.NewLabel(tr.text("ui.diagnose.fetch", map[string]any{
			"Method": f.Method, "URL": f.URL, "Answer": f.Answer, "Duration": f.DurationMS,
		}))
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		if f.Error != "" {
			l.Importance = widget.WarningImportance
		}
		box.Add(l)
	}
	return box
}
