// Package export turns a plan's container resources and their trust sets
// into artifacts an orchestrator runs: Kubernetes objects built from the
// typed structs of k8s.io/api (a ConfigMap pair per trust set, a Deployment
// and, with ports, a Service per container), and a Compose file built from
// compose-go's model that bind-mounts an exported directory.
//
// The scope semantics are those of a local apply (SPEC 4.2): the same
// environment, the material at the same in-container destination, and in
// override and system scope the image's bundle files covered by ours (merged
// with the image's own in system scope). Process resources have no image and
// are left out with one warning.
//
// The package does no I/O of its own: the image's files are read through
// Options.ImageFiles, which the command wires to a container engine, and the
// result is returned as files for the caller to write. It never writes YAML
// by hand: every document is a typed value serialised by sigs.k8s.io/yaml or
// compose-go.
package export
