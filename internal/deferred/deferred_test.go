package deferred

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func TestResolveFromStateAfterJSONRoundTrip(t *testing.T) {
	lit := func(v cty.Value) *Template {
		t.Helper()
		l, err := Literal(v)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	ref := func(addr, attr string) *Template {
		return &Template{Kind: KindRef, Ref: &Ref{Address: addr, Attr: attr}}
	}
	tmpl := &Template{Kind: KindObject, Attrs: map[string]*Template{
		"pids": {Kind: KindTuple, Elems: []*Template{ref("executable.w[0]", AttrPID), ref("executable.w[1]", AttrPID)}},
		"db":   {Kind: KindString, Parts: []*Template{lit(cty.StringVal("id=")), ref("container.db", AttrContainerID)}},
		"at":   ref("executable.w[0]", AttrSince),
		"n":    lit(cty.NumberIntVal(3)),
	}}
	// The plan file stores the template as JSON.
	js, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var back Template
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 12, 4, 23, 0, 0, 0, time.FixedZone("x", 3600))
	st := &state.State{Resources: []*state.Resource{
		{Address: "container.db", Handle: runtimes.Handle{ContainerID: "c0ffee"}},
		{Address: "executable.w[0]", Handle: runtimes.Handle{PID: 41}, Since: since},
		{Address: "executable.w[1]", Handle: runtimes.Handle{PID: 42}},
	}}
	ty := cty.Object(map[string]cty.Type{"pids": cty.List(cty.Number), "db": cty.String, "at": cty.String, "n": cty.Number})
	v, err := Resolve(&back, ty, StateLookup(st.Lookup))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ctyjson.Marshal(v, ty)
	if want := `{"at":"2026-12-04T22:00:00Z","db":"id=c0ffee","n":3,"pids":[41,42]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if refs := back.Refs(); len(refs) != 4 || refs[0].Address != "container.db" {
		t.Errorf("refs = %v", refs)
	}

	// An instance that never started (no pid) leaves the output unset.
	st.Resources[2].Handle = runtimes.Handle{}
	if _, err := Resolve(&back, ty, StateLookup(st.Lookup)); err == nil {
		t.Error("resolved with executable.w[1] not started")
	}
	// So does one that is not in state at all.
	if _, err := Resolve(ref("executable.gone", AttrPID), cty.Number, StateLookup(st.Lookup)); err == nil {
		t.Error("resolved a resource not in state")
	}
	// And a value that does not fit the planned type is refused.
	if _, err := Resolve(ref("container.db", AttrContainerID), cty.Bool, StateLookup(st.Lookup)); err == nil {
		t.Error("a container id converted to bool")
	}
}
