package signer

import (
	"encoding/asn1"
	"errors"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// maxParts bounds the bytes of everything a signature holds besides its
// content (certificates, CRLs, SignerInfos), which is read into memory.
// Real signatures carry a few kilobytes; a CRL-laden one some megabytes.
const maxParts = 32 << 20

// contentSink is told what the signature is once encapContentInfo has been
// read (sd.contentType, sd.attached, sd.digestAlgs) and returns where the
// content goes (nil: discarded), or an error that stops the parse.
type contentSink func(sd *signedData) (io.Writer, error)

// parseSignedData reads a ContentInfo holding SignedData, DER or BER, from
// r, streaming eContent to the sink as it goes by. What follows the
// content (certificates, CRLs, SignerInfos) is read after it.
func parseSignedData(r io.Reader, sink contentSink) (*signedData, error) {
	b := newBERReader(r)
	sd := &signedData{}
	budget := int64(maxParts)

	h, err := b.readHeader()
	if err != nil && !errors.Is(err, errTruncated) && !errors.Is(err, errMalformed) {
		return nil, parseError("ContentInfo", err) // the text decoder's or the reader's error
	}
	if err != nil || !h.is(classUniversal, true, tagSequence) {
		return nil, newError(reasonNotCMS, map[string]any{"Detail": "it does not start with an ASN.1 SEQUENCE"}, err)
	}
	contentInfo := b.open(h)
	contentType, err := readOID(b, "ContentInfo contentType")
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Reason == reasonMalformed {
			return nil, newError(reasonNotCMS, map[string]any{"Detail": "no content type"}, err)
		}
		return nil, err
	}
	if !contentType.Equal(oid.ContentSignedData) {
		return nil, newError(reasonNotSignedData, map[string]any{"Detail": contentTypeName(contentType), "ContentType": contentType.String()}, nil)
	}
	explicit, err := expect(b, classContext, true, 0, "ContentInfo content")
	if err != nil {
		return nil, err
	}
	content := b.open(explicit)
	seq, err := expect(b, classUniversal, true, tagSequence, "SignedData")
	if err != nil {
		return nil, err
	}
	signedDataFrame := b.open(seq)

	// version and digestAlgorithms.
	version, err := readSmall(b, classUniversal, false, tagInteger, "SignedData version", 64, &budget)
	if err != nil {
		return nil, err
	}
	vs := cryptobyte.String(version)
	if !vs.ReadASN1Int64WithTag(&sd.version, cbasn1.INTEGER) {
		return nil, malformedf("SignedData version")
	}
	algs, err := readSmall(b, classUniversal, true, tagSet, "SignedData digestAlgorithms", 1<<16, &budget)
	if err != nil {
		return nil, err
	}
	as := cryptobyte.String(algs)
	var set cryptobyte.String
	as.ReadASN1(&set, cbasn1.SET)
	for !set.Empty() {
		alg, ok := readAlgorithm(&set)
		if !ok {
			return nil, malformedf("SignedData digestAlgorithms")
		}
		sd.digestAlgs = append(sd.digestAlgs, alg)
	}

	// encapContentInfo, streaming the content.
	encap, err := expect(b, classUniversal, true, tagSequence, "encapContentInfo")
	if err != nil {
		return nil, err
	}
	encapFrame := b.open(encap)
	if sd.contentType, err = readOID(b, "eContentType"); err != nil {
		return nil, err
	}
	hasContent, err := b.more(encapFrame)
	if err != nil {
		return nil, parseError("encapContentInfo", err)
	}
	sd.attached = hasContent
	w, err := sink(sd)
	if err != nil {
		return nil, err
	}
	if w == nil {
		w = io.Discard
	}
	if hasContent {
		eContent, err := expect(b, classContext, true, 0, "eContent")
		if err != nil {
			return nil, err
		}
		eFrame := b.open(eContent)
		octets, err := b.readHeader()
		if err != nil {
			return nil, parseError("eContent", err)
		}
		if !octets.is(classUniversal, octets.constructed, tagOctetString) {
			return nil, malformedf("eContent is %s, not an OCTET STRING", octets)
		}
		buf := make([]byte, 64<<10)
		if sd.contentSize, err = b.streamOctets(octets, onlyWriter{w}, buf, 0); err != nil {
			return nil, parseError("eContent", err)
		}
		if err := b.close(eFrame); err != nil {
			return nil, parseError("eContent", err)
		}
	}
	if err := b.close(encapFrame); err != nil {
		return nil, parseError("encapContentInfo", err)
	}

	// certificates [0], crls [1], signerInfos SET.
	sawSigners := false
	for {
		more, err := b.more(signedDataFrame)
		if err != nil {
			return nil, parseError("SignedData", err)
		}
		if !more {
			break
		}
		h, err := b.readHeader()
		if err != nil {
			return nil, parseError("SignedData", err)
		}
		switch {
		case h.is(classContext, true, 0) && !sawSigners:
			err = readChildren(b, h, "certificates", &budget, func(der []byte) error {
				sd.rawCerts = append(sd.rawCerts, der)
				if der[0] != 0x30 { // other CertificateChoices: attribute certificates etc.
					return nil
				}
				if c, err := cert.Parse(der); err == nil {
					sd.certs = append(sd.certs, c)
				} else {
					sd.badCerts++
				}
				return nil
			})
		case h.is(classContext, true, 1) && !sawSigners:
			err = readChildren(b, h, "crls", &budget, func(der []byte) error {
				sd.rawCRLs = append(sd.rawCRLs, der)
				return nil
			})
		case h.is(classUniversal, true, tagSet) && !sawSigners:
			sawSigners = true
			err = readChildren(b, h, "signerInfos", &budget, func(der []byte) error {
				si, err := parseSignerInfo(der)
				if err != nil {
					return err
				}
				sd.signers = append(sd.signers, si)
				return nil
			})
		default:
			return nil, malformedf("SignedData holds an unexpected %s", h)
		}
		if err != nil {
			return nil, err
		}
	}
	if !sawSigners {
		return nil, malformedf("SignedData has no signerInfos")
	}
	if err := b.close(content); err != nil {
		return nil, parseError("ContentInfo", err)
	}
	if err := b.close(contentInfo); err != nil {
		return nil, parseError("ContentInfo", err)
	}
	return sd, nil
}

// expect reads a header and checks it is the element wanted.
func expect(b *berReader, class byte, constructed bool, tag uint32, what string) (berHeader, error) {
	h, err := b.readHeader()
	if err != nil {
		return h, parseError(what, err)
	}
	if !h.is(class, constructed, tag) {
		return h, malformedf("%s is %s", what, h)
	}
	return h, nil
}

// readSmall reads a whole small element, checked and normalised to DER.
func readSmall(b *berReader, class byte, constructed bool, tag uint32, what string, limit int64, budget *int64) ([]byte, error) {
	h, err := expect(b, class, constructed, tag, what)
	if err != nil {
		return nil, err
	}
	return readNormalised(b, h, what, min(limit, *budget), budget)
}

func readNormalised(b *berReader, h berHeader, what string, limit int64, budget *int64) ([]byte, error) {
	raw, err := b.readElement(h, limit)
	if err != nil {
		return nil, parseError(what, err)
	}
	*budget -= int64(len(raw))
	der, err := toDER(raw)
	if err != nil {
		return nil, parseError(what, err)
	}
	return der, nil
}

// readChildren reads each child of the constructed element h (DER) and
// hands it to visit.
func readChildren(b *berReader, h berHeader, what string, budget *int64, visit func(der []byte) error) error {
	f := b.open(h)
	for {
		more, err := b.more(f)
		if err != nil {
			return parseError(what, err)
		}
		if !more {
			return nil
		}
		kid, err := b.readHeader()
		if err != nil {
			return parseError(what, err)
		}
		if *budget <= 0 {
			return malformedf("%s: more than %d bytes", what, maxParts)
		}
		der, err := readNormalised(b, kid, what, *budget, budget)
		if err != nil {
			return err
		}
		if err := visit(der); err != nil {
			return err
		}
	}
}

// readOID reads an OBJECT IDENTIFIER element.
func readOID(b *berReader, what string) (asn1.ObjectIdentifier, error) {
	var budget int64 = 256
	der, err := readSmall(b, classUniversal, false, tagOID, what, 256, &budget)
	if err != nil {
		return nil, err
	}
	s := cryptobyte.String(der)
	var id asn1.ObjectIdentifier
	if !s.ReadASN1ObjectIdentifier(&id) {
		return nil, malformedf("%s", what)
	}
	return id, nil
}

// contentTypeName names the CMS content types people may hand us instead
// of a signature.
func contentTypeName(t asn1.ObjectIdentifier) string {
	names := map[string]string{
		"1.2.840.113549.1.7.1":      "data",
		"1.2.840.113549.1.7.3":      "envelopedData (an encrypted file)",
		"1.2.840.113549.1.7.5":      "digestedData",
		"1.2.840.113549.1.7.6":      "encryptedData",
		"1.2.840.113549.1.9.16.1.2": "authData",
	}
	if n, ok := names[t.String()]; ok {
		return n
	}
	return t.String()
}

// digester hashes content with several digest algorithms at once.
type digester struct {
	algs   []asn1.ObjectIdentifier
	hashes []hash.Hash
	w      io.Writer
}

// newDigester hashes with every supported algorithm of algs (duplicates
// and unsupported ones left out: their signers report them).
func newDigester(algs []asn1.ObjectIdentifier) *digester {
	d := &digester{}
	var writers []io.Writer
	for _, alg := range algs {
		if d.has(alg) {
			continue
		}
		h, err := sigalg.NewHash(alg)
		if err != nil {
			continue
		}
		d.algs = append(d.algs, alg)
		d.hashes = append(d.hashes, h)
		writers = append(writers, h)
	}
	switch len(writers) {
	case 0:
		d.w = io.Discard
	case 1:
		d.w = writers[0]
	default:
		d.w = io.MultiWriter(writers...)
	}
	return d
}

func (d *digester) has(alg asn1.ObjectIdentifier) bool {
	for _, a := range d.algs {
		if a.Equal(alg) {
			return true
		}
	}
	return false
}

func (d *digester) Write(p []byte) (int, error) { return d.w.Write(p) }

// sum returns the digest with alg, or nil when alg was not hashed.
func (d *digester) sum(alg asn1.ObjectIdentifier) []byte {
	for i, a := range d.algs {
		if a.Equal(alg) {
			return d.hashes[i].Sum(nil)
		}
	}
	return nil
}

// digestOIDs lists the OIDs of ids.
func digestOIDs(ids []sigalg.Identifier) []asn1.ObjectIdentifier {
	out := make([]asn1.ObjectIdentifier, len(ids))
	for i, id := range ids {
		out[i] = id.OID
	}
	return out
}
