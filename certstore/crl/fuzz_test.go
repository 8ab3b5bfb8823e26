package crl

import (
	"bytes"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// fuzzSeeds are CRLs of every shape the tests build: signed, with all
// extensions, indirect, tolerant encodings, empty.
func fuzzSeeds(tb testing.TB) [][]byte {
	ca := newTestCA(tb)
	at := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	full := baseSpec()
	full.entries = []testEntry{
		{serial: []byte{0x00, 0x0F}, revoked: at, reason: ReasonKeyCompromise, invalidity: at.Add(-time.Hour)},
		{serial: []byte{0xFF, 0x7F}, revoked: at, reason: ReasonNone, issuer: nameElement("CN", "Другой УЦ")},
		{serial: bytes.Repeat([]byte{0x42}, 25), revoked: at, reason: ReasonRemoveFromCRL, issuer: full.issuer},
		{serial: []byte{5}, revoked: at, reason: ReasonNone, extra: [][]byte{extension(oid.ExtSubjectKeyID, true, nil)}},
	}
	full.extensions = [][]byte{
		extension(oid.ExtAuthorityKeyID, false, seq(tlv(tagContext0, []byte{1, 2, 3}))),
		extension(oid.ExtCRLNumber, false, intElement(12)),
		extension(oid.ExtDeltaCRLIndicator, true, intElement(11)),
		extension(oid.ExtFreshestCRL, false, seq(seq(distributionPointName("http://ca.example.ru/d.crl")))),
		extension(oid.ExtIssuingDistributionPoint, true, seq(distributionPointName("http://ca.example.ru/f.crl"),
			tlv(0x81, []byte{0xFF}), tlv(0x83, []byte{0x07, 0x80}), tlv(0x84, []byte{0x01}))),
		extension([]int{1, 2, 3}, true, nil),
	}
	tolerant := baseSpec()
	tolerant.noVersion = true
	tolerant.rawThis = tlv(cbasn1.GeneralizedTime, []byte("20240301100000.876+0300"))
	tolerant.rawEntries = seq()
	seeds := [][]byte{
		full.build(),
		ca.sign(tb, full),
		tolerant.build(),
		baseSpec().build(),
		bigCRL(tb, ca, 50, 3),
	}
	seeds = append(seeds, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: seeds[0]}))
	return seeds
}

func FuzzParseCRL(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Field == "" || pe.Err == nil {
				t.Fatalf("error %v is not a *ParseError with a field", err)
			}
			return
		}
		if !bytes.HasPrefix(data, []byte("-----")) && !bytes.Equal(c.Raw, data) {
			t.Fatal("Raw is not the whole input")
		}
		if !bytes.Contains(c.Raw, c.RawTBS) || !bytes.Contains(c.RawTBS, c.RawIssuer) {
			t.Fatal("RawTBS or RawIssuer is not inside the CRL")
		}
		// Parse checked every entry: the walk cannot fail, and sees Count.
		n := 0
		if err := c.Entries(func(e Entry) error {
			if len(e.Serial) == 0 || e.Reason < ReasonNone {
				t.Fatalf("entry %d: %+v", n, e)
			}
			n++
			return nil
		}); err != nil || n != c.Count {
			t.Fatalf("Entries: %d entries, %v; Count %d", n, err, c.Count)
		}
		// The index finds every entry, in memory (a file per input would
		// make fuzzing crawl).
		header, recs, err := buildIndex(c)
		if err != nil {
			t.Fatalf("buildIndex of a parsed CRL: %v", err)
		}
		data = append(header, recs...)
		x, err := readIndex(bytes.NewReader(data), int64(len(data)), "fuzz.idx")
		if err != nil {
			t.Fatalf("readIndex of a fresh index: %v", err)
		}
		if x.Header.Count != c.Count || !bytes.Equal(x.Header.RawIssuer, c.RawIssuer) || !x.Header.ThisUpdate.Equal(c.ThisUpdate) {
			t.Fatalf("index header %+v", x.Header)
		}
		c.Entries(func(e Entry) error {
			got, ok, err := x.Lookup(e.Serial)
			if !ok || err != nil {
				t.Fatalf("Lookup(%x) = %v, %v", e.Serial, ok, err)
			}
			// Duplicate serials may answer with another of their entries.
			if !got.RevocationTime.Equal(e.RevocationTime.Truncate(time.Second)) && !duplicated(c, e.Serial) {
				t.Fatalf("Lookup(%x) = %+v, entry %+v", e.Serial, got, e)
			}
			return nil
		})
	})
}

func duplicated(c *CRL, serial []byte) bool {
	var want [keyLen]byte
	putKey(want[:], serial)
	n := 0
	c.Entries(func(e Entry) error {
		var key [keyLen]byte
		putKey(key[:], e.Serial)
		if key == want {
			n++
		}
		return nil
	})
	return n > 1
}

// FuzzOpenIndex: any file given as an index is refused with an error or
// opened, and lookups in it answer or fail, never panic or read past it.
func FuzzOpenIndex(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		c, err := Parse(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(indexBytes(f, c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := readIndex(bytes.NewReader(data), int64(len(data)), "fuzz.idx")
		if err != nil {
			var ie *IndexError
			if !errors.As(err, &ie) || !errors.Is(err, ErrCorruptIndex) {
				t.Fatalf("error %v is not an *IndexError", err)
			}
			return
		}
		for _, serial := range [][]byte{{0}, {0x0F}, {0xFF, 0x7F}, {5}, bytes.Repeat([]byte{0x42}, 25)} {
			if _, _, err := x.Lookup(serial); err != nil && !errors.Is(err, ErrCorruptIndex) {
				t.Fatalf("Lookup: %v", err)
			}
		}
	})
}
