package testpki

import (
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
)

// ServeOCSP answers ca.OCSPPath, for the rest of t, with a real `openssl
// ocsp` responder configured by cfg (TryStartOCSPResponder), then goes
// back to what answered before. Empty fields of cfg are ca's: its
// certificate, database, key as the signer, the family's digest, a
// nextUpdate a day on. So a test can make the responder sign with a
// delegated responder (PKI.OCSPSigner), an unauthorised key or a bad
// signature.
func (p *PKI) ServeOCSP(t testing.TB, ca *Cert, cfg OCSPResponderConfig) {
	t.Helper()
	backend, err := p.startResponder(t, ca, cfg)
	if err != nil {
		t.Fatal(err)
	}
	previous := p.Server.Proxy(ca.OCSPPath, backend)
	t.Cleanup(func() {
		if previous == nil {
			p.Server.Unproxy(ca.OCSPPath)
			return
		}
		p.Server.Proxy(ca.OCSPPath, previous)
	})
}

// startOCSP answers ca.OCSPPath with a responder signing with ca's own
// key, for as long as lifetime lasts.
func (p *PKI) startOCSP(lifetime testing.TB, ca *Cert) error {
	backend, err := p.startResponder(lifetime, ca, OCSPResponderConfig{})
	if err != nil {
		return err
	}
	p.Server.Proxy(ca.OCSPPath, backend)
	return nil
}

func (p *PKI) startResponder(lifetime testing.TB, ca *Cert, cfg OCSPResponderConfig) (*url.URL, error) {
	if ca.ca == nil {
		return nil, fmt.Errorf("testpki: %s is no CA of the PKI", ca.Name)
	}
	fill := func(field *string, value string) {
		if *field == "" {
			*field = value
		}
	}
	fill(&cfg.CACert, ca.PEM)
	fill(&cfg.Index, filepath.Join(ca.ca.dir, "index.txt"))
	fill(&cfg.ResponderCert, ca.PEM)
	fill(&cfg.ResponderKey, ca.Key)
	fill(&cfg.Digest, p.alg.md)
	if cfg.NextUpdateDays == 0 && cfg.NextUpdateMinutes == 0 {
		cfg.NextUpdateDays = 1
	}
	switch p.Family {
	case GOST256, GOST512, GOST2001:
		cfg.Gost = true
	}
	u, err := TryStartOCSPResponder(lifetime, p.OpenSSL, cfg)
	if err != nil {
		return nil, err
	}
	backend, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("testpki: responder URL %q: %w", u, err)
	}
	return backend, nil
}
