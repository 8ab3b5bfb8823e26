package tokentest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"

	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Attribute types the double sets beyond those package token names
// (PKCS#11 v2.40 pkcs11t.h).
const (
	attrIssuer           token.AttributeType = 0x081
	attrSerialNumber     token.AttributeType = 0x082
	attrCertCategory     token.AttributeType = 0x087
	attrSubject          token.AttributeType = 0x101
	attrSensitive        token.AttributeType = 0x103
	attrVerify           token.AttributeType = 0x10A
	attrModulusBits      token.AttributeType = 0x121
	attrExtractable      token.AttributeType = 0x162
	attrNeverExtractable token.AttributeType = 0x164
	attrAlwaysAuth       token.AttributeType = 0x202
)

// certCategoryUnspecified is CK_CERTIFICATE_CATEGORY_UNSPECIFIED.
const certCategoryUnspecified uint = 0

// object is one object on a token.
type object struct {
	handle  token.ObjectHandle
	class   uint
	keyType uint
	private bool
	attrs   map[token.AttributeType][]byte
	signer  crypto.Signer // private keys only
}

func (o *object) matches(template []token.Attribute) bool {
	for _, a := range template {
		v, ok := o.attrs[a.Type]
		if !ok || !bytes.Equal(v, a.Value) {
			return false
		}
	}
	return true
}

// The named curves of the EC keys the double takes, by their OIDs
// (RFC 5480 section 2.1.1.1).
var curveOIDs = map[elliptic.Curve]asn1.ObjectIdentifier{
	elliptic.P256(): {1, 2, 840, 10045, 3, 1, 7},
	elliptic.P384(): {1, 3, 132, 0, 34},
	elliptic.P521(): {1, 3, 132, 0, 35},
}

// AddKey puts a key pair and its certificate on the token, all with
// CKA_ID id and CKA_LABEL label, as a card issued by a CA would carry it:
//   - the private key (CKA_PRIVATE true, so it is seen only after login;
//     CKA_SIGN true; the secret itself is never an attribute);
//   - the public key: RSA CKA_MODULUS and CKA_PUBLIC_EXPONENT; EC
//     CKA_EC_PARAMS (the curve's OID, DER) and CKA_EC_POINT (DER OCTET
//     STRING of the uncompressed point); GOST CKA_VALUE (little-endian X
//     || little-endian Y, 64 or 128 bytes, as in the certificate),
//     CKA_GOSTR3410_PARAMS and CKA_GOSTR3411_PARAMS (DER OIDs) and
//     CKA_KEY_TYPE token.KeyGOSTR3410 or token.KeyGOSTR3410512;
//   - the certificate (CKA_CLASS certificate, CKA_CERTIFICATE_TYPE X.509,
//     CKA_VALUE certDER, CKA_SUBJECT/ISSUER/SERIAL_NUMBER when it parses).
//
// key is a *rsa.PrivateKey, *ecdsa.PrivateKey (P-256, P-384, P-521) or
// *gost3410.PrivateKey. A nil key puts only the certificate; a nil certDER
// only the key pair (a key without a certificate). Anything else panics:
// it is a mistake in the test.
func (t *Token) AddKey(id []byte, label string, key crypto.Signer, certDER []byte) {
	t.init()
	var objs []*object
	if key != nil {
		priv, pub, err := keyObjects(id, label, key)
		if err != nil {
			panic("tokentest: AddKey: " + err.Error())
		}
		objs = append(objs, priv, pub)
	}
	if certDER != nil {
		objs = append(objs, certObject(id, label, certDER))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range objs {
		t.addLocked(o)
	}
}

// AddObject puts an object with exactly these attributes on the token (a
// malformed certificate, a data object...). It is private when its
// CKA_PRIVATE is true. It returns the object's handle.
func (t *Token) AddObject(attrs []token.Attribute) token.ObjectHandle {
	t.init()
	o := &object{attrs: map[token.AttributeType][]byte{}}
	for _, a := range attrs {
		o.attrs[a.Type] = slices.Clone(a.Value)
	}
	o.class, _ = token.ParseULong(o.attrs[token.AttrClass])
	o.keyType, _ = token.ParseULong(o.attrs[token.AttrKeyType])
	o.private = bytes.Equal(o.attrs[token.AttrPrivate], token.Bool(true))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addLocked(o)
	return o.handle
}

// RemoveObjects deletes the objects of class (token.ClassCertificate,
// ClassPublicKey, ClassPrivateKey) with CKA_ID id, and returns how many
// there were: e.g. a key pair whose public key object was never written.
func (t *Token) RemoveObjects(class uint, id []byte) int {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	t.state.objects = slices.DeleteFunc(t.state.objects, func(o *object) bool {
		if o.class == class && bytes.Equal(o.attrs[token.AttrID], id) {
			n++
			return true
		}
		return false
	})
	return n
}

func (t *Token) addLocked(o *object) {
	o.handle = t.state.nextHandle
	t.state.nextHandle++
	t.state.objects = append(t.state.objects, o)
}

func (t *Token) objectLocked(h token.ObjectHandle) *object {
	for _, o := range t.state.objects {
		if o.handle == h {
			return o
		}
	}
	return nil
}

func commonAttrs(class uint, id []byte, label string, private bool) map[token.AttributeType][]byte {
	return map[token.AttributeType][]byte{
		token.AttrClass:   token.ULong(class),
		token.AttrToken:   token.Bool(true),
		token.AttrPrivate: token.Bool(private),
		token.AttrID:      slices.Clone(id),
		token.AttrLabel:   []byte(label),
	}
}

// keyObjects builds the private and public key objects of key.
func keyObjects(id []byte, label string, key crypto.Signer) (priv, pub *object, err error) {
	priv = &object{class: token.ClassPrivateKey, private: true, attrs: commonAttrs(token.ClassPrivateKey, id, label, true), signer: key}
	pub = &object{class: token.ClassPublicKey, attrs: commonAttrs(token.ClassPublicKey, id, label, false)}
	priv.attrs[token.AttrSign] = token.Bool(true)
	priv.attrs[attrSensitive] = token.Bool(true)
	priv.attrs[attrExtractable] = token.Bool(false)
	priv.attrs[attrNeverExtractable] = token.Bool(true)
	priv.attrs[attrAlwaysAuth] = token.Bool(false)
	pub.attrs[attrVerify] = token.Bool(true)

	var shared map[token.AttributeType][]byte // public values both objects carry
	switch k := key.(type) {
	case *rsa.PrivateKey:
		priv.keyType = token.KeyRSA
		shared = map[token.AttributeType][]byte{
			token.AttrModulus:        k.N.Bytes(),
			token.AttrPublicExponent: big.NewInt(int64(k.E)).Bytes(),
		}
		pub.attrs[attrModulusBits] = token.ULong(uint(k.N.BitLen()))
	case *ecdsa.PrivateKey:
		priv.keyType = token.KeyEC
		oid, ok := curveOIDs[k.Curve]
		if !ok {
			return nil, nil, fmt.Errorf("ECDSA curve %s is not one of P-256, P-384, P-521", k.Curve.Params().Name)
		}
		params, err := asn1.Marshal(oid)
		if err != nil {
			return nil, nil, err
		}
		point, err := k.PublicKey.Bytes()
		if err != nil {
			return nil, nil, err
		}
		var b cryptobyte.Builder
		b.AddASN1OctetString(point)
		ecPoint, err := b.Bytes()
		if err != nil {
			return nil, nil, err
		}
		shared = map[token.AttributeType][]byte{token.AttrECParams: params}
		pub.attrs[token.AttrECPoint] = ecPoint
	case *gost3410.PrivateKey:
		priv.keyType = token.KeyGOSTR3410
		digest := gost3410.DigestStreebog256
		if k.Curve.Size() == 64 {
			priv.keyType = token.KeyGOSTR3410512
			digest = gost3410.DigestStreebog512
		}
		wrapped, err := gost3410.MarshalPublicKey(&k.PublicKey)
		if err != nil {
			return nil, nil, err
		}
		s := cryptobyte.String(wrapped)
		var raw cryptobyte.String
		if !s.ReadASN1(&raw, cbasn1.OCTET_STRING) {
			return nil, nil, fmt.Errorf("GOST public key encoding is not an OCTET STRING")
		}
		paramSet, err := asn1.Marshal(k.Curve.OID())
		if err != nil {
			return nil, nil, err
		}
		digestSet, err := asn1.Marshal(digest.OID())
		if err != nil {
			return nil, nil, err
		}
		shared = map[token.AttributeType][]byte{
			token.AttrGOSTR3410Params: paramSet,
			token.AttrGOSTR3411Params: digestSet,
		}
		pub.attrs[token.AttrValue] = []byte(raw)
	default:
		return nil, nil, fmt.Errorf("unsupported key type %T", key)
	}
	pub.keyType = priv.keyType
	for _, o := range []*object{priv, pub} {
		o.attrs[token.AttrKeyType] = token.ULong(o.keyType)
		for typ, v := range shared {
			o.attrs[typ] = slices.Clone(v)
		}
	}
	return priv, pub, nil
}

// certObject builds an X.509 certificate object; the DER need not parse.
func certObject(id []byte, label string, der []byte) *object {
	o := &object{class: token.ClassCertificate, attrs: commonAttrs(token.ClassCertificate, id, label, false)}
	o.attrs[token.AttrCertificateType] = token.ULong(token.CertificateX509)
	o.attrs[token.AttrValue] = slices.Clone(der)
	o.attrs[attrCertCategory] = token.ULong(certCategoryUnspecified)
	if c, err := x509.ParseCertificate(der); err == nil {
		o.attrs[attrSubject] = slices.Clone(c.RawSubject)
		o.attrs[attrIssuer] = slices.Clone(c.RawIssuer)
		if serial, err := asn1.Marshal(c.SerialNumber); err == nil {
			o.attrs[attrSerialNumber] = serial
		}
	}
	return o
}
