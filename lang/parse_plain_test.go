package lang

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/rogpeppe/go-internal/txtar"
)

// plainSources are sources parsePlain must take, each exercising a piece
// of its grammar; notPlainSources must go to hclsyntax.
var plainSources = []string{
	"",
	"\n",
	"   \n\n",
	"a = 1\n",
	"a = 1",
	"a = \"\"\n",
	"a = \"x y\tz\"\n",
	"a = true\nb = false\nc = null\n",
	"a = b.c-d.e_f\n",
	"a = []\nb = [1]\nc = [1, 2,]\nd = [\n  \"x\",\n  y.z,\n\n]\n",
	"a = {}\nb = { x = 1 }\nc = { x = 1, \"y\" = 2 }\nd = {\n  x = 1\n  y : [2, {z = 3}]\n}\n",
	"a = [{ x = 1\n  y = 2 }, []]\n",
	"# comment\nblock {\n}\n",
	"// comment\n\nblock \"l\" ident {\n  # inside\n  a = 1 # after\n  b = 2 // after\n} # closing\n",
	"block {}\nother \"x\" {}",
	"block { # open\n}\n",
	"\tblock \"a\" \"b\" {\n\t\tnested {\n\t\t\tdeep \"x\" {\n\t\t\t\tv = [1]\n\t\t\t}\n\t\t}\n\t}\n",
	"resource \"executable\" \"svc1\" {\n  command = \"sleep\"\n  args    = [\"3600\"]\n  env     = { TFBENCH_RUN = \"1-2\" }\n\n  certificate_authority_collections = [certificate_authority_collection.bench]\n  depends_on = [executable.svc0]\n}\n",
	"a = 007\nb = 12345678901234567890123\n",
	"a = for\nb = [format]\nc = { format = 1 }\n",
	"a = x\n\n\n",
	"a = [\n]\n",
	"block = {\n}\n",
}

var notPlainSources = []string{
	"a = \"${x}\"\n",
	"a = \"%{if x}y%{endif}\"\n",
	"a = \"\\n\"\n",
	"a = \"é\"\n",
	"a = 1.5\n",
	"a = 1e3\n",
	"a = -1\n",
	"a = 1 + 2\n",
	"a = x ? 1 : 2\n",
	"a = f(1)\n",
	"a = ns::f(1)\n",
	"a = x[0]\n",
	"a = x.0\n",
	"a = x.*.y\n",
	"a = x .y\n",
	"a = (1)\n",
	"a = <<EOT\nx\nEOT\n",
	"a = [for x in y : x]\n",
	"a = {for k, v in y : k => v}\n",
	"a = {\n  for k, v in y : k => v}\n",
	"a = [1 # c\n]\n",
	"a = /* c */ 1\n",
	"/* c */\n",
	"# no newline",
	"a = 1\r\n",
	"block { a = 1 }\n",
	"block {\n  a = 1\n  a = 2\n}\n",
	"a = 1\na = 2\n",
	"a == 1\n",
	"a =\n1\n",
	"a = { x = \n 1 }\n",
	"a = { x = 1 y = 2 }\n",
	"a = [1 2]\n",
	"a = [1,\n",
	"block {\n",
	"block\n{\n}\n",
	"}\n",
	"\"a\" = 1\n",
	"a = 1 b\n",
	"block {} x\n",
	"a = true.x\n",
	"a = x.y(1)\n",
	"a = x\"y\"\n",
	"a = 1x\n",
	"a = { (k) = 1 }\n",
	"a = { x == 1 }\n",
	"a = { x := 1 }\n",
	"\ufeffa = 1\n",
	"a = \"x\n",
	"a = \"$${x}\"\n",
}

// samePlainParse checks that parsePlain either refuses src or parses it
// exactly as hclsyntax does, and reports whether it took it.
func samePlainParse(t *testing.T, name string, src []byte, start hcl.Pos) bool {
	t.Helper()
	got, ok := parsePlain(src, name, start)
	if !ok {
		return false
	}
	want, diags := hclsyntax.ParseConfig(src, name, start)
	if len(diags) > 0 {
		t.Errorf("%s: parsePlain took what hclsyntax reports as %v:\n%s", name, diags, src)
		return true
	}
	if diff := cmp.Diff(want.Body, got, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Errorf("%s: parsePlain differs from hclsyntax (-hclsyntax +plain):\n%s\nsource:\n%s", name, diff, src)
	}
	return true
}

func TestParsePlainMatchesHCLSyntax(t *testing.T) {
	starts := []hcl.Pos{hcl.InitialPos, {Line: 41, Column: 1, Byte: 1234}}
	for _, start := range starts {
		for _, src := range plainSources {
			if !samePlainParse(t, "main.trust.hcl", []byte(src), start) {
				t.Errorf("parsePlain refused a plain source:\n%s", src)
			}
		}
		for _, src := range notPlainSources {
			if samePlainParse(t, "main.trust.hcl", []byte(src), start) {
				t.Errorf("parsePlain took a source that is not plain:\n%s", src)
			}
		}
	}
}

// TestParsePlainMatchesRepository compares the two parsers on every
// configuration in the repository: fixtures, examples, test data and the
// files inside testscripts.
func TestParsePlainMatchesRepository(t *testing.T) {
	root := filepath.Join("..")
	var files, plain int
	check := func(name string, src []byte) {
		files++
		if samePlainParse(t, name, src, hcl.InitialPos) {
			plain++
		}
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || n == ".git" || strings.HasPrefix(n, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".hcl"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			check(path, src)
		case strings.HasSuffix(path, ".txtar"):
			a, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range a.Files {
				if strings.HasSuffix(f.Name, ".hcl") {
					check(path+":"+f.Name, f.Data)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d configuration files are plain", plain, files)
	if files < 50 || plain < files/4 {
		t.Errorf("%d of %d configuration files are plain: the comparison covers too little", plain, files)
	}
}

// TestParseChunkedPlain checks that a large plain file is parsed in
// chunks by parsePlain with the result hclsyntax gives for the whole file.
func TestParseChunkedPlain(t *testing.T) {
	src := chunkableConfig(3000, "")
	got, diags := parseChunked(src, "main.trust.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want, _ := hclsyntax.ParseConfig(src, "main.trust.hcl", hcl.InitialPos)
	wb, gb := want.Body.(*hclsyntax.Body), got.Body.(*hclsyntax.Body)
	if diff := cmp.Diff(wb.Blocks, gb.Blocks, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Errorf("chunked plain parse differs (-hclsyntax +plain):\n%s", diff)
	}
	if wb.SrcRange != gb.SrcRange || wb.EndRange != gb.EndRange {
		t.Errorf("body ranges %v %v, want %v %v", gb.SrcRange, gb.EndRange, wb.SrcRange, wb.EndRange)
	}
	for i, c := range chunkCuts(src) {
		start := hcl.Pos{Line: 1 + strings.Count(string(src[:c]), "\n"), Column: 1, Byte: c}
		if !samePlainParse(t, "main.trust.hcl", src[c:], start) {
			t.Fatalf("chunk %d was not plain", i)
		}
	}
}

// FuzzParsePlain checks that parsePlain never takes what hclsyntax
// rejects, and parses what it takes as hclsyntax does.
func FuzzParsePlain(f *testing.F) {
	for _, s := range plainSources {
		f.Add(s)
	}
	for _, s := range notPlainSources {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		samePlainParse(t, "f.trust.hcl", []byte(src), hcl.InitialPos)
	})
}
