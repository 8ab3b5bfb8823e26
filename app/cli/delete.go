package cli

import (
	"fmt"
)

// runDelete removes a certificate. One with a private key is confirmed on a
// terminal unless --yes; without a terminal it needs --yes, so that a script
// with a wrong ID cannot destroy a key by accident.
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
		r.printJSON(map[string]any{"id": e.ID, "deleted": true, "hadKey": e.HasKey})
		return exitOK
	}
	fmt.Fprintln(r.env.Stdout, r.l.T("cli.delete.done", data))
	return exitOK
}
