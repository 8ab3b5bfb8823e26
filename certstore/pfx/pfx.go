// Package pfx reads and writes PKCS#12 (.pfx) files protected with GOST
// algorithms as TC26 specifies them (R 50.1.112-2016, RFC 9337) and as
// OpenSSL's gost engine writes them:
//
//   - PBES2 (RFC 8018) with PBKDF2 whose PRF is HMAC-Streebog-512
//     (id-tc26-hmac-gost-3411-12-512, 1.2.643.7.1.1.4.2) and GOST 28147-89 in
//     CFB mode with CryptoPro key meshing (id-Gost28147-89, 1.2.643.2.2.21,
//     parameters SEQUENCE { iv OCTET STRING (8), encryptionParamSet OID }), or
//     Kuznyechik CTR-ACPKM (1.2.643.7.1.1.5.2.1, parameters SEQUENCE { ukm
//     OCTET STRING }, the first 8 bytes of ukm being the CTR IV);
//     OpenSSL's gost engine also writes magma-ctr-acpkm (1.2.643.7.1.1.5.1.1,
//     same parameters, 4-byte IV), and for both CTR-ACPKM ciphers a PBKDF2
//     PRF of HMAC-SHA-256, which is accepted too. The engine cannot write
//     the -omac variants (1.2.643.7.1.1.5.x.2), so they are not implemented
//     (ErrUnsupported): there is nothing to test them against;
//   - the PFX MAC with HMAC-Streebog-512, -256 or HMAC-GOST R 34.11-94
//     (CryptoPro parameters) keyed as TC26 and OpenSSL do: the last 32 bytes
//     of a 96-byte PBKDF2 output whose PRF is HMAC with the MAC digest, over
//     the password bytes, the MAC salt and the MAC iteration count (OpenSSL
//     crypto/pkcs12/p12_mutl.c, pkcs12_gen_gost_mac_key, TK26_MAC_KEY_LEN =
//     32); the MAC is then HMAC with the MAC digest under that 32-byte key
//     over the authSafe content octets.
//
// Passwords are the UTF-8 bytes (the TC26 rule, also what OpenSSL feeds to
// PBKDF2); when the MAC fails with them, the BMPString form of RFC 7292
// appendix B.1 (UTF-16BE with a two-byte zero terminator) is tried, because
// some tools write that.
package pfx

import (
	"bytes"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/pbkdf2"
)

// Contents is what a PFX holds: private keys as PKCS#8 DER (decrypted),
// certificates as DER, in file order.
type Contents struct {
	Keys         [][]byte
	Certificates [][]byte
}

// Object identifiers used in PFX files (RFC 7292, RFC 8018, RFC 9337).
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidSafeContentsBag    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	oidX509Certificate    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidLocalKeyID         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidPBES2              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA512     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidHMACStreebog256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}
	oidStreebog256        = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512        = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	oidGostR3411_94       = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 9}
	oidGost28147          = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}
	oidKuznyechikCTRACPKM = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 1}
	oidMagmaCTRACPKM      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 1}
	// oidCryptoProPFX is CryptoPro CSP's own PFX key encryption scheme; not
	// implemented here, reported as unsupported by name.
	oidCryptoProPFX = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 80}
)

// tc26MACKeyLen is the HMAC key length of the TC26 PFX MAC; the key is the
// tail of a 96-byte PBKDF2 output (OpenSSL: TK26_MAC_KEY_LEN, out[96]).
const (
	tc26MACKeyLen   = 32
	tc26MACKDFBytes = 96
)

// maxIterations bounds PBKDF2 work so a hostile file cannot stall the
// caller for minutes; real files use 2000 (CryptoPro) .. a few 100000.
const maxIterations = 1 << 21

// maxNesting bounds safeContentsBag recursion.
const maxNesting = 4

// pfxFile is the parsed outer structure, before anything is decrypted.
type pfxFile struct {
	authSafe []byte // the MAC'd bytes: contents of the authSafe data OCTET STRING
	safes    []safe
	mac      *macData
}

type macData struct {
	digest     asn1.ObjectIdentifier
	value      []byte
	salt       []byte
	iterations int
}

// safe is one ContentInfo of the AuthenticatedSafe.
type safe struct {
	encrypted bool
	data      []byte // SafeContents DER (plain) or ciphertext (encrypted)
	alg       algorithmIdentifier
	// unsupported is set for a ContentInfo type we cannot open; reported
	// only after the MAC check.
	unsupported error
}

type algorithmIdentifier struct {
	oid    asn1.ObjectIdentifier
	params []byte // full DER of the parameters element, nil when absent
}

// Decode opens a PFX whose encryption or MAC uses GOST algorithms (TC26,
// R 50.1.112-2016 / RFC 9337). The password is tried as UTF-8 (the TC26
// rule) and, when that fails the MAC, as BMPString (what some tools write).
//
// The MAC is checked first, before anything is decrypted; when it fails under
// both encodings the error is ErrWrongPassword. A bit flipped inside the MAC'd
// content, the MAC value, salt or iteration count is therefore reported as
// ErrWrongPassword too: the MAC cannot tell the two apart. Structure errors
// found before the MAC check (outer PFX, AuthenticatedSafe, ContentInfos) and
// after it (decrypted bags) are ErrCorrupt.
//
// A PFX without MacData is decrypted with the UTF-8 password, then the BMP
// one. Because the GOST ciphers are stream modes without padding, a wrong
// password shows only as decrypted bytes that are not DER. The rule: if
// every encrypted item fails to decrypt into the expected structure, the
// password is wrong (ErrWrongPassword) — a wrong key garbles everything; if
// only some fail, the file is damaged (ErrCorrupt).
func Decode(pfx []byte, password string) (*Contents, error) {
	return decode(pfx, password, maxIterations)
}

func decode(der []byte, password string, iterLimit int) (*Contents, error) {
	f, err := parsePFX(der)
	if err != nil {
		return nil, err
	}
	encodings := [][]byte{[]byte(password), bmpPassword(password)}
	if f.mac != nil {
		pw, err := f.verifyMAC(encodings, iterLimit)
		if err != nil {
			return nil, err
		}
		c, _, err := f.open(pw, iterLimit)
		if err == nil || errors.Is(err, ErrUnsupported) {
			return c, err
		}
		// A tool that keys the MAC with one encoding may still feed PBKDF2
		// the other (OpenSSL does exactly that for non-GOST files: BMP for
		// the MAC, UTF-8 for PBES2). Try it before calling the file damaged.
		for _, other := range encodings {
			if !bytes.Equal(other, pw) {
				if c2, _, err2 := f.open(other, iterLimit); err2 == nil {
					return c2, nil
				}
			}
		}
		return nil, err
	}
	// MAC-less: see the rule in Decode's documentation.
	var firstErr error
	allFailed := true
	for _, pw := range encodings {
		c, st, err := f.open(pw, iterLimit)
		if err == nil {
			return c, nil
		}
		if errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		if firstErr == nil {
			firstErr = err
		}
		if st.encrypted == 0 || st.failed < st.encrypted {
			allFailed = false
		}
	}
	if allFailed {
		return nil, ErrWrongPassword
	}
	return nil, firstErr
}

// IsGOST reports whether a PFX uses GOST algorithms (MAC digest or any PBES2
// cipher/PRF) — a cheap structural check without a password.
func IsGOST(der []byte) bool {
	f, err := parsePFX(der)
	if err != nil {
		return false
	}
	if f.mac != nil && isGOSTOID(f.mac.digest) {
		return true
	}
	for _, s := range f.safes {
		if s.unsupported != nil {
			continue
		}
		if s.encrypted {
			if algIsGOST(s.alg) {
				return true
			}
			continue
		}
		// Plain SafeContents may hold shrouded key bags whose algorithm is
		// visible without a password.
		found := false
		_ = walkBags(s.data, 0, func(bagID asn1.ObjectIdentifier, value cryptobyte.String) error {
			if !bagID.Equal(oidShroudedKeyBag) {
				return nil
			}
			var epki cryptobyte.String
			if !value.ReadASN1(&epki, cbasn1.SEQUENCE) {
				return nil
			}
			if alg, err := readAlgorithm(&epki, "shroudedKeyBag"); err == nil && algIsGOST(alg) {
				found = true
			}
			return nil
		})
		if found {
			return true
		}
	}
	return false
}

func isGOSTOID(oid asn1.ObjectIdentifier) bool {
	return len(oid) >= 3 && oid[0] == 1 && oid[1] == 2 && oid[2] == 643
}

// algIsGOST looks inside PBES2 parameters for a GOST PRF or cipher.
func algIsGOST(alg algorithmIdentifier) bool {
	if isGOSTOID(alg.oid) {
		return true
	}
	if !alg.oid.Equal(oidPBES2) {
		return false
	}
	p, err := parsePBES2(alg.params)
	if err != nil {
		return false
	}
	return isGOSTOID(p.prf) || isGOSTOID(p.cipher.oid)
}

// bmpPassword is RFC 7292 appendix B.1: UTF-16BE with a zero terminator.
func bmpPassword(password string) []byte {
	u := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = append(out, byte(c>>8), byte(c))
	}
	return append(out, 0, 0)
}

// verifyMAC returns the password encoding under which the MAC verifies.
func (f *pfxFile) verifyMAC(encodings [][]byte, iterLimit int) ([]byte, error) {
	m := f.mac
	newHash, ok := digestByOID(m.digest)
	if !ok {
		return nil, &UnsupportedError{What: "MAC digest", OID: m.digest.String()}
	}
	if m.iterations > iterLimit {
		return nil, &UnsupportedError{What: fmt.Sprintf("MAC iteration count %d (limit %d) with digest", m.iterations, iterLimit), OID: m.digest.String()}
	}
	if len(m.value) != newHash().Size() {
		return nil, corruptf("PFX.macData.mac.digest", "%d bytes, want %d", len(m.value), newHash().Size())
	}
	for _, pw := range encodings {
		key := tc26MACKey(newHash, pw, m.salt, m.iterations)
		mac := hmac.New(newHash, key)
		mac.Write(f.authSafe)
		if subtle.ConstantTimeCompare(mac.Sum(nil), m.value) == 1 {
			return pw, nil
		}
	}
	return nil, ErrWrongPassword
}

func tc26MACKey(newHash hashFunc, password, salt []byte, iterations int) []byte {
	out := pbkdf2.Key(password, salt, iterations, tc26MACKDFBytes, newHash)
	return out[tc26MACKDFBytes-tc26MACKeyLen:]
}

// openStats counts encrypted items and how many failed to decrypt into DER.
type openStats struct{ encrypted, failed int }

// open decrypts and collects every bag.
func (f *pfxFile) open(password []byte, iterLimit int) (*Contents, openStats, error) {
	var st openStats
	c := &Contents{}
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for i, s := range f.safes {
		if s.unsupported != nil {
			return nil, st, s.unsupported
		}
		contents := s.data
		if s.encrypted {
			st.encrypted++
			plain, err := decryptPBES2(s.alg, s.data, password, iterLimit)
			if err != nil {
				if errors.Is(err, ErrUnsupported) {
					return nil, st, err
				}
				st.failed++
				fail(err)
				continue
			}
			if !isDERSequence(plain) {
				st.failed++
				fail(corruptf("AuthenticatedSafe.encryptedData", "item %d does not decrypt into SafeContents", i))
				continue
			}
			contents = plain
		}
		err := walkBags(contents, 0, func(bagID asn1.ObjectIdentifier, value cryptobyte.String) error {
			switch {
			case bagID.Equal(oidKeyBag):
				var k cryptobyte.String
				if !value.ReadASN1Element(&k, cbasn1.SEQUENCE) || !value.Empty() {
					return corrupt("keyBag.PrivateKeyInfo")
				}
				c.Keys = append(c.Keys, bytes.Clone(k))
			case bagID.Equal(oidShroudedKeyBag):
				st.encrypted++
				var epki cryptobyte.String
				if !value.ReadASN1(&epki, cbasn1.SEQUENCE) || !value.Empty() {
					return corrupt("pkcs8ShroudedKeyBag.EncryptedPrivateKeyInfo")
				}
				alg, err := readAlgorithm(&epki, "pkcs8ShroudedKeyBag.encryptionAlgorithm")
				if err != nil {
					return err
				}
				var ct cryptobyte.String
				if !epki.ReadASN1(&ct, cbasn1.OCTET_STRING) || !epki.Empty() {
					return corrupt("pkcs8ShroudedKeyBag.encryptedData")
				}
				plain, err := decryptPBES2(alg, ct, password, iterLimit)
				if err != nil {
					if !errors.Is(err, ErrUnsupported) {
						st.failed++
					}
					return err
				}
				if !isDERSequence(plain) {
					st.failed++
					return corruptf("pkcs8ShroudedKeyBag.encryptedData", "does not decrypt into a PrivateKeyInfo")
				}
				c.Keys = append(c.Keys, plain)
			case bagID.Equal(oidCertBag):
				var cb, certValue cryptobyte.String
				var oid asn1.ObjectIdentifier
				if !value.ReadASN1(&cb, cbasn1.SEQUENCE) || !cb.ReadASN1ObjectIdentifier(&oid) {
					return corrupt("certBag.certId")
				}
				if !oid.Equal(oidX509Certificate) {
					return nil // SDSI certificates etc.: not ours to use
				}
				var explicit cryptobyte.String
				if !cb.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
					!explicit.ReadASN1(&certValue, cbasn1.OCTET_STRING) || !explicit.Empty() || !cb.Empty() {
					return corrupt("certBag.certValue")
				}
				if !isDERSequence(certValue) {
					return corruptf("certBag.certValue", "not a DER certificate")
				}
				c.Certificates = append(c.Certificates, bytes.Clone(certValue))
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrUnsupported) {
				return nil, st, err
			}
			fail(err)
		}
	}
	if firstErr != nil {
		return nil, st, firstErr
	}
	return c, st, nil
}

// isDERSequence reports whether b is exactly one SEQUENCE element.
func isDERSequence(b []byte) bool {
	s := cryptobyte.String(b)
	var seq cryptobyte.String
	return s.ReadASN1Element(&seq, cbasn1.SEQUENCE) && s.Empty()
}

// walkBags calls fn for each SafeBag of a SafeContents, descending into
// safeContentsBags.
func walkBags(safeContents []byte, depth int, fn func(bagID asn1.ObjectIdentifier, value cryptobyte.String) error) error {
	if depth > maxNesting {
		return corruptf("SafeContents", "nested deeper than %d", maxNesting)
	}
	in := cryptobyte.String(safeContents)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return corrupt("SafeContents")
	}
	for !seq.Empty() {
		var bag, value cryptobyte.String
		var bagID asn1.ObjectIdentifier
		if !seq.ReadASN1(&bag, cbasn1.SEQUENCE) {
			return corrupt("SafeBag")
		}
		if !bag.ReadASN1ObjectIdentifier(&bagID) {
			return corrupt("SafeBag.bagId")
		}
		if !bag.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return corrupt("SafeBag.bagValue")
		}
		if !bag.SkipOptionalASN1(cbasn1.SET) || !bag.Empty() {
			return corrupt("SafeBag.bagAttributes")
		}
		if bagID.Equal(oidSafeContentsBag) {
			if err := walkBags(value, depth+1, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(bagID, value); err != nil {
			return err
		}
	}
	return nil
}

// readAlgorithm reads an AlgorithmIdentifier.
func readAlgorithm(s *cryptobyte.String, field string) (algorithmIdentifier, error) {
	var a algorithmIdentifier
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return a, corrupt(field)
	}
	if !seq.ReadASN1ObjectIdentifier(&a.oid) {
		return a, corrupt(field + ".algorithm")
	}
	if !seq.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return a, corrupt(field + ".parameters")
		}
		a.params = p
	}
	return a, nil
}

// parsePFX parses everything that is not encrypted: PFX, MacData,
// AuthenticatedSafe and its ContentInfos.
func parsePFX(der []byte) (*pfxFile, error) {
	in := cryptobyte.String(der)
	var pfx cryptobyte.String
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) {
		return nil, corrupt("PFX")
	}
	if !in.Empty() {
		return nil, corruptf("PFX", "trailing data after the PFX")
	}
	var version int
	if !pfx.ReadASN1Integer(&version) {
		return nil, corrupt("PFX.version")
	}
	if version != 3 {
		return nil, corruptf("PFX.version", "version %d, want 3", version)
	}
	var ci cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !pfx.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, corrupt("PFX.authSafe")
	}
	if !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, corrupt("PFX.authSafe.contentType")
	}
	if !oid.Equal(oidData) {
		// Public-key integrity mode (signedData) is not used by GOST tools.
		return nil, &UnsupportedError{What: "authSafe content type", OID: oid.String()}
	}
	var explicit, authSafe cryptobyte.String
	if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, corrupt("PFX.authSafe.content")
	}
	if !explicit.ReadASN1(&authSafe, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return nil, corrupt("PFX.authSafe.content")
	}
	f := &pfxFile{authSafe: authSafe}
	if !pfx.Empty() {
		m, err := parseMacData(&pfx)
		if err != nil {
			return nil, err
		}
		f.mac = m
	}
	if !pfx.Empty() {
		return nil, corruptf("PFX", "unexpected fields after macData")
	}
	safes, err := parseAuthenticatedSafe(authSafe)
	if err != nil {
		return nil, err
	}
	f.safes = safes
	return f, nil
}

func parseMacData(s *cryptobyte.String) (*macData, error) {
	var md, digestInfo cryptobyte.String
	if !s.ReadASN1(&md, cbasn1.SEQUENCE) {
		return nil, corrupt("PFX.macData")
	}
	if !md.ReadASN1(&digestInfo, cbasn1.SEQUENCE) {
		return nil, corrupt("PFX.macData.mac")
	}
	alg, err := readAlgorithm(&digestInfo, "PFX.macData.mac.digestAlgorithm")
	if err != nil {
		return nil, err
	}
	// The digest's parameters are outside the MAC: accept only absent or
	// NULL so that no byte of the file goes unchecked.
	if alg.params != nil && !bytes.Equal(alg.params, []byte{0x05, 0x00}) {
		return nil, corruptf("PFX.macData.mac.digestAlgorithm.parameters", "not NULL")
	}
	m := &macData{digest: alg.oid, iterations: 1}
	var value, salt cryptobyte.String
	if !digestInfo.ReadASN1(&value, cbasn1.OCTET_STRING) || !digestInfo.Empty() {
		return nil, corrupt("PFX.macData.mac.digest")
	}
	if !md.ReadASN1(&salt, cbasn1.OCTET_STRING) {
		return nil, corrupt("PFX.macData.macSalt")
	}
	m.value, m.salt = value, salt
	if md.PeekASN1Tag(cbasn1.INTEGER) {
		if !md.ReadASN1Integer(&m.iterations) || m.iterations < 1 {
			return nil, corrupt("PFX.macData.iterations")
		}
	}
	if !md.Empty() {
		return nil, corruptf("PFX.macData", "unexpected fields")
	}
	return m, nil
}

func parseAuthenticatedSafe(authSafe []byte) ([]safe, error) {
	in := cryptobyte.String(authSafe)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, corrupt("AuthenticatedSafe")
	}
	var safes []safe
	for !seq.Empty() {
		var ci, explicit cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return nil, corrupt("AuthenticatedSafe.ContentInfo")
		}
		if !ci.ReadASN1ObjectIdentifier(&oid) {
			return nil, corrupt("AuthenticatedSafe.ContentInfo.contentType")
		}
		if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
			return nil, corrupt("AuthenticatedSafe.ContentInfo.content")
		}
		switch {
		case oid.Equal(oidData):
			var data cryptobyte.String
			if !explicit.ReadASN1(&data, cbasn1.OCTET_STRING) || !explicit.Empty() {
				return nil, corrupt("AuthenticatedSafe.data")
			}
			safes = append(safes, safe{data: data})
		case oid.Equal(oidEncryptedData):
			s, err := parseEncryptedData(explicit)
			if err != nil {
				return nil, err
			}
			safes = append(safes, s)
		default:
			// envelopedData (public-key privacy mode) is not used by GOST
			// tools. The error waits until the MAC has been checked: an
			// unknown type in a file whose MAC fails is damage, not a
			// feature we lack.
			safes = append(safes, safe{unsupported: &UnsupportedError{What: "AuthenticatedSafe content type", OID: oid.String()}})
		}
	}
	return safes, nil
}

func parseEncryptedData(explicit cryptobyte.String) (safe, error) {
	var ed, eci cryptobyte.String
	var version int
	var ctype asn1.ObjectIdentifier
	if !explicit.ReadASN1(&ed, cbasn1.SEQUENCE) || !explicit.Empty() {
		return safe{}, corrupt("EncryptedData")
	}
	if !ed.ReadASN1Integer(&version) {
		return safe{}, corrupt("EncryptedData.version")
	}
	if !ed.ReadASN1(&eci, cbasn1.SEQUENCE) {
		return safe{}, corrupt("EncryptedData.encryptedContentInfo")
	}
	// unprotectedAttrs [1] may follow; it carries nothing we use.
	if !ed.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) || !ed.Empty() {
		return safe{}, corrupt("EncryptedData.unprotectedAttrs")
	}
	if !eci.ReadASN1ObjectIdentifier(&ctype) {
		return safe{}, corrupt("EncryptedData.encryptedContentInfo.contentType")
	}
	alg, err := readAlgorithm(&eci, "EncryptedData.encryptedContentInfo.contentEncryptionAlgorithm")
	if err != nil {
		return safe{}, err
	}
	var ct cryptobyte.String
	if !eci.ReadASN1(&ct, cbasn1.Tag(0).ContextSpecific()) || !eci.Empty() {
		return safe{}, corrupt("EncryptedData.encryptedContentInfo.encryptedContent")
	}
	return safe{encrypted: true, data: ct, alg: alg}, nil
}
