package token

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// This file is the narrow interface between Podpis and a PKCS#11 module:
// the few Cryptoki calls Podpis makes, with Podpis's own types, so that
// everything above it can be tested against a double (tokentest) and the
// calls can be counted. The real implementation (module.go) wraps
// github.com/miekg/pkcs11; nothing else imports that package.

// SlotID, ObjectHandle, Mechanism and AttributeType are Cryptoki's
// CK_SLOT_ID, CK_OBJECT_HANDLE, CK_MECHANISM_TYPE and CK_ATTRIBUTE_TYPE.
type (
	SlotID        uint
	ObjectHandle  uint
	Mechanism     uint
	AttributeType uint
)

// Attribute is one CK_ATTRIBUTE. A value that is a CK_ULONG is encoded as
// the platform's unsigned long (ULong/ParseULong), as Cryptoki wants it.
type Attribute struct {
	Type  AttributeType
	Value []byte
}

// ModuleInfo is C_GetInfo's answer.
type ModuleInfo struct {
	Manufacturer    string
	Description     string
	CryptokiVersion string // "2.40"
	LibraryVersion  string
}

// SlotInfo is C_GetSlotInfo's answer.
type SlotInfo struct {
	Description  string
	Manufacturer string
	Flags        uint // SlotTokenPresent, SlotRemovable, SlotHardware
}

// TokenInfo is C_GetTokenInfo's answer (the fields Podpis shows or uses).
type TokenInfo struct {
	Label        string
	Manufacturer string
	Model        string
	Serial       string
	Flags        uint // the Token* flags below
	MinPIN       uint
	MaxPIN       uint
}

// Module is one loaded and initialised PKCS#11 library (C_Initialize has
// succeeded). Its methods may be called from several goroutines.
type Module interface {
	Info() (ModuleInfo, error)
	// Slots is C_GetSlotList: every slot, or only those holding a token.
	Slots(tokenPresent bool) ([]SlotID, error)
	SlotInfo(SlotID) (SlotInfo, error)
	TokenInfo(SlotID) (TokenInfo, error)
	Mechanisms(SlotID) ([]Mechanism, error)
	// OpenSession is C_OpenSession (CKF_SERIAL_SESSION, plus CKF_RW_SESSION
	// when readWrite).
	OpenSession(slot SlotID, readWrite bool) (Session, error)
	// Close is C_Finalize, then the library is unloaded.
	Close() error
}

// Session is one Cryptoki session. Like Cryptoki's, it runs one operation
// at a time: callers serialise.
type Session interface {
	// Login is C_Login as CKU_USER. An empty pin on a token with a
	// protected authentication path (a PIN pad) passes NULL, so the PIN is
	// typed on the device.
	Login(pin string) error
	Logout() error
	// FindObjects runs C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal.
	FindObjects(template []Attribute) ([]ObjectHandle, error)
	// Attributes is C_GetAttributeValue; an attribute the object does not
	// have comes back with a nil Value rather than failing the call.
	Attributes(obj ObjectHandle, types []AttributeType) ([]Attribute, error)
	// Sign is C_SignInit + C_Sign with a mechanism without parameters.
	Sign(m Mechanism, key ObjectHandle, data []byte) ([]byte, error)
	// SetPIN is C_SetPIN (the user PIN when the session is not logged in).
	SetPIN(oldPIN, newPIN string) error
	Close() error
}

// Opener loads and initialises the module at path. OpenModule is the real
// one; tests pass doubles or wrappers (to count C_Login, to pull a token).
type Opener func(path string) (Module, error)

// ReturnValue is a Cryptoki CK_RV other than CKR_OK, as an error. Both the
// real module and the doubles return these, so errors.Is/As work the same.
type ReturnValue uint

func (rv ReturnValue) Error() string {
	if name, ok := returnValueNames[rv]; ok {
		return fmt.Sprintf("%s (0x%X)", name, uint(rv))
	}
	return fmt.Sprintf("CKR 0x%X", uint(rv))
}

// The Cryptoki return values Podpis tells apart (PKCS#11 v2.40 pkcs11t.h).
const (
	CKR_SLOT_ID_INVALID              ReturnValue = 0x003
	CKR_GENERAL_ERROR                ReturnValue = 0x005
	CKR_FUNCTION_FAILED              ReturnValue = 0x006
	CKR_ARGUMENTS_BAD                ReturnValue = 0x007
	CKR_ATTRIBUTE_TYPE_INVALID       ReturnValue = 0x012
	CKR_DATA_LEN_RANGE               ReturnValue = 0x021
	CKR_DEVICE_ERROR                 ReturnValue = 0x030
	CKR_DEVICE_MEMORY                ReturnValue = 0x031
	CKR_DEVICE_REMOVED               ReturnValue = 0x032
	CKR_FUNCTION_CANCELED            ReturnValue = 0x050
	CKR_KEY_HANDLE_INVALID           ReturnValue = 0x060
	CKR_KEY_TYPE_INCONSISTENT        ReturnValue = 0x063
	CKR_KEY_FUNCTION_NOT_PERMITTED   ReturnValue = 0x068
	CKR_MECHANISM_INVALID            ReturnValue = 0x070
	CKR_OBJECT_HANDLE_INVALID        ReturnValue = 0x082
	CKR_PIN_INCORRECT                ReturnValue = 0x0A0
	CKR_PIN_INVALID                  ReturnValue = 0x0A1
	CKR_PIN_LEN_RANGE                ReturnValue = 0x0A2
	CKR_PIN_EXPIRED                  ReturnValue = 0x0A3
	CKR_PIN_LOCKED                   ReturnValue = 0x0A4
	CKR_SESSION_CLOSED               ReturnValue = 0x0B0
	CKR_SESSION_HANDLE_INVALID       ReturnValue = 0x0B3
	CKR_SESSION_READ_ONLY            ReturnValue = 0x0B5
	CKR_TOKEN_NOT_PRESENT            ReturnValue = 0x0E0
	CKR_TOKEN_NOT_RECOGNIZED         ReturnValue = 0x0E1
	CKR_TOKEN_WRITE_PROTECTED        ReturnValue = 0x0E2
	CKR_USER_ALREADY_LOGGED_IN       ReturnValue = 0x100
	CKR_USER_NOT_LOGGED_IN           ReturnValue = 0x101
	CKR_USER_PIN_NOT_INITIALIZED     ReturnValue = 0x102
	CKR_USER_TYPE_INVALID            ReturnValue = 0x103
	CKR_CRYPTOKI_NOT_INITIALIZED     ReturnValue = 0x190
	CKR_CRYPTOKI_ALREADY_INITIALIZED ReturnValue = 0x191
)

var returnValueNames = map[ReturnValue]string{
	CKR_SLOT_ID_INVALID: "CKR_SLOT_ID_INVALID", CKR_GENERAL_ERROR: "CKR_GENERAL_ERROR", CKR_FUNCTION_FAILED: "CKR_FUNCTION_FAILED",
	CKR_ARGUMENTS_BAD: "CKR_ARGUMENTS_BAD", CKR_ATTRIBUTE_TYPE_INVALID: "CKR_ATTRIBUTE_TYPE_INVALID",
	CKR_DATA_LEN_RANGE: "CKR_DATA_LEN_RANGE", CKR_DEVICE_ERROR: "CKR_DEVICE_ERROR",
	CKR_DEVICE_MEMORY: "CKR_DEVICE_MEMORY", CKR_DEVICE_REMOVED: "CKR_DEVICE_REMOVED",
	CKR_FUNCTION_CANCELED: "CKR_FUNCTION_CANCELED", CKR_KEY_HANDLE_INVALID: "CKR_KEY_HANDLE_INVALID",
	CKR_KEY_TYPE_INCONSISTENT: "CKR_KEY_TYPE_INCONSISTENT", CKR_KEY_FUNCTION_NOT_PERMITTED: "CKR_KEY_FUNCTION_NOT_PERMITTED",
	CKR_MECHANISM_INVALID: "CKR_MECHANISM_INVALID", CKR_OBJECT_HANDLE_INVALID: "CKR_OBJECT_HANDLE_INVALID",
	CKR_PIN_INCORRECT: "CKR_PIN_INCORRECT", CKR_PIN_INVALID: "CKR_PIN_INVALID",
	CKR_PIN_LEN_RANGE: "CKR_PIN_LEN_RANGE", CKR_PIN_EXPIRED: "CKR_PIN_EXPIRED", CKR_PIN_LOCKED: "CKR_PIN_LOCKED",
	CKR_SESSION_CLOSED: "CKR_SESSION_CLOSED", CKR_SESSION_HANDLE_INVALID: "CKR_SESSION_HANDLE_INVALID",
	CKR_SESSION_READ_ONLY: "CKR_SESSION_READ_ONLY", CKR_TOKEN_NOT_PRESENT: "CKR_TOKEN_NOT_PRESENT",
	CKR_TOKEN_NOT_RECOGNIZED: "CKR_TOKEN_NOT_RECOGNIZED", CKR_TOKEN_WRITE_PROTECTED: "CKR_TOKEN_WRITE_PROTECTED",
	CKR_USER_ALREADY_LOGGED_IN: "CKR_USER_ALREADY_LOGGED_IN", CKR_USER_NOT_LOGGED_IN: "CKR_USER_NOT_LOGGED_IN",
	CKR_USER_PIN_NOT_INITIALIZED: "CKR_USER_PIN_NOT_INITIALIZED", CKR_USER_TYPE_INVALID: "CKR_USER_TYPE_INVALID",
	CKR_CRYPTOKI_NOT_INITIALIZED: "CKR_CRYPTOKI_NOT_INITIALIZED", CKR_CRYPTOKI_ALREADY_INITIALIZED: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
}

// Slot flags (CK_SLOT_INFO.flags).
const (
	SlotTokenPresent uint = 0x1
	SlotRemovable    uint = 0x2
	SlotHardware     uint = 0x4
)

// Token flags (CK_TOKEN_INFO.flags).
const (
	TokenRNG                uint = 0x00000001
	TokenWriteProtected     uint = 0x00000002
	TokenLoginRequired      uint = 0x00000004
	TokenUserPINInitialized uint = 0x00000008
	TokenProtectedAuthPath  uint = 0x00000100 // a PIN pad on the reader
	TokenInitialized        uint = 0x00000400
	TokenUserPINCountLow    uint = 0x00010000
	TokenUserPINFinalTry    uint = 0x00020000
	TokenUserPINLocked      uint = 0x00040000
	TokenUserPINToBeChanged uint = 0x00080000
	TokenSOPINCountLow      uint = 0x00100000
	TokenSOPINFinalTry      uint = 0x00200000
	TokenSOPINLocked        uint = 0x00400000
	TokenSOPINToBeChanged   uint = 0x00800000
	tokenUserPINFlags            = TokenUserPINCountLow | TokenUserPINFinalTry | TokenUserPINLocked | TokenUserPINToBeChanged
)

// Attribute types Podpis reads.
const (
	AttrClass           AttributeType = 0x000
	AttrToken           AttributeType = 0x001
	AttrPrivate         AttributeType = 0x002
	AttrLabel           AttributeType = 0x003
	AttrValue           AttributeType = 0x011
	AttrCertificateType AttributeType = 0x080
	AttrKeyType         AttributeType = 0x100
	AttrID              AttributeType = 0x102
	AttrSign            AttributeType = 0x108
	AttrModulus         AttributeType = 0x120
	AttrPublicExponent  AttributeType = 0x122
	AttrECParams        AttributeType = 0x180
	AttrECPoint         AttributeType = 0x181
	AttrGOSTR3410Params AttributeType = 0x250
	AttrGOSTR3411Params AttributeType = 0x251
)

// Object classes (CKA_CLASS) and the X.509 certificate type.
const (
	ClassCertificate uint = 1
	ClassPublicKey   uint = 2
	ClassPrivateKey  uint = 3
	CertificateX509  uint = 0
)

// Key types (CKA_KEY_TYPE). The GOST ones come from PKCS#11 v2.40 (CKK_GOSTR3410,
// 256-bit keys) and from ТК 26's extension (CKK_GOSTR3410_512, vendor range
// CK_VENDOR_PKCS11_RU_TEAM_TC26 = 0xD4321000), as Рутокен's rtpkcs11t.h and
// JaCarta's headers define them.
const (
	KeyRSA          uint = 0x00000000
	KeyEC           uint = 0x00000003
	KeyGOSTR3410    uint = 0x00000030
	KeyGOSTR3410512 uint = 0xD4321003
)

// Signing mechanisms — the one place they are defined.
//
// GOST R 34.10-2012 on a token: CKM_GOSTR3410 (256-bit keys) and
// CKM_GOSTR3410_512 take the Streebog hash computed on the host (32 or 64
// bytes, in the byte order Streebog outputs it); the _WITH_GOSTR3411_12_*
// mechanisms take the message and hash it on the token. Both return the
// signature as s||r, each half big-endian (PKCS#11 v2.40 §2.55, RFC 4491
// §2.2.2) — the form CMS carries.
const (
	MechRSAPKCS                       Mechanism = 0x00000001
	MechSHA256RSAPKCS                 Mechanism = 0x00000040
	MechSHA384RSAPKCS                 Mechanism = 0x00000041
	MechSHA512RSAPKCS                 Mechanism = 0x00000042
	MechECDSA                         Mechanism = 0x00001041
	MechGOSTR3410                     Mechanism = 0x00001201
	MechGOSTR3410With3411             Mechanism = 0x00001202 // 2001 with GOST R 34.11-94: never used to sign
	MechGOSTR3410512                  Mechanism = 0xD4321006
	MechGOSTR3410WithGOSTR3411_12_256 Mechanism = 0xD4321008
	MechGOSTR3410WithGOSTR3411_12_512 Mechanism = 0xD4321009
)

var mechanismNames = map[Mechanism]string{
	MechRSAPKCS: "CKM_RSA_PKCS", MechSHA256RSAPKCS: "CKM_SHA256_RSA_PKCS",
	MechSHA384RSAPKCS: "CKM_SHA384_RSA_PKCS", MechSHA512RSAPKCS: "CKM_SHA512_RSA_PKCS",
	MechECDSA: "CKM_ECDSA", MechGOSTR3410: "CKM_GOSTR3410", MechGOSTR3410With3411: "CKM_GOSTR3410_WITH_GOSTR3411",
	MechGOSTR3410512:                  "CKM_GOSTR3410_512",
	MechGOSTR3410WithGOSTR3411_12_256: "CKM_GOSTR3410_WITH_GOSTR3411_12_256",
	MechGOSTR3410WithGOSTR3411_12_512: "CKM_GOSTR3410_WITH_GOSTR3411_12_512",
}

// String is the mechanism's CKM_ name, or its number.
func (m Mechanism) String() string {
	if name, ok := mechanismNames[m]; ok {
		return name
	}
	return fmt.Sprintf("0x%X", uint(m))
}

// ULong encodes v as a CK_ULONG attribute value: the platform's unsigned
// long, in its byte order (8 bytes on 64-bit Linux and macOS, 4 on Windows).
func ULong(v uint) []byte {
	b := make([]byte, ulongSize)
	switch ulongSize {
	case 8:
		binary.NativeEndian.PutUint64(b, uint64(v))
	default:
		binary.NativeEndian.PutUint32(b, uint32(v))
	}
	return b
}

// ParseULong decodes a CK_ULONG attribute value.
func ParseULong(b []byte) (uint, bool) {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), true
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), true
	case 1:
		return uint(b[0]), true
	}
	return 0, false
}

// Bool encodes a CK_BBOOL attribute value.
func Bool(v bool) []byte {
	if v {
		return []byte{1}
	}
	return []byte{0}
}

// ulongSize is sizeof(CK_ULONG): C's unsigned long, which is 4 bytes on
// Windows (LLP64) and pointer-sized elsewhere.
const ulongSize = windowsULong*4 + (1-windowsULong)*int(unsafe.Sizeof(uintptr(0)))
