package cli

import (
	"errors"
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

// runExport writes a certificate (and with --chain its issuers) to a file.
// Private keys are never exported here.
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
	case "pem", "der", "p7b":
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
	switch form {
	case "pem":
		data = format.EncodePEM("CERTIFICATE", ders)
	case "der":
		data = ders[0]
	case "p7b":
		data = format.EncodePKCS7(ders)
	}
	if err := writeNewFile(out, data, a.has("force")); err != nil {
		return r.fail(err)
	}
	if r.json {
		r.printJSON(exportJSON{ID: e.ID, File: out, Format: form, Certificates: ids, Complete: complete, MissingIssuer: missing})
	} else {
		r.outf("cli.export.done", map[string]any{"File": out, "Count": len(chain),
			"Subject": displayName(e.Cert.Subject), "Format": strings.ToUpper(form)})
	}
	if !complete {
		r.warn(problem{
			Message: r.l.T("cli.export.chain-incomplete", map[string]any{"Issuer": missing}),
			Hint:    r.l.T("cli.export.chain-incomplete-hint"),
		})
	}
	return exitOK
}

// writeNewFile writes data to path atomically. Without force an existing
// file is never replaced, not even one that appears while we write.
// Certificates are public: 0644, readable like any exported file.
func writeNewFile(path string, data []byte, force bool) error {
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
	if err := write(path, data, 0o644); err != nil {
		if errors.Is(err, os.ErrExist) {
			return newError("output-exists", map[string]any{"File": path}, nil)
		}
		return newError("write-failed", map[string]any{"File": path, "Detail": reason(err)}, err)
	}
	return nil
}
