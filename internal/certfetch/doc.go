// Package certfetch reads the certificate chain a TLS server presents, as
// a client on this machine would reach it: directly, or through the
// HTTPS_PROXY with CONNECT, honouring NO_PROXY. Behind a TLS-inspecting
// proxy that chain is the proxy's, so its root is the certificate a
// corporate machine's processes must trust.
//
// Fetching completes a TLS handshake without verifying it, only to read
// the chain, and closes the connection without sending application data:
// nothing is trusted on the strength of this connection. The caller shows
// the chain to the user, who decides to trust its root.
package certfetch
