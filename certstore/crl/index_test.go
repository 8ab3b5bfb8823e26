package crl

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/oid"
)

// indexSerials are the serial encodings the index must tell apart and
// find: minimal and non-minimal, with a leading 0x00, 20-octet ones (21
// content octets) and longer ones (hashed in the key), negative ones.
var indexSerials = []string{
	"00", "01", "7f", "0080", "00ff", "0100", "0a",
	"00000f", // non-minimal 15
	"7f" + "ffffffffffffffffffffffffffffffffffffff",                // 20 octets, top bit clear
	"00" + "ffffffffffffffffffffffffffffffffffffffff",              // 20 octets of magnitude
	"00" + "8877665544332211ffeeddccbbaa998877665544",              // as OpenSSL writes such a serial
	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", // 30 octets: hashed
	"00" + "ff0102030405060708090a0b0c0d0e0f1011121314151617",      // 25 octets: hashed
	"ff7f", "80", "ffff7f00", // negative
	"ff" + "0102030405060708090a0b0c0d0e0f101112131415161718", // negative, hashed
}

func writeAndOpen(t testing.TB, c *CRL) *Index {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crl.idx")
	if err := WriteIndex(c, path); err != nil {
		t.Fatalf("WriteIndex: %v", err)
	}
	x, err := OpenIndex(path)
	if err != nil {
		t.Fatalf("OpenIndex: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestIndexRoundTrip(t *testing.T) {
	spec := baseSpec()
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2023, 5, 17, 9, 41, 13, 0, time.UTC)
	for i, s := range indexSerials {
		e := testEntry{serial: mustHex(t, s), revoked: base.Add(time.Duration(i) * 97 * time.Minute), reason: Reason(i % 11)}
		if e.reason == 7 {
			e.reason = ReasonNone
		}
		if i%3 == 0 {
			e.invalidity = e.revoked.Add(-time.Duration(i) * time.Hour)
		}
		spec.entries = append(spec.entries, e)
	}
	// Many random serials, in random order, some sharing prefixes.
	seen := map[string]bool{}
	for _, s := range indexSerials {
		seen[string(normal(mustHex(t, s)))] = true
	}
	for len(spec.entries) < 3000 {
		n := 1 + rnd.IntN(20)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		if len(spec.entries)%5 == 0 {
			b[0] = 0x42 // a shared prefix, as CAs with a serial prefix have
		}
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		if seen[string(normal(b))] {
			continue
		}
		seen[string(normal(b))] = true
		e := testEntry{serial: b, revoked: base.Add(-time.Duration(rnd.IntN(1e8)) * time.Second), reason: ReasonNone}
		if rnd.IntN(2) == 0 {
			e.reason = ReasonSuperseded
		}
		spec.entries = append(spec.entries, e)
	}
	spec.extensions = [][]byte{
		extension(oid.ExtAuthorityKeyID, false, seq(tlv(tagContext0, []byte{1, 2, 3}))),
		extension(oid.ExtCRLNumber, false, tlv(0x02, bytes.Repeat([]byte{0x42}, 20))),
		extension(oid.ExtDeltaCRLIndicator, true, intElement(77)),
		extension(oid.ExtFreshestCRL, false, seq(seq(distributionPointName("http://ca.example.ru/d.crl")))),
		extension(oid.ExtIssuingDistributionPoint, true, seq(distributionPointName("http://ca.example.ru/f.crl", "http://mirror/f.crl"),
			tlv(0x82, []byte{0xFF}), tlv(0x83, []byte{0x07, 0x80}), tlv(0x84, []byte{0xFF}), tlv(0x85, []byte{0xFF}))),
	}
	der := spec.build()
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	x := writeAndOpen(t, c)

	h := x.Header
	if !bytes.Equal(h.RawIssuer, c.RawIssuer) || !h.ThisUpdate.Equal(c.ThisUpdate) || !h.NextUpdate.Equal(c.NextUpdate) ||
		h.Number.Cmp(c.Number) != 0 || h.BaseCRLNumber.Cmp(big.NewInt(77)) != 0 || !bytes.Equal(h.AuthorityKeyID, c.AuthorityKeyID) ||
		!slices.Equal(h.FreshestCRL, c.FreshestCRL) || h.Count != c.Count {
		t.Errorf("header %+v does not match the CRL", h)
	}
	if h.IDP == nil || !slices.Equal(h.IDP.URLs, c.IDP.URLs) || len(h.IDP.URLs) != 2 ||
		h.IDP.OnlyUserCerts || !h.IDP.OnlyCACerts || !h.IDP.OnlySomeReasons || !h.IDP.IndirectCRL || !h.IDP.OnlyAttributeCerts {
		t.Errorf("header IDP %+v, CRL IDP %+v", h.IDP, c.IDP)
	}
	if sum := sha256.Sum256(der); h.SHA256 != sum {
		t.Error("header SHA256 is not the CRL's")
	}

	for _, want := range entriesOf(t, c) {
		got, ok, err := x.Lookup(want.Serial)
		if err != nil || !ok {
			t.Fatalf("Lookup(%x) = %v, %v", want.Serial, ok, err)
		}
		if !bytes.Equal(got.Serial, want.Serial) || !got.RevocationTime.Equal(want.RevocationTime) || got.Reason != want.Reason ||
			!got.InvalidityDate.Equal(want.InvalidityDate) || got.CertificateIssuer != want.CertificateIssuer {
			t.Fatalf("Lookup(%x) = %+v, want %+v", want.Serial, got, want)
		}
	}
	// The form SerialBytes gives finds non-minimal encodings; absent
	// serials, including neighbours of present ones, are not found.
	for _, tt := range []struct {
		n     *big.Int
		found bool
	}{
		{big.NewInt(15), true}, {big.NewInt(128), true}, {big.NewInt(-129), true}, {big.NewInt(-128), true},
		{big.NewInt(14), false}, {big.NewInt(16), false}, {big.NewInt(-130), false}, {big.NewInt(1 << 40), false},
		{new(big.Int).SetBytes(mustHex(t, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1f")), false},
		{new(big.Int).SetBytes(mustHex(t, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e")), true},
	} {
		_, ok, err := x.Lookup(SerialBytes(tt.n))
		if err != nil || ok != tt.found {
			t.Errorf("Lookup(%x) = %v, %v; want %v", SerialBytes(tt.n), ok, err, tt.found)
		}
	}
	for range 2000 {
		b := make([]byte, 1+rnd.IntN(21))
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		if seen[string(normal(b))] {
			continue
		}
		if _, ok, err := x.Lookup(b); ok || err != nil {
			t.Fatalf("Lookup(%x) of an absent serial = %v, %v", b, ok, err)
		}
	}
	if _, ok, err := x.Lookup(nil); ok || err != nil {
		t.Errorf("Lookup(nil) = %v, %v", ok, err)
	}
	if err := x.Close(); err != nil {
		t.Error(err)
	}
	if _, _, err := x.Lookup([]byte{1}); err == nil {
		t.Error("Lookup after Close works")
	}
	if err := x.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// normal is a serial's value as a map key: sign and magnitude.
func normal(b []byte) []byte {
	var key [keyLen]byte
	putKey(key[:], b)
	return key[:]
}

// TestIndexOtherIssuer: in an indirect CRL the same serial may be listed
// for the CRL issuer and for another; Lookup answers with the CRL issuer's.
func TestIndexOtherIssuer(t *testing.T) {
	spec := baseSpec()
	at := spec.thisUpdate.Add(-time.Hour)
	other := nameElement("CN", "Другой УЦ")
	spec.entries = []testEntry{
		{serial: []byte{9}, revoked: at, reason: ReasonKeyCompromise, issuer: other},
		{serial: []byte{7}, revoked: at, reason: ReasonNone},
		{serial: []byte{5}, revoked: at.Add(time.Hour), reason: ReasonSuperseded, issuer: spec.issuer},
		{serial: []byte{9}, revoked: at.Add(time.Minute), reason: ReasonCACompromise},
	}
	c, err := Parse(spec.build())
	if err != nil {
		t.Fatal(err)
	}
	x := writeAndOpen(t, c)
	for _, tt := range []struct {
		serial byte
		reason Reason
		other  bool
	}{{9, ReasonCACompromise, false}, {7, ReasonNone, true}, {5, ReasonSuperseded, false}} {
		e, ok, err := x.Lookup([]byte{tt.serial})
		if !ok || err != nil || e.Reason != tt.reason || e.CertificateIssuer != tt.other {
			t.Errorf("Lookup(%d) = %+v %v %v", tt.serial, e, ok, err)
		}
	}
}

func TestIndexEmptyAndReplace(t *testing.T) {
	spec := baseSpec()
	spec.nextUpdate = time.Time{}
	c, err := Parse(spec.build())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crl.idx")
	spec.entries = []testEntry{{serial: []byte{3}, revoked: spec.thisUpdate, reason: ReasonNone}}
	c1, _ := Parse(spec.build())
	for _, crl := range []*CRL{c1, c} { // the second write replaces the first
		if err := WriteIndex(crl, path); err != nil {
			t.Fatal(err)
		}
	}
	x, err := OpenIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Header.Count != 0 || !x.Header.NextUpdate.IsZero() || x.Header.Number != nil || x.Header.IDP != nil || x.Header.AuthorityKeyID != nil {
		t.Errorf("header %+v", x.Header)
	}
	if _, ok, err := x.Lookup([]byte{3}); ok || err != nil {
		t.Errorf("Lookup in an empty index: %v %v", ok, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("index file mode: %v %v", info.Mode(), err)
	}
	if err := WriteIndex(nil, path); err == nil {
		t.Error("WriteIndex(nil) works")
	}
	if _, err := OpenIndex(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenIndex of a missing file: %v", err)
	}
}

// indexBytes is the content of c's index file.
func indexBytes(t testing.TB, c *CRL) []byte {
	header, recs, err := buildIndex(c)
	if err != nil {
		t.Fatal(err)
	}
	return append(header, recs...)
}

// TestOpenIndexCorrupt: OpenIndex refuses a truncated file and any change
// to the header; a damaged record is caught when Lookup reads it, never
// answered from.
func TestOpenIndexCorrupt(t *testing.T) {
	spec := baseSpec()
	for i := range 200 {
		spec.entries = append(spec.entries, testEntry{serial: []byte{byte(i), 0x55}, revoked: spec.thisUpdate, reason: ReasonNone})
	}
	c, err := Parse(spec.build())
	if err != nil {
		t.Fatal(err)
	}
	good := indexBytes(t, c)
	headerLen := len(good) - c.Count*recordSize
	dir := t.TempDir()
	open := func(data []byte) error {
		path := filepath.Join(dir, "x.idx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		x, err := OpenIndex(path)
		if err == nil {
			x.Close()
		}
		return err
	}
	if err := open(good); err != nil {
		t.Fatalf("the good index: %v", err)
	}
	cases := map[string][]byte{
		"empty":                  {},
		"magic only":             good[:8],
		"prefix only":            good[:prefixSize],
		"header cut":             good[:headerLen-1],
		"no records":             good[:headerLen],
		"half a record":          good[:headerLen+recordSize/2],
		"one record short":       good[:len(good)-recordSize],
		"one byte short":         good[:len(good)-1],
		"one byte more":          append(bytes.Clone(good), 0),
		"a CRL, not an index":    spec.build(),
		"another version":        patched(good, 9, 2),
		"another record size":    patched(good, 11, 40),
		"impossible header size": patched(good, 12, 0xFF),
		"count too big":          patched(good, 16, 1),
	}
	for i := 0; i < headerLen; i += 1 + i/16 {
		cases["header byte "+itoa(i)] = patched(good, i, good[i]^0x10)
	}
	for name, data := range cases {
		err := open(data)
		var ie *IndexError
		if !errors.Is(err, ErrCorruptIndex) || !errors.As(err, &ie) || ie.Code() != "crl-index-corrupt" || ie.Params()["File"] == "" {
			t.Errorf("%s: OpenIndex = %v, want an *IndexError", name, err)
		}
	}

	// Records: OpenIndex reads the header only, so it succeeds; lookups
	// see what is wrong where they read it.
	for _, tt := range []struct {
		name   string
		record int
		off    int
		value  byte
	}{
		{"bad key tag", 100, 0, 0x30},
		{"padding not zero", 100, 1, 0x01},
		{"unknown flag", 100, offFlags, 0x80},
		{"bad reason", 100, offReason, 0x90},
		{"out of order", 150, keyLen - 2, 0x00}, // {150,0x55} becomes {0,0x55}: below its neighbours
	} {
		data := patched(good, headerLen+tt.record*recordSize+tt.off, tt.value)
		x, err := readIndex(bytes.NewReader(data), int64(len(data)), "test.idx")
		if err != nil {
			t.Fatalf("%s: readIndex: %v", tt.name, err)
		}
		detected := false
		for i := range 200 {
			e, ok, err := x.Lookup([]byte{byte(i), 0x55})
			if errors.Is(err, ErrCorruptIndex) {
				detected = true
				continue
			}
			if err != nil {
				t.Fatalf("%s: Lookup: %v", tt.name, err)
			}
			// An answer that is given must be right.
			if ok && (!e.RevocationTime.Equal(spec.thisUpdate) || e.Reason != ReasonNone) {
				t.Errorf("%s: Lookup(%d) = %+v", tt.name, i, e)
			}
		}
		if !detected {
			t.Errorf("%s: no Lookup saw the damage", tt.name)
		}
	}
}

func patched(b []byte, i int, v byte) []byte {
	out := bytes.Clone(b)
	out[i] = v
	return out
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// TestSortRecords compares the radix sort with a comparison sort on
// random, repetitive, presorted and small inputs.
func TestSortRecords(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	// Records as fillRecord writes them: keys of serials of every length
	// and sign (and hashed ones), random flags and payload.
	records := func(n int, octet func(i int) byte) []byte {
		recs := make([]byte, n*recordSize)
		for i := range n {
			rec := recs[i*recordSize : (i+1)*recordSize]
			serial := make([]byte, 1+rnd.IntN(24))
			for j := range serial {
				serial[j] = octet(i)
			}
			putKey(rec, serial)
			rec[offFlags] = byte(rnd.IntN(4))
			for j := offReason; j < recordSize; j++ {
				rec[j] = byte(rnd.Uint32())
			}
		}
		return recs
	}
	inputs := map[string]func(int) []byte{
		"random":              func(n int) []byte { return records(n, func(int) byte { return byte(rnd.Uint32()) }) },
		"few distinct octets": func(n int) []byte { return records(n, func(int) byte { return byte(rnd.IntN(3)) }) },
		"shared prefix": func(n int) []byte {
			recs := make([]byte, n*recordSize)
			for i := range n {
				serial := []byte{0x42, byte(rnd.IntN(4)), byte(i >> 8), byte(i)}
				putKey(recs[i*recordSize:], serial[:1+rnd.IntN(4)])
				recs[i*recordSize+offFlags] = byte(rnd.IntN(2))
				recs[i*recordSize+offRevoked] = byte(i)
			}
			return recs
		},
	}
	for name, make := range inputs {
		for _, n := range []int{0, 1, 2, 5, insertionThreshold, insertionThreshold + 1, 300, 5000} {
			recs := make(n)
			want := sortedByComparison(recs)
			sortRecords(recs)
			if !sameRecordKeys(recs, want) {
				t.Errorf("%s, %d records: not sorted", name, n)
			}
			// Sorting sorted input keeps it so.
			sortRecords(recs)
			if !sameRecordKeys(recs, want) {
				t.Errorf("%s, %d records: sorting again changed the order", name, n)
			}
		}
	}
}

func sortedByComparison(recs []byte) []byte {
	n := len(recs) / recordSize
	order := make([][]byte, n)
	for i := range order {
		order[i] = recs[i*recordSize : (i+1)*recordSize]
	}
	slices.SortStableFunc(order, func(a, b []byte) int { return bytes.Compare(a[:sortKeyLen], b[:sortKeyLen]) })
	var out []byte
	for _, r := range order {
		out = append(out, r...)
	}
	return out
}

// sameRecordKeys compares sort keys and the records' multiset: records
// with equal keys may come in either order.
func sameRecordKeys(got, want []byte) bool {
	if len(got) != len(want) {
		return false
	}
	for i := 0; i < len(got); i += recordSize {
		if !bytes.Equal(got[i:i+sortKeyLen], want[i:i+sortKeyLen]) {
			return false
		}
	}
	return bytes.Equal(sortedByComparisonFull(got), sortedByComparisonFull(want))
}

func sortedByComparisonFull(recs []byte) []byte {
	n := len(recs) / recordSize
	order := make([][]byte, n)
	for i := range order {
		order[i] = recs[i*recordSize : (i+1)*recordSize]
	}
	slices.SortFunc(order, bytes.Compare)
	var out []byte
	for _, r := range order {
		out = append(out, r...)
	}
	return out
}
