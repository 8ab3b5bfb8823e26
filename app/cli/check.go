package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/diagnose"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/version"
	"github.com/podpis/podpis/signer"
)

// checkJSON is `podpis check --json`: verify's shape (status, problems)
// with the diagnosis of one certificate at the top level, or of each
// signer of a signature under "signers".
type checkJSON struct {
	Status    string                  `json:"status"`
	File      string                  `json:"file,omitempty"`
	ID        string                  `json:"id,omitempty"`
	Kind      string                  `json:"kind"`
	Encoding  string                  `json:"encoding,omitempty"`
	At        time.Time               `json:"at"`
	Now       time.Time               `json:"now"`
	Offline   bool                    `json:"offline"`
	Strict    bool                    `json:"strict"`
	Usage     string                  `json:"usage,omitempty"`
	Problems  []diagnose.ProblemView  `json:"problems"`
	Notes     []diagnose.ProblemView  `json:"notes"`
	Chain     []diagnose.LinkView     `json:"chain,omitempty"`
	Checks    []diagnose.CheckView    `json:"checks,omitempty"`
	Fetches   []diagnose.FetchView    `json:"fetches,omitempty"`
	Qualified *diagnose.QualifiedView `json:"qualified,omitempty"`
	Signers   []diagnose.ItemView     `json:"signers,omitempty"`
	Content   string                  `json:"content,omitempty"`
	Converted string                  `json:"converted,omitempty"`
	Report    string                  `json:"report,omitempty"`
}

// checkRun is what one `podpis check` collects before it prints.
type checkRun struct {
	a       *parsedArgs
	at      time.Time
	strict  bool
	offline bool
	usage   validate.Usage
	store   *certstore.Store
	report  *diagnose.Report
	input   *diagnose.Input // nil for a store certificate and a large signature
	id      string          // the store certificate's ID
	content string          // a detached signature's document
}

// runCheck diagnoses a certificate of the store (ID), a certificate file, a
// bundle, a .p12/.pfx or a signature. Exit 0 valid, 1 invalid, 3 undecided
// under --strict, 2 when the input cannot be read.
func runCheck(r *runner, a *parsedArgs) int {
	c := &checkRun{a: a, at: r.env.Now(), strict: a.has("strict"), offline: a.has("offline")}
	if v, ok := a.values["at"]; ok {
		t, err := diagnose.ParseAt(v)
		if err != nil {
			p := r.problem(usageError("flag-value-invalid", map[string]any{"Flag": "--at", "Value": v}))
			p.Hint = r.l.T("cli.verify.hint.at")
			return r.failWith(p)
		}
		c.at = t
	}
	switch u := validate.Usage(a.values["usage"]); u {
	case validate.UsageAuto, validate.UsageSign, validate.UsageCA:
		c.usage = u
	default:
		p := r.problem(usageError("flag-value-invalid", map[string]any{"Flag": "--usage", "Value": string(u)}))
		p.Hint = r.l.T("cli.check.hint.usage")
		return r.failWith(p)
	}
	for _, flag := range []string{"report", "convert"} {
		if v, ok := a.values[flag]; ok && v == "" {
			return r.fail(usageError("flag-value-missing", map[string]any{"Flag": "--" + flag}))
		}
	}

	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	c.store = store
	c.report = &diagnose.Report{
		Version: version.String(), Made: r.env.Now(), At: c.at, Offline: c.offline, Strict: c.strict,
	}
	arg := a.positional[0]
	if code, done := c.load(r, arg); done {
		return code
	}
	if out, ok := a.values["convert"]; ok {
		if code, done := c.convert(r, out); done {
			return code
		}
	}
	if c.report.Kind == diagnose.KindSignature {
		if code, done := c.checkSignature(r, arg); done {
			return code
		}
	} else {
		c.checkCertificate()
	}
	reportPath := a.values["report"]
	if reportPath != "" {
		var buf bytes.Buffer
		if err := diagnose.WriteHTML(&buf, c.report, r.translate); err != nil {
			return r.fail(err)
		}
		// 0600: the report names the owner with INN and SNILS.
		if err := writeNewFile(reportPath, buf.Bytes(), 0o600, a.has("force")); err != nil {
			return r.fail(err)
		}
	}
	view := diagnose.Render(c.report, r.translate)
	if r.json {
		r.printJSON(c.json(view, reportPath))
	} else {
		if err := diagnose.WriteText(r.env.Stdout, c.report, r.translate); err != nil {
			fmt.Fprintf(r.env.Stderr, "podpis: %v\n", err)
		}
		if reportPath != "" {
			fmt.Fprintln(r.env.Stdout)
			r.outf("cli.check.report-written", map[string]any{"File": reportPath})
		}
	}
	switch c.report.Status {
	case validate.StatusValid:
		return exitOK
	case validate.StatusIndeterminate:
		return exitUndecided
	}
	return exitInvalid
}

// translate is the Localizer as diagnose wants it.
func (r *runner) translate(key string, params map[string]any) string {
	if !r.l.Has(key) {
		return key
	}
	return r.l.T(key, params)
}

// failWith prints a problem already worded and returns exit code 2.
func (r *runner) failWith(p problem) int {
	if r.json {
		r.printJSON(map[string]any{"error": p})
	} else {
		r.printProblem(p, "")
	}
	return exitBadInput
}

// load finds what arg names: an existing file wins over an ID (a file can
// be named like a thumbprint; a thumbprint cannot be named like a path).
func (c *checkRun) load(r *runner, arg string) (int, bool) {
	if _, err := os.Stat(arg); err != nil && errors.Is(err, os.ErrNotExist) {
		if _, idErr := certstore.NormalizeID(arg); idErr == nil {
			e, err := c.store.Get(arg)
			if err != nil {
				return r.fail(err), true
			}
			c.id = e.ID
			c.input = &diagnose.Input{Name: e.ID, Kind: diagnose.KindCertificate, Certificate: e.Cert}
			c.report.Source, c.report.Kind = e.ID, diagnose.KindCertificate
			return 0, false
		}
	}
	c.report.Source = arg
	data, large, err := readCheckFile(r, arg)
	if err != nil {
		return r.fail(err), true
	}
	if large {
		// Only an attached signature is this large: signer streams it.
		c.report.Kind = diagnose.KindSignature
		return 0, false
	}
	in, err := diagnose.Open(arg, data)
	if err != nil {
		return r.fail(err), true
	}
	c.input = in
	c.report.Kind, c.report.Encoding = in.Kind, in.Encoding
	if in.PrivateKeyIgnored {
		c.report.Problems = append(c.report.Problems, diagnose.Problem{
			Code: format.WarningPrivateKeyIgnored, Severity: validate.SeverityWarning, Cert: -1,
			Keys: []string{"warn." + format.WarningPrivateKeyIgnored},
		})
	}
	if in.Kind == diagnose.KindPKCS12 {
		if err := c.unlock(r, arg); err != nil {
			return r.fail(err), true
		}
	}
	return 0, false
}

// readCheckFile reads a file to diagnose whole, unless it is larger than
// any certificate or container: then large is set when it starts like a
// signature, which is verified from the file itself.
func readCheckFile(r *runner, path string) (data []byte, large bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, r.unreadable(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, r.unreadable(path, err)
	}
	if fi.IsDir() {
		return nil, false, &hashFileError{code: "is-directory", file: path}
	}
	if fi.Size() > diagnose.MaxInputSize {
		head := make([]byte, 64<<10)
		n, _ := io.ReadFull(f, head)
		if _, err := signer.IsDetached(head[:n]); err == nil {
			return nil, true, nil
		}
		return nil, false, newError("file-too-large", map[string]any{"File": path, "Size": fi.Size(), "Limit": diagnose.MaxInputSize}, nil)
	}
	data, err = io.ReadAll(io.LimitReader(f, diagnose.MaxInputSize+1))
	if err != nil {
		return nil, false, r.unreadable(path, err)
	}
	return data, false, nil
}

// unlock opens a .p12/.pfx: with no password first (many have none), then
// with --password-file / --password-stdin, else asking on the terminal as
// import does.
func (c *checkRun) unlock(r *runner, path string) error {
	_, _, err := c.input.UnlockPKCS12("")
	if !isWrongPassword(err) {
		return err
	}
	pw, err := r.readPasswordFlags(c.a)
	if err != nil {
		return err
	}
	if pw.file != nil {
		_, _, err = c.input.UnlockPKCS12(*pw.file)
		return err
	}
	if pw.term == nil {
		return newError("password-required", map[string]any{"File": path}, certstore.ErrPasswordRequired)
	}
	for try := 1; ; try++ {
		p, err := pw.term.ReadPassword(r.l.T("cli.prompt.file-password", map[string]any{"File": path}))
		if err != nil {
			return newError("cancelled", map[string]any{"File": path}, err)
		}
		_, _, err = c.input.UnlockPKCS12(p)
		if isWrongPassword(err) && try < wrongPasswordTries {
			fmt.Fprintln(r.env.Stderr, r.l.T("cli.prompt.try-again"))
			continue
		}
		return err
	}
}

func isWrongPassword(err error) bool {
	var de *diagnose.Error
	return errors.As(err, &de) && de.Code() == diagnose.CodeWrongPassword
}

// convert writes --convert OUT: the certificate in the other encoding.
func (c *checkRun) convert(r *runner, out string) (int, bool) {
	if c.input == nil {
		return r.failWith(problem{Code: "bad-input", Reason: "convert-unsupported", File: c.report.Source,
			Message: r.l.T("cli.check.err.convert-unsupported", map[string]any{"File": c.report.Source}),
			Hint:    r.l.T("cli.check.hint.convert-unsupported")}), true
	}
	in := c.input
	if c.id != "" {
		in = &diagnose.Input{Name: shortID(c.id) + ".cer", Kind: diagnose.KindCertificate,
			Encoding: diagnose.EncodingDER, Certificate: c.input.Certificate}
	}
	_, data, ok := in.Converted()
	if !ok {
		return r.failWith(problem{Code: "bad-input", Reason: "convert-unsupported", File: c.report.Source,
			Message: r.l.T("cli.check.err.convert-unsupported", map[string]any{"File": c.report.Source}),
			Hint:    r.l.T("cli.check.hint.convert-unsupported")}), true
	}
	if err := writeNewFile(out, data, 0o644, c.a.has("force")); err != nil {
		return r.fail(err), true
	}
	c.report.Converted = out
	return 0, false
}

// checkCertificate validates the input certificate against the store.
func (c *checkRun) checkCertificate() {
	opts, err := validate.ForStore(c.store, c.at, c.offline)
	if err != nil {
		// The store was readable a moment ago; judge without it rather
		// than not at all: the chain problem will say what is missing.
		opts = validate.Options{At: c.at, Now: c.store.Now}
		if c.offline {
			opts.Revocation = validate.RevocationOffline
		}
	}
	opts.Usage = c.usage
	opts.Extra = c.input.Extra
	res := validate.Verify(context.Background(), c.input.Certificate, opts)
	status := res.Status
	if c.strict && status == validate.StatusValid && res.HasUnknownRevocation() {
		status = validate.StatusIndeterminate
	}
	c.report.Items = []diagnose.Item{{
		Subject: c.input.Certificate, Status: status, Result: res, Problems: diagnose.ProblemsOf(res.Problems),
	}}
	c.report.Status = status
}

// checkSignature verifies a signature as verify does and diagnoses each
// signer.
func (c *checkRun) checkSignature(r *runner, path string) (int, bool) {
	sig, detached, err := r.openSignature(path)
	if err != nil {
		return r.fail(err), true
	}
	defer sig.Close()
	var content io.ReadCloser
	if detached {
		if content, c.content, err = r.contentFor(c.a, path); err != nil {
			return r.fail(err), true
		}
		defer content.Close()
	}
	opts, err := signer.StoreVerifyOptions(c.store, c.at, c.strict, c.offline)
	if err != nil {
		return r.fail(err), true
	}
	var res *signer.Result
	if detached {
		res, err = signer.VerifyDetached(sig, content, opts)
	} else {
		res, err = signer.Verify(sig, opts)
	}
	if err != nil {
		return r.fail(&signatureFileError{file: path, err: err}), true
	}
	c.report.Problems = append(c.report.Problems, signerProblems(res.Problems, false)...)
	for _, s := range res.Signers {
		item := diagnose.Item{
			Subject: s.Certificate, Status: validate.Status(s.Status), Result: s.Validation,
			Signature: &diagnose.Signature{
				Index: s.Index, Total: len(res.Signers), SignerID: s.SignerID, SigningTime: s.SigningTime,
				Valid: s.SignatureValid, CAdES: s.CAdES,
			},
		}
		// The chain check's findings are taken from its own result,
		// which knows the certificate each one is about.
		item.Problems = signerProblems(s.Problems, s.Validation != nil)
		if s.Validation != nil {
			item.Problems = append(item.Problems, diagnose.ProblemsOf(s.Validation.Problems)...)
		}
		c.report.Items = append(c.report.Items, item)
	}
	c.report.Status = validate.Status(res.Status)
	return 0, false
}

// signerProblems are a signer's findings for the report, worded as verify
// words them; withoutValidation leaves out the chain check's.
func signerProblems(ps []signer.Problem, withoutValidation bool) []diagnose.Problem {
	out := make([]diagnose.Problem, 0, len(ps))
	for _, p := range ps {
		if withoutValidation && p.FromValidation {
			continue
		}
		out = append(out, diagnose.Problem{
			Code: p.Code, Reason: p.Reason, Severity: validate.Severity(p.Severity), Cert: -1, Params: p.Params,
			Keys: []string{"err." + p.MessageKey(), "err." + p.Code},
		})
	}
	return out
}

func (c *checkRun) json(v *diagnose.View, reportPath string) checkJSON {
	out := checkJSON{
		Status: v.Status, Kind: v.Kind, Encoding: v.Encoding, At: c.at, Now: v.Made, Offline: c.offline,
		Strict: c.strict, Problems: v.Problems, Notes: v.Notes, Converted: v.Converted, Report: reportPath,
		Content: c.content,
	}
	if c.id != "" {
		out.ID = c.id
	} else {
		out.File = c.report.Source
	}
	if c.report.Kind == diagnose.KindSignature {
		out.Signers = v.Items
		if out.Signers == nil {
			out.Signers = []diagnose.ItemView{}
		}
		return out
	}
	if len(v.Items) > 0 {
		it := v.Items[0]
		out.Chain, out.Checks, out.Fetches, out.Qualified = it.Chain, it.Checks, it.Fetches, it.Qualified
		if len(c.report.Items) > 0 && c.report.Items[0].Result != nil {
			out.Usage = string(c.report.Items[0].Result.Usage)
		}
	}
	return out
}
