package cli

import (
	"errors"
	"os"

	"github.com/podpis/podpis/certstore"
)

// runTrust adds CA certificates as trusted: self-signed ones to the trusted
// roots, others to the intermediate CAs. Besides files, an argument may name
// a certificate already in the store by its ID (our addition to DESIGN's
// `trust FILE...`): a root that came inside a .p12 waits there untrusted, and
// `podpis trust ID` is what the import's warning tells the person to run.
func runTrust(r *runner, a *parsedArgs) int {
	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	return r.eachFile(a.positional, func(arg string) (*certstore.ImportResult, error) {
		if _, statErr := os.Stat(arg); errors.Is(statErr, os.ErrNotExist) {
			if id, idErr := certstore.NormalizeID(arg); idErr == nil {
				return trustStored(store, arg, id)
			}
		}
		return store.TrustFile(arg)
	})
}

// trustStored trusts a certificate that is in the store already.
func trustStored(store *certstore.Store, arg, id string) (*certstore.ImportResult, error) {
	e, err := store.Get(id)
	if err != nil {
		return nil, err
	}
	res := &certstore.ImportResult{File: arg}
	if !e.Cert.IsSelfSigned() && !e.Cert.IsCA {
		return nil, newError("not-ca", map[string]any{"Subject": e.Cert.Subject.CommonName()}, certstore.ErrNotCA)
	}
	to := certstore.ListIntermediate
	if e.Cert.IsSelfSigned() {
		to = certstore.ListRoot
	}
	if e.List == to || e.List == certstore.ListPersonal {
		res.Existing = append(res.Existing, e)
		return res, nil
	}
	moved, err := store.Move(e.ID, to)
	if err != nil {
		return nil, err
	}
	res.Added = append(res.Added, moved)
	return res, nil
}
