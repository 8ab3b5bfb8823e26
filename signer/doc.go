// Package signer makes and checks CMS / CAdES-BES SignedData (RFC 5652):
// sign, co-sign, verify, and batch signing. Keys reach it as crypto.Signer
// from certstore, so software keys and token keys look the same here;
// certstore/sigalg maps the algorithms.
//
// What it writes: SignedData version 1, one SignerInfo version 1 with
// issuerAndSerialNumber, the signed attributes contentType, signingTime
// (UTCTime until 2049), messageDigest and signingCertificateV2 (ESSCertIDv2:
// Streebog-256 of the certificate for GOST keys, SHA-256 otherwise, with
// issuerSerial), the signer's certificate then SignOptions.Certificates.
// Detached signatures and attached ones with up to 8 MiB of content are
// DER; larger attached content is streamed as BER the way `openssl cms
// -stream` writes it (indefinite lengths for ContentInfo, [0], SignedData,
// encapContentInfo and eContent, the content as a constructed OCTET STRING
// of 64 KiB segments). PEM output uses the label "CMS".
//
// What it reads: DER or BER (indefinite lengths, constructed strings),
// as PEM under any label or as bare Base64, streaming: an attached
// signature's content is hashed as it goes by, certificates and SignerInfos
// are read after it. Signed attributes are verified as the DER SET of the
// attributes in the order received (RFC 5652 5.4).
//
// Wire structures (wire.go) are kept apart from the results of api.go.
package signer
