package dag

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func build(edges ...string) *Graph {
	g := &Graph{}
	for _, e := range edges {
		from, to, ok := strings.Cut(e, "->")
		if !ok {
			g.AddNode(e)
			continue
		}
		g.AddEdge(from, to)
	}
	return g
}

func TestDependenciesAndDependents(t *testing.T) {
	g := build("web->api", "web->db", "api->db", "worker->db", "lonely")
	if got, want := g.Dependencies("web"), []string{"api", "db"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependencies(web) = %v, want %v", got, want)
	}
	if got, want := g.Dependents("db"), []string{"api", "web", "worker"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependents(db) = %v, want %v", got, want)
	}
	if got := g.Dependencies("lonely"); len(got) != 0 {
		t.Errorf("Dependencies(lonely) = %v, want none", got)
	}
	if got, want := g.Nodes(), []string{"api", "db", "lonely", "web", "worker"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Nodes() = %v, want %v", got, want)
	}
	wantEdges := []Edge{{"api", "db"}, {"web", "api"}, {"web", "db"}, {"worker", "db"}}
	if got := g.Edges(); !reflect.DeepEqual(got, wantEdges) {
		t.Errorf("Edges() = %v, want %v", got, wantEdges)
	}
	if !g.Has("lonely") || g.Has("nope") || g.Len() != 5 {
		t.Errorf("Has/Len wrong: Has(lonely)=%v Has(nope)=%v Len=%d", g.Has("lonely"), g.Has("nope"), g.Len())
	}
}

func TestDuplicateEdgeCountsOnce(t *testing.T) {
	g := build("a->b", "a->b")
	order, err := g.TopoOrder()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b", "a"}; !reflect.DeepEqual(order, want) {
		t.Errorf("TopoOrder = %v, want %v", order, want)
	}
}

func TestReverse(t *testing.T) {
	g := build("web->api", "api->db", "solo")
	r := g.Reverse()
	if got, want := r.Dependencies("db"), []string{"api"}; !reflect.DeepEqual(got, want) {
		t.Errorf("reversed Dependencies(db) = %v, want %v", got, want)
	}
	if !r.Has("solo") {
		t.Error("Reverse dropped an isolated node")
	}
	order, err := r.TopoOrder()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"solo", "web", "api", "db"}; !reflect.DeepEqual(order, want) {
		t.Errorf("reversed TopoOrder = %v, want %v", order, want)
	}
	// The original is untouched.
	if got := g.Dependencies("db"); len(got) != 0 {
		t.Errorf("Reverse changed the original: Dependencies(db) = %v", got)
	}
}

func TestTopoOrderTiesByName(t *testing.T) {
	g := build("c", "b", "a", "z->a", "y->a", "x->z", "x->y")
	order, err := g.TopoOrder()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "y", "z", "x"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("TopoOrder = %v, want %v", order, want)
	}
}

func TestTopoOrderRespectsEveryEdge(t *testing.T) {
	// A random DAG (edges only from higher to lower index) in random
	// insertion order: every node must come after its dependencies, and
	// the result must not depend on insertion order.
	r := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 60)
	for i := range names {
		names[i] = string(rune('A'+i%26)) + strings.Repeat("x", i/26)
	}
	var edges []Edge
	for i := range names {
		for j := 0; j < i; j++ {
			if r.IntN(6) == 0 {
				edges = append(edges, Edge{names[i], names[j]})
			}
		}
	}
	var first []string
	for trial := range 5 {
		g := &Graph{}
		r.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		for _, n := range names {
			g.AddNode(n)
		}
		for _, e := range edges {
			g.AddEdge(e.From, e.To)
		}
		order, err := g.TopoOrder()
		if err != nil {
			t.Fatal(err)
		}
		pos := map[string]int{}
		for i, n := range order {
			pos[n] = i
		}
		if len(order) != len(names) {
			t.Fatalf("order has %d nodes, want %d", len(order), len(names))
		}
		for _, e := range edges {
			if pos[e.From] < pos[e.To] {
				t.Errorf("%s placed before its dependency %s", e.From, e.To)
			}
		}
		if trial == 0 {
			first = order
		} else if !reflect.DeepEqual(order, first) {
			t.Fatalf("order depends on insertion order:\n%v\n%v", first, order)
		}
	}
}

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		edges []string
		want  [][]string
	}{
		{"acyclic", []string{"a->b", "b->c", "a->c"}, nil},
		{"two", []string{"a->b", "b->a", "c->a"}, [][]string{{"a", "b"}}},
		{"self loop", []string{"a->a", "b->a"}, [][]string{{"a"}}},
		{"three and separate two", []string{"z->y", "y->x", "x->z", "m->n", "n->m", "x->m"},
			[][]string{{"m", "n"}, {"x", "y", "z"}}},
		{"figure eight is one component", []string{"a->b", "b->a", "b->c", "c->b"}, [][]string{{"a", "b", "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(tt.edges...)
			if got := g.Cycles(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Cycles() = %v, want %v", got, tt.want)
			}
			_, err := g.TopoOrder()
			var ce *CycleError
			if tt.want == nil {
				if err != nil {
					t.Errorf("TopoOrder error on acyclic graph: %v", err)
				}
			} else if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Cycles, tt.want) {
				t.Errorf("TopoOrder error = %v, want CycleError with %v", err, tt.want)
			}
		})
	}
}

func TestCycleErrorMessageAndEdges(t *testing.T) {
	g := build("node_app.web->python_app.api", "python_app.api->node_app.web", "python_app.api->db")
	_, err := g.TopoOrder()
	if err == nil || !strings.Contains(err.Error(), "node_app.web, python_app.api") {
		t.Fatalf("error %v does not name the cycle", err)
	}
	cycle := g.Cycles()[0]
	want := []Edge{{"node_app.web", "python_app.api"}, {"python_app.api", "node_app.web"}}
	if got := g.EdgesAmong(cycle); !reflect.DeepEqual(got, want) {
		t.Errorf("EdgesAmong = %v, want %v", got, want)
	}
}
