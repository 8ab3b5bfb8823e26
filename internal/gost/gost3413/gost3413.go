// Package gost3413 implements the modes of operation of GOST R 34.13-2015
// (ECB, CTR, OFB, CBC, CFB and the OMAC message authentication code) and the
// ACPKM re-keying modes of R 1323565.1.017-2018 (RFC 8645): CTR-ACPKM and
// OMAC-ACPKM.
//
// Every mode takes any cipher.Block, so the same code serves Kuznyechik
// (n = 128 bits) and Magma (n = 64 bits). Byte strings are in the order the
// standards print them (most significant byte first).
//
// The ACPKM modes re-key the cipher during operation, so they take a
// NewCipherFunc and the key instead of a ready cipher.Block.
//
// # Constant time
//
// The mode logic never branches on or indexes memory by secret data: the
// branches depend only on lengths and positions, the OMAC subkey doubling
// uses a mask instead of a branch, and XORs go through crypto/subtle. The
// timing properties of the block cipher itself are those of the cipher.Block
// given (see package kuznyechik).
package gost3413

import (
	"crypto/cipher"
	"strconv"
)

// NewCipherFunc makes a block cipher from a key, like kuznyechik.NewCipher.
// The ACPKM modes call it for the initial key and at every re-keying.
type NewCipherFunc func(key []byte) (cipher.Block, error)

// ParamError reports a mode parameter that does not fit the mode or the
// block cipher: Mode names the mode ("CTR", "OMAC-ACPKM", ...), Param the
// parameter ("iv", "section size", ...), and Reason what is wrong with it.
type ParamError struct {
	Mode   string
	Param  string
	Reason string
}

func (e *ParamError) Error() string {
	return "gost3413: " + e.Mode + ": invalid " + e.Param + ": " + e.Reason
}

func lengthError(mode, param string, got int, want string) error {
	return &ParamError{Mode: mode, Param: param, Reason: strconv.Itoa(got) + " bytes, want " + want}
}

// checkRegister validates the IV of the register modes (OFB, CBC, CFB): the
// register length m is a positive multiple of the block size n (sections 5.3
// to 5.5 of GOST R 34.13-2015; the standard's examples use m = 2n).
func checkRegister(mode string, bs int, iv []byte) error {
	if len(iv) == 0 || len(iv)%bs != 0 {
		return lengthError(mode, "iv", len(iv), "a positive multiple of the block size "+strconv.Itoa(bs))
	}
	return nil
}
