package magma

// StepCipher is GOST 28147-89 prepared for GOST R 34.11-94, which encrypts
// each 64-bit quarter of the chaining value under its own key derived from
// the message: the S-box is expanded once and keys are passed per call. It
// is not a general-purpose API.
type StepCipher struct{ t *sboxTable }

// NewStepCipher expands sbox for repeated re-keying.
func NewStepCipher(sbox *SBox) (*StepCipher, error) {
	if sbox == nil {
		return nil, NilSBoxError{}
	}
	return &StepCipher{sbox.expand()}, nil
}

// Encrypt encrypts one block under key in GOST 28147-89 order: key holds
// the little-endian key words K0..K7 and block is the 8 block bytes read as
// a little-endian integer (N1 in the low half); the result is returned the
// same way.
func (s *StepCipher) Encrypt(key *[8]uint32, block uint64) uint64 {
	c := core{k: *key, t: s.t}
	a, b := c.encrypt(uint32(block), uint32(block>>32))
	return uint64(a) | uint64(b)<<32
}

// Encrypt2 is Encrypt for two blocks under two keys at once (interleaved,
// which is faster than two calls).
func (s *StepCipher) Encrypt2(key1 *[8]uint32, block1 uint64, key2 *[8]uint32, block2 uint64) (uint64, uint64) {
	a1, a2, b1, b2 := encrypt2(s.t, key1, key2, uint32(block1), uint32(block1>>32), uint32(block2), uint32(block2>>32))
	return uint64(a1) | uint64(a2)<<32, uint64(b1) | uint64(b2)<<32
}
