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
// What apply does with a Plan: check a saved one with CheckApplicable;
// when Devcert.Create is set, create the development CA in Devcert.Dir and
// call ResolveDevcert, which completes every DevcertPending change; then
// per change, in dependency order: write After.Files into After.TrustDir
// (content from Blobs by SHA256, Link entries as relative symlinks, modes
// as given), start After (Create, Replace after stopping Before's Handle),
// keep the Handle for Update (state only) and NoOp, and stop Handle and
// remove what state recorded for Delete. A Create whose Reasons is
// ["drift"] carries the dead resource's Handle so apply can clean it up
// first (an exited container keeps its name until removed).
//
// Containers are named trustform-<name>-<8 hex>, the hex being a digest of
// the configuration directory and address, so names are stable from one plan
// to the next (they cannot use the lineage: the first plan has none) and two
// configuration directories do not collide.
package plan
