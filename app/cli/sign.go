package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/signer"
)

// signFileJSON is one file in `podpis sign --json`.
type signFileJSON struct {
	File            string   `json:"file"`
	Signature       string   `json:"signature"`
	Result          string   `json:"result"` // signed | skipped | failed | canceled
	Size            int64    `json:"size"`
	DigestAlgorithm string   `json:"digest_algorithm,omitempty"`
	Digest          string   `json:"digest,omitempty"`
	Error           *problem `json:"error,omitempty"`
}

type signTotalsJSON struct {
	Files   int `json:"files"`
	Signed  int `json:"signed"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
}

type signReportJSON struct {
	Certificate string         `json:"certificate"` // the signer's ID
	Subject     string         `json:"subject"`
	Attached    bool           `json:"attached"`
	Files       []signFileJSON `json:"files"`
	Totals      signTotalsJSON `json:"totals"`
	Canceled    bool           `json:"canceled"`
	Manifest    string         `json:"manifest,omitempty"`
	// Key says what made the signatures: a token (a device) or the
	// store's key container (Podpis's own code).
	Key keyLocationJSON `json:"key"`
	// Stopped is why the batch ended early (the token was pulled out, its
	// PIN locked): a re-run signs the rest.
	Stopped *problem `json:"stopped,omitempty"`
}

// keyLocationJSON is where the private key that signed is.
type keyLocationJSON struct {
	Location string `json:"location"` // token | container
	Token    string `json:"token,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Model    string `json:"model,omitempty"`
}

func keyLocation(key signer.Key) keyLocationJSON {
	if tk, ok := key.Signer.(*token.Key); ok {
		info := tk.Token()
		return keyLocationJSON{Location: "token", Token: info.Label, Serial: info.Serial, Model: info.Model}
	}
	return keyLocationJSON{Location: "container"}
}

// keyLine says in words what made a signature (DESIGN: the app shows
// whether a certified device or Podpis's own code signed).
func (r *runner) keyLine(loc keyLocationJSON) string {
	if loc.Location == "token" {
		return r.l.T("cli.token.signed-on-token", map[string]any{"Token": loc.Token, "Serial": loc.Serial})
	}
	return r.l.T("cli.token.signed-in-container")
}

// closeKey ends a token key's session; a software key has nothing to
// close.
func closeKey(key signer.Key) {
	if c, ok := key.Signer.(io.Closer); ok {
		_ = c.Close()
	}
}

// progressInterval keeps the progress line from flooding a slow terminal
// when small files fly by.
const progressInterval = 100 * time.Millisecond

// runSign signs files and folders with one certificate: the key is unlocked
// once, the batch runs on every core, and each failure gets its line.
func runSign(r *runner, a *parsedArgs) int {
	id, ok := a.values["cert"]
	if !ok || id == "" {
		return r.fail(usageError("flag-required", map[string]any{"Flag": "--cert"}))
	}
	// Everything that can be checked before the password is asked for is.
	for _, in := range a.positional {
		if _, err := os.Stat(in); err != nil {
			return r.fail(r.unreadable(in, err))
		}
	}
	outDir := a.values["out-dir"]
	if _, given := a.values["out-dir"]; given && outDir == "" {
		return r.fail(usageError("flag-value-missing", map[string]any{"Flag": "--out-dir"}))
	}
	if outDir != "" {
		if fi, err := os.Stat(outDir); err == nil && !fi.IsDir() {
			return r.fail(newError("sign-out-dir-not-folder", map[string]any{"File": outDir}, nil))
		}
	}
	manifest, withManifest := a.values["manifest"]
	force := a.has("force")
	if withManifest {
		if manifest == "" {
			return r.fail(usageError("flag-value-missing", map[string]any{"Flag": "--manifest"}))
		}
		if fi, err := os.Stat(manifest); err == nil {
			if fi.IsDir() {
				return r.fail(newError("output-is-directory", map[string]any{"File": manifest}, nil))
			}
			if !force {
				return r.fail(newError("output-exists", map[string]any{"File": manifest}, nil))
			}
		}
	}

	store, e, key, err := r.signingKey(a, id)
	if err != nil {
		return r.fail(err)
	}
	defer closeKey(key)
	opts := signer.BatchOptions{
		SignOptions: signer.SignOptions{Attached: a.has("attached"), PEM: a.has("pem"), Now: r.env.Now},
		OutDir:      outDir,
		Force:       force,
	}
	if a.has("chain") {
		if opts.Certificates, err = r.issuers(store, e); err != nil {
			return r.fail(err)
		}
	}

	// Ctrl-C stops starting files and lets the ones under way finish, so
	// the summary says what was done; a second Ctrl-C ends the process at
	// once (a partial signature is never left under its name either way).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	pr := &signProgress{r: r, live: r.stderrIsTerminal(), hints: map[string]bool{}}
	opts.Progress = pr.report
	report, err := signer.SignBatch(ctx, a.positional, key, opts)
	if err != nil {
		return r.fail(err)
	}
	pr.clear()

	manifestErr := error(nil)
	if withManifest {
		var buf bytes.Buffer
		if manifestErr = signer.WriteManifest(&buf, report); manifestErr == nil {
			manifestErr = writeNewFile(manifest, buf.Bytes(), 0o644, force)
		}
	}

	if r.json {
		out := signReportJSON{
			Certificate: e.ID, Subject: displayName(e.Cert.Subject), Attached: opts.Attached,
			Files:    make([]signFileJSON, 0, len(report.Files)),
			Totals:   signTotalsJSON{Files: len(report.Files), Signed: report.Signed, Skipped: report.Skipped, Failed: report.Failed},
			Canceled: report.Canceled,
			Key:      keyLocation(key),
			Stopped:  r.problemPtr(report.Stopped),
		}
		if withManifest && manifestErr == nil {
			out.Manifest = manifest
		}
		for _, f := range report.Files {
			fj := signFileJSON{File: f.Path, Signature: f.Output, Result: f.Result(), Size: f.Size()}
			if f.Result() == "signed" {
				fj.DigestAlgorithm = f.Signed.AlgorithmName()
				fj.Digest = fmt.Sprintf("%x", f.Signed.Digest)
			}
			if f.Err != nil {
				p := r.problem(f.Err)
				fj.Error = &p
			}
			out.Files = append(out.Files, fj)
		}
		r.printJSON(out)
	} else {
		r.printSignSummary(report, pr, force)
		if report.Signed > 0 {
			fmt.Fprintln(r.env.Stdout, r.keyLine(keyLocation(key)))
		}
	}
	if manifestErr != nil {
		// Even under --json: the report is out already, so the manifest's
		// failure goes where a person or a log sees it.
		r.printProblem(r.problem(manifestErr), "")
		return exitInvalid
	}
	if report.Failed > 0 || report.Canceled || report.Stopped != nil {
		return exitInvalid
	}
	return exitOK
}

func (r *runner) printSignSummary(report *signer.BatchReport, pr *signProgress, force bool) {
	if len(report.Files) == 1 && report.Signed == 1 {
		f := report.Files[0]
		r.outf("cli.sign.done-one", map[string]any{"File": f.Path, "Output": f.Output})
	} else if len(report.Files) == 0 {
		r.outf("cli.sign.nothing")
	} else {
		r.outf("cli.sign.summary", map[string]any{"Signed": report.Signed, "Skipped": report.Skipped, "Failed": report.Failed})
	}
	if report.Skipped > 0 && !force {
		fmt.Fprintln(r.env.Stdout, r.l.N("cli.sign.skipped-note", report.Skipped))
	}
	switch {
	case report.Stopped != nil:
		// The key became unusable (a token pulled out, its PIN locked):
		// what is signed stays valid, and a re-run picks up the rest.
		p := r.problem(report.Stopped)
		fmt.Fprintf(r.env.Stderr, "podpis: %s\n", r.l.N("cli.token.batch-stopped", report.Signed, map[string]any{"Message": p.Message}))
		if p.Hint != "" {
			fmt.Fprintf(r.env.Stderr, "  → %s\n", p.Hint)
		}
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.token.batch-rerun"))
	case report.Canceled:
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.sign.canceled"))
	}
	for _, h := range pr.hintOrder {
		if report.Stopped != nil && h == r.problem(report.Stopped).Hint {
			continue // said above
		}
		fmt.Fprintf(r.env.Stderr, "  → %s\n", h)
	}
}

// signProgress draws the progress line (on a terminal) and prints each
// failure on its own line as it happens.
type signProgress struct {
	r         *runner
	live      bool // stderr is a terminal: keep a progress line
	drawn     bool
	last      time.Time
	hints     map[string]bool
	hintOrder []string
}

func (p *signProgress) report(bp signer.BatchProgress) {
	res := bp.Last
	if res.Err != nil && res.Result() == "failed" {
		pb := p.r.problem(res.Err)
		if !p.r.json {
			p.clear()
			line := pb.Message
			if pb.File != "" && !strings.Contains(line, pb.File) {
				line = pb.File + ": " + line
			}
			fmt.Fprintf(p.r.env.Stderr, "podpis: %s\n", line)
		}
		if pb.Hint != "" && !p.hints[pb.Hint] {
			p.hints[pb.Hint] = true
			p.hintOrder = append(p.hintOrder, pb.Hint)
		}
	}
	if !p.live {
		return
	}
	now := time.Now()
	if bp.Done != bp.Total && now.Sub(p.last) < progressInterval {
		return
	}
	p.last = now
	width := len(fmt.Sprint(bp.Total))
	pct := 100
	if bp.Total > 0 {
		pct = bp.Done * 100 / bp.Total
	}
	fmt.Fprintf(p.r.env.Stderr, "\r[%*d/%d] %3d%% %s\x1b[K", width, bp.Done, bp.Total, pct, shortenPath(res.Path, 50))
	p.drawn = true
}

// clear removes the progress line so that a message starts on a clean one.
func (p *signProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.r.env.Stderr, "\r\x1b[K")
		p.drawn = false
	}
}

// shortenPath keeps the end of a long path, where the file's name is.
func shortenPath(path string, max int) string {
	if utf8.RuneCountInString(path) <= max {
		return path
	}
	runes := []rune(path)
	return "…" + string(runes[len(runes)-max+1:])
}

// stderrIsTerminal tells whether a person watches stderr: a terminal file,
// or a writer that says it is one (tests).
func (r *runner) stderrIsTerminal() bool {
	switch w := r.env.Stderr.(type) {
	case *os.File:
		return term.IsTerminal(int(w.Fd()))
	case interface{ IsTerminal() bool }:
		return w.IsTerminal()
	}
	return false
}

// signingKey finds the certificate of --cert, refuses one that cannot sign
// now, and unlocks its key once: from the keyring when the password is
// remembered, else from --password-file / --password-stdin, else asked on
// the terminal (again after a wrong one, a few times). A key on a token
// logs in once; a wrong PIN is never tried again, since each try brings
// the token closer to locking its PIN. The caller closes the key
// (closeKey).
func (r *runner) signingKey(a *parsedArgs, id string) (*certstore.Store, *certstore.Entry, signer.Key, error) {
	store, e, err := r.storeEntry(id)
	if err != nil {
		return nil, nil, signer.Key{}, err
	}
	if !e.CanSign() {
		return nil, nil, signer.Key{}, certstore.ErrNoKey
	}
	if err := canSignAt(e.Cert, r.env.Now()); err != nil {
		return nil, nil, signer.Key{}, err
	}
	pw, err := r.readPasswordFlags(a)
	if err != nil {
		return nil, nil, signer.Key{}, err
	}
	for try := 1; ; try++ {
		priv, err := store.PrivateKey(e.ID, pw.ask)
		switch {
		case err == nil:
			key := signer.Key{Certificate: e.Cert, Signer: priv}
			if tk, ok := priv.(*token.Key); ok && a.has("remember") {
				r.rememberSigningPIN(store, pw.pins, tk)
			} else if a.has("remember") {
				// A container's password is kept by import or passwd
				// --remember; saying nothing would look like it was kept.
				r.warn(problem{Message: r.l.T("cli.token.remember-container")})
			}
			return store, e, key, nil
		case errors.Is(err, certstore.ErrCancelled):
			return nil, nil, signer.Key{}, newError("cancelled", nil, err)
		case isTokenError(err):
			// Never again: not even on a terminal.
			return nil, nil, signer.Key{}, err
		case errors.Is(err, certstore.ErrWrongPassword) && pw.file == nil && pw.term != nil && try < wrongPasswordTries:
			fmt.Fprintln(r.env.Stderr, r.l.T("cli.prompt.try-again"))
			continue
		case errors.Is(err, certstore.ErrPasswordRequired):
			return nil, nil, signer.Key{}, newError("sign-password-required", map[string]any{"Subject": displayName(e.Cert.Subject)}, err)
		case errors.Is(err, certstore.ErrCancelled):
			return nil, nil, signer.Key{}, newError("cancelled", nil, err)
		}
		return nil, nil, signer.Key{}, err
	}
}

// isTokenError reports an error of a token or its PIN: such an error ends
// the command, it is never answered by asking again.
func isTokenError(err error) bool {
	var te *token.Error
	return errors.As(err, &te)
}

// rememberSigningPIN keeps the PIN that has just logged in (--remember).
func (r *runner) rememberSigningPIN(store *certstore.Store, ps *pinSource, k *token.Key) {
	info := k.Token()
	pin, ok := ps.handed[info.Serial]
	if !ok {
		return // it came from the keyring, or the token has a PIN pad
	}
	if err := store.RememberPIN(info.Serial, pin); err != nil {
		r.warn(problem{Message: r.l.T("cli.token.remember-failed", map[string]any{"Token": info.Label, "Detail": err.Error()})})
	}
}

// canSignAt refuses a certificate outside its validity, or whose private
// key usage period does not cover now: a signature made then is not valid.
func canSignAt(c *cert.Certificate, now time.Time) error {
	date := func(t time.Time) string { return t.Local().Format(time.DateOnly) }
	switch {
	case now.After(c.NotAfter):
		return newError("expired", map[string]any{"Date": date(c.NotAfter)}, nil)
	case now.Before(c.NotBefore):
		return newError("not-yet-valid", map[string]any{"Date": date(c.NotBefore)}, nil)
	case c.PrivateKeyNotAfter != nil && now.After(*c.PrivateKeyNotAfter):
		return newError("key-period-expired", map[string]any{"Date": date(*c.PrivateKeyNotAfter)}, nil)
	case c.PrivateKeyNotBefore != nil && now.Before(*c.PrivateKeyNotBefore):
		return newError("sign-key-period-not-started", map[string]any{"Date": date(*c.PrivateKeyNotBefore)}, nil)
	}
	return nil
}

// issuers are the certificates above e in the store, for --chain. A chain
// that stops short is signed with what there is, with a warning.
func (r *runner) issuers(store *certstore.Store, e *certstore.Entry) ([]*cert.Certificate, error) {
	chain, missing, err := store.Chain(e.ID)
	if err != nil {
		return nil, err
	}
	var out []*cert.Certificate
	for _, c := range chain[1:] {
		out = append(out, c.Cert)
	}
	if missing != nil {
		r.warn(problem{
			Message: r.l.T("cli.export.chain-incomplete", map[string]any{"Issuer": displayName(*missing)}),
			Hint:    r.l.T("cli.sign.chain-incomplete-hint"),
		})
	}
	return out, nil
}

// cosignedMark is what cosign puts before the suffix of its default output.
const cosignedMark = ".cosigned"

// siblingContent is the document a detached signature sits beside:
// "doc.xml" for "doc.xml.sig" (also .p7s, .sgn, and cosign's
// "doc.xml.cosigned.sig"), when it exists.
func siblingContent(sig string) (string, bool) {
	base, ok := signer.TrimSignatureSuffix(sig)
	for ok {
		if fi, err := os.Stat(base); err == nil && fi.Mode().IsRegular() {
			return base, true
		}
		base, ok = strings.CutSuffix(base, cosignedMark)
	}
	return "", false
}

// openSignature opens a signature file and tells whether it is detached.
func (r *runner) openSignature(path string) (*os.File, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, r.unreadable(path, err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, false, &hashFileError{code: "is-directory", file: path}
	}
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, false, r.unreadable(path, err)
	}
	detached, err := signer.IsDetached(head[:n])
	if err != nil {
		f.Close()
		return nil, false, &signatureFileError{file: path, err: err}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, false, r.unreadable(path, err)
	}
	return f, detached, nil
}

// contentFor is the document of a detached signature: --content, else the
// file beside it with the same name less the signature's suffix.
func (r *runner) contentFor(a *parsedArgs, sig string) (*os.File, string, error) {
	path, given := a.values["content"]
	if given && path == "" {
		return nil, "", usageError("flag-value-missing", map[string]any{"Flag": "--content"})
	}
	if !given {
		var ok bool
		if path, ok = siblingContent(sig); !ok {
			return nil, "", newError("content-file-needed", map[string]any{"File": sig}, nil)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", r.unreadable(path, err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, "", &hashFileError{code: "is-directory", file: path}
	}
	return f, path, nil
}

// signatureFileError is a failure of the signer on a signature file: its
// own code and params, with File.
type signatureFileError struct {
	file string
	err  error
}

func (e *signatureFileError) Error() string { return e.file + ": " + e.err.Error() }
func (e *signatureFileError) Unwrap() error { return e.err }
func (e *signatureFileError) Code() string {
	var c interface{ Code() string }
	if errors.As(e.err, &c) {
		return c.Code()
	}
	return "bad-input"
}
func (e *signatureFileError) Params() map[string]any {
	p := map[string]any{}
	var c interface{ Params() map[string]any }
	if errors.As(e.err, &c) {
		for k, v := range c.Params() {
			p[k] = v
		}
	} else {
		p["Detail"] = e.err.Error()
	}
	p["File"] = e.file
	return p
}
