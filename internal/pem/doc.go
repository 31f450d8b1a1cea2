// Package pem reads certificate input of every kind trustform accepts (PEM
// with any line endings, BOM and surrounding text, DER, TRUSTED CERTIFICATE)
// and produces normalised certificates, bundles and OpenSSL subject-hash
// names. See SPEC section 5.
//
// Go's encoding/pem is not used for reading: it neither reports line numbers
// nor understands CR-only line endings (files saved by old Mac editors), and
// users must be told exactly which line of which file holds a private key or
// a broken block. The scanner here is line based and works the same for LF,
// CRLF and CR input.
//
// Decisions recorded here so that callers and users can rely on them:
//
//   - Any block whose type names a private key is an Error and nothing of its
//     content (not even a prefix) ever reaches a Problem: trust material is
//     shared with every process, keys must never be in it.
//   - A block that does not decode (bad base64, missing END line, DER that
//     does not parse) is an Error, because OpenSSL-based readers drop the
//     whole bundle when one block is bad.
//   - Blocks of other types (CERTIFICATE REQUEST, X509 CRL, PUBLIC KEY,
//     PKCS7, ...) are a Warning and skipped: they are harmless, commonly
//     found next to certificates, and never copied into trust material since
//     output is always re-encoded.
//   - "X509 CERTIFICATE" (OpenSSL's old name) is read as CERTIFICATE.
//   - A zero Options.Now disables the validity check.
//   - Parse returns every certificate it could read even when it also
//     reports errors; callers decide whether errors are fatal (HasErrors).
package pem
