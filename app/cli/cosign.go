package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/signer"
)

// cosignJSON is the result of `podpis cosign --json`.
type cosignJSON struct {
	Source      string `json:"source"`    // the signature that was co-signed
	Signature   string `json:"signature"` // the new file
	Content     string `json:"content,omitempty"`
	Attached    bool   `json:"attached"`
	Certificate string `json:"certificate"`
	Subject     string `json:"subject"`
	// Key says what made the new signature: a token or the store's
	// key container.
	Key keyLocationJSON `json:"key"`
}

// cosignOutput is where a co-signature goes unless --out says: SIG itself
// is never replaced, so "doc.xml.sig" becomes "doc.xml.cosigned.sig" (the
// suffix kept: .sig, .p7s, .sgn), anything else "NAME.cosigned.sig".
// `podpis verify doc.xml.cosigned.sig` still finds doc.xml beside it.
func cosignOutput(sig string) string {
	if base, ok := signer.TrimSignatureSuffix(sig); ok {
		return base + cosignedMark + sig[len(base):]
	}
	return sig + cosignedMark + signer.SignatureSuffix
}

// runCosign adds the signature of --cert to an existing signature, after
// the signer checked that the document is the one already signed.
func runCosign(r *runner, a *parsedArgs) int {
	id, ok := a.values["cert"]
	if !ok || id == "" {
		return r.fail(usageError("flag-required", map[string]any{"Flag": "--cert"}))
	}
	sigPath := a.positional[0]
	out, given := a.values["out"]
	if given && out == "" {
		return r.fail(usageError("flag-value-missing", map[string]any{"Flag": "--out"}))
	}
	if !given {
		out = cosignOutput(sigPath)
	}
	force := a.has("force")
	if err := checkCosignOutput(sigPath, out, force); err != nil {
		return r.fail(err)
	}
	sig, detached, err := r.openSignature(sigPath)
	if err != nil {
		return r.fail(err)
	}
	defer sig.Close()
	var content io.Reader
	contentPath := ""
	if detached {
		f, path, err := r.contentFor(a, sigPath)
		if err != nil {
			return r.fail(err)
		}
		defer f.Close()
		content, contentPath = f, path
	} else if _, ok := a.values["content"]; ok {
		r.warn(problem{Message: r.l.T("cli.verify.content-ignored", map[string]any{"File": sigPath})})
	}

	store, e, key, err := r.signingKey(a, id)
	if err != nil {
		return r.fail(err)
	}
	defer closeKey(key)
	opts := signer.SignOptions{PEM: a.has("pem"), Now: r.env.Now}
	if a.has("chain") {
		if opts.Certificates, err = r.issuers(store, e); err != nil {
			return r.fail(err)
		}
	}
	if err := writeCosigned(out, force, sig, content, key, opts); err != nil {
		return r.fail(err)
	}
	if r.json {
		r.printJSON(cosignJSON{Source: sigPath, Signature: out, Content: contentPath, Attached: !detached,
			Certificate: e.ID, Subject: displayName(e.Cert.Subject), Key: keyLocation(key)})
		return exitOK
	}
	r.outf("cli.cosign.done", map[string]any{"Subject": displayName(e.Cert.Subject), "Output": out, "File": sigPath})
	fmt.Fprintln(r.env.Stdout, r.keyLine(keyLocation(key)))
	return exitOK
}

// checkCosignOutput refuses to write over the signature being co-signed,
// and over any existing file without --force.
func checkCosignOutput(sigPath, out string, force bool) error {
	fi, err := os.Stat(out)
	if err != nil {
		return nil
	}
	if fi.IsDir() {
		return newError("output-is-directory", map[string]any{"File": out}, nil)
	}
	if si, serr := os.Stat(sigPath); serr == nil && os.SameFile(fi, si) {
		return newError("cosign-same-file", map[string]any{"File": sigPath}, nil)
	}
	if !force {
		return newError("output-exists", map[string]any{"File": out}, nil)
	}
	return nil
}

// writeCosigned streams the co-signed signature into out, atomically.
func writeCosigned(out string, force bool, sig, content io.Reader, key signer.Key, opts signer.SignOptions) error {
	w, err := atomicfile.Create(out, 0o644, force)
	if err != nil {
		return newError("write-failed", map[string]any{"File": out, "Detail": reason(err)}, err)
	}
	defer w.Abort()
	buf := bufio.NewWriterSize(w, 256<<10)
	if _, err := signer.Cosign(buf, sig, content, key, opts); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return newError("write-failed", map[string]any{"File": out, "Detail": reason(err)}, err)
	}
	if err := w.Commit(); err != nil {
		if errors.Is(err, os.ErrExist) {
			return newError("output-exists", map[string]any{"File": out}, nil)
		}
		return newError("write-failed", map[string]any{"File": out, "Detail": reason(err)}, err)
	}
	return nil
}
