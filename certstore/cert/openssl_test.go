package cert

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/oid"

	"github.com/podpis/podpis/internal/testenv"
)

func runOpenSSL(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// The extensions a Russian CA puts in a qualified certificate, including
// a PrivateKeyUsagePeriod with fractional seconds and the critical
// subjectSignTool/issuerSignTool. FORMAT:UTF8 tells OpenSSL the text is
// UTF-8; without it OpenSSL reads it as Latin-1 and encodes it twice.
const opensslExtensions = `[req]
distinguished_name = dn
[dn]
[ext]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,digitalSignature,nonRepudiation,keyCertSign,cRLSign
subjectKeyIdentifier = hash
certificatePolicies = 1.2.643.100.113.1,1.2.643.100.113.2
crlDistributionPoints = URI:http://ca.example.ru/cdp/ca.crl
authorityInfoAccess = OCSP;URI:http://ocsp.example.ru/ocsp,caIssuers;URI:http://ca.example.ru/ca.crt
extendedKeyUsage = clientAuth,emailProtection
1.2.643.100.111 = critical,ASN1:FORMAT:UTF8,UTF8String:СКЗИ «КриптоПро CSP»
1.2.643.100.112 = critical,ASN1:SEQUENCE:issuer_sign_tool
2.5.29.16 = ASN1:SEQUENCE:pkup
[issuer_sign_tool]
signTool = FORMAT:UTF8,UTF8String:ПАК «КриптоПро HSM»
caTool = FORMAT:UTF8,UTF8String:ПАК «КриптоПро УЦ»
signToolCert = FORMAT:UTF8,UTF8String:СФ/124-3966
caToolCert = FORMAT:UTF8,UTF8String:СФ/128-3868
[pkup]
notBefore = IMPLICIT:0,GENTIME:20240115093000.876Z
notAfter = IMPLICIT:1,GENTIME:20250415093000Z
`

// TestParseOpenSSLGostCertificates parses GOST certificates made by OpenSSL's
// gost engine, the independent GOST implementation, and checks the fields
// against what OpenSSL itself reports.
func TestParseOpenSSLGostCertificates(t *testing.T) {
	testenv.OpenSSLGost(t)
	tests := []struct {
		algorithm, paramset string
		family              string
		bits                int
		paramSetKey         string
		sigAlg              string
	}{
		{"gost2012_256", "TCA", FamilyGOST2012256, 256, "paramset.tc26-256-a", "1.2.643.7.1.1.3.2"},
		{"gost2012_256", "A", FamilyGOST2012256, 256, "paramset.cryptopro-a", "1.2.643.7.1.1.3.2"},
		{"gost2012_512", "C", FamilyGOST2012512, 512, "paramset.tc26-512-c", "1.2.643.7.1.1.3.3"},
	}
	for _, tt := range tests {
		t.Run(tt.algorithm+"-"+tt.paramset, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "ext.cnf"), []byte(opensslExtensions), 0o600); err != nil {
				t.Fatal(err)
			}
			runOpenSSL(t, dir, "genpkey", "-engine", "gost", "-algorithm", tt.algorithm, "-pkeyopt", "paramset:"+tt.paramset, "-out", "key.pem")
			runOpenSSL(t, dir, "req", "-engine", "gost", "-x509", "-new", "-key", "key.pem", "-config", "ext.cnf", "-extensions", "ext",
				"-utf8", "-subj", "/C=RU/O=ООО Ромашка/CN=Иванов Иван/INN=770123456789/SNILS=12345678901/OGRN=1027700123456",
				"-days", "365", "-outform", "DER", "-out", "cert.der")
			der, err := os.ReadFile(filepath.Join(dir, "cert.der"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}

			// What OpenSSL says about the same certificate.
			report := runOpenSSL(t, dir, "x509", "-engine", "gost", "-inform", "DER", "-in", "cert.der", "-noout",
				"-serial", "-startdate", "-enddate", "-dateopt", "iso_8601", "-ext", "subjectKeyIdentifier")
			field := func(prefix string) string {
				for _, line := range strings.Split(report, "\n") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
						return v
					}
				}
				t.Fatalf("no %q in openssl output:\n%s", prefix, report)
				return ""
			}
			serial, _ := new(big.Int).SetString(field("serial="), 16)
			if c.SerialNumber.Cmp(serial) != 0 {
				t.Errorf("serial %x, openssl says %x", c.SerialNumber, serial)
			}
			for _, d := range []struct {
				got  time.Time
				name string
			}{{c.NotBefore, "notBefore="}, {c.NotAfter, "notAfter="}} {
				want, err := time.Parse("2006-01-02 15:04:05Z", field(d.name))
				if err != nil || !d.got.Equal(want) {
					t.Errorf("%s %v, openssl says %v (%v)", d.name, d.got, want, err)
				}
			}
			lines := strings.Split(strings.TrimSpace(report), "\n")
			ski, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(lines[len(lines)-1]), ":", ""))
			if err != nil || !bytes.Equal(c.SubjectKeyID, ski) {
				t.Errorf("SKI %x, openssl says %x (%v)", c.SubjectKeyID, ski, err)
			}

			if got := c.SignatureAlgorithm.String(); got != tt.sigAlg {
				t.Errorf("signature algorithm %s, want %s", got, tt.sigAlg)
			}
			pk := c.PublicKeyInfo()
			if pk.Family != tt.family || pk.Bits != tt.bits || pk.ParamSetKey != tt.paramSetKey {
				t.Errorf("PublicKeyInfo = %+v", pk)
			}
			if want := "OGRN=1027700123456, SNILS=12345678901, INN=770123456789, CN=Иванов Иван, O=ООО Ромашка, C=RU"; c.Subject.String() != want {
				t.Errorf("subject %q, want %q", c.Subject, want)
			}
			if !c.IsSelfSigned() || !c.IsCA || c.MaxPathLen != 0 {
				t.Errorf("self-signed %v cA %v pathLen %d", c.IsSelfSigned(), c.IsCA, c.MaxPathLen)
			}
			if c.KeyUsage != KeyUsageDigitalSignature|KeyUsageContentCommitment|KeyUsageCertSign|KeyUsageCRLSign {
				t.Errorf("KeyUsage %b", c.KeyUsage)
			}
			if c.SubjectSignTool != "СКЗИ «КриптоПро CSP»" || !slices.Equal(c.IssuerSignTool, []string{"ПАК «КриптоПро HSM»", "ПАК «КриптоПро УЦ»", "СФ/124-3966", "СФ/128-3868"}) {
				t.Errorf("sign tools %q %q", c.SubjectSignTool, c.IssuerSignTool)
			}
			if len(c.UnhandledCriticalExtensions()) != 0 {
				t.Errorf("UnhandledCriticalExtensions = %v", c.UnhandledCriticalExtensions())
			}
			if c.PrivateKeyNotBefore == nil || !c.PrivateKeyNotBefore.Equal(time.Date(2024, 1, 15, 9, 30, 0, 876_000_000, time.UTC)) {
				t.Errorf("PrivateKeyNotBefore %v", c.PrivateKeyNotBefore)
			}
			if !slices.EqualFunc(c.Policies, []asn1.ObjectIdentifier{oid.PolicyKC1, oid.PolicyKC2}, asn1.ObjectIdentifier.Equal) {
				t.Errorf("Policies %v", c.Policies)
			}
			if !slices.Equal(c.CRLDistributionPoints, []string{"http://ca.example.ru/cdp/ca.crl"}) ||
				!slices.Equal(c.OCSPServers, []string{"http://ocsp.example.ru/ocsp"}) ||
				!slices.Equal(c.IssuingCertificateURL, []string{"http://ca.example.ru/ca.crt"}) {
				t.Errorf("CDP %q OCSP %q CA issuers %q", c.CRLDistributionPoints, c.OCSPServers, c.IssuingCertificateURL)
			}
			if !slices.EqualFunc(c.ExtKeyUsage, []asn1.ObjectIdentifier{oid.EKUClientAuth, oid.EKUEmailProtection}, asn1.ObjectIdentifier.Equal) {
				t.Errorf("ExtKeyUsage %v", c.ExtKeyUsage)
			}
		})
	}
}
