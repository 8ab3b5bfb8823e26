package certstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/atomicfile"
)

// Settings are the store's preferences shared by the window and the CLI.
type Settings struct {
	// TokenModule, when set, is the only PKCS#11 module used (instead of
	// discovering them): the window's Settings field.
	TokenModule string `json:"tokenModule,omitempty"`
}

func (s *Store) settingsPath() string { return filepath.Join(s.dir, "settings.json") }

// Settings reads the settings; a store without any has the zero value.
func (s *Store) Settings() (Settings, error) {
	var st Settings
	data, err := os.ReadFile(s.settingsPath())
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read settings: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return Settings{}, fmt.Errorf("settings.json is damaged: %w", err)
	}
	return st, nil
}

// SaveSettings replaces the settings.
func (s *Store) SaveSettings(st Settings) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return s.write(func() error { return atomicfile.Write(s.settingsPath(), data, 0o600) })
}

// Tokens is the store's module library (opened modules are kept loaded).
func (s *Store) Tokens() *token.Library { return s.tokens }

// Close unloads the PKCS#11 modules the store opened. Keys opened from the
// store must be closed first.
func (s *Store) Close() error { return s.tokens.Close() }

// ModuleCandidates says which PKCS#11 modules to use: override (--module)
// alone when given; else the Settings field alone when set; else every
// module Discover finds. It may be empty: nothing is installed.
func (s *Store) ModuleCandidates(override string) []token.Candidate {
	if override != "" {
		return []token.Candidate{{Path: override, Product: token.ProductOf(override), Source: token.SourceFlag}}
	}
	if st, err := s.Settings(); err == nil && st.TokenModule != "" {
		return []token.Candidate{{Path: st.TokenModule, Product: token.ProductOf(st.TokenModule), Source: token.SourceSettings}}
	}
	return token.Discover(token.DiscoverOptions{})
}

// ImportToken registers the certificates of a scanned token: each with a
// key pair on the token (or whose key could not be seen without a login)
// becomes a personal certificate whose key stays on the token; CA
// certificates and others without a key go to their lists as files would.
// Certificates already in the store gain the token reference.
func (s *Store) ImportToken(module string, t *token.TokenScan) (*ImportResult, error) {
	res := &ImportResult{File: t.Info.Label}
	err := s.write(func() error {
		for _, tc := range t.Certificates {
			if tc.Cert == nil {
				res.Warnings = append(res.Warnings, &FileError{File: tc.Label, Err: tc.ParseErr})
				continue
			}
			if tc.Key == token.KeyNone || tc.Cert.IsCA {
				if err := s.placeCert(res, tc.Cert, "", t.Info.Label); err != nil {
					return err
				}
				continue
			}
			ref := &token.Ref{Module: module, Serial: t.Info.Serial, Label: t.Info.Label, Model: t.Info.Model, ID: tc.ID}
			if err := s.placeTokenCert(res, tc.Cert, ref); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// placeTokenCert writes a personal entry whose key is on a token. Must be
// called inside s.write.
func (s *Store) placeTokenCert(res *ImportResult, c *cert.Certificate, ref *token.Ref) error {
	id := c.Thumbprint()
	cur, err := s.readEntry(id)
	if err == nil && cur.Token != nil && cur.Token.Serial == ref.Serial && string(cur.Token.ID) == string(ref.ID) && cur.Token.Module == ref.Module {
		res.Existing = append(res.Existing, cur)
		return nil
	}
	e := &Entry{ID: id, List: ListPersonal, Cert: c, Token: ref, Added: s.now(), Source: ref.Label}
	if err == nil {
		// Keep what was there: a software container stays usable beside
		// the token (the same certificate can be in both).
		e.Added, e.HasKey = cur.Added, cur.HasKey
		if !cur.HasKey {
			e.Source = ref.Label
		} else {
			e.Source = cur.Source
		}
	}
	if err := s.writeEntry(e); err != nil {
		return err
	}
	res.Added = append(res.Added, e)
	return nil
}

// pinAccount is the keyring account of a token's remembered PIN: per token
// (serial), since every certificate on it shares the PIN.
func pinAccount(serial string) string { return "token:" + serial }

// RememberPIN keeps a token's PIN in the OS keyring. Call it only with a
// PIN that has just logged in: checking one would cost a try.
func (s *Store) RememberPIN(serial, pin string) error {
	return s.keyring.Set(KeyringService, pinAccount(serial), pin)
}

// ForgetPIN removes a remembered PIN; having none is not an error.
func (s *Store) ForgetPIN(serial string) error {
	if err := s.keyring.Delete(KeyringService, pinAccount(serial)); err != nil && !errors.Is(err, ErrSecretNotFound) {
		return err
	}
	return nil
}

// PINRemembered reports whether a PIN for the token is in the keyring.
func (s *Store) PINRemembered(serial string) bool {
	_, err := s.keyring.Get(KeyringService, pinAccount(serial))
	return err == nil
}

// tokenKey opens the key of a token entry: logs in once with the
// remembered PIN, or asks. A remembered PIN is never used when the token
// is at its final try (that needs the person's consent), and one that
// turns out wrong is forgotten at once so it cannot burn another try.
func (s *Store) tokenKey(e *Entry, ask PasswordFunc) (*token.Key, error) {
	usedRemembered := false
	pinFunc := func(req token.PINRequest) (string, error) {
		if !req.FinalTry {
			if pin, err := s.keyring.Get(KeyringService, pinAccount(e.Token.Serial)); err == nil {
				usedRemembered = true
				return pin, nil
			}
		}
		if ask == nil {
			return "", errWith(ErrPasswordRequired, map[string]any{"ID": e.ID}, token.ErrPINRequired)
		}
		return ask(PasswordRequest{
			Purpose: PurposeTokenPIN, ID: e.ID, Subject: e.Cert.Subject.CommonName(),
			Token: req.Token, Serial: req.Serial, PIN: req.State, FinalTry: req.FinalTry,
		})
	}
	key, err := s.tokens.OpenKey(*e.Token, e.Cert, token.KeyOptions{
		PIN:      pinFunc,
		Fallback: s.ModuleCandidates(""),
	})
	if err != nil && usedRemembered && isWrongPIN(err) {
		_ = s.ForgetPIN(e.Token.Serial)
		return nil, fmt.Errorf("%w (the remembered PIN was wrong and has been forgotten)", err)
	}
	return key, err
}

func isWrongPIN(err error) bool {
	return errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINCountLow) ||
		errors.Is(err, token.ErrPINLastTry) || errors.Is(err, token.ErrPINLocked)
}

// ChangeTokenPIN changes a token's user PIN (asking the current and the
// new one) and keeps a remembered PIN working by replacing it.
func (s *Store) ChangeTokenPIN(candidates []token.Candidate, serial string, ask token.PINFunc) error {
	var newPIN string
	wrapped := func(req token.PINRequest) (string, error) {
		pin, err := ask(req)
		if req.Purpose == token.PINNew {
			newPIN = pin
		}
		return pin, err
	}
	if err := s.tokens.ChangePIN(candidates, serial, wrapped); err != nil {
		return err
	}
	if s.PINRemembered(serial) {
		return s.RememberPIN(serial, newPIN)
	}
	return nil
}

// TokenPresence tells, for the token entries among entries, whether their
// token is plugged in now (by serial). It never asks for a PIN.
func (s *Store) TokenPresence(ctx context.Context, entries []*Entry) map[string]bool {
	var serials []string
	seen := map[string]bool{}
	candidates := s.ModuleCandidates("")
	known := map[string]bool{}
	for _, c := range candidates {
		known[c.Path] = true
	}
	for _, e := range entries {
		if e.Token == nil || seen[e.Token.Serial] {
			continue
		}
		seen[e.Token.Serial] = true
		serials = append(serials, e.Token.Serial)
		if !known[e.Token.Module] {
			known[e.Token.Module] = true
			candidates = append(candidates, token.Candidate{Path: e.Token.Module, Source: token.SourceStore})
		}
	}
	if len(serials) == 0 {
		return map[string]bool{}
	}
	return s.tokens.Present(ctx, candidates, serials)
}
