// Package fetch downloads what validation needs from the network: issuer
// certificates (AIA caIssuers), CRLs and OCSP answers. Every request has a
// timeout and a size cap, only http and https are spoken, and every attempt
// is recorded, answer and all, so a diagnosis can say which URL was tried
// and what it said.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults (issue 6): a CA's server that has not answered in 10 s will not;
// real CRLs reach tens of MB, so 256 MiB is generous but bounded.
const (
	DefaultTimeout = 10 * time.Second
	DefaultMaxSize = 256 << 20
)

// Client fetches over http and https. The zero value uses the defaults.
// It is safe for concurrent use.
type Client struct {
	Timeout time.Duration // per request, including the body; 0 means DefaultTimeout
	MaxSize int64         // bytes of a body; 0 means DefaultMaxSize
	// HTTP is the client to use; nil means one that honours the proxy
	// settings of the environment, as users behind a corporate proxy expect.
	HTTP *http.Client
	// UserAgent is sent with every request; "" means "podpis".
	UserAgent string
}

// Attempt is one request and its answer, for the report.
type Attempt struct {
	URL      string        `json:"url"`
	Method   string        `json:"method"`
	Purpose  string        `json:"purpose,omitempty"` // set by the caller: "aia", "crl", "delta-crl", "ocsp"
	Status   int           `json:"status,omitempty"`  // HTTP status; 0 when there was none
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration"`
	Started  time.Time     `json:"started"`
	// Error is the reason the attempt failed ("" when it succeeded); Reason
	// is its stable kind: "timeout", "too-large", "http-status",
	// "unsupported-scheme", "bad-url", "network", "cancelled".
	Error  string `json:"error,omitempty"`
	Reason string `json:"reason,omitempty"`
	// FromCache is true when no request was made: the answer came from the
	// cache (set by the caller that consulted it).
	FromCache bool `json:"from_cache,omitempty"`
}

// Error is why a fetch failed: Reason as in Attempt.
type Error struct {
	URL    string
	Reason string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("fetch %s: %s: %v", e.URL, e.Reason, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Failure reasons.
const (
	ReasonTimeout           = "timeout"
	ReasonTooLarge          = "too-large"
	ReasonHTTPStatus        = "http-status"
	ReasonUnsupportedScheme = "unsupported-scheme" // ldap://, file://...
	ReasonBadURL            = "bad-url"
	ReasonNetwork           = "network"
	ReasonCancelled         = "cancelled"
)

// ErrTooLarge is wrapped by the Error of a body over MaxSize.
var ErrTooLarge = errors.New("answer larger than the size cap")

func (c *Client) timeout() time.Duration {
	if c == nil || c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Client) maxSize() int64 {
	if c == nil || c.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return c.MaxSize
}

func (c *Client) client() *http.Client {
	if c != nil && c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
}

// CheckURL says whether u can be fetched at all: http or https with a host.
// ldap:// (common in Russian CDPs beside http) is ReasonUnsupportedScheme.
func CheckURL(u string) error {
	parsed, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return &Error{URL: u, Reason: ReasonBadURL, Err: err}
	}
	switch strings.ToLower(parsed.Scheme) {
	case "http", "https":
	default:
		return &Error{URL: u, Reason: ReasonUnsupportedScheme, Err: fmt.Errorf("scheme %q is not http or https", parsed.Scheme)}
	}
	if parsed.Host == "" {
		return &Error{URL: u, Reason: ReasonBadURL, Err: errors.New("no host")}
	}
	return nil
}

// Get downloads u. The Attempt is filled in whether or not it succeeds.
func (c *Client) Get(ctx context.Context, u string) ([]byte, Attempt, error) {
	return c.do(ctx, http.MethodGet, u, "", nil)
}

// Post sends body to u (OCSP over POST, RFC 6960 appendix A).
func (c *Client) Post(ctx context.Context, u, contentType string, body []byte) ([]byte, Attempt, error) {
	return c.do(ctx, http.MethodPost, u, contentType, body)
}

func (c *Client) do(ctx context.Context, method, u, contentType string, body []byte) ([]byte, Attempt, error) {
	a := Attempt{URL: u, Method: method, Started: time.Now()}
	data, status, err := c.exchange(ctx, method, u, contentType, body)
	a.Duration = time.Since(a.Started)
	a.Status = status
	a.Bytes = int64(len(data))
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			a.Reason = fe.Reason
		}
		a.Error = err.Error()
		return nil, a, err
	}
	return data, a, nil
}

func (c *Client) exchange(ctx context.Context, method, u, contentType string, body []byte) ([]byte, int, error) {
	if err := CheckURL(u); err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSpace(u), rd)
	if err != nil {
		return nil, 0, &Error{URL: u, Reason: ReasonBadURL, Err: err}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	ua := "podpis"
	if c != nil && c.UserAgent != "" {
		ua = c.UserAgent
	}
	req.Header.Set("User-Agent", ua)
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, 0, c.classify(ctx, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, &Error{URL: u, Reason: ReasonHTTPStatus, Err: fmt.Errorf("HTTP %s", resp.Status)}
	}
	limit := c.maxSize()
	if resp.ContentLength > limit {
		return nil, resp.StatusCode, &Error{URL: u, Reason: ReasonTooLarge, Err: fmt.Errorf("%w: %d bytes announced, cap %d", ErrTooLarge, resp.ContentLength, limit)}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return buf.Bytes(), resp.StatusCode, c.classify(ctx, u, err)
	}
	if n > limit {
		return nil, resp.StatusCode, &Error{URL: u, Reason: ReasonTooLarge, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	return buf.Bytes(), resp.StatusCode, nil
}

func (c *Client) classify(ctx context.Context, u string, err error) error {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &Error{URL: u, Reason: ReasonTimeout, Err: fmt.Errorf("no answer within %s: %w", c.timeout(), err)}
	case errors.Is(err, context.Canceled):
		return &Error{URL: u, Reason: ReasonCancelled, Err: err}
	}
	return &Error{URL: u, Reason: ReasonNetwork, Err: err}
}
