// Package benchgen writes the large configurations trustform's performance
// targets are measured on (issue 7): N executables that run `sleep 3600`,
// all trusting one shared certificate_authority_collection of C distinct CA
// certificates, with every tenth resource depending on the tenth before it.
//
// It also writes the "naive" tree the apply target is compared with: the
// same trust material as N directories of plain files, which is what a
// simple implementation would write and what `cp -a` copies.
//
// The command in cmd/tfbench drives the real binary over these
// configurations (`make bench`); the benchmarks in this package measure
// loading and planning in-process.
package benchgen
