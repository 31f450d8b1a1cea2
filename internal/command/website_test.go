package command

// Tests that keep the user documentation in website/ true to the code:
// every HCL example validates, and every resource page's trust tables match
// what the planner really produces for that type and scope.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
)

const websiteDir = "website"

// mdBlock is one fenced code block of a Markdown file.
type mdBlock struct {
	File     string
	Line     int // line of the opening fence, 1-based
	Lang     string
	Text     string
	Fragment bool // preceded by <!-- fragment -->
}

// markdownFiles lists every .md file under website/, and README.md.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(websiteDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no Markdown files under website/")
	}
	// The README's example is the first one most people copy.
	return append(files, "README.md")
}

// codeBlocks returns the backtick-fenced blocks of a Markdown file (a
// fence of four backticks may hold a three-backtick one). A block is a
// fragment when the last non-blank line before its fence is exactly
// <!-- fragment -->.
func codeBlocks(t *testing.T, file string) []mdBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []mdBlock
	var cur *mdBlock
	var body strings.Builder
	fence := "" // the opening fence: a block closes at a run of at least as many backticks
	lastText := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur != nil {
			if len(trimmed) >= len(fence) && strings.Trim(trimmed, "`") == "" {
				cur.Text = body.String()
				blocks = append(blocks, *cur)
				cur = nil
				lastText = ""
				continue
			}
			body.WriteString(line)
			body.WriteByte('\n')
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			lang := strings.TrimLeft(trimmed, "`")
			fence = trimmed[:len(trimmed)-len(lang)]
			cur = &mdBlock{File: file, Line: n, Lang: strings.TrimSpace(lang), Fragment: lastText == "<!-- fragment -->"}
			body.Reset()
			continue
		}
		if trimmed != "" {
			lastText = trimmed
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: code block is never closed", file, cur.Line)
	}
	return blocks
}

// testCA returns a self-signed CA certificate in PEM (fixtures_test.go's
// throwaway CA).
func testCA(t *testing.T) []byte {
	t.Helper()
	return testutil.NewCA(t, "Website Test Root").PEM
}

// docEnv is the environment documentation examples run in: a private HOME
// and development CA directory, no colour, and SSL_CERT_DIR set so that
// append scope's inherited directory is predictable.
func docEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=",
		"TRUSTFORM_DEVCERT_DIR=" + filepath.Join(home, "devcert"),
		"NO_COLOR=1",
		"SSL_CERT_DIR=/inherited/certs",
	}
}

// runTrustform runs the real command in-process.
func runTrustform(env []string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(args, env, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// pemPathRe finds the certificate files an example names: quoted relative
// paths ending in .pem or .crt.
var pemPathRe = regexp.MustCompile(`"([A-Za-z0-9_./*-]+\.(?:pem|crt))"`)

// runPathRe finds what an example runs: validate and plan check that it
// exists (issue 13), and the reader of a page has it.
var runPathRe = regexp.MustCompile(`(?m)^\s*(script|jar|binary|package|working_dir)\s*=\s*"([A-Za-z0-9_./-]+)"`)

// createRunFiles creates, in dir, the scripts, jars, binaries and local Go
// packages an example names. A Go package is relative to working_dir, so
// it is created under every working_dir the example names.
func createRunFiles(t *testing.T, dir, text string) {
	t.Helper()
	matches := runPathRe.FindAllStringSubmatch(text, -1)
	workDirs := []string{"."}
	for _, m := range matches {
		if m[1] == "working_dir" {
			workDirs = append(workDirs, m[2])
		}
	}
	for _, m := range matches {
		p := m[2]
		if m[1] == "working_dir" || filepath.IsAbs(p) || strings.Contains(p, "..") {
			continue
		}
		files := []string{filepath.Join(dir, filepath.FromSlash(p))}
		if m[1] == "package" {
			if !strings.HasPrefix(p, ".") {
				continue // an import path
			}
			files = nil
			for _, wd := range workDirs {
				files = append(files, filepath.Join(dir, filepath.FromSlash(wd), filepath.FromSlash(p), "main.go"))
			}
		}
		for _, full := range files {
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestWebsiteHCLExamplesValidate runs "trustform validate" on every ```hcl
// block in website/**/*.md and README.md, each in its own directory. Certificate files the
// example names (certs/corp-root.pem, a glob such as certs/extra/*.pem) are
// created with a generated CA. Blocks marked <!-- fragment --> are skipped.
func TestWebsiteHCLExamplesValidate(t *testing.T) {
	ca := testCA(t)
	checked := 0
	for _, file := range markdownFiles(t) {
		for _, b := range codeBlocks(t, file) {
			if b.Lang != "hcl" || b.Fragment {
				continue
			}
			checked++
			b := b
			t.Run(strings.TrimPrefix(filepath.ToSlash(b.File), websiteDir+"/")+":"+strconv.Itoa(b.Line), func(t *testing.T) {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "main.trust.hcl"), []byte(b.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				createRunFiles(t, dir, b.Text)
				for _, m := range pemPathRe.FindAllStringSubmatch(b.Text, -1) {
					p := strings.ReplaceAll(m[1], "*", "example")
					if filepath.IsAbs(p) || strings.Contains(p, "..") {
						continue
					}
					full := filepath.Join(dir, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(full, ca, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				code, out, errOut := runTrustform(docEnv(t), "-chdir="+dir, "validate")
				if code != 0 || !strings.Contains(out, "Success! The configuration is valid.") {
					t.Errorf("%s:%d: the example does not validate (exit %d); mark it <!-- fragment --> if it is not meant to.\n%s\n--- stdout\n%s--- stderr\n%s",
						b.File, b.Line, code, b.Text, out, errOut)
				}
			})
		}
	}
	if checked < 12 {
		t.Errorf("only %d hcl examples checked; the resource pages alone have 12", checked)
	}
}

// trustRow is one documented variable of a scope.
type trustRow struct {
	Line  int
	Name  string // empty for a "nothing" row
	Value string // the first code span of the value cell: a pattern with <placeholders>
}

// resourcePage is what a resource page claims about its type.
type resourcePage struct {
	DefaultScope string
	Env          map[runtimes.Scope][]trustRow
	Files        map[runtimes.Scope][]string
}

var (
	codeSpanRe     = regexp.MustCompile("`([^`]*)`")
	defaultScopeRe = regexp.MustCompile("\\*\\*Default scope:\\*\\* `([a-z]+)`")
	placeholderRe  = regexp.MustCompile(`<[^<>]+>`)
)

// tableAfter returns the body rows (cells split, trimmed) of the Markdown
// table that starts on the first line after marker, with their line numbers.
func tableAfter(lines []string, marker string) (rows [][]string, lineNos []int, found bool) {
	for i, l := range lines {
		if strings.TrimSpace(l) != marker {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		j += 2 // header and separator
		for ; j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "|"); j++ {
			cells := strings.Split(strings.Trim(strings.TrimSpace(lines[j]), "|"), "|")
			for k := range cells {
				cells[k] = strings.TrimSpace(cells[k])
			}
			rows = append(rows, cells)
			lineNos = append(lineNos, j+1)
		}
		return rows, lineNos, true
	}
	return nil, nil, false
}

// scopesOf reads the scopes named in a table's first cell.
func scopesOf(t *testing.T, where, cell string) []runtimes.Scope {
	t.Helper()
	var out []runtimes.Scope
	for _, m := range codeSpanRe.FindAllStringSubmatch(cell, -1) {
		if !runtimes.ValidScope(m[1]) {
			t.Errorf("%s: %q is not a scope", where, m[1])
			continue
		}
		out = append(out, runtimes.Scope(m[1]))
	}
	if len(out) == 0 {
		t.Errorf("%s: no scope in %q", where, cell)
	}
	return out
}

// readResourcePage parses the machine-checked parts of
// website/docs/resources/TYPE.md: the default scope line, the table after
// <!-- trust-table: TYPE --> (scope | variable | value) and the table after
// <!-- trust-files: TYPE --> (scope | files).
func readResourcePage(t *testing.T, typ string) *resourcePage {
	t.Helper()
	file := filepath.Join(websiteDir, "docs", "resources", typ+".md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("every resource type needs a page: %v", err)
	}
	lines := strings.Split(string(data), "\n")
	pg := &resourcePage{Env: map[runtimes.Scope][]trustRow{}, Files: map[runtimes.Scope][]string{}}
	if m := defaultScopeRe.FindSubmatch(data); m != nil {
		pg.DefaultScope = string(m[1])
	} else {
		t.Errorf("%s: no \"**Default scope:** `SCOPE`\" line", file)
	}

	rows, nos, ok := tableAfter(lines, "<!-- trust-table: "+typ+" -->")
	if !ok || len(rows) == 0 {
		t.Fatalf("%s: no table after <!-- trust-table: %s -->", file, typ)
	}
	for i, cells := range rows {
		where := file + ":" + strconv.Itoa(nos[i])
		if len(cells) < 3 {
			t.Errorf("%s: want | scope | variable | value |", where)
			continue
		}
		row := trustRow{Line: nos[i]}
		if m := codeSpanRe.FindStringSubmatch(cells[1]); m != nil {
			row.Name = m[1]
			v := codeSpanRe.FindStringSubmatch(cells[2])
			if v == nil {
				t.Errorf("%s: the value of %s is not in a code span", where, row.Name)
				continue
			}
			row.Value = v[1]
		}
		for _, s := range scopesOf(t, where, cells[0]) {
			pg.Env[s] = append(pg.Env[s], row)
		}
	}

	rows, nos, ok = tableAfter(lines, "<!-- trust-files: "+typ+" -->")
	if !ok || len(rows) == 0 {
		t.Fatalf("%s: no table after <!-- trust-files: %s -->", file, typ)
	}
	for i, cells := range rows {
		where := file + ":" + strconv.Itoa(nos[i])
		if len(cells) < 2 {
			t.Errorf("%s: want | scope | files |", where)
			continue
		}
		var files []string
		for _, m := range codeSpanRe.FindAllStringSubmatch(cells[1], -1) {
			files = append(files, m[1])
		}
		for _, s := range scopesOf(t, where, cells[0]) {
			pg.Files[s] = append(pg.Files[s], files...)
		}
	}
	return pg
}

// planAfter is the part of plan -json this test reads.
type planAfter struct {
	Env        map[string]string `json:"env"`
	TrustScope string            `json:"trust_scope"`
	TrustDir   string            `json:"trust_dir"`
	TrustSet   string            `json:"trust_set"`
	Files      []planFile        `json:"files"`
}

type planFile struct {
	Path string `json:"path"`
}

// planResource plans one resource of typ and returns its "after".
func planResource(t *testing.T, typ, scope string, ca []byte) planAfter {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	scopeLine := ""
	if scope != "" {
		scopeLine = "  certificate_trust_scope = \"" + scope + "\"\n"
	}
	hcl := "certificate_authority_collection \"corp\" {\n  files = [\"ca.pem\"]\n}\n\n" +
		"resource \"" + typ + "\" \"x\" {\n  " + runtimes.Lookup(typ).Example + "\n" +
		"  certificate_authority_collections = [certificate_authority_collection.corp]\n" +
		"  developer_certificate_trust       = false\n" + scopeLine + "}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.trust.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	createRunFiles(t, dir, hcl)
	code, out, errOut := runTrustform(docEnv(t), "-chdir="+dir, "plan", "-json")
	if code != 0 {
		t.Fatalf("plan -json of %s scope %q: exit %d\n%s\n%s", typ, scope, code, out, errOut)
	}
	var doc struct {
		TrustSets []struct {
			Name   string     `json:"name"`
			Files  []planFile `json:"files"`
			ByType map[string]struct {
				Env map[string]string `json:"env"`
			} `json:"by_type"`
		} `json:"trust_sets"`
		ResourceChanges []struct {
			Type   string `json:"type"`
			Change struct {
				After planAfter `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, out)
	}
	if len(doc.ResourceChanges) != 1 {
		t.Fatalf("plan -json: want one resource change, got %d", len(doc.ResourceChanges))
	}
	a := doc.ResourceChanges[0].Change.After
	// The files of a resource in a trust set are the set's, and so are the
	// trust variables every resource of its type receiving the set shares
	// (by_type): the full env is those with the resource's own laid over.
	for _, s := range doc.TrustSets {
		if a.TrustSet != "" && s.Name == a.TrustSet {
			a.Files = s.Files
			env := map[string]string{}
			for k, v := range s.ByType[doc.ResourceChanges[0].Type].Env {
				env[k] = v
			}
			for k, v := range a.Env {
				env[k] = v
			}
			a.Env = env
		}
	}
	if a.TrustDir != "" && !filepath.IsAbs(a.TrustDir) {
		a.TrustDir = filepath.Join(dir, a.TrustDir)
	}
	for i := range a.Files {
		if !filepath.IsAbs(a.Files[i].Path) {
			a.Files[i].Path = filepath.Join(dir, filepath.FromSlash(a.Files[i].Path))
		}
	}
	return a
}

// valuePattern turns a documented value into a regular expression:
// <bundle>, <certs>, <truststore> and <dest> stand for the resource's own
// paths; any other <placeholder> stands for "something" (an inherited
// value, the default directories).
func valuePattern(doc, trustDir string) *regexp.Regexp {
	known := map[string]string{
		"<bundle>":     filepath.Join(trustDir, "cert.pem"),
		"<certs>":      filepath.Join(trustDir, "certs"),
		"<truststore>": filepath.Join(trustDir, "truststore.p12"),
		"<dest>":       runtimes.DefaultContainerDestination,
	}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range placeholderRe.FindAllStringIndex(doc, -1) {
		b.WriteString(regexp.QuoteMeta(doc[last:loc[0]]))
		ph := doc[loc[0]:loc[1]]
		if v, ok := known[ph]; ok {
			b.WriteString(regexp.QuoteMeta(v))
		} else {
			b.WriteString(".+")
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(doc[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// topLevelFiles names a plan's trust files as the pages do: cert.pem,
// certs/, truststore.p12, merged-VAR.pem.
func topLevelFiles(a planAfter) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range a.Files {
		rel, err := filepath.Rel(a.TrustDir, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = f.Path
		}
		rel = filepath.ToSlash(rel)
		if head, _, nested := strings.Cut(rel, "/"); nested {
			rel = head + "/"
		}
		if !seen[rel] {
			seen[rel] = true
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// TestWebsiteResourcePagesMatchPlanner checks each resource page against
// the real planner: for every type and scope, the variables the page lists
// are exactly those plan -json sets (with values of the documented shape),
// the files are those it writes, and the default scope is the one it uses.
// The environment has SSL_CERT_DIR=/inherited/certs, so the rules about
// inherited values are exercised too.
func TestWebsiteResourcePagesMatchPlanner(t *testing.T) {
	ca := testCA(t)
	for _, typ := range runtimes.Types() {
		typ := typ
		t.Run(typ, func(t *testing.T) {
			if runtimes.Lookup(typ).Example == "" {
				t.Fatalf("runtime row %s has no Example body: add one, and a page website/docs/resources/%s.md", typ, typ)
			}
			pg := readResourcePage(t, typ)
			page := filepath.Join(websiteDir, "docs", "resources", typ+".md")

			if got := planResource(t, typ, "", ca).TrustScope; got != pg.DefaultScope {
				t.Errorf("%s: default scope documented as %q, the planner uses %q", page, pg.DefaultScope, got)
			}
			for _, scope := range runtimes.Scopes {
				a := planResource(t, typ, string(scope), ca)
				rows, ok := pg.Env[scope]
				if !ok {
					t.Errorf("%s: the trust table has no row for scope %s", page, scope)
					continue
				}
				documented := map[string]trustRow{}
				for _, r := range rows {
					if r.Name != "" {
						documented[r.Name] = r
					}
				}
				for name, val := range a.Env {
					r, ok := documented[name]
					if !ok {
						t.Errorf("%s: scope %s: the planner sets %s=%q, the page does not list it", page, scope, name, val)
						continue
					}
					if re := valuePattern(r.Value, a.TrustDir); !re.MatchString(val) {
						t.Errorf("%s:%d: scope %s: %s is documented as `%s`, the planner sets %q", page, r.Line, scope, name, r.Value, val)
					}
				}
				for name, r := range documented {
					if _, ok := a.Env[name]; !ok {
						t.Errorf("%s:%d: scope %s: the page lists %s, the planner does not set it", page, r.Line, scope, name)
					}
				}

				docFiles, ok := pg.Files[scope]
				if !ok {
					t.Errorf("%s: the files table has no row for scope %s", page, scope)
					continue
				}
				sort.Strings(docFiles)
				if got := topLevelFiles(a); strings.Join(got, " ") != strings.Join(docFiles, " ") {
					t.Errorf("%s: scope %s: files documented as %q, the planner writes %q", page, scope, docFiles, got)
				}
			}
		})
	}
}
