package views

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/state"
)

// WriteOutputs prints NAME = VALUE lines, names aligned, sensitive values
// masked: the body of apply's "Outputs:" section and of `trustform output`.
func WriteOutputs(w io.Writer, outs map[string]*state.Output) {
	width := 0
	for name := range outs {
		width = max(width, len(name))
	}
	for _, name := range keys.Sorted(outs) {
		fmt.Fprintf(w, "%-*s = %s\n", width, name, OutputText(outs[name]))
	}
}

// OutputText shows an output value as HCL would: strings quoted, lists
// and maps as JSON (which is valid HCL), sensitive values masked.
func OutputText(o *state.Output) string {
	if o.Sensitive {
		return "(sensitive value)"
	}
	var v any
	if err := json.Unmarshal(o.Value, &v); err != nil {
		return string(o.Value)
	}
	if _, scalar := v.(map[string]any); !scalar {
		if _, list := v.([]any); !list {
			return string(o.Value)
		}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(o.Value)
	}
	return string(out)
}

// jsonOutputs is the "outputs" object of apply -json and output -json:
// sensitive values left out.
func jsonOutputs(outs map[string]*state.Output) map[string]any {
	m := map[string]any{}
	for name, o := range outs {
		v := map[string]any{"sensitive": o.Sensitive}
		if len(o.Type) > 0 {
			v["type"] = json.RawMessage(o.Type)
		}
		if !o.Sensitive && len(o.Value) > 0 {
			v["value"] = json.RawMessage(o.Value)
		}
		m[name] = v
	}
	return m
}
