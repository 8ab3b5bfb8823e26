package validate

import (
	"os"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/fetch"
)

// ForStore returns the options that judge certificates against store as it
// is now: its trusted roots anchor chains, its intermediate CAs (and the
// CA certificates that came inside .p12 files) are candidates, downloads go
// to its cache folder. at is the time to judge at (zero: now); offline
// keeps to the cache (--offline). Downloads are configured by the
// environment (fetch.FromEnv). The CLI's check and verify and the
// window all validate with these.
func ForStore(store *certstore.Store, at time.Time, offline bool) (Options, error) {
	entries, err := store.Entries()
	if err != nil {
		return Options{}, err
	}
	client, err := fetch.FromEnv(os.Getenv)
	if err != nil {
		return Options{}, err
	}
	opts := Options{At: at, Now: store.Now, CacheDir: store.CacheDir(), Fetcher: client}
	if offline {
		opts.Revocation = RevocationOffline
	}
	for _, e := range entries {
		switch {
		case e.List == certstore.ListRoot:
			opts.Roots = append(opts.Roots, e.Cert)
		case e.List == certstore.ListIntermediate, e.Cert.IsCA:
			opts.Intermediates = append(opts.Intermediates, e.Cert)
		}
	}
	return opts, nil
}
