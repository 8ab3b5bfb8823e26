package crl

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/atomicfile"
)

// The index file:
//
//	prefix   magic "PODPCRLX", version u16, record size u16,
//	         header length u32 (where the records start), count u64
//	body     DER SEQUENCE of the IndexHeader fields (encodeHeader)
//	checksum SHA-256 of the prefix and the body
//	records  count fixed-size records sorted by their sort key
//
// A record (32 octets, big-endian):
//
//	0..20  serial key: 0x00..0x14 = n, the length of the serial's magnitude
//	       (positive serial, leading zero octets dropped), then the
//	       magnitude right-aligned in 20 octets; 0x40|n = a negative serial
//	       in minimal two's complement, likewise; 0xFF = SHA-256 of the
//	       serial (longer than 20 octets, which RFC 5280 forbids), first 20
//	       octets. Comparing keys octet by octet orders serials by length
//	       then value, and non-minimal encodings of one serial share a key.
//	21     flags (flagOtherIssuer, flagInvalidity)
//	22     reason, 0xFF for none
//	23..27 revocationDate, Unix seconds, signed 40 bits
//	28..31 invalidityDate minus revocationDate, seconds, signed 32 bits
//
// Times keep whole seconds, which is what CRLs carry. The prefix and body
// are checksummed and the file length must match the count, so OpenIndex
// sees a truncated or damaged header without reading the records; a
// damaged record is seen by the checks Lookup makes on what it reads.
const (
	indexMagic   = "PODPCRLX"
	indexVersion = 1
	prefixSize   = 24
	// maxHeaderSize bounds what OpenIndex reads before trusting anything:
	// an issuer Name and a few URLs are kilobytes.
	maxHeaderSize = 16 << 20

	recordSize    = 32
	keyLen        = 21
	sortKeyLen    = 22 // the key and the flags
	offFlags      = 21
	offReason     = 22
	offRevoked    = 23
	offInvalidity = 28

	maxSerialOctets = keyLen - 1
	tagNegative     = 0x40
	tagHashed       = 0xFF
	noReason        = 0xFF

	flagOtherIssuer = 1 << 0
	flagInvalidity  = 1 << 1
	knownFlags      = flagOtherIssuer | flagInvalidity
)

// ErrCorruptIndex is what an *IndexError wraps: the file is not an index
// this version wrote, or it was truncated or damaged. The remedy is to
// index the CRL again.
var ErrCorruptIndex = errors.New("the CRL index is damaged or was written by another version")

// IndexError says an index file cannot be used.
type IndexError struct {
	Path   string
	Detail string
}

func (e *IndexError) Error() string {
	return "crl index " + e.Path + ": " + ErrCorruptIndex.Error() + ": " + e.Detail
}
func (e *IndexError) Unwrap() error { return ErrCorruptIndex }

// Code and Params make an IndexError a coded error.
func (e *IndexError) Code() string { return "crl-index-corrupt" }
func (e *IndexError) Params() map[string]any {
	return map[string]any{"File": e.Path, "Detail": e.Detail}
}

func corrupt(path, format string, args ...any) *IndexError {
	return &IndexError{Path: path, Detail: fmt.Sprintf(format, args...)}
}

// indexFile is where Lookup reads records: an *os.File, or in tests and
// fuzzing the bytes of one.
type indexFile struct {
	r         io.ReaderAt
	closer    io.Closer // nil once closed
	path      string
	recordsAt int64
	count     int
}

// putKey writes the serial key of serial (INTEGER content octets) to dst.
func putKey(dst []byte, serial []byte) {
	dst = dst[:keyLen]
	tag := byte(0)
	b := serial
	if len(b) > 0 && b[0]&0x80 != 0 {
		// Negative: drop redundant 0xFF octets.
		tag = tagNegative
		for len(b) > 1 && b[0] == 0xFF && b[1]&0x80 != 0 {
			b = b[1:]
		}
	} else {
		for len(b) > 0 && b[0] == 0 {
			b = b[1:]
		}
	}
	if len(b) > maxSerialOctets {
		sum := sha256.Sum256(append([]byte{tag}, b...))
		dst[0] = tagHashed
		copy(dst[1:], sum[:])
		return
	}
	dst[0] = tag | byte(len(b))
	pad := keyLen - len(b)
	clear(dst[1:pad])
	copy(dst[pad:], b)
}

// validKey checks what putKey can have written.
func validKey(key []byte) bool {
	if key[0] == tagHashed {
		return true
	}
	n := int(key[0] &^ tagNegative)
	if key[0]&^(tagNegative|0x1F) != 0 || n > maxSerialOctets {
		return false
	}
	for _, b := range key[1 : keyLen-n] {
		if b != 0 {
			return false
		}
	}
	return true
}

func fillRecord(rec []byte, f *entryFields, otherIssuer bool) {
	putKey(rec[:keyLen], f.serial)
	flags := byte(0)
	if otherIssuer {
		flags |= flagOtherIssuer
	}
	reason := byte(noReason)
	if f.reason != ReasonNone {
		reason = byte(f.reason) // decodeReason keeps it below 0x80
	}
	putInt40(rec[offRevoked:], f.revoked.sec)
	delta := int64(0)
	if f.hasInvalidity {
		// An invalidity date more than 68 years from the revocation date
		// is not a date anyone means; the index leaves it out.
		if d := f.invalidity.sec - f.revoked.sec; d >= math.MinInt32 && d <= math.MaxInt32 {
			delta = d
			flags |= flagInvalidity
		}
	}
	binary.BigEndian.PutUint32(rec[offInvalidity:], uint32(int32(delta)))
	rec[offFlags] = flags
	rec[offReason] = reason
}

// putInt40 writes v in 5 octets. Signed 40-bit seconds reach about 17,000
// years either side of 1970: any date a CRL can carry (GeneralizedTime
// stops at 9999).
func putInt40(b []byte, v int64) {
	u := uint64(v)
	b[0], b[1], b[2], b[3], b[4] = byte(u>>32), byte(u>>24), byte(u>>16), byte(u>>8), byte(u)
}

func int40(b []byte) int64 {
	u := uint64(b[0])<<32 | uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4])
	return int64(u<<24) >> 24 // sign-extend
}

func writeIndex(c *CRL, path string) error {
	header, recs, err := buildIndex(c)
	if err != nil {
		return err
	}
	w, err := atomicfile.Create(path, 0o600, true)
	if err != nil {
		return fmt.Errorf("crl index %s: %w", path, err)
	}
	defer w.Abort()
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("crl index %s: %w", path, err)
	}
	if _, err := w.Write(recs); err != nil {
		return fmt.Errorf("crl index %s: %w", path, err)
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("crl index %s: %w", path, err)
	}
	return nil
}

// buildIndex makes the contents of c's index file: the header, and the
// records sorted.
func buildIndex(c *CRL) (header, recs []byte, err error) {
	if c == nil {
		return nil, nil, errors.New("crl: WriteIndex of a nil CRL")
	}
	// The digest of the whole CRL is the one other long computation; it
	// runs beside the walk and the sort (the channel is buffered, so an
	// early return leaves nothing blocked).
	digest := make(chan [sha256.Size]byte, 1)
	go func() { digest <- sha256.Sum256(c.Raw) }()
	recs = make([]byte, c.Count*recordSize)
	n := 0
	err = c.forEach(func(_ int, f *entryFields, other bool) error {
		if n == c.Count {
			return fmt.Errorf("crl: the CRL has more entries than its Count %d", c.Count)
		}
		fillRecord(recs[n*recordSize:(n+1)*recordSize], f, other)
		n++
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if n != c.Count {
		return nil, nil, fmt.Errorf("crl: the CRL has %d entries, not its Count %d", n, c.Count)
	}
	sortRecords(recs)
	if header, err = encodeHeader(c, <-digest); err != nil {
		return nil, nil, err
	}
	return header, recs, nil
}

// Tags of the optional fields of the header body.
var (
	tagNextUpdate = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagNumber     = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagBaseNumber = cbasn1.Tag(2).ContextSpecific().Constructed()
	tagIDP        = cbasn1.Tag(3).ContextSpecific().Constructed()
)

// IDP flags in the header body.
const (
	idpOnlyUser = 1 << iota
	idpOnlyCA
	idpOnlySomeReasons
	idpIndirect
	idpOnlyAttribute
)

func encodeHeader(c *CRL, sum [sha256.Size]byte) ([]byte, error) {
	body := cryptobyte.NewBuilder(nil)
	addTime := func(b *cryptobyte.Builder, t time.Time) {
		b.AddASN1Int64(t.Unix())
		b.AddASN1Int64(int64(t.Nanosecond()))
	}
	addURLs := func(b *cryptobyte.Builder, urls []string) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, u := range urls {
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(u)) })
			}
		})
	}
	body.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(sum[:])
		b.AddASN1OctetString(c.RawIssuer)
		addTime(b, c.ThisUpdate)
		if !c.NextUpdate.IsZero() {
			b.AddASN1(tagNextUpdate, func(b *cryptobyte.Builder) { addTime(b, c.NextUpdate) })
		}
		if c.Number != nil {
			b.AddASN1(tagNumber, func(b *cryptobyte.Builder) { b.AddASN1BigInt(c.Number) })
		}
		if c.BaseCRLNumber != nil {
			b.AddASN1(tagBaseNumber, func(b *cryptobyte.Builder) { b.AddASN1BigInt(c.BaseCRLNumber) })
		}
		b.AddASN1OctetString(c.AuthorityKeyID)
		addURLs(b, c.FreshestCRL)
		if c.IDP != nil {
			flags := int64(0)
			for _, f := range []struct {
				set bool
				bit int64
			}{
				{c.IDP.OnlyUserCerts, idpOnlyUser}, {c.IDP.OnlyCACerts, idpOnlyCA},
				{c.IDP.OnlySomeReasons, idpOnlySomeReasons}, {c.IDP.IndirectCRL, idpIndirect},
				{c.IDP.OnlyAttributeCerts, idpOnlyAttribute},
			} {
				if f.set {
					flags |= f.bit
				}
			}
			b.AddASN1(tagIDP, func(b *cryptobyte.Builder) {
				addURLs(b, c.IDP.URLs)
				b.AddASN1Int64(flags)
			})
		}
	})
	bodyBytes, err := body.Bytes()
	if err != nil {
		return nil, fmt.Errorf("crl: encoding the index header: %w", err)
	}
	headerLen := prefixSize + len(bodyBytes) + sha256.Size
	header := make([]byte, 0, headerLen)
	header = append(header, indexMagic...)
	header = binary.BigEndian.AppendUint16(header, indexVersion)
	header = binary.BigEndian.AppendUint16(header, recordSize)
	header = binary.BigEndian.AppendUint32(header, uint32(headerLen))
	header = binary.BigEndian.AppendUint64(header, uint64(c.Count))
	header = append(header, bodyBytes...)
	check := sha256.Sum256(header)
	return append(header, check[:]...), nil
}

func openIndex(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("crl index: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("crl index: %w", err)
	}
	x, err := readIndex(f, info.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	x.idx.closer = f
	return x, nil
}

// readIndex reads and checks the header of the index in r, of size bytes.
func readIndex(r io.ReaderAt, size int64, path string) (*Index, error) {
	var prefix [prefixSize]byte
	if _, err := r.ReadAt(prefix[:], 0); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, corrupt(path, "the file is %d bytes, shorter than a header", size)
		}
		return nil, fmt.Errorf("crl index %s: %w", path, err)
	}
	if string(prefix[:8]) != indexMagic {
		return nil, corrupt(path, "not a CRL index")
	}
	if v := binary.BigEndian.Uint16(prefix[8:]); v != indexVersion {
		return nil, corrupt(path, "format version %d, this program reads %d", v, indexVersion)
	}
	if rs := binary.BigEndian.Uint16(prefix[10:]); rs != recordSize {
		return nil, corrupt(path, "record size %d, expected %d", rs, recordSize)
	}
	headerLen := int64(binary.BigEndian.Uint32(prefix[12:]))
	count := binary.BigEndian.Uint64(prefix[16:])
	if headerLen < prefixSize+sha256.Size || headerLen > maxHeaderSize {
		return nil, corrupt(path, "header length %d is impossible", headerLen)
	}
	if count > uint64(math.MaxInt32) || size != headerLen+int64(count)*recordSize {
		return nil, corrupt(path, "the file is %d bytes, not what the header says for %d entries (truncated?)", size, count)
	}
	header := make([]byte, headerLen)
	if _, err := r.ReadAt(header, 0); err != nil {
		return nil, fmt.Errorf("crl index %s: %w", path, err)
	}
	bodyEnd := headerLen - sha256.Size
	if sum := sha256.Sum256(header[:bodyEnd]); !bytes.Equal(sum[:], header[bodyEnd:]) {
		return nil, corrupt(path, "the header checksum does not match")
	}
	h, err := decodeHeaderBody(header[prefixSize:bodyEnd])
	if err != nil {
		return nil, corrupt(path, "header: %v", err)
	}
	h.Count = int(count)
	return &Index{Header: *h, idx: indexFile{r: r, path: path, recordsAt: headerLen, count: int(count)}}, nil
}

func decodeHeaderBody(body []byte) (*IndexHeader, error) {
	s := cryptobyte.String(body)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("not a SEQUENCE")
	}
	h := &IndexHeader{}
	readTime := func(s *cryptobyte.String, out *time.Time) bool {
		var sec, nsec int64
		if !s.ReadASN1Int64WithTag(&sec, cbasn1.INTEGER) || !s.ReadASN1Int64WithTag(&nsec, cbasn1.INTEGER) ||
			nsec < 0 || nsec >= 1e9 {
			return false
		}
		*out = time.Unix(sec, nsec).UTC()
		return true
	}
	readURLs := func(s *cryptobyte.String) ([]string, bool) {
		var list cryptobyte.String
		if !s.ReadASN1(&list, cbasn1.SEQUENCE) {
			return nil, false
		}
		var urls []string
		for !list.Empty() {
			var u cryptobyte.String
			if !list.ReadASN1(&u, cbasn1.UTF8String) {
				return nil, false
			}
			urls = append(urls, string(u))
		}
		return urls, true
	}
	readNumber := func(tag cbasn1.Tag) (*big.Int, bool) {
		var wrapper cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&wrapper, &present, tag) {
			return nil, false
		}
		if !present {
			return nil, true
		}
		n := new(big.Int)
		return n, wrapper.ReadASN1Integer(n) && wrapper.Empty()
	}

	var sum, issuer, aki []byte
	if !seq.ReadASN1Bytes(&sum, cbasn1.OCTET_STRING) || len(sum) != sha256.Size {
		return nil, errors.New("bad CRL digest")
	}
	copy(h.SHA256[:], sum)
	if !seq.ReadASN1Bytes(&issuer, cbasn1.OCTET_STRING) {
		return nil, errors.New("bad issuer")
	}
	h.RawIssuer = issuer
	if !readTime(&seq, &h.ThisUpdate) {
		return nil, errors.New("bad thisUpdate")
	}
	var next cryptobyte.String
	var hasNext bool
	if !seq.ReadOptionalASN1(&next, &hasNext, tagNextUpdate) || hasNext && (!readTime(&next, &h.NextUpdate) || !next.Empty()) {
		return nil, errors.New("bad nextUpdate")
	}
	var ok bool
	if h.Number, ok = readNumber(tagNumber); !ok {
		return nil, errors.New("bad CRL number")
	}
	if h.BaseCRLNumber, ok = readNumber(tagBaseNumber); !ok {
		return nil, errors.New("bad base CRL number")
	}
	if !seq.ReadASN1Bytes(&aki, cbasn1.OCTET_STRING) {
		return nil, errors.New("bad authority key identifier")
	}
	if len(aki) > 0 {
		h.AuthorityKeyID = aki
	}
	if h.FreshestCRL, ok = readURLs(&seq); !ok {
		return nil, errors.New("bad freshestCRL")
	}
	var idp cryptobyte.String
	var hasIDP bool
	if !seq.ReadOptionalASN1(&idp, &hasIDP, tagIDP) {
		return nil, errors.New("bad issuingDistributionPoint")
	}
	if hasIDP {
		h.IDP = &IssuingDistributionPoint{}
		var flags int64
		if h.IDP.URLs, ok = readURLs(&idp); !ok || !idp.ReadASN1Int64WithTag(&flags, cbasn1.INTEGER) || !idp.Empty() {
			return nil, errors.New("bad issuingDistributionPoint")
		}
		h.IDP.OnlyUserCerts = flags&idpOnlyUser != 0
		h.IDP.OnlyCACerts = flags&idpOnlyCA != 0
		h.IDP.OnlySomeReasons = flags&idpOnlySomeReasons != 0
		h.IDP.IndirectCRL = flags&idpIndirect != 0
		h.IDP.OnlyAttributeCerts = flags&idpOnlyAttribute != 0
	}
	if !seq.Empty() {
		return nil, errors.New("unexpected data at the end")
	}
	return h, nil
}

func (x *Index) lookup(serial []byte) (Entry, bool, error) {
	if x.idx.r == nil {
		return Entry{}, false, errors.New("crl: Lookup on a closed index")
	}
	if len(serial) == 0 {
		return Entry{}, false, nil
	}
	var target [keyLen]byte
	putKey(target[:], serial)

	// Binary search for the first record whose key is >= target. Every
	// record read is checked to be one WriteIndex can write, and to lie
	// between the records read before it (below and above the target):
	// records out of order mean a damaged file, which would otherwise
	// give wrong answers silently.
	var rec, low, high [recordSize]byte
	hasLow, hasHigh := false, false
	lo, hi := 0, x.idx.count
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if err := x.readRecord(mid, rec[:]); err != nil {
			return Entry{}, false, err
		}
		if hasLow && bytes.Compare(rec[:sortKeyLen], low[:sortKeyLen]) < 0 ||
			hasHigh && bytes.Compare(rec[:sortKeyLen], high[:sortKeyLen]) > 0 {
			return Entry{}, false, corrupt(x.idx.path, "record %d is out of order", mid)
		}
		if bytes.Compare(rec[:keyLen], target[:]) < 0 {
			lo, low, hasLow = mid+1, rec, true
		} else {
			hi, high, hasHigh = mid, rec, true
		}
	}
	// high is the record at lo when lo < count: the last probe that moved hi.
	if lo == x.idx.count || !hasHigh || !bytes.Equal(high[:keyLen], target[:]) {
		return Entry{}, false, nil
	}
	revoked := int40(high[offRevoked:])
	e := Entry{
		Serial:            bytes.Clone(serial),
		RevocationTime:    time.Unix(revoked, 0).UTC(),
		Reason:            ReasonNone,
		CertificateIssuer: high[offFlags]&flagOtherIssuer != 0,
	}
	if r := high[offReason]; r != noReason {
		e.Reason = Reason(r)
	}
	if high[offFlags]&flagInvalidity != 0 {
		delta := int64(int32(binary.BigEndian.Uint32(high[offInvalidity:])))
		e.InvalidityDate = time.Unix(revoked+delta, 0).UTC()
	}
	return e, true, nil
}

func (x *Index) readRecord(i int, rec []byte) error {
	if _, err := x.idx.r.ReadAt(rec, x.idx.recordsAt+int64(i)*recordSize); err != nil {
		if errors.Is(err, io.EOF) {
			return corrupt(x.idx.path, "the file was truncated after it was opened")
		}
		return fmt.Errorf("crl index %s: %w", x.idx.path, err)
	}
	if !validKey(rec[:keyLen]) || rec[offFlags]&^knownFlags != 0 || rec[offReason] >= 0x80 && rec[offReason] != noReason {
		return corrupt(x.idx.path, "record %d is damaged", i)
	}
	return nil
}

func (x *Index) close() error {
	closer := x.idx.closer
	x.idx.r, x.idx.closer = nil, nil
	if closer == nil {
		return nil
	}
	return closer.Close()
}
