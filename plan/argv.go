package plan

import (
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// argv is the command line of a host process, built by the runtime's row
// (SPEC 4). args (the resource's args plus certificate_trust_configuration
// arguments) always come last, so sensitive argument indexes shift by a
// constant.
func argv(r *lang.Resource, rt *runtimes.Runtime, args []string) []string {
	v := r.Attrs
	if rt.ProgramAttr != "" && v.Str(rt.ProgramAttr) == "" {
		// A resource built without lang (tests, saved configurations)
		// still gets the default program.
		v.Strings = cloneWith(v.Strings, rt.ProgramAttr, rt.Program)
	}
	return rt.Argv(v, args)
}

func cloneWith(m map[string]string, k, val string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = val
	return out
}
