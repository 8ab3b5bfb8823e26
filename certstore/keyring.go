package certstore

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name under which container passwords are
// kept in the OS keyring; the account is the certificate ID.
const KeyringService = "podpis"

// Keyring keeps container passwords ("remember password"). Get returns
// ErrSecretNotFound when nothing is stored for the account.
type Keyring interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// ErrSecretNotFound is returned by Keyring.Get and Delete for a missing entry.
var ErrSecretNotFound = errors.New("no such secret in the keyring")

// OSKeyring is the platform keyring (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows). Every call is bounded by Timeout:
// on a Linux desktop without an unlocked keyring, Secret Service may wait for
// an unlock prompt nobody sees, and a signing batch must not hang on that.
type OSKeyring struct {
	Timeout time.Duration
}

func (k OSKeyring) timeout() time.Duration {
	if k.Timeout > 0 {
		return k.Timeout
	}
	return 5 * time.Second
}

func (k OSKeyring) Get(service, account string) (string, error) {
	var secret string
	err := k.call(func() error {
		var err error
		secret, err = keyring.Get(service, account)
		return err
	})
	return secret, err
}

func (k OSKeyring) Set(service, account, secret string) error {
	return k.call(func() error { return keyring.Set(service, account, secret) })
}

func (k OSKeyring) Delete(service, account string) error {
	return k.call(func() error { return keyring.Delete(service, account) })
}

func (k OSKeyring) call(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return ErrSecretNotFound
		}
		if err != nil {
			return errWith(ErrKeyring, map[string]any{"Detail": err.Error()}, err)
		}
		return nil
	case <-time.After(k.timeout()):
		return errWith(ErrKeyring, map[string]any{"Detail": "no answer"},
			fmt.Errorf("keyring did not answer within %s", k.timeout()))
	}
}

// NoKeyring is used when the keyring is switched off (PODPIS_KEYRING=off):
// nothing is remembered and every lookup misses.
type NoKeyring struct{}

func (NoKeyring) Get(string, string) (string, error) { return "", ErrSecretNotFound }
func (NoKeyring) Set(string, string, string) error {
	return errWith(ErrKeyring, map[string]any{"Detail": "switched off"}, nil)
}
func (NoKeyring) Delete(string, string) error { return ErrSecretNotFound }

// MemoryKeyring keeps secrets in this process only: for tests of code that
// remembers passwords, and for a session that should remember without
// touching the OS keyring. The zero value is ready to use.
type MemoryKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
}

func (k *MemoryKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.secrets[service+"\x00"+account]
	if !ok {
		return "", ErrSecretNotFound
	}
	return s, nil
}

func (k *MemoryKeyring) Set(service, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string]string{}
	}
	k.secrets[service+"\x00"+account] = secret
	return nil
}

func (k *MemoryKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.secrets[service+"\x00"+account]; !ok {
		return ErrSecretNotFound
	}
	delete(k.secrets, service+"\x00"+account)
	return nil
}
