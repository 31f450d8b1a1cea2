package command

import (
	"encoding/json"
	"fmt"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/internal/keys"
)

func newOutputCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show output values from state",
		help: `
Usage: trustform [-chdir=DIR] output [NAME] [flags]

  Print the outputs recorded by the last apply, or only NAME.

Flags:
  -json      Print as JSON.
  -raw       Print NAME's value as plain text (strings, numbers, bools).
  -no-color  Do not colour the output.
`,
	}
	c.run = func(args []string) int {
		a, err := arguments.ParseOutput(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runOutput(e, a)
	}
	return c
}

// runOutput prints outputs recorded by the last apply. Sensitive values
// are masked, except with -raw NAME: asking for one value by name, in the
// form meant for scripts, is how a script deliberately reads a secret (as
// with terraform output -raw).
func runOutput(e *runEnv, a *arguments.Output) int {
	e.view.Configure(a.NoColor)
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	outs := st.Outputs
	if a.Name != "" {
		o, ok := outs[a.Name]
		if !ok {
			e.view.Errorf("output %q not found", a.Name)
			if s := suggest(a.Name, keys.Sorted(outs)); s != "" {
				e.view.Hintf("Did you mean %q?", s)
			} else if len(outs) == 0 {
				e.view.Hintf("the state has no outputs: declare an output block and run apply")
			}
			return exitError
		}
		switch {
		case a.Raw:
			var s any
			if err := json.Unmarshal(o.Value, &s); err != nil {
				e.view.Errorf("output %q: %v", a.Name, err)
				return exitError
			}
			switch v := s.(type) {
			case string:
				fmt.Fprint(e.view.Out, v)
			case float64, bool:
				fmt.Fprint(e.view.Out, string(o.Value))
			default:
				e.view.Errorf("output %q is not a string, number or bool; -raw prints only those", a.Name)
				e.view.Hintf("use -json for lists and maps")
				return exitError
			}
			return exitOK
		case a.JSON:
			if o.Sensitive {
				return e.writeJSON(nil)
			}
			e.view.Out.Write(append(o.Value, '\n'))
			return exitOK
		}
		fmt.Fprintln(e.view.Out, views.OutputText(o))
		return exitOK
	}
	if a.JSON {
		type jsonOutput struct {
			Sensitive bool            `json:"sensitive"`
			Type      json.RawMessage `json:"type,omitempty"`
			Value     json.RawMessage `json:"value,omitempty"`
		}
		m := map[string]jsonOutput{}
		for name, o := range outs {
			jo := jsonOutput{Sensitive: o.Sensitive}
			if len(o.Type) > 0 {
				jo.Type = o.Type
			}
			if !o.Sensitive {
				jo.Value = o.Value
			}
			m[name] = jo
		}
		return e.writeJSON(m)
	}
	if len(outs) == 0 {
		e.view.Warnf("no outputs found")
		e.view.Hintf("the state has no outputs: declare an output block and run apply")
		return exitOK
	}
	views.WriteOutputs(e.view.Out, outs)
	return exitOK
}
