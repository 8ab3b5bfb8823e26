package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/internal/testpki"
)

// The most a client that stopped at the size cap may have made the server
// write: the cap plus what the kernel's socket buffers took before the
// connection closed. Far below HugeSize, which is the point.
const servedBound = 64 << 20

func TestClient(t *testing.T) {
	srv := testpki.NewServer(t)
	body := bytes.Repeat([]byte("CRL "), 1000)
	srv.Handle("/ok.crl", body, "application/pkix-crl")
	srv.Handle("/hang", body, "")
	srv.Set("/hang", testpki.Hang)
	srv.Set("/huge", testpki.Huge)
	srv.Set("/huge-announced", testpki.HugeAnnounced)
	srv.Set("/garbage", testpki.Garbage)
	srv.Set("/broken", testpki.ServerError)

	// A port nothing listens on: listen, note the port, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/x.crl"
	ln.Close()

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	for _, tc := range []struct {
		name    string
		url     string
		post    bool
		ctx     context.Context
		client  fetch.Client
		want    []byte // the body, when the fetch must succeed
		wantLen int    // or its length
		reason  string // Attempt.Reason and Error.Reason, when it must fail
		status  int
		// servedAtMost bounds what the server wrote for the path.
		servedAtMost int64
	}{
		{name: "ok", url: srv.PathURL("/ok.crl"), want: body, status: 200},
		{name: "ok-post", url: srv.PathURL("/ok.crl"), post: true, want: body, status: 200},
		{name: "exactly-at-cap", url: srv.PathURL("/ok.crl"), client: fetch.Client{MaxSize: int64(len(body))}, want: body, status: 200},
		{name: "garbage-is-returned-as-is", url: srv.PathURL("/garbage"), wantLen: 4096, status: 200},
		{name: "never-answers", url: srv.PathURL("/hang"), client: fetch.Client{Timeout: 500 * time.Millisecond}, reason: fetch.ReasonTimeout},
		{name: "streams-1GiB", url: srv.PathURL("/huge"), client: fetch.Client{MaxSize: 1 << 20}, reason: fetch.ReasonTooLarge, status: 200, servedAtMost: servedBound},
		{name: "announces-1GiB", url: srv.PathURL("/huge-announced"), client: fetch.Client{MaxSize: 1 << 20}, reason: fetch.ReasonTooLarge, status: 200, servedAtMost: servedBound},
		{name: "one-byte-over-cap", url: srv.PathURL("/ok.crl"), client: fetch.Client{MaxSize: int64(len(body) - 1)}, reason: fetch.ReasonTooLarge, status: 200},
		{name: "not-found", url: srv.PathURL("/missing.crl"), reason: fetch.ReasonHTTPStatus, status: 404},
		{name: "server-error", url: srv.PathURL("/broken"), reason: fetch.ReasonHTTPStatus, status: 500},
		{name: "ldap", url: "ldap://127.0.0.1/cn=CA,o=Test?certificateRevocationList", reason: fetch.ReasonUnsupportedScheme},
		{name: "file", url: "file:///etc/passwd", reason: fetch.ReasonUnsupportedScheme},
		{name: "garbage-url", url: "http://[::1", reason: fetch.ReasonBadURL},
		{name: "no-host", url: "http:///ca.crl", reason: fetch.ReasonBadURL},
		{name: "control-character", url: "http://127.0.0.1/\x7f\x00", reason: fetch.ReasonBadURL},
		{name: "connection-refused", url: refused, reason: fetch.ReasonNetwork},
		{name: "cancelled-before", url: srv.PathURL("/ok.crl"), ctx: cancelled, reason: fetch.ReasonCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var (
				got     []byte
				attempt fetch.Attempt
				err     error
			)
			if tc.post {
				got, attempt, err = tc.client.Post(ctx, tc.url, "application/ocsp-request", []byte{0x30, 0x00})
			} else {
				got, attempt, err = tc.client.Get(ctx, tc.url)
			}
			method := "GET"
			if tc.post {
				method = "POST"
			}
			if attempt.URL != tc.url || attempt.Method != method || attempt.Status != tc.status {
				t.Errorf("attempt URL %q method %q status %d, want %q %q %d", attempt.URL, attempt.Method, attempt.Status, tc.url, method, tc.status)
			}
			if attempt.Started.IsZero() {
				t.Error("attempt has no start time")
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Get: %v (attempt %+v)", err, attempt)
				}
				if tc.want != nil && !bytes.Equal(got, tc.want) {
					t.Errorf("body of %d bytes, want %d", len(got), len(tc.want))
				}
				if tc.wantLen != 0 && len(got) != tc.wantLen {
					t.Errorf("body of %d bytes, want %d", len(got), tc.wantLen)
				}
				if attempt.Bytes != int64(len(got)) || attempt.Reason != "" || attempt.Error != "" {
					t.Errorf("attempt bytes %d reason %q error %q, want %d and no error", attempt.Bytes, attempt.Reason, attempt.Error, len(got))
				}
				return
			}
			var fe *fetch.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *fetch.Error", err, err)
			}
			if fe.Reason != tc.reason || attempt.Reason != tc.reason {
				t.Errorf("reason %q, attempt reason %q, want %q (%v)", fe.Reason, attempt.Reason, tc.reason, err)
			}
			if fe.URL != tc.url || attempt.Error == "" {
				t.Errorf("error URL %q, attempt error %q", fe.URL, attempt.Error)
			}
			if got != nil || attempt.Bytes != 0 {
				t.Errorf("a failed fetch returned %d bytes, attempt says %d", len(got), attempt.Bytes)
			}
			if tc.reason == fetch.ReasonTooLarge && !errors.Is(err, fetch.ErrTooLarge) {
				t.Errorf("%v does not wrap ErrTooLarge", err)
			}
			if tc.servedAtMost > 0 {
				// Wait for the handler to see the closed connection: then
				// the count is final, whatever the timing.
				served := srv.Wait(strings.TrimPrefix(tc.url, srv.URL)).Bytes
				t.Logf("the server wrote %d bytes", served)
				if served > tc.servedAtMost {
					t.Errorf("the server wrote %d bytes before the client gave up, want at most %d", served, tc.servedAtMost)
				}
			}
		})
	}
}

// A request cancelled while the server is silent ends as cancelled, not as
// a timeout, and at once.
func TestClientCancelledWhileWaiting(t *testing.T) {
	srv := testpki.NewServer(t)
	srv.Set("/hang", testpki.Hang)
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		attempt fetch.Attempt
		err     error
	}
	done := make(chan result)
	go func() {
		_, a, err := (&fetch.Client{Timeout: time.Hour}).Get(ctx, srv.PathURL("/hang"))
		done <- result{a, err}
	}()
	// Cancel once the server holds the request.
	srv.Await("/hang", func(st testpki.PathStats) bool { return st.InFlight > 0 })
	cancel()
	r := <-done
	var fe *fetch.Error
	if !errors.As(r.err, &fe) || fe.Reason != fetch.ReasonCancelled || r.attempt.Reason != fetch.ReasonCancelled {
		t.Fatalf("error %v, attempt reason %q, want %q", r.err, r.attempt.Reason, fetch.ReasonCancelled)
	}
	if st := srv.Wait("/hang"); st.Requests != 1 || st.Bytes != 0 {
		t.Errorf("server stats %+v, want one request and nothing written", st)
	}
}

// The zero Client and a nil *Client use the defaults.
func TestClientDefaults(t *testing.T) {
	srv := testpki.NewServer(t)
	srv.Handle("/a.crt", []byte{0x30, 0x00}, "application/pkix-cert")
	var nilClient *fetch.Client
	for name, c := range map[string]*fetch.Client{"zero": {}, "nil": nilClient} {
		got, a, err := c.Get(context.Background(), srv.PathURL("/a.crt"))
		if err != nil || !bytes.Equal(got, []byte{0x30, 0x00}) || a.Status != 200 {
			t.Errorf("%s client: %x, %+v, %v", name, got, a, err)
		}
	}
}
