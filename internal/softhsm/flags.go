package softhsm

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// SoftHSM2 never locks a PIN: after any number of wrong PINs it only sets
// CKF_USER_PIN_COUNT_LOW, and it lets the right PIN in even when the
// token's flags say the PIN is locked. To show the core a token that is
// locked, on its final try or with a PIN to be changed, the fixture edits
// the flags SoftHSM2 keeps in the token's object file.
//
// The file backend's format (SoftHSM2 2.x, src/lib/object_store/
// ObjectFile.cpp): an 8-byte big-endian generation number, then records
// of attribute type (8 bytes), value kind (8 bytes) and value, all
// integers big-endian:
//
//	kind 1 boolean        1 byte
//	kind 2 unsigned long  8 bytes
//	kind 3 byte string    8-byte length, then the bytes
//	kind 4 attribute map  8-byte length in bytes, then nested records
//	kind 5 mechanism set  8-byte count, then 8 bytes per mechanism
//
// The token's flags are the unsigned long CKA_OS_TOKENFLAGS, the serial
// the byte string CKA_OS_TOKENSERIAL (SoftHSM2's vendor attributes).
const (
	attrOSTokenLabel  uint64 = 0x80005349
	attrOSTokenSerial uint64 = 0x8000534A
	attrOSTokenFlags  uint64 = 0x8000534B

	kindBool   uint64 = 1
	kindULong  uint64 = 2
	kindBytes  uint64 = 3
	kindAttrs  uint64 = 4
	kindMechs  uint64 = 5
	maxObjSize        = 1 << 30 // SoftHSM2's own limit on a byte string
)

// ObjectFileError says why a SoftHSM2 object file could not be read.
type ObjectFileError struct {
	Offset int // where in the file the problem is
	Reason string
}

func (e *ObjectFileError) Error() string {
	return fmt.Sprintf("softhsm object file: at byte %d: %s", e.Offset, e.Reason)
}

// ObjectAttr is one attribute record of an object file.
type ObjectAttr struct {
	Type        uint64
	Kind        uint64
	Value       []byte // the value's bytes as stored (for kind 2, 8 bytes big-endian)
	ValueOffset int    // where Value starts in the file
}

// ObjectFile is a parsed SoftHSM2 object file.
type ObjectFile struct {
	Generation uint64
	Attrs      []ObjectAttr
}

// Attr returns the attribute of the type, or nil.
func (f *ObjectFile) Attr(typ uint64) *ObjectAttr {
	for i := range f.Attrs {
		if f.Attrs[i].Type == typ {
			return &f.Attrs[i]
		}
	}
	return nil
}

// ParseObjectFile parses a SoftHSM2 object file (file backend).
func ParseObjectFile(b []byte) (*ObjectFile, error) {
	s := cryptobyte.String(b)
	offset := func() int { return len(b) - len(s) }
	f := &ObjectFile{}
	if !s.ReadUint64(&f.Generation) {
		return nil, &ObjectFileError{Offset: offset(), Reason: "no generation number"}
	}
	for !s.Empty() {
		a, err := readRecord(&s, offset)
		if err != nil {
			return nil, err
		}
		f.Attrs = append(f.Attrs, a)
	}
	return f, nil
}

// readRecord reads one attribute record from s; offset tells where s is
// in the file.
func readRecord(s *cryptobyte.String, offset func() int) (ObjectAttr, error) {
	var a ObjectAttr
	start := offset()
	if !s.ReadUint64(&a.Type) || !s.ReadUint64(&a.Kind) {
		return a, &ObjectFileError{Offset: start, Reason: "truncated attribute header"}
	}
	var n uint64
	switch a.Kind {
	case kindBool:
		n = 1
	case kindULong:
		n = 8
	case kindBytes, kindAttrs:
		if !s.ReadUint64(&n) {
			return a, &ObjectFileError{Offset: offset(), Reason: fmt.Sprintf("attribute 0x%X: truncated length", a.Type)}
		}
	case kindMechs:
		var count uint64
		if !s.ReadUint64(&count) {
			return a, &ObjectFileError{Offset: offset(), Reason: fmt.Sprintf("attribute 0x%X: truncated mechanism count", a.Type)}
		}
		if count > maxObjSize/8 {
			return a, &ObjectFileError{Offset: offset(), Reason: fmt.Sprintf("attribute 0x%X: %d mechanisms", a.Type, count)}
		}
		n = count * 8
	default:
		return a, &ObjectFileError{Offset: start, Reason: fmt.Sprintf("attribute 0x%X: unknown value kind %d", a.Type, a.Kind)}
	}
	if n > maxObjSize {
		return a, &ObjectFileError{Offset: offset(), Reason: fmt.Sprintf("attribute 0x%X: value of %d bytes", a.Type, n)}
	}
	a.ValueOffset = offset()
	var v []byte
	if !s.ReadBytes(&v, int(n)) {
		return a, &ObjectFileError{Offset: a.ValueOffset, Reason: fmt.Sprintf("attribute 0x%X: value of %d bytes is cut short", a.Type, n)}
	}
	if a.Kind == kindAttrs {
		nested := cryptobyte.String(v)
		base := a.ValueOffset
		nestedOffset := func() int { return base + len(v) - len(nested) }
		for !nested.Empty() {
			if _, err := readRecord(&nested, nestedOffset); err != nil {
				return a, err
			}
		}
	}
	a.Value = v
	return a, nil
}

// tokenObjectPath finds the object file of the token with serial among
// the token folder's <uuid>/token.object files.
func (t *Token) tokenObjectPath() (string, *ObjectFile, []byte, error) {
	paths, err := filepath.Glob(filepath.Join(t.TokenDir, "*", "token.object"))
	if err != nil {
		return "", nil, nil, err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", nil, nil, err
		}
		f, err := ParseObjectFile(b)
		if err != nil {
			return "", nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		if a := f.Attr(attrOSTokenSerial); a != nil && a.Kind == kindBytes && string(a.Value) == t.serial {
			return p, f, b, nil
		}
	}
	return "", nil, nil, fmt.Errorf("no token.object with serial %s in %s", t.serial, t.TokenDir)
}

// Flags returns the token flags SoftHSM2 has stored (what C_GetTokenInfo
// reports).
func (t *Token) Flags(tb testing.TB) uint {
	tb.Helper()
	_, f, _, err := t.tokenObjectPath()
	if err != nil {
		tb.Fatalf("softhsm: %v", err)
	}
	a := f.Attr(attrOSTokenFlags)
	if a == nil || a.Kind != kindULong {
		tb.Fatalf("softhsm: the token object has no CKA_OS_TOKENFLAGS")
	}
	return uint(binary.BigEndian.Uint64(a.Value))
}

// SetFlags sets the flags in set and clears those in clear among the
// token flags SoftHSM2 stores (token.TokenUserPINLocked,
// TokenUserPINFinalTry, TokenUserPINCountLow, TokenUserPINToBeChanged...),
// and bumps the file's generation number. A SoftHSM2 already loaded in
// the process sees the change at its next C_GetTokenInfo (it re-reads an
// object file whose generation moved; checked with SoftHSM2 2.6);
// token.Library.Reload() after SetFlags is the belt and braces. SoftHSM2
// keeps the flags it does not manage itself: a right PIN clears only
// COUNT_LOW, a wrong one sets only COUNT_LOW, and a token marked locked
// still lets the right PIN in — refusing to log in to it is up to the
// caller.
func (t *Token) SetFlags(tb testing.TB, set, clear uint) {
	tb.Helper()
	path, f, b, err := t.tokenObjectPath()
	if err != nil {
		tb.Fatalf("softhsm: %v", err)
	}
	a := f.Attr(attrOSTokenFlags)
	if a == nil || a.Kind != kindULong {
		tb.Fatalf("softhsm: %s has no CKA_OS_TOKENFLAGS", path)
	}
	flags := binary.BigEndian.Uint64(a.Value)
	flags = flags&^uint64(clear) | uint64(set)
	out := make([]byte, len(b))
	copy(out, b)
	binary.BigEndian.PutUint64(out[a.ValueOffset:], flags)
	binary.BigEndian.PutUint64(out[0:], f.Generation+1)
	// Replace the file whole, so SoftHSM2 never reads half of it.
	tmp := path + ".podpis-tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		tb.Fatalf("softhsm: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		tb.Fatalf("softhsm: %v", err)
	}
}
