package fetch

import (
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		timeout, size string
		wantT         time.Duration
		wantS         int64
		bad           bool
	}{
		{"", "", 0, 0, false},
		{"30s", "512MiB", 30 * time.Second, 512 << 20, false},
		{"2m", "1GiB", 2 * time.Minute, 1 << 30, false},
		{"", "1000", 0, 1000, false},
		{"", "10 K", 0, 10 << 10, false},
		{"soon", "", 0, 0, true},
		{"-1s", "", 0, 0, true},
		{"", "lots", 0, 0, true},
		{"", "0", 0, 0, true},
	} {
		env := map[string]string{EnvTimeout: tc.timeout, EnvMaxSize: tc.size}
		c, err := FromEnv(func(k string) string { return env[k] })
		if tc.bad {
			if err == nil {
				t.Errorf("%q %q: no error", tc.timeout, tc.size)
			}
			continue
		}
		if err != nil || c.Timeout != tc.wantT || c.MaxSize != tc.wantS {
			t.Errorf("%q %q: %+v %v", tc.timeout, tc.size, c, err)
		}
	}
}
