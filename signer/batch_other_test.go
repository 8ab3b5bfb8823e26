//go:build !unix

package signer_test

import "testing"

func makeFIFO(t *testing.T, dir string) (string, bool) { return "", false }
