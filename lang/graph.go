package lang

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// graph is the dependency graph of the blocks Load evaluates. Node names are
// addresses such as "local.x", "certificate_authority_collection.corp",
// "node_app.web" and "output.url". An edge from a to b means a needs b.
//
// It is kept inside lang (rather than internal/dag) so that evaluation order
// and cycle reporting, which need source ranges, have no cross-package
// coupling.
type graph struct {
	nodes []string
	index map[string]int
	// out[i] maps a target node index to where the dependency is declared;
	// nil for a node that needs nothing, as most resources do.
	out []map[int]hcl.Range
	// needed[i] is set when some node needs node i's value (depends_on
	// alone orders blocks without reading them).
	needed []bool
}

func newGraph() *graph { return &graph{index: map[string]int{}} }

func (g *graph) add(name string) int {
	if i, ok := g.index[name]; ok {
		return i
	}
	g.index[name] = len(g.nodes)
	g.nodes = append(g.nodes, name)
	g.out = append(g.out, nil)
	g.needed = append(g.needed, false)
	return len(g.nodes) - 1
}

// connect records that from needs to's value, keeping the first
// declaration site in source order.
func (g *graph) connect(from, to string, rng hcl.Range) {
	g.link(from, to, rng)
	g.needed[g.index[to]] = true
}

// connectOrder records that from must come after to, as depends_on asks,
// without needing its value.
func (g *graph) connectOrder(from, to string, rng hcl.Range) {
	g.link(from, to, rng)
}

func (g *graph) link(from, to string, rng hcl.Range) {
	f, t := g.add(from), g.add(to)
	if old, ok := g.out[f][t]; ok && !rangeBefore(rng, old) {
		return
	}
	if g.out[f] == nil {
		g.out[f] = map[int]hcl.Range{}
	}
	g.out[f][t] = rng
}

// isNeeded reports whether any node needs the named one.
func (g *graph) isNeeded(name string) bool {
	i, ok := g.index[name]
	return ok && g.needed[i]
}

func rangeBefore(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

// sortedTargets returns the targets of node i in name order, so every walk
// is deterministic.
func (g *graph) sortedTargets(i int) []int {
	ts := make([]int, 0, len(g.out[i]))
	for t := range g.out[i] {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(a, b int) bool { return g.nodes[ts[a]] < g.nodes[ts[b]] })
	return ts
}

// scc returns the strongly connected components in Tarjan's order: every
// component comes after all components it depends on, which is evaluation
// order. The walk is iterative so that long chains cannot exhaust the stack.
func (g *graph) scc() [][]int {
	n := len(g.nodes)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	targets := make([][]int, n)
	for i := range n {
		targets[i] = g.sortedTargets(i)
	}
	var stack []int
	var out [][]int
	next := 0
	type frame struct{ v, ti int }

	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return g.nodes[order[a]] < g.nodes[order[b]] })

	for _, root := range order {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.ti < len(targets[f.v]) {
				w := targets[f.v][f.ti]
				f.ti++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] && index[w] < low[f.v] {
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] == index[v] {
				var comp []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				sort.Slice(comp, func(a, b int) bool { return g.nodes[comp[a]] < g.nodes[comp[b]] })
				out = append(out, comp)
			}
		}
	}
	return out
}

// cycleEdge is one edge inside a dependency cycle.
type cycleEdge struct {
	From, To string
	Range    hcl.Range
}

// cycles returns, per cyclic component, every edge between its members,
// ordered by source node then target node.
func (g *graph) cycles(comps [][]int) [][]cycleEdge {
	var out [][]cycleEdge
	for _, comp := range comps {
		if len(comp) == 1 {
			v := comp[0]
			if rng, ok := g.out[v][v]; ok {
				out = append(out, []cycleEdge{{g.nodes[v], g.nodes[v], rng}})
			}
			continue
		}
		member := map[int]bool{}
		for _, v := range comp {
			member[v] = true
		}
		var edges []cycleEdge
		for _, v := range comp {
			for _, t := range g.sortedTargets(v) {
				if member[t] {
					edges = append(edges, cycleEdge{g.nodes[v], g.nodes[t], g.out[v][t]})
				}
			}
		}
		out = append(out, edges)
	}
	return out
}
