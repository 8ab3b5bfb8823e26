package certstore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// PrivateKey unlocks the key of a personal certificate: with the password
// remembered in the keyring if there is one that works, else by asking. The
// key is decrypted in memory only.
//
// For a certificate whose key is on a token it returns a *token.Key,
// logged in once (the PIN is asked through ask with PurposeTokenPIN): the
// caller must Close it (it is an io.Closer) when done. A certificate both
// on a token and in a container signs on the token when it is plugged in.
func (s *Store) PrivateKey(id string, ask PasswordFunc) (crypto.Signer, error) {
	e, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if e.Token != nil {
		key, err := s.tokenKey(e, ask)
		if err == nil {
			return key, nil
		}
		if !e.HasKey || !errors.Is(err, token.ErrNotFound) {
			return nil, err
		}
	}
	pkcs8, _, err := s.unseal(e, ask)
	if err != nil {
		return nil, err
	}
	defer clear(pkcs8)
	if alg, ok := pkcs8Algorithm(pkcs8); ok && alg.Equal(gost3410.OIDPublicKey2001) {
		return nil, errWith(ErrLegacyKey, map[string]any{"ID": e.ID}, nil)
	}
	signer, err := parsePrivateKey(pkcs8)
	if err != nil {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": e.ID}, err)
	}
	return signer, nil
}

// Containers hold PKCS#8: Go's own encoding for RSA/ECDSA/Ed25519 keys, and
// the form OpenSSL's gost engine writes for GOST keys.

func parsePrivateKey(pkcs8 []byte) (crypto.Signer, error) {
	if key, err := x509.ParsePKCS8PrivateKey(pkcs8); err == nil {
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%T is not a signer", key)
		}
		return signer, nil
	}
	return gost3410.ParsePKCS8(pkcs8)
}

func marshalPrivateKey(key crypto.PrivateKey) ([]byte, error) {
	switch k := key.(type) {
	case *gost3410.PrivateKey:
		return gost3410.MarshalPKCS8(k)
	case legacyKey:
		return bytes.Clone(k.pkcs8), nil
	}
	return x509.MarshalPKCS8PrivateKey(key)
}

// publicKey is a certificate's public key as a Go value: gost3410's for GOST
// keys, which crypto/x509 cannot load, crypto/x509's otherwise.
func publicKey(c *cert.Certificate) (crypto.PublicKey, error) {
	if isGOSTKey(c) {
		pub, _, err := gost3410.ParseSPKI(c.RawSubjectPublicKeyInfo)
		return pub, err
	}
	xc, err := c.ToX509()
	if err != nil {
		return nil, err
	}
	return xc.PublicKey, nil
}

// unseal returns the container's PKCS#8 and the password that opened it.
func (s *Store) unseal(e *Entry, ask PasswordFunc) ([]byte, string, error) {
	if !e.HasKey && e.Token != nil {
		return nil, "", errWith(ErrTokenPassword, map[string]any{"ID": e.ID, "Token": e.Token.Label}, nil)
	}
	if !e.HasKey {
		return nil, "", errWith(ErrNoKey, map[string]any{"ID": e.ID}, nil)
	}
	data, err := os.ReadFile(s.keyPath(e.ID))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, "", errWith(ErrContainerDamaged, map[string]any{"ID": e.ID}, err)
		}
		return nil, "", fmt.Errorf("read key container %s: %w", e.ID, err)
	}
	if pw, err := s.keyring.Get(KeyringService, e.ID); err == nil {
		if pkcs8, err := openKey(e.ID, data, pw); err == nil {
			return pkcs8, pw, nil
		}
		// A stale remembered password: fall through and ask.
	}
	if ask == nil {
		return nil, "", errWith(ErrPasswordRequired, map[string]any{"ID": e.ID}, nil)
	}
	pw, err := ask(PasswordRequest{Purpose: PurposeContainer, ID: e.ID, Subject: e.Cert.Subject.CommonName()})
	if err != nil {
		return nil, "", err
	}
	pkcs8, err := openKey(e.ID, data, pw)
	if err != nil {
		return nil, "", err
	}
	return pkcs8, pw, nil
}

// CheckPassword tells whether password itself opens the container of id
// (a remembered password is not consulted).
func (s *Store) CheckPassword(id, password string) error {
	e, err := s.Get(id)
	if err != nil {
		return err
	}
	if !e.HasKey && e.Token != nil {
		return errWith(ErrTokenPassword, map[string]any{"ID": e.ID, "Token": e.Token.Label}, nil)
	}
	if !e.HasKey {
		return errWith(ErrNoKey, map[string]any{"ID": e.ID}, nil)
	}
	data, err := os.ReadFile(s.keyPath(e.ID))
	if err != nil {
		return errWith(ErrContainerDamaged, map[string]any{"ID": e.ID}, err)
	}
	pkcs8, err := openKey(e.ID, data, password)
	clear(pkcs8)
	return err
}

// ChangePassword re-seals a container under a new password. The old one comes
// from the keyring or ask; remember keeps the new one in the keyring, and a
// password remembered before is replaced so it keeps working.
func (s *Store) ChangePassword(id string, ask PasswordFunc, newPassword string, remember bool) error {
	if newPassword == "" {
		return errWith(ErrNoPassword, nil, nil)
	}
	e, err := s.Get(id)
	if err != nil {
		return err
	}
	pkcs8, _, err := s.unseal(e, ask)
	if err != nil {
		return err
	}
	defer clear(pkcs8)
	sealed, err := sealKey(e.ID, pkcs8, newPassword, s.kdfCost)
	if err != nil {
		return err
	}
	_, kerr := s.keyring.Get(KeyringService, e.ID)
	wasRemembered := kerr == nil
	if err := s.write(func() error { return atomicfile.Write(s.keyPath(e.ID), sealed, 0o600) }); err != nil {
		return err
	}
	if remember || wasRemembered {
		if err := s.keyring.Set(KeyringService, e.ID, newPassword); err != nil {
			return err
		}
	}
	return nil
}

// Remember keeps a container's password in the OS keyring after checking
// that it opens the container.
func (s *Store) Remember(id, password string) error {
	if err := s.CheckPassword(id, password); err != nil {
		return err
	}
	e, err := s.Get(id)
	if err != nil {
		return err
	}
	return s.keyring.Set(KeyringService, e.ID, password)
}

// Forget removes a remembered password; having none is not an error.
func (s *Store) Forget(id string) error {
	e, err := s.Get(id)
	if err != nil {
		return err
	}
	if err := s.keyring.Delete(KeyringService, e.ID); err != nil && !errors.Is(err, ErrSecretNotFound) {
		return err
	}
	return nil
}

// Remembered reports whether a password for id is in the keyring.
func (s *Store) Remembered(id string) bool {
	_, err := s.keyring.Get(KeyringService, id)
	return err == nil
}
