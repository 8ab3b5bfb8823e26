package pfx

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/pbkdf2"

	"github.com/podpis/podpis/internal/gost/magma"
	"github.com/podpis/podpis/internal/gost/streebog"
)

// Parameters Encode writes. They match what
// `openssl pkcs12 -engine gost -export -keypbe gost89 -certpbe gost89
// -macalg md_gost12_512` writes: PBKDF2 with HMAC-Streebog-512 and 2048
// iterations, GOST 28147-89 CFB with the TC26 "Z" parameter set
// (id-tc26-gost-28147-param-Z, 1.2.643.7.1.2.5.1.1) and an 8-byte IV, and an
// HMAC-Streebog-512 MAC with 2048 iterations. Salts are longer than
// OpenSSL's 8 bytes (RFC 8018 recommends at least 64 bits; 16 costs nothing).
const (
	encodeIterations = 2048
	encodeSaltLen    = 16
)

// Encode writes a TC26 PFX that OpenSSL's gost engine imports: PBES2 +
// PBKDF2-HMAC-Streebog-512 + GOST 28147-89 CFB with CryptoPro key meshing
// and parameter set TC26 Z (what OpenSSL writes for -keypbe gost89) for the
// key bag and the certificate bag, MAC HMAC-Streebog-512 keyed as TC26 says
// (the last 32 bytes of a 96-byte PBKDF2-HMAC-Streebog-512 output). The
// password is used as UTF-8 bytes. certs[0], when present, is the key's
// certificate: both get the same localKeyID (SHA-1 of that certificate, as
// OpenSSL does) so that importers pair them.
func Encode(keyPKCS8 []byte, certs [][]byte, password string) ([]byte, error) {
	return encode(keyPKCS8, certs, []byte(password), []byte(password), encodeIterations)
}

// encode is Encode with the password already encoded, separately for PBES2
// and for the MAC (tests use it to write BMPString-keyed files as some tools
// do).
func encode(keyPKCS8 []byte, certs [][]byte, pw, macPW []byte, iterations int) ([]byte, error) {
	if !isDERSequence(keyPKCS8) {
		return nil, errors.New("pfx: Encode: the key is not a DER PKCS#8 PrivateKeyInfo")
	}
	for i, c := range certs {
		if !isDERSequence(c) {
			return nil, fmt.Errorf("pfx: Encode: certificate %d is not DER", i)
		}
	}
	var localKeyID []byte
	if len(certs) > 0 {
		sum := sha1.Sum(certs[0])
		localKeyID = sum[:]
	}

	// Certificates: one encryptedData SafeContents of certBags.
	var certSafe []byte
	if len(certs) > 0 {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i, c := range certs {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidCertBag)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oidX509Certificate)
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1OctetString(c)
							})
						})
					})
					if i == 0 {
						addLocalKeyID(b, localKeyID)
					}
				})
			}
		})
		plain, err := b.Bytes()
		if err != nil {
			return nil, err
		}
		alg, ct, err := encryptPBES2(plain, pw, iterations)
		if err != nil {
			return nil, err
		}
		var e cryptobyte.Builder
		e.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidEncryptedData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1Int64(0)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidData)
						b.AddBytes(alg)
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddBytes(ct)
						})
					})
				})
			})
		})
		if certSafe, err = e.Bytes(); err != nil {
			return nil, err
		}
	}

	// The key: a data SafeContents with one pkcs8ShroudedKeyBag.
	alg, ct, err := encryptPBES2(keyPKCS8, pw, iterations)
	if err != nil {
		return nil, err
	}
	var kb cryptobyte.Builder
	kb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidShroudedKeyBag)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddBytes(alg)
					b.AddASN1OctetString(ct)
				})
			})
			addLocalKeyID(b, localKeyID)
		})
	})
	keyContents, err := kb.Bytes()
	if err != nil {
		return nil, err
	}

	var as cryptobyte.Builder
	as.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(certSafe)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(keyContents)
			})
		})
	})
	authSafe, err := as.Bytes()
	if err != nil {
		return nil, err
	}

	macSalt, err := randomBytes(encodeSaltLen)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(streebog.New512, tc26MACKey(streebog.New512, macPW, macSalt, iterations))
	mac.Write(authSafe)

	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(authSafe)
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addAlgorithmNULL(b, oidStreebog512)
				b.AddASN1OctetString(mac.Sum(nil))
			})
			b.AddASN1OctetString(macSalt)
			b.AddASN1Int64(int64(iterations))
		})
	})
	return out.Bytes()
}

func addLocalKeyID(b *cryptobyte.Builder, id []byte) {
	if id == nil {
		return
	}
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidLocalKeyID)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(id)
			})
		})
	})
}

func addAlgorithmNULL(b *cryptobyte.Builder, oid []int) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1NULL()
	})
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("pfx: random: %w", err)
	}
	return b, nil
}

// encryptPBES2 encrypts plain with PBES2 / PBKDF2-HMAC-Streebog-512 /
// GOST 28147-89 CFB (param set Z, CryptoPro key meshing) and returns the DER
// AlgorithmIdentifier and the ciphertext.
func encryptPBES2(plain, password []byte, iterations int) (alg, ciphertext []byte, err error) {
	salt, err := randomBytes(encodeSaltLen)
	if err != nil {
		return nil, nil, err
	}
	iv, err := randomBytes(magma.BlockSize)
	if err != nil {
		return nil, nil, err
	}
	key := pbkdf2.Key(password, salt, iterations, gostKeyLen, streebog.New512)
	stream, err := magma.NewCFBEncrypter(key, iv, magma.TC26Z.SBox(), magma.CryptoProKeyMeshing)
	if err != nil {
		return nil, nil, err
	}
	ciphertext = make([]byte, len(plain))
	stream.XORKeyStream(ciphertext, plain)

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPBES2)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidPBKDF2)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(salt)
					b.AddASN1Int64(int64(iterations))
					addAlgorithmNULL(b, oidHMACStreebog512)
				})
			})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidGost28147)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(iv)
					b.AddASN1ObjectIdentifier(magma.TC26Z.OID())
				})
			})
		})
	})
	alg, err = b.Bytes()
	return alg, ciphertext, err
}
