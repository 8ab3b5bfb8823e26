package signer

import (
	"context"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
)

// Validator is the ChainVerifier of the validation engine
// (certstore/validate): each signer's certificate is checked for signing
// at the time given, with the signature's certificates as extra path
// candidates, revocation included as Options say.
type Validator struct {
	Options validate.Options
}

// VerifyChain implements ChainVerifier.
func (v Validator) VerifyChain(ctx context.Context, leaf *cert.Certificate, extra []*cert.Certificate, at time.Time) *validate.Result {
	opts := v.Options
	opts.At = at
	opts.Usage = validate.UsageSign
	opts.Extra = append(append([]*cert.Certificate(nil), opts.Extra...), extra...)
	return validate.Verify(ctx, leaf, opts)
}
