// Package sysroots reads the operating system's root certificates, which
// trustform puts in a resource's bundle under the `system` trust scope
// (SPEC section 4.1), and names the system certificate directories that the
// `append` scope chains after a resource's own directory.
//
//   - Linux and other Unix systems: the first OpenSSL default bundle that
//     exists (the same list containers are searched with), or
//     SSL_CERT_FILE when the caller passes it; if no bundle exists, the
//     certificate files in the system directories.
//   - macOS: the system root and system keychains, exported with
//     `security find-certificate -a -p`.
//   - Windows: the ROOT system store.
//
// System stores hold expired and unparseable certificates more often than
// one would think; they are skipped silently, since the user cannot act on
// them and a warning per certificate would drown the plan.
package sysroots
