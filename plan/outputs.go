package plan

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/state"
)

// outputs plans every output: configured ones against state, and outputs
// that are only in state (or all of them when destroying) as deletions.
func (p *planner) outputs(st *state.State) ([]*OutputChange, hcl.Diagnostics) {
	if p.in.Destroy && len(p.in.Targets) > 0 {
		// A targeted destroy reads no configuration, so it cannot tell
		// which outputs name what it destroys: it leaves them all as they
		// are (an empty list tells apply so), and the next apply
		// recomputes them.
		return nil, nil
	}
	var out []*OutputChange
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	if !p.in.Destroy {
		for _, o := range p.cfg.Outputs {
			seen[o.Name] = true
			oc := &OutputChange{Name: o.Name, Sensitive: o.Sensitive}
			val, marks := o.Value.UnmarkDeep()
			if len(marks) > 0 {
				oc.Sensitive = true
			}
			if !val.IsWhollyKnown() && o.Template != nil {
				// Resources that keep running have their pid in
				// state already: the value is known now.
				if v, ok := p.resolveNow(o.Template, val.Type(), st); ok {
					val = v
				} else {
					oc.Template = o.Template
				}
			}
			if !val.IsWhollyKnown() {
				oc.Unknown = true
			} else {
				js, err := ctyjson.Marshal(val, val.Type())
				if err != nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid output value",
						Detail:   fmt.Sprintf("Output %q cannot be encoded as JSON: %v.", o.Name, err),
						Subject:  rangePtr(o.DeclRange),
					})
					continue
				}
				// A trust path (executable.x.trust_bundle_path) names its
				// set's directory, not lang's placeholder.
				oc.After = []byte(p.reloc.rewrite(string(js)))
			}
			if ty, err := ctyjson.MarshalType(val.Type()); err == nil {
				oc.Type = ty
			}
			prev := st.Outputs[o.Name]
			switch {
			case prev == nil:
				oc.Action = Create
			case !oc.Unknown && bytes.Equal(prev.Value, oc.After) && prev.Sensitive == oc.Sensitive:
				oc.Action = NoOp
				oc.Before = prev.Value
			default:
				oc.Action = Update
				oc.Before = prev.Value
			}
			out = append(out, oc)
		}
	}
	for _, name := range keys.Sorted(st.Outputs) {
		if seen[name] {
			continue
		}
		prev := st.Outputs[name]
		out = append(out, &OutputChange{Name: name, Action: Delete, Before: prev.Value, Type: prev.Type, Sensitive: prev.Sensitive})
	}
	sortOutputs(out)
	return out, diags
}

func sortOutputs(out []*OutputChange) {
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}

// resolveNow computes an output template at plan time when every resource
// it refers to is in state and stays as it is (no-op or in-place update),
// so a plan with no changes shows the output's real value.
func (p *planner) resolveNow(t *deferred.Template, ty cty.Type, st *state.State) (cty.Value, bool) {
	changing := map[string]bool{}
	for _, ch := range p.plan.Changes {
		if ch.Action != NoOp && ch.Action != Update {
			changing[ch.Address] = true
		}
	}
	for _, d := range p.plan.Drift {
		changing[d.Address] = true
	}
	for _, ref := range t.Refs() {
		if changing[ref.Address] {
			return cty.NilVal, false
		}
	}
	v, err := deferred.Resolve(t, ty, deferred.StateLookup(st.Lookup))
	if err != nil {
		return cty.NilVal, false
	}
	return v, true
}
