package command

import (
	"sort"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

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
  -format=FORMAT     dot or mermaid (default dot).
  -no-color          Do not colour diagnostics.
` + varFlagsHelp,
	}
	c.run = parsed(e, c, arguments.ParseGraph, runGraph)
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
	views.Graph(e.view, a.Format, nodes, edges)
	return exitOK
}

// graphOf returns the resource addresses and dependency edges of cfg,
// sorted, so the output never depends on map order.
func graphOf(cfg *lang.Config) ([]string, []views.GraphEdge) {
	var nodes []string
	var edges []views.GraphEdge
	for _, r := range cfg.Resources {
		nodes = append(nodes, r.Address)
		for _, d := range r.DependsOn {
			edges = append(edges, views.GraphEdge{From: r.Address, To: d})
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
