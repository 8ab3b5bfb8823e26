package signer

// STUB: the batch helper replaces these with the real ones in batch.go and
// deletes this file. Signatures are fixed.

import (
	"context"
	"io"
)

// SignFile signs the file at path into out (a detached or attached
// signature per opts), reading the file once and writing out atomically.
// An existing out is an error matching os.ErrExist unless force.
func SignFile(path, out string, key Key, opts SignOptions, force bool) (Signed, error) {
	return Signed{}, errNotImplemented
}

// BatchOptions says how to sign many files.
type BatchOptions struct {
	SignOptions
	// OutDir mirrors the inputs' tree there; "" writes each signature
	// beside its file.
	OutDir string
	// Force replaces existing signatures; without it they are left alone
	// and the file is reported as skipped, so an interrupted run can be
	// run again.
	Force bool
	// Workers is the number of files signed at once; 0 means one per CPU.
	Workers int
	// Progress, when set, is called after each file, never concurrently.
	Progress func(BatchProgress)
}

// BatchProgress is reported after each file.
type BatchProgress struct {
	Done, Total           int
	DoneBytes, TotalBytes int64
	Last                  FileResult
}

// FileResult is the outcome for one input file.
type FileResult struct {
	Path    string // the input
	Output  string // the signature file (planned, even when it failed)
	Signed  Signed
	Skipped bool  // the output existed and Force was false
	Err     error // nil when signed or skipped
}

// BatchReport is the outcome of a batch, files in a stable order (the
// order of the inputs, folders walked in lexical order).
type BatchReport struct {
	Files                   []FileResult
	Signed, Skipped, Failed int
	Canceled                bool
}

// SignBatch signs every file of inputs (folders recursively, skipping
// signature files) with key, spreading the work over Workers goroutines.
// A failed file does not stop the others; canceling ctx stops starting new
// files, and the ones in progress leave no partial output.
func SignBatch(ctx context.Context, inputs []string, key Key, opts BatchOptions) (*BatchReport, error) {
	return nil, errNotImplemented
}

// WriteManifest writes the report as CSV: file, size, digest algorithm,
// digest (hex), signature file, result (signed, skipped, failed: reason).
func WriteManifest(w io.Writer, report *BatchReport) error { return errNotImplemented }
