package validate_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/testenv"
)

// realCADir holds published certificates of the head CA (ГУЦ) and of
// accredited CAs: what users' chains really end in (see its README.md).
const realCADir = "testdata/realca"

// realCA is what is expected of one published certificate, checked as a
// CA (it is one) with every root of realCADir trusted and every other
// certificate there offered as an intermediate.
type realCA struct {
	file string
	// issuer is the file of the certificate whose key signed it: the file
	// itself for a root, "" when its issuer is not in realCADir.
	issuer string
	// problem is the error problem Verify must report; "" means a valid,
	// complete chain.
	problem string
	// openssl is `openssl verify -engine gost`'s verdict at the same time:
	// "OK" or "error N" (N is X509_V_ERR_*); opensslLate, when set, is its
	// verdict a day before the chain's first expiry, if different.
	openssl, opensslLate string
	// disagree says why the two verdicts differ; "" when they agree.
	disagree string
}

// realCAs lists every file of realCADir.
var realCAs = []realCA{
	// Roots.
	{file: "guc-2012-root.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "minkomsvyaz-2018-root.pem", issuer: "minkomsvyaz-2018-root.pem", openssl: "OK"},
	{file: "mincifry-2022-root.pem", issuer: "mincifry-2022-root.pem", openssl: "OK"},
	{file: "mincifry-2026-root.pem", issuer: "mincifry-2026-root.pem", openssl: "error 18", opensslLate: "OK",
		disagree: "the 2026 root has the same subject DN as the 2022 root (a key rollover) and no " +
			"authorityKeyIdentifier; to decide whether a self-signed target is trusted, OpenSSL 3.0 " +
			"looks up ONE trusted certificate by subject name — the first one in the CAfile, the 2022 " +
			"root — finds it is not the target and reports error 18 \"self-signed certificate\". With " +
			"the 2026 root alone (or first) in the CAfile, or after the 2022 root has expired (2040), " +
			"OpenSSL says OK. The 2026 root is itself a trust anchor, so Podpis is right"},

	// GOST R 34.10-2001 / 34.11-94 intermediates under the 2012 ГУЦ root.
	{file: "uc1-is-guc-2016.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "link-service-2016.pem", issuer: "uc1-is-guc-2016.pem", openssl: "OK"},
	{file: "ank-2016.pem", issuer: "uc1-is-guc-2016.pem", openssl: "OK"},
	{file: "profi-2017.pem", issuer: "uc1-is-guc-2016.pem", openssl: "OK"},
	{file: "belinfonalog-vipnet-2017.pem", issuer: "uc1-is-guc-2016.pem", openssl: "OK"},
	{file: "alfa-bank-2017.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "infotrust-2018-01.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "infotrust-vpn-2018-01.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "link-service-2018.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "ekey-2018.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "infotrust-2018-11.pem", issuer: "guc-2012-root.pem", openssl: "OK"},
	{file: "infotrust-vpn-2018-11.pem", issuer: "guc-2012-root.pem", openssl: "OK"},

	// GOST R 34.10-2012 intermediates under the Минкомсвязь and Минцифры roots.
	{file: "elexpress-2019.pem", issuer: "minkomsvyaz-2018-root.pem", openssl: "OK"},
	{file: "tensor-2020.pem", issuer: "minkomsvyaz-2018-root.pem", openssl: "OK"},
	{file: "cbr-2023.pem", issuer: "mincifry-2022-root.pem", openssl: "OK"},
	{file: "sertum-pro-2024.pem", issuer: "mincifry-2022-root.pem", openssl: "OK"},
	{file: "skb-kontur-2025.pem", issuer: "mincifry-2022-root.pem", openssl: "OK"},

	// Issued in 2012 by the first key of УЦ 1 ИС ГУЦ, which is not here.
	{file: "technokad-2012.pem", issuer: "", problem: "chain-incomplete", openssl: "error 20"},
}

// realCAFile is one parsed file of realCADir.
type realCAFile struct {
	name string
	der  []byte
	cert *cert.Certificate
}

func loadRealCAs(t *testing.T) map[string]*realCAFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(realCADir, "*.pem"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no certificates in %s: %v", realCADir, err)
	}
	files := map[string]*realCAFile{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		block, rest := pem.Decode(data)
		if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
			t.Fatalf("%s: want exactly one PEM CERTIFICATE block", p)
		}
		c, err := cert.Parse(block.Bytes)
		if err != nil {
			t.Fatalf("%s: cert.Parse: %v", p, err)
		}
		files[filepath.Base(p)] = &realCAFile{name: filepath.Base(p), der: block.Bytes, cert: c}
	}
	return files
}

// TestRealCAChains checks each published certificate at two times inside
// the validity of its whole chain: Podpis must build the chain to its root
// and find nothing wrong, and agree with OpenSSL's gost engine.
func TestRealCAChains(t *testing.T) {
	files := loadRealCAs(t)
	rows := map[string]realCA{}
	for _, row := range realCAs {
		if files[row.file] == nil {
			t.Errorf("%s is listed but not in %s", row.file, realCADir)
		}
		rows[row.file] = row
	}
	var roots, intermediates []*cert.Certificate
	var rootDER, intermediateDER [][]byte
	// Sorted: the CAfile order matters to OpenSSL (see mincifry-2026-root).
	for _, n := range slices.Sorted(maps.Keys(files)) {
		f := files[n]
		if _, ok := rows[n]; !ok {
			t.Errorf("%s is in %s but not in realCAs: add its row (and its README line)", n, realCADir)
		}
		if f.cert.IsSelfSigned() {
			roots, rootDER = append(roots, f.cert), append(rootDER, f.der)
		} else {
			intermediates, intermediateDER = append(intermediates, f.cert), append(intermediateDER, f.der)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	for _, row := range realCAs {
		t.Run(strings.TrimSuffix(row.file, ".pem"), func(t *testing.T) {
			f := files[row.file]
			chain := realCAChain(t, files, row)
			from, to := validityOf(chain)
			if !from.Before(to) {
				t.Fatalf("no time is inside the validity of the whole chain (%s .. %s)", from, to)
			}
			// The middle, and a day before the first expiry on the chain:
			// by then the PrivateKeyUsagePeriod of the newer CA certificates
			// is over, which must not make a CA certificate invalid.
			for i, at := range []time.Time{from.Add(to.Sub(from) / 2), to.Add(-24 * time.Hour)} {
				at = at.Truncate(time.Second)
				wantOpenSSL := row.openssl
				if i == 1 && row.opensslLate != "" {
					wantOpenSSL = row.opensslLate
				}
				t.Run(at.Format("2006-01-02"), func(t *testing.T) {
					res := validate.Verify(context.Background(), f.cert, validate.Options{
						At:            at,
						Roots:         roots,
						Intermediates: intermediates,
						Revocation:    validate.RevocationOff,
					})
					checkRealCAResult(t, row, chain, res)
					checkRealCAOpenSSL(t, row, wantOpenSSL, at, res, rootDER, intermediateDER, f)
				})
			}
		})
	}
}

// realCAChain follows the table's issuers from row's certificate to its
// root (or to where its issuer is missing), checking every signature with
// sigalg and that no other certificate of the folder could have signed a
// certificate whose issuer the table says is missing.
func realCAChain(t *testing.T, files map[string]*realCAFile, row realCA) []*realCAFile {
	t.Helper()
	byRow := map[string]realCA{}
	for _, r := range realCAs {
		byRow[r.file] = r
	}
	var chain []*realCAFile
	for cur := row; ; {
		f := files[cur.file]
		chain = append(chain, f)
		if len(chain) > len(files) {
			t.Fatalf("issuer loop at %s", cur.file)
		}
		if cur.issuer == "" {
			for _, other := range files {
				if other != f && sigalg.CheckCertificateSignature(f.cert, other.cert) == nil {
					t.Fatalf("%s is said to lack its issuer, but %s signed it", cur.file, other.name)
				}
			}
			return chain
		}
		issuer := files[cur.issuer]
		if issuer == nil {
			t.Fatalf("%s: issuer %s is not in %s", cur.file, cur.issuer, realCADir)
		}
		if err := sigalg.CheckCertificateSignature(f.cert, issuer.cert); err != nil {
			t.Fatalf("%s is not signed by %s: %v", cur.file, cur.issuer, err)
		}
		if cur.issuer == cur.file {
			if !f.cert.IsSelfSigned() {
				t.Fatalf("%s verifies with its own key but its issuer is not its subject", cur.file)
			}
			return chain
		}
		cur = byRow[cur.issuer]
	}
}

// validityOf is the span in which every certificate of chain is valid.
func validityOf(chain []*realCAFile) (from, to time.Time) {
	from, to = chain[0].cert.NotBefore, chain[0].cert.NotAfter
	for _, f := range chain[1:] {
		if f.cert.NotBefore.After(from) {
			from = f.cert.NotBefore
		}
		if f.cert.NotAfter.Before(to) {
			to = f.cert.NotAfter
		}
	}
	return from, to
}

func checkRealCAResult(t *testing.T, row realCA, chain []*realCAFile, res *validate.Result) {
	t.Helper()
	if res.Usage != validate.UsageCA {
		t.Errorf("usage %q, want %q: a CA certificate given alone is checked as a CA", res.Usage, validate.UsageCA)
	}
	var errs []string
	for _, p := range res.Problems {
		if p.Severity == validate.SeverityError {
			errs = append(errs, p.Code+"/"+p.Reason)
		}
	}
	if row.problem == "" {
		if !res.Complete || res.Status != validate.StatusValid || len(errs) > 0 {
			t.Fatalf("want a valid complete chain; got complete=%v status=%s errors=%v\n%s", res.Complete, res.Status, errs, realCAChainText(res))
		}
		if len(res.Chain) != len(chain) {
			t.Fatalf("chain of %d certificates, want %d\n%s", len(res.Chain), len(chain), realCAChainText(res))
		}
		for i, l := range res.Chain {
			if l.Cert.Thumbprint() != chain[i].cert.Thumbprint() {
				t.Errorf("chain[%d] is %s, want %s", i, l.Cert.Subject.CommonName(), chain[i].name)
			}
		}
		if !res.Chain[len(res.Chain)-1].Trusted {
			t.Errorf("the chain does not end in a trusted root\n%s", realCAChainText(res))
		}
		return
	}
	if res.Status != validate.StatusInvalid || !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, row.problem+"/") }) {
		t.Fatalf("want an invalid verdict with problem %s; got status=%s errors=%v\n%s", row.problem, res.Status, errs, realCAChainText(res))
	}
}

func realCAChainText(res *validate.Result) string {
	var sb strings.Builder
	for i, l := range res.Chain {
		fmt.Fprintf(&sb, "  [%d] %s (%s, trusted=%v)\n", i, l.Cert.Subject.CommonName(), l.Source, l.Trusted)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(&sb, "  problem %s/%s %s cert=%d %v\n", p.Code, p.Reason, p.Severity, p.Cert, p.Params)
	}
	return sb.String()
}

func checkRealCAOpenSSL(t *testing.T, row realCA, wantOpenSSL string, at time.Time, res *validate.Result, roots, intermediates [][]byte, f *realCAFile) {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	got := opensslVerify(t, openssl, at, roots, intermediates, f.der)
	if got != wantOpenSSL {
		t.Errorf("openssl verify says %q, the table says %q", got, wantOpenSSL)
	}
	if oursValid, opensslValid := res.Status == validate.StatusValid, got == "OK"; oursValid != opensslValid && row.disagree == "" {
		t.Errorf("Podpis says %s, OpenSSL says %s, and no reason for the difference is recorded", res.Status, got)
	}
	if row.issuer == row.file {
		// A root trusted as itself: OpenSSL agrees once no other root of
		// the same name stands before it.
		if alone := opensslVerify(t, openssl, at, [][]byte{f.der}, nil, f.der); alone != "OK" {
			t.Errorf("openssl verify with only this root trusted says %q, want OK", alone)
		}
	}
}

// opensslVerifyError is the first error `openssl verify` prints.
var opensslVerifyError = regexp.MustCompile(`error (\d+) at \d+ depth lookup`)

// opensslVerify runs `openssl verify -engine gost` on target at the time
// given, with roots as the CAfile (in the order given: OpenSSL's lookup by
// name depends on it) and intermediates as -untrusted. It returns "OK" or
// "error N" with N the X509_V_ERR_* number.
func opensslVerify(t *testing.T, openssl string, at time.Time, roots, intermediates [][]byte, target []byte) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, ders ...[]byte) string {
		var buf []byte
		for _, d := range ders {
			buf = append(buf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := []string{"verify", "-engine", "gost", "-attime", strconv.FormatInt(at.Unix(), 10), "-CAfile", write("roots.pem", roots...)}
	if len(intermediates) > 0 {
		args = append(args, "-untrusted", write("intermediates.pem", intermediates...))
	}
	args = append(args, write("target.pem", target))
	out, err := exec.Command(openssl, args...).CombinedOutput()
	t.Logf("openssl verify at %s: %s", at.Format(time.RFC3339), strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", " | "))
	if m := opensslVerifyError.FindSubmatch(out); m != nil {
		return "error " + string(m[1])
	}
	if err == nil && strings.Contains(string(out), ": OK") {
		return "OK"
	}
	t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	return ""
}
