package dag

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"
)

// Graph is a directed graph of named nodes. The zero value is empty and
// ready to use. A Graph is not safe for concurrent modification; Walk only
// reads it, so it must not be changed while a Walk runs.
type Graph struct {
	nodes map[string]struct{}
	// deps[a] holds b for every edge a -> b (a depends on b); rdeps is the
	// same edges seen from b.
	deps  map[string]map[string]struct{}
	rdeps map[string]map[string]struct{}
}

// Edge is one dependency: From depends on To.
type Edge struct {
	From, To string
}

func (g *Graph) init() {
	if g.nodes == nil {
		g.nodes = map[string]struct{}{}
		g.deps = map[string]map[string]struct{}{}
		g.rdeps = map[string]map[string]struct{}{}
	}
}

// AddNode adds a node; adding an existing node does nothing.
func (g *Graph) AddNode(n string) {
	g.init()
	g.nodes[n] = struct{}{}
}

// AddEdge records that from depends on to, adding both nodes if needed.
// Adding the same edge twice records it once; from == to is a self loop,
// which Cycles reports.
func (g *Graph) AddEdge(from, to string) {
	g.AddNode(from)
	g.AddNode(to)
	if g.deps[from] == nil {
		g.deps[from] = map[string]struct{}{}
	}
	g.deps[from][to] = struct{}{}
	if g.rdeps[to] == nil {
		g.rdeps[to] = map[string]struct{}{}
	}
	g.rdeps[to][from] = struct{}{}
}

// Has reports whether n is a node of the graph.
func (g *Graph) Has(n string) bool {
	_, ok := g.nodes[n]
	return ok
}

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.nodes) }

// Nodes returns every node, sorted.
func (g *Graph) Nodes() []string {
	out := make([]string, 0, len(g.nodes))
	for n := range g.nodes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Edges returns every edge, sorted by From then To.
func (g *Graph) Edges() []Edge {
	var out []Edge
	for _, from := range g.Nodes() {
		for _, to := range sortedKeys(g.deps[from]) {
			out = append(out, Edge{from, to})
		}
	}
	return out
}

// EdgesAmong returns the edges whose both ends are in nodes, sorted; given a
// cycle from Cycles it lists every edge of that cycle, so an error can point
// at each one's source.
func (g *Graph) EdgesAmong(nodes []string) []Edge {
	in := make(map[string]struct{}, len(nodes))
	for _, n := range nodes {
		in[n] = struct{}{}
	}
	var out []Edge
	for _, from := range sortedKeys(in) {
		for _, to := range sortedKeys(g.deps[from]) {
			if _, ok := in[to]; ok {
				out = append(out, Edge{from, to})
			}
		}
	}
	return out
}

// Dependencies returns the nodes n depends on directly, sorted.
func (g *Graph) Dependencies(n string) []string { return sortedKeys(g.deps[n]) }

// Dependents returns the nodes that depend on n directly, sorted.
func (g *Graph) Dependents(n string) []string { return sortedKeys(g.rdeps[n]) }

// Reverse returns a new graph with every edge turned around, so a node's
// dependents become its dependencies (the order destroy needs).
func (g *Graph) Reverse() *Graph {
	r := &Graph{}
	for n := range g.nodes {
		r.AddNode(n)
	}
	for from, tos := range g.deps {
		for to := range tos {
			r.AddEdge(to, from)
		}
	}
	return r
}

// Cycles returns the strongly connected components that make cycles: those
// of two or more nodes, and single nodes with a self loop. Each cycle's nodes
// are sorted, and the cycles are sorted by their first node. It returns nil
// for an acyclic graph.
func (g *Graph) Cycles() [][]string {
	// Tarjan's algorithm, iterating nodes and edges in sorted order so the
	// result never depends on map order. Recursive: graphs here are
	// resource counts deep at most.
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0

	var visit func(v string)
	visit = func(v string) {
		index[v] = next
		low[v] = next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range sortedKeys(g.deps[v]) {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		_, selfLoop := g.deps[v][v]
		if len(scc) > 1 || selfLoop {
			sort.Strings(scc)
			out = append(out, scc)
		}
	}
	for _, n := range g.Nodes() {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// CycleError reports that a graph has cycles, so no order exists.
type CycleError struct {
	// Cycles is as returned by Graph.Cycles.
	Cycles [][]string
}

func (e *CycleError) Error() string {
	parts := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		parts[i] = strings.Join(c, ", ")
	}
	if len(parts) == 1 {
		return "dependency cycle between " + parts[0]
	}
	return fmt.Sprintf("%d dependency cycles: between %s", len(parts), strings.Join(parts, "; between "))
}

// TopoOrder returns every node after all of its dependencies; among nodes
// whose dependencies are all placed, the smallest name comes first, so the
// order is the same on every run. A cyclic graph returns a *CycleError.
func (g *Graph) TopoOrder() ([]string, error) {
	if cycles := g.Cycles(); cycles != nil {
		return nil, &CycleError{Cycles: cycles}
	}
	pending := make(map[string]int, len(g.nodes))
	ready := &nameHeap{}
	for n := range g.nodes {
		pending[n] = len(g.deps[n])
		if pending[n] == 0 {
			heap.Push(ready, n)
		}
	}
	order := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(string)
		order = append(order, n)
		for d := range g.rdeps[n] {
			pending[d]--
			if pending[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	return order, nil
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// nameHeap is a min-heap of node names, for ties broken by name.
type nameHeap []string

func (h nameHeap) Len() int           { return len(h) }
func (h nameHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nameHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nameHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *nameHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
