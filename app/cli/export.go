package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/internal/atomicfile"
)

type exportJSON struct {
	ID            string   `json:"id"`
	File          string   `json:"file"`
	Format        string   `json:"format"`
	Certificates  []string `json:"certificates"` // IDs, leaf first
	Complete      bool     `json:"chainComplete"`
	MissingIssuer string   `json:"missingIssuer,omitempty"`
}

// runExport writes a certificate (and with --chain its issuers) to a file;
// --format pfx writes it with its private key, protected by a password.
func runExport(r *runner, a *parsedArgs) int {
	out, ok := a.values["out"]
	if !ok || out == "" {
		return r.fail(usageError("flag-required", map[string]any{"Flag": "--out"}))
	}
	form := strings.ToLower(a.values["format"])
	if form == "" {
		form = "pem"
	}
	switch form {
	case "pem", "der", "p7b", "pfx":
	default:
		return r.fail(usageError("flag-value-invalid", map[string]any{"Flag": "--format", "Value": a.values["format"]}))
	}
	withChain := a.has("chain")
	if form == "der" && withChain {
		return r.fail(usageError("der-one-certificate", nil))
	}
	store, e, err := r.storeEntry(a.positional[0])
	if err != nil {
		return r.fail(err)
	}
	chain := []*certstore.Entry{e}
	var missing string
	complete := true
	if withChain {
		var missingName *cert.Name
		chain, missingName, err = store.Chain(e.ID)
		if err != nil {
			return r.fail(err)
		}
		if missingName != nil {
			complete, missing = false, displayName(*missingName)
		}
	}
	ders := make([][]byte, 0, len(chain))
	ids := make([]string, 0, len(chain))
	for _, c := range chain {
		ders = append(ders, c.Cert.Raw)
		ids = append(ids, c.ID)
	}
	var data []byte
	perm := os.FileMode(0o644) // certificates are public
	switch form {
	case "pem":
		data = format.EncodePEM("CERTIFICATE", ders)
	case "der":
		data = ders[0]
	case "p7b":
		data = format.EncodePKCS7(ders)
	case "pfx":
		if data, err = r.exportPFX(store, e, a, withChain); err != nil {
			return r.fail(err)
		}
		perm = 0o600 // it holds the private key
	}
	if err := writeNewFile(out, data, perm, a.has("force")); err != nil {
		return r.fail(err)
	}
	if r.json {
		r.printJSON(exportJSON{ID: e.ID, File: out, Format: form, Certificates: ids, Complete: complete, MissingIssuer: missing})
	} else {
		r.outf("cli.export.done", map[string]any{"File": out, "Count": len(chain),
			"Subject": displayName(e.Cert.Subject), "Format": strings.ToUpper(form)})
	}
	if form == "pfx" && !r.json {
		fmt.Fprintln(r.env.Stdout, r.l.T("cli.export.pfx-keep-safe"))
	}
	if !complete {
		r.warn(problem{
			Message: r.l.T("cli.export.chain-incomplete", map[string]any{"Issuer": missing}),
			Hint:    r.l.T("cli.export.chain-incomplete-hint"),
		})
	}
	return exitOK
}

// writeNewFile writes data to path atomically, created with perm. Without
// force an existing file is never replaced, not even one that appears while
// we write.
func writeNewFile(path string, data []byte, perm os.FileMode, force bool) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return newError("output-is-directory", map[string]any{"File": path}, nil)
		}
		if !force {
			return newError("output-exists", map[string]any{"File": path}, nil)
		}
	}
	write := atomicfile.WriteNew
	if force {
		write = atomicfile.Write
	}
	if err := write(path, data, perm); err != nil {
		if errors.Is(err, os.ErrExist) {
			return newError("output-exists", map[string]any{"File": path}, nil)
		}
		return newError("write-failed", map[string]any{"File": path, "Detail": reason(err)}, err)
	}
	return nil
}

// exportPFX unlocks e's key (remembered password, --key-password-file or the
// terminal) and packs it into a .pfx protected by the password of
// --password-file, --password-stdin, or typed twice on the terminal.
func (r *runner) exportPFX(store *certstore.Store, e *certstore.Entry, a *parsedArgs, withChain bool) ([]byte, error) {
	if !e.HasKey && e.Token != nil {
		// The key cannot leave the token: say so before asking for a
		// password for the new file.
		return nil, &cliError{code: certstore.ErrTokenKey.Code(), params: map[string]any{"ID": e.ID, "Token": e.Token.Label}, err: certstore.ErrTokenKey}
	}
	if !e.HasKey {
		return nil, certstore.ErrNoKey
	}
	filePassword, err := r.newFilePassword(a)
	if err != nil {
		return nil, err
	}
	ask := func(req certstore.PasswordRequest) (string, error) {
		if path, ok := a.values["key-password-file"]; ok {
			return readPasswordFile(path)
		}
		t := r.terminal()
		if t == nil {
			return "", certstore.ErrPasswordRequired
		}
		p, err := t.ReadPassword(r.l.T("cli.prompt.container-password", map[string]any{"Subject": req.Subject}))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		return p, nil
	}
	return store.ExportPFX(e.ID, ask, filePassword, withChain)
}

// newFilePassword is the password for a .pfx being written.
func (r *runner) newFilePassword(a *parsedArgs) (string, error) {
	if path, ok := a.values["password-file"]; ok {
		return readPasswordFile(path)
	}
	if a.has("password-stdin") {
		return readPassword(r.env.Stdin, "-")
	}
	t := r.terminal()
	if t == nil {
		return "", certstore.ErrExportPassword
	}
	for range 3 {
		p, err := t.ReadPassword(r.l.T("cli.prompt.pfx-password"))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		again, err := t.ReadPassword(r.l.T("cli.prompt.repeat-password"))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		if p != "" && p == again {
			return p, nil
		}
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.prompt.passwords-differ"))
	}
	return "", certstore.ErrExportPassword
}
