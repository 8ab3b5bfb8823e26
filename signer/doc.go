// Package signer makes and checks CMS / CAdES-BES SignedData (RFC 5652):
// sign, co-sign, verify, and batch signing. It is filled by the signing
// issue; keys reach it as crypto.Signer from certstore, so software keys and
// token keys look the same here.
package signer
