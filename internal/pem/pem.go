// Package pem reads certificate input of every kind trustform accepts (PEM
// with any line endings, BOM and surrounding text, DER, TRUSTED CERTIFICATE)
// and produces normalised certificates, bundles and OpenSSL subject-hash
// names. See SPEC section 5.
package pem

import (
	"crypto/x509"
	"errors"
	"time"
)

// Severity of a Problem.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

// Problem is something wrong with certificate input, located by source name
// and 1-based line. It never contains key material.
type Problem struct {
	Severity Severity
	Source   string // file name, or a description such as `certificates[0]`
	Line     int    // 1-based line of the block's BEGIN line; 0 for DER
	Summary  string
	Detail   string
}

// Certificate is one parsed certificate.
type Certificate struct {
	X509   *x509.Certificate
	DER    []byte
	SHA256 string // lower-case hex of SHA-256 over DER
	Source string
	Line   int
}

// Options control Parse.
type Options struct {
	// Now is the time validity is checked against.
	Now time.Time
}

// Parse reads all certificates in data. Errors (private keys, corrupt
// blocks, no certificate at all) and warnings (TRUSTED CERTIFICATE
// converted, not a CA) are returned as problems; expired and not-yet-valid
// certificates are warned about and left out of the result. Duplicates
// within data are kept once.
func Parse(data []byte, source string, opts Options) ([]*Certificate, []Problem) {
	return nil, []Problem{{Severity: Error, Source: source, Summary: "not implemented"}}
}

// Dedup returns certs with later duplicates (same SHA256) removed, keeping
// the order of first appearance.
func Dedup(certs []*Certificate) []*Certificate { return certs }

// PEM returns the normalised encoding of c: one CERTIFICATE block, LF endings.
func (c *Certificate) PEM() []byte { return nil }

// FileName returns the per-certificate file name in certs/: the first 16 hex
// digits of the SHA-256 plus ".pem".
func (c *Certificate) FileName() string { return c.SHA256[:16] + ".pem" }

// SubjectHash returns OpenSSL's X509_NAME_hash of the subject (as printed by
// `openssl x509 -noout -subject_hash`).
func (c *Certificate) SubjectHash() (uint32, error) { return 0, errors.New("not implemented") }

// Bundle concatenates the normalised PEM of certs in order.
func Bundle(certs []*Certificate) []byte { return nil }

// HashLink is one OpenSSL subject-hash name in a certs/ directory.
type HashLink struct {
	Name   string // "<8 hex>.<n>"
	Target string // the certificate's FileName
}

// HashLinks returns the subject-hash names for certs, numbering collisions
// from 0 without gaps in the order given.
func HashLinks(certs []*Certificate) ([]HashLink, error) { return nil, errors.New("not implemented") }
