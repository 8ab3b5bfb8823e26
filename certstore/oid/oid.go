// Package oid is Podpis's one registry of object identifiers: it maps an OID
// found in a certificate (a name attribute, an extension, an algorithm, a
// policy, an extended key usage or a parameter set) to a stable key and a
// short technical name.
//
// Human names are not here: they are translated, under "<kind>.<key>" in
// assets/translations/cert.<lang>.json (see Info.TranslationKey), so the GUI
// and the CLI name e.g. 1.2.643.3.131.1.1 "ИНН" or "INN (taxpayer number)".
//
// Every OID was checked against its defining document: RFC 5280 and RFC 4519
// (X.509 and name attributes), RFC 8017/4055 (RSA), RFC 5480/5758 (ECDSA),
// RFC 8410 (Ed25519), RFC 4357 and RFC 4491 (CryptoPro GOST R 34.10-2001),
// RFC 7836 and RFC 9215 (TC26 GOST R 34.10-2012, Streebog and the Russian
// qualified-certificate attributes and extensions).
package oid

import (
	"encoding/asn1"

	"github.com/podpis/podpis/internal/gost/gost3410"
	"slices"
)

// Kind says what an OID names; it is also the prefix of its translation key.
type Kind string

const (
	KindAttribute Kind = "attr"     // a name attribute type (CN, ИНН...)
	KindExtension Kind = "ext"      // a certificate extension
	KindAlgorithm Kind = "alg"      // a public-key, signature or digest algorithm
	KindPolicy    Kind = "policy"   // a certificate policy (КС1...)
	KindEKU       Kind = "eku"      // an extended key usage purpose
	KindParamSet  Kind = "paramset" // an elliptic curve or GOST parameter set
)

// Info describes one registered OID.
type Info struct {
	OID asn1.ObjectIdentifier
	// Key is stable and unique within its Kind, e.g. "inn", "gost2012-256";
	// programs and translation files refer to it, so it never changes.
	Key string
	// Short is the conventional short technical name: "CN", "INN",
	// "basicConstraints", "GOST R 34.10-2012 256"...
	Short string
	Kind  Kind
}

// TranslationKey is the key of the human name in the translation files,
// e.g. "attr.inn" or "alg.gost2012-256".
func (i Info) TranslationKey() string { return string(i.Kind) + "." + i.Key }

// Name attribute types (RFC 4519, RFC 5280 appendix A, PKCS #9).
var (
	CommonName          = asn1.ObjectIdentifier{2, 5, 4, 3}
	Surname             = asn1.ObjectIdentifier{2, 5, 4, 4}
	SerialNumber        = asn1.ObjectIdentifier{2, 5, 4, 5}
	Country             = asn1.ObjectIdentifier{2, 5, 4, 6}
	Locality            = asn1.ObjectIdentifier{2, 5, 4, 7}
	StateOrProvince     = asn1.ObjectIdentifier{2, 5, 4, 8}
	Street              = asn1.ObjectIdentifier{2, 5, 4, 9}
	Organization        = asn1.ObjectIdentifier{2, 5, 4, 10}
	OrganizationalUnit  = asn1.ObjectIdentifier{2, 5, 4, 11}
	Title               = asn1.ObjectIdentifier{2, 5, 4, 12}
	Description         = asn1.ObjectIdentifier{2, 5, 4, 13}
	BusinessCategory    = asn1.ObjectIdentifier{2, 5, 4, 15}
	PostalAddress       = asn1.ObjectIdentifier{2, 5, 4, 16}
	PostalCode          = asn1.ObjectIdentifier{2, 5, 4, 17}
	Name                = asn1.ObjectIdentifier{2, 5, 4, 41}
	GivenName           = asn1.ObjectIdentifier{2, 5, 4, 42}
	Initials            = asn1.ObjectIdentifier{2, 5, 4, 43}
	GenerationQualifier = asn1.ObjectIdentifier{2, 5, 4, 44}
	DNQualifier         = asn1.ObjectIdentifier{2, 5, 4, 46}
	Pseudonym           = asn1.ObjectIdentifier{2, 5, 4, 65}
	UserID              = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	DomainComponent     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	EmailAddress        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	UnstructuredName    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}
)

// Russian name attributes (RFC 9215 section 7, RuStrongCertsSyntax).
var (
	INN    = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1} // ИНН физического лица, 12 digits
	OGRN   = asn1.ObjectIdentifier{1, 2, 643, 100, 1}       // ОГРН, 13 digits
	SNILS  = asn1.ObjectIdentifier{1, 2, 643, 100, 3}       // СНИЛС, 11 digits
	INNLE  = asn1.ObjectIdentifier{1, 2, 643, 100, 4}       // ИНН юридического лица, 10 digits
	OGRNIP = asn1.ObjectIdentifier{1, 2, 643, 100, 5}       // ОГРНИП, 15 digits
)

// Certificate extensions (RFC 5280 section 4.2, RFC 9215 section 7).
var (
	ExtSubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	ExtKeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	ExtPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	ExtSubjectAltName        = asn1.ObjectIdentifier{2, 5, 29, 17}
	ExtIssuerAltName         = asn1.ObjectIdentifier{2, 5, 29, 18}
	ExtBasicConstraints      = asn1.ObjectIdentifier{2, 5, 29, 19}
	ExtNameConstraints       = asn1.ObjectIdentifier{2, 5, 29, 30}
	ExtCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	ExtCertificatePolicies   = asn1.ObjectIdentifier{2, 5, 29, 32}
	ExtPolicyMappings        = asn1.ObjectIdentifier{2, 5, 29, 33}
	ExtAuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	ExtPolicyConstraints     = asn1.ObjectIdentifier{2, 5, 29, 36}
	ExtExtendedKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	ExtInhibitAnyPolicy      = asn1.ObjectIdentifier{2, 5, 29, 54}
	ExtAuthorityInfoAccess   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	ExtSubjectInfoAccess     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	ExtSubjectSignTool       = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	ExtIssuerSignTool        = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	ExtIdentificationKind    = asn1.ObjectIdentifier{1, 2, 643, 100, 114}
)

// CRL extensions and CRL entry extensions (RFC 5280 5.2 and 5.3), and the
// OCSP identifiers (RFC 6960 4.2.1, 4.4). They are not translated: they are
// never shown as a certificate's fields.
var (
	ExtCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	ExtReasonCode               = asn1.ObjectIdentifier{2, 5, 29, 21}
	ExtInvalidityDate           = asn1.ObjectIdentifier{2, 5, 29, 24}
	ExtDeltaCRLIndicator        = asn1.ObjectIdentifier{2, 5, 29, 27}
	ExtIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	ExtCertificateIssuer        = asn1.ObjectIdentifier{2, 5, 29, 29}
	ExtFreshestCRL              = asn1.ObjectIdentifier{2, 5, 29, 46}

	OCSPBasicResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1} // id-pkix-ocsp-basic
	OCSPNonce         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2} // id-pkix-ocsp-nonce
	OCSPNoCheck       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5} // id-pkix-ocsp-nocheck
)

// Access methods of the authorityInfoAccess extension (RFC 5280 4.2.2.1).
// They are not translated: the certificate fields that hold them are.
var (
	AccessOCSP      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	AccessCAIssuers = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
)

// Certificate policies: anyPolicy (RFC 5280) and the classes of Russian
// qualified-signature tools КС1..КА1 (RFC 9215, id-class-kc1..id-class-ka).
var (
	PolicyAny = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
	PolicyKC1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 1}
	PolicyKC2 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 2}
	PolicyKC3 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 3}
	PolicyKB1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 4}
	PolicyKB2 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 5}
	PolicyKA1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 6}
)

// Extended key usage purposes (RFC 5280 4.2.1.12).
var (
	EKUAny             = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	EKUServerAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	EKUClientAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	EKUCodeSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	EKUEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	EKUTimeStamping    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	EKUOCSPSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

// Public-key algorithms.
var (
	RSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1} // RFC 8017
	ECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}     // RFC 5480
	Ed25519       = asn1.ObjectIdentifier{1, 3, 101, 112}             // RFC 8410: key and signature
	GOST2012_256  = gost3410.OIDPublicKey2012_256
	GOST2012_512  = gost3410.OIDPublicKey2012_512
	GOST2001      = gost3410.OIDPublicKey2001
	GOST94        = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 20} // RFC 4357 id-GostR3410-94
)

// Signature algorithms.
var (
	SHA1WithRSA             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	SHA256WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	SHA384WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	SHA512WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	RSASSAPSS               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	MGF1                    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8} // RFC 8017: the mask function RSASSA-PSS-params name
	ECDSAWithSHA1           = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	ECDSAWithSHA256         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	ECDSAWithSHA384         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	ECDSAWithSHA512         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	GOST2012_256Streebog    = gost3410.OIDSignWithDigest2012_256
	GOST2012_512Streebog    = gost3410.OIDSignWithDigest2012_512
	GOST2001WithGOST3411_94 = gost3410.OIDSignWithDigest2001
)

// Digest algorithms.
var (
	SHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	SHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	SHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	SHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	Streebog256 = gost3410.OIDStreebog256
	Streebog512 = gost3410.OIDStreebog512
	GOST3411_94 = gost3410.OIDGOST341194
)

// CMS content types (RFC 5652 sections 4 and 5). They are not in the
// registry: people never see them as names, only as "signed data".
var (
	ContentData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	ContentSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// CMS signed attributes: PKCS #9 (RFC 2985, RFC 5652 section 11) and the
// ESS signing-certificate attributes of CAdES-BES (RFC 2634, RFC 5035).
var (
	AttrContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	AttrMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	AttrSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	AttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	AttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
)

// Named elliptic curves (RFC 5480).
var (
	CurveP224 = asn1.ObjectIdentifier{1, 3, 132, 0, 33}
	CurveP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	CurveP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	CurveP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// GOST R 34.10 parameter sets: TC26 (RFC 7836, RFC 9215) and CryptoPro
// (RFC 4357), and the GOST R 34.11-94 digest parameter set that GOST
// R 34.10-2001 keys name. GOST identifiers are owned by gost3410, where they
// select curves and digests; this registry names them for people.
var (
	ParamSetTC26_256A            = gost3410.OIDParamSetTC26_256A
	ParamSetTC26_256B            = gost3410.OIDParamSetTC26_256B
	ParamSetTC26_256C            = gost3410.OIDParamSetTC26_256C
	ParamSetTC26_256D            = gost3410.OIDParamSetTC26_256D
	ParamSetTC26_512Test         = gost3410.OIDParamSetTest512
	ParamSetTC26_512A            = gost3410.OIDParamSetTC26_512A
	ParamSetTC26_512B            = gost3410.OIDParamSetTC26_512B
	ParamSetTC26_512C            = gost3410.OIDParamSetTC26_512C
	ParamSetCryptoProTest        = gost3410.OIDParamSetTest256
	ParamSetCryptoProA           = gost3410.OIDParamSetCryptoProA
	ParamSetCryptoProB           = gost3410.OIDParamSetCryptoProB
	ParamSetCryptoProC           = gost3410.OIDParamSetCryptoProC
	ParamSetCryptoProXchA        = gost3410.OIDParamSetCryptoProXA
	ParamSetCryptoProXchB        = gost3410.OIDParamSetCryptoProXB
	ParamSetGOST3411_94CryptoPro = gost3410.OIDGOST341194CryptoProParamSet
)

// registry is the table behind Lookup, ByKey and All. It is an array, not a
// slice or a map, so nothing outside this file can grow or reorder it; the
// accessors hand out copies of its OIDs.
var registry = [...]Info{
	// Name attributes. Short names follow RFC 4514 / OpenSSL, except E and T,
	// which are what Windows and CryptoPro show to Russian users.
	{CommonName, "cn", "CN", KindAttribute},
	{Surname, "surname", "SN", KindAttribute},
	{SerialNumber, "serial-number", "SERIALNUMBER", KindAttribute},
	{Country, "country", "C", KindAttribute},
	{Locality, "locality", "L", KindAttribute},
	{StateOrProvince, "state", "ST", KindAttribute},
	{Street, "street", "STREET", KindAttribute},
	{Organization, "organization", "O", KindAttribute},
	{OrganizationalUnit, "organizational-unit", "OU", KindAttribute},
	{Title, "title", "T", KindAttribute},
	{Description, "description", "description", KindAttribute},
	{BusinessCategory, "business-category", "businessCategory", KindAttribute},
	{PostalAddress, "postal-address", "postalAddress", KindAttribute},
	{PostalCode, "postal-code", "postalCode", KindAttribute},
	{Name, "name", "name", KindAttribute},
	{GivenName, "given-name", "GN", KindAttribute},
	{Initials, "initials", "initials", KindAttribute},
	{GenerationQualifier, "generation-qualifier", "generationQualifier", KindAttribute},
	{DNQualifier, "dn-qualifier", "dnQualifier", KindAttribute},
	{Pseudonym, "pseudonym", "pseudonym", KindAttribute},
	{UserID, "uid", "UID", KindAttribute},
	{DomainComponent, "dc", "DC", KindAttribute},
	{EmailAddress, "email", "E", KindAttribute},
	{UnstructuredName, "unstructured-name", "unstructuredName", KindAttribute},
	// CMS signed attributes share the attribute kind: they are PKCS #9
	// attribute types too.
	{AttrContentType, "content-type", "contentType", KindAttribute},
	{AttrMessageDigest, "message-digest", "messageDigest", KindAttribute},
	{AttrSigningTime, "signing-time", "signingTime", KindAttribute},
	{AttrSigningCertificate, "signing-certificate", "signingCertificate", KindAttribute},
	{AttrSigningCertificateV2, "signing-certificate-v2", "signingCertificateV2", KindAttribute},
	{INN, "inn", "INN", KindAttribute},
	{OGRN, "ogrn", "OGRN", KindAttribute},
	{SNILS, "snils", "SNILS", KindAttribute},
	{INNLE, "innle", "INNLE", KindAttribute},
	{OGRNIP, "ogrnip", "OGRNIP", KindAttribute},

	// Extensions. Short names are the ASN.1 names of RFC 5280 / RFC 9215.
	{ExtSubjectKeyID, "subject-key-id", "subjectKeyIdentifier", KindExtension},
	{ExtKeyUsage, "key-usage", "keyUsage", KindExtension},
	{ExtPrivateKeyUsagePeriod, "private-key-usage-period", "privateKeyUsagePeriod", KindExtension},
	{ExtSubjectAltName, "subject-alt-name", "subjectAltName", KindExtension},
	{ExtIssuerAltName, "issuer-alt-name", "issuerAltName", KindExtension},
	{ExtBasicConstraints, "basic-constraints", "basicConstraints", KindExtension},
	{ExtNameConstraints, "name-constraints", "nameConstraints", KindExtension},
	{ExtCRLDistributionPoints, "crl-distribution-points", "cRLDistributionPoints", KindExtension},
	{ExtCertificatePolicies, "certificate-policies", "certificatePolicies", KindExtension},
	{ExtPolicyMappings, "policy-mappings", "policyMappings", KindExtension},
	{ExtAuthorityKeyID, "authority-key-id", "authorityKeyIdentifier", KindExtension},
	{ExtPolicyConstraints, "policy-constraints", "policyConstraints", KindExtension},
	{ExtExtendedKeyUsage, "ext-key-usage", "extKeyUsage", KindExtension},
	{ExtInhibitAnyPolicy, "inhibit-any-policy", "inhibitAnyPolicy", KindExtension},
	{ExtAuthorityInfoAccess, "authority-info-access", "authorityInfoAccess", KindExtension},
	{ExtSubjectInfoAccess, "subject-info-access", "subjectInfoAccess", KindExtension},
	{ExtSubjectSignTool, "subject-sign-tool", "subjectSignTool", KindExtension},
	{ExtIssuerSignTool, "issuer-sign-tool", "issuerSignTool", KindExtension},
	{ExtIdentificationKind, "identification-kind", "identificationKind", KindExtension},

	// Policies.
	{PolicyAny, "any", "anyPolicy", KindPolicy},
	{PolicyKC1, "kc1", "KC1", KindPolicy},
	{PolicyKC2, "kc2", "KC2", KindPolicy},
	{PolicyKC3, "kc3", "KC3", KindPolicy},
	{PolicyKB1, "kb1", "KB1", KindPolicy},
	{PolicyKB2, "kb2", "KB2", KindPolicy},
	{PolicyKA1, "ka1", "KA1", KindPolicy},

	// Extended key usage.
	{EKUAny, "any", "anyExtendedKeyUsage", KindEKU},
	{EKUServerAuth, "server-auth", "serverAuth", KindEKU},
	{EKUClientAuth, "client-auth", "clientAuth", KindEKU},
	{EKUCodeSigning, "code-signing", "codeSigning", KindEKU},
	{EKUEmailProtection, "email-protection", "emailProtection", KindEKU},
	{EKUTimeStamping, "time-stamping", "timeStamping", KindEKU},
	{EKUOCSPSigning, "ocsp-signing", "OCSPSigning", KindEKU},

	// Public-key algorithms. Their keys are the families of
	// cert.PublicKeyInfo.
	{RSAEncryption, "rsa", "rsaEncryption", KindAlgorithm},
	{ECPublicKey, "ecdsa", "ecPublicKey", KindAlgorithm},
	{Ed25519, "ed25519", "Ed25519", KindAlgorithm},
	{GOST2012_256, "gost2012-256", "GOST R 34.10-2012 256", KindAlgorithm},
	{GOST2012_512, "gost2012-512", "GOST R 34.10-2012 512", KindAlgorithm},
	{GOST2001, "gost2001", "GOST R 34.10-2001", KindAlgorithm},
	{GOST94, "gost94", "GOST R 34.10-94", KindAlgorithm},
	// Signature algorithms.
	{SHA1WithRSA, "sha1-with-rsa", "sha1WithRSAEncryption", KindAlgorithm},
	{SHA256WithRSA, "sha256-with-rsa", "sha256WithRSAEncryption", KindAlgorithm},
	{SHA384WithRSA, "sha384-with-rsa", "sha384WithRSAEncryption", KindAlgorithm},
	{SHA512WithRSA, "sha512-with-rsa", "sha512WithRSAEncryption", KindAlgorithm},
	{RSASSAPSS, "rsa-pss", "RSASSA-PSS", KindAlgorithm},
	{MGF1, "mgf1", "MGF1", KindAlgorithm},
	{ECDSAWithSHA1, "ecdsa-with-sha1", "ecdsa-with-SHA1", KindAlgorithm},
	{ECDSAWithSHA256, "ecdsa-with-sha256", "ecdsa-with-SHA256", KindAlgorithm},
	{ECDSAWithSHA384, "ecdsa-with-sha384", "ecdsa-with-SHA384", KindAlgorithm},
	{ECDSAWithSHA512, "ecdsa-with-sha512", "ecdsa-with-SHA512", KindAlgorithm},
	{GOST2012_256Streebog, "gost2012-256-with-streebog256", "GOST R 34.10-2012 256 with GOST R 34.11-2012 256", KindAlgorithm},
	{GOST2012_512Streebog, "gost2012-512-with-streebog512", "GOST R 34.10-2012 512 with GOST R 34.11-2012 512", KindAlgorithm},
	{GOST2001WithGOST3411_94, "gost2001-with-gost3411-94", "GOST R 34.10-2001 with GOST R 34.11-94", KindAlgorithm},
	// Digest algorithms.
	{SHA1, "sha1", "SHA-1", KindAlgorithm},
	{SHA256, "sha256", "SHA-256", KindAlgorithm},
	{SHA384, "sha384", "SHA-384", KindAlgorithm},
	{SHA512, "sha512", "SHA-512", KindAlgorithm},
	{Streebog256, "streebog256", "GOST R 34.11-2012 256", KindAlgorithm},
	{Streebog512, "streebog512", "GOST R 34.11-2012 512", KindAlgorithm},
	{GOST3411_94, "gost3411-94", "GOST R 34.11-94", KindAlgorithm},

	// Curves and parameter sets.
	{CurveP224, "p224", "P-224", KindParamSet},
	{CurveP256, "p256", "P-256", KindParamSet},
	{CurveP384, "p384", "P-384", KindParamSet},
	{CurveP521, "p521", "P-521", KindParamSet},
	{ParamSetTC26_256A, "tc26-256-a", "id-tc26-gost-3410-2012-256-paramSetA", KindParamSet},
	{ParamSetTC26_256B, "tc26-256-b", "id-tc26-gost-3410-2012-256-paramSetB", KindParamSet},
	{ParamSetTC26_256C, "tc26-256-c", "id-tc26-gost-3410-2012-256-paramSetC", KindParamSet},
	{ParamSetTC26_256D, "tc26-256-d", "id-tc26-gost-3410-2012-256-paramSetD", KindParamSet},
	{ParamSetTC26_512Test, "tc26-512-test", "id-tc26-gost-3410-2012-512-paramSetTest", KindParamSet},
	{ParamSetTC26_512A, "tc26-512-a", "id-tc26-gost-3410-2012-512-paramSetA", KindParamSet},
	{ParamSetTC26_512B, "tc26-512-b", "id-tc26-gost-3410-2012-512-paramSetB", KindParamSet},
	{ParamSetTC26_512C, "tc26-512-c", "id-tc26-gost-3410-2012-512-paramSetC", KindParamSet},
	{ParamSetCryptoProTest, "cryptopro-test", "id-GostR3410-2001-TestParamSet", KindParamSet},
	{ParamSetCryptoProA, "cryptopro-a", "id-GostR3410-2001-CryptoPro-A-ParamSet", KindParamSet},
	{ParamSetCryptoProB, "cryptopro-b", "id-GostR3410-2001-CryptoPro-B-ParamSet", KindParamSet},
	{ParamSetCryptoProC, "cryptopro-c", "id-GostR3410-2001-CryptoPro-C-ParamSet", KindParamSet},
	{ParamSetCryptoProXchA, "cryptopro-xcha", "id-GostR3410-2001-CryptoPro-XchA-ParamSet", KindParamSet},
	{ParamSetCryptoProXchB, "cryptopro-xchb", "id-GostR3410-2001-CryptoPro-XchB-ParamSet", KindParamSet},
	{ParamSetGOST3411_94CryptoPro, "gost3411-94-cryptopro", "id-GostR3411-94-CryptoProParamSet", KindParamSet},
}

// Lookup returns what the registry knows about o.
func Lookup(o asn1.ObjectIdentifier) (Info, bool) {
	for _, info := range registry {
		if info.OID.Equal(o) {
			return cloned(info), true
		}
	}
	return Info{}, false
}

// ByKey returns the entry of the given kind and key, e.g. (KindAttribute, "inn").
func ByKey(kind Kind, key string) (Info, bool) {
	for _, info := range registry {
		if info.Kind == kind && info.Key == key {
			return cloned(info), true
		}
	}
	return Info{}, false
}

// All returns every registered OID, in registry order.
func All() []Info {
	all := make([]Info, len(registry))
	for i, info := range registry {
		all[i] = cloned(info)
	}
	return all
}

// ShortName is the short name of o, or its dotted form when o is unknown;
// the usual way to label an OID in technical text and error messages.
func ShortName(o asn1.ObjectIdentifier) string {
	if info, ok := Lookup(o); ok {
		return info.Short
	}
	return o.String()
}

// cloned gives the caller its own copy of the OID so that the registry's
// values cannot be changed through a returned Info.
func cloned(info Info) Info {
	info.OID = slices.Clone(info.OID)
	return info
}
