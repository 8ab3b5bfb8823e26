package signer

import (
	"bytes"
	"errors"
	"io"
)

// errStop ends a parse once the sink has learnt what it wanted.
var errStop = errors.New("signer: stop")

// IsDetached tells from the start of a signature file (its first 64 KiB
// are always enough) whether it is detached. It reads DER, BER, PEM and
// bare Base64 as Verify does; the answer is known once encapContentInfo
// has been read, before any content.
func IsDetached(head []byte) (bool, error) {
	in, _, err := decodeInput(bytes.NewReader(head))
	if err != nil {
		return false, err
	}
	detached := false
	_, err = parseSignedData(in, func(sd *signedData) (io.Writer, error) {
		detached = !sd.attached
		return nil, errStop
	})
	if errors.Is(err, errStop) {
		return detached, nil
	}
	return false, err
}
