// Package certstore is Podpis's certificate store: certificates in lists like
// CryptoPro's, private keys in sealed containers, on disk.
//
// Layout of a store folder (0700, files 0600):
//
//	.lock                 flock'ed by every writer
//	certs/<id>.json       one entry: list, certificate DER, whether a key exists
//	keys/<id>.key         the sealed private key of a personal certificate
//
// Each file is replaced atomically (temp + fsync + rename), and a personal
// entry is written only after its key container, so whatever instant a
// process dies at, readers see complete entries only. Writers hold the lock
// for a whole operation, so a GUI and a CLI script can change one store at the
// same time without losing either's change. Readers take no lock.
package certstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/atomicfile"
)

// List names one of the certificate lists.
type List string

const (
	ListPersonal     List = "personal"     // «Личные»: certificates with a private key
	ListRoot         List = "root"         // «Доверенные корневые центры сертификации»
	ListIntermediate List = "intermediate" // «Промежуточные центры сертификации», and roots not yet trusted
	ListOther        List = "other"        // «Другие пользователи»
)

// AllLists returns the lists in display order.
func AllLists() []List { return []List{ListPersonal, ListRoot, ListIntermediate, ListOther} }

func (l List) valid() bool {
	switch l {
	case ListPersonal, ListRoot, ListIntermediate, ListOther:
		return true
	}
	return false
}

// Entry is one certificate in the store.
type Entry struct {
	ID     string // SHA-1 thumbprint, lower-case hex
	List   List
	Cert   *cert.Certificate
	HasKey bool      // a sealed key container belongs to it
	Added  time.Time // when it was put in the store
	Source string    // base name of the file it came from
	// Token is set when the private key is on a token or smart card: where
	// to find it (module, token serial, CKA_ID), never the key itself.
	Token *token.Ref
}

// CanSign reports whether the entry has a private key to sign with: a
// sealed container, or a key on a token.
func (e *Entry) CanSign() bool { return e.HasKey || e.Token != nil }

// UntrustedRoot reports a self-signed CA certificate that sits in the store
// without being trusted (it came inside a .p12 or was imported as a file).
func (e *Entry) UntrustedRoot() bool {
	return e.List != ListRoot && e.Cert.IsSelfSigned() && (e.Cert.IsCA || e.List == ListIntermediate)
}

type entryFile struct {
	Format      string     `json:"format"`
	List        List       `json:"list"`
	Certificate []byte     `json:"certificate"`
	Key         bool       `json:"key,omitempty"`
	Token       *token.Ref `json:"token,omitempty"`
	Added       time.Time  `json:"added"`
	Source      string     `json:"source,omitempty"`
}

const entryFormat = "podpis-entry/1"

// Options configure Open.
type Options struct {
	// Dir is the store folder; "" means DefaultDir().
	Dir string
	// Keyring keeps remembered passwords; nil means the OS keyring, or none
	// when PODPIS_KEYRING=off.
	Keyring Keyring
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Tokens loads PKCS#11 modules; nil means a token.Library with the
	// real loader. Tests pass one whose Opener counts calls or is a double.
	Tokens *token.Library
}

// Store is an open store folder. It is safe for concurrent use.
type Store struct {
	dir     string
	keyring Keyring
	now     func() time.Time
	mu      sync.Mutex // serialises writers inside this process; the flock does across processes
	kdfCost kdfCost
	tokens  *token.Library
}

// DefaultDir is PODPIS_STORE if set, else os.UserConfigDir()/podpis.
func DefaultDir() (string, error) {
	if d := os.Getenv("PODPIS_STORE"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user configuration folder: %w", err)
	}
	return filepath.Join(base, "podpis"), nil
}

// Open opens the store folder, creating it (0700) if needed.
func Open(opts Options) (*Store, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{dir, filepath.Join(dir, "certs"), filepath.Join(dir, "keys")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("create store folder: %w", err)
		}
		// MkdirAll leaves existing folders alone; tighten them in case they
		// were made by hand or by an older version.
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, fmt.Errorf("protect store folder: %w", err)
		}
	}
	s := &Store{dir: dir, keyring: opts.Keyring, now: opts.Now, kdfCost: productionKDF(), tokens: opts.Tokens}
	if s.tokens == nil {
		s.tokens = token.NewLibrary(nil)
	}
	if s.keyring == nil {
		if strings.EqualFold(os.Getenv("PODPIS_KEYRING"), "off") {
			s.keyring = NoKeyring{}
		} else {
			s.keyring = OSKeyring{}
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Dir is the store folder.
func (s *Store) Dir() string { return s.dir }

// CacheDir is where validation keeps what it downloads (issuer
// certificates from AIA, CRLs and their indexes): inside the store, so it
// follows --store, and disposable, so nothing else points into it.
func (s *Store) CacheDir() string { return filepath.Join(s.dir, "cache") }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

func (s *Store) entryPath(id string) string { return filepath.Join(s.dir, "certs", id+".json") }
func (s *Store) keyPath(id string) string   { return filepath.Join(s.dir, "keys", id+".key") }

// write runs f with the store locked against every other writer, in this
// process and in others, and tidies what a crashed writer left behind.
func (s *Store) write(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := lockFile(filepath.Join(s.dir, ".lock"))
	if err != nil {
		return err
	}
	defer l.unlock()
	atomicfile.RemoveStaleTemps(filepath.Join(s.dir, "certs"))
	atomicfile.RemoveStaleTemps(filepath.Join(s.dir, "keys"))
	s.removeOrphanedContainers()
	return f()
}

// removeOrphanedContainers deletes key containers that no entry claims: a
// crash between writing a container and its personal entry leaves one. Only
// called with the lock held, so no writer is between those two steps now.
func (s *Store) removeOrphanedContainers() {
	des, err := os.ReadDir(filepath.Join(s.dir, "keys"))
	if err != nil {
		return
	}
	for _, de := range des {
		id, ok := strings.CutSuffix(de.Name(), ".key")
		if !ok || !isID(id) {
			continue
		}
		if e, err := s.readEntry(id); err == nil && e.HasKey {
			continue
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			continue // a damaged entry: keep its key; Check reports it
		}
		_ = atomicfile.Remove(s.keyPath(id))
	}
}

func isID(name string) bool {
	if len(name) != 40 {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil && strings.ToLower(name) == name
}

// ids lists the IDs of complete entries.
func (s *Store) ids() ([]string, error) {
	des, err := os.ReadDir(filepath.Join(s.dir, "certs"))
	if err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	var ids []string
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), ".json")
		if ok && isID(name) && de.Type().IsRegular() {
			ids = append(ids, name)
		}
	}
	return ids, nil
}

func (s *Store) readEntry(id string) (*Entry, error) {
	data, err := os.ReadFile(s.entryPath(id))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errWith(ErrNotFound, map[string]any{"ID": id}, nil)
		}
		return nil, fmt.Errorf("read entry %s: %w", id, err)
	}
	var ef entryFile
	if err := json.Unmarshal(data, &ef); err != nil {
		return nil, fmt.Errorf("entry %s is damaged: %w", id, err)
	}
	if ef.Format != entryFormat || !ef.List.valid() {
		return nil, fmt.Errorf("entry %s has unknown format %q or list %q", id, ef.Format, ef.List)
	}
	c, err := cert.Parse(ef.Certificate)
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", id, err)
	}
	if c.Thumbprint() != id {
		return nil, fmt.Errorf("entry %s holds another certificate (%s)", id, c.Thumbprint())
	}
	return &Entry{ID: id, List: ef.List, Cert: c, HasKey: ef.Key, Token: ef.Token, Added: ef.Added, Source: ef.Source}, nil
}

func (s *Store) writeEntry(e *Entry) error {
	data, err := json.MarshalIndent(entryFile{
		Format:      entryFormat,
		List:        e.List,
		Certificate: e.Cert.Raw,
		Key:         e.HasKey,
		Token:       e.Token,
		Added:       e.Added.UTC(),
		Source:      e.Source,
	}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.entryPath(e.ID), data, 0o600)
}

// Entries returns every certificate: personal first, then trusted roots,
// intermediate CAs and other people's; by subject within a list. Entries that
// cannot be read are left out; Check names them.
func (s *Store) Entries() ([]*Entry, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	entries := make([]*Entry, 0, len(ids))
	for _, id := range ids {
		e, err := s.readEntry(id)
		if err != nil {
			continue
		}
		entries = append(entries, e)
	}
	rank := map[List]int{}
	for i, l := range AllLists() {
		rank[l] = i
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if rank[a.List] != rank[b.List] {
			return rank[a.List] < rank[b.List]
		}
		an, bn := strings.ToLower(a.Cert.Subject.CommonName()), strings.ToLower(b.Cert.Subject.CommonName())
		if an != bn {
			return an < bn
		}
		return a.ID < b.ID
	})
	return entries, nil
}

// Check returns one error per entry that cannot be read, for diagnosis.
func (s *Store) Check() []error {
	ids, err := s.ids()
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, id := range ids {
		if _, err := s.readEntry(id); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// NormalizeID turns what a person typed or pasted into an ID prefix: spaces
// and colons (as Windows and OpenSSL print thumbprints) are dropped and
// letters lowered. It must leave 8 to 40 hex digits.
func NormalizeID(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ' || r == ':' || r == '\u200e' || r == '\u200f':
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
			b.WriteRune(r)
		default:
			return "", errWith(ErrBadID, map[string]any{"ID": s}, nil)
		}
	}
	id := b.String()
	if len(id) < 8 || len(id) > 40 {
		return "", errWith(ErrBadID, map[string]any{"ID": s}, nil)
	}
	return id, nil
}

// Get finds an entry by its ID or a unique prefix of 8 or more hex digits.
func (s *Store) Get(idOrPrefix string) (*Entry, error) {
	prefix, err := NormalizeID(idOrPrefix)
	if err != nil {
		return nil, err
	}
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	var match []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			match = append(match, id)
		}
	}
	switch len(match) {
	case 0:
		return nil, errWith(ErrNotFound, map[string]any{"ID": idOrPrefix}, nil)
	case 1:
		return s.readEntry(match[0])
	default:
		return nil, errWith(ErrAmbiguousID, map[string]any{"ID": idOrPrefix, "Count": len(match)}, nil)
	}
}

// Delete removes a certificate, its key container and its remembered
// password. The entry goes first, so a crash midway leaves at worst an
// orphaned container, which the next writer removes.
func (s *Store) Delete(id string) error {
	e, err := s.Get(id)
	if err != nil {
		return err
	}
	return s.write(func() error {
		if err := atomicfile.Remove(s.entryPath(e.ID)); err != nil {
			return fmt.Errorf("delete %s: %w", e.ID, err)
		}
		if err := atomicfile.Remove(s.keyPath(e.ID)); err != nil {
			return fmt.Errorf("delete key container %s: %w", e.ID, err)
		}
		if e.HasKey {
			// Best effort: a keyring that is not there has nothing to forget.
			_ = s.keyring.Delete(KeyringService, e.ID)
		}
		return nil
	})
}

// Move puts an entry into another list. Moving into ListPersonal needs a key.
func (s *Store) Move(id string, to List) (*Entry, error) {
	if !to.valid() {
		return nil, fmt.Errorf("unknown list %q", to)
	}
	e, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if to == ListPersonal && !e.CanSign() {
		return nil, errWith(ErrNoKey, map[string]any{"ID": e.ID}, nil)
	}
	err = s.write(func() error {
		cur, err := s.readEntry(e.ID)
		if err != nil {
			return err
		}
		cur.List = to
		e = cur
		return s.writeEntry(cur)
	})
	return e, err
}

// sameCert reports whether the entry holds exactly der.
func sameCert(e *Entry, der []byte) bool { return bytes.Equal(e.Cert.Raw, der) }
