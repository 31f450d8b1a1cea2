// Package keys holds the one helper for walking a map in a fixed order, so
// that plans, diagnostics and output never depend on map iteration.
package keys

import "sort"

// Sorted returns the keys of m in increasing order; never nil, so a JSON
// encoding of an empty result is [] and not null.
func Sorted[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
