package validate

import (
	"context"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// engine is one run of Verify: the options, the clock readings and the
// result being filled in.
type engine struct {
	ctx      context.Context
	opts     Options
	at, now  time.Time
	maxDepth int
	res      *Result
	pool     []candidate
	// aiaDone remembers the AIA URLs already tried in this run, so a
	// failing server is asked once and a loop of caIssuers ends.
	aiaDone map[string]bool
	// aiaFailures are the caIssuers URLs that gave nothing, for the
	// problem that names the missing issuer.
	aiaFailures []aiaResult
}

func verify(ctx context.Context, c *cert.Certificate, opts Options) *Result {
	if ctx == nil {
		ctx = context.Background()
	}
	e := &engine{ctx: ctx, opts: opts, maxDepth: opts.MaxDepth, aiaDone: map[string]bool{}}
	e.now = time.Now()
	if opts.Now != nil {
		e.now = opts.Now()
	}
	e.at = opts.At
	if e.at.IsZero() {
		e.at = e.now
	}
	if e.maxDepth <= 0 {
		e.maxDepth = DefaultMaxDepth
	}
	e.res = &Result{Usage: resolveUsage(c, opts.Usage), At: e.at, Now: e.now}
	e.pool = e.candidates()

	e.res.Chain, e.res.Complete = e.buildPath(c)
	e.checkChain()
	e.checkRevocation()
	e.checkQualified()

	e.res.Status = StatusValid
	for _, p := range e.res.Problems {
		if p.Severity == SeverityError {
			e.res.Status = StatusInvalid
			break
		}
	}
	return e.res
}

// resolveUsage: a CA certificate given on its own is checked as a CA, so
// support staff can check an intermediate or a root they were sent.
func resolveUsage(c *cert.Certificate, u Usage) Usage {
	if u != UsageAuto {
		return u
	}
	if c.BasicConstraintsValid && c.IsCA {
		return UsageCA
	}
	return UsageSign
}

func (e *engine) problem(code, reason string, sev Severity, certIndex int, params map[string]any) {
	e.res.Problems = append(e.res.Problems, Problem{Code: code, Reason: reason, Severity: sev, Cert: certIndex, Params: params})
}

func (e *engine) check(certIndex int, name string, result CheckResult, reason string, params map[string]any) {
	e.res.Checks = append(e.res.Checks, Check{Cert: certIndex, Name: name, Result: result, Reason: reason, Params: params})
}

// fail records a failed check and its problem in one go.
func (e *engine) fail(certIndex int, name, code, reason string, sev Severity, params map[string]any) {
	result := CheckFail
	if sev == SeverityWarning {
		result = CheckWarn
	}
	e.check(certIndex, name, result, reason, params)
	e.problem(code, reason, sev, certIndex, params)
}

const dateFormat = "2006-01-02 15:04:05 MST"

func formatTime(t time.Time) string { return t.UTC().Format(dateFormat) }
