// Package streebog implements the GOST R 34.11-2012 hash function
// ("Streebog", RFC 6986) with 256- and 512-bit results, as hash.Hash values
// that also save and restore their state (encoding.BinaryMarshaler), so
// crypto/hmac and golang.org/x/crypto/pbkdf2 work with New256 and New512.
//
// Byte order: the standard prints messages and digests as numbers, most
// significant byte first, and numbers the bytes of a 512-bit block from the
// least significant. A message in memory is read as a little-endian number,
// and Sum returns the digest's bytes least significant first: the order
// OpenSSL, CryptoPro and every published test vector in byte form use, and
// the reverse of the hexadecimal printed in the standard.
//
// The compression function is table-driven: S, P and L fold into eight
// tables of 256 words generated from the standard's constants (gen.go,
// internal/spec). On amd64 it is written in assembly (block_amd64.s) with
// baseline instructions only; elsewhere, and with the purego build tag, the
// Go version in block.go runs. Tests compare the two.
//
// Streebog has no secret inputs of its own, but it hashes keys in HMAC and
// passwords in PBKDF2. The table lookups index memory by data bytes; that is
// the usual trade-off for this hash (OpenSSL's gost engine does the same),
// and the tables (16 KiB) stay in L1 cache during a block.
//
//go:generate go run gen.go
package streebog
