package signer

import (
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
)

// StoreVerifyOptions judges signers against the store as it is now: its
// trusted roots anchor chains, its intermediate CAs fill them, and any of
// its certificates may be the signer's when the signature does not carry
// it. The CLI and the window both verify with these.
func StoreVerifyOptions(store *certstore.Store, at time.Time, strict bool) (VerifyOptions, error) {
	entries, err := store.Entries()
	if err != nil {
		return VerifyOptions{}, err
	}
	var chain StoreChain
	all := make([]*cert.Certificate, 0, len(entries))
	for _, e := range entries {
		all = append(all, e.Cert)
		switch e.List {
		case certstore.ListRoot:
			chain.Roots = append(chain.Roots, e.Cert)
		case certstore.ListIntermediate:
			chain.Intermediates = append(chain.Intermediates, e.Cert)
		}
	}
	return VerifyOptions{At: at, Chain: chain, Certificates: all, Strict: strict}, nil
}
