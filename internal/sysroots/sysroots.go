package sysroots

import (
	"errors"
	"time"

	"github.com/trustform/trustform/internal/pem"
)

// Options control LoadWith.
type Options struct {
	// Now, when not zero, drops certificates that are expired or not yet
	// valid at that time.
	Now time.Time
	// Environ is consulted for SSL_CERT_FILE on Unix systems other than
	// macOS, the variable OpenSSL itself honours there. nil means the OS
	// defaults only.
	Environ map[string]string
}

// LoadWith returns the system root certificates, deduplicated, in the order
// the system lists them.
func LoadWith(opts Options) ([]*pem.Certificate, error) {
	inputs, err := platformInputs(opts)
	if err != nil {
		return nil, err
	}
	certs := parseInputs(inputs, opts.Now)
	if len(certs) == 0 {
		return nil, errors.New("no system root certificates found; install your distribution's ca-certificates package, or set SSL_CERT_FILE")
	}
	return certs, nil
}

// input is one blob of certificate data and where it came from.
type input struct {
	data   []byte
	source string
}

// parseInputs keeps every certificate that parses and, when now is set, is
// valid; problems are dropped on purpose (see the package comment).
func parseInputs(inputs []input, now time.Time) []*pem.Certificate {
	var all []*pem.Certificate
	for _, in := range inputs {
		certs, _ := pem.Parse(in.data, in.source, pem.Options{Now: now})
		all = append(all, certs...)
	}
	return pem.Dedup(all)
}
