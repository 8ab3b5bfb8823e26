//go:build crlratio

// The two halves of scripts/ratio-crl.sh, built only with -tags crlratio
// so that `make test` never runs them.

package crl

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestWriteBigCRL writes the benchmark's CRL for scripts/ratio-crl.sh:
// PODPIS_CRL_BIG_OUT names the file (the CA certificate goes next to it,
// as FILE.ca.pem), PODPIS_CRL_BIG_N the number of entries (1,000,000).
func TestWriteBigCRL(t *testing.T) {
	out := os.Getenv("PODPIS_CRL_BIG_OUT")
	if out == "" {
		t.Fatal("PODPIS_CRL_BIG_OUT is not set: scripts/ratio-crl.sh sets it to write the benchmark's CRL")
	}
	n := 1_000_000
	if s := os.Getenv("PODPIS_CRL_BIG_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("PODPIS_CRL_BIG_N: %v", err)
		}
	}
	ca := newTestCA(t)
	if err := os.WriteFile(out, bigCRL(t, ca, n, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out+".ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadAndIndexFile is the Podpis side of scripts/ratio-crl.sh, timed
// there as a whole process as `openssl crl -noout` is: it reads the CRL
// named by PODPIS_CRL_LOAD, parses it and writes its index.
func TestLoadAndIndexFile(t *testing.T) {
	in := os.Getenv("PODPIS_CRL_LOAD")
	if in == "" {
		t.Fatal("PODPIS_CRL_LOAD is not set: scripts/ratio-crl.sh sets it")
	}
	if err := loadAndIndex(in, filepath.Join(t.TempDir(), "crl.idx")); err != nil {
		t.Fatal(err)
	}
}
