package gost3410

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"io"
	"math/big"
	"testing"
)

var _ crypto.Signer = (*PrivateKey)(nil)

func TestSignVerifyEveryCurve(t *testing.T) {
	for _, c := range Curves() {
		t.Run(c.Name(), func(t *testing.T) {
			priv, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			pub := &priv.PublicKey
			digest := make([]byte, c.Size())
			rand.Read(digest)
			sig, err := priv.Sign(rand.Reader, digest, &SignerOpts{Hash: digestFor(c)})
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != 2*c.Size() {
				t.Fatalf("signature is %d bytes", len(sig))
			}
			if !Verify(pub, digest, sig) {
				t.Fatal("valid signature rejected")
			}
			if _, _, err := ParseSignature(c, sig); err != nil {
				t.Fatalf("ParseSignature: %v", err)
			}
			// Every single-bit flip of digest, signature or public key fails.
			for i := 0; i < len(digest)*8; i += 7 {
				d := bytes.Clone(digest)
				d[i/8] ^= 1 << (i % 8)
				if Verify(pub, d, sig) {
					t.Fatalf("verifies with digest bit %d flipped", i)
				}
			}
			for i := 0; i < len(sig)*8; i += 5 {
				s := bytes.Clone(sig)
				s[i/8] ^= 1 << (i % 8)
				if Verify(pub, digest, s) {
					t.Fatalf("verifies with signature bit %d flipped", i)
				}
			}
			for i := range 16 {
				other := &PublicKey{Curve: c, X: new(big.Int).Set(pub.X), Y: new(big.Int).Set(pub.Y)}
				other.X.SetBit(other.X, i*3, other.X.Bit(i*3)^1)
				if Verify(other, digest, sig) {
					t.Fatalf("verifies with public key X bit %d flipped", i*3)
				}
			}
			q := c.Params().Q
			size := c.Size()
			mk := func(r, s *big.Int) []byte {
				out := make([]byte, 2*size)
				s.FillBytes(out[:size])
				r.FillBytes(out[size:])
				return out
			}
			r0, s0, _ := ParseSignature(c, sig)
			for name, bad := range map[string][]byte{
				"r = 0":     mk(big.NewInt(0), s0),
				"s = 0":     mk(r0, big.NewInt(0)),
				"r = q":     mk(q, s0),
				"s = q":     mk(r0, q),
				"r = r + q": mk(new(big.Int).Add(r0, q).Mod(new(big.Int).Add(r0, q), new(big.Int).Lsh(big.NewInt(1), uint(8*size))), s0),
				"short":     sig[:len(sig)-1],
				"long":      append(bytes.Clone(sig), 0),
				"empty":     nil,
				"swapped":   append(bytes.Clone(sig[size:]), sig[:size]...),
				"all zero":  make([]byte, 2*size),
			} {
				if Verify(pub, digest, bad) {
					t.Errorf("%s: verifies", name)
				}
			}
			if Verify(pub, digest[:len(digest)-1], sig) {
				t.Error("verifies a short digest")
			}
			if Verify(nil, digest, sig) || Verify(&PublicKey{Curve: c}, digest, sig) {
				t.Error("verifies without a key")
			}
		})
	}
}

// A zero digest (e = 0) is signed with e = 1, as the standard says.
func TestZeroDigest(t *testing.T) {
	c := CurveCryptoProA()
	priv, _ := GenerateKey(c, rand.Reader)
	zero := make([]byte, 32)
	sig, err := priv.Sign(rand.Reader, zero, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(&priv.PublicKey, zero, sig) {
		t.Fatal("signature of the zero digest rejected")
	}
	one := make([]byte, 32)
	one[0] = 1 // LE 1
	if !Verify(&priv.PublicKey, one, sig) {
		t.Fatal("e = 0 must be treated as e = 1")
	}
	// q itself (LE) also reduces to 0 and hence to 1.
	qLE := leBytes(c.Params().Q, 32)
	if !Verify(&priv.PublicKey, qLE, sig) {
		t.Fatal("e = q must be treated as e = 1")
	}
}

// constReader always returns the same bytes: a broken RNG.
type constReader byte

func (r constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// With a broken RNG the nonce still depends on key and digest: signatures
// stay valid, two digests never share r (that is, k), and signing the same
// digest twice is deterministic.
func TestHedgedNonce(t *testing.T) {
	for _, c := range []*Curve{CurveCryptoProA(), CurveTC26_512A()} {
		priv, _ := GenerateKey(c, rand.Reader)
		rs := map[string]bool{}
		for i := range 8 {
			digest := make([]byte, c.Size())
			digest[0] = byte(i)
			sig, err := priv.Sign(constReader(0), digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(&priv.PublicKey, digest, sig) {
				t.Fatal("signature with a constant RNG rejected")
			}
			r := string(sig[c.Size():])
			if rs[r] {
				t.Fatal("two digests signed with the same nonce")
			}
			rs[r] = true
			again, _ := priv.Sign(constReader(0), digest, nil)
			if !bytes.Equal(sig, again) {
				t.Fatal("constant RNG, same digest: signature differs")
			}
			other, _ := priv.Sign(constReader(1), digest, nil)
			if bytes.Equal(sig, other) {
				t.Fatal("the RNG output does not influence the nonce")
			}
		}
		// A second key with the same broken RNG and digest gets another k.
		priv2, _ := GenerateKey(c, rand.Reader)
		d := make([]byte, c.Size())
		s1, _ := priv.Sign(constReader(0), d, nil)
		s2, _ := priv2.Sign(constReader(0), d, nil)
		if bytes.Equal(s1[c.Size():], s2[c.Size():]) {
			t.Fatal("two keys share a nonce")
		}
	}
}

func TestSignOptions(t *testing.T) {
	p256, _ := GenerateKey(CurveTC26_256A(), rand.Reader)
	p512, _ := GenerateKey(CurveTC26_512C(), rand.Reader)
	d32, d64 := make([]byte, 32), make([]byte, 64)
	if (&SignerOpts{}).HashFunc() != 0 {
		t.Fatal("HashFunc must be 0")
	}
	for name, tc := range map[string]struct {
		priv   *PrivateKey
		digest []byte
		opts   crypto.SignerOpts
		ok     bool
	}{
		"256 streebog256": {p256, d32, &SignerOpts{Hash: DigestStreebog256}, true},
		"256 nil opts":    {p256, d32, nil, true},
		"512 streebog512": {p512, d64, &SignerOpts{Hash: DigestStreebog512}, true},
		"256 streebog512": {p256, d64, &SignerOpts{Hash: DigestStreebog512}, false},
		"512 streebog256": {p512, d32, &SignerOpts{Hash: DigestStreebog256}, false},
		"256 long digest": {p256, d64, nil, false},
		"crypto.SHA256":   {p256, d32, crypto.SHA256, false},
		"34.11-94":        {p256, d32, &SignerOpts{Hash: DigestGOST341194}, false},
	} {
		_, err := tc.priv.Sign(rand.Reader, tc.digest, tc.opts)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := p256.Sign(errReader{}, d32, nil); err == nil {
		t.Error("a failing RNG must fail Sign")
	}
	if _, err := GenerateKey(CurveTC26_256A(), nil); err == nil {
		t.Error("GenerateKey without randomness must fail")
	}
	if _, err := p256.Sign(nil, d32, nil); err == nil {
		t.Error("Sign without randomness must fail")
	}
	if _, err := GenerateKey(CurveTC26_256A(), errReader{}); err == nil {
		t.Error("a failing RNG must fail GenerateKey")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestKeyEquality(t *testing.T) {
	a, _ := GenerateKey(CurveCryptoProA(), rand.Reader)
	b, _ := GenerateKey(CurveCryptoProA(), rand.Reader)
	if !a.Equal(a) || a.Equal(b) || !a.PublicKey.Equal(a.Public()) || a.PublicKey.Equal(b.Public()) {
		t.Fatal("Equal")
	}
	// Same scalar, another parameter set naming the same curve: other key.
	c, err := NewPrivateKey(CurveTC26_256B(), a.D())
	if err != nil {
		t.Fatal(err)
	}
	if c.X.Cmp(a.X) != 0 || c.PublicKey.Equal(&a.PublicKey) {
		t.Fatal("alias parameter sets: same point expected, different key")
	}
	for _, d := range []*big.Int{big.NewInt(0), big.NewInt(-1), CurveCryptoProA().Params().Q} {
		if _, err := NewPrivateKey(CurveCryptoProA(), d); err == nil {
			t.Fatalf("NewPrivateKey(%v) accepted", d)
		}
	}
}

// Zero values and foreign curves fail cleanly instead of panicking.
func TestZeroValues(t *testing.T) {
	d := make([]byte, 32)
	if _, err := (&PrivateKey{}).Sign(rand.Reader, d, nil); err == nil {
		t.Error("zero PrivateKey signs")
	}
	if Verify(&PublicKey{Curve: &Curve{}, X: big.NewInt(1), Y: big.NewInt(1)}, d, make([]byte, 64)) {
		t.Error("zero Curve verifies")
	}
	if _, err := GenerateKey(&Curve{}, rand.Reader); err == nil {
		t.Error("GenerateKey on a zero Curve")
	}
	if _, err := ParsePublicKey(&Curve{}, []byte{4, 0}); err == nil {
		t.Error("ParsePublicKey on a zero Curve")
	}
	if _, _, err := ParseSignature(&Curve{}, d); err == nil {
		t.Error("ParseSignature on a zero Curve")
	}
	if _, err := MarshalPKCS8(&PrivateKey{}); err == nil {
		t.Error("MarshalPKCS8 of a zero key")
	}
	if _, err := MarshalPublicKey(&PublicKey{}); err == nil {
		t.Error("MarshalPublicKey of a zero key")
	}
	if (&PrivateKey{}).Equal(&PrivateKey{}) {
		t.Error("zero keys are equal")
	}
}
