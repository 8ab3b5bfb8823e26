package cli

import (
	"fmt"

	"github.com/podpis/podpis/certstore"
)

// runPasswd changes the password of a certificate's key container. The
// current password comes from the keyring (if remembered), --password-file,
// --password-stdin or the terminal; the new one from --new-password-file or
// the terminal, typed twice. A password remembered before is replaced, so it
// keeps working; --remember starts remembering.
func runPasswd(r *runner, a *parsedArgs) int {
	store, e, err := r.storeEntry(a.positional[0])
	if err != nil {
		return r.fail(err)
	}
	if !e.HasKey && e.Token != nil {
		// A token's key has a PIN, changed with podpis token passwd.
		return r.fail(&cliError{code: certstore.ErrTokenPassword.Code(), params: map[string]any{"ID": e.ID, "Token": e.Token.Label}, err: certstore.ErrTokenPassword})
	}
	if !e.HasKey {
		return r.fail(certstore.ErrNoKey)
	}
	pw, err := r.readPasswordFlags(a)
	if err != nil {
		return r.fail(err)
	}
	req := certstore.PasswordRequest{Purpose: certstore.PurposeNewContainer, ID: e.ID, Subject: displayName(e.Cert.Subject)}
	var newPassword string
	switch {
	case pw.newContainer != nil:
		newPassword = *pw.newContainer
	case pw.term != nil:
		if newPassword, err = pw.askNew(req); err != nil {
			return r.fail(err)
		}
	default:
		return r.fail(usageError("flag-required", map[string]any{"Flag": "--new-password-file"}))
	}
	remember := a.has("remember")
	if err := store.ChangePassword(e.ID, pw.ask, newPassword, remember); err != nil {
		return r.fail(err)
	}
	remembered := store.Remembered(e.ID)
	if r.json {
		r.printJSON(map[string]any{"id": e.ID, "changed": true, "remembered": remembered})
		return exitOK
	}
	data := map[string]any{"Subject": displayName(e.Cert.Subject)}
	fmt.Fprintln(r.env.Stdout, r.l.T("cli.passwd.done", data))
	if remembered {
		fmt.Fprintln(r.env.Stdout, r.l.T("cli.passwd.remembered"))
	}
	return exitOK
}
