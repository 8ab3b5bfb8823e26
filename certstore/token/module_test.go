//go:build cgo && unix

package token

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/podpis/podpis/internal/softhsm"
	"github.com/podpis/podpis/internal/testenv"
)

// These tests load real files: what the system has (the C library, a
// program, SoftHSM2), libraries built here with gcc, and files that are no
// library at all. Each failure must come back as a *LoadError with its
// own reason, never as a crash.

func wantLoadError(t *testing.T, path, reason string) *LoadError {
	t.Helper()
	m, err := openModule(path)
	if err == nil {
		m.Close()
		t.Fatalf("openModule(%s) succeeded, want %s", path, reason)
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("openModule(%s) = %T %v, want a *LoadError", path, err, err)
	}
	if le.Reason != reason || le.Path != path {
		t.Fatalf("openModule(%s) = %q (%s), want reason %s for that path", path, le.Reason, le.Error(), reason)
	}
	t.Logf("%s", le.Error())
	return le
}

func TestOpenModuleFilesThatAreNoModule(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "readme.txt")
	if err := os.WriteFile(text, []byte("Драйвер Рутокен: librtpkcs11ecp.so\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.so")
	if err := os.WriteFile(foreign, foreignELF(t), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	wantLoadError(t, filepath.Join(dir, "nothere.so"), LoadMissing)
	wantLoadError(t, dir, LoadIsDirectory)
	wantLoadError(t, text, LoadNotLibrary)
	le := wantLoadError(t, foreign, LoadWrongArch)
	if !strings.Contains(le.Detail, arches[runtime.GOARCH].name) {
		t.Errorf("wrong-arch detail %q does not name this process's %s", le.Detail, arches[runtime.GOARCH].name)
	}
	wantLoadError(t, self, LoadNotLibrary) // the test program itself
	if runtime.GOOS == "linux" {
		// A position-independent program passes the header check (it is
		// ET_DYN) and only the loader refuses it.
		if _, err := os.Stat("/bin/sh"); err == nil {
			wantLoadError(t, "/bin/sh", LoadNotLibrary)
		}
		wantLoadError(t, loadedCLibrary(t), LoadNotPKCS11)
	}

	fifo := filepath.Join(dir, "fifo.so")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if le := wantLoadError(t, fifo, LoadNotLibrary); le.Detail != "a named pipe, not a file" { // must not block reading it
		t.Errorf("fifo detail %q", le.Detail)
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		wantLoadError(t, "/dev/null", LoadNotLibrary)
	}

	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked.so")
		if err := os.WriteFile(locked, foreignELF(t), 0o000); err != nil {
			t.Fatal(err)
		}
		wantLoadError(t, locked, LoadNotPermitted)
	} else {
		t.Log("running as root: file permissions do not stop reading, module-not-permitted is covered by TestStatErrorReasons")
	}
}

// loadedCLibrary is the C library this (cgo) test process runs with: a
// real shared library that is no PKCS#11 module.
func loadedCLibrary(t *testing.T) string {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 6 && strings.Contains(filepath.Base(fields[5]), "libc.so") {
			return fields[5]
		}
	}
	t.Fatal("no libc.so in /proc/self/maps")
	return ""
}

// buildLibrary compiles src into dir/name with gcc -shared.
func buildLibrary(t *testing.T, dir, name, src string, args ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the libraries are built with GNU ld options")
	}
	gcc := testenv.LookPath(t, "gcc")
	source := filepath.Join(dir, name+".c")
	if err := os.WriteFile(source, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command(gcc, append([]string{"-shared", "-fPIC", "-o", out, source}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	return out
}

func TestOpenModuleMissingDependency(t *testing.T) {
	dir := t.TempDir()
	stub := buildLibrary(t, dir, "libpodpisstub.so", "int podpis_stub(void) { return 0; }\n", "-Wl,-soname,libpodpisstub.so")
	mod := buildLibrary(t, dir, "needs-stub.so", fakeModuleSource+"int podpis_stub(void);\nint podpis_use_stub(void) { return podpis_stub(); }\n",
		"-L"+dir, "-lpodpisstub")
	if err := os.Remove(stub); err != nil {
		t.Fatal(err)
	}
	le := wantLoadError(t, mod, LoadDependency)
	if le.Detail != "libpodpisstub.so" {
		t.Errorf("detail %q, want the missing library's name", le.Detail)
	}
	if le.Err == nil || !strings.Contains(le.Err.Error(), "cannot open shared object file") {
		t.Errorf("the loader's own words are not kept: %v", le.Err)
	}
}

func TestOpenModuleUndefinedSymbol(t *testing.T) {
	// Loaded lazily, as the wrapper does, this library would kill the
	// process at its first call of podpis_missing; the probe resolves
	// every symbol first.
	mod := buildLibrary(t, t.TempDir(), "undefined.so", fakeModuleSource+"int podpis_missing(void);\nint podpis_call(void) { return podpis_missing(); }\n")
	le := wantLoadError(t, mod, LoadDependency)
	if le.Detail != "undefined symbol: podpis_missing" {
		t.Errorf("detail %q does not name the symbol", le.Detail)
	}
}

// fakeModuleSource is a PKCS#11 module with C_Initialize, C_Finalize and
// C_GetInfo; macros change its answers. The structures follow pkcs11t.h
// with the natural alignment of Unix.
const fakeModuleSource = `#include <string.h>
typedef unsigned long ck_rv;
typedef struct { unsigned char major, minor; } ck_version;
typedef struct { ck_version version; void *fn[68]; } ck_function_list;
typedef struct { void *create, *destroy, *lock, *unlock; unsigned long flags; void *reserved; } ck_init_args;
typedef struct { ck_version cryptoki; unsigned char manufacturer[32]; unsigned long flags; unsigned char description[32]; ck_version library; } ck_info;
static ck_function_list list;
static int initialized;
static ck_rv c_initialize(ck_init_args *args) {
#ifdef CANT_LOCK
	if (args != 0 && (args->flags & 2)) return 0xA;
#endif
#ifdef INIT_RV
	return INIT_RV;
#endif
	if (initialized) return 0x191;
	initialized = 1;
	return 0;
}
static ck_rv c_finalize(void *reserved) {
	if (!initialized) return 0x190;
	initialized = 0;
	return 0;
}
static ck_rv c_get_info(ck_info *info) {
	memset(info, ' ', sizeof *info);
	memcpy(info->manufacturer, "Podpis", 6);
	memcpy(info->description, "fake module", 11);
	info->flags = 0;
	info->cryptoki.major = 2; info->cryptoki.minor = 40;
	info->library.major = 1; info->library.minor = 2;
	return 0;
}
ck_rv C_GetFunctionList(ck_function_list **out) {
#ifdef LIST_RV
	return LIST_RV;
#endif
	list.version.major = 2; list.version.minor = 40;
#ifndef NO_INITIALIZE
	list.fn[0] = (void *) c_initialize;
#endif
	list.fn[1] = (void *) c_finalize;
	list.fn[2] = (void *) c_get_info;
	list.fn[3] = (void *) C_GetFunctionList;
	*out = &list;
	return 0;
}
`

func TestOpenModuleFakeModules(t *testing.T) {
	dir := t.TempDir()
	noSymbol := buildLibrary(t, dir, "plain.so", "int podpis_plain(void) { return 1; }\n")
	le := wantLoadError(t, noSymbol, LoadNotPKCS11)
	if le.Detail != "no C_GetFunctionList in the library" {
		t.Errorf("detail %q", le.Detail)
	}

	listFails := buildLibrary(t, dir, "list-fails.so", fakeModuleSource, "-DLIST_RV=5")
	le = wantLoadError(t, listFails, LoadNotPKCS11)
	if !errors.Is(le, CKR_GENERAL_ERROR) || !strings.Contains(le.Detail, "CKR_GENERAL_ERROR") {
		t.Errorf("C_GetFunctionList's error is lost: %v / %v", le.Detail, le.Err)
	}

	incomplete := buildLibrary(t, dir, "incomplete.so", fakeModuleSource, "-DNO_INITIALIZE")
	wantLoadError(t, incomplete, LoadNotPKCS11)

	initFails := buildLibrary(t, dir, "init-fails.so", fakeModuleSource, "-DINIT_RV=0x30")
	le = wantLoadError(t, initFails, LoadInitFailed)
	if le.Detail != "CKR_DEVICE_ERROR (0x30)" || !errors.Is(le, CKR_DEVICE_ERROR) {
		t.Errorf("init-failed detail %q / %v, want the CKR name and errors.Is", le.Detail, le.Err)
	}
	// A code ReturnValue does not name still gets its name.
	threads := buildLibrary(t, dir, "needs-threads.so", fakeModuleSource, "-DINIT_RV=0x9")
	le = wantLoadError(t, threads, LoadInitFailed)
	if le.Detail != "CKR_NEED_TO_CREATE_THREADS (0x9)" {
		t.Errorf("detail %q", le.Detail)
	}

	good := buildLibrary(t, dir, "good.so", fakeModuleSource)
	m, err := openModule(good)
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Info()
	want := ModuleInfo{Manufacturer: "Podpis", Description: "fake module", CryptokiVersion: "2.40", LibraryVersion: "1.2"}
	if err != nil || info != want {
		t.Errorf("Info() = %+v, %v; want %+v", info, err, want)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.Info(); !errors.Is(err, CKR_CRYPTOKI_NOT_INITIALIZED) {
		t.Errorf("Info after Close = %v, want CKR_CRYPTOKI_NOT_INITIALIZED", err)
	}

	// A module that cannot lock for itself is initialised without
	// threads and called one call at a time.
	cantLock := buildLibrary(t, dir, "cant-lock.so", fakeModuleSource, "-DCANT_LOCK")
	m, err = openModule(cantLock)
	if err != nil {
		t.Fatal(err)
	}
	if !m.(*p11Module).serial {
		t.Error("a CKR_CANT_LOCK module is not serialised")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := m.Info(); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := m.Close(); err != nil {
		t.Error(err)
	}
}

// softHSM returns the SoftHSM2 module with SOFTHSM2_CONF pointing at a
// fresh token folder holding one empty token (PIN 1234, SO PIN 5678).
func softHSM(t *testing.T, label string) string {
	t.Helper()
	return softhsm.New(t, softhsm.Options{Label: label, PIN: "1234", SOPIN: "5678", NoKeys: true}).Module()
}

func TestOpenModuleSoftHSMInitFails(t *testing.T) {
	lib := softhsm.RequireModule(t)
	t.Setenv("SOFTHSM2_CONF", filepath.Join(t.TempDir(), "missing.conf"))
	le := wantLoadError(t, lib, LoadInitFailed)
	// Measured with SoftHSM 2.6.1: a missing configuration is CKR_GENERAL_ERROR.
	if !errors.Is(le, CKR_GENERAL_ERROR) || le.Detail != "CKR_GENERAL_ERROR (0x5)" {
		t.Errorf("detail %q, cause %v; want CKR_GENERAL_ERROR", le.Detail, le.Err)
	}
	// The failed load left nothing behind: with a good configuration the
	// same module opens in the same process.
	softHSM(t, "after")
	m, err := openModule(lib)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}

// tokenKeys are the key pairs and certificates put on the SoftHSM token.
type tokenKeys struct {
	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey
}

// writeObjects puts an RSA and an ECDSA key pair with certificates on the
// token through pkcs11-tool (another process: the keys are made here).
func writeObjects(t *testing.T, lib string) tokenKeys {
	t.Helper()
	tool := testenv.LookPath(t, "pkcs11-tool")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, k := range []struct {
		id, label string
		key       crypto.Signer
	}{{"01", "rsa", rsaKey}, {"02", "ec", ecKey}} {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Podpis " + k.label},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		}
		certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.key.Public(), k.key)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(k.key)
		if err != nil {
			t.Fatal(err)
		}
		for typ, der := range map[string][]byte{"cert": certDER, "privkey": keyDER} {
			file := filepath.Join(dir, k.label+"."+typ)
			if err := os.WriteFile(file, der, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tool, "--module", lib, "--login", "--pin", "1234",
				"--write-object", file, "--type", typ, "--id", k.id, "--label", k.label).CombinedOutput()
			if err != nil {
				t.Fatalf("pkcs11-tool --write-object %s: %v\n%s", typ, err, out)
			}
		}
	}
	return tokenKeys{rsaKey: rsaKey, ecKey: ecKey}
}

// onlySlot is the slot of the token the test initialised (SoftHSM also
// shows a free slot with an uninitialised token).
func onlySlot(t *testing.T, m Module) SlotID {
	t.Helper()
	slots, err := m.Slots(true)
	if err != nil {
		t.Fatal(err)
	}
	var found []SlotID
	for _, s := range slots {
		ti, err := m.TokenInfo(s)
		if err != nil {
			t.Fatal(err)
		}
		if ti.Flags&TokenInitialized != 0 {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("initialised tokens in %v: %v, want one", slots, found)
	}
	return found[0]
}

func TestSoftHSMModule(t *testing.T) {
	lib := softHSM(t, "t")

	m, err := openModule(lib)
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Info()
	if err != nil || info.Manufacturer != "SoftHSM" || !strings.HasPrefix(info.CryptokiVersion, "2.") {
		t.Errorf("Info() = %+v, %v", info, err)
	}
	all, err := m.Slots(false)
	if err != nil || len(all) != 2 { // the token, and the free slot SoftHSM keeps
		t.Errorf("Slots(false) = %v, %v; want 2", all, err)
	}
	slot := onlySlot(t, m)
	si, err := m.SlotInfo(slot)
	if err != nil || si.Flags&SlotTokenPresent == 0 || si.Flags&SlotHardware != 0 {
		t.Errorf("SlotInfo = %+v, %v", si, err)
	}
	ti, err := m.TokenInfo(slot)
	wantFlags := TokenInitialized | TokenLoginRequired | TokenUserPINInitialized | TokenRNG
	if err != nil || ti.Label != "t" || len(ti.Serial) != 16 || ti.Manufacturer != "SoftHSM project" ||
		ti.Flags&wantFlags != wantFlags || ti.Flags&TokenProtectedAuthPath != 0 || ti.MinPIN == 0 || ti.MaxPIN < ti.MinPIN {
		t.Errorf("TokenInfo = %+v, %v", ti, err)
	}
	mechs, err := m.Mechanisms(slot)
	if err != nil || !slices.Contains(mechs, MechRSAPKCS) || !slices.Contains(mechs, MechECDSA) || !slices.Contains(mechs, MechSHA256RSAPKCS) {
		t.Errorf("Mechanisms = %v, %v; want CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS and CKM_ECDSA among them", mechs, err)
	}
	if _, err := m.TokenInfo(slot + 1000); !errors.Is(err, ReturnValue(0x3)) { // CKR_SLOT_ID_INVALID
		t.Errorf("TokenInfo of no slot = %v, want CKR_SLOT_ID_INVALID as a ReturnValue", err)
	}

	s, err := m.OpenSession(slot, false)
	if err != nil {
		t.Fatal(err)
	}
	if objs, err := s.FindObjects(nil); err != nil || len(objs) != 0 {
		t.Errorf("FindObjects on a new token = %v, %v; want none", objs, err)
	}
	if err := s.Login("0000"); !errors.Is(err, CKR_PIN_INCORRECT) {
		t.Errorf("Login(wrong) = %v, want CKR_PIN_INCORRECT", err)
	}
	if ti, err := m.TokenInfo(slot); err == nil {
		t.Logf("flags after a wrong PIN: %#x (count-low %v)", ti.Flags, ti.Flags&TokenUserPINCountLow != 0)
	}
	// An empty PIN is sent as NULL: right for a PIN pad, refused here.
	if err := s.Login(""); err == nil {
		t.Error(`Login("") succeeded on a token without a PIN pad`)
	} else {
		t.Logf(`Login("") without a PIN pad: %v`, err)
	}
	if err := s.Login("1234"); err != nil {
		t.Fatalf("Login(right) = %v", err)
	}
	if err := s.SetPIN("1234", "4321"); err == nil {
		t.Error("SetPIN in a read-only session succeeded")
	} else if !errors.Is(err, CKR_SESSION_READ_ONLY) {
		t.Errorf("SetPIN read-only = %v, want CKR_SESSION_READ_ONLY", err)
	}
	if err := s.Logout(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Login("1234"); !errors.Is(err, CKR_SESSION_CLOSED) {
		t.Errorf("Login on a closed session = %v", err)
	}

	rw, err := m.OpenSession(slot, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Login("1234"); err != nil {
		t.Fatal(err)
	}
	if err := rw.SetPIN("1234", "4321"); err != nil {
		t.Fatalf("SetPIN = %v", err)
	}
	rw.Logout()
	if err := rw.Login("1234"); !errors.Is(err, CKR_PIN_INCORRECT) {
		t.Errorf("old PIN after SetPIN = %v", err)
	}
	if err := rw.Login("4321"); err != nil {
		t.Errorf("new PIN after SetPIN = %v", err)
	}
	if err := rw.SetPIN("4321", "1234"); err != nil {
		t.Fatal(err)
	}
	rw.Close()

	// Close unloads the module; the same path opens again in the same
	// process and sees what another process wrote meanwhile.
	if err := m.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, err := m.Slots(true); !errors.Is(err, CKR_CRYPTOKI_NOT_INITIALIZED) {
		t.Errorf("Slots after Close = %v", err)
	}
	t.Logf("SoftHSM2 still mapped after Close: %v", mapped(t, "libsofthsm2"))
	keys := writeObjects(t, lib)

	m, err = openModule(lib)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	defer m.Close()
	slot = onlySlot(t, m)
	s, err = m.OpenSession(slot, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	certs, err := s.FindObjects([]Attribute{{AttrClass, ULong(ClassCertificate)}})
	if err != nil || len(certs) != 2 {
		t.Fatalf("certificates = %v, %v; want 2", certs, err)
	}
	keysSeen, err := s.FindObjects([]Attribute{{AttrClass, ULong(ClassPrivateKey)}})
	if err != nil || len(keysSeen) != 0 {
		t.Errorf("private keys before login = %v, %v; want none visible", keysSeen, err)
	}
	// CKA_MODULUS and CKA_EC_PARAMS are no certificate's: they come back
	// nil instead of failing the call.
	attrs, err := s.Attributes(certs[0], []AttributeType{AttrLabel, AttrID, AttrModulus, AttrValue, AttrECParams, AttrCertificateType})
	if err != nil {
		t.Fatalf("Attributes = %v", err)
	}
	if attrs[2].Type != AttrModulus || attrs[2].Value != nil || attrs[4].Value != nil {
		t.Errorf("absent attributes = %+v, %+v; want nil values", attrs[2], attrs[4])
	}
	if ct, ok := ParseULong(attrs[5].Value); !ok || ct != CertificateX509 {
		t.Errorf("CKA_CERTIFICATE_TYPE = %x", attrs[5].Value)
	}
	if _, err := x509.ParseCertificate(attrs[3].Value); err != nil {
		t.Errorf("CKA_VALUE is no certificate: %v", err)
	}
	if got, _ := s.Attributes(certs[0], nil); len(got) != 0 {
		t.Errorf("Attributes(nil) = %v", got)
	}

	if err := s.Login("1234"); err != nil {
		t.Fatal(err)
	}
	msg := []byte("Подписываемый документ")
	digest := sha256.Sum256(msg)
	for _, k := range []struct {
		label string
		mech  Mechanism
		data  []byte
		check func(sig []byte) error
	}{
		{"rsa", MechSHA256RSAPKCS, msg, func(sig []byte) error {
			return rsa.VerifyPKCS1v15(&keys.rsaKey.PublicKey, crypto.SHA256, digest[:], sig)
		}},
		{"ec", MechECDSA, digest[:], func(sig []byte) error {
			if len(sig) != 64 || !ecdsa.Verify(&keys.ecKey.PublicKey, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
				return errors.New("the r||s signature does not verify")
			}
			return nil
		}},
	} {
		found, err := s.FindObjects([]Attribute{{AttrClass, ULong(ClassPrivateKey)}, {AttrLabel, []byte(k.label)}})
		if err != nil || len(found) != 1 {
			t.Fatalf("%s private key = %v, %v", k.label, found, err)
		}
		sig, err := s.Sign(k.mech, found[0], k.data)
		if err != nil {
			t.Fatalf("Sign(%s) = %v", k.mech, err)
		}
		if err := k.check(sig); err != nil {
			t.Errorf("%s signature: %v", k.label, err)
		}
		// The private value is sensitive: nil, not an error.
		priv, err := s.Attributes(found[0], []AttributeType{AttrValue, AttrID, AttrSign})
		if err != nil || priv[0].Value != nil || string(priv[1].Value) == "" {
			t.Errorf("private key attributes = %+v, %v", priv, err)
		}
	}
	if _, err := s.Sign(MechRSAPKCS, ObjectHandle(0xdead), digest[:]); !errors.Is(err, CKR_KEY_HANDLE_INVALID) && !errors.Is(err, CKR_OBJECT_HANDLE_INVALID) {
		t.Errorf("Sign with no key = %v", err)
	}
}

// mapped reports whether a library whose path contains name is mapped
// into this process.
func mapped(t *testing.T, name string) bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return false
	}
	return strings.Contains(string(b), name)
}

func TestSoftHSMOpenedTwice(t *testing.T) {
	lib := softHSM(t, "twice")
	first, err := openModule(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// The loader hands back the loaded copy; its C_Initialize answers
	// CKR_CRYPTOKI_ALREADY_INITIALIZED and the second Module shares it.
	second, err := openModule(lib)
	if err != nil {
		t.Fatalf("second open = %v", err)
	}
	if second.(*p11Module).owner {
		t.Error("the second Module thinks it initialised the library")
	}
	slot := onlySlot(t, second)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if ti, err := first.TokenInfo(slot); err != nil || ti.Label != "twice" {
		t.Errorf("first Module after the second closed: %+v, %v", ti, err)
	}
}

func TestSoftHSMConcurrentUse(t *testing.T) {
	lib := softHSM(t, "busy")
	m, err := openModule(lib)
	if err != nil {
		t.Fatal(err)
	}
	slot := onlySlot(t, m)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := m.TokenInfo(slot); err != nil {
					t.Error(err)
					return
				}
				if _, err := m.Mechanisms(slot); err != nil {
					t.Error(err)
					return
				}
				s, err := m.OpenSession(slot, false)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.FindObjects(nil); err != nil {
					t.Error(err)
				}
				s.Close()
			}
		})
	}
	wg.Wait()

	// Close while others call: they get CKR_CRYPTOKI_NOT_INITIALIZED,
	// nobody calls into the unloaded library.
	shared, err := m.OpenSession(slot, false)
	if err != nil {
		t.Fatal(err)
	}
	var running sync.WaitGroup
	running.Add(4)
	for range 4 {
		wg.Go(func() {
			first := true
			for {
				_, err := m.TokenInfo(slot)
				_, serr := shared.FindObjects(nil)
				if first {
					running.Done()
					first = false
				}
				if errors.Is(err, CKR_CRYPTOKI_NOT_INITIALIZED) && errors.Is(serr, CKR_CRYPTOKI_NOT_INITIALIZED) {
					return
				}
				for _, e := range []error{err, serr} {
					if e != nil && !errors.Is(e, CKR_CRYPTOKI_NOT_INITIALIZED) {
						t.Errorf("call while closing = %v", e)
						return
					}
				}
			}
		})
	}
	running.Wait() // every caller is in its loop
	if err := m.Close(); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if err := shared.Close(); err != nil {
		t.Errorf("closing a session of a closed module = %v", err)
	}
}
