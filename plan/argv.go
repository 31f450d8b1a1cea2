package plan

import (
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// argv is the command line of a host process (SPEC 4). args (the
// resource's args plus certificate_trust_configuration arguments) always
// come last, so sensitive argument indexes shift by a constant.
func argv(r *lang.Resource, rt *runtimes.Runtime, args []string) []string {
	prog := r.Program
	if prog == "" {
		prog = rt.Program
	}
	var head []string
	switch r.Type {
	case "executable":
		head = []string{r.Command}
	case "npm_app":
		script := r.Script
		if script == "" {
			script = "start"
		}
		head = []string{prog, "run", script}
		if len(args) > 0 {
			head = append(head, "--")
		}
	case "python_module":
		head = []string{prog, "-m", r.Module}
	case "dotnet_project":
		head = []string{prog, "run", "--project", r.Project}
		if len(args) > 0 {
			head = append(head, "--")
		}
	case "java_app":
		head = append([]string{prog}, r.JVMArgs...)
		if r.Jar != "" {
			head = append(head, "-jar", r.Jar)
		} else {
			head = append(head, "-cp", r.Classpath, r.Main)
		}
	case "go_app":
		if r.Binary != "" {
			head = []string{r.Binary}
		} else {
			head = []string{prog, "run", r.Package}
		}
	case "deno_app":
		head = append(append([]string{prog, "run"}, r.Permissions...), r.Script)
	default: // node_app, python_app, ruby_app, bun_app: PROGRAM SCRIPT ARGS...
		head = []string{prog, r.Script}
	}
	return append(head, args...)
}
