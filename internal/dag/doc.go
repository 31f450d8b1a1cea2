// Package dag is the small dependency graph behind plan, apply, destroy and
// the graph command: nodes are resource addresses, an edge from A to B means
// A depends on B (B must be started first, and stopped last).
//
// Every result that lists nodes is sorted by name, so plans, graph output
// and error messages are the same on every run.
package dag
