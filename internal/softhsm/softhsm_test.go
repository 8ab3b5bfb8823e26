package softhsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Cryptoki token flags (package token's values; not imported, see Key).
const (
	flagUserPINCountLow    uint = 0x00010000
	flagUserPINFinalTry    uint = 0x00020000
	flagUserPINLocked      uint = 0x00040000
	flagUserPINToBeChanged uint = 0x00080000
)

// record encodes one object file record.
func record(typ, kind uint64, value []byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, typ)
	b = binary.BigEndian.AppendUint64(b, kind)
	if kind == kindBytes || kind == kindAttrs {
		b = binary.BigEndian.AppendUint64(b, uint64(len(value)))
	}
	return append(b, value...)
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// sampleObjectFile is an object file with a record of every kind, and
// the offset of its token flags value.
func sampleObjectFile() (b []byte, flagsAt int) {
	b = u64(7) // generation
	b = append(b, record(attrOSTokenLabel, kindBytes, []byte("label"))...)
	b = append(b, record(0x1, kindBool, []byte{1})...)
	flagsAt = len(b) + 16
	b = append(b, record(attrOSTokenFlags, kindULong, u64(0x42d))...)
	b = append(b, u64(0x9999)...) // a mechanism set of two
	b = append(b, u64(kindMechs)...)
	b = append(b, u64(2)...)
	b = append(b, u64(0x1)...)
	b = append(b, u64(0x40)...)
	b = append(b, record(0x8000ABCD, kindAttrs, record(0x2, kindULong, u64(5)))...)
	b = append(b, record(attrOSTokenSerial, kindBytes, []byte("310698a8b3aa1667"))...)
	return b, flagsAt
}

func TestParseObjectFile(t *testing.T) {
	b, flagsAt := sampleObjectFile()
	f, err := ParseObjectFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Generation != 7 || len(f.Attrs) != 6 {
		t.Fatalf("generation %d, %d attributes", f.Generation, len(f.Attrs))
	}
	flags := f.Attr(attrOSTokenFlags)
	if flags == nil || flags.ValueOffset != flagsAt || binary.BigEndian.Uint64(flags.Value) != 0x42d {
		t.Fatalf("flags attribute %+v, want value 0x42d at %d", flags, flagsAt)
	}
	if s := f.Attr(attrOSTokenSerial); s == nil || string(s.Value) != "310698a8b3aa1667" {
		t.Fatalf("serial %+v", s)
	}
	if m := f.Attr(0x9999); m == nil || len(m.Value) != 16 {
		t.Fatalf("mechanism set %+v", m)
	}

	for _, c := range []struct {
		name string
		in   []byte
		at   int
	}{
		{"empty", nil, 0},
		{"short generation", []byte{0, 0, 0}, 0},
		{"truncated header", append(u64(1), 0, 0, 0, 0), 8},
		{"unknown kind", append(u64(1), record(0x1, 9, nil)...), 8},
		{"cut value", append(u64(1), record(0x1, kindULong, []byte{0, 0})...), 24},
		{"cut byte string", append(u64(1), append(append(u64(0x3), u64(kindBytes)...), u64(100)...)...), 32},
		{"huge byte string", append(u64(1), append(append(u64(0x3), u64(kindBytes)...), u64(1<<40)...)...), 32},
		{"huge mechanism set", append(u64(1), append(append(u64(0x3), u64(kindMechs)...), u64(1<<60)...)...), 32},
		{"bad nested record", append(u64(1), record(0x4, kindAttrs, record(0x2, 9, nil))...), 32},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseObjectFile(c.in)
			var oe *ObjectFileError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want an *ObjectFileError", err)
			}
			if oe.Offset != c.at {
				t.Errorf("offset %d, want %d (%v)", oe.Offset, c.at, err)
			}
		})
	}
}

func FuzzParseObjectFile(f *testing.F) {
	sample, _ := sampleObjectFile()
	f.Add(sample)
	f.Add(u64(1))
	f.Add(append(u64(1), record(0x4, kindAttrs, record(0x2, kindULong, u64(5)))...))
	f.Fuzz(func(t *testing.T, b []byte) {
		of, err := ParseObjectFile(b)
		if err != nil {
			return
		}
		for _, a := range of.Attrs {
			if a.ValueOffset+len(a.Value) > len(b) || !bytes.Equal(b[a.ValueOffset:a.ValueOffset+len(a.Value)], a.Value) {
				t.Fatalf("attribute 0x%X: value not at its offset", a.Type)
			}
		}
	})
}

const showSlotsSample = `Available slots:
Slot 866784871
    Slot info:
        Description:      SoftHSM slot ID 0x33aa1667                                      
        Manufacturer ID:  SoftHSM project                 
        Token present:    yes
    Token info:
        Manufacturer ID:  SoftHSM project                 
        Serial number:    310698a8b3aa1667
        Initialized:      yes
        User PIN init.:   yes
        Label:            Тест: токен                 
Slot 1
    Slot info:
        Description:      SoftHSM slot ID 0x1                                             
    Token info:
        Serial number:                    
        Initialized:      no
        Label:                                            
`

func TestParseShowSlots(t *testing.T) {
	slots, err := parseShowSlots(showSlotsSample)
	if err != nil {
		t.Fatal(err)
	}
	want := []ShowSlot{
		{ID: 866784871, Serial: "310698a8b3aa1667", Label: "Тест: токен", Initialized: true},
		{ID: 1},
	}
	if len(slots) != len(want) || slots[0] != want[0] || slots[1] != want[1] {
		t.Fatalf("got %+v, want %+v", slots, want)
	}
	for _, bad := range []string{"", "Available slots:\n", "Slot x\n"} {
		if _, err := parseShowSlots(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseShowSlots(f *testing.F) {
	f.Add(showSlotsSample)
	f.Add("Slot 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		slots, err := parseShowSlots(s)
		if err == nil && len(slots) == 0 {
			t.Fatal("no error and no slot")
		}
	})
}

// objectLines parses `pkcs11-tool -O` into "kind id label" lines.
func objectLines(out string) []string {
	var lines []string
	var kind, label string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Private Key Object"):
			kind = "privkey"
		case strings.HasPrefix(line, "Public Key Object"):
			kind = "pubkey"
		case strings.HasPrefix(line, "Certificate Object"):
			kind = "cert"
		case strings.HasPrefix(strings.TrimSpace(line), "label:"):
			label = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "label:"))
		case strings.HasPrefix(strings.TrimSpace(line), "ID:"):
			lines = append(lines, kind+" "+strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "ID:"))+" "+label)
		}
	}
	return lines
}

func TestNewPutsKeysAndCertificatesOnARealToken(t *testing.T) {
	tok := New(t, Options{})
	if os.Getenv("SOFTHSM2_CONF") != tok.ConfPath || len(tok.Env) != 1 || tok.Env[0] != "SOFTHSM2_CONF="+tok.ConfPath {
		t.Fatalf("SOFTHSM2_CONF not set: env %q, Env %q", os.Getenv("SOFTHSM2_CONF"), tok.Env)
	}

	// Without login only the public objects show; with login all.
	public := objectLines(tok.Tool(t, "-O"))
	wantPublic := []string{
		"pubkey 01 Тестовый ключ RSA", "cert 01 Тестовый ключ RSA",
		"pubkey 02 Тестовый ключ ECDSA", "cert 02 Тестовый ключ ECDSA",
	}
	if !sameSet(public, wantPublic) {
		t.Fatalf("objects without login:\n%q\nwant\n%q", public, wantPublic)
	}
	all := objectLines(tok.Tool(t, "-O", "--login", "--pin", tok.PIN()))
	wantAll := append(wantPublic, "privkey 01 Тестовый ключ RSA", "privkey 02 Тестовый ключ ECDSA")
	if !sameSet(all, wantAll) {
		t.Fatalf("objects after login:\n%q\nwant\n%q", all, wantAll)
	}

	// The slot and serial are the ones pkcs11-tool sees.
	list := tok.Tool(t, "-L")
	if !strings.Contains(list, "serial num         : "+tok.Serial()) || !regexp.MustCompile(`\(0x0*`+strconvHex(tok.Slot())+`\)`).MatchString(list) {
		t.Fatalf("serial %s / slot 0x%x not in\n%s", tok.Serial(), tok.Slot(), list)
	}
	if tok.Label() != "Podpis Test" || tok.PIN() != "12345678" || tok.SOPIN() != "87654321" || tok.Module() == "" {
		t.Fatalf("defaults: %q %q %q %q", tok.Label(), tok.PIN(), tok.SOPIN(), tok.Module())
	}

	// The certificates chain to the CA and are signing certificates.
	caPEM, err := os.ReadFile(tok.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CAFile holds no certificate")
	}
	for _, k := range tok.Keys {
		if _, err := k.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("key %x: certificate does not chain to the CA: %v", k.ID, err)
		}
		if k.Cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
			t.Errorf("key %x: key usage %b", k.ID, k.Cert.KeyUsage)
		}
		if k.Cert.Subject.Country[0] != "RU" || len(k.Cert.Subject.Organization) != 1 {
			t.Errorf("key %x: subject %v", k.ID, k.Cert.Subject)
		}
		if d := time.Until(k.Cert.NotBefore); d > -23*time.Hour || d < -25*time.Hour {
			t.Errorf("key %x: notBefore %v, want a day ago", k.ID, k.Cert.NotBefore)
		}
		pemBytes, err := os.ReadFile(k.CertPath)
		if err != nil {
			t.Fatal(err)
		}
		if block, _ := pem.Decode(pemBytes); block == nil || !bytes.Equal(block.Bytes, k.CertDER) {
			t.Errorf("key %x: CertPath is not the certificate", k.ID)
		}
	}
	rsaKey, ecKey := tok.Key(RSA2048), tok.Key(ECDSAP256)
	if rsaKey == nil || ecKey == nil || tok.Key(ECDSAP384) != nil {
		t.Fatal("Key() does not find the default keys")
	}
	if rsaKey.Cert.Subject.CommonName != "Тестовый Токен RSA" || rsaKey.KeyType != 0 || ecKey.KeyType != 3 {
		t.Fatalf("RSA key %v type %d, EC type %d", rsaKey.Cert.Subject, rsaKey.KeyType, ecKey.KeyType)
	}

	// The keys sign on the token, and the signatures are the certificates'.
	data := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(data, []byte("Договор № 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("Договор № 1"))
	sig := signWithTool(t, tok, "01", "SHA256-RSA-PKCS", data)
	if err := rsa.VerifyPKCS1v15(rsaKey.Public.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("RSA signature from the token: %v", err)
	}
	hashFile := filepath.Join(t.TempDir(), "hash")
	if err := os.WriteFile(hashFile, digest[:], 0o600); err != nil {
		t.Fatal(err)
	}
	sig = signWithTool(t, tok, "02", "ECDSA", hashFile)
	if len(sig) != 64 || !ecdsa.Verify(ecKey.Public.(*ecdsa.PublicKey), digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Errorf("ECDSA signature from the token does not verify")
	}

	// No private key is left on disk.
	err = filepath.WalkDir(tok.Dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".key.der") {
			t.Errorf("private key file left: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func strconvHex(v uint) string { return strings.TrimLeft(big.NewInt(int64(v)).Text(16), "0") }

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func signWithTool(t *testing.T, tok *Token, id, mech, input string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sig")
	tok.Tool(t, "--login", "--pin", tok.PIN(), "--sign", "--id", id, "-m", mech, "--input-file", input, "--output-file", out)
	sig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestSetFlagsShowsInTokenInfo(t *testing.T) {
	tok := New(t, Options{NoKeys: true, Label: "Флаги"})
	base := tok.Flags(t)
	if base&(flagUserPINCountLow|flagUserPINFinalTry|flagUserPINLocked|flagUserPINToBeChanged) != 0 {
		t.Fatalf("a fresh token has PIN flags: 0x%X", base)
	}
	tokenFlags := func() string {
		for _, line := range strings.Split(tok.Tool(t, "-L"), "\n") {
			if strings.Contains(line, "token flags") {
				return line
			}
		}
		t.Fatal("pkcs11-tool -L printed no token flags")
		return ""
	}

	tok.SetFlags(t, flagUserPINLocked|flagUserPINFinalTry, 0)
	if got := tok.Flags(t); got != base|flagUserPINLocked|flagUserPINFinalTry {
		t.Fatalf("stored flags 0x%X", got)
	}
	line := tokenFlags()
	if !strings.Contains(line, "user PIN locked") || !strings.Contains(line, "final user PIN try") {
		t.Fatalf("pkcs11-tool does not see the flags: %s", line)
	}

	tok.SetFlags(t, flagUserPINToBeChanged, flagUserPINLocked|flagUserPINFinalTry)
	line = tokenFlags()
	if strings.Contains(line, "locked") || !strings.Contains(line, "to be changed") {
		t.Fatalf("after clearing: %s", line)
	}
	tok.SetFlags(t, 0, flagUserPINToBeChanged)
	if got := tok.Flags(t); got != base {
		t.Fatalf("flags 0x%X, want 0x%X back", got, base)
	}

	// What SoftHSM2 itself does with the flags, which the core must cope
	// with: a wrong PIN sets COUNT_LOW (never more), a right one clears it,
	// and a token marked locked still takes the right PIN.
	cmd := exec.Command("pkcs11-tool", "--module", tok.Module(), "--token-label", tok.Label(), "--login", "--pin", "00000000", "-O")
	cmd.Env = append(os.Environ(), tok.Env...)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "CKR_PIN_INCORRECT") {
		t.Fatalf("a wrong PIN: %v\n%s", err, out)
	}
	if got := tok.Flags(t); got != base|flagUserPINCountLow {
		t.Fatalf("after a wrong PIN: flags 0x%X, want COUNT_LOW", got)
	}
	tok.SetFlags(t, flagUserPINLocked, 0)
	tok.Tool(t, "--login", "--pin", tok.PIN(), "-O")
	if got := tok.Flags(t); got != base|flagUserPINLocked {
		t.Fatalf("after the right PIN on a token marked locked: flags 0x%X, want LOCKED only", got)
	}
}

func TestOptionsChooseTheKeys(t *testing.T) {
	tok := New(t, Options{Label: "Ключи", PIN: "1111", SOPIN: "22222222", Keys: []KeySpec{
		{Algorithm: ECDSAP384, ID: []byte{0xA1}, Label: "no-cert", NoCertificate: true},
		{Algorithm: ECDSAP256, ID: []byte{0xA2, 0x02}, Label: "no-pub", NoPublicKey: true, CommonName: "Иванов Иван"},
	}})
	if got, want := objectLines(tok.Tool(t, "-O")), []string{"pubkey a1 no-cert", "cert a202 no-pub"}; !sameSet(got, want) {
		t.Fatalf("objects without login %q, want %q", got, want)
	}
	if got, want := objectLines(tok.Tool(t, "-O", "--login", "--pin", "1111")), []string{
		"pubkey a1 no-cert", "cert a202 no-pub", "privkey a1 no-cert", "privkey a202 no-pub",
	}; !sameSet(got, want) {
		t.Fatalf("objects after login %q, want %q", got, want)
	}
	if k := tok.Key(ECDSAP256); k == nil || k.Cert.Subject.CommonName != "Иванов Иван" {
		t.Fatal("CommonName not used")
	}
	if k := tok.Key(ECDSAP384); k == nil || k.CertDER == nil {
		t.Fatal("a key without a certificate on the token still has one issued")
	}

	rsaOnly := tok.Another(t, Options{Label: "Второй", RSA: true})
	if rsaOnly.Serial() == tok.Serial() || rsaOnly.Slot() == tok.Slot() {
		t.Fatalf("two tokens share serial %s / slot %d", tok.Serial(), tok.Slot())
	}
	if len(rsaOnly.Keys) != 1 || rsaOnly.Keys[0].Algorithm != RSA2048 || rsaOnly.CAFile != tok.CAFile {
		t.Fatalf("Another(RSA) keys %+v", rsaOnly.Keys)
	}
	list := tok.Tool(t, "-L")
	for _, serial := range []string{tok.Serial(), rsaOnly.Serial()} {
		if !strings.Contains(list, serial) {
			t.Errorf("token %s not listed:\n%s", serial, list)
		}
	}
	if got := objectLines(rsaOnly.Tool(t, "-O")); !sameSet(got, []string{"pubkey 01 Тестовый ключ RSA", "cert 01 Тестовый ключ RSA"}) {
		t.Fatalf("second token objects %q", got)
	}
	empty := tok.Another(t, Options{Label: "Пустой", NoKeys: true})
	if out := empty.Tool(t, "-O"); len(objectLines(out)) != 0 {
		t.Fatalf("an empty token has objects:\n%s", out)
	}
}

// The parser reads every object file SoftHSM2 itself wrote: the token's
// and those of keys and certificates (which hold mechanism sets and
// attribute maps).
func TestParseObjectFileReadsSoftHSMFiles(t *testing.T) {
	tok := New(t, Options{ECDSA: true})
	paths, err := filepath.Glob(filepath.Join(tok.TokenDir, "*", "*.object"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 { // token.object and three objects
		t.Fatalf("%d object files: %v", len(paths), paths)
	}
	kinds := map[uint64]bool{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseObjectFile(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, a := range f.Attrs {
			kinds[a.Kind] = true
		}
	}
	for _, k := range []uint64{kindBool, kindULong, kindBytes} {
		if !kinds[k] {
			t.Errorf("no attribute of kind %d seen in SoftHSM2's files", k)
		}
	}
	t.Logf("value kinds seen: %v", kinds)
}
