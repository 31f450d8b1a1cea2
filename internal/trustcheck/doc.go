// Package trustcheck decides whether a resource's runtime would trust the
// certificate chain a server presents, and explains why not.
//
// A Client describes one TLS client as the resource would run it: which
// trust stores it reads (chosen by the variables in the resource's final
// environment, so a variable inherited from the shell counts as the runtime
// would count it) and the verification rules it follows. Verify then checks
// the chain with Go's verifier, constrained to the client's rules: without
// a partial-chain flag (node, Python) only a self-signed certificate may be
// the anchor, as with OpenSSL's default; no client fetches a missing
// intermediate (AIA), as only browsers do.
//
// The package is pure: the caller reads files and passes certificates in,
// and the clock is an argument.
package trustcheck
