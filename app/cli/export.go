package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/format"
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
	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	e, err := store.Get(a.positional[0])
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

// writeNewFile writes data to path atomically: into a temporary file in the
// same folder, synced, then moved into place. Without force an existing file
// is never replaced, not even one that appears while we write: the final
// step is a hard link, which fails if the name is taken.
func writeNewFile(path string, data []byte, force bool) error {
	fail := func(err error) error {
		return newError("write-failed", map[string]any{"File": path, "Detail": reason(err)}, err)
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return newError("output-is-directory", map[string]any{"File": path}, nil)
		}
		if !force {
			return newError("output-exists", map[string]any{"File": path}, nil)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail(err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once renamed or linked and removed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fail(err)
	}
	// Certificates are public: readable by everyone like any exported file.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if force {
		err = os.Rename(tmpName, path)
	} else {
		err = os.Link(tmpName, path)
		if errors.Is(err, os.ErrExist) {
			return newError("output-exists", map[string]any{"File": path}, nil)
		}
		if err != nil {
			// Some file systems (FAT on a USB stick) have no hard links:
			// check and rename instead, accepting the small race.
			if _, statErr := os.Lstat(path); statErr == nil {
				return newError("output-exists", map[string]any{"File": path}, nil)
			}
			err = os.Rename(tmpName, path)
		}
	}
	if err != nil {
		return fail(err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable; where folders cannot be synced (Windows),
// there is nothing more to do.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
