package streebog

import (
	"bytes"
	"encoding"
	"hash"
	"testing"
)

// FuzzStreebog writes data in three pieces cut at the given points and
// expects the one-shot digest, for both variants; it also feeds data to
// UnmarshalBinary, which must reject it cleanly or leave a usable hash.
func FuzzStreebog(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0))
	f.Add(exampleM1, uint16(1), uint16(62))
	f.Add(bytes.Repeat([]byte{0xff}, 200), uint16(64), uint16(128))
	saved, _ := New256().(encoding.BinaryMarshaler).MarshalBinary()
	f.Add(saved, uint16(7), uint16(100))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16) {
		a, b := int(cut1)%(len(data)+1), int(cut2)%(len(data)+1)
		if a > b {
			a, b = b, a
		}
		for _, newHash := range []func() hash.Hash{New256, New512} {
			h := newHash()
			h.Write(data[:a])
			mid := h.Sum(nil)
			h.Write(data[a:b])
			h.Write(data[b:])
			if got, want := h.Sum(nil), oneShot(newHash, data); !bytes.Equal(got, want) {
				t.Fatalf("%d-bit, cuts %d/%d: %x, want %x", h.Size()*8, a, b, got, want)
			}
			if want := oneShot(newHash, data[:a]); !bytes.Equal(mid, want) {
				t.Fatalf("%d-bit, Sum mid-stream at %d: %x, want %x", h.Size()*8, a, mid, want)
			}

			u := newHash()
			if err := u.(encoding.BinaryUnmarshaler).UnmarshalBinary(data); err == nil {
				// Accepted: it must hash on and save back to the same bytes.
				again, _ := u.(encoding.BinaryMarshaler).MarshalBinary()
				u.Write(data)
				u.Sum(nil)
				if n := int(data[len(data)-1]); !bytes.Equal(again[:len(again)-1-BlockSize+n], data[:len(data)-1-BlockSize+n]) {
					t.Fatalf("accepted state %x saves back as %x", data, again)
				}
			}
		}
	})
}
