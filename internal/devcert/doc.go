// Package devcert manages trustform's development CA and the localhost
// certificate it issues (SPEC section 6), and finds the other development
// certificates a developer may already trust: ASP.NET Core's exported
// development certificate and mkcert's root.
//
// The CA is deliberately small and strict: ECDSA P-256, path length 0 so it
// can only sign leaves, and leaves that pass RFC 5280 strict checking
// (Python 3.13 turns VERIFY_X509_STRICT on by default, and openssl verify
// -x509_strict), because a development certificate that one runtime rejects
// defeats its purpose.
//
// Nothing here reads the process environment or the clock: the directory is
// resolved from an environment map and home directory given by the caller,
// and Create takes the time and randomness source.
package devcert
