package cli

import (
	"fmt"
)

// runDelete removes a certificate. One with a private key is confirmed on a
// terminal unless --yes; without a terminal it needs --yes, so that a script
// with a wrong ID cannot destroy a key by accident. One whose key is on a
// token needs no confirmation: the key stays on the token, and
// `podpis token import` brings the entry back.
func runDelete(r *runner, a *parsedArgs) int {
	store, e, err := r.storeEntry(a.positional[0])
	if err != nil {
		return r.fail(err)
	}
	data := map[string]any{"Subject": displayName(e.Cert.Subject), "ID": e.ID}
	if e.HasKey && !a.has("yes") {
		t := r.terminal()
		if t == nil {
			return r.fail(newError("delete-needs-yes", data, nil))
		}
		answer, err := t.ReadLine(r.l.T("cli.delete.confirm", data) + " ")
		if err != nil || !confirmed(answer) {
			return r.fail(newError("delete-declined", data, nil))
		}
	}
	if err := store.Delete(e.ID); err != nil {
		return r.fail(err)
	}
	if r.json {
		out := map[string]any{"id": e.ID, "deleted": true, "hadKey": e.HasKey}
		if e.Token != nil {
			out["keyStaysOnToken"] = e.Token.Label
		}
		r.printJSON(out)
		return exitOK
	}
	fmt.Fprintln(r.env.Stdout, r.l.T("cli.delete.done", data))
	if e.Token != nil {
		r.outf("cli.token.delete-key-stays", map[string]any{"Token": e.Token.Label})
	}
	return exitOK
}
