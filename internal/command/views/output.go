package views

import (
	"encoding/json"
	"fmt"

	"github.com/trustform/trustform/state"
)

// Output shows `trustform output`: one output or all of them, as HCL
// would write them, as JSON (-json), or one raw value for scripts (-raw).
type Output interface {
	// One shows the output name; it reports a value -raw cannot print
	// itself and says so with false.
	One(name string, o *state.Output) bool
	// All shows every output.
	All(outs map[string]*state.Output) bool
}

// NewOutput returns the output view the flags ask for.
func NewOutput(json, raw bool, v *View) Output {
	switch {
	case json:
		return outputJSON{v}
	case raw:
		return outputRaw{outputHuman{v}}
	}
	return outputHuman{v}
}

type outputHuman struct{ *View }

func (v outputHuman) One(_ string, o *state.Output) bool {
	fmt.Fprintln(v.Out, OutputText(o))
	return true
}

func (v outputHuman) All(outs map[string]*state.Output) bool {
	if len(outs) == 0 {
		v.Warnf("no outputs found")
		v.Hintf("the state has no outputs: declare an output block and run apply")
		return true
	}
	WriteOutputs(v.Out, outs)
	return true
}

// outputRaw prints a string without quotes, a number or bool as it is,
// and no newline, so that $(trustform output -raw NAME) is the value.
type outputRaw struct{ outputHuman }

func (v outputRaw) One(name string, o *state.Output) bool {
	var s any
	if err := json.Unmarshal(o.Value, &s); err != nil {
		v.Errorf("output %q: %v", name, err)
		return false
	}
	switch x := s.(type) {
	case string:
		fmt.Fprint(v.Out, x)
	case float64, bool:
		fmt.Fprint(v.Out, string(o.Value))
	default:
		v.Errorf("output %q is not a string, number or bool; -raw prints only those", name)
		v.Hintf("use -json for lists and maps")
		return false
	}
	return true
}

type outputJSON struct{ *View }

// One prints the value alone; a sensitive one is null.
func (v outputJSON) One(_ string, o *state.Output) bool {
	if o.Sensitive {
		return v.JSON(nil)
	}
	v.Out.Write(append(o.Value, '\n'))
	return true
}

func (v outputJSON) All(outs map[string]*state.Output) bool { return v.JSON(jsonOutputs(outs)) }
