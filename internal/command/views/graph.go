package views

import (
	"fmt"
	"io"
	"strings"
)

// GraphEdge is "From depends on To".
type GraphEdge struct{ From, To string }

// Graph prints the dependency graph of nodes and edges (both sorted by the
// caller) in format: "dot" or "mermaid".
func Graph(v *View, format string, nodes []string, edges []GraphEdge) {
	switch format {
	case "mermaid":
		writeMermaid(v.Out, nodes, edges)
	default:
		writeDot(v.Out, nodes, edges)
	}
}

// writeDot writes a Graphviz digraph.
func writeDot(w io.Writer, nodes []string, edges []GraphEdge) {
	var b strings.Builder
	b.WriteString("digraph trustform {\n")
	b.WriteString("  rankdir = \"RL\"\n")
	b.WriteString("  node [shape = \"box\"]\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %q\n", n)
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %q -> %q\n", e.From, e.To)
	}
	b.WriteString("}\n")
	io.WriteString(w, b.String())
}

// writeMermaid writes a flowchart. Node ids are n0, n1, ... in sorted
// order because Mermaid ids cannot hold every character an address can.
func writeMermaid(w io.Writer, nodes []string, edges []GraphEdge) {
	id := make(map[string]string, len(nodes))
	var b strings.Builder
	b.WriteString("flowchart RL\n")
	for i, n := range nodes {
		id[n] = fmt.Sprintf("n%d", i)
		// A for_each address holds quotes, which end a Mermaid label;
		// Mermaid's entity for them keeps the label whole.
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", id[n], strings.ReplaceAll(n, `"`, "#quot;"))
	}
	for _, e := range edges {
		from, to := id[e.From], id[e.To]
		if from == "" || to == "" {
			continue // a dependency on something that is not a resource
		}
		fmt.Fprintf(&b, "  %s --> %s\n", from, to)
	}
	io.WriteString(w, b.String())
}
