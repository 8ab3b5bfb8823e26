package cert

import (
	"math/big"
	"testing"
)

func TestSerialHex(t *testing.T) {
	for _, tc := range []struct {
		serial *big.Int
		want   string
	}{
		{nil, ""},
		{big.NewInt(0), "00"},
		{big.NewInt(0x72d), "072d"},
		{big.NewInt(0xab), "ab"},
		{big.NewInt(-0x1234), "-1234"},
		{new(big.Int).Lsh(big.NewInt(1), 128), "0100000000000000000000000000000000"},
	} {
		c := &Certificate{SerialNumber: tc.serial}
		if got := c.SerialHex(); got != tc.want {
			t.Errorf("SerialHex(%v) = %q, want %q", tc.serial, got, tc.want)
		}
	}
}
