package token

import (
	"cmp"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// This file finds the PKCS#11 modules installed on the machine without
// loading any: p11-kit's registrations first (what the distribution and
// the person registered), then the usual file names of the drivers
// Podpis is written for, in the folders their installers use.

// p11KitProgram is the name p11-kit's enable-in/disable-in lists use for
// Podpis (the base name of the executable).
const p11KitProgram = "podpis"

// moduleConfigLimit bounds how much of a .module file is read: real ones
// are a few hundred bytes.
const moduleConfigLimit = 64 << 10

func discover(opts DiscoverOptions) []Candidate {
	goos := opts.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	found := candidateSet{windows: goos == "windows"}
	kitDirs := opts.P11KitDirs
	if kitDirs == nil {
		kitDirs = defaultP11KitDirs(goos)
	}
	moduleDirs := opts.P11KitModuleDirs
	if moduleDirs == nil {
		moduleDirs = defaultP11KitModuleDirs(goos, runtime.GOARCH)
	}
	regs, disabled := p11KitRegistrations(kitDirs)
	// A module registered with "disable-in: podpis" is not offered under
	// its usual name either: that line is the person's way to say so.
	for _, module := range disabled {
		if path := resolveP11KitModule(module, moduleDirs); path != "" {
			found.skip(path)
		}
	}
	for _, reg := range regs {
		if path := resolveP11KitModule(reg.module, moduleDirs); path != "" {
			found.add(path, SourceP11Kit)
		}
	}
	searchDirs := opts.SearchDirs
	if searchDirs == nil {
		searchDirs = defaultSearchDirs(goos, runtime.GOARCH)
	}
	for _, lib := range knownLibraries(goos) {
		for _, dir := range searchDirs {
			found.add(filepath.Join(dir, filepath.FromSlash(lib)), SourceKnown)
		}
	}
	return found.list
}

// candidateSet keeps the files found, each once: two paths are the same
// module when their symbolic links resolve to one file or when they are
// the same file (a hard link, or another spelling on a case-insensitive
// file system).
type candidateSet struct {
	windows  bool
	list     []Candidate
	resolved map[string]bool
	infos    []os.FileInfo
}

func (s *candidateSet) add(path, source string) {
	if s.mark(path) {
		s.list = append(s.list, Candidate{Path: path, Product: productOf(path), Source: source})
	}
}

// skip keeps the file at path out of the list.
func (s *candidateSet) skip(path string) { s.mark(path) }

// mark records the file at path and reports whether it is an existing
// regular file not seen before.
func (s *candidateSet) mark(path string) bool {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	key := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		key = r
	}
	if s.windows {
		key = strings.ToLower(key)
	}
	if s.resolved[key] {
		return false
	}
	for _, seen := range s.infos {
		if os.SameFile(seen, info) {
			return false
		}
	}
	if s.resolved == nil {
		s.resolved = map[string]bool{}
	}
	s.resolved[key] = true
	s.infos = append(s.infos, info)
	return true
}

// productOf names the driver a module file belongs to, from its file name.
func productOf(path string) string {
	// Either separator: a Windows path is named on any system in tests.
	base := strings.ToLower(path[strings.LastIndexAny(path, `/\`)+1:])
	switch {
	case strings.Contains(base, "rtpkcs11"):
		return "Рутокен"
	case strings.Contains(base, "jcpkcs11"):
		return "JaCarta"
	case strings.Contains(base, "etoken"), strings.Contains(base, "etpkcs11"):
		return "SafeNet eToken"
	case strings.Contains(base, "opensc-pkcs11"):
		return "OpenSC"
	case strings.Contains(base, "softhsm"):
		return "SoftHSM2"
	case strings.Contains(base, "cppkcs11"):
		return "КриптоПро CSP"
	}
	return ""
}

// p11KitRegistration is one module registered with p11-kit that Podpis
// may load.
type p11KitRegistration struct {
	name     string // the file name without .module
	module   string // as written: absolute, or relative to the module folder
	priority int
}

// p11KitRegistrations reads the *.module files of dirs, listed from the
// lowest precedence to the highest (package, system, user). As p11-kit
// does, a file of the same name in a folder of higher precedence wins,
// and the settings it lacks are taken from the others (p11-kit's
// conf.c, load_config_from_file: "merge defaults"). An empty module:
// hides the module (a user's override of a system registration).
// Modules disabled for Podpis (disable-in: podpis, or an enable-in that
// does not name it), remote ones, and trust-policy modules (certificate
// anchors, not tokens: p11-kit-trust) are left out. The result is sorted
// as p11-kit sorts: higher priority first, then by name. disabled lists
// the module: of the registrations that name Podpis in disable-in.
func p11KitRegistrations(dirs []string) (regs []p11KitRegistration, disabled []string) {
	configs := map[string]map[string]string{}
	for i := len(dirs) - 1; i >= 0; i-- {
		entries, err := os.ReadDir(dirs[i])
		if err != nil {
			continue
		}
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".module")
			if !ok || name == "" || e.IsDir() {
				continue
			}
			fields, err := readModuleConfig(filepath.Join(dirs[i], e.Name()))
			if err != nil {
				continue
			}
			prev, ok := configs[name]
			if !ok {
				configs[name] = fields
				continue
			}
			for k, v := range fields {
				if _, set := prev[k]; !set {
					prev[k] = v
				}
			}
		}
	}
	for name, fields := range configs {
		module := fields["module"]
		if module != "" && slices.Contains(programList(fields["disable-in"]), p11KitProgram) {
			disabled = append(disabled, module)
		}
		if module == "" || !p11KitEnabled(fields) || isYes(fields["trust-policy"]) {
			continue
		}
		priority, _ := strconv.Atoi(fields["priority"])
		regs = append(regs, p11KitRegistration{name: name, module: module, priority: priority})
	}
	slices.SortFunc(regs, func(a, b p11KitRegistration) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	slices.Sort(disabled)
	return regs, disabled
}

func readModuleConfig(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, moduleConfigLimit))
	if err != nil {
		return nil, err
	}
	return parseModuleConfig(data), nil
}

// parseModuleConfig reads p11-kit's "name: value" lines (pkcs11.conf(5)):
// white space around lines, names and values is dropped, lines starting
// with # are comments (a # after a value is part of it), and a later line
// sets a name again. p11-kit rejects a whole file for one line without a
// colon, a [section] or a PEM block; Podpis skips such lines and keeps
// the rest, so one typo does not hide a token.
func parseModuleConfig(data []byte) map[string]string {
	fields := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t[") {
			continue
		}
		fields[name] = strings.TrimSpace(value)
	}
	return fields
}

// p11KitEnabled applies enable-in and disable-in: comma and/or space
// separated program names.
func p11KitEnabled(fields map[string]string) bool {
	if list, ok := fields["enable-in"]; ok && !slices.Contains(programList(list), p11KitProgram) {
		return false
	}
	return !slices.Contains(programList(fields["disable-in"]), p11KitProgram)
}

func programList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

func isYes(s string) bool { return s == "yes" }

// resolveP11KitModule finds the file of a module: as written when
// absolute, else in the first module folder that has it (p11-kit looks in
// its one P11_MODULE_PATH; the list covers the places distributions put
// it). "" when no such file exists.
func resolveP11KitModule(module string, moduleDirs []string) string {
	if filepath.IsAbs(module) || strings.HasPrefix(module, "/") {
		return module
	}
	for _, dir := range moduleDirs {
		path := filepath.Join(dir, filepath.FromSlash(module))
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
			return path
		}
	}
	return ""
}

// defaultP11KitDirs are p11-kit's folders of module registrations, from
// the lowest precedence to the highest: the package folder
// (p11_package_config_modules, /usr/share/p11-kit/modules on Debian,
// Fedora, Arch), the system one (p11_system_config_modules,
// /etc/pkcs11/modules) and the user's (~/.config/pkcs11/modules) — as
// pkcs11.conf(5) and `pkg-config --variable ... p11-kit-1` give them.
// Homebrew's p11-kit keeps them under its prefix.
func defaultP11KitDirs(goos string) []string {
	var dirs []string
	switch goos {
	case "windows":
		return nil
	case "darwin":
		dirs = []string{
			"/usr/local/share/p11-kit/modules", "/usr/local/etc/pkcs11/modules",
			"/opt/homebrew/share/p11-kit/modules", "/opt/homebrew/etc/pkcs11/modules",
		}
	case "freebsd", "openbsd", "netbsd", "dragonfly":
		dirs = []string{"/usr/local/share/p11-kit/modules", "/usr/local/etc/pkcs11/modules"}
	default:
		dirs = []string{"/usr/share/p11-kit/modules", "/etc/pkcs11/modules"}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".config", "pkcs11", "modules"))
	}
	return dirs
}

// multiarchTriplets are Debian's library folder names
// (/usr/lib/<triplet>) per GOARCH.
var multiarchTriplets = map[string]string{
	"amd64":    "x86_64-linux-gnu",
	"386":      "i386-linux-gnu",
	"arm64":    "aarch64-linux-gnu",
	"arm":      "arm-linux-gnueabihf",
	"riscv64":  "riscv64-linux-gnu",
	"loong64":  "loongarch64-linux-gnu",
	"ppc64le":  "powerpc64le-linux-gnu",
	"s390x":    "s390x-linux-gnu",
	"mips64le": "mips64el-linux-gnuabi64",
}

// defaultP11KitModuleDirs are where a relative module: is looked up:
// p11-kit's p11_module_path, which is /usr/lib/<triplet>/pkcs11 on Debian
// and Ubuntu (`pkg-config --variable p11_module_path p11-kit-1` on this
// project's machine: /usr/lib/x86_64-linux-gnu/pkcs11), /usr/lib64/pkcs11
// on Fedora and ALT, /usr/lib/pkcs11 on Arch.
func defaultP11KitModuleDirs(goos, goarch string) []string {
	switch goos {
	case "windows":
		return nil
	case "darwin":
		return []string{"/opt/homebrew/lib/pkcs11", "/usr/local/lib/pkcs11"}
	case "linux":
		var dirs []string
		if t, ok := multiarchTriplets[goarch]; ok {
			dirs = append(dirs, "/usr/lib/"+t+"/pkcs11")
		}
		return append(dirs, "/usr/lib64/pkcs11", "/usr/lib/pkcs11")
	}
	return []string{"/usr/local/lib/pkcs11", "/usr/lib/pkcs11"}
}

// knownLibraries are the usual file names of the modules, per system, in
// the order Discover lists them: Рутокен, JaCarta, SafeNet eToken, OpenSC,
// SoftHSM2, CryptoPro CSP. Each is looked for in each search folder.
//
// Where the names come from (public installers, packages and programs
// that load these modules):
//   - Рутокен: librtpkcs11ecp.so (Aktiv's librtpkcs11ecp package: /usr/lib
//     on Debian/Astra, /usr/lib64 on RED OS; ALT packs it into
//     %_libdir/pkcs11), rtPKCS11ECP.dll in System32, and on macOS
//     rtpkcs11ecp.framework/rtpkcs11ecp (the Rutoken SDK's
//     PKCS11_LIBRARY_NAME) or librtpkcs11ecp.dylib in /usr/local/lib.
//   - JaCarta: libjcPKCS11-2.so in /usr/lib (JaCarta SDK samples; ALT:
//     %_libdir/pkcs11), jcPKCS11-2.dll in System32,
//     /Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2 on macOS.
//   - SafeNet eToken (SafeNet Authentication Client): libeToken.so and
//     libeTPkcs11.so in /usr/lib or /usr/lib64, eTPKCS11.dll in System32,
//     /usr/local/lib/libeTPkcs11.dylib on macOS.
//   - OpenSC: opensc-pkcs11.so in /usr/lib/<triplet> (Debian's opensc-pkcs11
//     package, with a link in .../pkcs11), /usr/lib64 (Fedora),
//     /Library/OpenSC/lib on macOS (OpenSC's installer), and
//     C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll.
//   - SoftHSM2: /usr/lib/softhsm/libsofthsm2.so (Debian's softhsm2, a link
//     to /usr/lib/<triplet>/softhsm), /usr/lib64/pkcs11 (Fedora),
//     /usr/local/lib/softhsm (a source build, Homebrew on Intel),
//     /opt/homebrew/lib/softhsm (Homebrew on Apple silicon), and
//     C:\SoftHSM2\lib\softhsm2-x64.dll (SoftHSM2-for-Windows).
//   - CryptoPro CSP 5: libcppkcs11.so in /opt/cprocsp/lib/amd64 (the
//     lsb-cprocsp-pkcs11 package; ia32 for 32-bit), libcppkcs11.dylib in
//     /opt/cprocsp/lib on macOS. On Windows cppkcs11.dll is looked for in
//     System32 and CryptoPro's Program Files folder: that name was not
//     confirmed from an installer.
func knownLibraries(goos string) []string {
	switch goos {
	case "windows":
		return []string{
			"rtPKCS11ECP.dll",
			"jcPKCS11-2.dll",
			"eTPKCS11.dll",
			"opensc-pkcs11.dll",
			"softhsm2-x64.dll", "softhsm2.dll",
			"cppkcs11.dll",
		}
	case "darwin":
		return []string{
			"rtpkcs11ecp.framework/rtpkcs11ecp", "librtpkcs11ecp.dylib",
			"jcPKCS11-2.framework/jcPKCS11-2", "libjcPKCS11-2.dylib",
			"libeTPkcs11.dylib", "libeToken.dylib",
			"opensc-pkcs11.so",
			"libsofthsm2.so", "libsofthsm2.dylib",
			"libcppkcs11.dylib",
		}
	}
	return []string{
		"librtpkcs11ecp.so",
		"libjcPKCS11-2.so",
		"libeToken.so", "libeTPkcs11.so",
		"opensc-pkcs11.so",
		"libsofthsm2.so",
		"libcppkcs11.so",
	}
}

// defaultSearchDirs are the folders the installers above put modules in.
func defaultSearchDirs(goos, goarch string) []string {
	switch goos {
	case "windows":
		system := os.Getenv("SystemRoot")
		if system == "" {
			system = `C:\Windows`
		}
		programs := os.Getenv("ProgramFiles")
		if programs == "" {
			programs = `C:\Program Files`
		}
		return []string{
			filepath.Join(system, "System32"),
			filepath.Join(programs, "OpenSC Project", "OpenSC", "pkcs11"),
			`C:\SoftHSM2\lib`,
			filepath.Join(programs, "SoftHSM2", "lib"),
			filepath.Join(programs, "Crypto Pro", "CSP"),
		}
	case "darwin":
		return []string{
			"/Library/Frameworks",
			"/usr/local/lib",
			"/opt/homebrew/lib",
			"/Library/OpenSC/lib",
			"/usr/local/lib/softhsm",
			"/opt/homebrew/lib/softhsm",
			"/opt/cprocsp/lib",
		}
	}
	dirs := []string{"/usr/lib", "/usr/lib64"}
	if t, ok := multiarchTriplets[goarch]; ok && goos == "linux" {
		dirs = append(dirs, "/usr/lib/"+t)
	}
	dirs = append(dirs, "/usr/lib/pkcs11", "/usr/lib64/pkcs11")
	if t, ok := multiarchTriplets[goarch]; ok && goos == "linux" {
		dirs = append(dirs, "/usr/lib/"+t+"/pkcs11")
	}
	dirs = append(dirs, "/usr/local/lib", "/usr/lib/softhsm")
	if t, ok := multiarchTriplets[goarch]; ok && goos == "linux" {
		dirs = append(dirs, "/usr/lib/"+t+"/softhsm")
	}
	dirs = append(dirs, "/usr/local/lib/softhsm")
	switch goarch {
	case "amd64":
		dirs = append(dirs, "/opt/cprocsp/lib/amd64")
	case "386":
		dirs = append(dirs, "/opt/cprocsp/lib/ia32")
	}
	return dirs
}
