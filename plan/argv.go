package plan

import (
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// argv is the command line of a host process, built by the runtime's row
// (SPEC 4). args (the resource's args plus certificate_trust_configuration
// arguments) always come last, so sensitive argument indexes shift by a
// constant.
func argv(v runtimes.Values, rt *runtimes.Runtime, args []string) []string {
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

// setJvmArgs records a java_app's jvm_args with the user's trust store
// options taken out (java.go), for its argv.
func (p *planner) setJvmArgs(addr string, args []string) {
	if p.jvmArgs == nil {
		p.jvmArgs = map[string][]string{}
	}
	p.jvmArgs[addr] = args
}

// attrsOf returns the resource's arguments as its argv is built from them.
func (p *planner) attrsOf(r *lang.Resource) runtimes.Values {
	v := r.Attrs
	if ja, ok := p.jvmArgs[r.Address]; ok {
		lists := make(map[string][]string, len(v.Lists))
		for k, l := range v.Lists {
			lists[k] = l
		}
		lists["jvm_args"] = ja
		v.Lists = lists
	}
	return v
}
