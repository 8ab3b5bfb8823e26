package fetch

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Environment variables that configure the client for the window and the
// CLI alike: a slow line wants a longer timeout, a CA with a huge CRL a
// larger cap.
const (
	EnvTimeout = "PODPIS_FETCH_TIMEOUT"  // a Go duration: "30s", "2m"
	EnvMaxSize = "PODPIS_FETCH_MAX_SIZE" // bytes, or with a suffix: "512MiB", "1GiB"
)

// FromEnv returns a client configured by EnvTimeout and EnvMaxSize (the
// defaults where unset). getenv is os.Getenv in the program.
func FromEnv(getenv func(string) string) (*Client, error) {
	c := &Client{}
	if v := strings.TrimSpace(getenv(EnvTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s=%q: want a duration such as 30s", EnvTimeout, v)
		}
		c.Timeout = d
	}
	if v := strings.TrimSpace(getenv(EnvMaxSize)); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvMaxSize, v, err)
		}
		c.MaxSize = n
	}
	return c, nil
}

func parseSize(v string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a positive size such as 256MiB")
	}
	return n * mult, nil
}
