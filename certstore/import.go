package certstore

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/certstore/pfx"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/internal/gost/gost3410"
)

// Size limits are checked before a file is read whole: a certificate is a few
// kilobytes (bundles with long chains some tens), a .pfx rarely 100 KB.
const (
	MaxCertificateFileSize = 1 << 20  // 1 MiB
	MaxContainerFileSize   = 16 << 20 // 16 MiB
)

// Purpose says why a password is asked for.
type Purpose string

const (
	PurposeOpenFile     Purpose = "open-file"     // the password of a .p12/.pfx being imported
	PurposeContainer    Purpose = "container"     // the password of a key container in the store
	PurposeNewContainer Purpose = "new-container" // a password for a new container (the .p12 had none and no keyring answers)
	PurposeTokenPIN     Purpose = "token-pin"     // the user PIN of a token, to sign or to see its private objects
)

// PasswordRequest describes what a password is wanted for, for the prompt.
type PasswordRequest struct {
	Purpose Purpose
	File    string // PurposeOpenFile: the file's base name
	ID      string // PurposeContainer, PurposeTokenPIN: the certificate ID
	Subject string // PurposeContainer, PurposeTokenPIN: the certificate's common name
	// PurposeTokenPIN: the token's label and serial, and what it says
	// about its PIN. FinalTry: a wrong PIN now locks it; a PasswordFunc
	// that answers such a request declares that the person agreed.
	Token    string
	Serial   string
	PIN      token.PINState
	FinalTry bool
}

// PasswordFunc supplies a password. It is asked at most once per request; a
// wrong answer ends the operation with ErrWrongPassword and the caller may
// start it again. Return ErrCancelled when the person declines.
type PasswordFunc func(PasswordRequest) (string, error)

// ImportOptions steer Import.
type ImportOptions struct {
	Password PasswordFunc // nil: a protected .p12 fails with ErrPasswordRequired
	Remember bool         // keep the container password in the OS keyring
}

// ImportResult reports what one file brought into the store.
type ImportResult struct {
	File     string
	Added    []*Entry // new entries, or entries that gained their private key
	Existing []*Entry // certificates already in the store, left as they were
	// UntrustedRoots are self-signed CA certificates that were stored in the
	// intermediate list: they are trusted only when the person says so.
	UntrustedRoots []*Entry
	// Warnings did not stop the import (e.g. the password could not be
	// remembered because no keyring answered).
	Warnings []error
}

// ImportFile imports the certificates or container in path. It refuses
// directories and files over the size limits before reading them.
func (s *Store) ImportFile(path string, opts ImportOptions) (*ImportResult, error) {
	name := filepath.Base(path)
	data, err := readImportFile(path)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	res, err := s.Import(name, data, opts)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.File = path
		}
		return nil, err
	}
	res.File = path
	return res, nil
}

// readImportFile reads a file to import, refusing it by size before reading
// it whole: over MaxContainerFileSize always; over MaxCertificateFileSize
// unless its first bytes are those of a PFX, the only large thing imported.
func readImportFile(path string) ([]byte, error) {
	return readLimited(path, func(f *os.File, size int64) error {
		if size > MaxContainerFileSize {
			return tooLarge(size, MaxContainerFileSize)
		}
		head := make([]byte, 16)
		n, _ := io.ReadFull(f, head)
		if !looksLikePFX(head[:n]) {
			return tooLarge(size, MaxCertificateFileSize)
		}
		_, err := f.Seek(0, io.SeekStart)
		return err
	}, MaxContainerFileSize)
}

func tooLarge(size, limit int64) error {
	return errWith(ErrTooLarge, map[string]any{"Size": size, "Limit": limit}, nil)
}

// looksLikePFX: DER or BER SEQUENCE { INTEGER 3, ... } (RFC 7292 PFX version 3).
func looksLikePFX(head []byte) bool {
	if len(head) < 5 || head[0] != 0x30 {
		return false
	}
	i := 2
	if l := head[1]; l > 0x80 {
		i += int(l & 0x7f)
	}
	return len(head) >= i+3 && head[i] == 0x02 && head[i+1] == 0x01 && head[i+2] == 0x03
}

// readLimited reads a regular file of at most limit bytes; check may refuse
// it by its size (and first bytes) before it is read whole.
func readLimited(path string, check func(f *os.File, size int64) error, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errWith(ErrUnreadable, map[string]any{"Detail": osReason(err)}, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, errWith(ErrUnreadable, map[string]any{"Detail": osReason(err)}, err)
	}
	if fi.IsDir() {
		return nil, errWith(ErrIsDirectory, nil, nil)
	}
	if fi.Size() > MaxCertificateFileSize {
		if err := check(f, fi.Size()); err != nil {
			return nil, err
		}
	}
	// The size can change under us (a pipe, a growing file): read one byte
	// more than allowed to notice.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, errWith(ErrUnreadable, map[string]any{"Detail": osReason(err)}, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(int64(len(data)), limit)
	}
	return data, nil
}

func osReason(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Import adds what data holds, recognised by content: certificates (PEM, DER,
// Base64, PKCS#7 bundles) or a PKCS#12 container with its private key. name
// is used in messages only. Nothing is added when an error is returned.
func (s *Store) Import(name string, data []byte, opts ImportOptions) (*ImportResult, error) {
	sniffed, err := format.Sniff(data)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	switch sniffed.Kind {
	case format.KindPKCS12:
		return s.importPKCS12(name, sniffed.PKCS12, opts)
	default:
		if len(data) > MaxCertificateFileSize {
			return nil, &FileError{File: name, Err: errWith(ErrTooLarge,
				map[string]any{"Size": len(data), "Limit": MaxCertificateFileSize}, nil)}
		}
		certs, err := parseAll(sniffed.Certificates)
		if err != nil {
			return nil, &FileError{File: name, Err: err}
		}
		res := &ImportResult{File: name}
		err = s.write(func() error {
			for _, c := range certs {
				if err := s.placeCert(res, c, "", name); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, &FileError{File: name, Err: err}
		}
		return res, nil
	}
}

func parseAll(ders [][]byte) ([]*cert.Certificate, error) {
	certs := make([]*cert.Certificate, 0, len(ders))
	for _, der := range ders {
		c, err := cert.Parse(der)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// placeCert stores a certificate that comes without a key. The list follows
// what it is: a self-signed CA waits in the intermediate list until trusted,
// a CA goes to intermediates, anything else is another person's. A list
// given explicitly wins. Must be called inside s.write.
func (s *Store) placeCert(res *ImportResult, c *cert.Certificate, list List, source string) error {
	id := c.Thumbprint()
	if cur, err := s.readEntry(id); err == nil {
		if list == "" || cur.List == list || cur.List == ListPersonal {
			res.Existing = append(res.Existing, cur)
			return nil
		}
		cur.List = list
		if err := s.writeEntry(cur); err != nil {
			return err
		}
		res.Added = append(res.Added, cur)
		return nil
	}
	if list == "" {
		switch {
		case c.IsCA || c.IsSelfSigned():
			list = ListIntermediate
		default:
			list = ListOther
		}
	}
	e := &Entry{ID: id, List: list, Cert: c, Added: s.now(), Source: filepath.Base(source)}
	if err := s.writeEntry(e); err != nil {
		return err
	}
	res.Added = append(res.Added, e)
	if e.UntrustedRoot() {
		res.UntrustedRoots = append(res.UntrustedRoots, e)
	}
	return nil
}

// Trust adds CA certificates from a file as trusted: a self-signed one to the
// trusted roots, others to the intermediate CAs. An end-entity certificate
// that is not self-signed is refused; it can never anchor a chain.
func (s *Store) Trust(name string, data []byte) (*ImportResult, error) {
	sniffed, err := format.Sniff(data)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if sniffed.Kind != format.KindCertificates {
		return nil, &FileError{File: name, Err: errWith(ErrNotCA, nil, nil)}
	}
	certs, err := parseAll(sniffed.Certificates)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	for _, c := range certs {
		if !c.IsSelfSigned() && !c.IsCA {
			return nil, &FileError{File: name, Err: errWith(ErrNotCA,
				map[string]any{"Subject": c.Subject.CommonName()}, nil)}
		}
	}
	res := &ImportResult{File: name}
	err = s.write(func() error {
		for _, c := range certs {
			list := ListIntermediate
			if c.IsSelfSigned() {
				list = ListRoot
			}
			if err := s.placeCert(res, c, list, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return res, nil
}

// TrustFile is Trust on a file, with the same checks as ImportFile.
func (s *Store) TrustFile(path string) (*ImportResult, error) {
	data, err := readLimited(path, func(_ *os.File, size int64) error {
		return tooLarge(size, MaxCertificateFileSize)
	}, MaxCertificateFileSize)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	res, err := s.Trust(path, data)
	if res != nil {
		res.File = path
	}
	return res, err
}

// importPKCS12 opens a .p12/.pfx, seals its key and stores its certificates.
// The empty password is tried first without asking, since many containers
// have none; only then is the person asked.
func (s *Store) importPKCS12(name string, pfx []byte, opts ImportOptions) (*ImportResult, error) {
	fail := func(err error) (*ImportResult, error) { return nil, &FileError{File: name, Err: err} }
	password := ""
	key, certs, err := decodePKCS12(pfx, password)
	if errors.Is(err, ErrWrongPassword) {
		if opts.Password == nil {
			return fail(errWith(ErrPasswordRequired, nil, nil))
		}
		password, err = opts.Password(PasswordRequest{Purpose: PurposeOpenFile, File: filepath.Base(name)})
		if err != nil {
			return fail(err)
		}
		key, certs, err = decodePKCS12(pfx, password)
	}
	if err != nil {
		return fail(err)
	}
	leaf, rest, err := matchLeaf(key, certs)
	if err != nil {
		return fail(err)
	}
	pkcs8, err := marshalPrivateKey(key)
	if err != nil {
		return fail(errWith(ErrPKCS12Algorithm, map[string]any{"Detail": err.Error()}, err))
	}
	defer clear(pkcs8)

	id := leaf.Thumbprint()
	subject := leaf.Subject.CommonName()

	// A container needs a password. Without one in the file, make a random
	// one and keep it in the keyring; if no keyring answers, ask for one.
	generated := password == ""
	containerPassword := password
	if generated {
		if containerPassword, err = randomPassword(); err != nil {
			return fail(err)
		}
	}
	res, err := s.storeContainer(name, leaf, rest, pkcs8, containerPassword, generated)
	if errors.Is(err, errKeyringRefused) {
		if opts.Password == nil {
			return fail(errWith(ErrNoPassword, nil, err))
		}
		containerPassword, err = opts.Password(PasswordRequest{Purpose: PurposeNewContainer, ID: id, Subject: subject})
		if err != nil {
			return fail(err)
		}
		if containerPassword == "" {
			return fail(errWith(ErrNoPassword, nil, nil))
		}
		generated = false
		res, err = s.storeContainer(name, leaf, rest, pkcs8, containerPassword, false)
	}
	if err != nil {
		return fail(err)
	}
	if opts.Remember && !generated && len(res.Added) > 0 && res.Added[0].ID == id {
		if err := s.keyring.Set(KeyringService, id, containerPassword); err != nil {
			res.Warnings = append(res.Warnings, err)
		}
	}
	return res, nil
}

// errKeyringRefused: a generated container password could not be kept.
var errKeyringRefused = errors.New("the keyring refused the generated container password")

// storeContainer writes the sealed key and the personal entry, then the other
// certificates of the PFX. A certificate that already has a container keeps
// it: its password may differ from this file's, and replacing it (or its
// remembered password) could lock the person out. With keepInKeyring, the
// password is put in the keyring only once it is certain the container will
// be written, so an existing container's remembered password is never replaced.
func (s *Store) storeContainer(name string, leaf *cert.Certificate, rest []*cert.Certificate, pkcs8 []byte, password string, keepInKeyring bool) (*ImportResult, error) {
	id := leaf.Thumbprint()
	var sealed []byte
	if cur, err := s.readEntry(id); err != nil || !cur.HasKey {
		// Argon2id takes a moment: do it before taking the lock.
		if sealed, err = sealKey(id, pkcs8, password, s.kdfCost); err != nil {
			return nil, err
		}
	}
	res := &ImportResult{File: name}
	err := s.write(func() error {
		cur, err := s.readEntry(id)
		if err == nil && cur.HasKey {
			res.Existing = append(res.Existing, cur)
		} else {
			if sealed == nil {
				// Deleted since we looked; seal now after all.
				if sealed, err = sealKey(id, pkcs8, password, s.kdfCost); err != nil {
					return err
				}
			}
			if keepInKeyring {
				if kerr := s.keyring.Set(KeyringService, id, password); kerr != nil {
					return fmt.Errorf("%w: %w", errKeyringRefused, kerr)
				}
			}
			// Key first, entry second: a personal entry never exists
			// without its container.
			if err := atomicfile.Write(s.keyPath(id), sealed, 0o600); err != nil {
				return err
			}
			e := &Entry{ID: id, List: ListPersonal, Cert: leaf, HasKey: true, Added: s.now(), Source: filepath.Base(name)}
			if cur != nil {
				e.Added = cur.Added
			}
			if err := s.writeEntry(e); err != nil {
				return err
			}
			res.Added = append(res.Added, e)
		}
		for _, c := range rest {
			if err := s.placeCert(res, c, "", name); err != nil {
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

// decodePKCS12 opens a PFX: GOST containers (TC26) with certstore/pfx, others
// (RSA/ECDSA) with go-pkcs12. Either way a wrong password is told apart from
// a damaged file.
func decodePKCS12(data []byte, password string) (crypto.PrivateKey, []*cert.Certificate, error) {
	if pfx.IsGOST(data) {
		return decodeGOSTPKCS12(data, password)
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		var ni pkcs12.NotImplementedError
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			// Without a MAC, a wrong password shows as bad padding.
			return nil, nil, errWith(ErrWrongPassword, nil, nil)
		case errors.As(err, &ni):
			detail := string(ni)
			if strings.Contains(detail, "1.2.643.") {
				detail = "GOST"
			}
			return nil, nil, errWith(ErrPKCS12Algorithm, map[string]any{"Detail": detail}, err)
		case strings.Contains(err.Error(), "private key missing"):
			return nil, nil, errWith(ErrNoKey, nil, err)
		default:
			return nil, nil, errWith(ErrPKCS12Corrupt, map[string]any{"Detail": err.Error()}, err)
		}
	}
	all := append([]*x509.Certificate{leaf}, cas...)
	certs := make([]*cert.Certificate, 0, len(all))
	for _, xc := range all {
		c, err := cert.Parse(xc.Raw)
		if err != nil {
			return nil, nil, err
		}
		certs = append(certs, c)
	}
	return key, certs, nil
}

// decodeGOSTPKCS12 opens a TC26 GOST PFX.
func decodeGOSTPKCS12(data []byte, password string) (crypto.PrivateKey, []*cert.Certificate, error) {
	contents, err := pfx.Decode(data, password)
	switch {
	case errors.Is(err, pfx.ErrWrongPassword):
		return nil, nil, errWith(ErrWrongPassword, nil, nil)
	case errors.Is(err, pfx.ErrUnsupported):
		return nil, nil, errWith(ErrPKCS12Algorithm, map[string]any{"Detail": err.Error()}, err)
	case err != nil:
		return nil, nil, errWith(ErrPKCS12Corrupt, map[string]any{"Detail": err.Error()}, err)
	case len(contents.Keys) == 0:
		return nil, nil, errWith(ErrNoKey, nil, nil)
	}
	certs, err := parseAll(contents.Certificates)
	if err != nil {
		return nil, nil, err
	}
	if alg, ok := pkcs8Algorithm(contents.Keys[0]); ok && alg.Equal(gost3410.OIDPublicKey2001) {
		return legacyKey{pkcs8: contents.Keys[0]}, certs, nil
	}
	key, err := parsePrivateKey(contents.Keys[0])
	if err != nil {
		return nil, nil, errWith(ErrPKCS12Algorithm, map[string]any{"Detail": err.Error()}, err)
	}
	return key, certs, nil
}

// legacyKey is a GOST R 34.10-2001 private key. It is kept in its container
// (and can be exported again) but never used to sign: 2001 signatures have
// not been allowed since 2019, and Podpis only verifies them.
type legacyKey struct{ pkcs8 []byte }

// pkcs8Algorithm reads the key algorithm of a PKCS#8 PrivateKeyInfo.
func pkcs8Algorithm(der []byte) (asn1.ObjectIdentifier, bool) {
	s := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	ok := s.ReadASN1(&info, cbasn1.SEQUENCE) && info.ReadASN1Integer(&version) &&
		info.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(&oid)
	return oid, ok
}

// matchLeaf finds the certificate whose public key is the private key's: the
// order of bags in a PFX is not fixed.
func matchLeaf(key crypto.PrivateKey, certs []*cert.Certificate) (*cert.Certificate, []*cert.Certificate, error) {
	if _, ok := key.(legacyKey); ok {
		// No arithmetic for 2001 keys here: the leaf is the one end-entity
		// certificate with a 2001 key.
		var leaf *cert.Certificate
		var rest []*cert.Certificate
		for _, c := range certs {
			if leaf == nil && !c.IsCA && c.PublicKeyAlgorithm.Equal(gost3410.OIDPublicKey2001) {
				leaf = c
			} else {
				rest = append(rest, c)
			}
		}
		if leaf == nil {
			return nil, nil, errWith(ErrKeyMismatch, nil, nil)
		}
		return leaf, rest, nil
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, errWith(ErrPKCS12Algorithm, map[string]any{"Detail": fmt.Sprintf("%T", key)}, nil)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := signer.Public().(equaler)
	if !ok {
		return nil, nil, errWith(ErrPKCS12Algorithm, map[string]any{"Detail": fmt.Sprintf("%T", key)}, nil)
	}
	for i, c := range certs {
		certPub, err := publicKey(c)
		if err != nil {
			continue
		}
		if pub.Equal(certPub) {
			rest := append(append([]*cert.Certificate{}, certs[:i]...), certs[i+1:]...)
			return c, rest, nil
		}
	}
	return nil, nil, errWith(ErrKeyMismatch, nil, nil)
}

func randomPassword() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
