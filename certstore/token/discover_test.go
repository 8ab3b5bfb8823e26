package token

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

// touch makes an (empty) file at root/rel, with its folders: Discover
// only looks for files, it never loads them.
func touch(t *testing.T, root, rel string) string {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// rerooted moves absolute folders under root.
func rerooted(root string, dirs []string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = filepath.Join(root, filepath.FromSlash(d))
	}
	return out
}

func TestP11KitRegistrations(t *testing.T) {
	base := filepath.Join("testdata", "discover")
	dirs := []string{filepath.Join(base, "package"), filepath.Join(base, "system"), filepath.Join(base, "user")}
	regs, disabled := p11KitRegistrations(dirs)
	want := []p11KitRegistration{
		{name: "librtpkcs11ecp", module: "librtpkcs11ecp.so", priority: 9}, // module from package, priority from system
		{name: "vendor", module: "vendor-pkcs11.so", priority: 6},          // broken lines skipped, the later priority wins
		{name: "bad-priority", module: "libjcPKCS11-2.so"},
		{name: "missing-file", module: "not-installed-pkcs11.so"},
		{name: "seahorse-and-podpis", module: "enabled-pkcs11.so"},
	}
	if !reflect.DeepEqual(regs, want) {
		t.Errorf("registrations:\n got %+v\nwant %+v", regs, want)
	}
	if !reflect.DeepEqual(disabled, []string{"libsofthsm2.so"}) {
		t.Errorf("disabled = %v", disabled)
	}
	// Without the user's folder OpenSC's registration is back.
	regs, _ = p11KitRegistrations(dirs[:2])
	if !slices.ContainsFunc(regs, func(r p11KitRegistration) bool { return r.module == "opensc-pkcs11.so" }) {
		t.Errorf("OpenSC missing without the user's override: %+v", regs)
	}
	// A folder that does not exist is no error.
	if regs, disabled := p11KitRegistrations([]string{filepath.Join(t.TempDir(), "none")}); regs != nil || disabled != nil {
		t.Errorf("missing folder: %v %v", regs, disabled)
	}
}

func TestDiscoverP11Kit(t *testing.T) {
	// A copy, so a folder named like a registration can be added.
	base := t.TempDir()
	if err := os.CopyFS(base, os.DirFS(filepath.Join("testdata", "discover"))); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(base, "package", "folder.module"), 0o755); err != nil {
		t.Fatal(err)
	}
	modules := t.TempDir()
	for _, name := range []string{
		"librtpkcs11ecp.so", "vendor-pkcs11.so", "libjcPKCS11-2.so", "enabled-pkcs11.so",
		"opensc-pkcs11.so", "libsofthsm2.so", "p11-kit-trust.so", "gnome-keyring-pkcs11.so",
	} {
		touch(t, modules, name)
	}
	got := Discover(DiscoverOptions{
		GOOS:             "linux",
		P11KitDirs:       []string{filepath.Join(base, "package"), filepath.Join(base, "system"), filepath.Join(base, "user")},
		P11KitModuleDirs: []string{filepath.Join(t.TempDir(), "empty"), modules},
		SearchDirs:       []string{modules},
	})
	want := []Candidate{
		{Path: filepath.Join(modules, "librtpkcs11ecp.so"), Product: "Рутокен", Source: SourceP11Kit},
		{Path: filepath.Join(modules, "vendor-pkcs11.so"), Product: "", Source: SourceP11Kit},
		{Path: filepath.Join(modules, "libjcPKCS11-2.so"), Product: "JaCarta", Source: SourceP11Kit},
		{Path: filepath.Join(modules, "enabled-pkcs11.so"), Product: "", Source: SourceP11Kit},
		// Hidden from p11-kit by the user's empty module:, still found
		// under its usual name; SoftHSM2 is not (disable-in: podpis).
		{Path: filepath.Join(modules, "opensc-pkcs11.so"), Product: "OpenSC", Source: SourceKnown},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover:\n got %+v\nwant %+v", got, want)
	}
}

func TestDiscoverP11KitAbsoluteModule(t *testing.T) {
	kit := t.TempDir()
	lib := touch(t, t.TempDir(), "opt/vendor/lib/libvendor.so")
	if err := os.WriteFile(filepath.Join(kit, "vendor.module"), []byte("module: "+lib+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same file by a link in the search folder is not listed again.
	search := t.TempDir()
	symlink(t, lib, filepath.Join(search, "libsofthsm2.so"))
	got := Discover(DiscoverOptions{GOOS: "linux", P11KitDirs: []string{kit}, P11KitModuleDirs: []string{}, SearchDirs: []string{search}})
	want := []Candidate{{Path: lib, Source: SourceP11Kit}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover = %+v, want %+v", got, want)
	}
}

func TestDiscoverKnownLayouts(t *testing.T) {
	tests := []struct {
		goos    string
		files   []string          // created under the root
		links   map[string]string // link -> target, under the root
		dirs    []string          // folders named like a library
		search  []string          // nil: the defaults of goos, under the root
		want    []string          // paths under the root, in order
		product []string
	}{
		{
			goos: "linux",
			files: []string{
				"usr/lib/librtpkcs11ecp.so",
				"usr/lib64/libjcPKCS11-2.so",
				"usr/lib/libeTPkcs11.so",
				"usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
				"usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
				"opt/cprocsp/lib/amd64/libcppkcs11.so",
			},
			links: map[string]string{
				"usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so": "../opensc-pkcs11.so",
				"usr/lib/softhsm/libsofthsm2.so":                   "../x86_64-linux-gnu/softhsm/libsofthsm2.so",
			},
			dirs: []string{"usr/lib/libeToken.so"},
			want: []string{
				"usr/lib/librtpkcs11ecp.so",
				"usr/lib64/libjcPKCS11-2.so",
				"usr/lib/libeTPkcs11.so",
				"usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
				"usr/lib/softhsm/libsofthsm2.so", // first in the folder order; the multiarch file is the same
				"opt/cprocsp/lib/amd64/libcppkcs11.so",
			},
			product: []string{"Рутокен", "JaCarta", "SafeNet eToken", "OpenSC", "SoftHSM2", "КриптоПро CSP"},
		},
		{
			goos: "darwin",
			files: []string{
				"Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp",
				"Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2",
				"usr/local/lib/libeTPkcs11.dylib",
				"Library/OpenSC/lib/opensc-pkcs11.so",
				"opt/homebrew/lib/softhsm/libsofthsm2.so",
				"opt/cprocsp/lib/libcppkcs11.dylib",
			},
			want: []string{
				"Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp",
				"Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2",
				"usr/local/lib/libeTPkcs11.dylib",
				"Library/OpenSC/lib/opensc-pkcs11.so",
				"opt/homebrew/lib/softhsm/libsofthsm2.so",
				"opt/cprocsp/lib/libcppkcs11.dylib",
			},
			product: []string{"Рутокен", "JaCarta", "SafeNet eToken", "OpenSC", "SoftHSM2", "КриптоПро CSP"},
		},
		{
			goos: "windows",
			files: []string{
				"Windows/System32/rtPKCS11ECP.dll",
				"Windows/System32/jcPKCS11-2.dll",
				"Windows/System32/eTPKCS11.dll",
				"Program Files/OpenSC Project/OpenSC/pkcs11/opensc-pkcs11.dll",
				"SoftHSM2/lib/softhsm2-x64.dll",
				"Program Files/Crypto Pro/CSP/cppkcs11.dll",
			},
			search: []string{"Windows/System32", "Program Files/OpenSC Project/OpenSC/pkcs11", "SoftHSM2/lib", "Program Files/Crypto Pro/CSP"},
			want: []string{
				"Windows/System32/rtPKCS11ECP.dll",
				"Windows/System32/jcPKCS11-2.dll",
				"Windows/System32/eTPKCS11.dll",
				"Program Files/OpenSC Project/OpenSC/pkcs11/opensc-pkcs11.dll",
				"SoftHSM2/lib/softhsm2-x64.dll",
				"Program Files/Crypto Pro/CSP/cppkcs11.dll",
			},
			product: []string{"Рутокен", "JaCarta", "SafeNet eToken", "OpenSC", "SoftHSM2", "КриптоПро CSP"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				touch(t, root, f)
			}
			for link, target := range tt.links {
				symlink(t, target, filepath.Join(root, filepath.FromSlash(link)))
			}
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			search := tt.search
			if search == nil {
				search = defaultSearchDirs(tt.goos, "amd64")
			}
			got := Discover(DiscoverOptions{GOOS: tt.goos, P11KitDirs: []string{}, SearchDirs: rerooted(root, search)})
			var want []Candidate
			for i, w := range tt.want {
				want = append(want, Candidate{Path: filepath.Join(root, filepath.FromSlash(w)), Product: tt.product[i], Source: SourceKnown})
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Discover:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestDiscoverHardLinkOnce(t *testing.T) {
	root := t.TempDir()
	first := touch(t, root, "a/librtpkcs11ecp.so")
	second := filepath.Join(root, "b", "librtpkcs11ecp.so")
	os.MkdirAll(filepath.Dir(second), 0o755)
	if err := os.Link(first, second); err != nil {
		testenv.Missing(t, "hard links in the temporary folder: %v", err)
	}
	got := Discover(DiscoverOptions{GOOS: "linux", P11KitDirs: []string{}, SearchDirs: []string{filepath.Dir(first), filepath.Dir(second)}})
	if len(got) != 1 || got[0].Path != first {
		t.Errorf("Discover = %+v, want only %s", got, first)
	}
}

func TestDefaultFolders(t *testing.T) {
	t.Setenv("SystemRoot", `D:\Win`)
	t.Setenv("ProgramFiles", `D:\Programs`)
	win := defaultSearchDirs("windows", "amd64")
	if win[0] != filepath.Join(`D:\Win`, "System32") || !slices.Contains(win, `C:\SoftHSM2\lib`) {
		t.Errorf("windows folders = %v", win)
	}
	if got := defaultP11KitModuleDirs("linux", "amd64"); got[0] != "/usr/lib/x86_64-linux-gnu/pkcs11" {
		t.Errorf("linux p11-kit module folders = %v", got)
	}
	if got := defaultP11KitModuleDirs("linux", "arm64"); got[0] != "/usr/lib/aarch64-linux-gnu/pkcs11" {
		t.Errorf("linux/arm64 p11-kit module folders = %v", got)
	}
	if defaultP11KitDirs("windows") != nil || defaultP11KitModuleDirs("windows", "amd64") != nil {
		t.Error("p11-kit folders on Windows")
	}
	linux := defaultP11KitDirs("linux")
	if linux[0] != "/usr/share/p11-kit/modules" || linux[1] != "/etc/pkcs11/modules" {
		t.Errorf("linux p11-kit folders = %v", linux)
	}
	if home, err := os.UserHomeDir(); err == nil && linux[len(linux)-1] != filepath.Join(home, ".config", "pkcs11", "modules") {
		t.Errorf("the user's folder is not last: %v", linux)
	}
}

func TestProductOf(t *testing.T) {
	tests := map[string]string{
		"/usr/lib/librtpkcs11ecp.so":                                      "Рутокен",
		`C:\Windows\System32\rtPKCS11ECP.dll`:                             "Рутокен",
		"/Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2":             "JaCarta",
		"/usr/lib/libeToken.so":                                           "SafeNet eToken",
		`C:\Windows\System32\eTPKCS11.dll`:                                "SafeNet eToken",
		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so":                      "OpenSC",
		"/usr/lib/softhsm/libsofthsm2.so":                                 "SoftHSM2",
		"/opt/cprocsp/lib/amd64/libcppkcs11.so":                           "КриптоПро CSP",
		"/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so":              "",
		"/opt/rtpkcs11-looking-folder/libother.so":                        "",
		`C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`: "OpenSC",
	}
	for path, want := range tests {
		if got := productOf(path); got != want {
			t.Errorf("productOf(%s) = %q, want %q", path, got, want)
		}
	}
}

// On this machine: what is found exists, each file once, and SoftHSM2
// (installed for the tests) is among it.
func TestDiscoverHere(t *testing.T) {
	got := Discover(DiscoverOptions{})
	seen := map[string]bool{}
	softhsm := false
	for _, c := range got {
		info, err := os.Stat(c.Path)
		if err != nil || !info.Mode().IsRegular() {
			t.Errorf("%s: %v", c.Path, err)
		}
		real, _ := filepath.EvalSymlinks(c.Path)
		if seen[real] {
			t.Errorf("%s listed twice", real)
		}
		seen[real] = true
		softhsm = softhsm || c.Product == "SoftHSM2"
		t.Logf("%-8s %-14s %s", c.Source, c.Product, c.Path)
	}
	if !softhsm && runtime.GOOS == "linux" {
		testenv.Missing(t, "SoftHSM2 is not installed (apt-get install softhsm2)")
	}
}
