package ui

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/signer"
)

// signatureExtensions are the names signature files usually have: .sig
// (Podpis, Госуслуги), .p7s and .p7m (Outlook, CryptoPro), .sgn and .cms.
// They tell a dropped signature from its document, and the document is the
// signature's name without them.
var signatureExtensions = []string{".sig", ".p7s", ".p7m", ".sgn", ".cms"}

func isSignatureName(path string) bool {
	return slices.Contains(signatureExtensions, strings.ToLower(filepath.Ext(path)))
}

// isDetachedHead is how much of a signature file signer.IsDetached needs.
const isDetachedHead = 64 << 10

// verifyScreen checks a signature file: dropped or chosen, with its
// document, or alone when the document lies beside it under the same name
// (report.pdf.sig and report.pdf), or when the document is inside. Each
// signer gets a card, green, amber or red, with who signed and when, what
// is wrong and how to fix it, and details; "Copy report" puts all of it on
// the clipboard as text for whoever asked for the check.
type verifyScreen struct {
	w       *mainWindow
	content fyne.CanvasObject

	chooseSig  *widget.Button
	chooseDoc  *widget.Button
	again      *widget.Button
	copyButton *widget.Button
	sigLabel   *widget.Label
	docLabel   *widget.Label
	// hint invites to drop a signature, or says what is missing.
	hint    *widget.Label
	busy    *widget.ProgressBarInfinite
	overall *verdictBanner
	cards   *fyne.Container
	scroll  *container.Scroll

	// asked is what the person gave for the current check; in is that
	// completed by the check (the file found beside, the form).
	asked, in verifyInputs
	// generation numbers the checks, so that a slow check's result is
	// dropped when another was started meanwhile.
	generation int
	// shown is the report on screen, nil before any.
	shown       *verifyReport
	signerCards []*signerCard
}

// verifyInputs are the two files of a check.
type verifyInputs struct {
	Signature string
	Document  string // "" when the signature holds it, or while unknown
	// SignatureFound, DocumentFound: the file was not given but found
	// beside the other under the same name.
	SignatureFound, DocumentFound bool
	// Attached: the document is inside the signature.
	Attached bool
}

// verifyStep is where a check stopped when it could not verify.
type verifyStep int

const (
	stepVerified       verifyStep = iota
	stepNeedsDocument             // a detached signature without its document
	stepNeedsSignature            // a document without a signature beside it
	stepFailed                    // the files could not be read or parsed
)

// verifyOutcome is a finished check.
type verifyOutcome struct {
	in     verifyInputs
	step   verifyStep
	result *signer.Result
	err    error
	at     time.Time
}

func newVerifyScreen(w *mainWindow) *verifyScreen {
	tr := w.tr
	s := &verifyScreen{w: w}
	s.chooseSig = widget.NewButtonWithIcon(tr.text("ui.verify.choose-signature", nil), theme.FileIcon(), func() {
		s.openFile(func(path string) {
			in := verifyInputs{Signature: path}
			if s.waitingFor() == stepNeedsSignature {
				in.Document = s.in.Document // the signature it waited for
			}
			s.check(in)
		})
	})
	s.chooseSig.Importance = widget.HighImportance
	s.chooseDoc = widget.NewButtonWithIcon(tr.text("ui.verify.choose-document", nil), theme.DocumentIcon(), func() {
		s.openFile(func(path string) { s.check(verifyInputs{Signature: s.in.Signature, Document: path}) })
	})
	// Again, after importing a root certificate say, or after the document
	// appeared beside its signature.
	s.again = widget.NewButtonWithIcon(tr.text("ui.verify.again", nil), theme.ViewRefreshIcon(), func() { s.check(s.asked) })
	s.copyButton = widget.NewButtonWithIcon(tr.text("ui.verify.copy", nil), theme.ContentCopyIcon(), func() {
		if s.shown != nil {
			s.w.app.Clipboard().SetContent(s.shown.text(tr))
		}
	})
	s.sigLabel = widget.NewLabel("")
	s.sigLabel.Truncation = fyne.TextTruncateEllipsis
	s.docLabel = widget.NewLabel("")
	s.docLabel.Truncation = fyne.TextTruncateEllipsis
	s.hint = newDropHint(tr.text("ui.verify.drop-hint", nil))
	s.busy = newIdleProgress()
	s.overall = newVerdictBanner()
	s.overall.content.Hide()
	s.cards = container.NewVBox()
	s.scroll = container.NewVScroll(container.NewVBox(s.overall.content, s.cards))

	files := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle(tr.text("ui.verify.signature", nil), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), s.sigLabel,
		widget.NewLabelWithStyle(tr.text("ui.verify.document", nil), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), s.docLabel,
	)
	toolbar := container.NewHBox(s.chooseSig, s.chooseDoc, s.again, layout.NewSpacer(), s.copyButton)
	top := container.NewVBox(toolbar, files, s.busy)
	// A spacer above and below centres the hint; a VBox gives it the whole
	// width to wrap in (in a Center it would get one letter's width).
	hint := container.NewVBox(layout.NewSpacer(), s.hint, layout.NewSpacer())
	s.content = container.NewBorder(top, nil, nil, nil, container.NewStack(s.scroll, hint))
	s.showInputs()
	s.updateActions()
	return s
}

// openFile asks for one file.
func (s *verifyScreen) openFile(chosen func(string)) { s.w.pickFile(chosen) }

// addPaths takes dropped files: a signature and its document in any order,
// a signature alone, a document alone (its signature may be beside it), or
// the missing half of the last check.
func (s *verifyScreen) addPaths(paths []string) {
	s.check(pairDropped(paths, s.in, s.waitingFor()))
}

// waitingFor is the step the last check stopped at.
func (s *verifyScreen) waitingFor() verifyStep {
	if s.shown == nil {
		return stepVerified
	}
	return s.shown.step
}

// pairDropped decides which dropped file is the signature. One file
// completes a check that waits for it (unless it is named like a signature
// while a document is awaited: then it starts a new check); otherwise names
// decide: the file with a signature's extension (of two, the one named
// after the other) is the signature, any other the document.
func pairDropped(paths []string, last verifyInputs, waiting verifyStep) verifyInputs {
	if len(paths) == 1 {
		p := paths[0]
		switch {
		case waiting == stepNeedsDocument && last.Signature != "" && !isSignatureName(p):
			return verifyInputs{Signature: last.Signature, Document: p}
		case waiting == stepNeedsSignature && last.Document != "" && p != last.Document:
			return verifyInputs{Signature: p, Document: last.Document}
		case isSignatureName(p):
			return verifyInputs{Signature: p}
		default:
			return verifyInputs{Document: p}
		}
	}
	in := verifyInputs{}
	for _, p := range paths {
		if isSignatureName(p) && (in.Signature == "" || documentOf(p) == in.Signature) {
			if in.Signature != "" && in.Document == "" {
				in.Document = in.Signature
			}
			in.Signature = p
		} else if in.Document == "" {
			in.Document = p
		}
	}
	if in.Signature == "" && len(paths) > 0 {
		// No name looks like a signature: the first file is taken as one
		// and its parsing will say if it is not.
		in.Signature, in.Document = paths[0], ""
		if len(paths) > 1 {
			in.Document = paths[1]
		}
	}
	return in
}

// documentOf is the signature's name without its extension: where its
// document usually lies.
func documentOf(sig string) string {
	if isSignatureName(sig) {
		return strings.TrimSuffix(sig, filepath.Ext(sig))
	}
	return ""
}

// check verifies in the background; what is missing is looked for beside
// the file given.
func (s *verifyScreen) check(in verifyInputs) {
	if in.Signature == "" && in.Document == "" {
		return
	}
	s.generation++
	generation := s.generation
	s.asked, s.in = in, in
	s.showInputs()
	s.clearResult()
	s.hint.Hide()
	s.busy.Show()
	s.busy.Start()
	s.updateActions()
	at := s.w.now()
	s.w.background(func() {
		outcome := s.w.runVerify(in, at)
		s.w.do(func() {
			if generation == s.generation {
				s.show(outcome)
			}
		})
	})
}

// runVerify finds the missing file and verifies, in the background.
func (w *mainWindow) runVerify(in verifyInputs, at time.Time) verifyOutcome {
	out := verifyOutcome{in: in, at: at}
	if in.Signature == "" {
		for _, ext := range signatureExtensions {
			if regularFile(in.Document + ext) {
				out.in.Signature, out.in.SignatureFound = in.Document+ext, true
				break
			}
		}
		if out.in.Signature == "" {
			out.step = stepNeedsSignature
			return out
		}
	}
	sig, err := os.Open(out.in.Signature)
	if err != nil {
		out.step, out.err = stepFailed, err
		return out
	}
	defer sig.Close()
	head := make([]byte, isDetachedHead)
	n, err := io.ReadFull(sig, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		out.step, out.err = stepFailed, err
		return out
	}
	detached, formErr := signer.IsDetached(head[:n])
	if _, err := sig.Seek(0, io.SeekStart); err != nil {
		out.step, out.err = stepFailed, err
		return out
	}
	if formErr == nil && !detached {
		out.in.Attached, out.in.Document, out.in.DocumentFound = true, "", false
	}
	if formErr == nil && detached && out.in.Document == "" {
		if doc := documentOf(out.in.Signature); doc != "" && regularFile(doc) {
			out.in.Document, out.in.DocumentFound = doc, true
		} else {
			out.step = stepNeedsDocument
			return out
		}
	}

	opts, err := signer.StoreVerifyOptions(w.store, at, false, false)
	if err != nil {
		out.step, out.err = stepFailed, err
		return out
	}
	if out.in.Document == "" {
		// Attached, or not a signature at all: Verify says which.
		out.result, out.err = signer.Verify(sig, opts)
	} else {
		doc, err := os.Open(out.in.Document)
		if err != nil {
			out.step, out.err = stepFailed, err
			return out
		}
		defer doc.Close()
		out.result, out.err = signer.VerifyDetached(sig, doc, opts)
	}
	if out.err != nil {
		out.step = stepFailed
	}
	return out
}

func regularFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// show puts a finished check on screen.
func (s *verifyScreen) show(out verifyOutcome) {
	s.busy.Stop()
	s.busy.Hide()
	s.in = out.in
	s.showInputs()
	report := describeOutcome(s.w.tr, out)
	s.shown = &report
	s.clearResult()
	switch out.step {
	case stepNeedsDocument, stepNeedsSignature:
		s.hint.SetText(report.Title)
		s.hint.Show()
	default:
		s.hint.Hide()
		s.overall.set(report.Verdict, report.Title, report.Lines, report.Problems)
		s.overall.content.Show()
		for i := range report.Signers {
			card := newSignerCard(s.w.tr, &report.Signers[i])
			card.resized = s.scroll.Refresh
			s.signerCards = append(s.signerCards, card)
			s.cards.Add(card.content)
		}
		s.scroll.Show()
		s.scroll.ScrollToTop()
	}
	// New rows changed the sizes their containers need: lay all out again.
	s.scroll.Content.Refresh()
	s.scroll.Refresh()
	s.updateActions()
}

func (s *verifyScreen) clearResult() {
	s.signerCards = nil
	s.cards.RemoveAll()
	s.overall.content.Hide()
}

// showInputs names the two files.
func (s *verifyScreen) showInputs() {
	tr := s.w.tr
	in := s.in
	sig, doc := tr.text("ui.verify.signature-not-chosen", nil), tr.text("ui.verify.document-not-chosen", nil)
	switch {
	case in.SignatureFound:
		sig = tr.text("ui.verify.found-beside", map[string]any{"File": in.Signature})
	case in.Signature != "":
		sig = in.Signature
	}
	switch {
	case in.Attached:
		doc = tr.text("ui.verify.document-inside", nil)
	case in.DocumentFound:
		doc = tr.text("ui.verify.found-beside", map[string]any{"File": in.Document})
	case in.Document != "":
		doc = in.Document
	}
	s.sigLabel.SetText(sig)
	s.docLabel.SetText(doc)
}

func (s *verifyScreen) updateActions() {
	if s.asked.Signature != "" || s.asked.Document != "" {
		s.again.Enable()
	} else {
		s.again.Disable()
	}
	if s.shown != nil && s.shown.step != stepNeedsDocument && s.shown.step != stepNeedsSignature {
		s.copyButton.Enable()
	} else {
		s.copyButton.Disable()
	}
}

// verdict is a card's colour.
type verdict int

const (
	verdictValid         verdict = iota // green
	verdictWarnings                     // amber: valid, with remarks
	verdictIndeterminate                // amber: could not be fully checked
	verdictInvalid                      // red
)

// verdictOf judges a status with its problems: a valid signature with
// warnings (a chain that was not checked, an unknown revocation status) is
// amber, not green; notices do not change the colour.
func verdictOf(st signer.Status, problems []signer.Problem) verdict {
	switch st {
	case signer.StatusValid:
		if slices.ContainsFunc(problems, func(p signer.Problem) bool { return !isNotice(p) }) {
			return verdictWarnings
		}
		return verdictValid
	case signer.StatusIndeterminate:
		return verdictIndeterminate
	default:
		return verdictInvalid
	}
}

func (v verdict) colors() (background, text color.Color) {
	switch v {
	case verdictValid:
		return colorValid, colorOnDark
	case verdictWarnings, verdictIndeterminate:
		return colorExpiring, colorOnLight
	default:
		return colorExpired, colorOnDark
	}
}

// name is the verdict's word in reports and tests.
func (v verdict) name() string {
	return [...]string{"valid", "warnings", "indeterminate", "invalid"}[v]
}

// isNotice tells the remarks that every signature gets for now: signer
// says of each that revocation was not checked, because checking it is the
// work of a later issue. Were that amber, every signature would be amber
// and amber would mean nothing; the remark is still shown, in grey. A
// revocation check that was made and failed is "revocation-unknown" with
// another reason, and stays amber.
func isNotice(p signer.Problem) bool {
	return p.Severity == signer.SeverityWarning && p.Reason == "revocation-not-checked"
}

// problemText is a problem in words.
type problemText struct {
	Message string
	Hint    string
	Error   bool // an error rather than a warning
	Notice  bool // see isNotice
}

// describeProblem words a problem found by verification: the precise
// reason's text when there is one (err.sig-<reason>), else the code's.
func describeProblem(tr *translator, p signer.Problem) problemText {
	text := problemText{Error: p.Severity != signer.SeverityWarning, Notice: isNotice(p)}
	// The CLI's fixes name its commands and flags; the window has its own
	// words where they differ.
	if key := "ui.verify.hint." + p.MessageKey(); p.Reason != "" && tr.has(key) {
		text.Hint = tr.text(key, p.Params)
	}
	var keys []string
	if p.Reason != "" {
		keys = append(keys, p.MessageKey())
	}
	if p.Code != "" {
		keys = append(keys, p.Code)
	}
	for _, k := range keys {
		if text.Message == "" && tr.has("err."+k) {
			text.Message = tr.text("err."+k, p.Params)
		}
		if text.Hint == "" && tr.has("hint."+k) {
			text.Hint = tr.text("hint."+k, p.Params)
		}
	}
	if text.Message == "" {
		text.Message = tr.text("ui.verify.problem-untranslated", map[string]any{"Code": p.Code, "Reason": p.Reason})
	}
	return text
}

// describeVerifyError words an error that stopped verification: signer's
// errors carry the code sig-<reason>, whose text says what is wrong with
// the file.
func describeVerifyError(tr *translator, err error) problemText {
	if errors.Is(err, os.ErrNotExist) {
		var coded codedError
		if !errors.As(err, &coded) {
			return problemText{Message: tr.text("ui.verify.file-missing", map[string]any{"Detail": err.Error()}), Error: true}
		}
	}
	d := tr.describe(err)
	return problemText{Message: d.Message, Hint: d.Hint, Error: true}
}

// verifyReport is a check in words: the screen shows it, "Copy report"
// copies it.
type verifyReport struct {
	step     verifyStep
	Verdict  verdict
	Title    string
	Files    []detailRow // the signature and the document
	Lines    []detailRow // when checked
	Problems []problemText
	Signers  []signerReport
}

// signerReport is one signer in words.
type signerReport struct {
	Verdict  verdict
	Title    string
	Name     string
	Fields   []detailRow
	Problems []problemText
	Details  []detailRow
}

// describeOutcome puts a check into words.
func describeOutcome(tr *translator, out verifyOutcome) verifyReport {
	r := verifyReport{step: out.step, Verdict: verdictInvalid}
	in := out.in
	switch out.step {
	case stepNeedsDocument:
		r.Title = tr.text("ui.verify.needs-document", map[string]any{"File": filepath.Base(in.Signature)})
		return r
	case stepNeedsSignature:
		r.Title = tr.text("ui.verify.needs-signature", map[string]any{"File": filepath.Base(in.Document)})
		return r
	}
	add := func(rows *[]detailRow, key, value string) {
		if value != "" {
			*rows = append(*rows, detailRow{Label: tr.text(key, nil), Value: value})
		}
	}
	add(&r.Files, "ui.verify.signature", in.Signature)
	if in.Attached {
		add(&r.Files, "ui.verify.document", tr.text("ui.verify.document-inside", nil))
	} else {
		add(&r.Files, "ui.verify.document", in.Document)
	}
	add(&r.Lines, "ui.verify.checked-at", tr.dateTime(out.at))
	if out.err != nil || out.result == nil {
		r.Title = tr.text("ui.verify.failed", nil)
		if out.err != nil {
			r.Problems = append(r.Problems, describeVerifyError(tr, out.err))
		}
		return r
	}
	res := out.result
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, describeProblem(tr, p))
	}
	hasWarnings := len(res.Problems) > 0
	for _, sr := range res.Signers {
		sr := describeSigner(tr, sr)
		if sr.Verdict == verdictWarnings {
			hasWarnings = true
		}
		r.Signers = append(r.Signers, sr)
	}
	problems := res.Problems
	if hasWarnings && len(problems) == 0 {
		// Only signers have remarks: the file's verdict is amber too.
		problems = []signer.Problem{{Severity: signer.SeverityWarning}}
	}
	r.Verdict = verdictOf(res.Status, problems)
	count := len(res.Signers)
	r.Title = tr.plural("ui.verify.overall."+r.Verdict.name(), count, nil)
	return r
}

// describeSigner puts one signer's result into words.
func describeSigner(tr *translator, sr *signer.SignerResult) signerReport {
	r := signerReport{Verdict: verdictOf(sr.Status, sr.Problems)}
	r.Title = tr.text("ui.verify.signer."+r.Verdict.name(), nil)
	add := func(rows *[]detailRow, label, value string) {
		if value != "" {
			*rows = append(*rows, detailRow{Label: label, Value: value})
		}
	}
	if c := sr.Certificate; c != nil {
		r.Name = displayName(tr, c.Subject)
		for _, t := range []asn1.ObjectIdentifier{oid.INN, oid.INNLE, oid.SNILS} {
			add(&r.Fields, oidName(tr, t), c.Subject.Get(t))
		}
		if org := c.Subject.Organization(); org != r.Name {
			add(&r.Fields, tr.text("ui.verify.field.organization", nil), org)
		}
		add(&r.Fields, tr.text("ui.verify.field.issuer", nil), displayName(tr, c.Issuer))
		add(&r.Fields, tr.text("ui.details.serial", nil), strings.ToUpper(c.SerialHex()))
		add(&r.Fields, tr.text("ui.verify.field.validity", nil), tr.text("ui.details.period", map[string]any{
			"From": tr.date(c.NotBefore), "To": tr.date(c.NotAfter),
		}))
	} else {
		r.Name = tr.text("ui.verify.no-certificate", nil)
	}
	signingTime := tr.text("ui.verify.no-signing-time", nil)
	if sr.SigningTime != nil {
		signingTime = tr.dateTime(*sr.SigningTime)
	}
	add(&r.Fields, tr.text("ui.verify.field.signing-time", nil), signingTime)
	for _, p := range sr.Problems {
		// The card names the signer already: "Иванов И. И.: ..." would
		// say it twice.
		p.Params = maps.Clone(p.Params)
		delete(p.Params, "Signer")
		r.Problems = append(r.Problems, describeProblem(tr, p))
	}

	add(&r.Details, tr.text("ui.verify.detail.signer-id", nil), sr.SignerID)
	if c := sr.Certificate; c != nil {
		add(&r.Details, tr.text("ui.verify.detail.subject", nil), c.Subject.String())
		add(&r.Details, tr.text("ui.details.thumbprint", nil), c.Thumbprint())
	}
	if sr.DigestAlgorithm != nil {
		add(&r.Details, tr.text("ui.verify.detail.digest", nil), oidName(tr, sr.DigestAlgorithm))
	}
	if sr.SignatureAlgorithm != nil {
		add(&r.Details, tr.text("ui.verify.detail.signature-algorithm", nil), oidName(tr, sr.SignatureAlgorithm))
	}
	cades := tr.text("common.no", nil)
	if sr.CAdES {
		cades = tr.text("common.yes", nil)
	}
	add(&r.Details, tr.text("ui.verify.detail.cades", nil), cades)
	chain := tr.text("ui.verify.detail.no-chain", nil)
	if len(sr.Chain) > 0 {
		names := make([]string, len(sr.Chain))
		for i, c := range sr.Chain {
			names[i] = displayName(tr, c.Subject)
		}
		chain = strings.Join(names, " → ")
	}
	add(&r.Details, tr.text("ui.verify.detail.chain", nil), chain)
	return r
}

// text is the report as plain text, in the window's language.
func (r *verifyReport) text(tr *translator) string {
	var b strings.Builder
	b.WriteString(tr.text("ui.verify.report-title", nil) + "\n")
	writeRows := func(indent string, rows []detailRow) {
		for _, row := range rows {
			fmt.Fprintf(&b, "%s%s: %s\n", indent, row.Label, strings.ReplaceAll(row.Value, "\n", "\n"+indent+"  "))
		}
	}
	writeProblems := func(indent string, problems []problemText) {
		for _, p := range problems {
			fmt.Fprintf(&b, "%s- %s\n", indent, p.Message)
			if p.Hint != "" {
				fmt.Fprintf(&b, "%s  %s\n", indent, p.Hint)
			}
		}
	}
	writeRows("", r.Files)
	writeRows("", r.Lines)
	fmt.Fprintf(&b, "%s: %s\n", tr.text("ui.verify.result", nil), r.Title)
	writeProblems("", r.Problems)
	for i, s := range r.Signers {
		b.WriteString("\n")
		fmt.Fprintf(&b, "%s: %s\n", tr.text("ui.verify.signer-number", map[string]any{"Number": i + 1}), s.Title)
		fmt.Fprintf(&b, "  %s: %s\n", tr.text("ui.verify.field.name", nil), s.Name)
		writeRows("  ", s.Fields)
		writeProblems("  ", s.Problems)
		writeRows("  ", s.Details)
	}
	return b.String()
}

// verdictBanner is a coloured heading with lines below it: the file's
// verdict at the top of the results.
type verdictBanner struct {
	background *canvas.Rectangle
	title      *canvas.Text
	body       *fyne.Container
	content    *fyne.Container
	verdict    verdict
}

func newVerdictBanner() *verdictBanner {
	b := &verdictBanner{background: canvas.NewRectangle(colorNotYet), title: canvas.NewText("", colorOnDark)}
	b.background.CornerRadius = 6
	b.title.TextStyle.Bold = true
	b.title.TextSize = theme.TextSubHeadingSize()
	b.body = container.NewVBox()
	heading := container.NewStack(b.background, container.NewPadded(b.title))
	b.content = container.NewVBox(heading, b.body)
	return b
}

func (b *verdictBanner) set(v verdict, title string, lines []detailRow, problems []problemText) {
	b.verdict = v
	b.background.FillColor, b.title.Color = v.colors()
	b.title.Text = title
	b.background.Refresh()
	b.title.Refresh()
	b.body.RemoveAll()
	if len(lines) > 0 {
		b.body.Add(rowsGrid(lines))
	}
	for _, p := range problems {
		b.body.Add(problemBox(p))
	}
}

// rowsGrid lays rows out as a form: labels right-aligned, values wrapped.
func rowsGrid(rows []detailRow) *fyne.Container {
	grid := container.New(layout.NewFormLayout())
	for _, r := range rows {
		value := widget.NewLabel(r.Value)
		value.Wrapping = fyne.TextWrapWord
		value.Selectable = true
		grid.Add(widget.NewLabelWithStyle(r.Label, fyne.TextAlignTrailing, fyne.TextStyle{}))
		grid.Add(value)
	}
	return grid
}

// problemBox shows a problem's message (red for an error, amber for a
// warning) with its fix below.
func problemBox(p problemText) *fyne.Container {
	message := widget.NewLabel(p.Message)
	message.Wrapping = fyne.TextWrapWord
	message.TextStyle.Bold = true
	switch {
	case p.Error:
		message.Importance = widget.DangerImportance
	case p.Notice:
		message.TextStyle.Bold = false
	default:
		message.Importance = widget.WarningImportance
	}
	box := container.NewVBox(message)
	if p.Hint != "" {
		hint := widget.NewLabel(p.Hint)
		hint.Wrapping = fyne.TextWrapWord
		box.Add(hint)
	}
	return box
}

// signerCard is one signer's result: a coloured stripe and heading, who
// signed, what is wrong, and details behind a toggle.
type signerCard struct {
	report  *signerReport
	banner  *verdictBanner
	name    *widget.Label
	toggle  *widget.Button
	details *fyne.Container
	content *fyne.Container
	// resized is told when the details open or close.
	resized func()
}

func newSignerCard(tr *translator, r *signerReport) *signerCard {
	c := &signerCard{report: r, banner: newVerdictBanner()}
	c.name = widget.NewLabelWithStyle(r.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.name.Wrapping = fyne.TextWrapWord
	c.name.Selectable = true
	c.banner.set(r.Verdict, r.Title, nil, nil)
	c.banner.body.Add(c.name)
	c.banner.body.Add(rowsGrid(r.Fields))
	for _, p := range r.Problems {
		c.banner.body.Add(problemBox(p))
	}
	c.details = rowsGrid(r.Details)
	c.details.Hide()
	c.toggle = widget.NewButtonWithIcon(tr.text("ui.verify.details-show", nil), theme.MenuDropDownIcon(), nil)
	c.toggle.Importance = widget.LowImportance
	c.toggle.OnTapped = func() {
		if c.details.Visible() {
			c.details.Hide()
			c.toggle.SetText(tr.text("ui.verify.details-show", nil))
			c.toggle.SetIcon(theme.MenuDropDownIcon())
		} else {
			c.details.Show()
			c.toggle.SetText(tr.text("ui.verify.details-hide", nil))
			c.toggle.SetIcon(theme.MenuDropUpIcon())
		}
		// The rows were laid out while hidden: lay the card out again, and
		// the scroll around it, which grows.
		c.content.Refresh()
		if c.resized != nil {
			c.resized()
		}
	}
	c.banner.body.Add(container.NewHBox(c.toggle))
	c.banner.body.Add(c.details)
	stripe := canvas.NewRectangle(c.banner.background.FillColor)
	stripe.SetMinSize(fyne.NewSize(4, 0))
	c.content = container.NewPadded(container.NewBorder(nil, nil, stripe, nil, c.banner.content))
	return c
}

// newDropHint is the centred, wrapped text of a screen's drop zone.
func newDropHint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	return l
}

// newIdleProgress is a hidden, stopped progress bar for background work
// of unknown length.
func newIdleProgress() *widget.ProgressBarInfinite {
	b := widget.NewProgressBarInfinite()
	b.Stop()
	b.Hide()
	return b
}
