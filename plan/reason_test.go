package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// TestHumanReasonsGolden: the "# (because ...)" lines of a plan where one
// resource left the configuration, one exited outside of trustform and
// one did both, in Terraform's words.
func TestHumanReasonsGolden(t *testing.T) {
	fh := newFakeHost(t)
	kept := res("executable", "worker", withCollections("corp"))
	gone := res("executable", "legacy_probe", withCollections("corp"))
	crashed := res("executable", "batch", withCollections("corp"))
	st := stateFrom(t, mustBuild(t, input(testConfig(t, kept, gone, crashed), fh.host(nil))), 3)

	in := withState(input(testConfig(t, res("executable", "worker", withCollections("corp"))), fh.host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{
		"executable.worker":       runtimes.StatusExited,
		"executable.legacy_probe": runtimes.StatusRunning,
		"executable.batch":        runtimes.StatusMissing,
	}
	p := mustBuild(t, in)
	var buf bytes.Buffer
	if err := RenderHuman(&buf, p, false); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "reasons.golden", buf.Bytes())
	for _, want := range []string{
		"  # executable.legacy_probe will be destroyed\n  # (because executable.legacy_probe is not in configuration)\n  - resource",
		"  # executable.batch will be destroyed\n  # (because executable.batch is not in configuration)\n  - resource",
		"  # executable.worker will be created\n  # (because it is no longer running)\n  + resource",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q", want)
		}
	}

	// A -destroy plan destroys everything on request: no reason is given,
	// as in Terraform.
	in.Destroy = true
	p = mustBuild(t, in)
	buf.Reset()
	RenderHuman(&buf, p, false)
	if strings.Contains(buf.String(), "(because") {
		t.Errorf("-destroy plan gives a reason:\n%s", buf.String())
	}
	for _, ch := range p.Changes {
		if ch.ActionReason != "" {
			t.Errorf("%s: action_reason %q in a -destroy plan", ch.Address, ch.ActionReason)
		}
	}
}

// TestDeleteReasons covers instances of count and for_each resources,
// with Terraform's wording for each.
func TestDeleteReasons(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t,
		res("executable", "single"),
		res("executable", "counted", func(r *lang.Resource) { r.Address = "executable.counted[0]" }),
		res("executable", "each", func(r *lang.Resource) { r.Address = `executable.each["a"]` }),
	)
	st := &state.State{Lineage: "l", Serial: 1}
	for _, addr := range []string{
		"executable.gone", "executable.gone[2]",
		"executable.counted[0]", "executable.counted[3]", `executable.counted["x"]`, "executable.counted",
		`executable.each["a"]`, `executable.each["b"]`, "executable.each[0]",
		"executable.single[0]", `executable.single["k"]`,
	} {
		a, err := addrs.Parse(addr)
		if err != nil {
			t.Fatal(err)
		}
		st.Resources = append(st.Resources, &state.Resource{Address: addr, Type: "executable", Name: a.Name,
			Handle: runtimes.Handle{PID: 1},
			Spec:   &state.Spec{Kind: "process", Argv: []string{"/bin/true"}, WorkingDir: testDir, Scope: "append"}})
	}
	in := withState(input(cfg, fh.host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{}
	for _, r := range st.Resources {
		in.Refreshed[r.Address] = runtimes.StatusRunning
	}
	p := mustBuild(t, in)
	want := map[string]string{
		"executable.gone":         "(because executable.gone is not in configuration)",
		"executable.gone[2]":      "(because executable.gone is not in configuration)",
		"executable.counted[3]":   "(because index [3] is out of range for count)",
		`executable.counted["x"]`: "(because resource does not use for_each)",
		"executable.counted":      "(because resource uses count or for_each)",
		`executable.each["b"]`:    `(because key ["b"] is not in for_each map)`,
		"executable.each[0]":      "(because resource does not use count)",
		"executable.single[0]":    "(because resource does not use count)",
		`executable.single["k"]`:  "(because resource does not use for_each)",
	}
	var buf bytes.Buffer
	RenderHuman(&buf, p, false)
	for addr, line := range want {
		ch := change(t, p, addr)
		if ch.Action != Delete {
			t.Errorf("%s: %s, want delete", addr, ch.Action)
			continue
		}
		if got := reasonLine(ch); got != line {
			t.Errorf("%s: %q, want %q", addr, got, line)
		}
		if !strings.Contains(buf.String(), "  # "+addr+" will be destroyed\n  # "+line+"\n") {
			t.Errorf("%s: human plan lacks its reason", addr)
		}
	}
	for _, addr := range []string{"executable.counted[0]", `executable.each["a"]`, "executable.single"} {
		if ch := change(t, p, addr); ch.Action == Delete || reasonLine(ch) != "" {
			t.Errorf("%s: %s with reason %q", addr, ch.Action, reasonLine(ch))
		}
	}
}

// TestDeleteReasonCountZero loads a real configuration whose block has
// count = 0: its instances in state are out of range for count, not
// missing from the configuration (lang records the block though it has
// no instance).
func TestDeleteReasonCountZero(t *testing.T) {
	dir := t.TempDir()
	src := "resource \"executable\" \"worker\" {\n  count   = 0\n  command = \"true\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.trust.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.Load(dir, lang.Options{Now: testNow, GOOS: "linux", DevcertDir: "/home/dev/.local/share/trustform/devcert"})
	if diags.HasErrors() {
		t.Fatalf("lang.Load: %s", diags.Error())
	}
	st := &state.State{Lineage: "l", Serial: 1, Resources: []*state.Resource{{
		Address: "executable.worker[0]", Type: "executable", Name: "worker", Handle: runtimes.Handle{PID: 1},
		Spec: &state.Spec{Kind: "process", Argv: []string{"true"}, WorkingDir: dir, Scope: "append"},
	}}}
	in := withState(input(cfg, newFakeHost(t).host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{"executable.worker[0]": runtimes.StatusRunning}
	ch := change(t, mustBuild(t, in), "executable.worker[0]")
	if ch.Action != Delete || reasonLine(ch) != "(because index [0] is out of range for count)" {
		t.Errorf("%s %q", ch.Action, reasonLine(ch))
	}
}
