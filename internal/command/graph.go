package command

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/trustform/trustform/lang"
)

func newGraphCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Print the dependency graph of the resources",
		help: `
Usage: trustform [-chdir=DIR] graph [flags]

  Print the resources and their dependencies (depends_on and references)
  as a Graphviz or Mermaid graph. An edge A -> B means A depends on B, so B
  starts first. Nodes and edges are sorted, so the output is stable.

Flags:
  -format=dot|mermaid  Output format (default dot).
  -no-color            Do not colour diagnostics.
` + varFlagsHelp,
	}
	c.run = func(args []string) int {
		a, err := arguments.ParseGraph(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runGraph(e, a)
	}
	return c
}

func runGraph(e *runEnv, a *arguments.Graph) int {
	e.view.Configure(a.NoColor)
	cfg, diags, src := e.loadConfig(a.Vars)
	if diags.HasErrors() || cfg == nil {
		e.writeDiagnostics(diags, src)
		return exitError
	}
	e.writeDiagnostics(diags, src) // warnings
	nodes, edges := graphOf(cfg)
	switch a.Format {
	case "mermaid":
		writeMermaid(e.view.Out, nodes, edges)
	default:
		writeDot(e.view.Out, nodes, edges)
	}
	return exitOK
}

// graphEdge is "From depends on To".
type graphEdge struct{ From, To string }

// graphOf returns the resource addresses and dependency edges of cfg,
// sorted, so the output never depends on map order.
func graphOf(cfg *lang.Config) ([]string, []graphEdge) {
	var nodes []string
	var edges []graphEdge
	for _, r := range cfg.Resources {
		nodes = append(nodes, r.Address)
		for _, d := range r.DependsOn {
			edges = append(edges, graphEdge{r.Address, d})
		}
	}
	sort.Strings(nodes)
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].From != edges[j].From {
			return edges[i].From < edges[j].From
		}
		return edges[i].To < edges[j].To
	})
	return nodes, edges
}

func writeDot(w io.Writer, nodes []string, edges []graphEdge) {
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
func writeMermaid(w io.Writer, nodes []string, edges []graphEdge) {
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
