package token

import "errors"

// Stubs replaced by module.go and discover.go (helper-owned).

func discover(opts DiscoverOptions) []Candidate { return nil }

func openModule(path string) (Module, error) {
	return nil, &LoadError{Path: path, Reason: LoadFailed, Err: errors.New("not implemented")}
}
