package pfx

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/gost/gost3410"

	"github.com/podpis/podpis/internal/testenv"
)

// stripMAC rebuilds a PFX without its MacData, as some tools (and attackers)
// leave it.
func stripMAC(t testing.TB, der []byte) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) ||
		!pfx.ReadASN1Element(&authSafe, cbasn1.SEQUENCE) {
		t.Fatal("stripMAC: not a PFX")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(int64(version))
		b.AddBytes(authSafe)
	})
	return b.BytesOrPanic()
}

// shroudedKeyCiphertext returns the encrypted PKCS#8 of the first shrouded
// key bag (a subslice of the file's own bytes).
func shroudedKeyCiphertext(t testing.TB, der []byte) []byte {
	t.Helper()
	f, err := parsePFX(der)
	if err != nil {
		t.Fatal(err)
	}
	var ct []byte
	for _, s := range f.safes {
		if s.encrypted {
			continue
		}
		walkBags(s.data, 0, func(_ asn1.ObjectIdentifier, v cryptobyte.String) error {
			var epki, alg cryptobyte.String
			if ct == nil && v.ReadASN1(&epki, cbasn1.SEQUENCE) && epki.ReadASN1(&alg, cbasn1.SEQUENCE) {
				var c cryptobyte.String
				if epki.ReadASN1(&c, cbasn1.OCTET_STRING) {
					ct = c
				}
			}
			return nil
		})
	}
	if ct == nil {
		t.Fatal("no shrouded key bag")
	}
	return ct
}

func offsetOf(t testing.TB, whole, part []byte) int {
	t.Helper()
	i := bytes.Index(whole, part)
	if i < 0 || bytes.Index(whole[i+1:], part) >= 0 {
		t.Fatalf("part not found exactly once")
	}
	return i
}

func TestTruncated(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	f := makeFixture(t, bin, "gost2012_256", "A", "gost89", "p")
	for _, n := range []int{0, 1, 4, 10, 100, len(f.pfx) / 2, len(f.pfx) - 80, len(f.pfx) - 1} {
		_, err := Decode(f.pfx[:n], "p")
		var fe *FormatError
		if !errors.Is(err, ErrCorrupt) || !errors.As(err, &fe) || fe.Field == "" {
			t.Errorf("truncated to %d bytes: %v, want ErrCorrupt with a field", n, err)
		}
		if IsGOST(f.pfx[:n]) {
			t.Errorf("IsGOST(truncated to %d) = true", n)
		}
	}
	// Trailing bytes are damage too.
	if _, err := Decode(append(bytes.Clone(f.pfx), 0), "p"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: %v, want ErrCorrupt", err)
	}
}

// TestBitFlips flips one bit at many offsets. The documented outcome:
// inside the MAC'd content ErrWrongPassword (the MAC fails) or ErrCorrupt
// (the structure breaks first); in the MAC value and salt ErrWrongPassword;
// in the outer structure ErrCorrupt, or ErrUnsupported when an algorithm OID
// outside the MAC became an unknown one. Never success.
func TestBitFlips(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	fx := makeFixture(t, bin, "gost2012_256", "A", "gost89", "p")
	der := fx.pfx
	f, err := parsePFX(der)
	if err != nil {
		t.Fatal(err)
	}
	asStart := offsetOf(t, der, f.authSafe)
	asEnd := asStart + len(f.authSafe)
	macStart := offsetOf(t, der, f.mac.value)
	macEnd := macStart + len(f.mac.value)
	saltStart := offsetOf(t, der, f.mac.salt)
	saltEnd := saltStart + len(f.mac.salt)
	iterStart := len(der) - 2 // INTEGER 2048 = 02 02 08 00 closes the file

	step := 11
	if testing.Short() {
		step = 41
	}
	offsets := []int{0, 1, 2, 3, 4, 5, 6, macStart, saltStart}
	for i := 7; i < len(der); i += step {
		offsets = append(offsets, i)
	}
	for _, i := range offsets {
		for _, bit := range []byte{0x01, 0x80} {
			b := bytes.Clone(der)
			b[i] ^= bit
			_, err := Decode(b, "p")
			is := func(targets ...error) bool {
				for _, e := range targets {
					if errors.Is(err, e) {
						return true
					}
				}
				return false
			}
			var ok bool
			switch {
			case err == nil:
				ok = false
			case i >= asStart && i < asEnd:
				ok = is(ErrWrongPassword, ErrCorrupt)
			case i >= macStart && i < macEnd, i >= saltStart && i < saltEnd:
				ok = is(ErrWrongPassword)
			case i >= iterStart:
				ok = is(ErrWrongPassword, ErrCorrupt, ErrUnsupported)
			case i < 8:
				ok = is(ErrCorrupt)
			default:
				ok = is(ErrCorrupt, ErrUnsupported)
			}
			if !ok {
				t.Errorf("bit %#x flipped at offset %d of %d: %v", bit, i, len(der), err)
			}
		}
	}
}

func TestMACStripped(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, pbe := range []string{"gost89", "kuznyechik-ctr-acpkm"} {
		t.Run(pbe, func(t *testing.T) {
			f := makeFixture(t, bin, "gost2012_256", "TCA", pbe, "пароль")
			bare := stripMAC(t, f.pfx)
			if !IsGOST(bare) {
				t.Error("IsGOST = false for a MAC-less GOST PFX")
			}
			c, err := Decode(bare, f.password)
			if err != nil {
				t.Fatalf("Decode(MAC-less): %v", err)
			}
			checkContents(t, f, c)
			if _, err := Decode(bare, "wrong"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("MAC-less, wrong password: %v, want ErrWrongPassword", err)
			}
			// Damage to the key's ciphertext only: its first plaintext byte (the
			// PrivateKeyInfo SEQUENCE tag) changes while the certificates still
			// decrypt, so this is a damaged file, not a wrong password.
			damaged := bytes.Clone(bare)
			damaged[offsetOf(t, bare, shroudedKeyCiphertext(t, bare))] ^= 0x01
			_, err = Decode(damaged, f.password)
			var fe *FormatError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &fe) {
				t.Fatalf("MAC-less with a damaged key bag: %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestLongContent makes the certificate SafeContents longer than one 4 KiB
// CTR-ACPKM section (Kuznyechik) and than several 1 KiB CryptoPro key meshing
// periods (GOST 28147-89), so section size, key change and meshing are
// tested against the engine in both directions: OpenSSL's file decoded here,
// and our Encode of the same chain read back by OpenSSL.
func TestLongContent(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, pbe := range []string{"gost89", "kuznyechik-ctr-acpkm", "magma-ctr-acpkm"} {
		t.Run(pbe, func(t *testing.T) {
			f := makeFixture(t, bin, "gost2012_256", "A", pbe, "123")
			var chain []byte
			want := [][]byte{f.certDER}
			for i := 0; i < 12; i++ {
				name := filepath.Join(f.dir, "extra.pem")
				mustOpenSSL(t, bin, "req", "-engine", "gost", "-x509", "-new", "-key", f.keyPEM,
					"-subj", "/CN=Extra certificate to make the bag long/O=Организация/C=RU", "-days", "3", "-out", name)
				chain = append(chain, readFile(t, name)...)
				want = append(want, pemBlock(t, name, "CERTIFICATE"))
			}
			writeFile(t, f.path("chain.pem"), chain)
			mustOpenSSL(t, bin, "pkcs12", "-engine", "gost", "-export", "-inkey", f.keyPEM, "-in", f.certPEM,
				"-certfile", f.path("chain.pem"), "-out", f.path("big.pfx"), "-passout", "pass:123",
				"-keypbe", pbe, "-certpbe", pbe, "-macalg", "md_gost12_512")
			big := readFile(t, f.path("big.pfx"))
			if len(big) < 2*kuznyechikACPKMSection {
				t.Fatalf("fixture only %d bytes; want more than two ACPKM sections", len(big))
			}
			c, err := Decode(big, "123")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(c.Certificates) != len(want) || len(c.Keys) != 1 {
				t.Fatalf("got %d certificates and %d keys, want %d and 1", len(c.Certificates), len(c.Keys), len(want))
			}
			for _, w := range want {
				found := false
				for _, g := range c.Certificates {
					found = found || bytes.Equal(g, w)
				}
				if !found {
					t.Fatal("a certificate of the chain is missing or differs")
				}
			}

			ours, err := Encode(f.keyDER, want, "123")
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, f.path("ours.pfx"), ours)
			mustOpenSSL(t, bin, "pkcs12", "-engine", "gost", "-in", f.path("ours.pfx"), "-passin", "pass:123",
				"-nodes", "-nokeys", "-out", f.path("certs.pem"))
			var got [][]byte
			rest := readFile(t, f.path("certs.pem"))
			for {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				got = append(got, b.Bytes)
			}
			if len(got) != len(want) {
				t.Fatalf("OpenSSL reads %d certificates from our PFX, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("OpenSSL reads certificate %d differently", i)
				}
			}
		})
	}
}

func testKey(t testing.TB) []byte {
	t.Helper()
	priv, err := gost3410.GenerateKey(gost3410.CurveTC26_256A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := gost3410.MarshalPKCS8(priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// fakeCert is DER-shaped; Encode and Decode do not interpret certificates.
var fakeCert = []byte{0x30, 0x03, 0x02, 0x01, 0x07}

func TestBMPPasswordFallback(t *testing.T) {
	key := testKey(t)
	for _, pw := range []string{"пароль", "Secret", ""} {
		for _, tc := range []struct {
			name     string
			pbe, mac []byte
		}{
			{"BMP everywhere", bmpPassword(pw), bmpPassword(pw)},
			{"BMP MAC, UTF-8 PBES2", []byte(pw), bmpPassword(pw)},
		} {
			out, err := encode(key, [][]byte{fakeCert}, tc.pbe, tc.mac, 64)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(out, pw)
			if err != nil {
				t.Fatalf("%q, %s: %v", pw, tc.name, err)
			}
			if len(c.Keys) != 1 || !bytes.Equal(c.Keys[0], key) || len(c.Certificates) != 1 || !bytes.Equal(c.Certificates[0], fakeCert) {
				t.Fatal("contents differ")
			}
			if _, err := Decode(out, pw+"1"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v", err)
			}
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	key := testKey(t)
	certs := [][]byte{fakeCert, {0x30, 0x00}, bytes.Repeat([]byte{0x30, 0x00}, 1)}
	for _, tc := range []struct {
		certs [][]byte
		pw    string
	}{{certs, "пароль"}, {nil, "x"}, {certs[:1], ""}} {
		out, err := Encode(key, tc.certs, tc.pw)
		if err != nil {
			t.Fatal(err)
		}
		if !IsGOST(out) {
			t.Error("IsGOST = false")
		}
		c, err := Decode(out, tc.pw)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Keys) != 1 || !bytes.Equal(c.Keys[0], key) || len(c.Certificates) != len(tc.certs) {
			t.Fatal("contents differ")
		}
		for i := range tc.certs {
			if !bytes.Equal(c.Certificates[i], tc.certs[i]) {
				t.Fatalf("certificate %d differs", i)
			}
		}
	}
	if _, err := Encode([]byte("junk"), nil, "x"); err == nil {
		t.Error("Encode accepted a non-DER key")
	}
	if _, err := Encode(key, [][]byte{{1, 2}}, "x"); err == nil {
		t.Error("Encode accepted a non-DER certificate")
	}
}

// fuzzIterationLimit keeps each fuzz execution cheap; real limits are tested
// by the other tests.
const fuzzIterationLimit = 64

func FuzzDecode(f *testing.F) {
	key := testKey(f)
	for _, pw := range []string{"", "пароль"} {
		out, err := encode(key, [][]byte{fakeCert, {0x30, 0x00}}, []byte(pw), []byte(pw), 1)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out, pw)
		f.Add(stripMAC(f, out), pw)
		bmp, err := encode(key, nil, []byte(pw), bmpPassword(pw), 2)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bmp, pw)
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		IsGOST(data)
		c, err := decode(data, password, fuzzIterationLimit)
		if err == nil {
			if c == nil {
				t.Fatal("nil Contents without an error")
			}
			return
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error outside the three sentinels: %v", err)
		}
	})
}
