package testpki

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// OCSPResponderConfig says how `openssl ocsp` answers: for the
// certificates CACert issued, from the OpenSSL CA database Index, signing
// with ResponderCert and ResponderKey (the CA itself, or a delegated
// responder). Paths are of PEM files.
type OCSPResponderConfig struct {
	CACert        string // -CA
	Index         string // -index: index.txt as `openssl ca` keeps it (see OCSPIndexLine)
	ResponderCert string // -rsigner
	ResponderKey  string // -rkey, unencrypted

	// Gost loads the gost engine. `openssl ocsp` has no -engine option,
	// so the engine comes from an OPENSSL_CONF written for it
	// (OCSPGostConfig).
	Gost bool
	// Digest is -rmd, the digest of the response signature:
	// "md_gost12_256" or "md_gost12_512" for GOST keys, "sha256"...;
	// "" leaves OpenSSL's default for the key.
	Digest string
	// NextUpdateDays and NextUpdateMinutes are -ndays and -nmin: how long
	// after thisUpdate the response says nextUpdate is. Both 0: no
	// nextUpdate at all.
	NextUpdateDays, NextUpdateMinutes int
	Other                             string // -rother: more certificates to put in responses
	NoCerts                           bool   // -resp_no_certs: no certificates in responses
	ByKey                             bool   // -resp_key_id: ResponderID byKey instead of byName
	BadSignature                      bool   // -badsig: OpenSSL corrupts the last byte of each signature
	// Args are more `openssl ocsp` options, put after the others:
	// {"-rcid", "sha256"}, {"-rsigopt", "..."}...
	Args []string
}

// StartOCSPResponder starts a real `openssl ocsp` responder for cfg behind
// an HTTP server on 127.0.0.1 and returns its URL ("http://127.0.0.1:PORT",
// no trailing slash). It answers POST (RFC 6960 A.1, any path) and GET
// (the base64 request in the path). It stops when t ends; a responder
// that cannot start fails t.
//
// Why not `openssl ocsp -port`: OpenSSL 3.0's -port takes a port number
// only and binds every interface ([::]), and test servers here bind
// 127.0.0.1 only. So Go listens on 127.0.0.1 and each request runs
// `openssl ocsp -index ... -reqin REQ -respout RESP`: the same responder
// code of OpenSSL (index lookup, CertID, nonce echo, signing), reading
// index.txt afresh each time, so a test may revoke a certificate between
// two requests. A request openssl cannot read is answered
// malformedRequest, as `openssl ocsp -port` answers it.
func StartOCSPResponder(t testing.TB, openssl string, cfg OCSPResponderConfig) (url string) {
	t.Helper()
	u, err := TryStartOCSPResponder(t, openssl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TryStartOCSPResponder is StartOCSPResponder returning its error instead
// of failing lifetime, for a responder shared by several tests; it stops
// when lifetime ends.
func TryStartOCSPResponder(lifetime testing.TB, openssl string, cfg OCSPResponderConfig) (string, error) {
	for name, path := range map[string]string{"CACert": cfg.CACert, "Index": cfg.Index, "ResponderCert": cfg.ResponderCert, "ResponderKey": cfg.ResponderKey} {
		if path == "" {
			return "", fmt.Errorf("testpki: OCSPResponderConfig.%s is empty", name)
		}
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("testpki: OCSPResponderConfig.%s: %w", name, err)
		}
	}
	// Not lifetime.TempDir(): that may fail the test from another
	// goroutine when a shared PKI is built from a subtest.
	work, err := os.MkdirTemp("", "podpis-ocspd-")
	if err != nil {
		return "", fmt.Errorf("testpki: %w", err)
	}
	lifetime.Cleanup(func() { os.RemoveAll(work) })
	r := &ocspResponder{openssl: openssl, cfg: cfg, work: work, log: lifetime}
	if cfg.Gost {
		if r.conf, err = writeOCSPGostConfig(work); err != nil {
			return "", err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("testpki: listen on 127.0.0.1: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx = ctx
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) // http.ErrServerClosed at the end
	}()
	lifetime.Cleanup(func() {
		cancel() // kills a running openssl: its handler returns at once
		// Shutdown waits for the handlers, so none logs to lifetime
		// after it ended; a client stuck sending its request is cut.
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		srv.Shutdown(stop)
		srv.Close()
		<-served
	})
	u := "http://" + ln.Addr().String()
	if err := r.probe(u); err != nil {
		return "", err
	}
	return u, nil
}

// OCSPGostConfig writes, in a temporary folder of t, an OpenSSL
// configuration that loads the gost engine, and returns its path: set
// OPENSSL_CONF to it for the openssl commands (`ocsp`, `ca`...) that have
// no -engine option.
func OCSPGostConfig(t testing.TB) string {
	t.Helper()
	path, err := writeOCSPGostConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func writeOCSPGostConfig(dir string) (string, error) {
	const conf = `openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`
	path := filepath.Join(dir, "openssl-gost.cnf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", fmt.Errorf("testpki: %w", err)
	}
	return path, nil
}

// OCSPIndexLine is one line of an OpenSSL CA database (index.txt), which
// `openssl ocsp -index` answers from: status V (valid) or R (revoked),
// the certificate's expiry, for R the revocation time and optionally
// ",reason" (a CRL reason name as `openssl ca -crl_reason` takes it:
// "keyCompromise", "superseded"...), the serial in upper-case hex, and
// the subject. A serial absent from the index is answered "unknown".
func OCSPIndexLine(revoked bool, expiry time.Time, revokedAt time.Time, reason string, serialHex, subject string) string {
	status, revocation := "V", ""
	if revoked {
		status = "R"
		revocation = indexTime(revokedAt)
		if reason != "" {
			revocation += "," + reason
		}
	}
	serial := strings.ToUpper(serialHex)
	if len(serial)%2 == 1 {
		serial = "0" + serial // OpenSSL looks serials up as BN_bn2hex writes them: whole bytes
	}
	return strings.Join([]string{status, indexTime(expiry), revocation, serial, "unknown", subject}, "\t") + "\n"
}

// indexTime writes a time as `openssl ca` does in index.txt: the X.509
// Time form, UTCTime before 2050 and GeneralizedTime from then on.
func indexTime(t time.Time) string {
	t = t.UTC()
	if t.Year() >= 2050 {
		return t.Format("20060102150405Z")
	}
	return t.Format("060102150405Z")
}

// ocspResponder serves HTTP by running `openssl ocsp` once per request.
type ocspResponder struct {
	openssl string
	cfg     OCSPResponderConfig
	conf    string // OPENSSL_CONF loading the gost engine; "" without Gost
	work    string
	log     testing.TB
	ctx     context.Context // ends when the responder stops
}

// maxOCSPRequest bounds what is read of a request: real ones are a few
// hundred bytes.
const maxOCSPRequest = 1 << 20

// malformedRequest is the OCSPResponse {responseStatus malformedRequest (1)}.
var malformedRequest = []byte{0x30, 0x03, 0x0a, 0x01, 0x01}

func (r *ocspResponder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var der []byte
	var err error
	switch req.Method {
	case http.MethodPost:
		der, err = io.ReadAll(io.LimitReader(req.Body, maxOCSPRequest))
	case http.MethodGet:
		der, err = getRequest(req.URL)
	default:
		http.Error(w, "OCSP is POST or GET", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, stderr, err := r.answer(der)
	switch {
	case errors.Is(err, errUnreadableRequest):
		resp = malformedRequest
	case err != nil:
		if r.ctx.Err() == nil {
			r.log.Logf("testpki: openssl ocsp failed: %v\n%s", err, stderr)
		}
		http.Error(w, fmt.Sprintf("openssl ocsp: %v\n%s", err, stderr), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.Write(resp)
}

// getRequest decodes the request of a GET: the path is the URL-encoded
// base64 of the DER (RFC 6960 A.1).
func getRequest(u *url.URL) ([]byte, error) {
	b64 := strings.TrimLeft(u.EscapedPath(), "/")
	b64, err := url.PathUnescape(b64)
	if err != nil {
		return nil, fmt.Errorf("OCSP GET path: %w", err)
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("OCSP GET path is not base64: %w", err)
	}
	return der, nil
}

// errUnreadableRequest is openssl's "Error reading OCSP request".
var errUnreadableRequest = errors.New("openssl cannot read the OCSP request")

// answer runs openssl on one request and returns the DER response.
func (r *ocspResponder) answer(der []byte) (resp, stderr []byte, err error) {
	dir, err := os.MkdirTemp(r.work, "req-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	reqPath, respPath := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	if err := os.WriteFile(reqPath, der, 0o600); err != nil {
		return nil, nil, err
	}
	c := r.cfg
	args := []string{"ocsp", "-index", c.Index, "-CA", c.CACert, "-rsigner", c.ResponderCert, "-rkey", c.ResponderKey,
		"-reqin", reqPath, "-respout", respPath}
	if c.Digest != "" {
		args = append(args, "-rmd", c.Digest)
	}
	if c.NextUpdateDays > 0 {
		args = append(args, "-ndays", strconv.Itoa(c.NextUpdateDays))
	}
	if c.NextUpdateMinutes > 0 {
		args = append(args, "-nmin", strconv.Itoa(c.NextUpdateMinutes))
	}
	if c.Other != "" {
		args = append(args, "-rother", c.Other)
	}
	if c.NoCerts {
		args = append(args, "-resp_no_certs")
	}
	if c.ByKey {
		args = append(args, "-resp_key_id")
	}
	if c.BadSignature {
		args = append(args, "-badsig")
	}
	args = append(args, c.Args...)
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.openssl, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if r.conf != "" {
		cmd.Env = append(cmd.Env, "OPENSSL_CONF="+r.conf)
	}
	var errBuf bytes.Buffer
	cmd.Stdout = &errBuf
	cmd.Stderr = &errBuf
	if err := cmd.Run(); err != nil {
		if strings.Contains(errBuf.String(), "Error reading OCSP request") {
			return nil, errBuf.Bytes(), errUnreadableRequest
		}
		return nil, errBuf.Bytes(), err
	}
	resp, err = os.ReadFile(respPath)
	if err != nil {
		return nil, errBuf.Bytes(), err
	}
	return resp, nil, nil
}

// probe asks the responder about serial 1 through HTTP, so a responder
// that cannot sign (a wrong key, a missing engine) is reported when it
// starts, with openssl's own words, not as an odd answer in the test.
func (r *ocspResponder) probe(u string) error {
	reqPath := filepath.Join(r.work, "probe.der")
	cmd := exec.CommandContext(r.ctx, r.openssl, "ocsp", "-issuer", r.cfg.CACert, "-serial", "1", "-no_nonce", "-reqout", reqPath)
	cmd.Env = os.Environ()
	if r.conf != "" {
		cmd.Env = append(cmd.Env, "OPENSSL_CONF="+r.conf)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testpki: openssl ocsp cannot make a request for %s: %v\n%s", r.cfg.CACert, err, out)
	}
	der, err := os.ReadFile(reqPath)
	if err != nil {
		return fmt.Errorf("testpki: %w", err)
	}
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Post(u, "application/ocsp-request", bytes.NewReader(der))
	if err != nil {
		return fmt.Errorf("testpki: the OCSP responder at %s does not answer: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(body) == 0 || body[0] != 0x30 {
		return fmt.Errorf("testpki: the OCSP responder at %s answered %s: %q", u, resp.Status, body)
	}
	return nil
}
