package signer_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/streebog"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/internal/testenv"
	"github.com/podpis/podpis/signer"
)

// batchKey is an ECDSA P-256 key with a self-signed certificate made by
// crypto/x509: batch mechanics do not depend on the algorithm (one GOST
// case below checks the GOST path).
func batchKey(t testing.TB) (signer.Key, []byte) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der := batchCertificate(t, priv)
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return signer.Key{Certificate: c, Signer: priv}, der
}

func batchCertificate(t testing.TB, priv crypto.Signer) []byte {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "Batch Signer", Country: []string{"RU"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// batchTree writes n files in nested folders under dir and returns their
// paths in the order a walk meets them (lexical).
func batchTree(t testing.TB, dir string, n, size int) []string {
	t.Helper()
	var paths []string
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%4), fmt.Sprintf("e%d", i%3))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(sub, fmt.Sprintf("doc%03d.xml", i))
		line := []byte(fmt.Sprintf("<doc n=%d/>\n", i))
		data := bytes.Repeat(line, size/len(line)+1)[:size]
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// verifyDetached checks that sigPath is a complete, valid detached
// signature of content.
func verifyDetached(t testing.TB, sigPath, contentPath string) {
	t.Helper()
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(contentPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := signer.VerifyDetached(bytes.NewReader(sig), bytes.NewReader(content), signer.VerifyOptions{})
	if err != nil {
		t.Fatalf("%s: %v", sigPath, err)
	}
	if len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		t.Fatalf("%s: not a valid signature of %s: %+v", sigPath, contentPath, res)
	}
}

func verifyAttached(t testing.TB, sigPath string) {
	t.Helper()
	f, err := os.Open(sigPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := signer.Verify(f, signer.VerifyOptions{})
	if err != nil {
		t.Fatalf("%s: %v", sigPath, err)
	}
	if !res.Attached || len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		t.Fatalf("%s: not a valid attached signature: %+v", sigPath, res)
	}
}

func reasonOf(err error) string {
	var be *signer.BatchFileError
	if errors.As(err, &be) {
		return be.Reason
	}
	return ""
}

func resultsByPath(r *signer.BatchReport) map[string]signer.FileResult {
	m := map[string]signer.FileResult{}
	for _, f := range r.Files {
		m[f.Path] = f
	}
	return m
}

func TestSignBatchFolderOf200(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	paths := batchTree(t, dir, 200, 3000)
	var calls, lastDone int
	var inProgress atomic.Int32
	report, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{
		Workers: 4,
		Progress: func(p signer.BatchProgress) {
			if inProgress.Add(1) != 1 {
				t.Error("Progress called concurrently")
			}
			defer inProgress.Add(-1)
			calls++
			if p.Done != lastDone+1 || p.Total != 200 || p.TotalBytes != 200*3000 || p.DoneBytes != int64(p.Done)*3000 {
				t.Errorf("progress %+v after %d", p, lastDone)
			}
			lastDone = p.Done
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 200 || report.Signed != 200 || report.Skipped != 0 || report.Failed != 0 || report.Canceled {
		t.Fatalf("calls %d, report signed %d skipped %d failed %d canceled %v", calls, report.Signed, report.Skipped, report.Failed, report.Canceled)
	}
	got := make([]string, 0, len(report.Files))
	for _, f := range report.Files {
		got = append(got, f.Path)
		if f.Err != nil || f.Output != f.Path+".sig" || f.Signed.Size != 3000 || len(f.Signed.Digest) != 32 {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
	if !slices.Equal(got, paths) {
		t.Errorf("files not in lexical walk order:\n%v\nwant\n%v", got, paths)
	}
	for _, p := range paths {
		verifyDetached(t, p+".sig", p)
	}

	// A second run over the same folder signs nothing again: the .sig files
	// are skipped, not signed.
	again, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Signed != 0 || again.Skipped != 200 || len(again.Files) != 200 {
		t.Errorf("re-run: signed %d skipped %d of %d files", again.Signed, again.Skipped, len(again.Files))
	}
}

func TestSignBatchFileVanishesMidRun(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	paths := batchTree(t, dir, 60, 100)
	// The last file in walk order goes once the first is done: up to 32
	// signatures wait for their fsync at once, so a victim early in the
	// order could already be read by then on a loaded machine.
	victim := slices.Max(paths)
	report, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{
		Workers: 1,
		Progress: func(p signer.BatchProgress) {
			if p.Done == 1 {
				if err := os.Remove(victim); err != nil {
					t.Error(err)
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if report.Signed != 59 || report.Failed != 1 {
		t.Fatalf("signed %d failed %d, want 59 and 1", report.Signed, report.Failed)
	}
	res := resultsByPath(report)[victim]
	if reasonOf(res.Err) != "vanished" || res.Result() != "failed" {
		t.Errorf("vanished file: %+v", res)
	}
	if _, err := os.Lstat(victim + ".sig"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a signature was written for the vanished file: %v", err)
	}
	var be *signer.BatchFileError
	if !errors.As(res.Err, &be) || be.Code() != "batch-vanished" || be.Params()["File"] != victim {
		t.Errorf("error %#v: want code batch-vanished with File", res.Err)
	}
	for _, p := range paths {
		if p != victim {
			verifyDetached(t, p+".sig", p)
		}
	}
}

func TestSignBatchUnreadableEntries(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("good"), 0o644); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.txt")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{dangling: "broken-link"}
	if fifo, ok := makeFIFO(t, dir); ok {
		want[fifo] = "not-regular"
	}
	// chmod 000 keeps a file from being read, except for root, which reads
	// anything: then the FIFO and the dangling link are the unreadable cases.
	locked := filepath.Join(dir, "locked.txt")
	if err := os.WriteFile(locked, []byte("secret"), 0o000); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(locked); err == nil {
		f.Close()
		t.Log("running as root: chmod 000 does not block reading, that sub-case is not checked")
	} else {
		want[locked] = "unreadable"
	}

	done := make(chan *signer.BatchReport, 1)
	go func() {
		report, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- report
	}()
	var report *signer.BatchReport
	select {
	case report = <-done:
	case <-time.After(time.Minute):
		t.Fatal("SignBatch hangs (on the FIFO?)")
	}
	byPath := resultsByPath(report)
	for path, reason := range want {
		res := byPath[path]
		if got := reasonOf(res.Err); got != reason {
			t.Errorf("%s: reason %q (%v), want %q", filepath.Base(path), got, res.Err, reason)
		}
		if _, err := os.Lstat(path + ".sig"); err == nil {
			t.Errorf("%s: a signature was written", filepath.Base(path))
		}
	}
	if byPath[good].Err != nil {
		t.Fatalf("good file: %v", byPath[good].Err)
	}
	verifyDetached(t, good+".sig", good)
	if report.Failed != len(want) {
		t.Errorf("failed %d, want %d", report.Failed, len(want))
	}
}

func TestSignBatchExistingSignature(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	doc := filepath.Join(dir, "a.xml")
	other := filepath.Join(dir, "b.xml")
	for _, p := range []string{doc, other} {
		if err := os.WriteFile(p, []byte("<a/>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := []byte("an old signature, not ours to replace")
	if err := os.WriteFile(doc+".sig", old, 0o644); err != nil {
		t.Fatal(err)
	}
	report, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := resultsByPath(report)[doc]
	if !res.Skipped || res.Err != nil || res.Result() != "skipped" || report.Skipped != 1 || report.Signed != 1 {
		t.Errorf("existing .sig: %+v; report %+v", res, report)
	}
	if got, _ := os.ReadFile(doc + ".sig"); !bytes.Equal(got, old) {
		t.Error("the existing signature was changed without Force")
	}
	// SignFile alone says so with an error matching os.ErrExist.
	if _, err := signer.SignFile(doc, doc+".sig", key, signer.SignOptions{}, false); !errors.Is(err, os.ErrExist) {
		t.Errorf("SignFile over an existing output: %v, want os.ErrExist", err)
	}

	report, err = signer.SignBatch(context.Background(), []string{doc}, key, signer.BatchOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if report.Signed != 1 || report.Skipped != 0 {
		t.Errorf("with Force: %+v", report)
	}
	verifyDetached(t, doc+".sig", doc)
}

func TestSignBatchOutDirMirrorsTree(t *testing.T) {
	key, _ := batchKey(t)
	base := t.TempDir()
	docs := filepath.Join(base, "docs")
	paths := batchTree(t, docs, 12, 50)
	single := filepath.Join(base, "single.txt")
	if err := os.WriteFile(single, []byte("alone"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "signed")
	report, err := signer.SignBatch(context.Background(), []string{docs, single}, key, signer.BatchOptions{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if report.Signed != 13 || report.Failed != 0 {
		t.Fatalf("report %+v", report)
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(docs, p)
		sig := filepath.Join(out, rel+".sig")
		if got := resultsByPath(report)[p].Output; got != sig {
			t.Errorf("output of %s is %s, want %s", rel, got, sig)
		}
		verifyDetached(t, sig, p)
		if _, err := os.Lstat(p + ".sig"); err == nil {
			t.Errorf("%s: signature written beside the file as well", rel)
		}
	}
	verifyDetached(t, filepath.Join(out, "single.txt.sig"), single)

	// Two folders whose files would land on the same output: the second is
	// refused, not written over the first.
	a, b := filepath.Join(base, "x", "same"), filepath.Join(base, "y", "same")
	for _, d := range []string{a, b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "f.txt"), []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report, err = signer.SignBatch(context.Background(), []string{a, b}, key, signer.BatchOptions{OutDir: filepath.Join(base, "clash")})
	if err != nil {
		t.Fatal(err)
	}
	if report.Signed != 1 || report.Failed != 1 || reasonOf(report.Files[1].Err) != "output-clash" {
		t.Errorf("clash: %+v", report.Files)
	}
}

func TestSignBatchSkipsSignaturesTempsAndLoops(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	doc := write("sub/doc.txt")
	write("sub/old.sig")
	write("sub/OTHER.P7S")
	write("sub/x.sgn")
	write("sub/" + atomicfile.TempPrefix + "doc.txt.sig-123")
	// A link back to the top: walking it would never end.
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	report, err := signer.SignBatch(context.Background(), []string{dir}, key, signer.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Files) != 1 || report.Files[0].Path != doc || report.Signed != 1 {
		t.Fatalf("files %+v", report.Files)
	}
}

func TestSignBatchCancel(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	paths := batchTree(t, dir, 30, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	report, err := signer.SignBatch(ctx, []string{dir}, key, signer.BatchOptions{
		Workers: 1,
		Progress: func(p signer.BatchProgress) {
			if p.Done == 5 {
				cancel()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Canceled || report.Signed < 5 || report.Signed >= len(paths) || report.Failed != 0 {
		t.Fatalf("canceled %v signed %d failed %d", report.Canceled, report.Signed, report.Failed)
	}
	canceled := 0
	for _, f := range report.Files {
		switch f.Result() {
		case "signed":
			verifyDetached(t, f.Output, f.Path)
		case "canceled":
			canceled++
			if _, err := os.Lstat(f.Output); err == nil {
				t.Errorf("%s: output of a canceled file exists", f.Output)
			}
		default:
			t.Errorf("%s: %s %v", f.Path, f.Result(), f.Err)
		}
	}
	if canceled+report.Signed != len(paths) {
		t.Errorf("canceled %d + signed %d != %d", canceled, report.Signed, len(paths))
	}
}

func TestWriteManifest(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	files := map[string]string{"a,comma.txt": "first", "b \"quoted\".txt": "second", "c.txt": "third"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "c.txt.sig"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	report, err := signer.SignBatch(context.Background(), []string{dir, missing}, key, signer.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := signer.WriteManifest(&buf, report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("rows do not end with CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("manifest is not CSV: %v\n%s", err, buf.String())
	}
	if !slices.Equal(rows[0], []string{"file", "size", "digest_algorithm", "digest", "signature", "result", "error"}) {
		t.Errorf("header %q", rows[0])
	}
	if len(rows) != 5 {
		t.Fatalf("%d rows, want header + 4:\n%q", len(rows), rows)
	}
	byFile := map[string][]string{}
	for _, r := range rows[1:] {
		byFile[filepath.Base(r[0])] = r
	}
	for _, name := range []string{"a,comma.txt", "b \"quoted\".txt"} {
		r := byFile[name]
		sum := sha256.Sum256([]byte(files[name]))
		want := []string{filepath.Join(dir, name), fmt.Sprint(len(files[name])), "sha256", hex.EncodeToString(sum[:]),
			filepath.Join(dir, name) + ".sig", "signed", ""}
		if !slices.Equal(r, want) {
			t.Errorf("row %q\nwant %q", r, want)
		}
	}
	if r := byFile["c.txt"]; r[5] != "skipped" || r[1] != "5" || r[3] != "" {
		t.Errorf("skipped row %q", r)
	}
	if r := byFile["missing.txt"]; r[5] != "failed" || !strings.HasPrefix(r[6], "batch-vanished") {
		t.Errorf("failed row %q", r)
	}
}

func TestSignFileAttached(t *testing.T) {
	key, _ := batchKey(t)
	dir := t.TempDir()
	doc := filepath.Join(dir, "big.bin")
	data := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB, several writes
	if err := os.WriteFile(doc, data, 0o644); err != nil {
		t.Fatal(err)
	}
	signed, err := signer.SignFile(doc, doc+".sig", key, signer.SignOptions{Attached: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if signed.Size != int64(len(data)) {
		t.Errorf("size %d, want %d", signed.Size, len(data))
	}
	verifyAttached(t, doc+".sig")
	fi, err := os.Stat(doc + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("signature mode %v, want 0644", fi.Mode().Perm())
	}
}

// TestSignBatchGOST runs the batch with a GOST R 34.10-2012 256 key and
// certificate made by OpenSSL's gost engine, and has OpenSSL check one
// signature.
func TestSignBatchGOST(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	keyPEM, certPEM := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", keyPEM)
	run("req", "-engine", "gost", "-x509", "-new", "-key", keyPEM, "-subj", "/CN=GOST Batch/C=RU", "-days", "30", "-out", certPEM)
	key := signer.Key{Certificate: parseCertPEM(t, certPEM), Signer: parseGOSTKey(t, keyPEM)}

	docs := filepath.Join(dir, "docs")
	paths := batchTree(t, docs, 8, 5000)
	report, err := signer.SignBatch(context.Background(), []string{docs}, key, signer.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Signed != 8 {
		t.Fatalf("%+v", report.Files)
	}
	for _, f := range report.Files {
		h := streebog.New256()
		data, _ := os.ReadFile(f.Path)
		h.Write(data)
		if !bytes.Equal(f.Signed.Digest, h.Sum(nil)) || !f.Signed.DigestAlgorithm.Equal(gost3410.OIDStreebog256) {
			t.Errorf("%s: digest %x (%v), want Streebog-256 %x", f.Path, f.Signed.Digest, f.Signed.DigestAlgorithm, h.Sum(nil))
		}
		verifyDetached(t, f.Output, f.Path)
	}
	run("cms", "-engine", "gost", "-verify", "-binary", "-inform", "DER", "-in", paths[0]+".sig",
		"-content", paths[0], "-CAfile", certPEM, "-out", os.DevNull)
	var buf bytes.Buffer
	if err := signer.WriteManifest(&buf, report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ",streebog256,") {
		t.Errorf("manifest does not name Streebog-256:\n%s", buf.String())
	}
}

func parseCertPEM(t testing.TB, path string) *cert.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := cert.Parse(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parseGOSTKey(t testing.TB, path string) *gost3410.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", path)
	}
	k, err := gost3410.ParsePKCS8(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestBatchMessagesTranslated: every reason a BatchFileError can carry has
// its message and fix in both languages.
func TestBatchMessagesTranslated(t *testing.T) {
	reasons := []string{"vanished", "unreadable", "broken-link", "not-regular", "is-folder", "changed",
		"folder-unreadable", "output-exists", "output-clash", "write-failed", "sign-failed", "canceled"}
	for _, lang := range i18n.Languages() {
		l, err := i18n.New(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reasons {
			e := &signer.BatchFileError{Reason: r, File: "/tmp/a.xml", Output: "/tmp/a.xml.sig", Detail: "detail", Other: "/tmp/b.xml"}
			code, msg, hint := l.Problem(e)
			if code != "batch-"+r || msg == "" || strings.HasPrefix(msg, "/tmp/a.xml: batch-") || hint == "" {
				t.Errorf("%s %s: code %q message %q hint %q", lang, r, code, msg, hint)
			}
		}
	}
}

// The killed batch: a child process (this test binary again) signs a
// folder slowly and is killed with SIGKILL in the middle. Every signature
// it left must be whole, no temporary file may carry a signature's name
// (and where temporary files are unnamed, none may be left at all), and a
// second run must sign exactly the rest.

const batchChildEnv = "PODPIS_BATCH_CHILD"

func TestBatchKilledChild(t *testing.T) {
	dir := os.Getenv(batchChildEnv)
	if dir == "" {
		t.Skip("the child of TestSignBatchKilledRunResumes")
	}
	keyDER, err := os.ReadFile(filepath.Join(dir, "key.der"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	certDER, err := os.ReadFile(filepath.Join(dir, "cert.der"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.Parse(certDER)
	if err != nil {
		t.Fatal(err)
	}
	attached := os.Getenv(batchChildEnv+"_ATTACHED") == "1"
	out := bufio.NewWriter(os.Stdout)
	_, err = signer.SignBatch(context.Background(), []string{filepath.Join(dir, "docs")},
		signer.Key{Certificate: c, Signer: priv.(crypto.Signer)}, signer.BatchOptions{
			SignOptions: signer.SignOptions{Attached: attached},
			Workers:     3,
			Progress: func(p signer.BatchProgress) {
				// No pause here: the workers must be busy writing when
				// the kill lands, not waiting for this callback.
				fmt.Fprintf(out, "done %d\n", p.Done)
				out.Flush()
			},
		})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSignBatchKilledRunResumes(t *testing.T) {
	if testing.Short() && !testenv.InCI() {
		// -short is for a quick local run; CI always checks a killed batch.
		t.Skip("runs a child process")
	}
	for _, attached := range []bool{false, true} {
		t.Run(fmt.Sprintf("attached=%v", attached), func(t *testing.T) {
			killedRun(t, attached)
		})
	}
}

func killedRun(t *testing.T, attached bool) {
	const files = 240
	dir := t.TempDir()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certDER := batchCertificate(t, priv)
	if err := os.WriteFile(filepath.Join(dir, "key.der"), keyDER, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.der"), certDER, 0o644); err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(dir, "docs")
	paths := batchTree(t, docs, files, 200_000)

	child := exec.Command(os.Args[0], "-test.run=^TestBatchKilledChild$", "-test.count=1")
	child.Env = append(os.Environ(), batchChildEnv+"="+dir)
	if attached {
		child.Env = append(child.Env, batchChildEnv+"_ATTACHED=1")
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	seen := 0
	for seen < 40 && lines.Scan() {
		if strings.HasPrefix(lines.Text(), "done ") {
			seen++
		}
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if seen < 40 {
		t.Fatalf("the child ended after %d files before it was killed:\n%s", seen, stderr.String())
	}

	signedBefore, temps := 0, 0
	err = filepath.WalkDir(docs, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		switch {
		case strings.HasPrefix(name, atomicfile.TempPrefix):
			temps++
			if strings.HasSuffix(name, ".sig") {
				t.Errorf("a temporary file is named like a signature: %s", path)
			}
		case strings.HasSuffix(name, ".sig"):
			signedBefore++
			if attached {
				verifyAttached(t, path)
			} else {
				verifyDetached(t, path, strings.TrimSuffix(path, ".sig"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed after %d of %d files, %d temporary files left", signedBefore, files, temps)
	if temps != 0 && atomicfile.Unnamed(docs) {
		t.Errorf("%d temporary files left where they have no name while written", temps)
	}
	if signedBefore == 0 || signedBefore >= files {
		t.Fatalf("%d of %d signed when killed: the kill did not land mid-run", signedBefore, files)
	}

	key := signer.Key{Certificate: mustParseCert(t, certDER), Signer: priv}
	report, err := signer.SignBatch(context.Background(), []string{docs}, key, signer.BatchOptions{SignOptions: signer.SignOptions{Attached: attached}})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Files) != files || report.Skipped != signedBefore || report.Signed != files-signedBefore || report.Failed != 0 {
		t.Fatalf("re-run over %d files (%d signed before): signed %d skipped %d failed %d",
			len(report.Files), signedBefore, report.Signed, report.Skipped, report.Failed)
	}
	for _, p := range paths {
		if attached {
			verifyAttached(t, p+".sig")
		} else {
			verifyDetached(t, p+".sig", p)
		}
	}
}

func mustParseCert(t testing.TB, der []byte) *cert.Certificate {
	t.Helper()
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
