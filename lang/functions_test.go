package lang

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestFunctions(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl": `locals {
  results = [
    format("%s-%03d", "a", 7),
    join(",", formatlist("x%s", ["1", "2"])),
    join("|", split(",", "a,b")),
    lower("AB"), upper("ab"), title("hello world"), trimspace("  x "),
    trimprefix("prefix-x", "prefix-"), trimsuffix("x.js", ".js"), trim("--x--", "-"),
    replace("a.b.c", ".", "/"), replace("a1b22", "/[0-9]+/", "#"),
    regex("v([0-9]+)", "v42")[0], tostring(length(regexall("a", "banana"))),
    substr("abcdef", 1, 3), strrev("abc"),
    tostring(tonumber("12") + 1), tostring(tobool("true")),
    jsonencode({ a = 1 }), jsondecode("{\"k\":\"v\"}").k,
    csvdecode("a,b\n1,2")[0].b,
    tostring(length("héllo")), tostring(length([1, 2, 3])),
    join(",", keys({ b = 1, a = 2 })), join(",", [for v in values({ a = "x" }) : v]),
    lookup({ a = "1" }, "b", "dflt"), tostring(contains(["a"], "a")),
    coalesce("", "c"), join(",", coalescelist([], ["d"])), join(",", distinct(["a", "a", "b"])),
    element(["a", "b"], 3), join(",", flatten([["a"], ["b", ["c"]]])), tostring(index(["a", "b"], "b")),
    join(",", [for n in range(3) : tostring(n)]), join(",", reverse(["a", "b"])),
    join(",", slice(["a", "b", "c"], 1, 3)), join(",", sort(["b", "a"])),
    zipmap(["k"], ["v"]).k, tostring(min(3, 1)), tostring(max(3, 1)), tostring(abs(-2)),
    tostring(ceil(1.2)), tostring(floor(1.8)),
    join(",", values(merge({ a = "1" }, { b = "2" }))),
    join(",", concat(["a"], ["b"])), join(",", tolist(toset(["x"]))), tomap({ a = "b" }).a,
    file("data.txt"), tostring(fileexists("data.txt")), tostring(fileexists("nope.txt")),
    abspath("sub/x"), abspath("/abs/y"), basename("/a/b.txt"), dirname("/a/b.txt"),
    env("HOME_DIR"), env("UNSET_VAR"),
  ]
}
resource "executable" "x" {
  command = "x"
  args    = local.results
}
`,
		"data.txt": "file content",
	})
	opts := testOptions()
	opts.Environ = []string{"HOME_DIR=/home/u", "OTHER=1"}
	cfg, diags := Load(dir, opts)
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	want := []string{
		"a-007", "x1,x2", "a|b", "ab", "AB", "Hello World", "x",
		"x", "x", "x",
		"a/b/c", "a#b#",
		"42", "3",
		"bcd", "cba",
		"13", "true",
		`{"a":1}`, "v",
		"2",
		"5", "3",
		"a,b", "x",
		"dflt", "true",
		"c", "d", "a,b",
		"b", "a,b,c", "1",
		"0,1,2", "b,a",
		"b,c", "a,b",
		"v", "1", "3", "2",
		"2", "1",
		"1,2",
		"a,b", "x", "b",
		"file content", "true", "false",
		filepath.Join(dir, "sub/x"), "/abs/y", "b.txt", "/a",
		"/home/u", "",
	}
	got := resource(t, cfg, "executable.x").Args
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %q", len(got), len(want), got)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("result %d: got %q, want %q", i, got[i], want[i])
			}
		}
	}
	if want := map[string]string{"HOME_DIR": "/home/u", "UNSET_VAR": ""}; !reflect.DeepEqual(cfg.EnvRead, want) {
		t.Errorf("EnvRead %v, want %v", cfg.EnvRead, want)
	}
}
