package pfx

import (
	"crypto/cipher"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/pbkdf2"

	"github.com/podpis/podpis/internal/gost/gost341194"
	"github.com/podpis/podpis/internal/gost/gost3413"
	"github.com/podpis/podpis/internal/gost/kuznyechik"
	"github.com/podpis/podpis/internal/gost/magma"
	"github.com/podpis/podpis/internal/gost/streebog"
)

type hashFunc = func() hash.Hash

// digestByOID maps a MAC digest OID to its hash. GOST R 34.11-94 (what
// `-macalg md_gost94` writes) uses the CryptoPro hash parameter set, the one
// OpenSSL's md_gost94 has.
func digestByOID(oid asn1.ObjectIdentifier) (hashFunc, bool) {
	switch {
	case oid.Equal(oidGostR3411_94):
		return gost341194.NewCryptoPro, true
	case oid.Equal(oidStreebog512):
		return streebog.New512, true
	case oid.Equal(oidStreebog256):
		return streebog.New256, true
	}
	return nil, false
}

// prfByOID maps a PBKDF2 PRF OID (RFC 8018 appendix B.1, RFC 9337) to its hash.
func prfByOID(oid asn1.ObjectIdentifier) (hashFunc, bool) {
	switch {
	case oid.Equal(oidHMACStreebog512):
		return streebog.New512, true
	case oid.Equal(oidHMACStreebog256):
		return streebog.New256, true
	case oid.Equal(oidHMACWithSHA256):
		// OpenSSL's gost engine writes this PRF with -keypbe kuznyechik-ctr-acpkm.
		return sha256.New, true
	case oid.Equal(oidHMACWithSHA512):
		return sha512.New, true
	case oid.Equal(oidHMACWithSHA1):
		return sha1.New, true
	}
	return nil, false
}

// gostKeyLen is the key length of every GOST cipher here (256 bits).
const gostKeyLen = 32

// CTR-ACPKM section sizes OpenSSL's gost engine uses for the PBES2 ciphers
// kuznyechik-ctr-acpkm and magma-ctr-acpkm; established against the engine
// by TestLongContent (content longer than several sections).
const (
	kuznyechikACPKMSection = 4096
	magmaACPKMSection      = 1024
)

type pbes2Params struct {
	salt       []byte
	iterations int
	keyLength  int // 0 when absent
	prf        asn1.ObjectIdentifier
	cipher     algorithmIdentifier
}

// parsePBES2 parses PBES2-params (RFC 8018 appendix A.4) with PBKDF2.
func parsePBES2(params []byte) (*pbes2Params, error) {
	in := cryptobyte.String(params)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, corrupt("PBES2-params")
	}
	kdf, err := readAlgorithm(&seq, "PBES2-params.keyDerivationFunc")
	if err != nil {
		return nil, err
	}
	enc, err := readAlgorithm(&seq, "PBES2-params.encryptionScheme")
	if err != nil {
		return nil, err
	}
	if !seq.Empty() {
		return nil, corruptf("PBES2-params", "unexpected fields")
	}
	if !kdf.oid.Equal(oidPBKDF2) {
		return nil, &UnsupportedError{What: "PBES2 key derivation function", OID: kdf.oid.String()}
	}
	p := &pbes2Params{cipher: enc, prf: oidHMACWithSHA1}
	kp := cryptobyte.String(kdf.params)
	var pb, salt cryptobyte.String
	if !kp.ReadASN1(&pb, cbasn1.SEQUENCE) || !kp.Empty() {
		return nil, corrupt("PBKDF2-params")
	}
	if !pb.ReadASN1(&salt, cbasn1.OCTET_STRING) {
		// The otherSource CHOICE alternative is reserved by RFC 8018.
		return nil, corrupt("PBKDF2-params.salt")
	}
	p.salt = salt
	if !pb.ReadASN1Integer(&p.iterations) || p.iterations < 1 {
		return nil, corrupt("PBKDF2-params.iterationCount")
	}
	if pb.PeekASN1Tag(cbasn1.INTEGER) {
		if !pb.ReadASN1Integer(&p.keyLength) || p.keyLength < 1 {
			return nil, corrupt("PBKDF2-params.keyLength")
		}
	}
	if !pb.Empty() {
		prf, err := readAlgorithm(&pb, "PBKDF2-params.prf")
		if err != nil {
			return nil, err
		}
		p.prf = prf.oid
	}
	if !pb.Empty() {
		return nil, corruptf("PBKDF2-params", "unexpected fields")
	}
	return p, nil
}

// decryptPBES2 decrypts ciphertext encrypted under alg with the password.
func decryptPBES2(alg algorithmIdentifier, ciphertext, password []byte, iterLimit int) ([]byte, error) {
	if alg.oid.Equal(oidCryptoProPFX) {
		return nil, &UnsupportedError{What: "CryptoPro CSP PFX key encryption", OID: alg.oid.String()}
	}
	if !alg.oid.Equal(oidPBES2) {
		return nil, &UnsupportedError{What: "encryption algorithm", OID: alg.oid.String()}
	}
	p, err := parsePBES2(alg.params)
	if err != nil {
		return nil, err
	}
	prf, ok := prfByOID(p.prf)
	if !ok {
		return nil, &UnsupportedError{What: "PBKDF2 PRF", OID: p.prf.String()}
	}
	if p.iterations > iterLimit {
		return nil, &UnsupportedError{What: fmt.Sprintf("PBKDF2 iteration count %d (limit %d) with PRF", p.iterations, iterLimit), OID: p.prf.String()}
	}
	if p.keyLength != 0 && p.keyLength != gostKeyLen {
		return nil, corruptf("PBKDF2-params.keyLength", "%d, want %d", p.keyLength, gostKeyLen)
	}
	stream, err := cipherStream(p.cipher, func() []byte {
		return pbkdf2.Key(password, p.salt, p.iterations, gostKeyLen, prf)
	})
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(ciphertext))
	stream.XORKeyStream(out, ciphertext)
	return out, nil
}

// cipherStream parses the encryption scheme and returns its decrypting
// stream. deriveKey is called only once the scheme is known, so an
// unsupported cipher costs no PBKDF2 work.
func cipherStream(enc algorithmIdentifier, deriveKey func() []byte) (cipher.Stream, error) {
	switch {
	case enc.oid.Equal(oidGost28147):
		// Gost28147-89-Parameters ::= SEQUENCE { iv OCTET STRING (SIZE (8)),
		// encryptionParamSet OBJECT IDENTIFIER } (RFC 4357 section 10.3).
		in := cryptobyte.String(enc.params)
		var seq, iv cryptobyte.String
		var set asn1.ObjectIdentifier
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
			return nil, corrupt("Gost28147-89-Parameters")
		}
		if !seq.ReadASN1(&iv, cbasn1.OCTET_STRING) || len(iv) != magma.BlockSize {
			return nil, corrupt("Gost28147-89-Parameters.iv")
		}
		if !seq.ReadASN1ObjectIdentifier(&set) || !seq.Empty() {
			return nil, corrupt("Gost28147-89-Parameters.encryptionParamSet")
		}
		ps, ok := magma.ParamSetByOID(set)
		if !ok {
			return nil, &UnsupportedError{What: "GOST 28147-89 parameter set", OID: set.String()}
		}
		// CFB with CryptoPro key meshing: what the gost engine's gost89
		// cipher (and CryptoPro) use for id-Gost28147-89 (RFC 4357 2.3.2).
		return magma.NewCFBDecrypter(deriveKey(), iv, ps.SBox(), magma.CryptoProKeyMeshing)
	case enc.oid.Equal(oidKuznyechikCTRACPKM):
		// GostR3412-15-Encryption-Parameters ::= SEQUENCE { ukm OCTET STRING }
		// (RFC 9337 / R 1323565.1.026); its first n/2 = 8 bytes are the IV.
		in := cryptobyte.String(enc.params)
		var seq, ukm cryptobyte.String
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
			return nil, corrupt("GostR3412-15-Encryption-Parameters")
		}
		if !seq.ReadASN1(&ukm, cbasn1.OCTET_STRING) || len(ukm) < kuznyechik.BlockSize/2 || !seq.Empty() {
			return nil, corrupt("GostR3412-15-Encryption-Parameters.ukm")
		}
		return gost3413.NewCTRACPKM(kuznyechik.NewCipher, deriveKey(), ukm[:kuznyechik.BlockSize/2], kuznyechikACPKMSection)
	case enc.oid.Equal(oidMagmaCTRACPKM):
		// Same parameters; the ukm's first n/2 = 4 bytes are the IV.
		in := cryptobyte.String(enc.params)
		var seq, ukm cryptobyte.String
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
			return nil, corrupt("GostR3412-15-Encryption-Parameters")
		}
		if !seq.ReadASN1(&ukm, cbasn1.OCTET_STRING) || len(ukm) < magma.BlockSize/2 || !seq.Empty() {
			return nil, corrupt("GostR3412-15-Encryption-Parameters.ukm")
		}
		return gost3413.NewCTRACPKM(magma.NewMagma, deriveKey(), ukm[:magma.BlockSize/2], magmaACPKMSection)
	}
	return nil, &UnsupportedError{What: "PBES2 cipher", OID: enc.oid.String()}
}
