package signer

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/atomicfile"
)

// Batch signing: what an accountant does with a folder of declarations.
// The inputs are planned first (folders walked in lexical order), so the
// report and the progress know the total; then workers sign the files, each
// output written through atomicfile so that a crash or a kill never leaves
// a partial signature under the real name, and a re-run skips what exists.

// SignatureSuffix is appended to a file's name to name its signature.
const SignatureSuffix = ".sig"

// signatureFileSuffixes are the endings of signature files, which a folder walk
// does not sign (a signature of a signature is never what is meant): ours,
// and the .p7s and .sgn that other tools write.
var signatureFileSuffixes = []string{".sig", ".p7s", ".sgn"}

// IsSignatureName reports whether a file name ends like a signature file.
func IsSignatureName(name string) bool {
	_, ok := TrimSignatureSuffix(name)
	return ok
}

// TrimSignatureSuffix returns a signature file's name without its suffix
// (any case): the name of the document a detached signature sits beside.
func TrimSignatureSuffix(name string) (string, bool) {
	lower := strings.ToLower(name)
	for _, s := range signatureFileSuffixes {
		if strings.HasSuffix(lower, s) {
			return name[:len(name)-len(s)], true
		}
	}
	return name, false
}

// batchSignaturePerm: a signature is public, like the document it signs.
const batchSignaturePerm = 0o644

// batchCommitters is how many signatures may wait for their fsync at once.
// The waits overlap well (measured on ext4: 1,000 small atomic writes take
// 2.2 s one at a time, 0.6 s eight at a time, 0.2 s 32 at a time), and
// each holds only a small detached signature or one open temporary file.
const batchCommitters = 32

// attachedWriteBuffer batches the small writes of a streamed signature into
// large ones; the memory stays fixed for any file size.
const attachedWriteBuffer = 256 << 10

// SignFile signs the file at path into out (a detached or attached
// signature per opts), reading the file once and writing out atomically.
// An existing out is an error matching os.ErrExist unless force.
func SignFile(path, out string, key Key, opts SignOptions, force bool) (Signed, error) {
	signed, commit, err := batchSign(path, out, key, opts, force, true)
	if err != nil {
		return Signed{}, err
	}
	if err := commit(); err != nil {
		return Signed{}, err
	}
	return signed, nil
}

// batchSign does the work of SignFile up to the output's durable write,
// which it returns as commit: fsyncing a file and its folder is waiting
// rather than work, so a batch hands it to more goroutines than there are
// CPUs while the CPUs sign the next files. commit must be called once when
// err is nil: until then an attached signature is a temporary file. Without
// syncDir a detached signature's folder is not fsynced: the batch does
// that once per folder at the end.
func batchSign(path, out string, key Key, opts SignOptions, force, syncDir bool) (Signed, func() error, error) {
	if !force {
		if _, err := os.Lstat(out); err == nil {
			return Signed{}, nil, &BatchFileError{Reason: "output-exists", File: path, Output: out, Err: os.ErrExist}
		}
	}
	f, size, err := openBatchInput(path)
	if err != nil {
		return Signed{}, nil, err
	}
	defer f.Close()
	content := &batchReader{r: f}
	if opts.Attached {
		return batchSignAttached(path, out, content, size, key, opts, force)
	}
	sig, signed, err := SignDetached(content, key, opts)
	if err != nil {
		return Signed{}, nil, batchSignFailure(path, out, content, err)
	}
	write := atomicfile.WriteNew
	if force {
		write = atomicfile.Write
	}
	if !syncDir {
		write = func(path string, data []byte, perm os.FileMode) error {
			return atomicfile.WriteUnsynced(path, data, perm, force)
		}
	}
	commit := func() error {
		if err := write(out, sig, batchSignaturePerm); err != nil {
			return batchWriteFailure(path, out, err)
		}
		return nil
	}
	return signed, commit, nil
}

func batchSignAttached(path, out string, content *batchReader, size int64, key Key, opts SignOptions, force bool) (Signed, func() error, error) {
	w, err := atomicfile.Create(out, batchSignaturePerm, force)
	if err != nil {
		return Signed{}, nil, batchWriteFailure(path, out, err)
	}
	buf := bufio.NewWriterSize(w, attachedWriteBuffer)
	// The size was promised to the encoder: a file that grows meanwhile is
	// signed as it was when it was opened, one that shrinks fails.
	content.r = io.LimitReader(content.r, size)
	signed, err := Sign(buf, content, size, key, opts)
	if err == nil {
		err = buf.Flush()
		if err != nil {
			err = batchWriteFailure(path, out, err)
		}
	} else {
		err = batchSignFailure(path, out, content, err)
	}
	if err != nil {
		w.Abort()
		return Signed{}, nil, err
	}
	commit := func() error {
		if err := w.Commit(); err != nil {
			return batchWriteFailure(path, out, err)
		}
		return nil
	}
	return signed, commit, nil
}

// batchReader remembers a read error, so that a failure while signing is
// told apart as the input's fault (unreadable) or the signer's.
type batchReader struct {
	r   io.Reader
	err error
}

func (b *batchReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// openBatchInput opens a file to sign. It refuses what is not an ordinary
// file before opening it: opening a FIFO would wait for a writer forever.
func openBatchInput(path string) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, batchInputFailure(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, batchNotRegular(path, fi)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, batchInputFailure(path, err)
	}
	// It may have been replaced between the two looks.
	fi, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, batchInputFailure(path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, batchNotRegular(path, fi)
	}
	return f, fi.Size(), nil
}

func batchInputFailure(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		if lfi, lerr := os.Lstat(path); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return &BatchFileError{Reason: "broken-link", File: path, Detail: target, Err: err}
		}
		return &BatchFileError{Reason: "vanished", File: path, Err: err}
	}
	return &BatchFileError{Reason: "unreadable", File: path, Detail: batchOSDetail(err), Err: err}
}

func batchNotRegular(path string, fi fs.FileInfo) error {
	if fi.IsDir() {
		return &BatchFileError{Reason: "is-folder", File: path}
	}
	return &BatchFileError{Reason: "not-regular", File: path}
}

func batchSignFailure(path, out string, content *batchReader, err error) error {
	if content.err != nil {
		return batchInputFailure(path, content.err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The file shrank while it was read.
		return &BatchFileError{Reason: "changed", File: path, Err: err}
	}
	return &BatchFileError{Reason: "sign-failed", File: path, Output: out, Detail: err.Error(), Err: err}
}

func batchWriteFailure(path, out string, err error) error {
	if errors.Is(err, fs.ErrExist) {
		return &BatchFileError{Reason: "output-exists", File: path, Output: out, Err: err}
	}
	return &BatchFileError{Reason: "write-failed", File: path, Output: out, Detail: batchOSDetail(err), Err: err}
}

// batchOSDetail is the operating system's words for a failure, without the
// operation and path that the message states already.
func batchOSDetail(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// BatchFileError is why one file of a batch (or SignFile) was not signed.
// Its code is "batch-<Reason>", whose message and fix are the translations
// err.batch-<reason> and hint.batch-<reason>; a failure of the signing
// itself that carries a code of its own keeps that code.
type BatchFileError struct {
	// Reason: vanished, unreadable, broken-link, not-regular, is-folder,
	// changed, folder-unreadable, output-exists, output-clash,
	// write-failed, sign-failed, canceled.
	Reason string
	File   string // the input
	Output string // the signature file, when it matters
	Detail string // the operating system's or the signer's words
	Other  string // output-clash: the other input with the same output
	Err    error
}

func (e *BatchFileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File + ": " + e.Code())
	if e.Output != "" {
		b.WriteString(" (" + e.Output + ")")
	}
	switch {
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	case e.Detail != "":
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func (e *BatchFileError) Unwrap() error { return e.Err }

type batchCoded interface {
	error
	Code() string
	Params() map[string]any
}

// Code is "batch-<Reason>", or the signer's own code when signing failed
// with one.
func (e *BatchFileError) Code() string {
	var c batchCoded
	if e.Reason == "sign-failed" && errors.As(e.Err, &c) {
		return c.Code()
	}
	return "batch-" + e.Reason
}

// Params are File, Output, Detail and Other, over the signer's own params
// when its code is used.
func (e *BatchFileError) Params() map[string]any {
	p := map[string]any{"Output": e.Output, "Detail": e.Detail, "Other": e.Other}
	var c batchCoded
	if e.Reason == "sign-failed" && errors.As(e.Err, &c) {
		// The signer's Detail words its own message; ours is its whole text.
		for k, v := range c.Params() {
			p[k] = v
		}
	}
	p["File"] = e.File
	return p
}

// errBatchCanceled is the cause of the files a canceled batch never started.
var errBatchCanceled = errors.New("the batch was canceled before this file")

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

	// size is the file's size when the batch was planned: what the
	// manifest shows for a file that was not read.
	size int64
}

// Result words a FileResult for the manifest and reports: "signed",
// "skipped", "canceled" or "failed".
func (f FileResult) Result() string {
	var be *BatchFileError
	switch {
	case f.Skipped:
		return "skipped"
	case f.Err == nil:
		return "signed"
	case errors.As(f.Err, &be) && be.Reason == "canceled":
		return "canceled"
	}
	return "failed"
}

// Size is the content bytes signed, or the file's size as planned when it
// was not read.
func (f FileResult) Size() int64 {
	if f.Err == nil && !f.Skipped {
		return f.Signed.Size
	}
	return f.size
}

// BatchReport is the outcome of a batch, files in a stable order (the
// order of the inputs, folders walked in lexical order).
type BatchReport struct {
	Files                   []FileResult
	Signed, Skipped, Failed int
	Canceled                bool
	// Stopped is the error that ended the batch early: the key became
	// unusable (a token pulled out, its PIN locked), so every further
	// file would have failed the same way. Files not started are reported
	// "canceled"; a re-run signs them (the signed ones are skipped).
	Stopped error
}

// SignBatch signs every file of inputs (folders recursively, skipping
// signature files) with key, spreading the work over Workers goroutines.
// A failed file does not stop the others; canceling ctx stops starting new
// files, and the ones in progress leave no partial output.
//
// Folders are walked in lexical order; signature files (.sig, .p7s, .sgn),
// the temporary files of unfinished writes and a folder met again through
// a link (a loop) are left out, and so is OutDir when it lies inside an
// input folder. A symbolic link to a folder is followed. Canceled files are
// reported with the reason "canceled" and counted in none of the totals.
func SignBatch(ctx context.Context, inputs []string, key Key, opts BatchOptions) (*BatchReport, error) {
	if key.Signer == nil || key.Certificate == nil {
		return nil, errors.New("signer: SignBatch needs a key and its certificate")
	}
	plan := planBatch(inputs, opts.OutDir)
	report := &BatchReport{Files: make([]FileResult, len(plan))}
	var totalBytes int64
	for i, it := range plan {
		report.Files[i] = FileResult{Path: it.path, Output: it.out, Err: it.err, size: it.size}
		totalBytes += it.size
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(1, min(workers, len(plan)))

	// Signers use the CPUs; committers wait for the disk (fsync of each
	// signature and its folder), several at once so the file system can
	// group the waits, while the signers go on.
	// A key that becomes unusable (a token pulled out) stops the batch:
	// every further file would fail the same way.
	ctx, stopBatch := context.WithCancel(ctx)
	defer stopBatch()
	var stopOnce sync.Once
	stop := func(err error) {
		var fatal interface{ BatchFatal() bool }
		if errors.As(err, &fatal) && fatal.BatchFatal() {
			stopOnce.Do(func() {
				report.Stopped = err
				stopBatch()
			})
		}
	}

	jobs := make(chan int)
	type done struct {
		index int
		res   FileResult
	}
	type pending struct {
		done
		commit func() error
	}
	results := make(chan done, workers)
	commits := make(chan pending)
	var signers, committers sync.WaitGroup
	for range workers {
		signers.Add(1)
		go func() {
			defer signers.Done()
			opts := opts
			opts.readBuffer = make([]byte, chunkSize)
			for i := range jobs {
				res, commit := batchSignPlanned(plan[i], report.Files[i], key, opts)
				stop(res.Err)
				if commit == nil {
					results <- done{i, res}
					continue
				}
				commits <- pending{done{i, res}, commit}
			}
		}()
	}
	for range max(batchCommitters, workers) {
		committers.Add(1)
		go func() {
			defer committers.Done()
			for p := range commits {
				if err := p.commit(); err != nil {
					p.res.Signed, p.res.Err = Signed{}, err
					var be *BatchFileError
					if !opts.Force && errors.As(err, &be) && be.Reason == "output-exists" {
						// Another writer made it meanwhile: as if
						// found at the start.
						p.res.Skipped, p.res.Err = true, nil
					}
				}
				results <- p.done
			}
		}()
	}
	started := make([]bool, len(plan))
	go func() {
		defer close(jobs)
		for i := range plan {
			if ctx.Err() != nil {
				return
			}
			select {
			case jobs <- i:
				// started is read only after the workers are done.
				started[i] = true
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		signers.Wait()
		close(commits)
		committers.Wait()
		close(results)
	}()

	progress := BatchProgress{Total: len(plan), TotalBytes: totalBytes}
	for d := range results {
		report.Files[d.index] = d.res
		progress.Done++
		progress.DoneBytes += plan[d.index].size
		progress.Last = d.res
		if opts.Progress != nil {
			opts.Progress(progress)
		}
	}
	// The signatures' names become durable here, one fsync per folder
	// rather than one per file (see atomicfile.WriteUnsynced).
	synced := map[string]error{}
	for i := range report.Files {
		f := &report.Files[i]
		if f.Err != nil || f.Skipped || !started[i] {
			continue
		}
		dir := filepath.Dir(f.Output)
		err, done := synced[dir]
		if !done {
			err = atomicfile.SyncDir(dir)
			synced[dir] = err
		}
		if err != nil {
			f.Signed, f.Err = Signed{}, batchWriteFailure(f.Path, f.Output, err)
		}
	}
	for i := range report.Files {
		if !started[i] {
			f := &report.Files[i]
			f.Err = &BatchFileError{Reason: "canceled", File: f.Path, Output: f.Output, Err: errBatchCanceled}
			report.Canceled = true
			continue
		}
		switch report.Files[i].Result() {
		case "signed":
			report.Signed++
		case "skipped":
			report.Skipped++
		default:
			report.Failed++
		}
	}
	return report, nil
}

// batchSignPlanned signs one planned file and returns the write that
// completes it, or the outcome when there is nothing to write.
func batchSignPlanned(it batchItem, res FileResult, key Key, opts BatchOptions) (FileResult, func() error) {
	if it.err != nil {
		return res, nil
	}
	if !opts.Force {
		if _, err := os.Lstat(it.out); err == nil {
			res.Skipped = true
			return res, nil
		}
	}
	if opts.OutDir != "" {
		if err := os.MkdirAll(filepath.Dir(it.out), 0o755); err != nil {
			res.Err = batchWriteFailure(it.path, it.out, err)
			return res, nil
		}
	}
	signed, commit, err := batchSign(it.path, it.out, key, opts.SignOptions, opts.Force, false)
	var be *BatchFileError
	if err != nil && !opts.Force && errors.As(err, &be) && be.Reason == "output-exists" {
		// Another writer made it meanwhile: as found at the start.
		res.Skipped = true
		return res, nil
	}
	res.Signed, res.Err = signed, err
	return res, commit
}

// batchItem is one planned file: its output, or the reason it cannot be
// signed that was known when planning.
type batchItem struct {
	path, out string
	size      int64
	err       error
}

// batchPlanner walks the inputs.
type batchPlanner struct {
	outDir     string
	outDirInfo fs.FileInfo // nil when OutDir does not exist yet
	items      []batchItem
	visited    []fs.FileInfo // folders walked, to meet none twice
	byOutput   map[string]int
	byInput    map[string]bool
}

func planBatch(inputs []string, outDir string) []batchItem {
	p := &batchPlanner{outDir: outDir, byOutput: map[string]int{}, byInput: map[string]bool{}}
	if outDir != "" {
		if fi, err := os.Stat(outDir); err == nil {
			p.outDirInfo = fi
		}
	}
	for _, in := range inputs {
		fi, err := os.Stat(in)
		switch {
		case err != nil:
			p.add(batchItem{path: in, out: p.outputFor(in, "", filepath.Base(in)), err: batchInputFailure(in, err)})
		case fi.IsDir():
			p.walk(in, in, fi)
		default:
			p.addFile(in, "", filepath.Base(in), fi)
		}
	}
	return p.items
}

// outputFor names the signature of path: beside it, or under OutDir at its
// place relative to the folder given (rel is "" for a file given itself).
func (p *batchPlanner) outputFor(path, relDir, name string) string {
	if p.outDir == "" {
		return path + SignatureSuffix
	}
	return filepath.Join(p.outDir, relDir, name+SignatureSuffix)
}

func (p *batchPlanner) addFile(path, relDir, name string, fi fs.FileInfo) {
	it := batchItem{path: path, out: p.outputFor(path, relDir, name), size: fi.Size()}
	if !fi.Mode().IsRegular() {
		it.err = batchNotRegular(path, fi)
		it.size = 0
	}
	p.add(it)
}

func (p *batchPlanner) add(it batchItem) {
	clean := filepath.Clean(it.path)
	if p.byInput[clean] {
		return // the same file given twice (or reached twice)
	}
	p.byInput[clean] = true
	outKey := filepath.Clean(it.out)
	if other, ok := p.byOutput[outKey]; ok && it.err == nil {
		it.err = &BatchFileError{Reason: "output-clash", File: it.path, Output: it.out, Other: p.items[other].path}
	} else if !ok {
		p.byOutput[outKey] = len(p.items)
	}
	p.items = append(p.items, it)
}

// walk adds the files under dir, which is root or lies within it.
func (p *batchPlanner) walk(root, dir string, dirInfo fs.FileInfo) {
	for _, v := range p.visited {
		if os.SameFile(v, dirInfo) {
			return // a loop, or a folder reached twice through links
		}
	}
	p.visited = append(p.visited, dirInfo)
	if p.outDirInfo != nil && os.SameFile(p.outDirInfo, dirInfo) && dir != root {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		p.add(batchItem{path: dir, err: &BatchFileError{Reason: "folder-unreadable", File: dir, Detail: batchOSDetail(err), Err: err}})
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	relDir, err := filepath.Rel(root, dir)
	if err != nil || relDir == "." {
		relDir = ""
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, atomicfile.TempPrefix) || IsSignatureName(name) {
			continue
		}
		path := filepath.Join(dir, name)
		var fi fs.FileInfo
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err = os.Stat(path)
			if err != nil {
				p.add(batchItem{path: path, out: p.outputFor(path, relDir, name), err: batchInputFailure(path, err)})
				continue
			}
		} else if fi, err = e.Info(); err != nil {
			p.add(batchItem{path: path, out: p.outputFor(path, relDir, name), err: batchInputFailure(path, err)})
			continue
		}
		if fi.IsDir() {
			p.walk(root, path, fi)
			continue
		}
		p.addFile(path, relDir, name, fi)
	}
}

// manifestHeader is the first row of the CSV that WriteManifest writes.
var manifestHeader = []string{"file", "size", "digest_algorithm", "digest", "signature", "result", "error"}

// WriteManifest writes the report as CSV: file, size, digest algorithm,
// digest (hex), signature file, result (signed, skipped, failed: reason).
//
// The header row names the columns file, size, digest_algorithm, digest,
// signature, result and error. result is signed, skipped, failed or
// canceled; error holds the reason's code and the details
// ("batch-vanished: ..."). The digest algorithm is named as `podpis hash
// --alg` names it (streebog256, sha256...). Skipped and failed files have
// no digest: they were not read.
func WriteManifest(w io.Writer, report *BatchReport) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	if err := cw.Write(manifestHeader); err != nil {
		return err
	}
	for _, f := range report.Files {
		row := []string{f.Path, strconv.FormatInt(f.Size(), 10), "", "", f.Output, f.Result(), ""}
		if f.Err == nil && !f.Skipped {
			row[2] = f.Signed.AlgorithmName()
			row[3] = hex.EncodeToString(f.Signed.Digest)
		}
		if f.Err != nil {
			row[6] = batchManifestError(f.Err)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// AlgorithmName names the digest algorithm as `podpis hash --alg` does
// (streebog256, sha256...), or as a dotted OID when it has no name.
func (s Signed) AlgorithmName() string {
	if len(s.DigestAlgorithm) == 0 {
		return ""
	}
	if info, ok := oid.Lookup(s.DigestAlgorithm); ok {
		return info.Key
	}
	return s.DigestAlgorithm.String()
}

// batchManifestError is the code first, for scripts, then what happened.
func batchManifestError(err error) string {
	var be *BatchFileError
	if errors.As(err, &be) {
		s := be.Code()
		switch {
		case be.Reason == "canceled":
		case be.Reason == "output-clash":
			s += ": " + be.Other
		case be.Detail != "":
			s += ": " + be.Detail
		case be.Err != nil && be.Reason != "vanished":
			s += ": " + be.Err.Error()
		}
		return s
	}
	return fmt.Sprint(err)
}
