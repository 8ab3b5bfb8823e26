package crl

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// bigCRL builds a CRL of n entries signed by ca, shaped like the lists of
// large Russian CAs: serials of 16 and 20 random octets (some shorter),
// in no particular order, revocation dates over six years, a reasonCode on
// most entries and an invalidityDate on some. seed makes it repeatable.
func bigCRL(tb testing.TB, ca *testCA, n int, seed uint64) []byte {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	reasons := []Reason{ReasonKeyCompromise, ReasonAffiliationChanged, ReasonSuperseded, ReasonCessationOfOperation, ReasonUnspecified}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	// Entries are short (all lengths below 128), so they are written by
	// hand into one buffer: cryptobyte.Builder per entry would make the
	// generator slower than what it measures.
	entries := make([]byte, 0, n*64)
	var serial [21]byte
	for range n {
		size := 16
		switch r := rnd.IntN(10); {
		case r < 3:
			size = 20
		case r == 9:
			size = 3 + rnd.IntN(6)
		}
		for i := range size {
			serial[i] = byte(rnd.Uint32())
		}
		if serial[0] == 0 {
			serial[0] = 1
		}
		s := serial[:size]
		lead := 0
		if s[0]&0x80 != 0 {
			lead = 1 // a zero octet keeps the serial positive
		}
		revoked := time.Unix(start+rnd.Int64N(6*365*86400), 0).UTC()
		var exts []byte
		if r := rnd.IntN(10); r < 7 {
			exts = append(exts, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01, byte(reasons[r%len(reasons)]))
			if r == 0 {
				exts = append(exts, 0x30, 0x18, 0x06, 0x03, 0x55, 0x1D, 0x18, 0x04, 0x11)
				exts = append(exts, genTimeElement(revoked.Add(-time.Duration(rnd.IntN(30*24))*time.Hour))...)
			}
		}
		extLen := 0
		if len(exts) > 0 {
			extLen = 2 + len(exts)
		}
		serialLen := 2 + lead + size
		entries = append(entries, 0x30, byte(serialLen+15+extLen), 0x02, byte(lead+size))
		if lead == 1 {
			entries = append(entries, 0)
		}
		entries = append(entries, s...)
		entries = append(entries, 0x17, 0x0D)
		entries = appendUTCTime(entries, revoked)
		if len(exts) > 0 {
			entries = append(entries, 0x30, byte(len(exts)))
			entries = append(entries, exts...)
		}
	}
	spec := crlSpec{
		thisUpdate: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC),
		nextUpdate: time.Date(2025, 6, 8, 9, 0, 0, 0, time.UTC),
		extensions: [][]byte{
			extension(oid.ExtAuthorityKeyID, false, seq(tlv(tagContext0, ca.cert.SubjectKeyID))),
			extension(oid.ExtCRLNumber, false, intElement(int64(n))),
		},
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(entries) })
	spec.rawEntries = b.BytesOrPanic()
	return ca.sign(tb, spec)
}

// appendUTCTime appends t as YYMMDDHHMMSSZ.
func appendUTCTime(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	for _, v := range []int{year % 100, int(month), day, hour, minute, second} {
		dst = append(dst, byte('0'+v/10), byte('0'+v%10))
	}
	return append(dst, 'Z')
}

func loadAndIndex(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	c, err := Parse(data)
	if err != nil {
		return err
	}
	return WriteIndex(c, out)
}

// bigCRLFile is the million-entry CRL: the file PODPIS_CRL_BIG names
// (scripts/ratio-crl.sh passes the one it made), or one made now.
func bigCRLFile(b *testing.B) string {
	b.Helper()
	if path := os.Getenv("PODPIS_CRL_BIG"); path != "" {
		return path
	}
	path := filepath.Join(b.TempDir(), "big.crl")
	if err := os.WriteFile(path, bigCRL(b, newTestCA(b), 1_000_000, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLoadAndIndex1M is what the issue measures: a CRL of a million
// entries read from disk, parsed, and its index written (atomically, with
// fsync).
func BenchmarkLoadAndIndex1M(b *testing.B) {
	in := bigCRLFile(b)
	out := filepath.Join(b.TempDir(), "crl.idx")
	info, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	b.ResetTimer()
	for b.Loop() {
		if err := loadAndIndex(in, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse1M is Parse alone (the data in memory).
func BenchmarkParse1M(b *testing.B) {
	data, err := os.ReadFile(bigCRLFile(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSortRecords1M sorts the records of the million-entry CRL.
func BenchmarkSortRecords1M(b *testing.B) {
	data, err := os.ReadFile(bigCRLFile(b))
	if err != nil {
		b.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]byte, c.Count*recordSize)
	i := 0
	c.forEach(func(_ int, f *entryFields, other bool) error {
		fillRecord(recs[i*recordSize:], f, other)
		i++
		return nil
	})
	work := make([]byte, len(recs))
	b.ResetTimer()
	for b.Loop() {
		copy(work, recs)
		sortRecords(work)
	}
}

// BenchmarkLookup1M looks up serials of the million-entry CRL in its
// index on disk: one lookup per operation.
func BenchmarkLookup1M(b *testing.B) {
	data, err := os.ReadFile(bigCRLFile(b))
	if err != nil {
		b.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "crl.idx")
	if err := WriteIndex(c, path); err != nil {
		b.Fatal(err)
	}
	var serials [][]byte
	c.Entries(func(e Entry) error {
		if len(serials) < 4096 {
			serials = append(serials, e.Serial)
		}
		return nil
	})
	x, err := OpenIndex(path)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, ok, err := x.Lookup(serials[i%len(serials)]); !ok || err != nil {
			b.Fatalf("Lookup: %v %v", ok, err)
		}
		i++
	}
}
