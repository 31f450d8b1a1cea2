package command

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/posener/complete"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/state"
)

// writeTestState saves a state listing addresses in dir.
func writeTestState(t *testing.T, dir string, addresses ...string) {
	t.Helper()
	st := state.New("0c7e6f5a-1b2c-4d3e-8f90-a1b2c3d4e5f6", "test")
	for _, a := range addresses {
		st.Upsert(&state.Resource{Address: a})
	}
	if err := os.MkdirAll(layout.StateDir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(layout.StatePath(dir)); err != nil {
		t.Fatal(err)
	}
}

// predict runs p as posener/complete would; a nil predictor
// (complete.PredictNothing) offers nothing.
func predict(p complete.Predictor, line string) []string {
	if p == nil {
		return nil
	}
	got := p.Predict(complete.Args{Completed: []string{line}})
	sort.Strings(got)
	return got
}

// Addresses come from state, with a block address for blocks with count
// or for_each; no state completes nothing rather than failing.
func TestStateAddresses(t *testing.T) {
	dir := t.TempDir()
	if got := stateAddresses(dir); len(got) != 0 {
		t.Errorf("no state: got %q, want nothing", got)
	}
	writeTestState(t, dir, "python_app.api", "executable.worker[0]", "executable.worker[1]", `executable.regional["eu"]`)
	want := []string{
		`executable.regional`, `executable.regional["eu"]`,
		"executable.worker", "executable.worker[0]", "executable.worker[1]",
		"python_app.api",
	}
	if d := cmp.Diff(want, stateAddresses(dir)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	// A damaged state completes nothing.
	if err := os.WriteFile(layout.StatePath(dir), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := stateAddresses(dir); len(got) != 0 {
		t.Errorf("damaged state: got %q, want nothing", got)
	}
}

// -target and -replace complete addresses, the other flags come from the
// command's help, and -chdir on the line chooses whose state is read.
func TestCompletionPredictors(t *testing.T) {
	wd, other := t.TempDir(), t.TempDir()
	writeTestState(t, wd, "node_app.web")
	writeTestState(t, other, "executable.db")
	e := &runEnv{workspace: &workspace{dir: wd}}

	flags := flagPredictors(e, newPlanCommand(e).help)
	for _, name := range []string{"-out", "-json", "-markdown", "-detailed-exitcode", "-var", "-var-file", "-refresh", "-target", "-replace", "-destroy", "-input", "-no-color", "-lock-timeout"} {
		if _, ok := flags[name]; !ok {
			t.Errorf("plan: flag %s is not offered", name)
		}
	}
	if len(flags) != 13 {
		t.Errorf("plan offers %d flags, want 13: %v", len(flags), keysOf(flags))
	}
	for _, name := range []string{"-target", "-replace"} {
		if got := predict(flags[name], "plan"); !cmp.Equal(got, []string{"node_app.web"}) {
			t.Errorf("plan %s completes %q, want node_app.web", name, got)
		}
	}
	e.environ = []string{"COMP_LINE=trustform -chdir=" + other + " plan -replace "}
	got := flags["-replace"].Predict(complete.Args{Completed: []string{"-replace"}})
	if !cmp.Equal(got, []string{"executable.db"}) {
		t.Errorf("with -chdir, -replace completes %q, want executable.db from that directory", got)
	}
	rel, _ := filepath.Rel(wd, other)
	e.environ = []string{"COMP_LINE=trustform -chdir " + rel + " plan -replace "}
	got = flags["-replace"].Predict(complete.Args{Completed: []string{"-replace"}})
	if !cmp.Equal(got, []string{"executable.db"}) {
		t.Errorf("with -chdir DIR (relative), -replace completes %q, want executable.db", got)
	}
	e.environ = nil

	if _, ok := flagPredictors(e, newDestroyCommand(e).help)["-target"]; !ok {
		t.Error("destroy does not offer -target")
	}
	if got := predict(argPredictor(e, "logs"), "logs"); !cmp.Equal(got, []string{"node_app.web"}) {
		t.Errorf("logs completes %q, want node_app.web", got)
	}
	if got := predict(argPredictor(e, "version"), "version"); len(got) != 0 {
		t.Errorf("version completes %q, want nothing", got)
	}
}

func TestInstallsCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"-install-autocomplete"}, true},
		{[]string{"--uninstall-autocomplete"}, true},
		{[]string{"plan", "-install-autocomplete"}, false},
		{[]string{"install-autocomplete"}, false},
		{nil, false},
	} {
		if got := installsCompletion(tc.args); got != tc.want {
			t.Errorf("installsCompletion(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func keysOf(m complete.Flags) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
