package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/gost/streebog"
)

// The examples of RFC 6986 section 10 with their digests as bytes (the
// reverse of the hexadecimal printed in the RFC), as OpenSSL and cpverify
// print them.
const (
	hashM1     = "012345678901234567890123456789012345678901234567890123456789012"
	hashM1s256 = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
	hashM1s512 = "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
	hashM2Hex  = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
	hashM2s256 = "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"
	hashM2s512 = "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
)

// hashFixtures writes m1.txt, m2.bin and an empty file into a temporary
// folder and returns it.
func hashFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	m2, err := hex.DecodeString(hashM2Hex)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"m1.txt": []byte(hashM1), "m2.bin": m2, "empty": nil} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestHash(t *testing.T) {
	dir := hashFixtures(t)
	m1, m2 := filepath.Join(dir, "m1.txt"), filepath.Join(dir, "m2.bin")
	empty := streebog.Sum256(nil)
	sha := sha256.Sum256([]byte(hashM1))
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // exactly
		stderr []string
	}{
		{name: "default is streebog256", args: []string{m1}, stdout: hashM1s256 + "  " + m1 + "\n"},
		{name: "streebog256 M2", args: []string{"--alg", "streebog256", m2}, stdout: hashM2s256 + "  " + m2 + "\n"},
		{name: "streebog512 both", args: []string{m1, "--alg=streebog512", m2},
			stdout: hashM1s512 + "  " + m1 + "\n" + hashM2s512 + "  " + m2 + "\n"},
		{name: "sha256", args: []string{"--alg", "sha256", m1}, stdout: hex.EncodeToString(sha[:]) + "  " + m1 + "\n"},
		{name: "algorithm names ignore case", args: []string{"--alg", "Streebog512", m1}, stdout: hashM1s512 + "  " + m1 + "\n"},
		{name: "empty file", args: []string{filepath.Join(dir, "empty")},
			stdout: hex.EncodeToString(empty[:]) + "  " + filepath.Join(dir, "empty") + "\n"},
		{name: "standard input", args: []string{"-"}, stdin: hashM1, stdout: hashM1s256 + "  -\n"},
		{name: "standard input among files", args: []string{m2, "-", "--alg", "streebog512"}, stdin: hashM1,
			stdout: hashM2s512 + "  " + m2 + "\n" + hashM1s512 + "  -\n"},
		{name: "missing file, the others still hashed", args: []string{filepath.Join(dir, "nope"), m1}, code: 2,
			stdout: hashM1s256 + "  " + m1 + "\n",
			stderr: []string{"podpis: " + filepath.Join(dir, "nope") + " cannot be read (no such file)", "→ Check that the file exists"}},
		{name: "directory", args: []string{dir}, code: 2,
			stderr: []string{"podpis: " + dir + " is a folder, not a file", "podpis hash " + dir + "/*"}},
		{name: "unknown algorithm", args: []string{"--alg", "md5", m1}, code: 2,
			stderr: []string{"Wrong value “md5” for --alg", "streebog256, streebog512, sha256"}},
		{name: "no file", args: []string{}, code: 2, stderr: []string{"An argument is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.stdin = tt.stdin
			r := e.run(append([]string{"hash"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if r.stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.stdout)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if len(tt.stderr) == 0 && r.stderr != "" {
				t.Errorf("unexpected stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestHashRussian(t *testing.T) {
	dir := hashFixtures(t)
	e := newTestEnv(t)
	e.vars["LANG"] = "en_US.UTF-8"
	r := e.run("hash", "--lang", "ru", filepath.Join(dir, "nope"), dir)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	for _, s := range []string{
		"Файл " + filepath.Join(dir, "nope") + " не удаётся прочитать (файла нет)",
		"Проверьте, что файл существует",
		dir + " — это папка, а не файл",
		"Чтобы вычислить хэш каждого файла в папке",
	} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	e.vars["LANG"] = "ru_RU.UTF-8"
	if r := e.run("hash", "--alg", "md5", "x"); !strings.Contains(r.stderr, "Значения --alg: streebog256") {
		t.Errorf("stderr lacks the Russian list of algorithms:\n%s", r.stderr)
	}
}

func TestHashJSON(t *testing.T) {
	dir := hashFixtures(t)
	m1, missing := filepath.Join(dir, "m1.txt"), filepath.Join(dir, "nope")
	e := newTestEnv(t)
	r := e.run("hash", "--json", "--alg", "streebog512", m1, missing, dir)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("--json wrote to stderr: %s", r.stderr)
	}
	var got []hashResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(got) != 3 {
		t.Fatalf("%d results, want 3:\n%s", len(got), r.stdout)
	}
	if got[0] != (hashResult{File: m1, Alg: "streebog512", Hash: hashM1s512}) {
		t.Errorf("first result %+v", got[0])
	}
	for i, reason := range map[int]string{1: "unreadable", 2: "is-directory"} {
		res := got[i]
		if res.Hash != "" || res.Error == nil || res.Alg != "streebog512" {
			t.Errorf("result %d: %+v, want an error and no hash", i, res)
			continue
		}
		if res.Error.Code != "bad-input" || res.Error.Reason != reason || res.Error.File != res.File ||
			res.Error.Message == "" || res.Error.Hint == "" {
			t.Errorf("result %d: error %+v, want bad-input/%s with message and hint", i, *res.Error, reason)
		}
	}
	if !strings.Contains(r.stdout, `"file": "`+missing+`"`) || !strings.Contains(r.stdout, `"alg": "streebog512"`) {
		t.Errorf("the JSON keys are not file/alg/hash:\n%s", r.stdout)
	}

	r = e.run("hash", "--json", "--alg", "nope", m1)
	var bad struct{ Error problem }
	if err := json.Unmarshal([]byte(r.stdout), &bad); err != nil || r.code != 2 || bad.Error.Hint == "" {
		t.Errorf("bad --alg in --json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
}

// TestHashLargeFile streams a file of several read buffers with an uneven
// tail and compares with hashing it in one piece.
func TestHashLargeFile(t *testing.T) {
	data := make([]byte, 3*hashCopyBuffer+12345)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	file := filepath.Join(t.TempDir(), "large")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := streebog.Sum512(data)
	e := newTestEnv(t)
	r := e.run("hash", "--alg", "streebog512", file)
	if r.code != 0 || r.stdout != hex.EncodeToString(want[:])+"  "+file+"\n" {
		t.Errorf("exit %d, stdout %q; want %x", r.code, r.stdout, want)
	}
}
