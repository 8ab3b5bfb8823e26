package ocsp

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestOCSPGeneralizedTime(t *testing.T) {
	tests := []struct {
		text string
		want time.Time // zero: an error
	}{
		{"20250102030405Z", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"20250102030405.876Z", time.Date(2025, 1, 2, 3, 4, 5, 876e6, time.UTC)},
		{"20250102030405,5Z", time.Date(2025, 1, 2, 3, 4, 5, 5e8, time.UTC)},
		{"20250102030405+0300", time.Date(2025, 1, 2, 0, 4, 5, 0, time.UTC)},
		{"20250102030405-0130", time.Date(2025, 1, 2, 4, 34, 5, 0, time.UTC)},
		{"20250102030405", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"20240229000000Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"20250229000000Z", time.Time{}},
		{"20251301000000Z", time.Time{}},
		{"20250102240000Z", time.Time{}},
		// As in certificates: a leap second, and seconds left out (BER).
		{"20250102030460Z", time.Date(2025, 1, 2, 3, 5, 0, 0, time.UTC)},
		{"202501020304Z", time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC)},
		{"20250102030405.Z", time.Time{}},
		{"20250102030405+03", time.Time{}},
		{"20250102030405+2400", time.Time{}},
		{"20250102030405Zjunk", time.Time{}},
		{"2025O102030405Z", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, err := parseGeneralizedTime(tt.text)
		if tt.want.IsZero() {
			if err == nil || !errors.Is(err, ErrBadValue) {
				t.Errorf("%q: %s, %v; want an ErrBadValue", tt.text, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("%q: %s, %v; want %s", tt.text, got, err, tt.want)
		}
	}
}

func TestOCSPNonceValue(t *testing.T) {
	tests := []struct{ extnValue, want []byte }{
		{[]byte{0x04, 0x03, 'a', 'b', 'c'}, []byte("abc")},                           // RFC 8954, OpenSSL
		{[]byte("abc"), []byte("abc")},                                               // bare
		{[]byte{0x04, 0x03, 'a', 'b', 'c', 0}, []byte{0x04, 0x03, 'a', 'b', 'c', 0}}, // not one OCTET STRING: bare
	}
	for _, tt := range tests {
		if got := nonceValue(tt.extnValue); !bytes.Equal(got, tt.want) {
			t.Errorf("nonceValue(% x) = % x, want % x", tt.extnValue, got, tt.want)
		}
	}
}
