package plan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func TestMarkdownGolden(t *testing.T) {
	for _, sc := range goldenScenarios() {
		if sc.name != "replace" && sc.name != "delete" {
			continue
		}
		p := mustBuild(t, sc.in(t))
		var buf bytes.Buffer
		if err := RenderMarkdown(&buf, p, nil); err != nil {
			t.Fatal(err)
		}
		checkMarkdown(t, buf.String())
		checkGolden(t, sc.name+".md.golden", buf.Bytes())
	}
}

// mixedPlan is a pull request a reviewer must read carefully: one resource
// removed from the configuration, two restarted with new trust, one added,
// and a certificate left out because it expired. It returns the plan and
// the warnings of loading the configuration.
func mixedPlan(t *testing.T) (*Plan, hcl.Diagnostics) {
	host := newFakeHost(t).host(nil)
	devCA := loadCert(t, "devcert-ca")
	old := res("executable", "legacy_probe", withCollections("corp"), func(r *lang.Resource) { r.Attrs.SetStr("command", "/usr/bin/curl") })
	before := baseConfig(t, func(c *lang.Config) { c.Resources = append(c.Resources, old) })
	in := input(before, host)
	in.Devcert.CA = devCA
	st := stateFrom(t, mustBuild(t, in), 7)

	after := baseConfig(t, func(c *lang.Config) {
		c.Collections["corp"].Certificates = append(c.Collections["corp"].Certificates, loadCert(t, "user-extra"))
		resource(c, "node_app.web").Env["LOG_LEVEL"] = "debug"
		c.Resources = append(c.Resources, res("executable", "probe", withCollections("corp"),
			withArgs("--capath", testDir+"/.trustform/resources/executable.probe/certs"),
			func(r *lang.Resource) { r.Attrs.SetStr("command", "/usr/bin/curl") }))
		c.Outputs = nil
	})
	in = withState(input(after, host), st)
	in.Devcert.CA = devCA
	in.Refreshed = map[string]runtimes.Status{}
	for _, r := range st.Resources {
		in.Refreshed[r.Address] = runtimes.StatusRunning
	}
	p := mustBuild(t, in)
	return p, expiredWarning(t)
}

// expiredWarning is the warning lang gives for an expired certificate in
// a collection: internal/pem's problem, at the element that named it.
func expiredWarning(t *testing.T) hcl.Diagnostics {
	path := filepath.Join("testdata", "certs", "expired-proxy.pem")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	certs, problems := pem.Parse(data, "certs/old-proxy.pem", pem.Options{Now: testNow})
	if len(certs) != 0 || len(problems) != 1 || problems[0].Severity != pem.Warning {
		t.Fatalf("expired certificate: %d certificates, problems %+v", len(certs), problems)
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  problems[0].Summary,
		Detail:   problems[0].Detail,
		Subject: &hcl.Range{Filename: "main.trust.hcl", Start: hcl.Pos{Line: 12, Column: 20, Byte: 200},
			End: hcl.Pos{Line: 12, Column: 49, Byte: 229}},
	}}
}

// TestMarkdownMixedGolden: 1 delete, 2 replaces, 1 create. Only the delete
// is under "To destroy"; the replacements have their own line; the
// warning is a GitHub alert; every diff line has a diff prefix.
func TestMarkdownMixedGolden(t *testing.T) {
	p, diags := mixedPlan(t)
	counts := map[Action]int{}
	for _, ch := range p.Changes {
		counts[ch.Action]++
	}
	if counts[Delete] != 1 || counts[Replace] != 2 || counts[Create] != 1 {
		t.Fatalf("actions %v, want 1 delete, 2 replaces, 1 create", counts)
	}
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p, diags); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkMarkdown(t, out)
	checkGolden(t, "mixed.md.golden", buf.Bytes())

	for _, want := range []string{
		"**To destroy:** `executable.legacy_probe`\n",
		"**To replace** (stopped, then started again): `node_app.web`, `python_app.api`\n",
		"| destroy | 1 |\n| replace | 2 |\n| create | 1 |\n",
		"> [!WARNING]\n> **certs/old-proxy.pem line 1: certificate \"Old Proxy CA\" expired on 2025-01-01; left out** (`main.trust.hcl:12:20`)\n",
		"will be destroyed (because executable.legacy_probe is not in configuration)</summary>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if line := lineWith(out, "**To destroy:**"); strings.Contains(line, "node_app.web") || strings.Contains(line, "python_app.api") {
		t.Errorf("a replacement is listed as a destroy: %s", line)
	}
}

// TestMarkdownTruncatedGolden: a comment cut to a small limit names every
// resource it left out, keeps the summary and every destroy.
func TestMarkdownTruncatedGolden(t *testing.T) {
	p, diags := mixedPlan(t)
	var buf bytes.Buffer
	const limit = 3200
	if err := renderMarkdown(&buf, p, diags, limit); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > limit {
		t.Errorf("%d characters, limit %d", len(out), limit)
	}
	checkMarkdown(t, out)
	checkGolden(t, "truncated.md.golden", buf.Bytes())
	if !strings.Contains(out, "**Plan:** 3 to add, 0 to change, 3 to destroy.") || !strings.Contains(out, "`executable.legacy_probe`") {
		t.Error("summary or destroy missing")
	}
	checkNotShownNamed(t, out, p)
	// Destroys come before everything else, trust sets included.
	if d, ts := strings.Index(out, "<code>- executable.legacy_probe</code>"), strings.Index(out, " trust_set."); d < 0 || ts < d {
		t.Errorf("the destroy's block (at %d) does not come first (a trust set's at %d)", d, ts)
	}
}

// checkNotShownNamed checks that every changing resource either has its
// block or is named in the closing "Not shown" list.
func checkNotShownNamed(t *testing.T, out string, p *Plan) {
	t.Helper()
	_, tail, ok := strings.Cut(out, "\nNot shown:\n")
	if !ok {
		t.Fatal("no Not shown list")
	}
	for _, set := range changedSets(p) {
		name := "trust_set." + set.Name
		hasBlock := strings.Contains(out, " "+name+"</code>")
		if named := strings.Contains(tail, "`"+name+"`"); hasBlock == named {
			t.Errorf("%s: block shown %v, named as not shown %v", name, hasBlock, named)
		}
	}
	missing := 0
	for _, ch := range p.Changes {
		if ch.Action == NoOp {
			continue
		}
		hasBlock := strings.Contains(out, "<code>"+strings.TrimSpace(actionSymbol(ch.Action))+" "+ch.Address+"</code>")
		named := strings.Contains(tail, "`"+ch.Address+"`")
		if hasBlock == named {
			missing++
			if missing < 5 {
				t.Errorf("%s: block shown %v, named as not shown %v", ch.Address, hasBlock, named)
			}
		}
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// checkMarkdown checks what GitHub needs: balanced blocks, and inside
// each diff block every line starting with a diff prefix; a closing
// bracket carries the prefix of the line that opened it.
func checkMarkdown(t *testing.T, out string) {
	t.Helper()
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") || strings.Count(out, "```")%2 != 0 {
		t.Error("a block was cut in the middle")
	}
	in := false
	var open []byte
	for i, line := range strings.Split(out, "\n") {
		switch {
		case line == "```diff":
			in, open = true, nil
			continue
		case line == "```":
			in = false
			if len(open) != 0 {
				t.Errorf("line %d: %d brackets left open", i+1, len(open))
			}
			continue
		case !in:
			continue
		}
		if line == "" || !strings.ContainsRune("+-! ", rune(line[0])) {
			t.Errorf("line %d has no diff prefix: %q", i+1, line)
			continue
		}
		code := strings.TrimSuffix(strings.TrimSpace(line[1:]), forcesNote)
		if strings.HasPrefix(code, "]") || strings.HasPrefix(code, "}") {
			if len(open) == 0 {
				t.Errorf("line %d closes nothing: %q", i+1, line)
				continue
			}
			if want := open[len(open)-1]; line[0] != want {
				t.Errorf("line %d: closing line prefixed %q, its opening line %q: %q", i+1, line[0], want, line)
			}
			open = open[:len(open)-1]
		}
		if strings.HasSuffix(code, "[") || strings.HasSuffix(code, "{") {
			open = append(open, line[0])
		}
	}
}

func TestDiffLine(t *testing.T) {
	for in, want := range map[string]string{
		`  + resource "a" "b" {`:                    `+   resource "a" "b" {`,
		`-/+ resource "a" "b" {`:                    `!   resource "a" "b" {`,
		`      ~ pid = 1 -> 2`:                      `!       pid = 1 -> 2`,
		`          - "x",`:                          `-           "x",`,
		`            "context",`:                    `            "context",`,
		`        # (2 unchanged attributes hidden)`: `        # (2 unchanged attributes hidden)`,
		`        ] -> null`:                         `        ] -> null`,
		`resource`:                                  ` resource`,
	} {
		if got := diffLine(in); got != want {
			t.Errorf("diffLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMarkdownRemovedListIsRed: the closing "] -> null" and "} -> null"
// of a removed attribute carry its "-", so GitHub colours the whole
// attribute (they used to be left as unchanged lines).
func TestMarkdownRemovedListIsRed(t *testing.T) {
	p := mustBuild(t, goldenScenarios()[4].in(t)) // delete
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n-       ] -> null\n", "\n-       } -> null\n", "\n-   }\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q in\n%s", want, buf.String())
		}
	}
}

// TestMarkdownEscapes: a warning's text cannot open a link, emphasis or
// HTML in the comment.
func TestMarkdownEscapes(t *testing.T) {
	p := mustBuild(t, input(testConfig(t, res("executable", "x")), newFakeHost(t).host(nil)))
	diags := hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "CN=<script>*x*_y_ [a](b) | c", Detail: "line `1`\n\n# not a heading"}}
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p, diags); err != nil {
		t.Fatal(err)
	}
	want := "> [!WARNING]\n> **CN=&lt;script&gt;\\*x\\*\\_y\\_ \\[a\\](b) \\| c**\n> line \\`1\\`\n>\n> \\# not a heading\n\n"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("want\n%s\nin\n%s", want, buf.String())
	}
}

// TestMarkdownLimit plans 2,000 resources, 50 of them destroyed and 20
// replaced: the comment stays under the limit, keeps the summary, names
// every destroy and replacement, and names every resource it left out.
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
	for i := 0; i < 20; i++ {
		addr := fmt.Sprintf("executable.svc%04d", i*7)
		st.Resources = append(st.Resources, &state.Resource{Address: addr, Type: "executable", Name: addr[len("executable."):],
			Handle: runtimes.Handle{PID: 100 + i},
			Spec:   &state.Spec{Kind: "process", Argv: []string{"/bin/old"}, WorkingDir: testDir, Scope: "append"}})
	}
	in := withState(input(cfg, fh.host(nil)), st)
	p := mustBuild(t, in)
	if len(p.Changes) != 2000 {
		t.Fatalf("%d changes", len(p.Changes))
	}
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p, expiredWarning(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > MarkdownLimit {
		t.Errorf("%d characters, limit %d", len(out), MarkdownLimit)
	}
	if !strings.Contains(out, "**Plan:** 1950 to add, 0 to change, 70 to destroy.") ||
		!strings.Contains(out, "| destroy | 50 |") || !strings.Contains(out, "| replace | 20 |") ||
		!strings.Contains(out, "| create | 1930 |") || !strings.Contains(out, "> [!WARNING]") {
		t.Error("summary missing")
	}
	destroyLine, replaceLine := lineWith(out, "**To destroy:**"), lineWith(out, "**To replace**")
	for _, r := range st.Resources {
		line := destroyLine
		if strings.Contains(r.Address, "svc") {
			line = replaceLine
		}
		if !strings.Contains(line, "`"+r.Address+"`") {
			t.Errorf("%s not named on its line", r.Address)
		}
	}
	// Resource blocks; the trust sets' come first, once each.
	shown := strings.Count(out, "<details>") - strings.Count(out, "<details><summary><code>+ trust_set.")
	if shown == 0 || shown >= 2000 {
		t.Fatalf("%d blocks shown", shown)
	}
	if want := fmt.Sprintf("_%d of 2000 resources are not shown", 2000-shown); !strings.Contains(out, want) {
		t.Errorf("note %q missing", want)
	}
	// Destroys come first: the blocks shown are those of the first
	// destroys, each with its reason. (The names of the 1,930 creations
	// left out take most of the room.)
	blocks := regexp.MustCompile(`<code>- (executable\.gone\d+)</code> will be destroyed \(because executable\.gone\d+ is not in configuration\)</summary>`).FindAllStringSubmatch(out, -1)
	if len(blocks) != shown || shown > 50 {
		t.Errorf("%d blocks shown, %d of them destroys with their reason", shown, len(blocks))
	}
	for i, m := range blocks {
		if want := fmt.Sprintf("executable.gone%03d", i); m[1] != want {
			t.Errorf("block %d is %s, want %s", i, m[1], want)
		}
	}
	checkMarkdown(t, out)
	checkNotShownNamed(t, out, p)

	// A tiny limit still keeps the summary and stays within it.
	buf.Reset()
	if err := renderMarkdown(&buf, p, nil, 4000); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 4000 || !strings.Contains(buf.String(), "**Plan:**") || !strings.Contains(buf.String(), "more") {
		t.Errorf("small limit: %d characters:\n%s", buf.Len(), buf.String())
	}
}
