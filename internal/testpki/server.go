package testpki

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Behaviour is how the Server answers one path.
type Behaviour int

const (
	// Serve answers with what Handle put at the path (404 when nothing).
	Serve Behaviour = iota
	// Hang never answers: the handler waits until the request's context
	// ends (the client gave up) or the server stops.
	Hang
	// Huge streams HugeSize bytes with no Content-Length, generated as it
	// goes (nothing is stored), stopping as soon as the client goes away.
	Huge
	// HugeAnnounced is Huge with a Content-Length of HugeSize sent first,
	// so a client can refuse it before reading anything.
	HugeAnnounced
	// Garbage answers 200 with bytes that are no DER, PEM or anything.
	Garbage
	// HTMLError answers 200 with an HTML error page, as some CA web
	// servers do instead of a 404.
	HTMLError
	// NotFound answers 404 whatever was put at the path.
	NotFound
	// ServerError answers 500.
	ServerError
)

// HugeSize is what Huge and HugeAnnounced send: 1 GiB.
const HugeSize = 1 << 30

func (b Behaviour) String() string {
	switch b {
	case Serve:
		return "serve"
	case Hang:
		return "hang"
	case Huge:
		return "huge"
	case HugeAnnounced:
		return "huge-announced"
	case Garbage:
		return "garbage"
	case HTMLError:
		return "html-error"
	case NotFound:
		return "not-found"
	case ServerError:
		return "server-error"
	}
	return "behaviour-" + strconv.Itoa(int(b))
}

// Server is an HTTP server on 127.0.0.1 that publishes what a PKI puts on
// the network (CRLs, issuer certificates for AIA, OCSP through a proxy to
// a responder) and that can be told to misbehave per path. It stops when
// the test that made it ends.
type Server struct {
	// URL is the base, "http://127.0.0.1:PORT", with no trailing slash.
	URL string

	srv     *http.Server
	stopped chan struct{} // closed when the server stops: hanging handlers return

	mu       sync.Mutex
	idle     *sync.Cond // broadcast when a request starts or ends
	bodies   map[string]servedBody
	modes    map[string]Behaviour
	proxies  map[string]*httputil.ReverseProxy // by path prefix
	backends map[string]*url.URL
	stats    map[string]*PathStats
}

type servedBody struct {
	data        []byte
	contentType string
}

// PathStats counts what the Server did for one path.
type PathStats struct {
	Requests int   // requests received
	Bytes    int64 // body bytes written to clients
	InFlight int   // requests whose handler has not returned yet
}

// NewServer starts a Server on a free port of 127.0.0.1; it stops at the
// end of t.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s, err := startServer(t)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startServer starts a Server that stops when lifetime ends. It does not
// end lifetime itself, so a shared PKI can be made from any test.
func startServer(lifetime testing.TB) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testpki: listen on 127.0.0.1: %w", err)
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		stopped:  make(chan struct{}),
		bodies:   map[string]servedBody{},
		modes:    map[string]Behaviour{},
		proxies:  map[string]*httputil.ReverseProxy{},
		backends: map[string]*url.URL{},
		stats:    map[string]*PathStats{},
	}
	s.idle = sync.NewCond(&s.mu)
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln) // returns http.ErrServerClosed at the end
	}()
	lifetime.Cleanup(func() {
		close(s.stopped)
		s.srv.Close()
		<-done
	})
	return s, nil
}

// PathURL is the full URL of path ("/crl/ca.crl").
func (s *Server) PathURL(path string) string { return s.URL + path }

// Handle publishes data at path with the given Content-Type ("" means
// application/octet-stream), replacing what was there.
func (s *Server) Handle(path string, data []byte, contentType string) {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path] = servedBody{data: bytes.Clone(data), contentType: contentType}
}

// Proxy forwards every request for prefix ("/ocsp/ca") or under it to
// backend with the prefix stripped, as a CA's front web server does for
// its OCSP responder. It returns the backend it replaces (nil for none).
func (s *Server) Proxy(prefix string, backend *url.URL) (previous *url.URL) {
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(backend)
			// The escaped path, kept as it came: an OCSP GET puts
			// URL-encoded base64 there.
			rest := "/" + strings.TrimPrefix(strings.TrimPrefix(r.In.URL.EscapedPath(), prefix), "/")
			r.Out.URL.RawPath = rest
			if p, err := url.PathUnescape(rest); err == nil {
				r.Out.URL.Path = p
			}
		},
		// An unreachable backend is a 502, logged nowhere: the test
		// asserts on what the client saw.
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	previous = s.backends[prefix]
	s.proxies[prefix], s.backends[prefix] = rp, backend
	return previous
}

// Unproxy stops forwarding prefix.
func (s *Server) Unproxy(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.proxies, prefix)
	delete(s.backends, prefix)
}

// Set makes path (or, for a proxied prefix, every path under it) answer
// with b from now on; Set(path, Serve) restores it.
func (s *Server) Set(path string, b Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b == Serve {
		delete(s.modes, path)
		return
	}
	s.modes[path] = b
}

// Misbehave is Set for the rest of t: the path is restored when t ends.
func (s *Server) Misbehave(t testing.TB, path string, b Behaviour) {
	t.Helper()
	s.Set(path, b)
	t.Cleanup(func() { s.Set(path, Serve) })
}

// Stats returns what was done for path so far.
func (s *Server) Stats(path string) PathStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stats[path]; ok {
		return *st
	}
	return PathStats{}
}

// Wait blocks until no request for path is being handled, so that its
// Stats are final: a client that gave up on a Huge answer has closed the
// connection, and the handler stops at its next write.
func (s *Server) Wait(path string) PathStats {
	return s.Await(path, func(st PathStats) bool { return st.InFlight == 0 })
}

// Await blocks until ready is true of path's Stats (checked at every
// request's start and end) and returns them: e.g. until the server holds
// a request, so a test can cancel it then.
func (s *Server) Await(path string, ready func(PathStats) bool) PathStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		var st PathStats
		if p := s.stats[path]; p != nil {
			st = *p
		}
		if ready(st) {
			return st
		}
		s.idle.Wait()
	}
}

func (s *Server) begin(path string) (*PathStats, Behaviour, servedBody, bool, *httputil.ReverseProxy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats[path]
	if st == nil {
		st = &PathStats{}
		s.stats[path] = st
	}
	st.Requests++
	st.InFlight++
	s.idle.Broadcast()
	mode, ok := s.modes[path]
	var proxy *httputil.ReverseProxy
	for prefix, rp := range s.proxies {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			proxy = rp
			if !ok {
				mode, ok = s.modes[prefix]
			}
		}
	}
	body, found := s.bodies[path]
	return st, mode, body, found, proxy
}

func (s *Server) end(st *PathStats, written int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Bytes += written
	st.InFlight--
	s.idle.Broadcast()
}

// countingWriter counts the body bytes that reached the connection.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	st, mode, body, found, proxy := s.begin(r.URL.Path)
	w := &countingWriter{ResponseWriter: rw}
	defer func() { s.end(st, w.n) }()
	switch mode {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.stopped:
		}
	case Huge, HugeAnnounced:
		if mode == HugeAnnounced {
			w.Header().Set("Content-Length", strconv.Itoa(HugeSize))
		}
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte{0x30}, 32<<10)
		for sent := 0; sent < HugeSize; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case Garbage:
		junk := make([]byte, 4096)
		rand.Read(junk)
		junk[0] = 0xff // never a SEQUENCE, never "-----BEGIN"
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(junk)
	case HTMLError:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><body><h1>Сервис временно недоступен</h1></body></html>\n"))
	case NotFound:
		http.NotFound(w, r)
	case ServerError:
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		switch {
		case proxy != nil:
			proxy.ServeHTTP(w, r)
		case found:
			w.Header().Set("Content-Type", body.contentType)
			w.Header().Set("Content-Length", strconv.Itoa(len(body.data)))
			w.Write(body.data)
		default:
			http.NotFound(w, r)
		}
	}
}
