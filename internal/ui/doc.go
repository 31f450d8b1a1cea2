// Package ui is how trustform talks to its user. It holds the output rule
// (website/docs/output.md): results go to stdout; diagnostics, progress and
// hints go to stderr; colour only on a terminal and never with NO_COLOR or
// -no-color. It also renders hcl.Diagnostics, as Terraform-style text with a
// caret line under the offending token and as JSON for `validate -json`, and
// computes the unified diffs `fmt -diff` prints.
package ui
