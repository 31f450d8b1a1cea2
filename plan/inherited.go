package plan

import (
	"slices"
	"strings"
)

// Where an inherited trust variable came from.
const (
	// FromEnv is the resource's own env argument.
	FromEnv = "env"
	// FromEnvironment is trustform's own environment, which launched
	// processes inherit.
	FromEnvironment = "environment"
	// FromJvmArgs (java.go) is a java_app's jvm_args.
)

// What trustform did with an inherited trust variable.
const (
	// ActionMerged: the file's certificates and ours went into
	// merged-VAR.pem, which the variable now names (append, system).
	ActionMerged = "merged"
	// ActionReplaced: the variable now names our material only (override).
	ActionReplaced = "replaced"
	// ActionCleared: set to the empty string, because the client would add
	// the file to the store the scope gives it (override).
	ActionCleared = "cleared"
	// ActionKeptAfterOurs: a directory list, ours first, then the
	// inherited one (append, system).
	ActionKeptAfterOurs = "kept after ours"
	// ActionKept: left as it was; it only adds trust the scope allows, or
	// trustform's value was appended to it (NODE_OPTIONS).
	ActionKept = "kept"
)

// InheritedVar is a trust variable of the documented list
// (runtimes.TrustVars) that a resource would have had without trustform,
// and what trustform did with it. Plans show one per variable, so a
// reviewer sees that nothing inherited silently widens or narrows a scope.
type InheritedVar struct {
	Name string `json:"name"`
	// From is FromEnv or FromEnvironment.
	From  string `json:"from"`
	Value string `json:"value"`
	// Action is one of the Action constants.
	Action string `json:"action"`
	// Result is the value the process gets.
	Result string `json:"result"`
	// Into, when set, is the variable that now carries Value's
	// certificates instead of Name (curl reads CURL_CA_BUNDLE before
	// SSL_CERT_FILE).
	Into string `json:"into,omitempty"`
	// In is the option variable (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS,
	// _JAVA_OPTIONS) that held a Java trust store property; empty for a
	// variable, or for a property in jvm_args (From FromJvmArgs).
	In string `json:"in,omitempty"`
	// Format and Certificates describe a Java trust store that was read
	// and merged: JKS, JCEKS or PKCS12, and how many trusted
	// certificates it gave.
	Format       string `json:"format,omitempty"`
	Certificates int    `json:"certificates,omitempty"`
}

// setInherited records the decisions of one resource for its Change.
func (p *planner) setInherited(addr string, vars []InheritedVar) {
	if len(vars) == 0 {
		return
	}
	vars = sortedByName(vars)
	if p.inheritedVars == nil {
		p.inheritedVars = map[string][]InheritedVar{}
	}
	p.inheritedVars[addr] = vars
}

// sortedByName returns vars stably sorted by name. The entries are large,
// so their order is found on indexes and they are moved once, into a list
// of exactly their number (a plan keeps one per resource).
func sortedByName(vars []InheritedVar) []InheritedVar {
	byName := func(a, b InheritedVar) int { return strings.Compare(a.Name, b.Name) }
	if slices.IsSortedFunc(vars, byName) {
		return vars
	}
	idx := make([]int, len(vars))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(vars[a].Name, vars[b].Name) })
	out := make([]InheritedVar, len(vars))
	for i, j := range idx {
		out[i] = vars[j]
	}
	return out
}
