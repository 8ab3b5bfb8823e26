package signer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podpis/podpis/internal/gost/streebog"
)

// heapSampler records the largest Go heap in use while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

func sampleHeap() *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > s.peak.Load() {
				s.peak.Store(m.HeapInuse)
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) finish() uint64 {
	close(s.stop)
	s.done.Wait()
	return s.peak.Load()
}

// vmHWM is the process's peak resident set size (Linux), 0 elsewhere.
func vmHWM() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// bigSize is the content size of the streaming tests: 2 GiB with
// PODPIS_BIG=1 (the figure is for 4 GiB; PODPIS_BIG_SIZE sets any
// size in bytes), 24 MiB otherwise (above the DER threshold, so the
// streamed BER path runs), 12 MiB under -short.
func bigSize() int64 {
	if s := os.Getenv("PODPIS_BIG_SIZE"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	if os.Getenv("PODPIS_BIG") == "1" {
		return 2 << 30
	}
	if testing.Short() {
		return 12 << 20
	}
	return 24 << 20
}

// Signing and verifying a large sparse file, attached and detached, keeps
// the Go heap under 64 MiB: content streams through 64 KiB buffers. With
// PODPIS_BIG=1 it is the 2 GiB case (run it without -race to read VmHWM as
// the real peak RSS).
func TestStreamingMemory(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	size := bigSize()
	dir := t.TempDir()
	docPath := filepath.Join(dir, "big.bin")
	f, err := os.Create(docPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	runtime.GC()
	sampler := sampleHeap()
	start := time.Now()

	open := func(path string) *os.File {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	sigPath := filepath.Join(dir, "big.bin.p7m")
	out, err := os.Create(sigPath)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(out, open(docPath), size, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if signed.Size != size {
		t.Fatalf("signed %d bytes of %d", signed.Size, size)
	}
	res, err := Verify(open(sigPath), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, res, 1)
	detached, _, err := SignDetached(open(docPath), p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err = VerifyDetached(bytes.NewReader(detached), open(docPath), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, res, 1)
	// Co-signing the big attached signature streams too.
	if _, err := Cosign(io.Discard, open(sigPath), nil, p.key, SignOptions{}); err != nil {
		t.Fatal(err)
	}

	peak := sampler.finish()
	t.Logf("content %d MiB: sign+verify attached, sign+verify detached, cosign in %v; peak Go heap in use %.1f MiB; process VmHWM %.1f MiB",
		size>>20, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20), float64(vmHWM())/(1<<20))
	if peak >= 64<<20 {
		t.Errorf("peak Go heap %d MiB, want under 64 MiB", peak>>20)
	}
}

// benchFile is a sparse file of the given size (reading it costs no disk).
func benchFile(b *testing.B, size int64) string {
	path := filepath.Join(b.TempDir(), "doc.bin")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// benchVerifySize is the file of BenchmarkVerifyDetached and
// BenchmarkStreebog: 1 GiB, or PODPIS_BENCH_SIZE bytes.
func benchVerifySize() int64 {
	if n, err := strconv.ParseInt(os.Getenv("PODPIS_BENCH_SIZE"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 1 << 30
}

// BenchmarkSignDetached: a 100 KB document, GOST-256 (paramset A).
func BenchmarkSignDetached(b *testing.B) {
	p := newPKI(b, kindGOST256A)
	doc := document(100_000)
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := SignDetached(bytes.NewReader(doc), p.key, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDetached verifies a detached GOST-256 signature of a
// 1 GiB file; compare with BenchmarkStreebog on the same size (the issue
// wants verification within 1.2x of hashing).
func BenchmarkVerifyDetached(b *testing.B) {
	p := newPKI(b, kindGOST256A)
	size := benchVerifySize()
	path := benchFile(b, size)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	sig, _, err := SignDetached(f, p.key, SignOptions{})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		res, err := VerifyDetached(bytes.NewReader(sig), f, p.chainOpts)
		f.Close()
		if err != nil || !res.Signers[0].SignatureValid {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// BenchmarkStreebog hashes the same file as BenchmarkVerifyDetached with
// Streebog-256 in 64 KiB reads, as `podpis hash --alg streebog256` does:
// the floor verification cannot go below.
func BenchmarkStreebog(b *testing.B) {
	size := benchVerifySize()
	path := benchFile(b, size)
	buf := make([]byte, chunkSize)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		h := streebog.New256()
		if _, err := io.CopyBuffer(onlyWriter{h}, f, buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
		h.Sum(nil)
	}
}
