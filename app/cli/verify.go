package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podpis/podpis/certstore/diagnose"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/signer"
)

// exitUndecided: the signature could not be judged (DESIGN: revocation
// status unknown under --strict).
const exitUndecided = 3

// sigProblemJSON is one finding of verify, as --json prints it.
type sigProblemJSON struct {
	Code     string `json:"code"`
	Reason   string `json:"reason,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

type signerJSON struct {
	Index          int              `json:"index"`
	Subject        string           `json:"subject"`
	INN            string           `json:"inn,omitempty"`
	SNILS          string           `json:"snils,omitempty"`
	Organization   string           `json:"organization,omitempty"`
	Serial         string           `json:"serial,omitempty"`
	Issuer         string           `json:"issuer,omitempty"`
	NotBefore      *time.Time       `json:"not_before,omitempty"`
	NotAfter       *time.Time       `json:"not_after,omitempty"`
	SignerID       string           `json:"signer_id,omitempty"`
	SigningTime    *time.Time       `json:"signing_time,omitempty"`
	SignatureValid bool             `json:"signature_valid"`
	Chain          []string         `json:"chain"` // subjects, leaf first
	Status         string           `json:"status"`
	Problems       []sigProblemJSON `json:"problems"`
}

type verifyJSON struct {
	Status    string       `json:"status"`
	Signature string       `json:"signature"`
	Content   string       `json:"content,omitempty"`
	Attached  bool         `json:"attached"`
	At        time.Time    `json:"at"`
	Signers   []signerJSON `json:"signers"`
	// Problems are every finding: the whole signature's, then each
	// signer's (DESIGN: per signer as well as overall).
	Problems []sigProblemJSON `json:"problems"`
	// own are the whole signature's findings only, which the human report
	// prints after the signers (theirs are printed with each signer).
	own []sigProblemJSON
}

// runVerify checks a signature: every signer's signature, certificate and
// chain against the store's trusted roots. Exit 0 valid, 1 invalid, 3
// undecided (--strict), 2 when the input is not a signature to check.
func runVerify(r *runner, a *parsedArgs) int {
	at := r.env.Now()
	if v, ok := a.values["at"]; ok {
		t, err := diagnose.ParseAt(v)
		if err != nil {
			p := r.problem(usageError("flag-value-invalid", map[string]any{"Flag": "--at", "Value": v}))
			p.Hint = r.l.T("cli.verify.hint.at")
			if r.json {
				r.printJSON(map[string]any{"error": p})
			} else {
				r.printProblem(p, "")
			}
			return exitBadInput
		}
		at = t
	}
	sigPath := a.positional[0]
	sig, detached, err := r.openSignature(sigPath)
	if err != nil {
		return r.fail(err)
	}
	defer sig.Close()
	var content io.ReadCloser
	contentPath := ""
	if detached {
		if content, contentPath, err = r.contentFor(a, sigPath); err != nil {
			return r.fail(err)
		}
		defer content.Close()
	} else if _, ok := a.values["content"]; ok {
		r.warn(problem{Message: r.l.T("cli.verify.content-ignored", map[string]any{"File": sigPath})})
	}

	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	opts, err := signer.StoreVerifyOptions(store, at, a.has("strict"), a.has("offline"))
	if err != nil {
		return r.fail(err)
	}
	var res *signer.Result
	if detached {
		res, err = signer.VerifyDetached(sig, content, opts)
	} else {
		res, err = signer.Verify(sig, opts)
	}
	if err != nil {
		return r.fail(&signatureFileError{file: sigPath, err: err})
	}

	out := r.verifyReport(res, sigPath, contentPath, at)
	if r.json {
		r.printJSON(out)
	} else {
		r.printVerify(out)
	}
	switch res.Status {
	case signer.StatusValid:
		return exitOK
	case signer.StatusIndeterminate:
		return exitUndecided
	}
	return exitInvalid
}

func (r *runner) verifyReport(res *signer.Result, sigPath, contentPath string, at time.Time) verifyJSON {
	out := verifyJSON{
		Status: string(res.Status), Signature: sigPath, Content: contentPath, Attached: res.Attached, At: at,
		Signers: make([]signerJSON, 0, len(res.Signers)), own: r.sigProblems(res.Problems),
	}
	out.Problems = append([]sigProblemJSON{}, out.own...)
	for _, s := range res.Signers {
		sj := signerJSON{
			Index: s.Index, SignerID: s.SignerID, SigningTime: s.SigningTime, SignatureValid: s.SignatureValid,
			Status: string(s.Status), Problems: r.sigProblems(s.Problems), Chain: []string{},
		}
		if c := s.Certificate; c != nil {
			sj.Subject = displayName(c.Subject)
			sj.INN = c.Subject.Get(oid.INN)
			sj.SNILS = c.Subject.Get(oid.SNILS)
			sj.Organization = c.Subject.Organization()
			sj.Serial = c.SerialHex()
			sj.Issuer = displayName(c.Issuer)
			nb, na := c.NotBefore, c.NotAfter
			sj.NotBefore, sj.NotAfter = &nb, &na
		}
		for _, c := range s.Chain {
			sj.Chain = append(sj.Chain, displayName(c.Subject))
		}
		out.Signers = append(out.Signers, sj)
		out.Problems = append(out.Problems, sj.Problems...)
	}
	return out
}

// sigProblems words the findings: "err.sig-<reason>" and
// "hint.sig-<reason>" (signer.*.json) for the signer's own, "err.chk-..."
// (check.*.json) for the chain check's, else the problem code's own.
func (r *runner) sigProblems(ps []signer.Problem) []sigProblemJSON {
	out := make([]sigProblemJSON, 0, len(ps))
	for _, p := range ps {
		pj := sigProblemJSON{Code: p.Code, Reason: p.Reason, Severity: string(p.Severity)}
		for _, key := range []string{p.MessageKey(), p.Code} {
			if r.l.Has("err." + key) {
				pj.Message = r.l.T("err."+key, p.Params)
				if r.l.Has("hint." + key) {
					pj.Hint = r.l.T("hint."+key, p.Params)
				}
				break
			}
		}
		if pj.Message == "" {
			pj.Message = p.Code + ": " + p.Reason
		}
		out = append(out, pj)
	}
	return out
}

func (r *runner) printVerify(v verifyJSON) {
	w := r.env.Stdout
	form := r.l.T("cli.verify.attached")
	if !v.Attached {
		form = r.l.T("cli.verify.detached", map[string]any{"Content": v.Content})
	}
	fmt.Fprintln(w, r.l.T("cli.verify.signature-file", map[string]any{"File": v.Signature, "Form": form}))
	for _, s := range v.Signers {
		fmt.Fprintln(w)
		name := s.Subject
		if name == "" {
			name = r.l.T("cli.verify.unknown-signer", map[string]any{"ID": s.SignerID})
		}
		fmt.Fprintln(w, r.l.T("cli.verify.signer", map[string]any{"N": s.Index + 1, "Total": len(v.Signers), "Name": name}))
		field := func(key, value string) {
			if value != "" {
				fmt.Fprintf(w, "  %s: %s\n", r.l.T(key), value)
			}
		}
		field("cli.verify.inn", s.INN)
		field("cli.verify.snils", s.SNILS)
		field("cli.verify.organization", s.Organization)
		field("cli.verify.issuer", s.Issuer)
		field("cli.verify.serial", s.Serial)
		if s.NotBefore != nil && s.NotAfter != nil {
			field("cli.verify.validity", r.l.T("cli.verify.from-to", map[string]any{
				"From": localTime(*s.NotBefore), "To": localTime(*s.NotAfter)}))
		}
		if s.SigningTime != nil {
			field("cli.verify.signing-time", localTime(*s.SigningTime))
		} else {
			field("cli.verify.signing-time", r.l.T("cli.verify.signing-time-absent"))
		}
		if s.SignatureValid {
			field("cli.verify.signature", r.l.T("cli.verify.signature-valid"))
		} else {
			field("cli.verify.signature", r.l.T("cli.verify.signature-invalid"))
		}
		field("cli.verify.chain", r.chainStatus(s))
		r.printSigProblems(s.Problems, "  ")
		fmt.Fprintf(w, "  %s: %s\n", r.l.T("cli.verify.signer-status"), r.l.T("cli.verify.status."+s.Status))
	}
	if len(v.own) > 0 {
		fmt.Fprintln(w)
		r.printSigProblems(v.own, "")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, r.l.T("cli.verify.result."+v.Status))
}

// chainStatus sums up the chain for the human report: the path to a
// trusted root, or why there is none.
func (r *runner) chainStatus(s signerJSON) string {
	for _, p := range s.Problems {
		if p.Severity != string(signer.SeverityError) && p.Code != "chain-incomplete" {
			continue
		}
		switch p.Code {
		case "chain-incomplete":
			if p.Reason == "chain-not-checked" {
				return r.l.T("cli.verify.chain-not-checked")
			}
			return r.l.T("cli.verify.chain-incomplete")
		case "untrusted-root":
			return r.l.T("cli.verify.chain-untrusted")
		}
	}
	if len(s.Chain) == 0 {
		return r.l.T("cli.verify.chain-not-checked")
	}
	return r.l.T("cli.verify.chain-trusted", map[string]any{"Path": strings.Join(s.Chain, " → ")})
}

func (r *runner) printSigProblems(ps []sigProblemJSON, indent string) {
	for _, p := range ps {
		mark := "✗"
		if p.Severity == string(signer.SeverityWarning) {
			mark = "!"
		}
		fmt.Fprintf(r.env.Stdout, "%s%s %s\n", indent, mark, p.Message)
		if p.Hint != "" {
			fmt.Fprintf(r.env.Stdout, "%s  → %s\n", indent, p.Hint)
		}
	}
}
