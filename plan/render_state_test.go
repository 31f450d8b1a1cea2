package plan

import (
	"bytes"
	"testing"
	"time"

	"github.com/trustform/trustform/state"
)

// TestStateGolden pins `trustform show` of an applied configuration: the
// attribute layout of a plan without change symbols, paths relative to the
// configuration directory, outputs last.
func TestStateGolden(t *testing.T) {
	p := mustBuild(t, input(baseConfig(t), newFakeHost(t).host(nil)))
	st := stateFrom(t, p, 4)
	st.Resources[0].Since = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st.Outputs = map[string]*state.Output{}
	for _, o := range p.Outputs {
		st.Outputs[o.Name] = &state.Output{Value: o.After, Type: o.Type}
	}
	var text, js bytes.Buffer
	if err := RenderState(&text, st, testDir, false); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "state.golden", text.Bytes())
	if err := RenderStateJSON(&js, st, testDir); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "state.json.golden", js.Bytes())

	var empty bytes.Buffer
	if err := RenderState(&empty, &state.State{}, testDir, false); err != nil {
		t.Fatal(err)
	}
	if want := "The state is empty. Nothing has been applied, or everything has been destroyed.\n"; empty.String() != want {
		t.Errorf("empty state shows %q, want %q", empty.String(), want)
	}
}
