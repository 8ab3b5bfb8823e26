package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/podpis/podpis/certstore"
)

// wrongPasswordTries is how often a password typed at the terminal may be
// wrong before the file is given up; a password from a file is tried once.
const wrongPasswordTries = 3

// entryRef is how import and trust name a certificate in --json output.
type entryRef struct {
	ID            string `json:"id"`
	List          string `json:"list"`
	Subject       string `json:"subject"`
	HasKey        bool   `json:"hasKey"` // it can sign: a key container or a key on a token
	KeyLocation   string `json:"keyLocation,omitempty"`
	Token         string `json:"token,omitempty"` // the token's label
	UntrustedRoot bool   `json:"untrustedRoot"`
}

// fileResult is one file's outcome in `import --json` and `trust --json`.
type fileResult struct {
	File           string     `json:"file"`
	Status         string     `json:"status"` // added | existing | error
	Added          []entryRef `json:"added"`
	Existing       []entryRef `json:"existing"`
	UntrustedRoots []entryRef `json:"untrustedRoots"`
	Warnings       []problem  `json:"warnings"`
	Error          *problem   `json:"error,omitempty"`
}

func refs(entries []*certstore.Entry) []entryRef {
	out := make([]entryRef, 0, len(entries))
	for _, e := range entries {
		ref := entryRef{
			ID:            e.ID,
			List:          string(e.List),
			Subject:       e.Cert.Subject.CommonName(),
			HasKey:        e.CanSign(),
			KeyLocation:   keyLocationOf(e),
			UntrustedRoot: e.UntrustedRoot(),
		}
		if e.Token != nil {
			ref.Token = e.Token.Label
		}
		out = append(out, ref)
	}
	return out
}

func runImport(r *runner, a *parsedArgs) int {
	pw, err := r.readPasswordFlags(a)
	if err != nil {
		return r.fail(err)
	}
	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	opts := certstore.ImportOptions{Password: pw.ask, Remember: a.has("remember")}
	return r.eachFile(a.positional, func(path string) (*certstore.ImportResult, error) {
		for try := 1; ; try++ {
			res, err := store.ImportFile(path, opts)
			if err != nil && pw.prompted && try < wrongPasswordTries && errors.Is(err, certstore.ErrWrongPassword) {
				fmt.Fprintln(r.env.Stderr, r.l.T("cli.prompt.try-again"))
				continue
			}
			return res, err
		}
	})
}

// eachFile runs do on every file, reports each one (a line per file, its
// certificates below it), carries on past failures, and exits 2 if any failed.
func (r *runner) eachFile(files []string, do func(path string) (*certstore.ImportResult, error)) int {
	results := make([]fileResult, 0, len(files))
	failed := 0
	for _, path := range files {
		res, err := do(path)
		if err != nil {
			failed++
			if errors.Is(err, certstore.ErrCancelled) {
				err = newError("cancelled", map[string]any{"File": path}, err)
			}
			p := r.problem(err)
			if p.File == "" {
				p.File = path
			}
			results = append(results, fileResult{File: path, Status: "error", Error: &p,
				Added: []entryRef{}, Existing: []entryRef{}, UntrustedRoots: []entryRef{}, Warnings: []problem{}})
			if !r.json {
				r.printProblem(p, "")
			}
			continue
		}
		fr := fileResult{
			File:           path,
			Status:         "existing",
			Added:          refs(res.Added),
			Existing:       refs(res.Existing),
			UntrustedRoots: refs(res.UntrustedRoots),
			Warnings:       []problem{},
		}
		if len(res.Added) > 0 {
			fr.Status = "added"
		}
		for _, w := range res.Warnings {
			p := r.problem(w)
			p.File = path
			fr.Warnings = append(fr.Warnings, p)
		}
		results = append(results, fr)
		if !r.json {
			r.printFileResult(path, res, fr.Warnings)
		}
	}
	if r.json {
		r.printJSON(map[string]any{"files": results})
	} else if len(files) > 1 {
		r.outf("cli.import.summary", map[string]any{"Done": len(files) - failed, "Total": len(files), "Failed": failed})
	}
	if failed > 0 {
		return exitBadInput
	}
	return exitOK
}

func (r *runner) printFileResult(path string, res *certstore.ImportResult, warnings []problem) {
	data := map[string]any{"File": path}
	switch {
	case len(res.Added) > 0 && len(res.Existing) > 0:
		fmt.Fprintln(r.env.Stdout, r.l.N("cli.import.added-some-existing", len(res.Added),
			data, map[string]any{"Existing": len(res.Existing)}))
	case len(res.Added) > 0:
		fmt.Fprintln(r.env.Stdout, r.l.N("cli.import.added", len(res.Added), data))
	case len(res.Existing) > 0:
		r.outf("cli.import.all-existing", data)
	default:
		r.outf("cli.import.nothing", data)
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 0, 2, ' ', 0)
	for _, e := range res.Added {
		fmt.Fprintf(tw, "  + %s\n", r.entryLine(e))
	}
	for _, e := range res.Existing {
		fmt.Fprintf(tw, "  = %s\n", r.entryLine(e))
	}
	tw.Flush()
	for _, w := range warnings {
		r.warn(w)
	}
	for _, e := range res.UntrustedRoots {
		r.warn(problem{
			File:    path,
			Message: r.l.T("cli.import.untrusted-root", map[string]any{"Subject": e.Cert.Subject.CommonName()}),
			Hint:    r.l.T("cli.import.untrusted-root-hint", map[string]any{"ID": e.ID}),
		})
	}
}

// entryLine is a certificate on one line, tab-separated: short ID, list,
// subject, key (in the store, or on a token).
func (r *runner) entryLine(e *certstore.Entry) string {
	s := fmt.Sprintf("%s\t%s\t%s", shortID(e.ID), r.listName(e.List), displayName(e.Cert.Subject))
	switch {
	case e.Token != nil:
		s += " (" + r.l.T("cli.token.key-on-token", map[string]any{"Token": e.Token.Label}) + ")"
	case e.HasKey:
		s += " (" + r.l.T("cli.with-key") + ")"
	}
	return s
}

// shortID is the beginning of an ID that the CLI accepts back (8+ digits).
func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func (r *runner) listName(l certstore.List) string {
	return r.l.T("cli.list." + string(l))
}
