package certstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// A key container on disk holds one private key (PKCS#8 DER) sealed with
// AES-256-GCM under a key derived from the container password by Argon2id.
// The Argon2id parameters are RFC 9106's second recommended option (t=3,
// p=4, m=64 MiB): memory-hard enough that a stolen store folder cannot be
// brute-forced cheaply, while unlocking still takes well under a second.
// The parameters are stored with each container so they can be raised later
// without breaking old containers. The additional data binds the ciphertext to
// the container format and the certificate ID, so a container copied onto
// another certificate's name does not open.

const containerFormat = "podpis-key/1"

type kdfParams struct {
	Alg       string `json:"alg"` // "argon2id"
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memoryKiB"`
	Threads   uint8  `json:"threads"`
}

type sealedContainer struct {
	Format     string    `json:"format"`
	KDF        kdfParams `json:"kdf"`
	Cipher     string    `json:"cipher"` // "aes-256-gcm"
	Nonce      []byte    `json:"nonce"`
	Ciphertext []byte    `json:"ciphertext"`
	KeyFormat  string    `json:"keyFormat"` // "pkcs8"
}

// productionKDF is the cost every container is sealed with. Only this
// package's tests seal with less (Store.kdfCost), to keep multi-process tests
// quick; nothing outside the package can lower it.
func productionKDF() kdfCost { return kdfCost{Time: 3, MemoryKiB: 64 * 1024, Threads: 4} }

type kdfCost struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

func newKDF(cost kdfCost) (kdfParams, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return kdfParams{}, err
	}
	return kdfParams{Alg: "argon2id", Salt: salt, Time: cost.Time, MemoryKiB: cost.MemoryKiB, Threads: cost.Threads}, nil
}

func (p kdfParams) deriveKey(password string) ([]byte, error) {
	if p.Alg != "argon2id" || len(p.Salt) < 16 || p.Time == 0 || p.Threads == 0 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4*1024*1024 || p.Time > 64 {
		return nil, fmt.Errorf("unsupported key derivation parameters")
	}
	return argon2.IDKey([]byte(password), p.Salt, p.Time, p.MemoryKiB, p.Threads, 32), nil
}

func containerAAD(id string) []byte { return []byte(containerFormat + "\x00" + id) }

// sealKey encrypts a PKCS#8 private key for the container of certificate id.
func sealKey(id string, pkcs8 []byte, password string, cost kdfCost) ([]byte, error) {
	kdf, err := newKDF(cost)
	if err != nil {
		return nil, fmt.Errorf("random salt: %w", err)
	}
	key, err := kdf.deriveKey(password)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("random nonce: %w", err)
	}
	c := sealedContainer{
		Format:     containerFormat,
		KDF:        kdf,
		Cipher:     "aes-256-gcm",
		Nonce:      nonce,
		Ciphertext: aead.Seal(nil, nonce, pkcs8, containerAAD(id)),
		KeyFormat:  "pkcs8",
	}
	return json.MarshalIndent(c, "", "  ")
}

// openKey decrypts a container. A wrong password and a damaged container look
// the same to GCM; the caller reports ErrWrongPassword since that is by far the
// likelier cause, and the container file's structure is checked first.
func openKey(id string, data []byte, password string) ([]byte, error) {
	var c sealedContainer
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": id}, err)
	}
	if c.Format != containerFormat || c.Cipher != "aes-256-gcm" || c.KeyFormat != "pkcs8" {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": id},
			fmt.Errorf("unknown container format %q/%q/%q", c.Format, c.Cipher, c.KeyFormat))
	}
	key, err := c.KDF.deriveKey(password)
	if err != nil {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": id}, err)
	}
	defer clear(key)
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(c.Nonce) != aead.NonceSize() {
		return nil, errWith(ErrContainerDamaged, map[string]any{"ID": id}, fmt.Errorf("bad nonce length"))
	}
	plain, err := aead.Open(nil, c.Nonce, c.Ciphertext, containerAAD(id))
	if err != nil {
		return nil, errWith(ErrWrongPassword, map[string]any{"ID": id}, nil)
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
