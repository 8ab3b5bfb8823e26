package signer

import (
	"bufio"
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// derThreshold is the largest content an attached signature holds in
// memory and writes as DER. Larger content (or content of unknown size
// that turns out larger) is streamed as BER with indefinite lengths, as
// OpenSSL `cms -stream` writes it, so memory stays bounded for any size.
const derThreshold = 8 << 20

// chunkSize is the buffer content is read and hashed with, and the size of
// each OCTET STRING segment of streamed content.
const chunkSize = 64 << 10

// signing is a key ready to sign with, and its algorithms.
type signing struct {
	key    Key
	opts   SignOptions
	choice sigalg.Choice
}

func newSigning(key Key, opts SignOptions) (*signing, error) {
	if key.Certificate == nil || key.Signer == nil {
		return nil, newError(reasonCantSign, map[string]any{"Detail": "no certificate or no private key"}, nil)
	}
	choice, err := sigalg.For(key.Certificate)
	if err != nil {
		return nil, newError(reasonCantSign, map[string]any{"Detail": err.Error()}, err)
	}
	pub, err := sigalg.PublicKey(key.Certificate)
	if err != nil {
		return nil, newError(reasonCantSign, map[string]any{"Detail": err.Error()}, err)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if eq, ok := key.Signer.Public().(equaler); !ok || !eq.Equal(pub) {
		return nil, newError(reasonCantSign, map[string]any{"Detail": "the private key does not belong to the certificate"}, nil)
	}
	return &signing{key: key, opts: opts, choice: choice}, nil
}

func (s *signing) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// certificates are the signer's certificate then opts.Certificates, each
// once.
func (s *signing) certificates() [][]byte {
	var out [][]byte
	for _, c := range append([]*cert.Certificate{s.key.Certificate}, s.opts.Certificates...) {
		if c != nil && !slices.ContainsFunc(out, func(b []byte) bool { return bytes.Equal(b, c.Raw) }) {
			out = append(out, c.Raw)
		}
	}
	return out
}

// signerInfo makes a version 1 SignerInfo (issuerAndSerialNumber) with the
// CAdES-BES signed attributes for content of contentType whose digest
// (with s.choice.Digest) is digest.
func (s *signing) signerInfo(contentType asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	c := s.key.Certificate
	essHash := oid.SHA256
	if s.choice.Digest.OID.Equal(oid.Streebog256) || s.choice.Digest.OID.Equal(oid.Streebog512) {
		essHash = oid.Streebog256
	}
	certHash, err := sigalg.Sum(essHash, c.Raw)
	if err != nil {
		return nil, err
	}
	attrs := [][]byte{
		attributeDER(oid.AttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) }),
		attributeDER(oid.AttrSigningTime, func(b *cryptobyte.Builder) { addTime(b, s.now()) }),
		attributeDER(oid.AttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }),
		attributeDER(oid.AttrSigningCertificateV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						if !essHash.Equal(oid.SHA256) { // SHA-256 is the DEFAULT, omitted in DER
							addAlgorithm(b, sigalg.Identifier{OID: essHash})
						}
						b.AddASN1OctetString(certHash)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
								b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
									b.AddBytes(c.RawIssuer)
								})
							})
							b.AddASN1BigInt(c.SerialNumber)
						})
					})
				})
			})
		}),
	}
	// DER orders a SET OF by the encodings.
	slices.SortFunc(attrs, bytes.Compare)
	body := bytes.Join(attrs, nil)
	signedAttrs := append(header(classUniversal, true, tagSet, len(body)), body...)
	sig, err := sigalg.SignMessage(s.opts.Rand, s.key.Signer, s.choice.Digest.OID, signedAttrs)
	if err != nil {
		var coded interface{ Code() string }
		if errors.As(err, &coded) {
			// A token's own account (removed, PIN locked…) says more
			// than "could not sign".
			return nil, err
		}
		return nil, newError(reasonCantSign, map[string]any{"Detail": err.Error()}, err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
			b.AddBytes(c.RawIssuer)
			b.AddASN1BigInt(c.SerialNumber)
		})
		addAlgorithm(b, s.choice.Digest)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddBytes(body)
		})
		addAlgorithm(b, s.choice.Signature)
		b.AddASN1OctetString(sig)
	})
	return b.Bytes()
}

func attributeDER(t asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(t)
		b.AddASN1(cbasn1.SET, value)
	})
	return b.BytesOrPanic()
}

// addTime writes signingTime as RFC 5652 11.3 says: UTCTime for 1950-2049,
// GeneralizedTime otherwise; whole seconds, UTC.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}

// parts are the pieces of a SignedData other than its content.
type parts struct {
	version     int64
	digestAlgs  []sigalg.Identifier
	contentType asn1.ObjectIdentifier
	certs       [][]byte
	crls        [][]byte
	signers     [][]byte
}

func (p *parts) addDigestAlg(id sigalg.Identifier) {
	for _, a := range p.digestAlgs {
		if a.OID.Equal(id.OID) {
			return
		}
	}
	p.digestAlgs = append(p.digestAlgs, sigalg.Identifier{OID: id.OID})
}

// head is version, digestAlgorithms, as DER.
func (p *parts) head() []byte {
	var algs [][]byte
	for _, a := range p.digestAlgs {
		var b cryptobyte.Builder
		addAlgorithm(&b, a)
		algs = append(algs, b.BytesOrPanic())
	}
	slices.SortFunc(algs, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1Int64(p.version)
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range algs {
			b.AddBytes(a)
		}
	})
	return b.BytesOrPanic()
}

// tail is certificates, crls and signerInfos, as DER.
func (p *parts) tail() []byte {
	var b cryptobyte.Builder
	if len(p.certs) > 0 {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			for _, c := range p.certs {
				b.AddBytes(c)
			}
		})
	}
	if len(p.crls) > 0 {
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			for _, c := range p.crls {
				b.AddBytes(c)
			}
		})
	}
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, s := range p.signers {
			b.AddBytes(s)
		}
	})
	return b.BytesOrPanic()
}

// fixVersion sets the SignedData version RFC 5652 5.1 requires: 3 when a
// SignerInfo is version 3 or the content is not id-data, else 1 (never
// lowering what an existing signature said).
func (p *parts) fixVersion(existing int64) {
	v := int64(1)
	if !p.contentType.Equal(oid.ContentData) {
		v = 3
	}
	for _, s := range p.signers {
		if si, err := parseSignerInfo(s); err == nil && si.version == 3 {
			v = 3
		}
	}
	p.version = max(v, existing)
}

func oidDER(id asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(id)
	return b.BytesOrPanic()
}

func header(class byte, constructed bool, tag uint32, length int) []byte {
	return appendHeader(nil, class, constructed, tag, length)
}

// writeDER writes the whole ContentInfo in DER, with content when
// attached, without copying the content.
func writeDER(w io.Writer, p *parts, content []byte, attached bool) error {
	head, tail, ct := p.head(), p.tail(), oidDER(p.contentType)
	var octets, eContent []byte
	encapLen := len(ct)
	if attached {
		octets = header(classUniversal, false, tagOctetString, len(content))
		eLen := len(octets) + len(content)
		eContent = header(classContext, true, 0, eLen)
		encapLen += len(eContent) + eLen
	}
	encap := header(classUniversal, true, tagSequence, encapLen)
	sdLen := len(head) + len(encap) + encapLen + len(tail)
	sd := header(classUniversal, true, tagSequence, sdLen)
	explicit := header(classContext, true, 0, len(sd)+sdLen)
	signedDataOID := oidDER(oid.ContentSignedData)
	ci := header(classUniversal, true, tagSequence, len(signedDataOID)+len(explicit)+len(sd)+sdLen)
	pieces := [][]byte{ci, signedDataOID, explicit, sd, head, encap, ct, eContent, octets, content, tail}
	for _, piece := range pieces {
		if _, err := w.Write(piece); err != nil {
			return err
		}
	}
	return nil
}

// berStart and berEnd frame content streamed in BER: ContentInfo,
// [0], SignedData, encapContentInfo, eContent [0] and the constructed
// OCTET STRING all with indefinite lengths (as OpenSSL -stream writes).
func berStart(p *parts) []byte {
	out := []byte{0x30, 0x80}
	out = append(out, oidDER(oid.ContentSignedData)...)
	out = append(out, 0xa0, 0x80, 0x30, 0x80)
	out = append(out, p.head()...)
	out = append(out, 0x30, 0x80)
	out = append(out, oidDER(p.contentType)...)
	return append(out, 0xa0, 0x80, 0x24, 0x80)
}

func berEnd(p *parts) []byte {
	out := []byte{0, 0, 0, 0, 0, 0} // OCTET STRING, eContent, encapContentInfo
	out = append(out, p.tail()...)
	return append(out, 0, 0, 0, 0, 0, 0) // SignedData, [0], ContentInfo
}

// attachedWriter writes an attached signature around content written to
// it: up to derThreshold bytes are kept and finish writes DER; beyond
// that it streams BER segments and finish ends the BER.
type attachedWriter struct {
	out       *bufio.Writer
	p         *parts
	buf       []byte
	streaming bool
	n         int64
}

func newAttachedWriter(w io.Writer, p *parts, sizeHint int64) (*attachedWriter, error) {
	a := &attachedWriter{out: bufio.NewWriterSize(w, chunkSize+16), p: p}
	if sizeHint > derThreshold {
		if err := a.startStreaming(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *attachedWriter) startStreaming() error {
	a.streaming = true
	if _, err := a.out.Write(berStart(a.p)); err != nil {
		return err
	}
	buf := a.buf
	a.buf = nil
	for len(buf) > 0 {
		n := min(len(buf), chunkSize)
		if err := a.segment(buf[:n]); err != nil {
			return err
		}
		buf = buf[n:]
	}
	return nil
}

func (a *attachedWriter) segment(p []byte) error {
	if _, err := a.out.Write(header(classUniversal, false, tagOctetString, len(p))); err != nil {
		return err
	}
	_, err := a.out.Write(p)
	return err
}

func (a *attachedWriter) Write(p []byte) (int, error) {
	a.n += int64(len(p))
	if !a.streaming {
		if len(a.buf)+len(p) <= derThreshold {
			a.buf = append(a.buf, p...)
			return len(p), nil
		}
		if err := a.startStreaming(); err != nil {
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := a.segment(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish writes what follows the content (p's certificates and signers
// are complete by now).
func (a *attachedWriter) finish() error {
	if a.streaming {
		if _, err := a.out.Write(berEnd(a.p)); err != nil {
			return err
		}
	} else if err := writeDER(a.out, a.p, a.buf, true); err != nil {
		return err
	}
	return a.out.Flush()
}

// output wraps w in PEM armour when asked; close ends the armour.
func output(w io.Writer, pem bool) (io.Writer, func() error, error) {
	if !pem {
		return w, func() error { return nil }, nil
	}
	pw, err := newPEMWriter(w, pemLabel)
	if err != nil {
		return nil, nil, err
	}
	return pw, pw.Close, nil
}

// SignDetached reads the content once and returns a detached CAdES-BES
// signature (DER, or PEM when opts.PEM).
func SignDetached(content io.Reader, key Key, opts SignOptions) ([]byte, Signed, error) {
	s, err := newSigning(key, opts)
	if err != nil {
		return nil, Signed{}, err
	}
	d := newDigester([]asn1.ObjectIdentifier{s.choice.Digest.OID})
	n, err := io.CopyBuffer(onlyWriter{d}, content, opts.chunk())
	if err != nil {
		return nil, Signed{}, newError(reasonReadFailed, map[string]any{"Detail": "reading the document"}, err)
	}
	digest := d.sum(s.choice.Digest.OID)
	si, err := s.signerInfo(oid.ContentData, digest)
	if err != nil {
		return nil, Signed{}, err
	}
	p := &parts{contentType: oid.ContentData, certs: s.certificates(), signers: [][]byte{si}}
	p.addDigestAlg(s.choice.Digest)
	p.fixVersion(1)
	var buf bytes.Buffer
	w, closeOut, err := output(&buf, opts.PEM)
	if err != nil {
		return nil, Signed{}, err
	}
	if err := writeDER(w, p, nil, false); err != nil {
		return nil, Signed{}, err
	}
	if err := closeOut(); err != nil {
		return nil, Signed{}, err
	}
	return buf.Bytes(), Signed{DigestAlgorithm: s.choice.Digest.OID, Digest: digest, Size: n}, nil
}

// Sign writes an attached signature to w, streaming the content (size
// bytes, or -1 when unknown) through; memory stays bounded for any size.
// Content up to 8 MiB gives DER; larger content gives BER with indefinite
// lengths and the content in 64 KiB OCTET STRING segments.
func Sign(w io.Writer, content io.Reader, size int64, key Key, opts SignOptions) (Signed, error) {
	s, err := newSigning(key, opts)
	if err != nil {
		return Signed{}, err
	}
	p := &parts{contentType: oid.ContentData, certs: s.certificates()}
	p.addDigestAlg(s.choice.Digest)
	p.version = 1 // our SignerInfo is version 1 and the content id-data
	out, closeOut, err := output(w, opts.PEM)
	if err != nil {
		return Signed{}, err
	}
	a, err := newAttachedWriter(out, p, size)
	if err != nil {
		return Signed{}, err
	}
	d := newDigester([]asn1.ObjectIdentifier{s.choice.Digest.OID})
	n, err := io.CopyBuffer(io.MultiWriter(d, a), content, opts.chunk())
	if err != nil {
		return Signed{}, fmt.Errorf("signing: %w", err)
	}
	digest := d.sum(s.choice.Digest.OID)
	si, err := s.signerInfo(oid.ContentData, digest)
	if err != nil {
		return Signed{}, err
	}
	p.signers = [][]byte{si}
	if err := a.finish(); err != nil {
		return Signed{}, err
	}
	if err := closeOut(); err != nil {
		return Signed{}, err
	}
	return Signed{DigestAlgorithm: s.choice.Digest.OID, Digest: digest, Size: n}, nil
}
