package signer

import (
	"bytes"
	"encoding/hex"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// Cosign writes to w the signature read from sig with one more SignerInfo
// by key. content is the document of a detached signature (nil for an
// attached one, and ignored when the signature is attached); every
// existing signer's messageDigest must match it (else an *Error with reason
// "content-mismatch"). The form is kept: attached or detached, and
// text (PEM) when the input was PEM or Base64 or opts.PEM is set;
// opts.Attached is ignored.
//
// An attached signature is streamed: its content goes from sig to w as it
// is hashed (DER up to 8 MiB of content, BER beyond), so a mismatch found
// at the end leaves w partly written: write to an atomicfile and abort it
// on error.
func Cosign(w io.Writer, sig io.Reader, content io.Reader, key Key, opts SignOptions) (Signed, error) {
	s, err := newSigning(key, opts)
	if err != nil {
		return Signed{}, err
	}
	in, form, err := decodeInput(sig)
	if err != nil {
		return Signed{}, err
	}
	out, closeOut, err := output(w, opts.PEM || form != formBinary)
	if err != nil {
		return Signed{}, err
	}
	p := &parts{}
	var d *digester
	var attached *attachedWriter
	sd, err := parseSignedData(in, func(sd *signedData) (io.Writer, error) {
		if !sd.attached {
			if content == nil {
				return nil, newError(reasonContentNeeded, nil, nil)
			}
			return nil, nil
		}
		p.contentType = sd.contentType
		p.digestAlgs = append(p.digestAlgs, sd.digestAlgs...)
		p.addDigestAlg(s.choice.Digest)
		p.fixVersion(sd.version)
		d = newDigester(digestOIDs(p.digestAlgs))
		var err error
		if attached, err = newAttachedWriter(out, p, -1); err != nil {
			return nil, err
		}
		return io.MultiWriter(d, attached), nil
	})
	if err != nil {
		return Signed{}, err
	}
	size := sd.contentSize
	if !sd.attached {
		p.contentType = sd.contentType
		p.digestAlgs = append(p.digestAlgs, sd.digestAlgs...)
		p.addDigestAlg(s.choice.Digest)
		algs := digestOIDs(p.digestAlgs)
		for _, si := range sd.signers {
			algs = append(algs, si.digestAlg.OID)
		}
		d = newDigester(algs)
		if size, err = io.CopyBuffer(onlyWriter{d}, content, make([]byte, chunkSize)); err != nil {
			return Signed{}, newError(reasonReadFailed, map[string]any{"Detail": "reading the document"}, err)
		}
	}
	if err := checkExistingSigners(sd, d); err != nil {
		return Signed{}, err
	}
	digest := d.sum(s.choice.Digest.OID)
	si, err := s.signerInfo(sd.contentType, digest)
	if err != nil {
		return Signed{}, err
	}
	p.certs = append(p.certs, sd.rawCerts...)
	for _, c := range s.certificates() {
		if !containsBytes(p.certs, c) {
			p.certs = append(p.certs, c)
		}
	}
	p.crls = sd.rawCRLs
	for _, old := range sd.signers {
		p.signers = append(p.signers, old.raw)
	}
	p.signers = append(p.signers, si)
	p.fixVersion(sd.version)
	if sd.attached {
		err = attached.finish()
	} else {
		err = writeDER(out, p, nil, false)
	}
	if err != nil {
		return Signed{}, err
	}
	if err := closeOut(); err != nil {
		return Signed{}, err
	}
	return Signed{DigestAlgorithm: s.choice.Digest.OID, Digest: digest, Size: size}, nil
}

// checkExistingSigners compares every messageDigest attribute with the
// content's digest.
func checkExistingSigners(sd *signedData, d *digester) error {
	for i, si := range sd.signers {
		a, ok := si.attr(oid.AttrMessageDigest)
		if !ok || len(a.values) != 1 {
			continue // no messageDigest: nothing to compare without the key
		}
		s := cryptobyte.String(a.values[0])
		var md cryptobyte.String
		if !s.ReadASN1(&md, cbasn1.OCTET_STRING) {
			return malformedf("SignerInfo %d messageDigest", i+1)
		}
		digest := d.sum(si.digestAlg.OID)
		if digest == nil {
			err := &sigalg.UnsupportedError{Role: sigalg.RoleDigest, OID: si.digestAlg.OID}
			return newError(reasonUnsupported, map[string]any{"Algorithm": oid.ShortName(si.digestAlg.OID), "Detail": err.Error()}, err)
		}
		if !bytes.Equal(md, digest) {
			return newError(reasonContentMismatch, map[string]any{"Index": i + 1, "Detail": "messageDigest " + hex.EncodeToString(md) + " != " + hex.EncodeToString(digest)}, nil)
		}
	}
	return nil
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}
