package signer

import (
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
)

// StoreVerifyOptions judges signers against the store as it is now (see
// validate.ForStore): its trusted roots anchor chains, its CA certificates
// fill them, AIA, CRL and OCSP answers are fetched (unless offline) and
// cached in the store, and any of its certificates may be the signer's
// when the signature does not carry it. The CLI and the window both verify
// with these.
func StoreVerifyOptions(store *certstore.Store, at time.Time, strict, offline bool) (VerifyOptions, error) {
	vopts, err := validate.ForStore(store, at, offline)
	if err != nil {
		return VerifyOptions{}, err
	}
	entries, err := store.Entries()
	if err != nil {
		return VerifyOptions{}, err
	}
	all := make([]*cert.Certificate, 0, len(entries))
	for _, e := range entries {
		all = append(all, e.Cert)
	}
	return VerifyOptions{At: at, Chain: Validator{Options: vopts}, Certificates: all, Strict: strict}, nil
}
