// Package plan decides, for every resource, exactly what it will get (argv,
// environment, trust files and their bytes) and how that differs from state.
// It is pure: it starts no process and writes no file, so golden tests pin it.
// Everything it needs from the machine arrives through Input.
//
// Build turns an evaluated configuration, the state and what refresh found
// into a Plan. The Plan is self-contained: apply executes it without reading
// HCL, and WriteFile / ReadFile save it for `apply FILE`. RenderHuman,
// RenderJSON and RenderMarkdown are its three views.
//
// Trust material of one resource lives in its trust directory
// (layout.ResourceDir): cert.pem (the bundle), certs/<sha256 prefix>.pem per
// certificate plus OpenSSL subject-hash symlinks certs/<hash>.<n>,
// truststore.p12 for Java runtimes (passwordless PKCS#12, entries carry the
// Java trusted-certificate attribute), and merged-<VAR>.pem when the user had
// set a bundle variable such as NODE_EXTRA_CA_CERTS: trustform never drops
// the user's file, it writes one holding the user's certificates plus its own.
//
// Containers are named trustform-<name>-<8 hex>, the hex being a digest of
// the configuration directory and address, so names are stable from one plan
// to the next (they cannot use the lineage: the first plan has none) and two
// configuration directories do not collide.
package plan
