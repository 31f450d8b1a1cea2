package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/state"
)

func TestMarkdownGolden(t *testing.T) {
	for _, sc := range goldenScenarios() {
		if sc.name != "replace" && sc.name != "delete" {
			continue
		}
		p := mustBuild(t, sc.in(t))
		var buf bytes.Buffer
		if err := RenderMarkdown(&buf, p); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, sc.name+".md.golden", buf.Bytes())
	}
}

func TestDiffLine(t *testing.T) {
	for in, want := range map[string]string{
		`  + resource "a" "b" {`:                    `+   resource "a" "b" {`,
		`-/+ resource "a" "b" {`:                    `!   resource "a" "b" {`,
		`      ~ pid = 1 -> 2`:                      `!       pid = 1 -> 2`,
		`          - "x",`:                          `-           "x",`,
		`        ] -> null`:                         `        ] -> null`,
		`            "context",`:                    `            "context",`,
		`        # (2 unchanged attributes hidden)`: `        # (2 unchanged attributes hidden)`,
	} {
		if got := diffLine(in); got != want {
			t.Errorf("diffLine(%q) = %q, want %q", in, got, want)
		}
		if len(diffLine(in)) != len(in) {
			t.Errorf("diffLine(%q) changed the line length", in)
		}
	}
}

// TestMarkdownLimit plans 2,000 resources, 50 of them destroyed: the
// comment stays under the limit, keeps the summary and names every
// destroy, and says how many resources it left out.
func TestMarkdownLimit(t *testing.T) {
	fh := newFakeHost(t)
	var rs []*lang.Resource
	for i := 0; i < 1950; i++ {
		rs = append(rs, res("executable", fmt.Sprintf("svc%04d", i), withCollections("corp"), withArgs("--id", fmt.Sprint(i))))
	}
	cfg := testConfig(t, rs...)
	st := &state.State{Lineage: "l", Serial: 1}
	for i := 0; i < 50; i++ {
		addr := fmt.Sprintf("executable.gone%03d", i)
		st.Resources = append(st.Resources, &state.Resource{Address: addr, Type: "executable", Name: addr[len("executable."):],
			Spec: &state.Spec{Kind: "process", Argv: []string{"/bin/old"}, WorkingDir: testDir, Scope: "append"}})
	}
	in := withState(input(cfg, fh.host(nil)), st)
	p := mustBuild(t, in)
	if len(p.Changes) != 2000 {
		t.Fatalf("%d changes", len(p.Changes))
	}
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > MarkdownLimit {
		t.Errorf("%d characters, limit %d", len(out), MarkdownLimit)
	}
	if !strings.Contains(out, "**Plan:** 1950 to add, 0 to change, 50 to destroy.") ||
		!strings.Contains(out, "| destroy | 50 |") || !strings.Contains(out, "| create | 1950 |") {
		t.Error("summary missing")
	}
	for _, r := range st.Resources {
		if !strings.Contains(out, "`"+r.Address+"`") {
			t.Errorf("destroy %s not named", r.Address)
		}
	}
	shown := strings.Count(out, "<details>")
	if shown == 0 || shown >= 2000 {
		t.Fatalf("%d blocks shown", shown)
	}
	if want := fmt.Sprintf("_%d more resources not shown", 2000-shown); !strings.Contains(out, want) {
		t.Errorf("note %q missing", want)
	}
	// Destroys come first, so every one of them has its block here.
	if strings.Count(out, "will be destroyed</summary>") != 50 {
		t.Errorf("%d destroy blocks, want 50", strings.Count(out, "will be destroyed</summary>"))
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") || strings.Count(out, "```")%2 != 0 {
		t.Error("a block was cut in the middle")
	}

	// A tiny limit still keeps the summary and stays within it.
	buf.Reset()
	if err := renderMarkdown(&buf, p, 4000); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 4000 || !strings.Contains(buf.String(), "**Plan:**") || !strings.Contains(buf.String(), "more") {
		t.Errorf("small limit: %d characters:\n%s", buf.Len(), buf.String())
	}
}
