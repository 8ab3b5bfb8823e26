package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/podpis/podpis/internal/gost/streebog"
)

// hashAlgorithms are the values of `podpis hash --alg`. Streebog-256 is the
// default, as in CryptoPro's cpverify, since that is what Russian
// electronic document systems ask for.
const (
	hashAlgorithms       = "streebog256, streebog512, sha256"
	defaultHashAlgorithm = "streebog256"
)

func hashAlgorithm(name string) (func() hash.Hash, bool) {
	switch name {
	case "streebog256":
		return streebog.New256, true
	case "streebog512":
		return streebog.New512, true
	case "sha256":
		return sha256.New, true
	}
	return nil, false
}

// hashCopyBuffer is how much of a file is read at a time: the memory used
// does not grow with the file.
const hashCopyBuffer = 64 << 10

// hashResult is one file in `podpis hash --json`.
type hashResult struct {
	File  string   `json:"file"`
	Alg   string   `json:"alg"`
	Hash  string   `json:"hash,omitempty"`
	Error *problem `json:"error,omitempty"`
}

// hashFileError is a file that `podpis hash` could not read. Its codes are
// those the store gives for the same trouble ("unreadable", "is-directory"),
// so scripts see the same reasons from import and hash; the messages are
// hash's own (cli.hash.err.*), since the store's speak of certificates.
type hashFileError struct {
	code   string
	file   string
	detail string
	err    error
}

func (e *hashFileError) Error() string {
	s := e.file + ": " + e.code
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}
func (e *hashFileError) Unwrap() error { return e.err }
func (e *hashFileError) Code() string  { return e.code }
func (e *hashFileError) Params() map[string]any {
	return map[string]any{"File": e.file, "Detail": e.detail}
}

func runHash(r *runner, a *parsedArgs) int {
	alg := defaultHashAlgorithm
	if v, ok := a.values["alg"]; ok {
		alg = strings.ToLower(v)
	}
	newHash, ok := hashAlgorithm(alg)
	if !ok {
		// As r.fail, with the list of algorithms as the fix.
		p := r.problem(usageError("flag-value-invalid", map[string]any{"Value": a.values["alg"], "Flag": "--alg"}))
		p.Hint = r.l.T("cli.hash.hint.alg", map[string]any{"Algorithms": hashAlgorithms})
		if r.json {
			r.printJSON(map[string]any{"error": p})
		} else {
			r.printProblem(p, "")
		}
		return exitBadInput
	}

	buf := make([]byte, hashCopyBuffer)
	h := newHash()
	results := make([]hashResult, 0, len(a.positional))
	failed := 0
	for _, file := range a.positional {
		h.Reset()
		if err := r.hashFile(h, file, buf); err != nil {
			failed++
			p := r.hashProblem(err)
			results = append(results, hashResult{File: file, Alg: alg, Error: &p})
			if !r.json {
				r.printProblem(p, "")
			}
			continue
		}
		sum := hex.EncodeToString(h.Sum(nil))
		results = append(results, hashResult{File: file, Alg: alg, Hash: sum})
		if !r.json {
			fmt.Fprintf(r.env.Stdout, "%s  %s\n", sum, file)
		}
	}
	if r.json {
		r.printJSON(results)
	}
	if failed > 0 {
		return exitBadInput
	}
	return exitOK
}

// hashFile streams a file ("-" is standard input) into h through buf.
func (r *runner) hashFile(h hash.Hash, file string, buf []byte) *hashFileError {
	var in io.Reader = r.env.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return r.unreadable(file, err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return r.unreadable(file, err)
		}
		if fi.IsDir() {
			return &hashFileError{code: "is-directory", file: file}
		}
		in = f
	}
	// Only Read is passed on, so that io.CopyBuffer uses buf rather than a
	// WriterTo of the file with a buffer of its own.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{in}, buf); err != nil {
		return r.unreadable(file, err)
	}
	return nil
}

// unreadable words the operating system's reason in the user's language
// where it is a common one.
func (r *runner) unreadable(file string, err error) *hashFileError {
	detail := err.Error()
	var pe *os.PathError
	switch {
	case errors.Is(err, os.ErrNotExist):
		detail = r.l.T("cli.hash.detail.not-exist")
	case errors.Is(err, os.ErrPermission):
		detail = r.l.T("cli.hash.detail.permission")
	case errors.As(err, &pe):
		detail = pe.Err.Error()
	}
	return &hashFileError{code: "unreadable", file: file, detail: detail, err: err}
}

// hashProblem is r.problem with hash's own message and fix.
func (r *runner) hashProblem(err *hashFileError) problem {
	p := r.problem(err)
	p.Message = r.l.T("cli.hash.err."+err.code, err.Params())
	p.Hint = r.l.T("cli.hash.hint."+err.code, err.Params())
	return p
}
