package certstore

import (
	"crypto/x509"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/pfx"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// ExportPFX writes a personal certificate with its private key (and with
// withChain, its issuers from the store) as a PKCS#12 file protected by
// password: a TC26 .pfx for GOST keys, which OpenSSL's gost engine reads;
// PBES2 with AES-256 and a SHA-256 MAC (OpenSSL 3's default) for RSA and
// ECDSA. The container is unlocked as PrivateKey does; the key exists in
// plaintext only in memory.
func (s *Store) ExportPFX(id string, ask PasswordFunc, password string, withChain bool) ([]byte, error) {
	e, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if !e.HasKey && e.Token != nil {
		return nil, errWith(ErrTokenKey, map[string]any{"ID": e.ID, "Token": e.Token.Label}, nil)
	}
	if password == "" {
		// A .pfx without a password hands the key to whoever gets the file.
		return nil, errWith(ErrExportPassword, nil, nil)
	}
	pkcs8, _, err := s.unseal(e, ask)
	if err != nil {
		return nil, err
	}
	defer clear(pkcs8)
	chain := []*Entry{e}
	if withChain {
		if chain, _, err = s.Chain(e.ID); err != nil {
			return nil, err
		}
	}
	if isGOSTKey(e.Cert) {
		ders := make([][]byte, len(chain))
		for i, c := range chain {
			ders[i] = c.Cert.Raw
		}
		return pfx.Encode(pkcs8, ders, password)
	}
	key, err := parsePrivateKey(pkcs8)
	if err != nil {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": e.ID}, err)
	}
	xcs := make([]*x509.Certificate, len(chain))
	for i, c := range chain {
		if xcs[i], err = c.Cert.ToX509(); err != nil {
			return nil, err
		}
	}
	return pkcs12.Modern2023.Encode(key, xcs[0], xcs[1:], password)
}

// isGOSTKey reports whether c's key is a GOST R 34.10 key.
func isGOSTKey(c *cert.Certificate) bool {
	alg := c.PublicKeyAlgorithm
	return alg.Equal(gost3410.OIDPublicKey2012_256) || alg.Equal(gost3410.OIDPublicKey2012_512) || alg.Equal(gost3410.OIDPublicKey2001)
}
